/* simex's Bybit V5 linear REST, from the same market model as its Binance side:
 *  - /v5/market/time, instruments-info (cursor paging, a dated future and a USDC perpetual
 *    to leave out), tickers, kline, mark-price-kline, index-price-kline (newest first, the
 *    newest row still open), open-interest (openInterest both sides, singleOpenInterest one),
 *    funding/history (newest first; startTime alone is an error) and account-ratio;
 *  - every answer in {"retCode","retMsg","result","retExtInfo","time"}; a bad parameter is
 *    retCode 10001 with HTTP 200;
 *  - limits: bybit_limit requests per bybit_window_s (real time), then HTTP 403 with an HTML
 *    page and every request refused for ban_s; the burst fault answers retCode 10006.
 * Bybit's view of the model: prices a few basis points off Binance's (a constant factor per
 * symbol), SIMEX_BYBIT_VOLUME of the volume, SIMEX_BYBIT_OI of the open interest, a funding
 * rate of 0.8 times Binance's plus 0.2 bp, SHIB1000USDT for 1000SHIBUSDT, and one symbol whose
 * funding interval goes from 8 h to 4 h (each 8-hour payment then comes as two halves).
 * Simex thread only. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/rng.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"
#include "simex/internal.h"

#define FOUR_H  (4 * 60 * FB_MINUTE_MS)
#define EIGHT_H (8 * 60 * FB_MINUTE_MS)

static const struct {
	const char *binance, *bybit;
} renamed[] = {{"1000SHIBUSDT", "SHIB1000USDT"}};

void simex_bybit_name(const Simex *s, int i, char *out)
{
	const char *sym = sim_model_instrument(s->model, i)->symbol;
	for (size_t k = 0; k < sizeof renamed / sizeof *renamed; k++)
		if (strcmp(sym, renamed[k].binance) == 0) {
			snprintf(out, FB_SYMBOL_LEN, "%s", renamed[k].bybit);
			return;
		}
	snprintf(out, FB_SYMBOL_LEN, "%s", sym);
}

int simex_bybit_find(const Simex *s, const char *name)
{
	for (size_t k = 0; k < sizeof renamed / sizeof *renamed; k++) {
		if (strcmp(name, renamed[k].bybit) == 0)
			return sim_model_find(s->model, renamed[k].binance);
		if (strcmp(name, renamed[k].binance) == 0)
			return -1; /* Bybit does not know the Binance name */
	}
	return sim_model_find(s->model, name);
}

/* -4 to +4 basis points, by symbol */
static double price_factor(const Simex *s, int i)
{
	uint64_t h = rng_hash(sim_model_instrument(s->model, i)->symbol);
	return 1 + ((double)(h % 9) - 4) * 1e-4;
}

void simex_bybit_candle(const Simex *s, int i, Candle *c)
{
	double f = price_factor(s, i);
	c->open *= f;
	c->high *= f;
	c->low *= f;
	c->close *= f;
	c->volume *= SIMEX_BYBIT_VOLUME;
	c->quote_volume *= SIMEX_BYBIT_VOLUME * f;
	c->taker_buy_volume *= SIMEX_BYBIT_VOLUME;
	c->taker_buy_quote_volume *= SIMEX_BYBIT_VOLUME * f;
	c->trades = (int64_t)((double)c->trades * SIMEX_BYBIT_VOLUME);
}

int simex_bybit_funding_interval(const Simex *s, int i, int64_t t)
{
	for (int k = 0; k < SIMEX_MAX_SWITCHES; k++)
		if (i == s->by_switch_i[k] && t >= s->by_switch_t[k])
			return 240;
	return 480;
}

static double funding_rate(double binance)
{
	return binance * 0.8 + 0.00002;
}

void simex_bybit_state(const Simex *s, int i, int64_t now, SimState *st)
{
	double f = price_factor(s, i);
	st->mark *= f;
	st->index *= f;
	st->last *= f;
	st->open_24h *= f;
	st->high_24h *= f;
	st->low_24h *= f;
	st->bid *= f;
	st->ask *= f;
	st->volume_24h *= SIMEX_BYBIT_VOLUME;
	st->quote_volume_24h *= SIMEX_BYBIT_VOLUME * f;
	st->trades_24h = (int64_t)((double)st->trades_24h * SIMEX_BYBIT_VOLUME);
	st->open_interest *= SIMEX_BYBIT_OI;
	st->funding_rate = funding_rate(st->funding_rate);
	if (simex_bybit_funding_interval(s, i, now) == 240) { /* a 4-hour period: half the rate */
		st->funding_rate /= 2;
		st->next_funding_time = now - now % FOUR_H + FOUR_H;
	}
}

size_t simex_bybit_funding(const Simex *s, int i, int64_t now, SimFunding **out)
{
	size_t n;
	const SimFunding *f = sim_model_funding(s->model, i, &n);
	SimFunding *v = xcalloc(2 * n + 1, sizeof *v);
	size_t k = 0;
	for (size_t j = 0; j < n; j++) {
		double r = funding_rate(f[j].rate);
		int four = simex_bybit_funding_interval(s, i, f[j].time) == 240;
		if (f[j].time <= now)
			v[k++] = (SimFunding){f[j].time, four ? r / 2 : r, f[j].mark};
		/* after the switch, the payment 4 h later is the other half of the period's */
		int64_t mid = f[j].time + FOUR_H;
		if (simex_bybit_funding_interval(s, i, mid) == 240 && mid <= now &&
		    (j + 1 == n || f[j + 1].time > mid))
			v[k++] = (SimFunding){mid, r / 2, f[j].mark};
	}
	*out = v;
	return k;
}

/* ---- REST ---- */

static void envelope_open(Simex *s, Reply *r)
{
	(void)s;
	strbuf_printf(&r->body, "{\"retCode\":0,\"retMsg\":\"OK\",\"result\":");
}

static void envelope_close(Simex *s, Reply *r)
{
	strbuf_printf(&r->body, ",\"retExtInfo\":{},\"time\":%lld}",
	              (long long)clock_now(&s->clock));
}

static void by_error(Simex *s, Reply *r, int code, const char *msg)
{
	r->status = 200; /* Bybit: the HTTP status says nothing of a request's errors */
	r->body.len = 0;
	strbuf_printf(&r->body,
	              "{\"retCode\":%d,\"retMsg\":\"%s\",\"result\":{},\"retExtInfo\":{},\"time\":"
	              "%lld}",
	              code, msg, (long long)clock_now(&s->clock)); /* the simulated clock */
}

static int want_linear(Simex *s, const Args *q, Reply *r)
{
	const char *c = simex_arg(q, "category");
	if (!c || strcmp(c, "linear") != 0) {
		by_error(s, r, 10001, "params error: category invalid");
		return -1;
	}
	return 0;
}

static int want_symbol(Simex *s, const Args *q, Reply *r)
{
	if (want_linear(s, q, r))
		return -1;
	const char *sym = simex_arg(q, "symbol");
	int i = sym ? simex_bybit_find(s, sym) : -1;
	if (i < 0)
		by_error(s, r, 10001,
		         sym ? "params error: symbol invalid" : "params error: symbol");
	return i;
}

static void h_time(Simex *s, const Args *q, Reply *r)
{
	(void)q;
	int64_t now = clock_now(&s->clock);
	envelope_open(s, r);
	strbuf_printf(&r->body, "{\"timeSecond\":\"%lld\",\"timeNano\":\"%lld000000\"}",
	              (long long)(now / 1000), (long long)now);
	envelope_close(s, r);
}

static void h_instruments(Simex *s, const Args *q, Reply *r)
{
	if (want_linear(s, q, r))
		return;
	int64_t limit = simex_arg_int(q, "limit", 500), now = clock_now(&s->clock);
	if (limit < 1 || limit > 1000) {
		by_error(s, r, 10001, "params error: limit");
		return;
	}
	const char *cur = simex_arg(q, "cursor");
	int64_t from = 0;
	if (cur && *cur) {
		if (cur[0] != 'p' || (from = strtoll(cur + 1, NULL, 10)) < 0) {
			by_error(s, r, 10001, "params error: cursor invalid");
			return;
		}
	}
	int total = s->ninst + 2; /* and the two the feed must leave out */
	envelope_open(s, r);
	strbuf_printf(&r->body, "{\"category\":\"linear\",\"list\":[");
	int n = 0;
	for (int64_t k = from; k < total && n < limit; k++, n++) {
		if (n)
			strbuf_printf(&r->body, ",");
		if (k >= s->ninst) {
			strbuf_printf(
			        &r->body,
			        k == s->ninst
			                ? "{\"symbol\":\"BTC-26DEC26\",\"contractType\":"
			                  "\"LinearFutures\",\"status\":\"Trading\",\"baseCoin\":"
			                  "\"BTC\",\"quoteCoin\":\"USDT\",\"fundingInterval\":0,"
			                  "\"priceFilter\":{\"tickSize\":\"0.10\"},"
			                  "\"lotSizeFilter\":{\"qtyStep\":\"0.001\"}}"
			                : "{\"symbol\":\"BTCPERP\",\"contractType\":"
			                  "\"LinearPerpetual\",\"status\":\"Trading\",\"baseCoin\":"
			                  "\"BTC\",\"quoteCoin\":\"USDC\",\"fundingInterval\":480,"
			                  "\"priceFilter\":{\"tickSize\":\"0.10\"},"
			                  "\"lotSizeFilter\":{\"qtyStep\":\"0.001\"}}");
			continue;
		}
		const SimInstrument *in = sim_model_instrument(s->model, (int)k);
		char name[FB_SYMBOL_LEN], base[FB_SYMBOL_LEN];
		simex_bybit_name(s, (int)k, name);
		snprintf(base, sizeof base, "%.*s", (int)strlen(name) - 4, name);
		strbuf_printf(&r->body,
		              "{\"symbol\":\"%s\",\"contractType\":\"LinearPerpetual\",\"status\":"
		              "\"Trading\",\"baseCoin\":\"%s\",\"quoteCoin\":\"USDT\","
		              "\"launchTime\":\"1585526400000\",\"deliveryTime\":\"0\","
		              "\"fundingInterval\":%d,\"priceFilter\":{\"tickSize\":\"%.*f\"},"
		              "\"lotSizeFilter\":{\"qtyStep\":\"%.*f\"}}",
		              name, base, simex_bybit_funding_interval(s, (int)k, now),
		              simex_decimals(in->tick), in->tick, simex_decimals(in->step),
		              in->step);
	}
	int64_t next = from + n;
	strbuf_printf(&r->body, "],\"nextPageCursor\":\"");
	if (next < total)
		strbuf_printf(&r->body, "p%lld", (long long)next);
	strbuf_printf(&r->body, "\"}");
	envelope_close(s, r);
}

static void put_ticker(Simex *s, StrBuf *b, int i)
{
	const SimInstrument *in = sim_model_instrument(s->model, i);
	SimState st;
	int64_t now = clock_now(&s->clock);
	sim_model_state(s->model, i, &st);
	simex_bybit_state(s, i, now, &st);
	char name[FB_SYMBOL_LEN];
	simex_bybit_name(s, i, name);
	int pd = simex_decimals(in->tick), qd = simex_decimals(in->step);
	strbuf_printf(b,
	              "{\"symbol\":\"%s\",\"lastPrice\":\"%.*f\",\"indexPrice\":\"%.*f\","
	              "\"markPrice\":\"%.*f\",\"prevPrice24h\":\"%.*f\",\"price24hPcnt\":"
	              "\"%.6f\",\"highPrice24h\":\"%.*f\",\"lowPrice24h\":\"%.*f\","
	              "\"turnover24h\":\"%.4f\",\"volume24h\":\"%.*f\",\"openInterest\":\"%.*f\","
	              "\"openInterestValue\":\"%.2f\",\"fundingRate\":\"%.8f\","
	              "\"nextFundingTime\":\"%lld\",\"bid1Price\":\"%.*f\",\"bid1Size\":\"%.*f\","
	              "\"ask1Price\":\"%.*f\",\"ask1Size\":\"%.*f\"}",
	              name, pd, st.last, pd + 2, st.index, pd + 2, st.mark, pd, st.open_24h,
	              st.open_24h > 0 ? st.last / st.open_24h - 1 : 0.0, pd, st.high_24h, pd,
	              st.low_24h, st.quote_volume_24h, qd, st.volume_24h, qd, st.open_interest,
	              st.open_interest * st.mark, st.funding_rate, (long long)st.next_funding_time,
	              pd, st.bid, qd, st.bid_qty, pd, st.ask, qd, st.ask_qty);
}

static void h_tickers(Simex *s, const Args *q, Reply *r)
{
	int one = -1;
	if (simex_arg(q, "symbol")) {
		if ((one = want_symbol(s, q, r)) < 0)
			return;
	} else if (want_linear(s, q, r))
		return;
	envelope_open(s, r);
	strbuf_printf(&r->body, "{\"category\":\"linear\",\"list\":[");
	for (int i = 0, n = 0; i < s->ninst; i++) {
		if (one >= 0 && i != one)
			continue;
		if (n++)
			strbuf_printf(&r->body, ",");
		put_ticker(s, &r->body, i);
	}
	strbuf_printf(&r->body, "]}");
	envelope_close(s, r);
}

/* kline (which 0), mark-price-kline (1), index-price-kline (2): newest first */
static void klines(Simex *s, const Args *q, Reply *r, int which)
{
	int i = want_symbol(s, q, r);
	if (i < 0)
		return;
	const char *iv = simex_arg(q, "interval");
	static const struct {
		const char *theirs, *ours;
	} ivs[] = {{"1", "1m"},   {"3", "3m"},    {"5", "5m"},   {"15", "15m"},
	           {"30", "30m"}, {"60", "1h"},   {"120", "2h"}, {"240", "4h"},
	           {"360", "6h"}, {"720", "12h"}, {"D", "1d"},   {"W", "1w"}};
	const char *interval = NULL;
	for (size_t k = 0; iv && k < sizeof ivs / sizeof *ivs; k++)
		if (strcmp(ivs[k].theirs, iv) == 0)
			interval = ivs[k].ours;
	int64_t ivl = interval ? fb_interval_ms(interval) : -1;
	if (ivl <= 0) {
		by_error(s, r, 10001, "params error: interval invalid");
		return;
	}
	int64_t limit = simex_arg_int(q, "limit", 200), now = clock_now(&s->clock);
	if (limit < 1 || limit > 1000) {
		by_error(s, r, 10001, "params error: limit");
		return;
	}
	int64_t off = fb_interval_offset_ms(interval);
	int64_t start = simex_arg_int(q, "start", INT64_MIN), end = simex_arg_int(q, "end", now);
	if (end > now)
		end = now;
	int64_t t = end - ((end - off) % ivl + ivl) % ivl; /* the newest open time */
	int64_t first = sim_model_first_open(s->model);
	const SimInstrument *in = sim_model_instrument(s->model, i);
	int pd = simex_decimals(in->tick), qd = simex_decimals(in->step);
	char name[FB_SYMBOL_LEN];
	simex_bybit_name(s, i, name);
	envelope_open(s, r);
	strbuf_printf(&r->body, "{\"symbol\":\"%s\",\"category\":\"linear\",\"list\":[", name);
	int n = 0;
	for (; n < limit && t >= first - ivl && (start == INT64_MIN || t >= start); t -= ivl) {
		Candle c;
		if (which ? sim_model_price_candle(s->model, i, interval, t, now, which == 2, &c)
		          : sim_model_candle(s->model, i, interval, t, now, &c))
			continue;
		simex_bybit_candle(s, i, &c);
		if (n++)
			strbuf_printf(&r->body, ",");
		if (which) {
			strbuf_printf(&r->body, "[\"%lld\",\"%.*f\",\"%.*f\",\"%.*f\",\"%.*f\"]",
			              (long long)c.open_time, pd + 2, c.open, pd + 2, c.high,
			              pd + 2, c.low, pd + 2, c.close);
			continue;
		}
		if (s->opt.bad_rows_rate > 0 && rng_uniform(&s->fault_rng) < s->opt.bad_rows_rate)
			c.high =
			        -c.high; /* fault: a row a client must refuse (the candle exists) */
		strbuf_printf(&r->body,
		              "[\"%lld\",\"%.*f\",\"%.*f\",\"%.*f\",\"%.*f\",\"%.*f\",\"%.4f\"]",
		              (long long)c.open_time, pd, c.open, pd, c.high, pd, c.low, pd,
		              c.close, qd, c.volume, c.quote_volume);
	}
	strbuf_printf(&r->body, "]}");
	envelope_close(s, r);
}

static void h_kline(Simex *s, const Args *q, Reply *r)
{
	klines(s, q, r, 0);
}
static void h_mark_kline(Simex *s, const Args *q, Reply *r)
{
	klines(s, q, r, 1);
}
static void h_index_kline(Simex *s, const Args *q, Reply *r)
{
	klines(s, q, r, 2);
}

/* a 5min, 15min, 30min, 1h, 4h or 1d period; -1 otherwise */
static int64_t period_ms(const char *p)
{
	static const struct {
		const char *name;
		int64_t ms;
	} ps[] = {{"5min", 5 * FB_MINUTE_MS},   {"15min", 15 * FB_MINUTE_MS},
	          {"30min", 30 * FB_MINUTE_MS}, {"1h", 60 * FB_MINUTE_MS},
	          {"4h", 240 * FB_MINUTE_MS},   {"1d", FB_DAY_MS}};
	for (size_t k = 0; p && k < sizeof ps / sizeof *ps; k++)
		if (strcmp(ps[k].name, p) == 0)
			return ps[k].ms;
	return -1;
}

/* open-interest (oi = 1) and account-ratio (oi = 0): 5-minute snapshots, newest first */
static void history(Simex *s, const Args *q, Reply *r, int oi)
{
	int i = want_symbol(s, q, r);
	if (i < 0)
		return;
	int64_t p = period_ms(simex_arg(q, oi ? "intervalTime" : "period"));
	if (p < 0) {
		by_error(s, r, 10001,
		         oi ? "params error: intervalTime invalid"
		            : "params error: period invalid");
		return;
	}
	int64_t limit = simex_arg_int(q, "limit", 50), now = clock_now(&s->clock);
	if (limit < 1 || limit > (oi ? 200 : 500)) {
		by_error(s, r, 10001, "params error: limit");
		return;
	}
	int64_t end = simex_arg_int(q, "endTime", now);
	int64_t start = simex_arg_int(q, "startTime", INT64_MIN);
	if (end > now)
		end = now;
	char name[FB_SYMBOL_LEN];
	simex_bybit_name(s, i, name);
	envelope_open(s, r);
	strbuf_printf(&r->body, "{\"symbol\":\"%s\",\"category\":\"linear\",\"list\":[", name);
	int n = 0;
	int qd = simex_decimals(sim_model_instrument(s->model, i)->step);
	for (int64_t t = end - end % p; n < limit && (start == INT64_MIN || t >= start); t -= p) {
		SimState st;
		if (sim_model_history(s->model, i, t, &st))
			break; /* before the first bar */
		if (n++)
			strbuf_printf(&r->body, ",");
		if (oi) {
			double one = st.open_interest * SIMEX_BYBIT_OI;
			if (s->opt.bybit_oi_both)
				strbuf_printf(&r->body,
				              "{\"openInterest\":\"%.*f\",\"timestamp\":\"%lld\"}",
				              qd, 2 * one, (long long)t);
			else
				strbuf_printf(&r->body,
				              "{\"openInterest\":\"%.*f\",\"singleOpenInterest\":"
				              "\"%.*f\",\"timestamp\":\"%lld\"}",
				              qd, 2 * one, qd, one, (long long)t);
		} else {
			double ls = st.ls_global;
			strbuf_printf(&r->body,
			              "{\"symbol\":\"%s\",\"buyRatio\":\"%.4f\",\"sellRatio\":"
			              "\"%.4f\",\"timestamp\":\"%lld\"}",
			              name, ls / (1 + ls), 1 / (1 + ls), (long long)t);
		}
	}
	strbuf_printf(&r->body, "]%s}", oi ? ",\"nextPageCursor\":\"\"" : "");
	envelope_close(s, r);
}

static void h_open_interest(Simex *s, const Args *q, Reply *r)
{
	history(s, q, r, 1);
}
static void h_account_ratio(Simex *s, const Args *q, Reply *r)
{
	history(s, q, r, 0);
}

static void h_funding(Simex *s, const Args *q, Reply *r)
{
	int i = want_symbol(s, q, r);
	if (i < 0)
		return;
	int64_t now = clock_now(&s->clock), limit = simex_arg_int(q, "limit", 200);
	int64_t start = simex_arg_int(q, "startTime", INT64_MIN);
	int64_t end = simex_arg_int(q, "endTime", INT64_MIN);
	if (start != INT64_MIN && end == INT64_MIN) {
		by_error(s, r, 10001, "params error: startTime needs endTime");
		return;
	}
	if (limit < 1 || limit > 200) {
		by_error(s, r, 10001, "params error: limit");
		return;
	}
	if (end == INT64_MIN || end > now)
		end = now;
	SimFunding *f;
	size_t n = simex_bybit_funding(s, i, now, &f);
	char name[FB_SYMBOL_LEN];
	simex_bybit_name(s, i, name);
	envelope_open(s, r);
	strbuf_printf(&r->body, "{\"category\":\"linear\",\"list\":[");
	int k = 0;
	for (size_t j = n; j-- > 0 && k < limit;) {
		if (f[j].time > end)
			continue;
		if (start != INT64_MIN && f[j].time < start)
			break;
		strbuf_printf(&r->body,
		              "%s{\"symbol\":\"%s\",\"fundingRate\":\"%.8f\","
		              "\"fundingRateTimestamp\":\"%lld\"}",
		              k++ ? "," : "", name, f[j].rate, (long long)f[j].time);
	}
	free(f);
	strbuf_printf(&r->body, "]}");
	envelope_close(s, r);
}

static const struct {
	const char *path;
	void (*handle)(Simex *, const Args *, Reply *);
} routes[] = {
        {"/v5/market/time", h_time},
        {"/v5/market/instruments-info", h_instruments},
        {"/v5/market/tickers", h_tickers},
        {"/v5/market/kline", h_kline},
        {"/v5/market/mark-price-kline", h_mark_kline},
        {"/v5/market/index-price-kline", h_index_kline},
        {"/v5/market/open-interest", h_open_interest},
        {"/v5/market/funding/history", h_funding},
        {"/v5/market/account-ratio", h_account_ratio},
};

static void count(Simex *s, uint64_t *field)
{
	pthread_mutex_lock(&s->lock);
	(*field)++;
	pthread_mutex_unlock(&s->lock);
}

static void ban_page(Reply *r)
{
	r->status = 403;
	r->html = 1;
	r->body.len = 0;
	strbuf_printf(
	        &r->body,
	        "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01 Transitional//EN\">\n<HTML><HEAD>"
	        "<TITLE>ERROR: The request could not be satisfied</TITLE></HEAD><BODY>\n"
	        "<H1>403 ERROR</H1>\n<H2>The request could not be satisfied.</H2>\n"
	        "access too frequent\n</BODY></HTML>\n");
}

void simex_bybit_handle(Simex *s, const char *path, const Args *q, Reply *r)
{
	r->bybit = 1;
	r->status = 200;
	int k = -1;
	for (size_t i = 0; i < sizeof routes / sizeof *routes; i++)
		if (strcmp(routes[i].path, path) == 0)
			k = (int)i;
	if (k < 0) {
		r->status = 404;
		strbuf_printf(&r->body, "{\"retCode\":10001,\"retMsg\":\"path not found\"}");
		return;
	}
	count(s, &s->stats.requests);
	int64_t now = fb_now_ms();
	if (now < s->by_ban_until) { /* a client that asks during the ban is not waiting */
		count(s, &s->stats.violations);
		count(s, &s->stats.banned);
		ban_page(r);
		return;
	}
	if (s->opt.burst_every_s > 0 && s->opt.burst_s > 0) {
		int64_t period = (int64_t)s->opt.burst_every_s * 1000;
		int64_t into = (now - s->started_real) % period;
		if (now - s->started_real >= period && into < (int64_t)s->opt.burst_s * 1000) {
			count(s, &s->stats.rate_limited);
			by_error(s, r, 10006, "Too many visits!");
			return;
		}
	}
	int64_t window_ms = (int64_t)(s->opt.bybit_window_s > 0 ? s->opt.bybit_window_s : 5) * 1000;
	if (now / window_ms != s->by_window) {
		s->by_window = now / window_ms;
		s->by_used = 0;
	}
	if (++s->by_used > (s->opt.bybit_limit > 0 ? s->opt.bybit_limit : 600)) {
		count(s, &s->stats.banned);
		s->by_ban_until = now + (int64_t)s->opt.ban_s * 1000;
		log_info("simex", "bybit: over %d requests in %lld s: a 403 ban for %d s",
		         s->opt.bybit_limit, (long long)(window_ms / 1000), s->opt.ban_s);
		ban_page(r);
		return;
	}
	pthread_mutex_lock(&s->lock);
	s->stats.weight_used++;
	pthread_mutex_unlock(&s->lock);
	sim_model_advance(s->model, clock_now(&s->clock));
	routes[k].handle(s, q, r);
	if (r->status >= 400 || strncmp(r->body.p ? r->body.p : "", "{\"retCode\":0,", 13) != 0)
		count(s, &s->stats.errors);
}
