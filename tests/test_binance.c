/* Binance payload parsers: documented formats, the all-market filter on st, malformed input
 * counted and skipped, and the samples in ../shared/data/rest-samples when present. */
#include "testutil.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/xmalloc.h"
#include "feed/binance.h"

static int ws(const char *msg, Event *ev, int max)
{
	char why[256] = "";
	return binance_parse_ws(msg, strlen(msg), "binance", 1700000000000LL, ev, max, why,
	                        sizeof why);
}

static void test_ws_kline(void **state)
{
	(void)state;
	Event ev[4];
	const char *msg =
	        "{\"stream\":\"btcusdt@kline_1m\",\"data\":{\"e\":\"kline\",\"E\":1638747660000,"
	        "\"s\":\"BTCUSDT\",\"k\":{\"t\":1638747660000,\"T\":1638747719999,\"s\":"
	        "\"BTCUSDT\","
	        "\"i\":\"1m\",\"f\":100,\"L\":200,\"o\":\"0.0010\",\"c\":\"0.0020\",\"h\":\"0."
	        "0025\","
	        "\"l\":\"0.0015\",\"v\":\"1000\",\"n\":100,\"x\":false,\"q\":\"1.0000\",\"V\":"
	        "\"500\","
	        "\"Q\":\"0.500\",\"B\":\"123456\"}}}";
	/* low 0.0015 above open 0.0010: the documented sample itself fails the OHLC check */
	assert_int_equal(ws(msg, ev, 4), -1);
	const char *good =
	        "{\"stream\":\"btcusdt@kline_1m\",\"data\":{\"e\":\"kline\",\"E\":1638747660000,"
	        "\"s\":\"BTCUSDT\",\"k\":{\"t\":1638747660000,\"T\":1638747719999,\"s\":"
	        "\"BTCUSDT\","
	        "\"i\":\"1m\",\"o\":\"50000.1\",\"c\":\"50010.5\",\"h\":\"50020\",\"l\":\"49990\","
	        "\"v\":\"12.5\",\"n\":100,\"x\":true,\"q\":\"625100\",\"V\":\"6\",\"Q\":\"300050\"}"
	        "}}";
	assert_int_equal(ws(good, ev, 4), 1);
	assert_int_equal(ev[0].type, EV_CANDLE);
	Candle *c = &ev[0].u.candle;
	assert_string_equal(c->symbol, "BTCUSDT");
	assert_string_equal(c->interval, "1m");
	assert_string_equal(c->exchange, "binance");
	assert_true(c->open == 50000.1 && c->close == 50010.5 && c->quote_volume == 625100);
	assert_int_equal(c->trades, 100);
	assert_int_equal(c->closed, 1);
}

static void test_ws_streams(void **state)
{
	(void)state;
	Event ev[8];
	assert_int_equal(ws("{\"e\":\"aggTrade\",\"E\":123456789,\"s\":\"BNBUSDT\",\"a\":5933014,"
	                    "\"p\":\"0.001\","
	                    "\"q\":\"100\",\"f\":100,\"l\":105,\"T\":123456785,\"m\":true}",
	                    ev, 8),
	                 1);
	assert_int_equal(ev[0].type, EV_AGG_TRADE);
	assert_int_equal(ev[0].ts, 123456785);
	assert_int_equal(ev[0].u.trade.buyer_is_maker, 1);
	/* the raw trade stream (a real frame of the capture), and its non-market fills, which
	 * are not taker flow: no event, and not malformed either */
	const char *trade = "{\"stream\":\"btcusdt@trade\",\"data\":{\"e\":\"trade\",\"E\":"
	                    "1723161256322,\"T\":1723161256322,\"s\":\"BTCUSDT\",\"t\":"
	                    "5266583935,\"p\":\"61800.30\",\"q\":\"0.006\",\"X\":\"MARKET\","
	                    "\"m\":false}}";
	assert_int_equal(ws(trade, ev, 8), 1);
	assert_int_equal(ev[0].type, EV_AGG_TRADE);
	assert_int_equal(ev[0].u.trade.id, 5266583935);
	assert_true(ev[0].u.trade.price == 61800.3 && ev[0].u.trade.qty == 0.006);
	assert_int_equal(ev[0].u.trade.buyer_is_maker, 0);
	assert_int_equal(ws("{\"e\":\"trade\",\"E\":1,\"T\":1,\"s\":\"BTCUSDT\",\"t\":2,"
	                    "\"p\":\"61797.30\",\"q\":\"0.004\",\"X\":\"INSURANCE_FUND\","
	                    "\"m\":true}",
	                    ev, 8),
	                 0);
	assert_int_equal(ws("{\"e\":\"trade\",\"E\":1,\"T\":1,\"s\":\"BTCUSDT\",\"t\":2,"
	                    "\"p\":\"-1\",\"q\":\"0.004\",\"m\":true}",
	                    ev, 8),
	                 -1);
	assert_int_equal(
	        ws("{\"e\":\"bookTicker\",\"u\":400900217,\"E\":1568014460893,\"T\":1568014460891,"
	           "\"s\":\"BNBUSDT\",\"b\":\"25.35190000\",\"B\":\"31.21000000\",\"a\":\"25."
	           "36520000\","
	           "\"A\":\"40.66000000\"}",
	           ev, 8),
	        1);
	assert_int_equal(ev[0].type, EV_BOOK_TOP);
	assert_true(ev[0].u.book.ask == 25.3652);
	assert_int_equal(
	        ws("{\"e\":\"forceOrder\",\"E\":1568014460893,\"o\":{\"s\":\"BTCUSDT\",\"S\":"
	           "\"SELL\","
	           "\"o\":\"LIMIT\",\"f\":\"IOC\",\"q\":\"0.014\",\"p\":\"9910\",\"ap\":\"9910\","
	           "\"X\":\"FILLED\",\"l\":\"0.014\",\"z\":\"0.014\",\"T\":1568014460893}}",
	           ev, 8),
	        1);
	assert_int_equal(ev[0].type, EV_LIQUIDATION);
	assert_string_equal(ev[0].u.liq.side, "SELL");
	/* the merged all-market stream: COIN-M entries (st 2) are left out */
	assert_int_equal(ws("{\"stream\":\"!markPrice@arr@1s\",\"data\":["
	                    "{\"e\":\"markPriceUpdate\",\"E\":1,\"s\":\"BTCUSDT\",\"p\":\"11185."
	                    "87\",\"i\":\"11184.6\","
	                    "\"P\":\"11784.25\",\"r\":\"0.00030000\",\"T\":1562306400000,\"st\":1},"
	                    "{\"e\":\"markPriceUpdate\",\"E\":1,\"s\":\"BTCUSD\",\"p\":\"11185."
	                    "87\",\"i\":\"11184.6\","
	                    "\"P\":\"11784.25\",\"r\":\"0.00030000\",\"T\":1562306400000,\"st\":2},"
	                    "{\"e\":\"markPriceUpdate\",\"E\":1,\"s\":\"ETHUSDT\",\"p\":\"3000\","
	                    "\"i\":\"2999\","
	                    "\"r\":\"0.0001\",\"T\":1562306400000}]}",
	                    ev, 8),
	                 2);
	assert_string_equal(ev[0].symbol, "BTCUSDT");
	assert_string_equal(ev[1].symbol, "ETHUSDT");
	assert_true(isnan(ev[1].u.mark.settle));
	assert_true(ev[0].u.mark.funding_rate == 0.0003);
	/* replies and the unknown */
	assert_int_equal(ws("{\"result\":null,\"id\":1}", ev, 8), 0);
}

static void test_ws_malformed(void **state)
{
	(void)state;
	Event ev[4];
	const char *bad[] = {
	        "",
	        "{",
	        "not json",
	        "[1,2",
	        "{\"stream\":\"x\"}",
	        "{\"e\":\"aggTrade\",\"s\":\"BNBUSDT\",\"a\":1,\"p\":\"abc\",\"q\":\"1\",\"T\":1,"
	        "\"m\":true}",
	        "{\"e\":\"aggTrade\",\"s\":\"bnb\\u001b[2J\",\"a\":1,\"p\":\"1\",\"q\":\"1\",\"T\":"
	        "1,\"m\":true}",
	        "{\"e\":\"bookTicker\",\"s\":\"BNBUSDT\",\"b\":1}",
	        "{\"e\":\"somethingNew\",\"s\":\"BNBUSDT\"}",
	        "{\"stream\":\"a\",\"data\":{\"e\":\"kline\",\"k\":{\"s\":\"BTCUSDT\",\"i\":\"7m\"}"
	        "}}",
	        "{\"e\":\"aggTrade\",\"s\":\"BNBUSDT\",\"a\":1,\"p\":\"1\",\"q\":\"1\",\"T\":1,"
	        "\"m\":true,\"m\":false}",
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		if (ws(bad[i], ev, 4) != -1) {
			print_error("accepted: %s\n", bad[i]);
			fail();
		}
}

static void test_rest(void **state)
{
	(void)state;
	char why[256];
	Candle *c;
	long bad;
	const char *rows = "[[1735689600000,\"93576.0\",\"94509.4\",\"93489.6\",\"94401.1\",\"8497."
	                   "646\",1735689659999,"
	                   "\"798053093.6291\",157291,\"4489.811\",\"421707720.0738\",\"0\"],"
	                   "[1735689660000,\"1\",\"0.5\",\"1\",\"1\",\"1\",1735689719999,\"1\",1,"
	                   "\"1\",\"1\",\"0\"],"
	                   "[1735689720000,\"94401.1\",\"94500\",\"94400\",\"94450\",\"1\","
	                   "1735689779999,\"94450\",3,"
	                   "\"0.5\",\"47225\",\"0\"]]";
	long n = binance_parse_klines(rows, strlen(rows), "binance", "BTCUSDT", "1m",
	                              1735689770000LL, &c, &bad, why, sizeof why);
	assert_int_equal(n, 2);
	assert_int_equal(bad, 1);
	assert_int_equal(c[0].closed, 1);
	assert_int_equal(c[1].closed, 0); /* still forming at now */
	assert_true(c[0].taker_buy_quote_volume == 421707720.0738);
	free(c);
	assert_int_equal(
	        binance_parse_klines("{}", 2, "binance", "X", "1m", 0, &c, &bad, why, sizeof why),
	        -1);

	const char *info =
	        "{\"symbols\":[{\"symbol\":\"BTCUSDT\",\"contractType\":\"PERPETUAL\",\"status\":"
	        "\"TRADING\",\"baseAsset\":\"BTC\",\"quoteAsset\":\"USDT\",\"filters\":[{"
	        "\"filterType\":"
	        "\"PRICE_FILTER\",\"tickSize\":\"0.10\"},{\"filterType\":\"LOT_SIZE\",\"stepSize\":"
	        "\"0.001\"}]},{\"symbol\":\"BTCUSDT_261225\",\"contractType\":\"CURRENT_QUARTER\","
	        "\"status\":\"TRADING\",\"baseAsset\":\"BTC\",\"quoteAsset\":\"USDT\"},{\"symbol\":"
	        "1}]}";
	BinanceSymbol *s;
	n = binance_parse_exchange_info(info, strlen(info), &s, &bad, why, sizeof why);
	assert_int_equal(n, 1);
	assert_int_equal(bad, 1);
	assert_true(s[0].perpetual && s[0].trading && s[0].tick_size == 0.1 &&
	            s[0].step_size == 0.001);
	free(s);

	char msg[64];
	const char *e = "{\"code\":-1121,\"msg\":\"Invalid\\nsymbol.\"}";
	assert_int_equal(binance_parse_error(e, strlen(e), msg, sizeof msg), -1121);
	assert_string_equal(msg, "Invalid?symbol.");
	assert_int_equal(binance_parse_error("[]", 2, msg, sizeof msg), 0);
}

static char *read_sample(const char *name)
{
	char *path = xasprintf("%s/rest-samples/%s", FB_SHARED_DATA, name);
	char *text = tu_read_file(path, NULL);
	free(path);
	return text;
}

/* Values no market has are refused at the parser: each of these got into a store once. */
static void test_out_of_range(void **state)
{
	(void)state;
	Event ev[4];
	const char *bad[] = {
	        /* a liquidation with price -100 and qty -5 */
	        "{\"e\":\"forceOrder\",\"E\":1,\"o\":{\"s\":\"BTCUSDT\",\"S\":\"SELL\",\"q\":\"-"
	        "5\","
	        "\"p\":\"-100\",\"ap\":\"-100\",\"T\":1568014460893}}",
	        "{\"e\":\"forceOrder\",\"E\":1,\"o\":{\"s\":\"BTCUSDT\",\"S\":\"SELL\",\"q\":\"0\","
	        "\"p\":\"9910\",\"ap\":\"9910\",\"T\":1568014460893}}",
	        /* a candle of 1e308 */
	        "{\"e\":\"kline\",\"E\":1,\"s\":\"BTCUSDT\",\"k\":{\"t\":1638747660000,\"T\":"
	        "1638747719999,\"s\":\"BTCUSDT\",\"i\":\"1m\",\"o\":\"1e308\",\"c\":\"1e308\","
	        "\"h\":"
	        "\"1e308\",\"l\":\"1e308\",\"v\":\"1\",\"n\":1,\"x\":true,\"q\":\"1\",\"V\":\"1\","
	        "\"Q\":\"1\"}}",
	        /* a quote volume of 1e308 in a candle */
	        "{\"e\":\"kline\",\"E\":1,\"s\":\"BTCUSDT\",\"k\":{\"t\":1638747660000,\"T\":"
	        "1638747719999,\"s\":\"BTCUSDT\",\"i\":\"1m\",\"o\":\"1\",\"c\":\"1\",\"h\":\"1\","
	        "\"l\":\"1\",\"v\":\"1\",\"n\":1,\"x\":true,\"q\":\"1e308\",\"V\":\"1\","
	        "\"Q\":\"1\"}}",
	        /* mark and funding estimate of 1e308 */
	        "{\"e\":\"markPriceUpdate\",\"E\":1,\"s\":\"BTCUSDT\",\"p\":\"1e308\",\"i\":\"1\","
	        "\"r\":\"0.0001\",\"T\":1}",
	        "{\"e\":\"markPriceUpdate\",\"E\":1,\"s\":\"BTCUSDT\",\"p\":\"100\",\"i\":\"100\","
	        "\"r\":\"1e308\",\"T\":1}",
	        /* a ticker with lastPrice -5, and one with a quote volume of 1e308 */
	        "{\"e\":\"24hrTicker\",\"E\":1,\"s\":\"BTCUSDT\",\"c\":\"-5\",\"v\":\"1\","
	        "\"q\":\"1\"}",
	        "{\"e\":\"24hrTicker\",\"E\":1,\"s\":\"JUNKUSDT\",\"c\":\"1\",\"v\":\"1\","
	        "\"q\":\"1e308\"}",
	        /* trades and book tops */
	        "{\"e\":\"aggTrade\",\"E\":1,\"s\":\"BTCUSDT\",\"a\":1,\"p\":\"-1\",\"q\":\"1\","
	        "\"T\":1,\"m\":true}",
	        "{\"e\":\"trade\",\"E\":1,\"s\":\"BTCUSDT\",\"t\":1,\"p\":\"1\",\"q\":\"1e300\","
	        "\"T\":1,\"m\":true,\"X\":\"MARKET\"}",
	        "{\"e\":\"bookTicker\",\"u\":1,\"s\":\"BTCUSDT\",\"b\":\"0\",\"B\":\"1\","
	        "\"a\":\"1\",\"A\":\"1\"}",
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		if (ws(bad[i], ev, 4) != -1)
			fail_msg("accepted: %s", bad[i]);
	/* a 100 KB message on a single-symbol stream is refused unread; on an all-market
	 * stream it is read */
	size_t big = 100000;
	char *m = malloc(big + 200);
	for (int all = 0; all < 2; all++) {
		int k = sprintf(
		        m,
		        "{\"stream\":\"%s\",\"data\":{\"e\":\"markPriceUpdate\",\"s\":"
		        "\"BTCUSDT\",\"p\":\"1\",\"i\":\"1\",\"r\":\"0\",\"T\":1,\"pad\":\"",
		        all ? "!markPrice@arr" : "btcusdt@markPrice");
		memset(m + k, 'x', big);
		strcpy(m + k + big, "\"}}");
		assert_int_equal(ws(m, ev, 4), all ? 1 : -1);
	}
	free(m);
	/* REST: the same bounds */
	char why[256];
	long badn;
	BinanceTicker *t;
	const char *tick = "[{\"symbol\":\"JUNKUSDT\",\"lastPrice\":\"1\",\"priceChangePercent\":"
	                   "\"0\",\"volume\":\"1\",\"quoteVolume\":\"1e308\",\"count\":1,"
	                   "\"closeTime\":1},{\"symbol\":\"BTCUSDT\",\"lastPrice\":\"-5\","
	                   "\"priceChangePercent\":\"0\",\"volume\":\"1\",\"quoteVolume\":\"1\","
	                   "\"count\":1,\"closeTime\":1},{\"symbol\":\"ETHUSDT\",\"lastPrice\":"
	                   "\"3000\",\"priceChangePercent\":\"1.5\",\"volume\":\"10\","
	                   "\"quoteVolume\":\"30000\",\"count\":1,\"closeTime\":1}]";
	assert_int_equal(binance_parse_tickers(tick, strlen(tick), &t, &badn, why, sizeof why), 1);
	assert_int_equal(badn, 2);
	assert_string_equal(t[0].symbol, "ETHUSDT");
	free(t);
	Event *tr;
	const char *trades = "[{\"id\":1,\"price\":\"-1\",\"qty\":\"1\",\"time\":1,"
	                     "\"isBuyerMaker\":true},{\"id\":2,\"price\":\"10\",\"qty\":\"2\","
	                     "\"time\":2,\"isBuyerMaker\":false}]";
	assert_int_equal(binance_parse_trades(trades, strlen(trades), "BTCUSDT", 0, &tr, &badn, why,
	                                      sizeof why),
	                 1);
	assert_int_equal(badn, 1);
	assert_true(tr[0].u.trade.id == 2 && tr[0].u.trade.qty == 2 &&
	            !tr[0].u.trade.buyer_is_maker);
	free(tr);
}

static void test_shared_samples(void **state)
{
	(void)state;
	char *probe = read_sample("ws_aggTrade.json");
	if (!probe) {
		skip(); /* the real samples are not beside this checkout */
		return;
	}
	free(probe);
	Event ev[16];
	const char *one[] = {"ws_aggTrade.json", "ws_bookTicker.json", "ws_forceOrder.json",
	                     "ws_markPrice.json"};
	for (size_t i = 0; i < sizeof one / sizeof *one; i++) {
		char *t = read_sample(one[i]);
		assert_non_null(t);
		if (ws(t, ev, 16) != 1) {
			print_error("%s did not parse to one event\n", one[i]);
			fail();
		}
		free(t);
	}
	char *t = read_sample("ws_markPrice_arr.json");
	assert_true(ws(t, ev, 16) >= 1);
	free(t);
	t = read_sample("ws_ticker_arr.json");
	assert_true(ws(t, ev, 16) >= 1);
	assert_int_equal(ev[0].type, EV_TICKER_24H);
	free(t);
	t = read_sample("rest_ticker24hr.json");
	BinanceTicker *tk;
	long bad;
	char why[256];
	assert_int_equal(binance_parse_tickers(t, strlen(t), &tk, &bad, why, sizeof why), 1);
	assert_true(tk[0].quote_volume == 15.3);
	free(tk);
	free(t);
	t = read_sample("rest_exchangeInfo.json");
	BinanceSymbol *s;
	assert_true(binance_parse_exchange_info(t, strlen(t), &s, &bad, why, sizeof why) >= 1);
	free(s);
	free(t);
	t = read_sample("rest_fundingRate.json");
	FundingRate *f;
	assert_true(binance_parse_funding(t, strlen(t), "binance", &f, &bad, why, sizeof why) >= 1);
	free(f);
	free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_ws_kline),       cmocka_unit_test(test_ws_streams),
	        cmocka_unit_test(test_ws_malformed),   cmocka_unit_test(test_rest),
	        cmocka_unit_test(test_shared_samples), cmocka_unit_test(test_out_of_range),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
