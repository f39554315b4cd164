/* Binance USDⓈ-M futures behind the exchange interface: the /fapi and /futures/data
 * endpoints, the routed combined streams (/public for book streams, /market for the rest) and
 * binance.c's parsers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"
#include "feed/binance.h"
#include "feed/exchange.h"

static int get(RestClient *rc, const char *path, int weight, char **body, size_t *len, char *err,
               size_t errlen)
{
	return rest_get(rc, path, weight, body, len, err, errlen);
}

static long bn_instruments(RestClient *rc, UniverseEntry **out, long *bad, char *err, size_t errlen)
{
	char *body = NULL, why[256];
	size_t len;
	BinanceSymbol *syms = NULL;
	BinanceTicker *tick = NULL;
	long b1 = 0, b2 = 0;
	*bad = 0;
	if (get(rc, "/fapi/v1/exchangeInfo", 1, &body, &len, err, errlen))
		return -1;
	long nsym = binance_parse_exchange_info(body, len, &syms, &b1, why, sizeof why);
	free(body);
	if (nsym < 0) {
		snprintf(err, errlen, "exchangeInfo: %s", why);
		return -1;
	}
	if (get(rc, "/fapi/v1/ticker/24hr", 40, &body, &len, err, errlen)) {
		free(syms);
		return -1;
	}
	long ntick = binance_parse_tickers(body, len, &tick, &b2, why, sizeof why);
	free(body);
	if (ntick < 0) {
		snprintf(err, errlen, "ticker/24hr: %s", why);
		free(syms);
		return -1;
	}
	*bad = b1 + b2;
	if (b1)
		log_warn("universe", "exchangeInfo: %ld malformed symbols skipped", b1);
	if (b2)
		log_warn("universe", "ticker/24hr: %ld malformed tickers skipped", b2);
	UniverseEntry *v = xcalloc((size_t)(nsym ? nsym : 1), sizeof *v);
	long n = 0;
	for (long i = 0; i < nsym; i++) {
		const BinanceSymbol *s = &syms[i];
		if (!s->perpetual || !s->trading || strcmp(s->quote, "USDT") != 0)
			continue;
		for (long j = 0; j < ntick; j++)
			if (strcmp(tick[j].symbol, s->symbol) == 0) {
				UniverseEntry *u = &v[n++];
				memcpy(u->symbol, s->symbol, sizeof u->symbol);
				snprintf(u->base, sizeof u->base, "%s", s->base);
				snprintf(u->quote, sizeof u->quote, "%s", s->quote);
				u->quote_volume = tick[j].quote_volume;
				u->tick_size = s->tick_size;
				u->step_size = s->step_size;
				u->last = tick[j].last;
				u->change_pct = tick[j].change_pct;
				u->trades = tick[j].trades;
				u->close_time = tick[j].close_time;
				break;
			}
	}
	free(syms);
	free(tick);
	*out = v;
	return n;
}

static int64_t bn_server_time(RestClient *rc, char *err, size_t errlen)
{
	char *body, why[128];
	size_t len;
	if (get(rc, "/fapi/v1/time", 1, &body, &len, err, errlen))
		return -1;
	int64_t v = binance_parse_server_time(body, len, fb_now_ms(), why, sizeof why);
	free(body);
	if (v < 0)
		snprintf(err, errlen, "/fapi/v1/time: %s", why);
	return v;
}

static long bn_klines(RestClient *rc, const char *label, const char *symbol, const char *interval,
                      int64_t from, int64_t to, int limit, int64_t now, Candle **out, long *bad,
                      char *err, size_t errlen)
{
	char path[256], *body, why[256];
	size_t len;
	int weight = limit < 100 ? 1 : limit < 500 ? 2 : 5;
	int64_t ivl = fb_interval_ms(interval);
	snprintf(path, sizeof path,
	         "/fapi/v1/klines?symbol=%s&interval=%s&startTime=%lld&endTime=%lld&limit=%d",
	         symbol, interval, (long long)from, (long long)(to + (ivl > 0 ? ivl : 1) - 1),
	         limit);
	if (get(rc, path, weight, &body, &len, err, errlen))
		return -1;
	long n = binance_parse_klines(body, len, label, symbol, interval, now, out, bad, why,
	                              sizeof why);
	free(body);
	if (n < 0) {
		snprintf(err, errlen, "%s: %s", path, why);
		return -2;
	}
	return n;
}

static long bn_price_klines(RestClient *rc, const char *label, const char *symbol, int index,
                            int64_t from, int limit, int64_t now, Candle **out, long *bad,
                            char *err, size_t errlen)
{
	char path[256], *body, why[256];
	size_t len;
	snprintf(path, sizeof path, "/fapi/v1/%s?%s=%s&interval=1m&startTime=%lld&limit=%d",
	         index ? "indexPriceKlines" : "markPriceKlines", index ? "pair" : "symbol", symbol,
	         (long long)from, limit);
	if (get(rc, path, 5, &body, &len, err, errlen))
		return -1;
	long n = binance_parse_klines(body, len, label, symbol, "1m", now, out, bad, why,
	                              sizeof why);
	free(body);
	if (n < 0) {
		snprintf(err, errlen, "%s: %s", path, why);
		return -2;
	}
	return n;
}

static int bn_open_interest(RestClient *rc, const char *symbol, int64_t now, double *contracts,
                            int64_t *ts, int *sides, char *err, size_t errlen)
{
	*sides = 1; /* Binance counts one side */
	char path[128], *body;
	size_t len;
	snprintf(path, sizeof path, "/fapi/v1/openInterest?symbol=%s", symbol);
	if (get(rc, path, 1, &body, &len, err, errlen))
		return -1;
	int rc2 = binance_parse_open_interest(body, len, now, contracts, ts);
	free(body);
	if (rc2) {
		snprintf(err, errlen, "openInterest: malformed or out-of-range answer");
		return -2;
	}
	return 0;
}

static const struct {
	MetricId metric;
	const char *path, *field;
	double max;
} bn_series[] = {
        {MET_LS_GLOBAL, "/futures/data/globalLongShortAccountRatio", "longShortRatio", 1e6},
        {MET_LS_TOP_ACCOUNTS, "/futures/data/topLongShortAccountRatio", "longShortRatio", 1e6},
        {MET_LS_TOP_POSITIONS, "/futures/data/topLongShortPositionRatio", "longShortRatio", 1e6},
        {MET_TAKER_RATIO, "/futures/data/takerlongshortRatio", "buySellRatio", 1e6},
        {MET_OI_VALUE, "/futures/data/openInterestHist", "sumOpenInterestValue", 1e14},
};
static const MetricId bn_metrics[] = {MET_LS_GLOBAL, MET_LS_TOP_ACCOUNTS, MET_LS_TOP_POSITIONS,
                                      MET_TAKER_RATIO, MET_OI_VALUE};

static long bn_metric_history(RestClient *rc, const char *symbol, MetricId metric, long limit,
                              int64_t now, double *v, int64_t *ts, long cap, long *bad, int *sides,
                              char *err, size_t errlen)
{
	*sides = 0;
	size_t i = 0;
	while (i < sizeof bn_series / sizeof *bn_series && bn_series[i].metric != metric)
		i++;
	if (i == sizeof bn_series / sizeof *bn_series) {
		snprintf(err, errlen, "%s: not served by binance", metric_name(metric));
		return -1;
	}
	char path[256], *body;
	size_t len;
	snprintf(path, sizeof path, "%s?symbol=%s&period=5m&limit=%ld", bn_series[i].path, symbol,
	         limit);
	if (get(rc, path, 1, &body, &len, err, errlen))
		return -1;
	long n = binance_parse_ratios(body, len, bn_series[i].field, bn_series[i].max, now, v, ts,
	                              cap, bad);
	free(body);
	if (n < 0) {
		snprintf(err, errlen, "%s: not a list", bn_series[i].path);
		return -2;
	}
	return n;
}

static long bn_funding(RestClient *rc, const char *label, const char *symbol, int64_t since,
                       FundingRate **out, long *bad, char *err, size_t errlen)
{
	char path[160], *body, why[256];
	size_t len;
	if (since > 0)
		snprintf(path, sizeof path,
		         "/fapi/v1/fundingRate?symbol=%s&startTime=%lld&limit=1000", symbol,
		         (long long)since + 1);
	else
		snprintf(path, sizeof path, "/fapi/v1/fundingRate?symbol=%s&limit=10", symbol);
	if (get(rc, path, 1, &body, &len, err, errlen))
		return -1;
	long n = binance_parse_funding(body, len, label, out, bad, why, sizeof why);
	free(body);
	if (n < 0) {
		snprintf(err, errlen, "fundingRate: %s", why);
		return -2;
	}
	return n;
}

static long bn_trades_after(RestClient *rc, const char *symbol, int agg, int64_t after, Event **out,
                            long *bad, char *err, size_t errlen)
{
	char path[160], *body, why[256];
	size_t len;
	if (agg)
		snprintf(path, sizeof path, "/fapi/v1/aggTrades?symbol=%s&fromId=%lld&limit=1000",
		         symbol, (long long)after + 1);
	else /* older raw trades need an API key: the latest 1,000 */
		snprintf(path, sizeof path, "/fapi/v1/trades?symbol=%s&limit=1000", symbol);
	if (get(rc, path, agg ? 20 : 5, &body, &len, err, errlen))
		return -1;
	long n = binance_parse_trades(body, len, symbol, agg, out, bad, why, sizeof why);
	free(body);
	if (n < 0) {
		snprintf(err, errlen, "%s: %s", path, why);
		return -2;
	}
	return n;
}

static int bn_premium(RestClient *rc, char *err, size_t errlen)
{
	char *body;
	size_t len;
	if (get(rc, "/fapi/v1/premiumIndex", 10, &body, &len, err, errlen))
		return -1;
	free(body);
	return 0;
}

static int bn_body_error(const char *body, size_t len, char *msg, size_t msglen)
{
	binance_parse_error(body, len, msg, msglen);
	return 0; /* the status says whether it is one */
}

/* WebSocket */

static int bn_symbol_streams(const char *symbol, const char (*intervals)[8], int nintervals,
                             int raw_trades, char **out)
{
	char lower[FB_SYMBOL_LEN];
	int n = 0;
	for (int k = 0; k < FB_SYMBOL_LEN; k++)
		lower[k] = (char)(symbol[k] >= 'A' && symbol[k] <= 'Z' ? symbol[k] - 'A' + 'a'
		                                                       : symbol[k]);
	for (int j = 0; j < nintervals; j++)
		out[n++] = xasprintf("%s@kline_%s", lower, intervals[j]);
	out[n++] = xasprintf("%s@markPrice@1s", lower);
	out[n++] = xasprintf("%s@%s", lower, raw_trades ? "trade" : "aggTrade");
	out[n++] = xasprintf("%s@forceOrder", lower);
	out[n++] = xasprintf("%s@bookTicker", lower);
	return n;
}

static int bn_stream_info(const char *name, StreamInfo *out)
{
	memset(out, 0, sizeof *out);
	const char *at = strchr(name, '@');
	if (!at || at == name || (size_t)(at - name) >= FB_SYMBOL_LEN)
		return -1;
	for (size_t j = 0; j < (size_t)(at - name); j++)
		out->symbol[j] =
		        (char)(name[j] >= 'a' && name[j] <= 'z' ? name[j] - 'a' + 'A' : name[j]);
	const char *k = at + 1;
	if (strncmp(k, "kline_", 6) == 0) {
		if (strlen(k + 6) >= sizeof out->interval)
			return -1;
		out->kind = STREAM_KLINE;
		snprintf(out->interval, sizeof out->interval, "%s", k + 6);
	} else if (strcmp(k, "trade") == 0 || strcmp(k, "aggTrade") == 0)
		out->kind = STREAM_TRADES;
	else if (strncmp(k, "markPrice", 9) == 0)
		out->kind = STREAM_MARK;
	else if (strcmp(k, "bookTicker") == 0 || strncmp(k, "depth", 5) == 0)
		out->kind = STREAM_BOOK;
	else if (strcmp(k, "forceOrder") == 0)
		out->kind = STREAM_LIQUIDATIONS;
	else if (strcmp(k, "ticker") == 0)
		out->kind = STREAM_TICKER;
	else
		out->kind = STREAM_OTHER;
	return 0;
}

static int bn_stream_route(const char *name)
{
	return strstr(name, "@bookTicker") || strstr(name, "@depth") ||
	       strcmp(name, "!bookTicker") == 0;
}

static int bn_sub_message(char *buf, size_t cap, int subscribe, const char *const *names, int n,
                          int id)
{
	size_t k = (size_t)snprintf(buf, cap, "{\"method\":\"%s\",\"params\":[",
	                            subscribe ? "SUBSCRIBE" : "UNSUBSCRIBE");
	for (int i = 0; i < n && k < cap; i++)
		k += (size_t)snprintf(buf + k, cap - k, "%s\"%s\"", i ? "," : "", names[i]);
	if (k < cap)
		k += (size_t)snprintf(buf + k, cap - k, "],\"id\":%d}", id);
	return k < cap ? (int)k : -1;
}

/* {"stream":"btcusdt@kline_1m",...}: the name, from the first bytes */
static const char *bn_message_stream(const char *msg, size_t len, size_t *n)
{
	static const char key[] = "{\"stream\":\"";
	if (len < sizeof key || memcmp(msg, key, sizeof key - 1) != 0)
		return NULL;
	const char *name = msg + sizeof key - 1;
	const char *end = memchr(name, '"', len - (sizeof key - 1));
	if (!end)
		return NULL;
	*n = (size_t)(end - name);
	return name;
}

static void *bn_parser_new(void)
{
	return NULL; /* Binance's messages stand alone */
}
static void bn_parser_free(void *p)
{
	(void)p;
}
static void bn_parser_reset(void *p)
{
	(void)p;
}

static int bn_parse(void *p, const char *msg, size_t len, const char *label, int64_t now,
                    Event *out, int max, char *why, size_t whylen)
{
	(void)p;
	return binance_parse_ws(msg, len, label, now, out, max, why, whylen);
}

const Exchange exchange_binance = {
        .name = "binance",
        .rest_url = "https://fapi.binance.com",
        .ws_url = "wss://fstream.binance.com",
        .limits = {2400, FB_MINUTE_MS, 418, 2 * FB_MINUTE_MS, 1, FB_MINUTE_MS},
        .instruments = bn_instruments,
        .server_time = bn_server_time,
        .kline_page = 1000,
        .klines = bn_klines,
        .price_klines = bn_price_klines,
        .open_interest = bn_open_interest,
        .metrics = bn_metrics,
        .nmetrics = (int)(sizeof bn_metrics / sizeof *bn_metrics),
        .metric_rows = 500,
        .metric_history = bn_metric_history,
        .funding = bn_funding,
        .trades_after = bn_trades_after,
        .premium = bn_premium,
        .body_error = bn_body_error,
        .symbol_streams = bn_symbol_streams,
        .stream_info = bn_stream_info,
        .stream_route = bn_stream_route,
        .routes = {"/market/stream", "/public/stream"},
        .url_streams = 20,
        .max_streams = 200,
        .sub_batch = 50,
        .sub_message = bn_sub_message,
        .ping = NULL,
        .ping_s = 0,
        .message_stream = bn_message_stream,
        .parser_new = bn_parser_new,
        .parser_free = bn_parser_free,
        .parser_reset = bn_parser_reset,
        .parse = bn_parse,
};

const Exchange *exchange_find(const char *name)
{
	if (!name)
		return NULL;
	if (strcmp(name, "binance") == 0)
		return &exchange_binance;
	if (strcmp(name, "bybit") == 0)
		return &exchange_bybit;
	return NULL;
}
