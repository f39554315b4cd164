/* Binance payload parsers over jansson. Every getter checks type and content; a record that
 * fails one check is skipped as a whole. */
#include "feed/binance.h"

#include <ctype.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/jsontok.h"
#include "feed/jsonval.h"
#include "core/numparse.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"

static json_t *load(const char *json, size_t len, char *why, size_t whylen)
{
	json_error_t e;
	json_t *root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &e);
	if (!root)
		snprintf(why, whylen, "bad JSON at byte %d: %.80s", e.position, e.text);
	return root;
}

/* OHLC sanity shared by REST and WebSocket candles. */
static int candle_sane(const Candle *c)
{
	return jv_price_ok(c->open) && jv_price_ok(c->high) && jv_price_ok(c->low) &&
	       jv_price_ok(c->close) && c->high >= c->low && c->high >= c->open &&
	       c->high >= c->close && c->low <= c->open && c->low <= c->close &&
	       jv_qty_ok(c->volume) && jv_quote_ok(c->quote_volume) &&
	       jv_qty_ok(c->taker_buy_volume) && jv_quote_ok(c->taker_buy_quote_volume) &&
	       c->close_time > c->open_time;
}

long binance_parse_klines(const char *json, size_t len, const char *exchange, const char *symbol,
                          const char *interval, int64_t now, Candle **out, long *bad, char *why,
                          size_t whylen)
{
	*bad = 0;
	*out = NULL;
	json_t *root = load(json, len, why, whylen);
	if (!root)
		return -1;
	if (!json_is_array(root)) {
		snprintf(why, whylen, "klines: expected an array");
		json_decref(root);
		return -1;
	}
	size_t n = json_array_size(root), k = 0;
	Candle *v = xmalloc((n ? n : 1) * sizeof *v);
	int64_t ivl = fb_interval_ms(interval);
	for (size_t i = 0; i < n; i++) {
		json_t *row = json_array_get(root, i);
		Candle c;
		memset(&c, 0, sizeof c);
		int64_t trades;
		if (!json_is_array(row) || json_array_size(row) < 11 ||
		    jv_int(json_array_get(row, 0), &c.open_time) ||
		    jv_num(json_array_get(row, 1), &c.open) ||
		    jv_num(json_array_get(row, 2), &c.high) ||
		    jv_num(json_array_get(row, 3), &c.low) ||
		    jv_num(json_array_get(row, 4), &c.close) ||
		    jv_num(json_array_get(row, 5), &c.volume) ||
		    jv_int(json_array_get(row, 6), &c.close_time) ||
		    jv_num(json_array_get(row, 7), &c.quote_volume) ||
		    jv_int(json_array_get(row, 8), &trades) ||
		    jv_num(json_array_get(row, 9), &c.taker_buy_volume) ||
		    jv_num(json_array_get(row, 10), &c.taker_buy_quote_volume) ||
		    !candle_sane(&c) || (ivl > 0 && c.close_time != c.open_time + ivl - 1)) {
			(*bad)++;
			continue;
		}
		c.trades = trades;
		records_copy_field(c.exchange, sizeof c.exchange, exchange);
		records_copy_field(c.symbol, sizeof c.symbol, symbol);
		records_copy_field(c.interval, sizeof c.interval, interval);
		c.closed = c.close_time < now;
		v[k++] = c;
	}
	json_decref(root);
	*out = v;
	return (long)k;
}

long binance_parse_exchange_info(const char *json, size_t len, BinanceSymbol **out, long *bad,
                                 char *why, size_t whylen)
{
	*bad = 0;
	*out = NULL;
	json_t *root = load(json, len, why, whylen);
	if (!root)
		return -1;
	json_t *syms = json_object_get(root, "symbols");
	if (!json_is_array(syms)) {
		snprintf(why, whylen, "exchangeInfo: no symbols array");
		json_decref(root);
		return -1;
	}
	size_t n = json_array_size(syms), k = 0;
	BinanceSymbol *v = xcalloc(n ? n : 1, sizeof *v);
	for (size_t i = 0; i < n; i++) {
		json_t *s = json_array_get(syms, i);
		BinanceSymbol b;
		memset(&b, 0, sizeof b);
		const char *ct = jv_get_str(s, "contractType"), *st = jv_get_str(s, "status"),
		           *base = jv_get_str(s, "baseAsset"), *quote = jv_get_str(s, "quoteAsset");
		/* Delivery contracts are named BTCUSDT_261225: valid for the exchange, not for us. */
		const char *name = jv_get_str(s, "symbol");
		if (!name || !ct || !st || !base || !quote || strlen(base) >= sizeof b.base ||
		    strlen(quote) >= sizeof b.quote) {
			(*bad)++;
			continue;
		}
		if (!records_symbol_valid(name))
			continue;
		records_copy_field(b.symbol, sizeof b.symbol, name);
		records_copy_field(b.base, sizeof b.base, base);
		records_copy_field(b.quote, sizeof b.quote, quote);
		b.perpetual = strcmp(ct, "PERPETUAL") == 0;
		b.trading = strcmp(st, "TRADING") == 0;
		b.tick_size = b.step_size = NAN;
		json_t *f;
		size_t j;
		json_array_foreach(json_object_get(s, "filters"), j, f)
		{
			const char *type = jv_get_str(f, "filterType");
			if (type && strcmp(type, "PRICE_FILTER") == 0)
				jv_get_num(f, "tickSize", &b.tick_size);
			else if (type && strcmp(type, "LOT_SIZE") == 0)
				jv_get_num(f, "stepSize", &b.step_size);
		}
		v[k++] = b;
	}
	json_decref(root);
	*out = v;
	return (long)k;
}

static int ticker_of(const json_t *o, BinanceTicker *t)
{
	memset(t, 0, sizeof *t);
	return jv_get_symbol(o, "symbol", t->symbol) || jv_get_num(o, "lastPrice", &t->last) ||
	                       jv_get_num(o, "priceChangePercent", &t->change_pct) ||
	                       jv_get_num(o, "volume", &t->volume) ||
	                       jv_get_num(o, "quoteVolume", &t->quote_volume) ||
	                       jv_get_int(o, "count", &t->trades) ||
	                       jv_get_int(o, "closeTime", &t->close_time) ||
	                       !jv_price_ok(t->last) || !jv_qty_ok(t->volume) ||
	                       !jv_quote_ok(t->quote_volume) ||
	                       !(t->change_pct >= -100 && t->change_pct <= 1e6)
	               ? -1
	               : 0;
}

long binance_parse_tickers(const char *json, size_t len, BinanceTicker **out, long *bad, char *why,
                           size_t whylen)
{
	*bad = 0;
	*out = NULL;
	json_t *root = load(json, len, why, whylen);
	if (!root)
		return -1;
	size_t n = json_is_array(root) ? json_array_size(root) : 1, k = 0;
	BinanceTicker *v = xcalloc(n, sizeof *v);
	for (size_t i = 0; i < n; i++) {
		json_t *o = json_is_array(root) ? json_array_get(root, i) : root;
		if (ticker_of(o, &v[k]) == 0)
			k++;
		else
			(*bad)++;
	}
	json_decref(root);
	*out = v;
	return (long)k;
}

long binance_parse_funding(const char *json, size_t len, const char *exchange, FundingRate **out,
                           long *bad, char *why, size_t whylen)
{
	*bad = 0;
	*out = NULL;
	json_t *root = load(json, len, why, whylen);
	if (!root)
		return -1;
	if (!json_is_array(root)) {
		snprintf(why, whylen, "fundingRate: expected an array");
		json_decref(root);
		return -1;
	}
	size_t n = json_array_size(root), k = 0;
	FundingRate *v = xcalloc(n ? n : 1, sizeof *v);
	for (size_t i = 0; i < n; i++) {
		json_t *o = json_array_get(root, i);
		FundingRate f;
		memset(&f, 0, sizeof f);
		if (jv_get_symbol(o, "symbol", f.symbol) ||
		    jv_get_int(o, "fundingTime", &f.funding_time) ||
		    jv_get_num(o, "fundingRate", &f.funding_rate) || !jv_rate_ok(f.funding_rate)) {
			(*bad)++;
			continue;
		}
		if (jv_get_num(o, "markPrice", &f.mark_price) || !jv_price_ok(f.mark_price))
			f.mark_price = NAN; /* older rows have "" */
		records_copy_field(f.exchange, sizeof f.exchange, exchange);
		v[k++] = f;
	}
	json_decref(root);
	*out = v;
	return (long)k;
}

long binance_parse_trades(const char *json, size_t len, const char *symbol, int agg, Event **out,
                          long *bad, char *why, size_t whylen)
{
	*bad = 0;
	*out = NULL;
	json_t *root = load(json, len, why, whylen);
	if (!root)
		return -1;
	if (!json_is_array(root)) {
		snprintf(why, whylen, "%s: expected an array", agg ? "aggTrades" : "trades");
		json_decref(root);
		return -1;
	}
	size_t n = json_array_size(root), k = 0;
	Event *v = xcalloc(n ? n : 1, sizeof *v);
	for (size_t i = 0; i < n; i++) {
		json_t *o = json_array_get(root, i);
		Event ev;
		memset(&ev, 0, sizeof ev);
		TradeEvent *t = &ev.u.trade;
		json_t *m = json_object_get(o, agg ? "m" : "isBuyerMaker");
		if (jv_get_int(o, agg ? "a" : "id", &t->id) ||
		    jv_get_num(o, agg ? "p" : "price", &t->price) ||
		    jv_get_num(o, agg ? "q" : "qty", &t->qty) ||
		    jv_get_int(o, agg ? "T" : "time", &ev.ts) || !json_is_boolean(m) ||
		    !(t->price > 0) || !(t->qty >= 0) || !isfinite(t->price) || !isfinite(t->qty)) {
			(*bad)++;
			continue;
		}
		t->buyer_is_maker = json_is_true(m);
		ev.type = EV_AGG_TRADE;
		records_copy_field(ev.symbol, sizeof ev.symbol, symbol);
		v[k++] = ev;
	}
	json_decref(root);
	*out = v;
	return (long)k;
}

int binance_parse_error(const char *json, size_t len, char *msg, size_t msglen)
{
	json_error_t e;
	json_t *root = json_loadb(json, len, 0, &e);
	int code = 0;
	if (msglen)
		msg[0] = '\0';
	if (root && json_is_integer(json_object_get(root, "code"))) {
		code = (int)json_integer_value(json_object_get(root, "code"));
		const char *m = jv_get_str(root, "msg");
		snprintf(msg, msglen, "%s", m ? m : "");
		for (char *p = msg; *p; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				*p = '?';
	}
	json_decref(root);
	return code;
}

/* ---- WebSocket ---- */
#define WS_SINGLE_MAX (64 * 1024) /* bytes of a single-symbol stream's message */
#define WS_MAX_TOKENS (1 << 19)   /* tokens of an all-market message */
/* The hot path: messages are tokenized in place (core/jsontok) rather than built into a
 * jansson tree, with the same checks on every field. */

static int tsym(const J *j, int obj, const char *key, char *out)
{
	char buf[FB_SYMBOL_LEN];
	if (jv_tstr(j, obj, key, buf, sizeof buf) || !records_symbol_valid(buf))
		return -1;
	memcpy(out, buf, FB_SYMBOL_LEN);
	return 0;
}

/* The values of an object's one-letter keys, in one pass over its members (the hot path:
 * a kline's 17 keys are looked up once each instead of scanned for each field). at['x'] is
 * the value token of key "x", or -1. */
static void one_letter_keys(const J *j, int obj, int at[128])
{
	for (int i = 0; i < 128; i++)
		at[i] = -1;
	if (obj < 0 || j->t[obj].type != JT_OBJECT)
		return;
	for (int k = obj + 1; k < j->t[obj].next; k = j->t[k + 1].next) {
		const JsonTok *key = &j->t[k];
		unsigned char ch = (unsigned char)j->s[key->start];
		if (!key->escaped && key->end - key->start == 1 && ch < 128)
			at[ch] = k + 1;
	}
}

static int ws_kline(const J *j, int d, const char *exchange, Event *ev)
{
	int k = jt_get(j->s, j->t, d, "k");
	Candle *c = &ev->u.candle;
	memset(c, 0, sizeof *c);
	char ivl[FB_INTERVAL_LEN], sym[FB_SYMBOL_LEN];
	int64_t trades;
	int at[128];
	one_letter_keys(j, k, at);
	const char *s = j->s;
	const JsonTok *t = j->t;
	int x = jt_bool(t, at['x']);
	if (k < 0 || jt_str(s, t, at['s'], sym, sizeof sym) || !records_symbol_valid(sym) ||
	    jt_str(s, t, at['i'], ivl, sizeof ivl) || fb_interval_ms(ivl) <= 0 ||
	    jt_int(s, t, at['t'], &c->open_time) || jt_int(s, t, at['T'], &c->close_time) ||
	    jt_double(s, t, at['o'], &c->open) || jt_double(s, t, at['h'], &c->high) ||
	    jt_double(s, t, at['l'], &c->low) || jt_double(s, t, at['c'], &c->close) ||
	    jt_double(s, t, at['v'], &c->volume) || jt_double(s, t, at['q'], &c->quote_volume) ||
	    jt_int(s, t, at['n'], &trades) || jt_double(s, t, at['V'], &c->taker_buy_volume) ||
	    jt_double(s, t, at['Q'], &c->taker_buy_quote_volume) || x < 0 || !candle_sane(c) ||
	    c->close_time != c->open_time + fb_interval_ms(ivl) - 1)
		return -1;
	memcpy(c->symbol, sym, sizeof c->symbol);
	c->trades = trades;
	c->closed = x;
	records_copy_field(c->exchange, sizeof c->exchange, exchange);
	records_copy_field(c->interval, sizeof c->interval, ivl);
	ev->type = EV_CANDLE;
	memcpy(ev->symbol, c->symbol, sizeof ev->symbol);
	/* the one convention of live, replay and backtest (event.h): a closed candle is an event
	 * of its close time; a forming one of the message's time, no later than that */
	int64_t e = 0;
	ev->ts =
	        !x && jv_tint(j, d, "E", &e) == 0 && e > 0 && e < c->close_time ? e : c->close_time;
	return 0;
}

static void book_imbalance(BookEvent *b)
{
	double sum = b->bid_qty + b->ask_qty;
	b->imbalance = sum > 0 ? (b->bid_qty - b->ask_qty) / sum : NAN;
}

/* 0 with ev, 1 for an entry with nothing to report, -1 malformed. */
static int ws_entry(const J *j, int d, const char *exchange, int64_t now, Event *ev)
{
	char e[24];
	memset(ev, 0, sizeof *ev);
	if (j->t[d].type != JT_OBJECT || jv_tstr(j, d, "e", e, sizeof e))
		return -1;
	if (strcmp(e, "kline") == 0)
		return ws_kline(j, d, exchange, ev);
	if (strcmp(e, "forceOrder") == 0) {
		int o = jt_get(j->s, j->t, d, "o");
		LiquidationEvent *l = &ev->u.liq;
		char side[8];
		ev->type = EV_LIQUIDATION;
		if (o < 0 || tsym(j, o, "s", ev->symbol) || jv_tstr(j, o, "S", side, sizeof side) ||
		    (strcmp(side, "BUY") != 0 && strcmp(side, "SELL") != 0) ||
		    jv_tnum(j, o, "q", &l->qty) || jv_tnum(j, o, "ap", &l->price) ||
		    jv_tint(j, o, "T", &ev->ts) || !jv_price_ok(l->price) || !jv_qty_ok(l->qty) ||
		    l->qty == 0)
			return -1;
		records_copy_field(l->side, sizeof l->side, side);
		return 0;
	}
	if (tsym(j, d, "s", ev->symbol))
		return -1;
	if (jv_tint(j, d, "E", &ev->ts))
		ev->ts = now;
	if (strcmp(e, "markPriceUpdate") == 0) {
		MarkEvent *m = &ev->u.mark;
		ev->type = EV_MARK;
		if (jv_tnum(j, d, "p", &m->mark) || jv_tnum(j, d, "i", &m->index) ||
		    jv_tnum(j, d, "r", &m->funding_rate) ||
		    jv_tint(j, d, "T", &m->next_funding_time) || !jv_price_ok(m->mark) ||
		    !jv_price_ok(m->index) || !jv_rate_ok(m->funding_rate))
			return -1;
		if (jv_tnum(j, d, "P", &m->settle) || !jv_price_ok(m->settle))
			m->settle = NAN;
		return 0;
	}
	if (strcmp(e, "aggTrade") == 0) {
		TradeEvent *t = &ev->u.trade;
		int m = jt_bool(j->t, jt_get(j->s, j->t, d, "m"));
		ev->type = EV_AGG_TRADE;
		if (jv_tint(j, d, "a", &t->id) || jv_tnum(j, d, "p", &t->price) ||
		    jv_tnum(j, d, "q", &t->qty) || jv_tint(j, d, "T", &ev->ts) || m < 0 ||
		    !jv_price_ok(t->price) || !jv_qty_ok(t->qty))
			return -1;
		t->buyer_is_maker = m;
		return 0;
	}
	if (strcmp(e, "trade") == 0) { /* <symbol>@trade: every trade; X: its kind */
		TradeEvent *t = &ev->u.trade;
		int m = jt_bool(j->t, jt_get(j->s, j->t, d, "m"));
		char kind[16] = "MARKET";
		int x = jt_get(j->s, j->t, d, "X");
		ev->type = EV_AGG_TRADE;
		if (jv_tint(j, d, "t", &t->id) || jv_tnum(j, d, "p", &t->price) ||
		    jv_tnum(j, d, "q", &t->qty) || jv_tint(j, d, "T", &ev->ts) || m < 0 ||
		    !jv_price_ok(t->price) || !jv_qty_ok(t->qty) ||
		    (x >= 0 && jt_str(j->s, j->t, x, kind, sizeof kind)))
			return -1;
		if (strcmp(kind, "MARKET") != 0)
			return 1; /* insurance-fund and ADL fills are not taker flow: no event */
		t->buyer_is_maker = m;
		return 0;
	}
	if (strcmp(e, "bookTicker") == 0) {
		BookEvent *b = &ev->u.book;
		ev->type = EV_BOOK_TOP;
		if (jv_tnum(j, d, "b", &b->bid) || jv_tnum(j, d, "B", &b->bid_qty) ||
		    jv_tnum(j, d, "a", &b->ask) || jv_tnum(j, d, "A", &b->ask_qty) ||
		    jv_tint(j, d, "u", &b->update_id) || !jv_price_ok(b->bid) ||
		    !jv_price_ok(b->ask) || !jv_qty_ok(b->bid_qty) || !jv_qty_ok(b->ask_qty))
			return -1;
		book_imbalance(b);
		return 0;
	}
	if (strcmp(e, "depthUpdate") == 0) { /* <symbol>@depth5: the first levels are the top */
		BookEvent *b = &ev->u.book;
		int b0 = jt_index(j->t, jt_get(j->s, j->t, d, "b"), 0);
		int a0 = jt_index(j->t, jt_get(j->s, j->t, d, "a"), 0);
		ev->type = EV_BOOK_TOP;
		if (b0 < 0 || a0 < 0 || jt_double(j->s, j->t, jt_index(j->t, b0, 0), &b->bid) ||
		    jt_double(j->s, j->t, jt_index(j->t, b0, 1), &b->bid_qty) ||
		    jt_double(j->s, j->t, jt_index(j->t, a0, 0), &b->ask) ||
		    jt_double(j->s, j->t, jt_index(j->t, a0, 1), &b->ask_qty) ||
		    jv_tint(j, d, "u", &b->update_id) || !jv_price_ok(b->bid) ||
		    !jv_price_ok(b->ask) || !jv_qty_ok(b->bid_qty) || !jv_qty_ok(b->ask_qty))
			return -1;
		book_imbalance(b);
		return 0;
	}
	if (strcmp(e, "24hrTicker") == 0 || strcmp(e, "24hrMiniTicker") == 0) {
		TickerEvent *t = &ev->u.ticker;
		ev->type = EV_TICKER_24H;
		t->tick_size = 0;
		double open;
		if (jv_tnum(j, d, "c", &t->last) || jv_tnum(j, d, "v", &t->volume) ||
		    jv_tnum(j, d, "q", &t->quote_volume) || !jv_price_ok(t->last) ||
		    !jv_qty_ok(t->volume) || !jv_quote_ok(t->quote_volume))
			return -1;
		if (jv_tnum(j, d, "P", &t->change_pct))
			t->change_pct = jv_tnum(j, d, "o", &open) == 0 && open > 0
			                        ? (t->last / open - 1) * 100
			                        : NAN;
		if (jv_tint(j, d, "n", &t->trades))
			t->trades = -1;
		return 0;
	}
	return -1;
}

static int ws_parse_tokens(const char *msg, const JsonTok *t, const char *exchange, int64_t now,
                           Event *out, int max, char *why, size_t whylen);

int binance_parse_ws(const char *msg, size_t len, const char *exchange, int64_t now, Event *out,
                     int max, char *why, size_t whylen)
{
	/* A single symbol's event is a few hundred bytes; only the all-market streams (!...,
	 * arrays of every symbol) are big. Anything else that large is refused unread. */
	static const char key[] = "{\"stream\":\"";
	if (len > WS_SINGLE_MAX) {
		int all = len > sizeof key && memcmp(msg, key, sizeof key - 1) == 0
		                  ? msg[sizeof key - 1] == '!'
		                  : msg[0] == '[';
		if (!all) {
			snprintf(why, whylen, "a %zu-byte message on a single-symbol stream", len);
			return -1;
		}
	}
	/* tokens on the stack; the all-market arrays (once a second) get a heap buffer, up to
	 * WS_MAX_TOKENS (about 20,000 for 700 symbols' tickers) */
	JsonTok small[512], *big = NULL, *t = small;
	int n = jt_parse(msg, len, t, 512);
	for (int want = 8192; n == -2 && want <= WS_MAX_TOKENS; want *= 4) {
		big = xrealloc(big, (size_t)want * sizeof *big);
		t = big;
		n = jt_parse(msg, len, t, want);
	}
	if (n < 0) {
		snprintf(why, whylen, n == -2 ? "message too large" : "not JSON (%zu bytes)", len);
		free(big);
		return -1;
	}
	int got = ws_parse_tokens(msg, t, exchange, now, out, max, why, whylen);
	free(big);
	return got;
}

/* The events in a tokenized message; see binance_parse_ws. */
static int ws_parse_tokens(const char *msg, const JsonTok *t, const char *exchange, int64_t now,
                           Event *out, int max, char *why, size_t whylen)
{
	J j = {msg, t};
	int d = 0;
	if (t[0].type == JT_OBJECT && jt_get(msg, t, 0, "stream") >= 0) {
		d = jt_get(msg, t, 0, "data");
		if (d < 0) {
			snprintf(why, whylen, "combined message without data");
			return -1;
		}
	}
	if (t[d].type == JT_OBJECT && jt_get(msg, t, d, "id") >= 0 && jt_get(msg, t, d, "e") < 0)
		return 0; /* a reply to SUBSCRIBE and the like */
	int count = t[d].type == JT_ARRAY ? jt_count(t, d) : 1, got = 0;
	int e = t[d].type == JT_ARRAY ? d + 1 : d;
	for (int i = 0; i < count && got < max; i++, e = t[e].next) {
		int st = t[e].type == JT_OBJECT ? jt_get(msg, t, e, "st") : -1;
		int64_t stv;
		if (st >= 0 && t[st].type == JT_NUMBER && jt_int(msg, t, st, &stv) == 0 && stv != 1)
			continue; /* COIN-M entries of a merged all-market stream */
		int r = ws_entry(&j, e, exchange, now, &out[got]); /* 1: nothing to report */
		if (r == 0)
			got++;
		else if (r < 0 && t[d].type != JT_ARRAY) {
			char type[24] = "";
			if (t[e].type == JT_OBJECT)
				jv_tstr(&j, e, "e", type, sizeof type);
			snprintf(why, whylen, "malformed %s message", type[0] ? type : "unknown");
			return -1;
		}
	}
	return got;
}

int binance_time_ok(int64_t t, int64_t now)
{
	return jv_time_ok(t, now);
}

int64_t binance_parse_server_time(const char *json, size_t len, int64_t now, char *why,
                                  size_t whylen)
{
	json_error_t e;
	json_t *root = json_loadb(json, len, 0, &e);
	json_t *t = json_object_get(root, "serverTime");
	int64_t v = json_is_integer(t) ? (int64_t)json_integer_value(t) : -1;
	json_decref(root);
	if (v <= 0) {
		snprintf(why, whylen, "no serverTime in the answer");
		return -1;
	}
	/* a time near INT64_MAX once made the backfill loop for ever */
	if (!binance_time_ok(v, now)) {
		snprintf(why, whylen, "serverTime %lld is not a plausible time", (long long)v);
		return -1;
	}
	return v;
}

int binance_parse_open_interest(const char *json, size_t len, int64_t now, double *contracts,
                                int64_t *ts)
{
	json_error_t e;
	json_t *root = json_loadb(json, len, 0, &e);
	const char *oi = json_string_value(json_object_get(root, "openInterest"));
	json_t *t = json_object_get(root, "time");
	double v;
	int ok = oi && fb_parse_double(oi, &v) == 0 && v >= 0 && v <= 1e15 && json_is_integer(t) &&
	         binance_time_ok((int64_t)json_integer_value(t), now);
	if (ok) {
		*contracts = v;
		*ts = (int64_t)json_integer_value(t);
	}
	json_decref(root);
	return ok ? 0 : -1;
}

long binance_parse_ratios(const char *json, size_t len, const char *field, double max, int64_t now,
                          double *v, int64_t *ts, long cap, long *bad)
{
	json_error_t e;
	json_t *root = json_loadb(json, len, 0, &e), *row;
	*bad = 0;
	if (!json_is_array(root)) {
		json_decref(root);
		return -1;
	}
	long n = 0;
	size_t i;
	json_array_foreach(root, i, row)
	{
		const char *val = json_string_value(json_object_get(row, field));
		json_t *tj = json_object_get(row, "timestamp");
		int64_t t = json_is_integer(tj)  ? (int64_t)json_integer_value(tj)
		            : json_is_string(tj) ? strtoll(json_string_value(tj), NULL, 10)
		                                 : 0;
		double x;
		if (val && binance_time_ok(t, now) && fb_parse_double(val, &x) == 0 && x >= 0 &&
		    x <= max) {
			if (n < cap) {
				v[n] = x;
				ts[n++] = t;
			}
		} else
			(*bad)++;
	}
	json_decref(root);
	return n;
}
