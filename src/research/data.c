/* Backtest inputs from the store (see data.h). */
#include "research/data.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hash.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"
#include "quant/features.h"

typedef struct {
	BtData *d;
	size_t cap;
	int64_t from_ms;
	uint64_t h; /* FNV-1a over every candle replayed */
} Loader;

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
	l->h = fb_fnv1a64(l->h, &v->open_time, sizeof v->open_time);
	l->h = fb_fnv1a64(l->h, x, sizeof x);
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

static int load_funding(StoreReader *rd, BtData *d, const char *symbol, int64_t from, int64_t to,
                        char *err, size_t errlen)
{
	const char *syms[1] = {symbol};
	StoreQuery q = store_query_all(SR_FUNDING);
	q.exchange = d->exchange, q.symbols = syms, q.nsymbols = 1;
	q.from_ms = from, q.to_ms = to;
	StoreCursor *c = store_query(rd, &q, err, errlen);
	if (!c)
		return -1;
	size_t cap = 0;
	int rc;
	StoreRow row;
	while ((rc = store_next(c, &row, err, errlen)) == 1) {
		if ((size_t)d->nfunding == cap) {
			cap = cap ? cap * 2 : 256;
			d->funding = xrealloc(d->funding, cap * sizeof *d->funding);
		}
		d->funding[d->nfunding].time = row.u.funding.funding_time;
		d->funding[d->nfunding++].rate = row.u.funding.funding_rate;
	}
	store_cursor_close(c);
	return rc < 0 ? -1 : 0;
}

/* The mark-price candles of the range's bars (mark_candles), matched by open time. */
static int load_mark(StoreReader *rd, BtData *d, const char *symbol, const char *interval,
                     char *err, size_t errlen)
{
	const char *syms[1] = {symbol}, *ivs[1] = {interval};
	StoreQuery q = store_query_all(SR_MARK_CANDLES);
	q.exchange = d->exchange, q.symbols = syms, q.nsymbols = 1;
	q.intervals = ivs, q.nintervals = 1, q.closed_only = 1;
	q.from_ms = d->bars[0].open_time, q.to_ms = d->bars[d->n - 1].open_time + 1;
	StoreCursor *c = store_query(rd, &q, err, errlen);
	if (!c)
		return -1;
	int rc, i = 0;
	StoreRow row;
	while ((rc = store_next(c, &row, err, errlen)) == 1) {
		int64_t t = row.u.candle.open_time;
		while (i < d->n && d->bars[i].open_time < t)
			i++;
		if (i < d->n && d->bars[i].open_time == t) {
			d->bars[i].mark_high = row.u.candle.high;
			d->bars[i].mark_low = row.u.candle.low;
			d->nmark++;
		}
	}
	store_cursor_close(c);
	return rc < 0 ? -1 : 0;
}

int bt_data_load(StoreReader *rd, const char *exchange, const char *symbol, const char *interval,
                 const QuantOptions *opt, int64_t from_ms, int64_t to_ms, BtData *d, char *err,
                 size_t errlen)
{
	memset(d, 0, sizeof *d);
	if (exchange)
		snprintf(d->exchange, sizeof d->exchange, "%s", exchange);
	else if (features_exchange(rd, symbol, interval, d->exchange, sizeof d->exchange, err,
	                           errlen))
		return -1;
	Loader l = {d, 0, from_ms, FB_FNV_OFFSET};
	if (features_replay(rd, d->exchange, symbol, interval, opt, INT64_MIN, to_ms, keep_bar, &l,
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
	if (d->n && load_funding(rd, d, symbol, d->bars[0].open_time,
	                         d->bars[d->n - 1].open_time + ivl, err, errlen)) {
		bt_data_free(d);
		return -1;
	}
	if (d->n && load_mark(rd, d, symbol, interval, err, errlen)) {
		bt_data_free(d);
		return -1;
	}
	/* the newest closed candle in the whole store, past --to too */
	d->stored_latest_ms = d->latest_ms;
	{
		const char *syms[1] = {symbol}, *ivs[1] = {interval};
		StoreQuery q = store_query_all(SR_CANDLES);
		q.exchange = d->exchange, q.symbols = syms, q.nsymbols = 1;
		q.intervals = ivs, q.nintervals = 1, q.closed_only = 1;
		int64_t newest;
		if (store_newest(rd, &q, &newest, err, errlen)) {
			bt_data_free(d);
			return -1;
		}
		if (newest > d->stored_latest_ms)
			d->stored_latest_ms = newest;
	}
	/* and the funding rows the run pays */
	for (int i = 0; i < d->nfunding; i++) {
		l.h = fb_fnv1a64(l.h, &d->funding[i].time, sizeof d->funding[i].time);
		l.h = fb_fnv1a64(l.h, &d->funding[i].rate, sizeof d->funding[i].rate);
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
