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
} Loader;

static int keep_bar(void *arg, const QuantValues *v, char *err, size_t errlen)
{
	(void)err, (void)errlen;
	Loader *l = arg;
	BtData *d = l->d;
	if (!d->first_ms)
		d->first_ms = v->open_time;
	d->latest_ms = v->open_time;
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

void bt_candles_hash(const BtBar *b, int n, char *out, size_t outlen)
{
	uint64_t h = UINT64_C(14695981039346656037);
	for (int i = 0; i < n; i++) {
		double v[4] = {b[i].open, b[i].high, b[i].low, b[i].close};
		unsigned char buf[8 + sizeof v];
		memcpy(buf, &b[i].open_time, 8);
		memcpy(buf + 8, v, sizeof v);
		for (size_t k = 0; k < sizeof buf; k++)
			h = (h ^ buf[k]) * UINT64_C(1099511628211);
	}
	snprintf(out, outlen, "fnv1a64:%016llx", (unsigned long long)h);
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
	Loader l = {d, 0, from_ms};
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
	bt_candles_hash(d->bars, d->n, d->hash, sizeof d->hash);
	return 0;
}

void bt_data_free(BtData *d)
{
	free(d->bars);
	free(d->pre);
	free(d->funding);
	memset(d, 0, sizeof *d);
}
