/* simex server: libwebsockets HTTP on 127.0.0.1, REST endpoints in Binance USD-M's formats,
 * request weights and the 429/418 rules. The simex thread owns the lws context and the model:
 * a 100 ms timer advances the model to the clock's time; other threads only set the stop flag
 * and call lws_cancel_service(). */
#include <jansson.h>
#include <libwebsockets.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/log.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"
#include "simex/model.h"
#include "simex/internal.h"
#include "simex/simex.h"

/* ---- a growable text buffer ---- */

int simex_decimals(double step)
{
	int d = 0;
	while (d < 10 && fabs(step * pow(10, d) - round(step * pow(10, d))) > 1e-9)
		d++;
	return d;
}

/* ---- requests ---- */

const char *simex_arg(const Args *q, const char *key)
{
	for (int i = 0; i < q->n; i++)
		if (strcmp(q->a[i].key, key) == 0)
			return q->a[i].val;
	return NULL;
}

int64_t simex_arg_int(const Args *q, const char *key, int64_t def)
{
	const char *v = simex_arg(q, key);
	return v && *v ? strtoll(v, NULL, 10) : def;
}

static void reply_error(Reply *r, int status, int code, const char *msg)
{
	r->status = status;
	r->body.len = 0;
	strbuf_printf(&r->body, "{\"code\":%d,\"msg\":\"%s\"}", code, msg);
}

/* Instrument index named by ?symbol=, or -1 after replying with Binance's error. */
static int want_symbol(Simex *s, const Args *q, Reply *r)
{
	const char *sym = simex_arg(q, "symbol");
	int i = sym ? sim_model_find(s->model, sym) : -1;
	if (i < 0)
		reply_error(r, 400, sym ? -1121 : -1102,
		            sym ? "Invalid symbol." : "Mandatory parameter 'symbol' was not sent.");
	return i;
}

static void put_candle_row(StrBuf *b, const SimInstrument *in, const Candle *c)
{
	int pd = simex_decimals(in->tick), qd = simex_decimals(in->step);
	strbuf_printf(
	        b,
	        "[%lld,\"%.*f\",\"%.*f\",\"%.*f\",\"%.*f\",\"%.*f\",%lld,\"%.8f\",%lld,\"%.*f\","
	        "\"%.8f\",\"0\"]",
	        (long long)c->open_time, pd, c->open, pd, c->high, pd, c->low, pd, c->close, qd,
	        c->volume, (long long)c->close_time, c->quote_volume, (long long)c->trades, qd,
	        c->taker_buy_volume, c->taker_buy_quote_volume);
}

/* klines, markPriceKlines and indexPriceKlines (by pair, the symbol for a USDT perpetual):
 * the same paging, a different source (mark: 1 mark, 2 index) */
static void klines(Simex *s, const Args *q, Reply *r, int mark)
{
	Args qp = *q; /* pair= stands for symbol= */
	for (int k = 0; mark == 2 && k < qp.n; k++)
		if (strcmp(qp.a[k].key, "pair") == 0)
			records_copy_field(qp.a[k].key, sizeof qp.a[k].key, "symbol");
	q = &qp;
	int i = want_symbol(s, q, r);
	if (i < 0)
		return;
	const char *interval = simex_arg(q, "interval");
	int64_t ivl = interval ? fb_interval_ms(interval) : -1;
	if (ivl <= 0) {
		reply_error(r, 400, -1120, "Invalid interval.");
		return;
	}
	int64_t limit = simex_arg_int(q, "limit", 500), now = clock_now(&s->clock);
	if (limit < 1 || limit > 1500) {
		reply_error(r, 400, -1130, "Invalid limit.");
		return;
	}
	int64_t first = sim_model_first_open(s->model), off = fb_interval_offset_ms(interval);
	int64_t start = simex_arg_int(q, "startTime", INT64_MIN),
	        end = simex_arg_int(q, "endTime", now);
	if (end > now)
		end = now;
	int64_t last_open = end - ((end - off) % ivl + ivl) % ivl;
	int64_t t;
	if (start != INT64_MIN) {
		t = start - ((start - off) % ivl + ivl) % ivl;
		if (t < start)
			t += ivl;
	} else {
		t = last_open - (limit - 1) * ivl;
	}
	if (t < first - ivl)
		t = first - ((first - off) % ivl + ivl) % ivl;
	strbuf_printf(&r->body, "[");
	int n = 0;
	for (; t <= last_open && n < limit; t += ivl) {
		Candle c;
		if (mark ? sim_model_price_candle(s->model, i, interval, t, now, mark == 2, &c)
		         : sim_model_candle(s->model, i, interval, t, now, &c))
			continue;
		if (n++)
			strbuf_printf(&r->body, ",");
		if (mark) {
			int pd = simex_decimals(sim_model_instrument(s->model, i)->tick) + 2;
			strbuf_printf(
			        &r->body,
			        "[%lld,\"%.*f\",\"%.*f\",\"%.*f\",\"%.*f\",\"0\",%lld,\"0\",0,"
			        "\"0\",\"0\",\"0\"]",
			        (long long)c.open_time, pd, c.open, pd, c.high, pd, c.low, pd,
			        c.close, (long long)c.close_time);
			continue;
		}
		if (s->opt.bad_rows_rate > 0 && rng_uniform(&s->fault_rng) < s->opt.bad_rows_rate)
			c.high =
			        -c.high; /* fault: a row a client must refuse (the candle exists) */
		put_candle_row(&r->body, sim_model_instrument(s->model, i), &c);
	}
	strbuf_printf(&r->body, "]");
}

static void h_klines(Simex *s, const Args *q, Reply *r)
{
	klines(s, q, r, 0);
}

static void h_mark_klines(Simex *s, const Args *q, Reply *r)
{
	klines(s, q, r, 1);
}

static void h_index_klines(Simex *s, const Args *q, Reply *r)
{
	klines(s, q, r, 2);
}

static void h_exchange_info(Simex *s, const Args *q, Reply *r)
{
	(void)q;
	strbuf_printf(
	        &r->body,
	        "{\"timezone\":\"UTC\",\"serverTime\":%lld,\"rateLimits\":[{\"rateLimitType\":"
	        "\"REQUEST_WEIGHT\",\"interval\":\"MINUTE\",\"intervalNum\":1,\"limit\":%d}],"
	        "\"exchangeFilters\":[],\"symbols\":[",
	        (long long)clock_now(&s->clock), s->opt.weight_limit);
	for (int i = 0; i < s->ninst; i++) {
		const SimInstrument *in = sim_model_instrument(s->model, i);
		char base[FB_SYMBOL_LEN];
		snprintf(base, sizeof base, "%.*s", (int)strlen(in->symbol) - 4, in->symbol);
		strbuf_printf(
		        &r->body,
		        "%s{\"symbol\":\"%s\",\"pair\":\"%s\",\"contractType\":\"PERPETUAL\","
		        "\"status\":\"TRADING\",\"baseAsset\":\"%s\",\"quoteAsset\":\"USDT\","
		        "\"marginAsset\":\"USDT\",\"pricePrecision\":%d,\"quantityPrecision\":%d,"
		        "\"filters\":[{\"filterType\":\"PRICE_FILTER\",\"tickSize\":\"%.*f\"},"
		        "{\"filterType\":\"LOT_SIZE\",\"stepSize\":\"%.*f\"}]}",
		        i ? "," : "", in->symbol, in->symbol, base, simex_decimals(in->tick),
		        simex_decimals(in->step), simex_decimals(in->tick), in->tick,
		        simex_decimals(in->step), in->step);
	}
	/* Symbols the feed must leave out: a quarterly contract, one not trading, a USDC one. */
	strbuf_printf(
	        &r->body,
	        ",{\"symbol\":\"BTCUSDT_261225\",\"pair\":\"BTCUSDT\",\"contractType\":"
	        "\"CURRENT_QUARTER\",\"status\":\"TRADING\",\"baseAsset\":\"BTC\",\"quoteAsset\":"
	        "\"USDT\",\"filters\":[]},"
	        "{\"symbol\":\"OLDUSDT\",\"pair\":\"OLDUSDT\",\"contractType\":\"PERPETUAL\","
	        "\"status\":\"SETTLING\",\"baseAsset\":\"OLD\",\"quoteAsset\":\"USDT\",\"filters\":"
	        "[]},"
	        "{\"symbol\":\"BTCUSDC\",\"pair\":\"BTCUSDC\",\"contractType\":\"PERPETUAL\","
	        "\"status\":\"TRADING\",\"baseAsset\":\"BTC\",\"quoteAsset\":\"USDC\",\"filters\":["
	        "]}"
	        "]}");
}

static void put_ticker(Simex *s, StrBuf *b, int i)
{
	const SimInstrument *in = sim_model_instrument(s->model, i);
	SimState st;
	sim_model_state(s->model, i, &st);
	int pd = simex_decimals(in->tick), qd = simex_decimals(in->step);
	int64_t now = clock_now(&s->clock);
	strbuf_printf(
	        b,
	        "{\"symbol\":\"%s\",\"priceChange\":\"%.*f\",\"priceChangePercent\":\"%.3f\","
	        "\"weightedAvgPrice\":\"%.*f\",\"lastPrice\":\"%.*f\",\"lastQty\":\"%.*f\","
	        "\"openPrice\":\"%.*f\",\"highPrice\":\"%.*f\",\"lowPrice\":\"%.*f\","
	        "\"volume\":\"%.*f\",\"quoteVolume\":\"%.2f\",\"openTime\":%lld,\"closeTime\":%lld,"
	        "\"firstId\":1,\"lastId\":%lld,\"count\":%lld}",
	        in->symbol, pd, st.last - st.open_24h,
	        st.open_24h > 0 ? (st.last / st.open_24h - 1) * 100 : 0.0, pd,
	        st.volume_24h > 0 ? st.quote_volume_24h / st.volume_24h : st.last, pd, st.last, qd,
	        in->step, pd, st.open_24h, pd, st.high_24h, pd, st.low_24h, qd, st.volume_24h,
	        st.quote_volume_24h, (long long)(now - FB_DAY_MS), (long long)now,
	        (long long)st.trades_24h, (long long)st.trades_24h);
}

/* Endpoints that answer for ?symbol= or, without it, for every symbol as an array. */
static void one_or_all(Simex *s, const Args *q, Reply *r, void (*put)(Simex *, StrBuf *, int))
{
	if (simex_arg(q, "symbol")) {
		int i = want_symbol(s, q, r);
		if (i >= 0)
			put(s, &r->body, i);
		return;
	}
	strbuf_printf(&r->body, "[");
	for (int i = 0; i < s->ninst; i++) {
		if (i)
			strbuf_printf(&r->body, ",");
		put(s, &r->body, i);
	}
	strbuf_printf(&r->body, "]");
}

static void h_ticker24(Simex *s, const Args *q, Reply *r)
{
	one_or_all(s, q, r, put_ticker);
}

static void put_premium(Simex *s, StrBuf *b, int i)
{
	const SimInstrument *in = sim_model_instrument(s->model, i);
	SimState st;
	sim_model_state(s->model, i, &st);
	int pd = simex_decimals(in->tick) + 2;
	strbuf_printf(b,
	              "{\"symbol\":\"%s\",\"markPrice\":\"%.*f\",\"indexPrice\":\"%.*f\","
	              "\"estimatedSettlePrice\":\"%.*f\",\"lastFundingRate\":\"%.8f\","
	              "\"interestRate\":\"0.00010000\",\"nextFundingTime\":%lld,\"time\":%lld}",
	              in->symbol, pd, st.mark, pd, st.index, pd, st.index, st.funding_rate,
	              (long long)st.next_funding_time, (long long)clock_now(&s->clock));
}

static void h_premium(Simex *s, const Args *q, Reply *r)
{
	one_or_all(s, q, r, put_premium);
}

static void h_funding_rate(Simex *s, const Args *q, Reply *r)
{
	int i = want_symbol(s, q, r);
	if (i < 0)
		return;
	size_t n;
	const SimFunding *f = sim_model_funding(s->model, i, &n);
	int64_t start = simex_arg_int(q, "startTime", INT64_MIN),
	        end = simex_arg_int(q, "endTime", INT64_MAX);
	int64_t limit = simex_arg_int(q, "limit", 100);
	if (limit < 1 || limit > 1000)
		limit = 1000;
	size_t k0 = 0, count = 0;
	while (k0 < n && f[k0].time < start)
		k0++;
	if (start == INT64_MIN) { /* the most recent ones */
		size_t m = 0;
		for (size_t k = 0; k < n && f[k].time <= end; k++)
			m++;
		k0 = m > (size_t)limit ? m - (size_t)limit : 0;
	}
	strbuf_printf(&r->body, "[");
	for (size_t k = k0; k < n && f[k].time <= end && count < (size_t)limit; k++)
		strbuf_printf(&r->body,
		              "%s{\"symbol\":\"%s\",\"fundingTime\":%lld,\"fundingRate\":\"%.8f\","
		              "\"markPrice\":\"%.8f\"}",
		              count++ ? "," : "", sim_model_instrument(s->model, i)->symbol,
		              (long long)f[k].time, f[k].rate, f[k].mark);
	strbuf_printf(&r->body, "]");
}

static void h_open_interest(Simex *s, const Args *q, Reply *r)
{
	int i = want_symbol(s, q, r);
	if (i < 0)
		return;
	SimState st;
	sim_model_state(s->model, i, &st);
	strbuf_printf(&r->body, "{\"openInterest\":\"%.*f\",\"symbol\":\"%s\",\"time\":%lld}",
	              simex_decimals(sim_model_instrument(s->model, i)->step), st.open_interest,
	              sim_model_instrument(s->model, i)->symbol, (long long)clock_now(&s->clock));
}

/* /fapi/v1/trades: the latest market trades, oldest first, as Binance lists them. They come
 * from the capture (the symbol's <symbol>@trade frames up to the capture's clock): the model
 * makes trades as it streams them and keeps none, so without a capture this is an error. */
static void h_trades(Simex *s, const Args *q, Reply *r)
{
	int i = want_symbol(s, q, r);
	if (i < 0)
		return;
	char name[64];
	int n = snprintf(name, sizeof name, "%s@trade", sim_model_instrument(s->model, i)->symbol);
	for (int k = 0; k < n; k++)
		name[k] = (char)(name[k] >= 'A' && name[k] <= 'Z' ? name[k] + 32 : name[k]);
	const SimCapture *k = &s->cap;
	int id = k->n ? sim_capture_find(k, name) : -1;
	if (id < 0) {
		reply_error(r, 400, -1121,
		            "simex keeps recent trades only from a --capture with this symbol's "
		            "trade stream.");
		return;
	}
	int64_t limit = simex_arg_int(q, "limit", 500);
	if (limit < 1 || limit > 1000)
		limit = limit < 1 ? 500 : 1000;
	double reached = simex_capture_reached(s);
	/* the frames due by now: receive times are sorted */
	size_t lo = 0, hi = k->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if ((double)(k->t_ns[mid] - k->t_ns[0]) <= reached && s->cap_t0_real)
			lo = mid + 1;
		else
			hi = mid;
	}
	size_t *pick = xmalloc((size_t)limit * sizeof *pick);
	int64_t np = 0;
	for (size_t j = lo; j-- > 0 && np < limit;)
		if (k->stream[j] == id)
			pick[np++] = j;
	strbuf_printf(&r->body, "[");
	int first = 1;
	for (int64_t m = np - 1; m >= 0; m--) {
		size_t j = pick[m];
		json_t *d = json_loadb(k->frame[j] + k->data[j], k->datlen[j], 0, NULL);
		const char *x = json_string_value(json_object_get(d, "X"));
		if (d && (!x || strcmp(x, "MARKET") == 0)) {
			const char *p = json_string_value(json_object_get(d, "p")),
			           *qq = json_string_value(json_object_get(d, "q"));
			double quote = p && qq ? strtod(p, NULL) * strtod(qq, NULL) : 0;
			strbuf_printf(&r->body,
			              "%s{\"id\":%lld,\"price\":\"%s\",\"qty\":\"%s\",\"quoteQty\":"
			              "\"%.8f\",\"time\":%lld,\"isBuyerMaker\":%s}",
			              first ? "" : ",",
			              (long long)json_integer_value(json_object_get(d, "t")),
			              p ? p : "0", qq ? qq : "0", quote,
			              (long long)json_integer_value(json_object_get(d, "T")),
			              json_is_true(json_object_get(d, "m")) ? "true" : "false");
			first = 0;
		}
		json_decref(d);
	}
	strbuf_printf(&r->body, "]");
	free(pick);
}

/* /futures/data/...: 5m snapshots, which = 0 OI, 1 global LS, 2 top accounts, 3 top
 * positions, 4 taker ratio. */
static void h_history(Simex *s, const Args *q, Reply *r, int which)
{
	int i = want_symbol(s, q, r);
	if (i < 0)
		return;
	const char *period = simex_arg(q, "period");
	int64_t p = period ? fb_interval_ms(period) : -1;
	if (p < 5 * FB_MINUTE_MS || p > FB_DAY_MS) {
		reply_error(r, 400, -1120, "Invalid period.");
		return;
	}
	int64_t limit = simex_arg_int(q, "limit", 30), now = clock_now(&s->clock);
	if (limit < 1 || limit > 500)
		limit = 500;
	int64_t end = simex_arg_int(q, "endTime", now),
	        start = simex_arg_int(q, "startTime", INT64_MIN);
	if (end > now)
		end = now;
	if (now - (start == INT64_MIN ? end : start) > 30 * FB_DAY_MS) /* Binance keeps 30 days */
		start = now - 30 * FB_DAY_MS;
	int64_t t = start != INT64_MIN ? start - start % p + (start % p ? p : 0)
	                               : end - end % p - (limit - 1) * p;
	const SimInstrument *in = sim_model_instrument(s->model, i);
	strbuf_printf(&r->body, "[");
	int n = 0;
	for (; t <= end && n < limit; t += p) {
		SimState st;
		if (sim_model_history(s->model, i, t, &st))
			continue;
		strbuf_printf(&r->body, "%s", n++ ? "," : "");
		if (which == 0)
			strbuf_printf(&r->body,
			              "{\"symbol\":\"%s\",\"sumOpenInterest\":\"%.8f\","
			              "\"sumOpenInterestValue\":\"%.8f\",\"timestamp\":%lld}",
			              in->symbol, st.open_interest, st.open_interest * st.mark,
			              (long long)t);
		else if (which == 4)
			strbuf_printf(
			        &r->body,
			        "{\"buySellRatio\":\"%.4f\",\"sellVol\":\"%.4f\",\"buyVol\":\"%."
			        "4f\","
			        "\"timestamp\":%lld}",
			        st.taker_ratio, 1000.0, 1000.0 * st.taker_ratio, (long long)t);
		else {
			double ls = which == 1   ? st.ls_global
			            : which == 2 ? st.ls_top_accounts
			                         : st.ls_top_positions;
			/* Binance gives timestamp as a number here; some endpoints send a string. */
			strbuf_printf(
			        &r->body,
			        "{\"symbol\":\"%s\",\"longShortRatio\":\"%.4f\",\"longAccount\":"
			        "\"%.4f\",\"shortAccount\":\"%.4f\",\"timestamp\":%s%lld%s}",
			        in->symbol, ls, ls / (1 + ls), 1 / (1 + ls), which == 3 ? "\"" : "",
			        (long long)t, which == 3 ? "\"" : "");
		}
	}
	strbuf_printf(&r->body, "]");
}

static void h_oi_hist(Simex *s, const Args *q, Reply *r)
{
	h_history(s, q, r, 0);
}
static void h_ls_global(Simex *s, const Args *q, Reply *r)
{
	h_history(s, q, r, 1);
}
static void h_ls_top_acc(Simex *s, const Args *q, Reply *r)
{
	h_history(s, q, r, 2);
}
static void h_ls_top_pos(Simex *s, const Args *q, Reply *r)
{
	h_history(s, q, r, 3);
}
static void h_taker(Simex *s, const Args *q, Reply *r)
{
	h_history(s, q, r, 4);
}

static void put_book_ticker(Simex *s, StrBuf *b, int i)
{
	const SimInstrument *in = sim_model_instrument(s->model, i);
	SimState st;
	sim_model_state(s->model, i, &st);
	int pd = simex_decimals(in->tick), qd = simex_decimals(in->step);
	strbuf_printf(b,
	              "{\"symbol\":\"%s\",\"bidPrice\":\"%.*f\",\"bidQty\":\"%.*f\",\"askPrice\":"
	              "\"%.*f\",\"askQty\":\"%.*f\",\"time\":%lld}",
	              in->symbol, pd, st.bid, qd, st.bid_qty, pd, st.ask, qd, st.ask_qty,
	              (long long)clock_now(&s->clock));
}

static void h_book_ticker(Simex *s, const Args *q, Reply *r)
{
	one_or_all(s, q, r, put_book_ticker);
}

static void h_depth(Simex *s, const Args *q, Reply *r)
{
	int i = want_symbol(s, q, r);
	if (i < 0)
		return;
	int64_t limit = simex_arg_int(q, "limit", 500);
	if (limit > 1000)
		limit = 1000;
	const SimInstrument *in = sim_model_instrument(s->model, i);
	SimState st;
	sim_model_state(s->model, i, &st);
	int pd = simex_decimals(in->tick), qd = simex_decimals(in->step);
	int64_t now = clock_now(&s->clock);
	strbuf_printf(&r->body, "{\"lastUpdateId\":%lld,\"E\":%lld,\"T\":%lld,\"bids\":[",
	              (long long)(now / 100), (long long)now, (long long)now);
	for (int k = 0; k < limit; k++)
		strbuf_printf(&r->body, "%s[\"%.*f\",\"%.*f\"]", k ? "," : "", pd,
		              st.bid - k * in->tick, qd, st.bid_qty * (1 + 0.1 * k));
	strbuf_printf(&r->body, "],\"asks\":[");
	for (int k = 0; k < limit; k++)
		strbuf_printf(&r->body, "%s[\"%.*f\",\"%.*f\"]", k ? "," : "", pd,
		              st.ask + k * in->tick, qd, st.ask_qty * (1 + 0.1 * k));
	strbuf_printf(&r->body, "]}");
}

static void h_ping(Simex *s, const Args *q, Reply *r)
{
	(void)s, (void)q;
	strbuf_printf(&r->body, "{}");
}

static void h_time(Simex *s, const Args *q, Reply *r)
{
	(void)q;
	strbuf_printf(&r->body, "{\"serverTime\":%lld}", (long long)clock_now(&s->clock));
}

static void h_stats(Simex *s, const Args *q, Reply *r)
{
	(void)q;
	SimexStats st;
	simex_get_stats(s, &st);
	strbuf_printf(
	        &r->body,
	        "{\"requests\":%llu,\"weight_used\":%llu,\"rate_limited\":%llu,\"banned\":%llu,"
	        "\"violations\":%llu,\"errors\":%llu,\"time\":%lld,\"up_ms\":%lld}",
	        (unsigned long long)st.requests, (unsigned long long)st.weight_used,
	        (unsigned long long)st.rate_limited, (unsigned long long)st.banned,
	        (unsigned long long)st.violations, (unsigned long long)st.errors,
	        (long long)clock_now(&s->clock), (long long)(fb_now_ms() - s->started_real));
}

static int w_klines(const Args *q)
{
	int64_t l = simex_arg_int(q, "limit", 500);
	return l < 100 ? 1 : l < 500 ? 2 : l <= 1000 ? 5 : 10;
}
static int w_all40(const Args *q)
{
	return simex_arg(q, "symbol") ? 1 : 40;
}
static int w_all10(const Args *q)
{
	return simex_arg(q, "symbol") ? 1 : 10;
}
static int w_book(const Args *q)
{
	return simex_arg(q, "symbol") ? 2 : 5;
}
static int w_depth(const Args *q)
{
	int64_t l = simex_arg_int(q, "limit", 500);
	return l <= 50 ? 2 : l <= 100 ? 5 : l <= 500 ? 10 : 20;
}

static const struct {
	const char *path;
	void (*handle)(Simex *, const Args *, Reply *);
	int weight; /* when weight_fn is NULL */
	int (*weight_fn)(const Args *);
} routes[] = {
        {"/fapi/v1/ping", h_ping, 1, NULL},
        {"/fapi/v1/time", h_time, 1, NULL},
        {"/fapi/v1/exchangeInfo", h_exchange_info, 1, NULL},
        {"/fapi/v1/klines", h_klines, 0, w_klines},
        {"/fapi/v1/markPriceKlines", h_mark_klines, 0, w_klines},
        {"/fapi/v1/indexPriceKlines", h_index_klines, 0, w_klines},
        {"/fapi/v1/ticker/24hr", h_ticker24, 0, w_all40},
        {"/fapi/v1/premiumIndex", h_premium, 0, w_all10},
        {"/fapi/v1/fundingRate", h_funding_rate, 1, NULL},
        {"/fapi/v1/openInterest", h_open_interest, 1, NULL},
        {"/fapi/v1/trades", h_trades, 5, NULL},
        {"/fapi/v1/depth", h_depth, 0, w_depth},
        {"/fapi/v1/ticker/bookTicker", h_book_ticker, 0, w_book},
        {"/futures/data/openInterestHist", h_oi_hist, 1, NULL},
        {"/futures/data/globalLongShortAccountRatio", h_ls_global, 1, NULL},
        {"/futures/data/topLongShortAccountRatio", h_ls_top_acc, 1, NULL},
        {"/futures/data/topLongShortPositionRatio", h_ls_top_pos, 1, NULL},
        {"/futures/data/takerlongshortRatio", h_taker, 1, NULL},
        {"/simex/stats", h_stats, 0, NULL},
};

static void count(Simex *s, uint64_t *field, uint64_t n)
{
	pthread_mutex_lock(&s->lock);
	*field += n;
	pthread_mutex_unlock(&s->lock);
}

/* Routes one request: rate limits first, then the handler. */
static void handle(Simex *s, const char *path, const Args *q, Reply *r)
{
	int k = -1;
	for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++)
		if (strcmp(routes[i].path, path) == 0)
			k = (int)i;
	r->status = 200;
	if (strncmp(path, "/v5/", 4) == 0 && (s->opt.venues & SIMEX_BYBIT)) {
		simex_bybit_handle(s, path, q, r);
		return;
	}
	if (k >= 0 && routes[k].handle != h_stats && !(s->opt.venues & SIMEX_BINANCE))
		k = -1; /* Binance is not served */
	if (k < 0) {
		reply_error(r, 404, -1000, "Unknown endpoint.");
		return;
	}
	if (routes[k].handle == h_stats) { /* the test harness's window, not an exchange call */
		h_stats(s, q, r);
		return;
	}
	count(s, &s->stats.requests, 1);
	int64_t now = fb_now_ms();
	if (now < s->ban_until || now < s->retry_until) {
		count(s, &s->stats.violations, 1);
		count(s, &s->stats.banned, 1);
		s->ban_until = now + (int64_t)s->opt.ban_s * 1000;
		r->retry_after = s->opt.ban_s;
		reply_error(r, 418, -1003, "Way too many requests; IP banned.");
		return;
	}
	/* fault: a burst of 429s, as an exchange under load sends them, whatever the weight */
	if (s->opt.burst_every_s > 0 && s->opt.burst_s > 0) {
		int64_t period = (int64_t)s->opt.burst_every_s * 1000;
		int64_t into = (now - s->started_real) % period;
		if (now - s->started_real >= period && into < (int64_t)s->opt.burst_s * 1000) {
			count(s, &s->stats.rate_limited, 1);
			s->retry_until = now - into + (int64_t)s->opt.burst_s * 1000;
			r->retry_after = (int)((s->retry_until - now + 999) / 1000);
			reply_error(r, 429, -1003, "Too many requests; current limit is exceeded.");
			return;
		}
	}
	int w = routes[k].weight_fn ? routes[k].weight_fn(q) : routes[k].weight;
	int64_t window_ms = (int64_t)s->opt.weight_window_s * 1000;
	if (now / window_ms != s->window) {
		s->window = now / window_ms;
		s->used = 0;
	}
	if (s->used + w > s->opt.weight_limit) {
		count(s, &s->stats.rate_limited, 1);
		s->retry_until = (s->window + 1) * window_ms;
		r->retry_after = (int)((s->retry_until - now + 999) / 1000);
		reply_error(r, 429, -1003, "Too many requests; current limit is exceeded.");
		return;
	}
	s->used += w;
	count(s, &s->stats.weight_used, (uint64_t)w);
	/* an exchange answers from everything up to now, not from the last 100 ms tick: at 60x a
	 * tick is 6 simulated seconds, and a candle missing for that long looks like a hole */
	sim_model_advance(s->model, clock_now(&s->clock));
	routes[k].handle(s, q, r);
	if (r->status >= 400)
		count(s, &s->stats.errors, 1);
}

/* ---- libwebsockets glue ---- */

typedef struct {
	Reply reply;
	size_t sent;
	int headers_sent;
	void *ws; /* the WebSocket connection's state (stream.c) */
} Pss;

static int send_headers(struct lws *wsi, Simex *s, Pss *pss)
{
	unsigned char buf[LWS_PRE + 1024], *start = buf + LWS_PRE, *p = start,
	                                   *end = buf + sizeof buf - 1;
	char v[32];
	if (lws_add_http_common_headers(wsi, (unsigned int)pss->reply.status,
	                                pss->reply.html ? "text/html" : "application/json",
	                                pss->reply.body.len, &p, end))
		return -1;
	int n = snprintf(v, sizeof v, "%d", s->used);
	if (!pss->reply.bybit &&
	    lws_add_http_header_by_name(wsi, (const unsigned char *)"x-mbx-used-weight-1m:",
	                                (const unsigned char *)v, n, &p, end))
		return -1;
	if (pss->reply.retry_after > 0) {
		n = snprintf(v, sizeof v, "%d", pss->reply.retry_after);
		if (lws_add_http_header_by_name(wsi, (const unsigned char *)"retry-after:",
		                                (const unsigned char *)v, n, &p, end))
			return -1;
	}
	if (lws_finalize_write_http_header(wsi, start, &p, end))
		return -1;
	pss->headers_sent = 1;
	lws_callback_on_writable(wsi);
	return 0;
}

static int callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                    size_t len)
{
	Simex *s = lws_context_user(lws_get_context(wsi));
	Pss *pss = user;
	switch (reason) {
	case LWS_CALLBACK_HTTP: {
		Args q = {.n = 0};
		char frag[160];
		for (int k = 0; q.n < 16 && lws_hdr_copy_fragment(wsi, frag, sizeof frag,
		                                                  WSI_TOKEN_HTTP_URI_ARGS, k) > 0;
		     k++) {
			char *eq = strchr(frag, '=');
			if (!eq)
				continue;
			*eq = '\0';
			records_copy_field(q.a[q.n].key, sizeof q.a[q.n].key, frag);
			records_copy_field(q.a[q.n].val, sizeof q.a[q.n].val, eq + 1);
			q.n++;
		}
		memset(pss, 0, sizeof *pss);
		handle(s, (const char *)in, &q, &pss->reply);
		if (s->opt.slow_ms > 0) {
			lws_set_timer_usecs(wsi, (lws_usec_t)s->opt.slow_ms * 1000);
			return 0;
		}
		return send_headers(wsi, s, pss) ? -1 : 0;
	}
	case LWS_CALLBACK_TIMER:
		if (pss && !pss->headers_sent)
			return send_headers(wsi, s, pss) ? -1 : 0;
		return 0;
	case LWS_CALLBACK_HTTP_WRITEABLE: {
		if (!pss || !pss->headers_sent)
			return 0;
		unsigned char buf[LWS_PRE + 16384];
		size_t left = pss->reply.body.len - pss->sent;
		size_t n = left < 16384 ? left : 16384;
		memcpy(buf + LWS_PRE, pss->reply.body.p ? pss->reply.body.p + pss->sent : "", n);
		int final = n == left;
		if (lws_write(wsi, buf + LWS_PRE, n,
		              final ? LWS_WRITE_HTTP_FINAL : LWS_WRITE_HTTP) != (int)n)
			return -1;
		pss->sent += n;
		if (!final) {
			lws_callback_on_writable(wsi);
			return 0;
		}
		free(pss->reply.body.p);
		pss->reply.body.p = NULL;
		return lws_http_transaction_completed(wsi) ? -1 : 0;
	}
	case LWS_CALLBACK_ESTABLISHED:
	case LWS_CALLBACK_RECEIVE:
	case LWS_CALLBACK_SERVER_WRITEABLE:
	case LWS_CALLBACK_CLOSED: return simex_ws_callback(s, wsi, reason, &pss->ws, in, len);
	case LWS_CALLBACK_CLOSED_HTTP:
	case LWS_CALLBACK_HTTP_DROP_PROTOCOL:
		if (pss) {
			free(pss->reply.body.p);
			pss->reply.body.p = NULL;
		}
		break;
	default: break;
	}
	return lws_callback_http_dummy(wsi, reason, user, in, len);
}

static const struct lws_protocols protocols[] = {
        {"simex", callback, sizeof(Pss), 0, 0, NULL, 0},
        {NULL, NULL, 0, 0, 0, NULL, 0},
};

static void on_tick(lws_sorted_usec_list_t *sul)
{
	Simex *s = lws_container_of(sul, Simex, tick);
	sim_model_advance(s->model, clock_now(&s->clock));
	simex_ws_tick(s);
	lws_sul_schedule(s->ctx, 0, &s->tick, on_tick, 100 * LWS_US_PER_MS);
}

static void *simex_main(void *arg)
{
	Simex *s = arg;
	struct lws_context_creation_info info;
	memset(&info, 0, sizeof info);
	info.port = s->opt.port;
	info.iface = "127.0.0.1";
	info.protocols = protocols;
	info.user = s;
	info.options = LWS_SERVER_OPTION_DISABLE_IPV6;
	info.keepalive_timeout = 30;
	/* 200 streams in a URL come to about 5 KB */
	info.max_http_header_data = 16384;
	/* Binance pings every 3 minutes and drops a client silent for 10 */
	static const lws_retry_bo_t idle = {.secs_since_valid_ping = 180,
	                                    .secs_since_valid_hangup = 600};
	info.retry_and_idle_policy = &idle;
	s->ctx = lws_create_context(&info);
	pthread_mutex_lock(&s->start_lock);
	if (!s->ctx) {
		snprintf(s->start_err, sizeof s->start_err, "cannot listen on 127.0.0.1:%d",
		         s->opt.port);
		s->started = -1;
	} else {
		s->port = lws_get_vhost_listen_port(lws_get_vhost_by_name(s->ctx, "default"));
		s->started = 1;
	}
	pthread_cond_broadcast(&s->start_cond);
	pthread_mutex_unlock(&s->start_lock);
	if (!s->ctx)
		return NULL;
	lws_sul_schedule(s->ctx, 0, &s->tick, on_tick, 100 * LWS_US_PER_MS);
	while (!atomic_load(&s->stop))
		if (lws_service(s->ctx, 0) < 0)
			break;
	return NULL; /* simex_stop destroys the context once this thread is joined */
}

void simex_options_default(SimexOptions *o)
{
	memset(o, 0, sizeof *o);
	o->seed = 1;
	o->speed = 1;
	o->history_minutes = 3 * 1440;
	o->instruments = "data/instruments.csv";
	o->weight_limit = 2400;
	o->weight_window_s = 60;
	o->churn = 1;
	o->ban_s = 120;
	o->truth_intervals = "1m 5m 15m 1h 4h 1d";
	o->capture_speed = 1;
	o->venues = SIMEX_BINANCE;
	o->bybit_limit = 600;
	o->bybit_window_s = 5;
	o->bybit_switch_symbol[0] = "ETHUSDT";
	o->bybit_switch_minutes[0] = 30;
	o->nbybit_switch = 1;
}

Simex *simex_start(const SimexOptions *o, char *err, size_t errlen)
{
	Simex *s = xcalloc(1, sizeof *s);
	s->opt = *o;
	for (int i = 0; i < o->ncapture; i++)
		if (sim_capture_load(o->capture[i], &s->cap, err, errlen)) {
			sim_capture_free(&s->cap);
			free(s);
			return NULL;
		}
	if (o->ncapture) {
		sim_capture_sort(&s->cap);
		log_info("simex", "capture: %zu frames of %d streams (%ld other lines skipped)",
		         s->cap.n, s->cap.nnames, s->cap.skipped);
	}
	int64_t start = o->start_ms ? o->start_ms : fb_now_ms();
	if (o->history_db) {
		s->model = sim_model_new_history(o->history_db, o->seed, err, errlen);
		if (!s->model) {
			sim_capture_free(&s->cap);
			free(s);
			return NULL;
		}
		s->ninst = sim_model_count(s->model);
		/* by default the replay starts history_minutes into the stored data */
		int64_t first = sim_model_first_open(s->model),
		        last = sim_model_last_open(s->model);
		if (!o->start_ms)
			start = first + (int64_t)o->history_minutes * FB_MINUTE_MS;
		if (start > last + sim_model_bar_ms(s->model))
			start = last +
			        sim_model_bar_ms(s->model); /* just after the last bar closed */
		log_info("simex", "history: %d symbols from %s, bars from %lld to %lld", s->ninst,
		         o->history_db, (long long)first, (long long)last);
	} else {
		s->ninst = sim_instruments_load(o->instruments, &s->inst, err, errlen);
		if (s->ninst < 0) {
			sim_capture_free(&s->cap);
			free(s);
			return NULL;
		}
		s->model = sim_model_new(s->inst, s->ninst, o->seed,
		                         start - (int64_t)o->history_minutes * FB_MINUTE_MS,
		                         o->missing_rate);
	}
	sim_model_set_churn(s->model, o->churn);
	s->trade_id = xcalloc((size_t)s->ninst + 1, sizeof *s->trade_id);
	for (int i = 0; i < s->ninst; i++)
		s->trade_id[i] = 100000000LL * (i + 1); /* distinct, as on an exchange */
	clock_init_sim(&s->clock, start, o->speed);
	for (int k = 0; k < SIMEX_MAX_SWITCHES; k++) {
		s->by_switch_i[k] = k < o->nbybit_switch && o->bybit_switch_symbol[k]
		                            ? sim_model_find(s->model, o->bybit_switch_symbol[k])
		                            : -1;
		s->by_switch_t[k] = start + (int64_t)o->bybit_switch_minutes[k] * FB_MINUTE_MS;
	}
	sim_model_advance(s->model, start);
	s->started_real = fb_now_ms();
	rng_seed(&s->fault_rng, o->seed ^ UINT64_C(0xfa017));
	pthread_mutex_init(&s->lock, NULL);
	pthread_mutex_init(&s->start_lock, NULL);
	pthread_cond_init(&s->start_cond, NULL);
	if (pthread_create(&s->thread, NULL, simex_main, s)) {
		snprintf(err, errlen, "cannot start the simex thread");
		sim_model_free(s->model);
		free(s->inst);
		free(s->trade_id);
		sim_capture_free(&s->cap);
		free(s);
		return NULL;
	}
	pthread_mutex_lock(&s->start_lock);
	while (!s->started)
		pthread_cond_wait(&s->start_cond, &s->start_lock);
	pthread_mutex_unlock(&s->start_lock);
	if (s->started < 0) {
		snprintf(err, errlen, "simex: %s", s->start_err);
		pthread_join(s->thread, NULL);
		sim_model_free(s->model);
		free(s->inst);
		free(s->trade_id);
		sim_capture_free(&s->cap);
		free(s);
		return NULL;
	}
	log_info("simex", "listening on 127.0.0.1:%d, %d instruments, seed %llu, speed %g", s->port,
	         s->ninst, (unsigned long long)o->seed, o->speed);
	return s;
}

int simex_port(const Simex *s)
{
	return s->port;
}

void simex_get_stats(Simex *s, SimexStats *out)
{
	pthread_mutex_lock(&s->lock);
	*out = s->stats;
	pthread_mutex_unlock(&s->lock);
}

/* Ground truth: every closed candle of the chosen intervals, in futuresboard's export layout
 * with the same decimals the REST answers use, so it can be imported and compared. */
static int write_truth(Simex *s, int64_t now)
{
	FILE *f = fopen(s->opt.truth_path, "w");
	if (!f) {
		log_error("simex", "cannot write %s", s->opt.truth_path);
		return -1;
	}
	fputs("exchange,symbol,interval,open_time_ms,close_time_ms,open,high,low,close,volume,"
	      "quote_volume,trades,taker_buy_volume,taker_buy_quote_volume,closed\n",
	      f);
	char ivls[128];
	snprintf(ivls, sizeof ivls, "%s", s->opt.truth_intervals);
	for (char *save, *iv = strtok_r(ivls, " ,", &save); iv; iv = strtok_r(NULL, " ,", &save)) {
		int64_t ivl = fb_interval_ms(iv), off = fb_interval_offset_ms(iv);
		int64_t first = sim_model_first_open(s->model);
		if (ivl <= 0)
			continue;
		for (int i = 0; i < s->ninst; i++) {
			const SimInstrument *in = sim_model_instrument(s->model, i);
			int pd = simex_decimals(in->tick), qd = simex_decimals(in->step);
			for (int64_t t = first - ((first - off) % ivl + ivl) % ivl; t + ivl <= now;
			     t += ivl) {
				Candle c;
				if (sim_model_candle(s->model, i, iv, t, now, &c) || !c.closed)
					continue;
				fprintf(f,
				        "simex,%s,%s,%lld,%lld,%.*f,%.*f,%.*f,%.*f,%.*f,%.8f,%lld,%"
				        ".*f,%.8f,1\n",
				        in->symbol, iv, (long long)c.open_time,
				        (long long)c.close_time, pd, c.open, pd, c.high, pd, c.low,
				        pd, c.close, qd, c.volume, c.quote_volume,
				        (long long)c.trades, qd, c.taker_buy_volume,
				        c.taker_buy_quote_volume);
			}
		}
	}
	return fclose(f) == 0 ? 0 : -1;
}

int simex_stop(Simex *s)
{
	if (!s)
		return 0;
	atomic_store(&s->stop, 1);
	lws_cancel_service(s->ctx);
	pthread_join(s->thread, NULL);
	lws_context_destroy(s->ctx);
	int rc = 0;
	if (s->opt.truth_path) {
		int64_t now = clock_now(&s->clock);
		sim_model_advance(s->model, now);
		rc = write_truth(s, now);
	}
	sim_model_free(s->model);
	sim_capture_free(&s->cap);
	free(s->inst);
	free(s->trade_id);
	pthread_mutex_destroy(&s->lock);
	pthread_mutex_destroy(&s->start_lock);
	pthread_cond_destroy(&s->start_cond);
	free(s);
	return rc;
}
