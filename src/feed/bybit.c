/* Bybit V5 payload parsers: REST over jansson, the WebSocket's hot path over core/jsontok.
 * Every getter checks type and content; a row that fails one check is skipped as a whole. */
#include "feed/bybit.h"

#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hash.h"
#include "core/jsontok.h"
#include "feed/jsonval.h"
#include "core/numparse.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"

static const struct {
	const char *ours, *theirs;
} intervals[] = {{"1m", "1"},  {"3m", "3"},   {"5m", "5"},   {"15m", "15"}, {"30m", "30"},
                 {"1h", "60"}, {"2h", "120"}, {"4h", "240"}, {"6h", "360"}, {"12h", "720"},
                 {"1d", "D"},  {"1w", "W"},   {"1M", "M"}};

const char *bybit_interval(const char *ours)
{
	for (size_t i = 0; i < sizeof intervals / sizeof *intervals; i++)
		if (strcmp(intervals[i].ours, ours) == 0)
			return intervals[i].theirs;
	return NULL;
}

const char *bybit_interval_ours(const char *theirs)
{
	for (size_t i = 0; i < sizeof intervals / sizeof *intervals; i++)
		if (strcmp(intervals[i].theirs, theirs) == 0)
			return intervals[i].ours;
	return NULL;
}

/* ---- REST ---- */

static void sanitise(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

/* A coin name: 1 to 15 upper-case letters and digits. */
static int get_coin(const json_t *o, const char *key, char *out, size_t outlen)
{
	const char *s = jv_get_str(o, key);
	size_t n = s ? strlen(s) : 0;
	if (!n || n >= outlen)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (!(isupper((unsigned char)s[i]) || isdigit((unsigned char)s[i])))
			return -1;
	memcpy(out, s, n + 1);
	return 0;
}

/* The envelope: root (caller decrefs) and its result object, or NULL with why. */
static json_t *envelope(const char *json, size_t len, json_t **result, char *why, size_t whylen)
{
	json_error_t e;
	json_t *root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &e);
	if (!root) {
		size_t i = 0;
		while (i < len && isspace((unsigned char)json[i]))
			i++;
		if (i < len && json[i] == '<')
			snprintf(why, whylen, "an HTML page, not JSON");
		else
			snprintf(why, whylen, "bad JSON at byte %d: %.80s", e.position, e.text);
		return NULL;
	}
	json_t *code = json_object_get(root, "retCode");
	if (!json_is_integer(code)) {
		snprintf(why, whylen, "no retCode in the answer");
		json_decref(root);
		return NULL;
	}
	if (json_integer_value(code) != 0) {
		const char *m = jv_get_str(root, "retMsg");
		snprintf(why, whylen, "retCode %lld: %.120s", (long long)json_integer_value(code),
		         m ? m : "");
		sanitise(why);
		json_decref(root);
		return NULL;
	}
	*result = json_object_get(root, "result");
	if (!json_is_object(*result)) {
		snprintf(why, whylen, "no result object in the answer");
		json_decref(root);
		return NULL;
	}
	return root;
}

/* The result's list, or NULL with why. */
static json_t *result_list(const json_t *result, char *why, size_t whylen)
{
	json_t *list = json_object_get(result, "list");
	if (!json_is_array(list))
		snprintf(why, whylen, "no list in the result");
	return json_is_array(list) ? list : NULL;
}

/* The envelope's result and its list, or NULL with why; *root is the caller's to decref. */
static json_t *open_list(const char *json, size_t len, json_t **root, json_t **result, char *why,
                         size_t whylen)
{
	*root = envelope(json, len, result, why, whylen);
	json_t *list = *root ? result_list(*result, why, whylen) : NULL;
	if (*root && !list) {
		json_decref(*root);
		*root = NULL;
	}
	return list;
}

static void get_cursor(const json_t *result, char *cursor, size_t cursorlen)
{
	if (!cursor || !cursorlen)
		return;
	const char *c = jv_get_str(result, "nextPageCursor");
	cursor[0] = '\0';
	if (!c || strlen(c) >= cursorlen)
		return;
	for (const char *p = c; *p; p++) /* a cursor goes back into a URL: keep it plain */
		if (!(isalnum((unsigned char)*p) || strchr("=%-_.:", *p)))
			return;
	memcpy(cursor, c, strlen(c) + 1);
}

int bybit_body_error(const char *body, size_t len, char *msg, size_t msglen)
{
	if (msglen)
		msg[0] = '\0';
	size_t i = 0;
	while (i < len && isspace((unsigned char)body[i]))
		i++;
	if (i < len && body[i] == '<') { /* CloudFront's 403 page (a ban or a geo-block) */
		snprintf(msg, msglen, "an HTML page (access too frequent, or a blocked region)");
		return 1;
	}
	json_error_t e;
	json_t *root = json_loadb(body, len, 0, &e);
	json_t *code = json_object_get(root, "retCode");
	int r = 0;
	if (json_is_integer(code) && json_integer_value(code) != 0) {
		long long c = (long long)json_integer_value(code);
		const char *m = jv_get_str(root, "retMsg");
		snprintf(msg, msglen, "retCode %lld: %.160s", c, m ? m : "");
		sanitise(msg);
		r = c == 10006 || c == 10018 ? 2 : 1;
	}
	json_decref(root);
	return r;
}

long bybit_parse_instruments(const char *json, size_t len, BybitInstrument **out, char *cursor,
                             size_t cursorlen, long *bad, char *why, size_t whylen)
{
	json_t *result, *root, *row, *list = open_list(json, len, &root, &result, why, whylen);
	*bad = 0;
	*out = NULL;
	if (cursor && cursorlen)
		cursor[0] = '\0';
	if (!list)
		return -1;
	get_cursor(result, cursor, cursorlen);
	BybitInstrument *v = xcalloc(json_array_size(list) + 1, sizeof *v);
	long n = 0;
	size_t i;
	json_array_foreach(list, i, row)
	{
		const char *type = jv_get_str(row, "contractType"),
		           *status = jv_get_str(row, "status");
		const char *quote = jv_get_str(row, "quoteCoin");
		if (!type || !quote || strcmp(type, "LinearPerpetual") != 0 ||
		    strcmp(quote, "USDT") != 0 || (status && strcmp(status, "Trading") != 0))
			continue; /* dated futures, USDC perpetuals, pre-launch or settling */
		BybitInstrument *b = &v[n];
		memset(b, 0, sizeof *b);
		json_t *pf = json_object_get(row, "priceFilter");
		json_t *lf = json_object_get(row, "lotSizeFilter");
		int64_t fi = 480;
		json_t *fij = json_object_get(row, "fundingInterval");
		if (jv_get_symbol(row, "symbol", b->symbol) ||
		    get_coin(row, "baseCoin", b->base, sizeof b->base) ||
		    get_coin(row, "quoteCoin", b->quote, sizeof b->quote) ||
		    jv_get_num(pf, "tickSize", &b->tick_size) || !jv_price_ok(b->tick_size) ||
		    jv_get_num(lf, "qtyStep", &b->step_size) || !(b->step_size > 0) ||
		    (fij && (jv_int(fij, &fi) || fi < 1 || fi > 24 * 60))) {
			(*bad)++;
			continue;
		}
		b->funding_interval_min = (int)fi;
		n++;
	}
	json_decref(root);
	*out = v;
	return n;
}

long bybit_parse_tickers(const char *json, size_t len, int64_t now, int64_t *time,
                         BybitTicker **out, long *bad, char *why, size_t whylen)
{
	json_t *result, *root, *row, *list = open_list(json, len, &root, &result, why, whylen);
	*bad = 0;
	*out = NULL;
	if (time)
		*time = 0;
	if (!list)
		return -1;
	int64_t at;
	if (time && jv_get_int(root, "time", &at) == 0 && jv_time_ok(at, now))
		*time = at;
	BybitTicker *v = xcalloc(json_array_size(list) + 1, sizeof *v);
	long n = 0;
	size_t i;
	json_array_foreach(list, i, row)
	{
		BybitTicker *t = &v[n];
		memset(t, 0, sizeof *t);
		if (jv_get_symbol(row, "symbol", t->symbol) ||
		    jv_get_num(row, "lastPrice", &t->last) || !jv_price_ok(t->last) ||
		    jv_get_num(row, "turnover24h", &t->turnover) || !jv_quote_ok(t->turnover) ||
		    jv_get_num(row, "volume24h", &t->volume) || !jv_qty_ok(t->volume)) {
			(*bad)++;
			continue;
		}
		if (jv_get_num(row, "price24hPcnt", &t->change_pct) || fabs(t->change_pct) > 1e3)
			t->change_pct = NAN;
		else
			t->change_pct *= 100; /* a fraction: "0.0123" is 1.23 % */
		if (jv_get_num(row, "markPrice", &t->mark) || !jv_price_ok(t->mark))
			t->mark = NAN;
		if (jv_get_num(row, "indexPrice", &t->index) || !jv_price_ok(t->index))
			t->index = NAN;
		if (jv_get_num(row, "openInterest", &t->open_interest) ||
		    !jv_qty_ok(t->open_interest))
			t->open_interest = NAN;
		if (jv_get_num(row, "fundingRate", &t->funding_rate) ||
		    !jv_rate_ok(t->funding_rate))
			t->funding_rate = NAN;
		if (jv_get_int(row, "nextFundingTime", &t->next_funding_time))
			t->next_funding_time = 0;
		n++;
	}
	json_decref(root);
	*out = v;
	return n;
}

static int candle_sane(const Candle *c)
{
	return jv_price_ok(c->open) && jv_price_ok(c->high) && jv_price_ok(c->low) &&
	       jv_price_ok(c->close) && c->high >= c->low && c->high >= c->open &&
	       c->high >= c->close && c->low <= c->open && c->low <= c->close &&
	       jv_qty_ok(c->volume) && (isnan(c->quote_volume) || jv_quote_ok(c->quote_volume)) &&
	       c->close_time > c->open_time;
}

static int by_open_time(const void *a, const void *b)
{
	const Candle *x = a, *y = b;
	return x->open_time < y->open_time ? -1 : x->open_time > y->open_time;
}

long bybit_parse_klines(const char *json, size_t len, const char *exchange, const char *symbol,
                        const char *interval, int64_t now, Candle **out, long *bad, char *why,
                        size_t whylen)
{
	json_t *result, *root, *row, *list = open_list(json, len, &root, &result, why, whylen);
	*bad = 0;
	*out = NULL;
	if (!list)
		return -1;
	int64_t ivl = fb_interval_ms(interval);
	if (ivl <= 0) {
		snprintf(why, whylen, "unsupported interval '%s'", interval);
		json_decref(root);
		return -1;
	}
	size_t n = json_array_size(list), k = 0;
	Candle *v = xmalloc((n ? n : 1) * sizeof *v);
	size_t i;
	json_array_foreach(list, i, row)
	{
		Candle c;
		memset(&c, 0, sizeof c);
		size_t cols = json_array_size(row);
		if (!json_is_array(row) || (cols != 5 && cols < 7) ||
		    jv_int(json_array_get(row, 0), &c.open_time) || !jv_time_ok(c.open_time, now) ||
		    jv_num(json_array_get(row, 1), &c.open) ||
		    jv_num(json_array_get(row, 2), &c.high) ||
		    jv_num(json_array_get(row, 3), &c.low) ||
		    jv_num(json_array_get(row, 4), &c.close)) {
			(*bad)++;
			continue;
		}
		c.volume = 0;
		c.quote_volume = NAN;
		if (cols >= 7 && (jv_num(json_array_get(row, 5), &c.volume) ||
		                  jv_num(json_array_get(row, 6), &c.quote_volume))) {
			(*bad)++;
			continue;
		}
		c.close_time = c.open_time + ivl - 1;
		c.trades = -1;
		c.taker_buy_volume = c.taker_buy_quote_volume = NAN;
		if (!candle_sane(&c)) {
			(*bad)++;
			continue;
		}
		records_copy_field(c.exchange, sizeof c.exchange, exchange);
		records_copy_field(c.symbol, sizeof c.symbol, symbol);
		records_copy_field(c.interval, sizeof c.interval, interval);
		c.closed = c.close_time < now; /* no flag on REST: the newest row is still open */
		v[k++] = c;
	}
	json_decref(root);
	qsort(v, k, sizeof *v, by_open_time); /* newest first on the wire */
	*out = v;
	return (long)k;
}

static int by_funding_time(const void *a, const void *b)
{
	const FundingRate *x = a, *y = b;
	return x->funding_time < y->funding_time ? -1 : x->funding_time > y->funding_time;
}

long bybit_parse_funding(const char *json, size_t len, const char *exchange, FundingRate **out,
                         long *bad, char *why, size_t whylen)
{
	json_t *result, *root, *row, *list = open_list(json, len, &root, &result, why, whylen);
	*bad = 0;
	*out = NULL;
	if (!list)
		return -1;
	FundingRate *v = xcalloc(json_array_size(list) + 1, sizeof *v);
	long n = 0;
	size_t i;
	int64_t now = fb_now_ms();
	json_array_foreach(list, i, row)
	{
		FundingRate *f = &v[n];
		memset(f, 0, sizeof *f);
		if (jv_get_symbol(row, "symbol", f->symbol) ||
		    jv_get_num(row, "fundingRate", &f->funding_rate) ||
		    !jv_rate_ok(f->funding_rate) ||
		    jv_get_int(row, "fundingRateTimestamp", &f->funding_time) ||
		    !jv_time_ok(f->funding_time, now)) {
			(*bad)++;
			continue;
		}
		records_copy_field(f->exchange, sizeof f->exchange, exchange);
		f->mark_price = NAN; /* Bybit's history gives none */
		n++;
	}
	json_decref(root);
	qsort(v, (size_t)n, sizeof *v, by_funding_time);
	*out = v;
	return n;
}

/* Points (v, ts) sorted by time, ascending. */
static void sort_points(double *v, int64_t *ts, long n)
{
	for (long i = 1; i < n; i++) { /* insertion: the lists are short and nearly reversed */
		double x = v[i];
		int64_t t = ts[i];
		long j = i;
		for (; j > 0 && ts[j - 1] > t; j--) {
			v[j] = v[j - 1];
			ts[j] = ts[j - 1];
		}
		v[j] = x;
		ts[j] = t;
	}
}

long bybit_parse_open_interest(const char *json, size_t len, int64_t now, double *v, int64_t *ts,
                               long cap, int *both, char *cursor, size_t cursorlen, long *bad,
                               char *why, size_t whylen)
{
	json_t *result, *root, *row, *list = open_list(json, len, &root, &result, why, whylen);
	*bad = 0;
	*both = 0;
	if (cursor && cursorlen)
		cursor[0] = '\0';
	if (!list)
		return -1;
	get_cursor(result, cursor, cursorlen);
	long n = 0;
	size_t i;
	json_array_foreach(list, i, row)
	{
		double x;
		int64_t t;
		int halve = 0;
		if (jv_get_num(row, "singleOpenInterest", &x)) {
			halve = 1; /* openInterest: the sum of both sides */
			if (jv_get_num(row, "openInterest", &x)) {
				(*bad)++;
				continue;
			}
		}
		if (jv_get_int(row, "timestamp", &t) || !jv_time_ok(t, now) || !jv_qty_ok(x)) {
			(*bad)++;
			continue;
		}
		if (halve)
			*both = 1;
		if (n < cap) {
			v[n] = halve ? x / 2 : x;
			ts[n++] = t;
		}
	}
	json_decref(root);
	sort_points(v, ts, n);
	return n;
}

long bybit_parse_account_ratio(const char *json, size_t len, int64_t now, double *v, int64_t *ts,
                               long cap, long *bad, char *why, size_t whylen)
{
	json_t *result, *root, *row, *list = open_list(json, len, &root, &result, why, whylen);
	*bad = 0;
	if (!list)
		return -1;
	long n = 0;
	size_t i;
	json_array_foreach(list, i, row)
	{
		double buy, sell;
		int64_t t;
		if (jv_get_num(row, "buyRatio", &buy) || jv_get_num(row, "sellRatio", &sell) ||
		    !(buy >= 0 && buy <= 1) || !(sell > 0 && sell <= 1) ||
		    jv_get_int(row, "timestamp", &t) || !jv_time_ok(t, now)) {
			(*bad)++;
			continue;
		}
		if (n < cap) {
			v[n] = buy / sell; /* long/short accounts, as Binance's longShortRatio */
			ts[n++] = t;
		}
	}
	json_decref(root);
	sort_points(v, ts, n);
	return n;
}

int64_t bybit_parse_server_time(const char *json, size_t len, int64_t now, char *why, size_t whylen)
{
	json_t *result, *root = envelope(json, len, &result, why, whylen);
	if (!root)
		return -1;
	int64_t t = -1, ns;
	if (jv_get_int(result, "timeNano", &ns) == 0)
		t = ns / 1000000;
	else if (jv_get_int(result, "timeSecond", &ns) == 0 && ns < INT64_MAX / 1000)
		t = ns * 1000;
	json_decref(root);
	if (t <= 0) {
		snprintf(why, whylen, "no timeSecond in the answer");
		return -1;
	}
	if (!jv_time_ok(t, now)) {
		snprintf(why, whylen, "server time %lld is not a plausible time", (long long)t);
		return -1;
	}
	return t;
}

/* ---- WebSocket ---- */

#define WS_MAX_BYTES  (1 << 20) /* a message: 1024 trades come to about 200 KB */
#define WS_MAX_TOKENS (1 << 16)

/* A symbol's merged ticker and book top. Fields not heard of yet are NAN. */
typedef struct {
	char symbol[FB_SYMBOL_LEN];
	double mark, index, funding_rate;
	int64_t next_funding_time;
	int ticker; /* a snapshot came: deltas merge into it */
	double bid, bid_qty, ask, ask_qty;
	int64_t book_u;
} SymTop;

struct BybitParser {
	SymTop *v;    /* open addressing on the symbol */
	size_t cap;   /* a power of two */
	size_t count; /* slots used */
};

BybitParser *bybit_parser_new(void)
{
	BybitParser *p = xcalloc(1, sizeof *p);
	p->cap = 64;
	p->v = xcalloc(p->cap, sizeof *p->v);
	return p;
}

void bybit_parser_free(BybitParser *p)
{
	if (!p)
		return;
	free(p->v);
	free(p);
}

void bybit_parser_reset(BybitParser *p)
{
	memset(p->v, 0, p->cap * sizeof *p->v);
	p->count = 0;
}

static uint64_t sym_hash(const char *s)
{
	uint64_t h = UINT64_C(14695981039346656037);
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * UINT64_C(1099511628211);
	return h;
}

static SymTop *sym_top(BybitParser *p, const char *symbol)
{
	if ((p->count + 1) * 2 > p->cap) { /* grow to keep the table half empty */
		SymTop *old = p->v;
		size_t oldcap = p->cap;
		p->cap *= 2;
		p->v = xcalloc(p->cap, sizeof *p->v);
		for (size_t i = 0; i < oldcap; i++)
			if (old[i].symbol[0]) {
				size_t k = sym_hash(old[i].symbol) & (p->cap - 1);
				while (p->v[k].symbol[0])
					k = (k + 1) & (p->cap - 1);
				p->v[k] = old[i];
			}
		free(old);
	}
	size_t k = sym_hash(symbol) & (p->cap - 1);
	while (p->v[k].symbol[0] && strcmp(p->v[k].symbol, symbol) != 0)
		k = (k + 1) & (p->cap - 1);
	SymTop *s = &p->v[k];
	if (!s->symbol[0]) {
		memcpy(s->symbol, symbol, FB_SYMBOL_LEN);
		s->mark = s->index = s->funding_rate = NAN;
		s->bid = s->bid_qty = s->ask = s->ask_qty = NAN;
		p->count++;
	}
	return s;
}

const char *bybit_message_topic(const char *msg, size_t len, size_t *n)
{
	static const char key[] = "{\"topic\":\"";
	if (len < sizeof key || memcmp(msg, key, sizeof key - 1) != 0)
		return NULL;
	const char *name = msg + sizeof key - 1;
	const char *end = memchr(name, '"', len - (sizeof key - 1));
	if (!end)
		return NULL;
	*n = (size_t)(end - name);
	return name;
}

/* A kline's keys, told apart by their length and first letter (each pair is unique). */
enum { K_START, K_END, K_OPEN, K_HIGH, K_LOW, K_CLOSE, K_VOLUME, K_TURNOVER, K_CONFIRM, K_TS, NK };
static const char *const kline_key[NK] = {"start", "end",    "open",     "high",    "low",
                                          "close", "volume", "turnover", "confirm", "timestamp"};

/* The value tokens of a kline object's keys in one pass over its members (the hot path: a
 * lookup per field scanned the members for each); -1 when absent. */
static void kline_keys(const J *j, int obj, int at[NK])
{
	for (int i = 0; i < NK; i++)
		at[i] = -1;
	for (int k = obj + 1; k < j->t[obj].next; k = j->t[k + 1].next) {
		const JsonTok *key = &j->t[k];
		const char *s = j->s + key->start;
		int len = key->end - key->start, f;
		switch (len << 8 | (unsigned char)s[0]) {
		case 5 << 8 | 's': f = K_START; break;
		case 3 << 8 | 'e': f = K_END; break;
		case 4 << 8 | 'o': f = K_OPEN; break;
		case 4 << 8 | 'h': f = K_HIGH; break;
		case 3 << 8 | 'l': f = K_LOW; break;
		case 5 << 8 | 'c': f = K_CLOSE; break;
		case 6 << 8 | 'v': f = K_VOLUME; break;
		case 8 << 8 | 't': f = K_TURNOVER; break;
		case 7 << 8 | 'c': f = K_CONFIRM; break;
		case 9 << 8 | 't': f = K_TS; break;
		default: continue;
		}
		if (!key->escaped && memcmp(s, kline_key[f], (size_t)len) == 0)
			at[f] = k + 1;
	}
}

static int ws_kline(const J *j, int e, const char *exchange, const char *symbol,
                    const char *interval, int64_t ts, int64_t now, Event *ev)
{
	Candle *c = &ev->u.candle;
	memset(ev, 0, sizeof *ev);
	if (j->t[e].type != JT_OBJECT)
		return -1;
	int64_t ivl = fb_interval_ms(interval);
	int at[NK];
	kline_keys(j, e, at);
	const char *s = j->s;
	const JsonTok *t = j->t;
	int x = jt_bool(t, at[K_CONFIRM]);
	if (jt_int(s, t, at[K_START], &c->open_time) || jt_int(s, t, at[K_END], &c->close_time) ||
	    jt_double(s, t, at[K_OPEN], &c->open) || jt_double(s, t, at[K_HIGH], &c->high) ||
	    jt_double(s, t, at[K_LOW], &c->low) || jt_double(s, t, at[K_CLOSE], &c->close) ||
	    jt_double(s, t, at[K_VOLUME], &c->volume) ||
	    jt_double(s, t, at[K_TURNOVER], &c->quote_volume) || x < 0 ||
	    !jv_time_ok(c->open_time, now) || c->close_time != c->open_time + ivl - 1)
		return -1;
	c->trades = -1;
	c->taker_buy_volume = c->taker_buy_quote_volume = NAN;
	if (!candle_sane(c))
		return -1;
	memcpy(c->symbol, symbol, FB_SYMBOL_LEN);
	records_copy_field(c->exchange, sizeof c->exchange, exchange);
	records_copy_field(c->interval, sizeof c->interval, interval);
	c->closed = x;
	ev->type = EV_CANDLE;
	memcpy(ev->symbol, symbol, FB_SYMBOL_LEN);
	int64_t m = 0;
	ev->ts = !x && jt_int(s, t, at[K_TS], &m) == 0 && m > 0 && m < c->close_time ? m
	         : !x && ts > 0 && ts < c->close_time                                ? ts
	                                              : c->close_time;
	return 0;
}

/* A field of a ticker snapshot or delta: 1 taken, 0 absent, -1 malformed. */
static int tick_field(const J *j, int d, const char *key, double *into, int (*ok)(double))
{
	int k = jt_get(j->s, j->t, d, key);
	double v;
	if (k < 0)
		return 0;
	if (jt_double(j->s, j->t, k, &v) || !ok(v))
		return -1;
	*into = v;
	return 1;
}

static int ws_ticker(BybitParser *p, const J *j, int d, const char *symbol, int snapshot,
                     int64_t ts, Event *ev)
{
	SymTop *s = sym_top(p, symbol);
	if (!snapshot && !s->ticker)
		return 1; /* a delta before any snapshot (after a reconnect): nothing to merge */
	if (snapshot) {
		s->mark = s->index = s->funding_rate = NAN;
		s->next_funding_time = 0;
	}
	int a = tick_field(j, d, "markPrice", &s->mark, jv_price_ok);
	int b = tick_field(j, d, "indexPrice", &s->index, jv_price_ok);
	int r = tick_field(j, d, "fundingRate", &s->funding_rate, jv_rate_ok);
	int64_t nft;
	int nk = jt_get(j->s, j->t, d, "nextFundingTime"), n = 0;
	if (nk >= 0) {
		if (jt_int(j->s, j->t, nk, &nft) || nft < 0)
			return -1;
		s->next_funding_time = nft;
		n = 1;
	}
	if (a < 0 || b < 0 || r < 0)
		return -1;
	s->ticker = 1;
	/* an event when what it carries changed and all of it is known */
	if (!(a || b || r || n) || isnan(s->mark) || isnan(s->index) || isnan(s->funding_rate))
		return 1;
	memset(ev, 0, sizeof *ev);
	ev->type = EV_MARK;
	memcpy(ev->symbol, symbol, FB_SYMBOL_LEN);
	ev->ts = ts;
	ev->u.mark.mark = s->mark;
	ev->u.mark.index = s->index;
	ev->u.mark.settle = NAN;
	ev->u.mark.funding_rate = s->funding_rate;
	ev->u.mark.next_funding_time = s->next_funding_time;
	return 0;
}

/* orderbook.1: the top level of each side; size 0 takes the level away */
static int ws_book(BybitParser *p, const J *j, int d, const char *symbol, int snapshot, int64_t ts,
                   Event *ev)
{
	SymTop *s = sym_top(p, symbol);
	if (snapshot)
		s->bid = s->bid_qty = s->ask = s->ask_qty = NAN;
	for (int side = 0; side < 2; side++) {
		int lv = jt_get(j->s, j->t, d, side ? "a" : "b");
		if (lv < 0)
			continue;
		if (j->t[lv].type != JT_ARRAY)
			return -1;
		int lvl = jt_index(j->t, lv, 0);
		if (lvl < 0)
			continue;
		double px, q;
		if (jt_double(j->s, j->t, jt_index(j->t, lvl, 0), &px) ||
		    jt_double(j->s, j->t, jt_index(j->t, lvl, 1), &q) || !jv_price_ok(px) ||
		    !jv_qty_ok(q))
			return -1;
		double *pp = side ? &s->ask : &s->bid, *qq = side ? &s->ask_qty : &s->bid_qty;
		if (q == 0) {
			if (*pp == px)
				*pp = *qq = NAN;
		} else {
			*pp = px;
			*qq = q;
		}
	}
	int64_t u = 0;
	if (jv_tint(j, d, "u", &u) == 0)
		s->book_u = u;
	if (isnan(s->bid) || isnan(s->ask))
		return 1;
	memset(ev, 0, sizeof *ev);
	ev->type = EV_BOOK_TOP;
	memcpy(ev->symbol, symbol, FB_SYMBOL_LEN);
	ev->ts = ts;
	BookEvent *bk = &ev->u.book;
	bk->bid = s->bid;
	bk->bid_qty = s->bid_qty;
	bk->ask = s->ask;
	bk->ask_qty = s->ask_qty;
	bk->update_id = s->book_u;
	double sum = bk->bid_qty + bk->ask_qty;
	bk->imbalance = sum > 0 ? (bk->bid_qty - bk->ask_qty) / sum : NAN;
	return 0;
}

static int ws_trade(const J *j, int e, const char *symbol, int64_t now, Event *ev)
{
	char side[8], sym[FB_SYMBOL_LEN];
	memset(ev, 0, sizeof *ev);
	TradeEvent *t = &ev->u.trade;
	if (j->t[e].type != JT_OBJECT || jv_tstr(j, e, "s", sym, sizeof sym) ||
	    strcmp(sym, symbol) != 0 || jv_tstr(j, e, "S", side, sizeof side) ||
	    (strcmp(side, "Buy") != 0 && strcmp(side, "Sell") != 0) ||
	    jv_tnum(j, e, "p", &t->price) || jv_tnum(j, e, "v", &t->qty) ||
	    jv_tint(j, e, "T", &ev->ts) || !jv_time_ok(ev->ts, now) || !jv_price_ok(t->price) ||
	    !jv_qty_ok(t->qty))
		return -1;
	/* BT: a block trade, not taker flow on the book */
	if (jt_bool(j->t, jt_get(j->s, j->t, e, "BT")) == 1)
		return 1;
	ev->type = EV_AGG_TRADE;
	memcpy(ev->symbol, symbol, FB_SYMBOL_LEN);
	t->id = 0; /* Bybit's trade ids are UUIDs: no sequence to check, but duplicates */
	char uuid[64];
	t->uid = jv_tstr(j, e, "i", uuid, sizeof uuid) == 0
	                 ? fb_fnv1a64(FB_FNV_OFFSET, uuid, strlen(uuid))
	                 : 0;
	t->buyer_is_maker = strcmp(side, "Sell") == 0; /* S is the taker's side */
	return 0;
}

static int ws_liquidation(const J *j, int e, const char *symbol, int64_t now, Event *ev)
{
	char side[8], sym[FB_SYMBOL_LEN];
	memset(ev, 0, sizeof *ev);
	LiquidationEvent *l = &ev->u.liq;
	if (j->t[e].type != JT_OBJECT || jv_tstr(j, e, "s", sym, sizeof sym) ||
	    strcmp(sym, symbol) != 0 || jv_tstr(j, e, "S", side, sizeof side) ||
	    (strcmp(side, "Buy") != 0 && strcmp(side, "Sell") != 0) ||
	    jv_tnum(j, e, "p", &l->price) || jv_tnum(j, e, "v", &l->qty) ||
	    jv_tint(j, e, "T", &ev->ts) || !jv_time_ok(ev->ts, now) || !jv_price_ok(l->price) ||
	    !jv_qty_ok(l->qty) || l->qty == 0)
		return -1;
	ev->type = EV_LIQUIDATION;
	memcpy(ev->symbol, symbol, FB_SYMBOL_LEN);
	/* S: the liquidated position's side; a long ("Buy") is closed by a SELL order */
	records_copy_field(l->side, sizeof l->side, strcmp(side, "Buy") == 0 ? "SELL" : "BUY");
	return 0;
}

/* The topic "kind.[interval.]SYMBOL" split; 0 or -1. */
static int split_topic(const char *topic, char *kind, size_t kindlen, char *ivl, size_t ivllen,
                       char *symbol)
{
	const char *d1 = strchr(topic, '.');
	if (!d1 || (size_t)(d1 - topic) >= kindlen)
		return -1;
	memcpy(kind, topic, (size_t)(d1 - topic));
	kind[d1 - topic] = '\0';
	const char *rest = d1 + 1, *d2 = strrchr(rest, '.');
	ivl[0] = '\0';
	if (d2) { /* kline.5.BTCUSDT, orderbook.1.BTCUSDT */
		if ((size_t)(d2 - rest) >= ivllen)
			return -1;
		memcpy(ivl, rest, (size_t)(d2 - rest));
		ivl[d2 - rest] = '\0';
		rest = d2 + 1;
	}
	if (strlen(rest) >= FB_SYMBOL_LEN || !records_symbol_valid(rest))
		return -1;
	memcpy(symbol, rest, strlen(rest) + 1);
	return 0;
}

static int parse_ws(BybitParser *p, const char *msg, size_t len, const char *exchange, int64_t now,
                    Event *out, int max, char *why, size_t whylen);

int bybit_parse_ws(BybitParser *p, const char *msg, size_t len, const char *exchange, int64_t now,
                   Event *out, int max, char *why, size_t whylen)
{
	int n = parse_ws(p, msg, len, exchange, now, out, max, why, whylen);
	if (n < 0) /* the reason may quote the topic: no control bytes from the network */
		sanitise(why);
	return n;
}

static int parse_ws(BybitParser *p, const char *msg, size_t len, const char *exchange, int64_t now,
                    Event *out, int max, char *why, size_t whylen)
{
	if (len > WS_MAX_BYTES) {
		snprintf(why, whylen, "a %zu-byte message", len);
		return -1;
	}
	JsonTok small[512], *big = NULL, *t = small;
	int n = jt_parse(msg, len, t, 512);
	for (int want = 8192; n == -2 && want <= WS_MAX_TOKENS; want *= 8) {
		big = xrealloc(big, (size_t)want * sizeof *big);
		t = big;
		n = jt_parse(msg, len, t, want);
	}
	if (n < 0 || t[0].type != JT_OBJECT) {
		snprintf(why, whylen,
		         n == -2 ? "message too large" : "not a JSON object (%zu bytes)", len);
		free(big);
		return -1;
	}
	J j = {msg, t};
	char topic[96], kind[24] = "", ivl[8] = "", symbol[FB_SYMBOL_LEN], type[16] = "";
	int got = 0;
	if (jv_tstr(&j, 0, "topic", topic, sizeof topic)) {
		/* a reply: {"success":true,"op":"subscribe"} or the pong {"op":"ping",…} */
		int ok = jt_bool(t, jt_get(msg, t, 0, "success"));
		char op[16] = "", ret[96] = "";
		jv_tstr(&j, 0, "op", op, sizeof op);
		if (jt_get(msg, t, 0, "op") < 0 && jt_get(msg, t, 0, "success") < 0) {
			snprintf(why, whylen, "a message without topic or op");
			got = -1;
		} else if (ok == 0) {
			jv_tstr(&j, 0, "ret_msg", ret, sizeof ret);
			sanitise(ret);
			snprintf(why, whylen, "%s refused: %s", op[0] ? op : "request",
			         ret[0] ? ret : "no reason given");
			got = -1;
		}
		free(big);
		return got;
	}
	int64_t ts = 0;
	int d = jt_get(msg, t, 0, "data");
	if (split_topic(topic, kind, sizeof kind, ivl, sizeof ivl, symbol) || d < 0 ||
	    jv_tint(&j, 0, "ts", &ts) || !jv_time_ok(ts, now)) {
		snprintf(why, whylen, "malformed %s message", kind[0] ? kind : "unknown");
		free(big);
		return -1;
	}
	jv_tstr(&j, 0, "type", type, sizeof type);
	int snapshot = strcmp(type, "snapshot") == 0, r = 0;
	if (strcmp(kind, "kline") == 0) {
		const char *ours = bybit_interval_ours(ivl);
		if (!ours || t[d].type != JT_ARRAY)
			r = -1;
		for (int e = d + 1, i = 0; r == 0 && i < jt_count(t, d) && got < max;
		     i++, e = t[e].next) {
			r = ws_kline(&j, e, exchange, symbol, ours, ts, now, &out[got]);
			got += r == 0;
		}
	} else if (strcmp(kind, "publicTrade") == 0 || strcmp(kind, "allLiquidation") == 0) {
		int trade = kind[0] == 'p';
		if (t[d].type != JT_ARRAY)
			r = -1;
		for (int e = d + 1, i = 0; r >= 0 && i < jt_count(t, d) && got < max;
		     i++, e = t[e].next) {
			r = trade ? ws_trade(&j, e, symbol, now, &out[got])
			          : ws_liquidation(&j, e, symbol, now, &out[got]);
			got += r == 0;
		}
	} else if (strcmp(kind, "tickers") == 0) {
		char s[FB_SYMBOL_LEN];
		if (t[d].type != JT_OBJECT || jv_tstr(&j, d, "symbol", s, sizeof s) ||
		    strcmp(s, symbol) != 0)
			r = -1;
		else if ((r = ws_ticker(p, &j, d, symbol, snapshot, ts, &out[0])) == 0)
			got = 1;
	} else if (strcmp(kind, "orderbook") == 0) {
		char s[FB_SYMBOL_LEN];
		if (t[d].type != JT_OBJECT || jv_tstr(&j, d, "s", s, sizeof s) ||
		    strcmp(s, symbol) != 0 || strcmp(ivl, "1") != 0)
			r = -1;
		else if ((r = ws_book(p, &j, d, symbol, snapshot, ts, &out[0])) == 0)
			got = 1;
	} else
		r = -1;
	free(big);
	if (r < 0) {
		snprintf(why, whylen, "malformed %s message", kind);
		return -1;
	}
	return got;
}
