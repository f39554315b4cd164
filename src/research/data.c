/* Backtest inputs from the store (see data.h). */
#include "research/data.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "core/timeutil.h"
#include "core/xmalloc.h"
#include "quant/features.h"

typedef struct {
	BtData *d;
	size_t cap;
	int64_t from_ms;
	uint64_t h; /* FNV-1a over every candle replayed */
} Loader;

#define FNV_OFFSET UINT64_C(14695981039346656037)
#define FNV_PRIME  UINT64_C(1099511628211)

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *c = p;
	for (size_t k = 0; k < n; k++)
		h = (h ^ c[k]) * FNV_PRIME;
	return h;
}

static int keep_bar(void *arg, const QuantValues *v, char *err, size_t errlen)
{
	(void)err, (void)errlen;
	Loader *l = arg;
	BtData *d = l->d;
	if (!d->first_ms)
		d->first_ms = v->open_time;
	d->latest_ms = v->open_time;
	/* every candle the engine's values depend on, the warm-up included */
	double x[5] = {v->open, v->high, v->low, v->close, v->volume};
	l->h = fnv(l->h, &v->open_time, sizeof v->open_time);
	l->h = fnv(l->h, x, sizeof x);
	BtBar *b;
	if (v->open_time < l->from_ms) { /* before the range: the newest BT_WARM_BARS, a ring */
		if (!d->pre)
			d->pre = xmalloc(BT_WARM_BARS * sizeof *d->pre);
		b = &d->pre[d->warm++ % BT_WARM_BARS];
	} else {
		if ((size_t)d->n == l->cap) {
			l->cap = l->cap ? l->cap * 2 : 4096;
			d->bars = xrealloc(d->bars, l->cap * sizeof *d->bars);
		}
		b = &d->bars[d->n++];
	}
	b->open_time = v->open_time;
	b->open = v->open, b->high = v->high, b->low = v->low, b->close = v->close;
	b->ema_fast = v->ema_fast, b->ema_slow = v->ema_slow;
	b->rsi = v->rsi, b->zscore = v->zscore, b->funding = v->funding, b->rv = v->rv;
	b->trend = (int)v->trend;
	b->mark_high = b->mark_low = NAN;
	return 0;
}

static int load_funding(Store *st, BtData *d, const char *symbol, int64_t from, int64_t to,
                        char *err, size_t errlen)
{
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(store_db(st),
	                       "SELECT funding_time, funding_rate FROM funding WHERE exchange = ?1 "
	                       "AND symbol = ?2 AND funding_time >= ?3 AND funding_time < ?4 "
	                       "ORDER BY funding_time",
	                       -1, &s, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s", sqlite3_errmsg(store_db(st)));
		return -1;
	}
	sqlite3_bind_text(s, 1, d->exchange, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, symbol, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, from);
	sqlite3_bind_int64(s, 4, to);
	size_t cap = 0;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if ((size_t)d->nfunding == cap) {
			cap = cap ? cap * 2 : 256;
			d->funding = xrealloc(d->funding, cap * sizeof *d->funding);
		}
		d->funding[d->nfunding].time = sqlite3_column_int64(s, 0);
		d->funding[d->nfunding++].rate = sqlite3_column_double(s, 1);
	}
	if (rc != SQLITE_DONE)
		snprintf(err, errlen, "%s", sqlite3_errmsg(store_db(st)));
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* The mark-price candles of the range's bars (mark_candles), matched by open time. */
static int load_mark(Store *st, BtData *d, const char *symbol, const char *interval, char *err,
                     size_t errlen)
{
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(store_db(st),
	                       "SELECT open_time, high, low FROM mark_candles WHERE exchange = ?1 "
	                       "AND symbol = ?2 AND interval = ?3 AND open_time >= ?4 AND "
	                       "open_time <= ?5 AND closed = 1 ORDER BY open_time",
	                       -1, &s, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s", sqlite3_errmsg(store_db(st)));
		return -1;
	}
	sqlite3_bind_text(s, 1, d->exchange, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, symbol, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, interval, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, d->bars[0].open_time);
	sqlite3_bind_int64(s, 5, d->bars[d->n - 1].open_time);
	int rc, i = 0;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t t = sqlite3_column_int64(s, 0);
		while (i < d->n && d->bars[i].open_time < t)
			i++;
		if (i < d->n && d->bars[i].open_time == t) {
			d->bars[i].mark_high = sqlite3_column_double(s, 1);
			d->bars[i].mark_low = sqlite3_column_double(s, 2);
			d->nmark++;
		}
	}
	if (rc != SQLITE_DONE)
		snprintf(err, errlen, "%s", sqlite3_errmsg(store_db(st)));
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

int bt_data_load(Store *st, const char *exchange, const char *symbol, const char *interval,
                 const QuantOptions *opt, int64_t from_ms, int64_t to_ms, BtData *d, char *err,
                 size_t errlen)
{
	memset(d, 0, sizeof *d);
	if (exchange)
		snprintf(d->exchange, sizeof d->exchange, "%s", exchange);
	else if (features_exchange(st, symbol, interval, d->exchange, sizeof d->exchange, err,
	                           errlen))
		return -1;
	Loader l = {d, 0, from_ms, FNV_OFFSET};
	if (features_replay(st, d->exchange, symbol, interval, opt, INT64_MIN, to_ms, keep_bar, &l,
	                    err, errlen) < 0) {
		bt_data_free(d);
		return -1;
	}
	if (d->warm > BT_WARM_BARS) { /* the ring, oldest first */
		BtBar *in_order = xmalloc(BT_WARM_BARS * sizeof *in_order);
		int head = d->warm % BT_WARM_BARS;
		memcpy(in_order, d->pre + head, (size_t)(BT_WARM_BARS - head) * sizeof *in_order);
		memcpy(in_order + BT_WARM_BARS - head, d->pre, (size_t)head * sizeof *in_order);
		free(d->pre);
		d->pre = in_order;
	}
	d->npre = d->warm < BT_WARM_BARS ? d->warm : BT_WARM_BARS;
	int64_t ivl = fb_interval_ms(interval);
	if (d->n && load_funding(st, d, symbol, d->bars[0].open_time,
	                         d->bars[d->n - 1].open_time + ivl, err, errlen)) {
		bt_data_free(d);
		return -1;
	}
	if (d->n && load_mark(st, d, symbol, interval, err, errlen)) {
		bt_data_free(d);
		return -1;
	}
	/* the newest closed candle in the whole store, past --to too */
	d->stored_latest_ms = d->latest_ms;
	sqlite3_stmt *q;
	if (sqlite3_prepare_v2(store_db(st),
	                       "SELECT max(c.open_time) FROM candles c JOIN series s ON s.id = "
	                       "c.series_id WHERE s.exchange = ?1 AND s.symbol = ?2 AND "
	                       "s.interval = ?3 AND c.closed = 1",
	                       -1, &q, NULL) == SQLITE_OK) {
		sqlite3_bind_text(q, 1, d->exchange, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 2, symbol, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 3, interval, -1, SQLITE_STATIC);
		if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_type(q, 0) == SQLITE_INTEGER &&
		    sqlite3_column_int64(q, 0) > d->stored_latest_ms)
			d->stored_latest_ms = sqlite3_column_int64(q, 0);
		sqlite3_finalize(q);
	}
	/* and the funding rows the run pays */
	for (int i = 0; i < d->nfunding; i++) {
		l.h = fnv(l.h, &d->funding[i].time, sizeof d->funding[i].time);
		l.h = fnv(l.h, &d->funding[i].rate, sizeof d->funding[i].rate);
	}
	snprintf(d->hash, sizeof d->hash, "fnv1a64:%016llx", (unsigned long long)l.h);
	d->hash_from_ms = d->first_ms;
	d->hash_to_ms = d->n ? d->bars[d->n - 1].open_time : d->latest_ms;
	return 0;
}

void bt_data_free(BtData *d)
{
	free(d->bars);
	free(d->pre);
	free(d->funding);
	memset(d, 0, sizeof *d);
}
