/* libFuzzer: Bybit V5 payloads. Any bytes through every Bybit parser (the public stream with a
 * parser whose merged ticker and book state lives on from input to input, klines, instruments,
 * tickers, funding, open interest, account ratio, server time, error bodies): never a crash,
 * and every event or record that comes out has a valid symbol, sane numbers and a plausible
 * time; messages passed on hold no control characters. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "feed/bybit.h"

/* Unlike assert(), never compiled out. */
#define CHECK(x) ((x) ? (void)0 : abort())

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

static BybitParser *parser;

static int time_ok(int64_t t, int64_t now)
{
	return t >= 1483228800000LL && t <= now + 86400000LL;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	const char *text = (const char *)data;
	const int64_t now = 1709202900000LL;
	char why[256];
	Event ev[32];
	if (!parser)
		parser = bybit_parser_new();
	if (size && data[0] == 'R') /* now and then, a new connection */
		bybit_parser_reset(parser);
	int n = bybit_parse_ws(parser, text, size, "bybit", now, ev, 32, why, sizeof why);
	CHECK(n >= -1 && n <= 32);
	if (n < 0)
		for (const char *p = why; *p; p++)
			CHECK((unsigned char)*p >= 0x20 && *p != 0x7f);
	for (int i = 0; i < n; i++) {
		CHECK(records_symbol_valid(ev[i].symbol));
		if (ev[i].type == EV_CANDLE)
			CHECK(ev[i].u.candle.high >= ev[i].u.candle.low && ev[i].u.candle.low > 0);
		if (ev[i].type == EV_MARK)
			CHECK(ev[i].u.mark.mark > 0 && ev[i].u.mark.index > 0 &&
			      fabs(ev[i].u.mark.funding_rate) <= 1);
		if (ev[i].type == EV_BOOK_TOP)
			CHECK(ev[i].u.book.bid > 0 && ev[i].u.book.ask > 0);
		if (ev[i].type == EV_LIQUIDATION)
			CHECK(strcmp(ev[i].u.liq.side, "BUY") == 0 ||
			      strcmp(ev[i].u.liq.side, "SELL") == 0);
	}
	long bad, k;
	Candle *c;
	k = bybit_parse_klines(text, size, "bybit", "BTCUSDT", "1m", now, &c, &bad, why,
	                       sizeof why);
	for (long i = 0; i < k; i++) {
		CHECK(c[i].high >= c[i].low && c[i].close_time == c[i].open_time + 59999);
		CHECK(i == 0 || c[i].open_time >= c[i - 1].open_time); /* ascending */
	}
	free(c);
	BybitInstrument *in;
	char cursor[128];
	k = bybit_parse_instruments(text, size, &in, cursor, sizeof cursor, &bad, why, sizeof why);
	for (long i = 0; i < k; i++)
		CHECK(records_symbol_valid(in[i].symbol) && in[i].tick_size > 0);
	for (const char *p = cursor; *p; p++)
		CHECK(*p != '&' && *p != '?' && (unsigned char)*p > 0x20);
	free(in);
	BybitTicker *t;
	int64_t at;
	k = bybit_parse_tickers(text, size, now, &at, &t, &bad, why, sizeof why);
	CHECK(at == 0 || time_ok(at, now));
	free(t);
	FundingRate *f;
	k = bybit_parse_funding(text, size, "bybit", &f, &bad, why, sizeof why);
	for (long i = 1; i < k; i++)
		CHECK(f[i].funding_time >= f[i - 1].funding_time);
	free(f);
	double v[8];
	int64_t ts[8];
	int both;
	k = bybit_parse_open_interest(text, size, now, v, ts, 8, &both, cursor, sizeof cursor, &bad,
	                              why, sizeof why);
	CHECK(k >= -1 && k <= 8);
	for (long i = 0; i < k; i++)
		CHECK(v[i] >= 0 && time_ok(ts[i], now) && (i == 0 || ts[i] >= ts[i - 1]));
	k = bybit_parse_account_ratio(text, size, now, v, ts, 8, &bad, why, sizeof why);
	CHECK(k >= -1 && k <= 8);
	for (long i = 0; i < k; i++)
		CHECK(v[i] >= 0 && isfinite(v[i]) && time_ok(ts[i], now));
	int64_t st = bybit_parse_server_time(text, size, now, why, sizeof why);
	CHECK(st == -1 || time_ok(st, now));
	char msg[128];
	int e = bybit_body_error(text, size, msg, sizeof msg);
	CHECK(e >= 0 && e <= 2);
	for (char *p = msg; *p; p++)
		CHECK((unsigned char)*p >= 0x20 && *p != 0x7f);
	return 0;
}
