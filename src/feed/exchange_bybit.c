/* Bybit V5 linear perpetuals behind the exchange interface: the /v5/market endpoints
 * (newest-first lists turned around by bybit.c), the one public linear WebSocket route with
 * {"op":"subscribe"} messages of at most 10 topics and {"op":"ping"} every 20 s, and the
 * limits of 600 requests per 5 s per IP with a 403 ban of at least 10 minutes. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"
#include "feed/bybit.h"
#include "feed/exchange.h"

#define BYBIT_PAGES_MAX 20 /* instruments: 1,000 a page; over 500 exist */

/* Every linear USDT perpetual of instruments-info, page by page: the count (*out allocated),
 * or -1 / -2 with err. */
static long instrument_list(RestClient *rc, BybitInstrument **out, long *bad, char *err,
                            size_t errlen)
{
	char path[512], cursor[256] = "", why[256], *body;
	size_t len;
	BybitInstrument *all = NULL;
	long nall = 0;
	*bad = 0;
	for (int page = 0; page < BYBIT_PAGES_MAX; page++) {
		snprintf(path, sizeof path,
		         "/v5/market/instruments-info?category=linear&limit=1000%s%s",
		         cursor[0] ? "&cursor=" : "", cursor);
		if (rest_get(rc, path, 1, &body, &len, err, errlen)) {
			free(all);
			return -1;
		}
		BybitInstrument *v;
		long b = 0;
		long n = bybit_parse_instruments(body, len, &v, cursor, sizeof cursor, &b, why,
		                                 sizeof why);
		free(body);
		if (n < 0) {
			snprintf(err, errlen, "instruments-info: %s", why);
			free(all);
			return -2;
		}
		*bad += b;
		if (b)
			log_warn("universe", "instruments-info: %ld malformed instruments skipped",
			         b);
		all = xrealloc(all, (size_t)(nall + n + 1) * sizeof *all);
		memcpy(all + nall, v, (size_t)n * sizeof *v);
		nall += n;
		free(v);
		if (!cursor[0])
			break;
	}
	*out = all;
	return nall;
}

/* The funding period of every perpetual, from instruments-info alone. */
static long by_funding_periods(RestClient *rc, UniverseEntry **out, long *bad, char *err,
                               size_t errlen)
{
	BybitInstrument *all;
	long n = instrument_list(rc, &all, bad, err, errlen);
	if (n < 0)
		return n;
	UniverseEntry *v = xcalloc((size_t)n + 1, sizeof *v);
	for (long i = 0; i < n; i++) {
		memcpy(v[i].symbol, all[i].symbol, sizeof v[i].symbol);
		v[i].funding_interval_min = all[i].funding_interval_min;
		v[i].quote_volume = v[i].last = v[i].change_pct = v[i].tick_size = NAN;
	}
	free(all);
	*out = v;
	return n;
}

static long by_instruments(RestClient *rc, UniverseEntry **out, long *bad, char *err, size_t errlen)
{
	char why[256], *body;
	size_t len;
	BybitInstrument *all;
	long nall = instrument_list(rc, &all, bad, err, errlen);
	if (nall < 0)
		return nall;
	if (rest_get(rc, "/v5/market/tickers?category=linear", 1, &body, &len, err, errlen)) {
		free(all);
		return -1;
	}
	BybitTicker *tick;
	long b = 0;
	int64_t now = fb_now_ms(), at;
	long ntick = bybit_parse_tickers(body, len, now, &at, &tick, &b, why, sizeof why);
	free(body);
	if (ntick < 0) {
		snprintf(err, errlen, "tickers: %s", why);
		free(all);
		return -2;
	}
	*bad += b;
	if (b)
		log_warn("universe", "tickers: %ld malformed tickers skipped", b);
	UniverseEntry *v = xcalloc((size_t)nall + 1, sizeof *v);
	long n = 0;
	if (at > 0)
		now = at; /* the tickers' time in the exchange's clock, else this machine's */
	for (long i = 0; i < nall; i++)
		for (long j = 0; j < ntick; j++)
			if (strcmp(tick[j].symbol, all[i].symbol) == 0) {
				UniverseEntry *u = &v[n++];
				memcpy(u->symbol, all[i].symbol, sizeof u->symbol);
				memcpy(u->base, all[i].base, sizeof u->base);
				memcpy(u->quote, all[i].quote, sizeof u->quote);
				u->quote_volume = tick[j].turnover;
				u->tick_size = all[i].tick_size;
				u->step_size = all[i].step_size;
				u->last = tick[j].last;
				u->change_pct = tick[j].change_pct;
				u->trades = -1; /* Bybit's tickers count none */
				u->close_time = now;
				u->funding_interval_min = all[i].funding_interval_min;
				break;
			}
	free(all);
	free(tick);
	*out = v;
	return n;
}

static int64_t by_server_time(RestClient *rc, char *err, size_t errlen)
{
	char *body, why[160];
	size_t len;
	if (rest_get(rc, "/v5/market/time", 1, &body, &len, err, errlen))
		return -1;
	int64_t v = bybit_parse_server_time(body, len, fb_now_ms(), why, sizeof why);
	free(body);
	if (v < 0)
		snprintf(err, errlen, "/v5/market/time: %s", why);
	return v;
}

static long kline_get(RestClient *rc, const char *path, const char *label, const char *symbol,
                      const char *interval, int64_t now, Candle **out, long *bad, char *err,
                      size_t errlen)
{
	char *body, why[256];
	size_t len;
	*out = NULL;
	if (rest_get(rc, path, 1, &body, &len, err, errlen))
		return -1;
	long n = bybit_parse_klines(body, len, label, symbol, interval, now, out, bad, why,
	                            sizeof why);
	free(body);
	if (n < 0) {
		snprintf(err, errlen, "%s: %s", path, why);
		return -2;
	}
	return n;
}

static long by_klines(RestClient *rc, const char *label, const char *symbol, const char *interval,
                      int64_t from, int64_t to, int limit, int64_t now, Candle **out, long *bad,
                      char *err, size_t errlen)
{
	const char *iv = bybit_interval(interval);
	int64_t ivl = fb_interval_ms(interval);
	if (!iv || ivl <= 0) {
		snprintf(err, errlen, "bybit has no %s candles", interval);
		return -1;
	}
	char path[256];
	/* newest first up to limit: the window holds no more than limit, so none is cut */
	snprintf(path, sizeof path,
	         "/v5/market/kline?category=linear&symbol=%s&interval=%s&start=%lld&end=%lld"
	         "&limit=%d",
	         symbol, iv, (long long)from, (long long)(to + ivl - 1), limit);
	return kline_get(rc, path, label, symbol, interval, now, out, bad, err, errlen);
}

static long by_price_klines(RestClient *rc, const char *label, const char *symbol, int index,
                            int64_t from, int limit, int64_t now, Candle **out, long *bad,
                            char *err, size_t errlen)
{
	char path[256];
	int64_t end = from + (int64_t)limit * FB_MINUTE_MS - 1;
	snprintf(path, sizeof path,
	         "/v5/market/%s?category=linear&symbol=%s&interval=1&start=%lld&end=%lld&limit=%d",
	         index ? "index-price-kline" : "mark-price-kline", symbol, (long long)from,
	         (long long)end, limit);
	return kline_get(rc, path, label, symbol, "1m", now, out, bad, err, errlen);
}

/* The open-interest history's newest limit 5-minute points, one side, ascending. */
static long oi_history(RestClient *rc, const char *symbol, long limit, int64_t now, double *v,
                       int64_t *ts, long cap, long *bad, int *sides, char *err, size_t errlen)
{
	char path[256], *body, why[256], cursor[8];
	size_t len;
	if (limit > 200)
		limit = 200;
	snprintf(path, sizeof path,
	         "/v5/market/open-interest?category=linear&symbol=%s&intervalTime=5min&limit=%ld",
	         symbol, limit);
	if (rest_get(rc, path, 1, &body, &len, err, errlen))
		return -1;
	int both = 0;
	long n = bybit_parse_open_interest(body, len, now, v, ts, cap, &both, cursor, sizeof cursor,
	                                   bad, why, sizeof why);
	free(body);
	if (n < 0) {
		snprintf(err, errlen, "open-interest: %s", why);
		return -2;
	}
	*sides = both ? 2 : 1; /* stored beside the rows: how the exchange counted them */
	return n;
}

static int by_open_interest(RestClient *rc, const char *symbol, int64_t now, double *contracts,
                            int64_t *ts, int *sides, char *err, size_t errlen)
{
	double v[2];
	int64_t t[2];
	long bad = 0;
	long n = oi_history(rc, symbol, 1, now, v, t, 2, &bad, sides, err, errlen);
	if (n < 0)
		return (int)n;
	if (n == 0) {
		snprintf(err, errlen, "open-interest: no point in the answer");
		return -2;
	}
	*contracts = v[n - 1];
	*ts = t[n - 1];
	return 0;
}

static const MetricId by_metrics[] = {MET_OPEN_INTEREST, MET_LS_GLOBAL};

static long by_metric_history(RestClient *rc, const char *symbol, MetricId metric, long limit,
                              int64_t now, double *v, int64_t *ts, long cap, long *bad, int *sides,
                              char *err, size_t errlen)
{
	*bad = 0;
	*sides = 0;
	if (metric == MET_OPEN_INTEREST)
		return oi_history(rc, symbol, limit, now, v, ts, cap, bad, sides, err, errlen);
	if (metric != MET_LS_GLOBAL) {
		snprintf(err, errlen, "%s: not served by bybit", metric_name(metric));
		return -1;
	}
	char path[256], *body, why[256];
	size_t len;
	snprintf(path, sizeof path,
	         "/v5/market/account-ratio?category=linear&symbol=%s&period=5min&limit=%ld", symbol,
	         limit > 500 ? 500 : limit);
	if (rest_get(rc, path, 1, &body, &len, err, errlen))
		return -1;
	long n = bybit_parse_account_ratio(body, len, now, v, ts, cap, bad, why, sizeof why);
	free(body);
	if (n < 0) {
		snprintf(err, errlen, "account-ratio: %s", why);
		return -2;
	}
	return n;
}

/* newest first, 200 a page, paged back with endTime until since is reached */
static long by_funding(RestClient *rc, const char *label, const char *symbol, int64_t since,
                       FundingRate **out, long *bad, char *err, size_t errlen)
{
	FundingRate *all = NULL;
	long nall = 0;
	int64_t end = 0;
	*bad = 0;
	*out = NULL;
	for (int page = 0; page < (since > 0 ? 10 : 1); page++) {
		char path[256], *body, why[256];
		size_t len;
		int n0 = snprintf(path, sizeof path,
		                  "/v5/market/funding/history?category=linear&symbol=%s&limit=%d",
		                  symbol, since > 0 ? 200 : 10);
		if (end > 0)
			snprintf(path + n0, sizeof path - (size_t)n0, "&endTime=%lld",
			         (long long)end);
		if (rest_get(rc, path, 1, &body, &len, err, errlen)) {
			free(all);
			return -1;
		}
		FundingRate *f;
		long b = 0;
		long n = bybit_parse_funding(body, len, label, &f, &b, why, sizeof why);
		free(body);
		if (n < 0) {
			snprintf(err, errlen, "funding/history: %s", why);
			free(all);
			return -2;
		}
		*bad += b;
		if (b)
			log_warn("universe", "instruments-info: %ld malformed instruments skipped",
			         b);
		all = xrealloc(all, (size_t)(nall + n + 1) * sizeof *all);
		long k = 0;
		for (long i = 0; i < n; i++) /* ascending already; only the new ones */
			if (f[i].funding_time > since && (end == 0 || f[i].funding_time <= end))
				f[k++] = f[i];
		/* the older page goes before what is kept */
		memmove(all + k, all, (size_t)nall * sizeof *all);
		memcpy(all, f, (size_t)k * sizeof *f);
		nall += k;
		int more = n == 200 && k == n && f[0].funding_time > since;
		end = n ? f[0].funding_time - 1 : 0;
		free(f);
		if (!more || since <= 0)
			break;
	}
	*out = all ? all : xcalloc(1, sizeof *all);
	return nall;
}

static int by_premium(RestClient *rc, char *err, size_t errlen)
{
	char *body;
	size_t len;
	if (rest_get(rc, "/v5/market/tickers?category=linear", 1, &body, &len, err, errlen))
		return -1;
	free(body);
	return 0;
}

/* WebSocket */

static int by_symbol_streams(const char *symbol, const char (*ivs)[8], int nintervals,
                             int raw_trades, char **out)
{
	(void)raw_trades; /* publicTrade is every trade */
	int n = 0;
	for (int j = 0; j < nintervals; j++) {
		const char *iv = bybit_interval(ivs[j]);
		if (iv)
			out[n++] = xasprintf("kline.%s.%s", iv, symbol);
	}
	out[n++] = xasprintf("tickers.%s", symbol);
	out[n++] = xasprintf("publicTrade.%s", symbol);
	out[n++] = xasprintf("allLiquidation.%s", symbol);
	out[n++] = xasprintf("orderbook.1.%s", symbol);
	return n;
}

static int by_stream_info(const char *name, StreamInfo *out)
{
	memset(out, 0, sizeof *out);
	const char *d1 = strchr(name, '.');
	if (!d1)
		return -1;
	const char *sym = strrchr(name, '.') + 1;
	if (strlen(sym) >= FB_SYMBOL_LEN || !records_symbol_valid(sym))
		return -1;
	memcpy(out->symbol, sym, strlen(sym) + 1);
	size_t kl = (size_t)(d1 - name);
	if (kl == 5 && strncmp(name, "kline", 5) == 0) {
		char iv[8];
		size_t il = (size_t)(sym - 1 - (d1 + 1));
		if (il == 0 || il >= sizeof iv)
			return -1;
		memcpy(iv, d1 + 1, il);
		iv[il] = '\0';
		const char *ours = bybit_interval_ours(iv);
		if (!ours)
			return -1;
		out->kind = STREAM_KLINE;
		snprintf(out->interval, sizeof out->interval, "%s", ours);
	} else if (kl == 11 && strncmp(name, "publicTrade", 11) == 0)
		out->kind = STREAM_TRADES;
	else if (kl == 7 && strncmp(name, "tickers", 7) == 0)
		out->kind = STREAM_MARK;
	else if (kl == 9 && strncmp(name, "orderbook", 9) == 0)
		out->kind = STREAM_BOOK;
	else if (kl == 14 && strncmp(name, "allLiquidation", 14) == 0)
		out->kind = STREAM_LIQUIDATIONS;
	else
		out->kind = STREAM_OTHER;
	return 0;
}

static int by_stream_route(const char *name)
{
	(void)name;
	return 0; /* one route for every public linear topic */
}

static int by_sub_message(char *buf, size_t cap, int subscribe, const char *const *names, int n,
                          int id)
{
	size_t k = (size_t)snprintf(buf, cap, "{\"req_id\":\"%s%d\",\"op\":\"%s\",\"args\":[",
	                            subscribe ? "s" : "u", id,
	                            subscribe ? "subscribe" : "unsubscribe");
	for (int i = 0; i < n && k < cap; i++)
		k += (size_t)snprintf(buf + k, cap - k, "%s\"%s\"", i ? "," : "", names[i]);
	if (k < cap)
		k += (size_t)snprintf(buf + k, cap - k, "]}");
	return k < cap ? (int)k : -1;
}

static void *by_parser_new(void)
{
	return bybit_parser_new();
}
static void by_parser_free(void *p)
{
	bybit_parser_free(p);
}
static void by_parser_reset(void *p)
{
	bybit_parser_reset(p);
}
static int by_parse(void *p, const char *msg, size_t len, const char *label, int64_t now,
                    Event *out, int max, char *why, size_t whylen)
{
	return bybit_parse_ws(p, msg, len, label, now, out, max, why, whylen);
}

const Exchange exchange_bybit = {
        .name = "bybit",
        .rest_url = "https://api.bybit.com",
        .ws_url = "wss://stream.bybit.com",
        .limits = {600, 5000, 403, 10 * FB_MINUTE_MS, 0, 1000},
        .instruments = by_instruments,
        .funding_periods = by_funding_periods,
        .server_time = by_server_time,
        .kline_page = 1000,
        .klines = by_klines,
        .price_klines = by_price_klines,
        .open_interest = by_open_interest,
        .metrics = by_metrics,
        .nmetrics = (int)(sizeof by_metrics / sizeof *by_metrics),
        .metric_rows = 200,
        .metric_history = by_metric_history,
        .funding = by_funding,
        .trades_after = NULL,
        .premium = by_premium,
        .body_error = bybit_body_error,
        .symbol_streams = by_symbol_streams,
        .stream_info = by_stream_info,
        .stream_route = by_stream_route,
        .routes = {"/v5/public/linear", "/v5/public/linear"},
        .url_streams = 0,
        .max_streams = 400,
        .sub_batch = 10,
        .sub_message = by_sub_message,
        .ping = "{\"op\":\"ping\"}",
        .ping_s = 20,
        .message_stream = bybit_message_topic,
        .parser_new = by_parser_new,
        .parser_free = by_parser_free,
        .parser_reset = by_parser_reset,
        .parse = by_parse,
};
