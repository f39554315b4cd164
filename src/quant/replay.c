/* Replay: a merge of ordered cursors (candles, metrics, funding, liquidations, and each other
 * exchange's metrics and liquidations). */
#include "quant/replay.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/xmalloc.h"
#include "quant/metricmap.h"
#include "quant/venuehist.h"

/* the exchange's own, then a metric and a liquidation cursor per other exchange */
enum { C_CANDLE, C_METRIC, C_FUNDING, C_LIQ, C_VENUES };
#define REPLAY_MAX_VENUES 3
#define NCURSORS          (C_VENUES + 2 * REPLAY_MAX_VENUES)

#define PENDING_MAX 16

struct ReplayReader {
	StoreCursor *cur[NCURSORS];
	StoreRow row[NCURSORS]; /* the next row of each cursor, while live */
	int live[NCURSORS];     /* a row is ready */
	Event pending[PENDING_MAX];
	int npending, next_pending;
	char exchange[FB_EXCHANGE_LEN];
	char venue[REPLAY_MAX_VENUES][FB_EXCHANGE_LEN];
};

static int step(ReplayReader *r, int c, char *err, size_t errlen)
{
	if (!r->cur[c]) {
		r->live[c] = 0;
		return 0;
	}
	int rc = store_next(r->cur[c], &r->row[c], err, errlen);
	r->live[c] = rc == 1;
	return rc < 0 ? -1 : 0;
}

ReplayReader *replay_open(StoreReader *rd, const ReplaySpec *sp, char *err, size_t errlen)
{
	ReplayReader *r = xcalloc(1, sizeof *r);
	records_copy_field(r->exchange, sizeof r->exchange, sp->exchange);
	/* (from_ms, to_ms] as the store's [from, to) */
	StoreQuery q = {.exchange = sp->exchange,
	                .symbols = sp->symbols,
	                .nsymbols = sp->symbols ? sp->nsymbols : 0,
	                .intervals = sp->intervals,
	                .nintervals = sp->intervals ? sp->nintervals : 0,
	                .from_ms = sp->from_ms <= 0 ? INT64_MIN : sp->from_ms + 1,
	                .to_ms = sp->to_ms == INT64_MAX ? INT64_MAX : sp->to_ms + 1,
	                .by_close = 1,
	                .closed_only = 1,
	                .order = SR_BY_TIME};
	static const StoreTable tables[C_VENUES] = {SR_CANDLES, SR_METRICS, SR_FUNDING,
	                                            SR_LIQUIDATIONS};
	for (int c = 0; c < (sp->candles_only ? 1 : C_VENUES); c++) {
		q.table = tables[c];
		r->cur[c] = store_query(rd, &q, err, errlen);
		if (!r->cur[c])
			goto fail;
	}
	if (sp->venues && !sp->candles_only && sp->exchange) {
		/* the same instruments on the other exchanges stored, as EV_VENUE */
		VenueTwins tw[REPLAY_MAX_VENUES];
		int nw = venue_twins(rd, sp->exchange, sp->symbols, sp->symbols ? sp->nsymbols : 0,
		                     tw, REPLAY_MAX_VENUES, err, errlen);
		if (nw < 0)
			goto fail;
		int bad = 0;
		for (int k = 0; k < nw && !bad; k++) {
			const char **names = xcalloc((size_t)tw[k].nsymbols, sizeof *names);
			for (int i = 0; i < tw[k].nsymbols; i++)
				names[i] = tw[k].symbols[i];
			StoreQuery v = q;
			v.exchange = tw[k].exchange;
			v.symbols = sp->symbols ? names : NULL; /* all: every symbol of theirs */
			v.nsymbols = sp->symbols ? tw[k].nsymbols : 0;
			v.intervals = NULL;
			v.nintervals = 0;
			records_copy_field(r->venue[k], sizeof r->venue[k], tw[k].exchange);
			for (int j = 0; j < 2 && !bad; j++) {
				v.table = j ? SR_LIQUIDATIONS : SR_METRICS;
				r->cur[C_VENUES + 2 * k + j] = store_query(rd, &v, err, errlen);
				bad = !r->cur[C_VENUES + 2 * k + j];
			}
			free(names); /* the query took its own copy */
		}
		venue_twins_free(tw, nw);
		if (bad)
			goto fail;
	}
	for (int c = 0; c < NCURSORS; c++)
		if (step(r, c, err, errlen))
			goto fail;
	return r;
fail:
	replay_close(r);
	return NULL;
}

void replay_close(ReplayReader *r)
{
	if (!r)
		return;
	for (int c = 0; c < NCURSORS; c++)
		store_cursor_close(r->cur[c]);
	free(r);
}

static int64_t row_ts(ReplayReader *r, int c)
{
	const StoreRow *x = &r->row[c];
	switch (x->table) {
	case SR_CANDLES: return x->u.candle.close_time;
	case SR_METRICS: return x->u.metric.ts;
	case SR_FUNDING: return x->u.funding.funding_time;
	default: return x->u.liq.ts;
	}
}

static Event *pend(ReplayReader *r, EventType type, const char *symbol, int64_t ts)
{
	Event *ev = &r->pending[r->npending++];
	metric_event_init(ev, type, symbol, ts);
	return ev;
}

/* Reads every metric row of one (ts, symbol) into pending events: the rows of one instant's
 * mark stream are one EV_MARK; every other row is an event of its own. */
static int metric_events(ReplayReader *r, char *err, size_t errlen)
{
	const MarketMetric *m = &r->row[C_METRIC].u.metric;
	char symbol[FB_SYMBOL_LEN];
	records_copy_field(symbol, sizeof symbol, m->symbol);
	int64_t ts = m->ts;
	Event *mark = NULL;
	r->npending = r->next_pending = 0;
	while (r->live[C_METRIC] && m->ts == ts && strcmp(m->symbol, symbol) == 0) {
		if (r->npending >= PENDING_MAX - 1)
			break; /* the rest of this instant comes as the next group */
		MetricId id = metric_lookup(m->metric);
		EventType t = metric_event_of(id);
		if (t == EV_MARK) {
			if (!mark)
				mark = pend(r, EV_MARK, symbol, ts);
			metric_apply(mark, id, m->value);
		} else if (t)
			metric_apply(pend(r, t, symbol, ts), id, m->value);
		if (step(r, C_METRIC, err, errlen))
			return -1;
	}
	return 0;
}

/* Another exchange's rows as one EV_VENUE: the metric rows of one (ts, symbol) the columns
 * across exchanges use (mark, funding estimate and period, open interest), or a forced order
 * as its notional by side. 1 with ev, 0 when the rows carry none of those, -1 on an error. */
static int venue_event(ReplayReader *r, int c, Event *ev, char *err, size_t errlen)
{
	const StoreRow *x = &r->row[c];
	const char *venue = r->venue[(c - C_VENUES) / 2];
	memset(ev, 0, sizeof *ev);
	ev->type = EV_VENUE;
	VenueEvent *v = &ev->u.venue;
	records_copy_field(v->venue, sizeof v->venue, venue);
	v->mark = v->funding_rate = v->funding_interval_h = v->oi = v->quote_volume_24h = NAN;
	if (x->table == SR_LIQUIDATIONS) {
		ev->ts = x->u.liq.ts;
		memcpy(ev->symbol, x->u.liq.symbol, sizeof ev->symbol);
		*(strcmp(x->u.liq.side, "BUY") == 0 ? &v->liq_buy : &v->liq_sell) =
		        x->u.liq.price * x->u.liq.qty;
		return step(r, c, err, errlen) ? -1 : 1;
	}
	const MarketMetric *m = &x->u.metric;
	ev->ts = m->ts;
	memcpy(ev->symbol, m->symbol, sizeof ev->symbol);
	int any = 0;
	while (r->live[c] && m->ts == ev->ts && strcmp(m->symbol, ev->symbol) == 0) {
		double *to = strcmp(m->metric, "mark_price") == 0           ? &v->mark
		             : strcmp(m->metric, "funding_rate_est") == 0   ? &v->funding_rate
		             : strcmp(m->metric, "open_interest") == 0      ? &v->oi
		             : strcmp(m->metric, "funding_interval_h") == 0 ? &v->funding_interval_h
		             : strcmp(m->metric, "quote_volume_24h") == 0   ? &v->quote_volume_24h
		                                                            : NULL;
		if (to && isfinite(m->value))
			*to = m->value, any = 1;
		if (step(r, c, err, errlen))
			return -1;
	}
	return any;
}

int replay_next(ReplayReader *r, Event *ev, char *err, size_t errlen)
{
	for (;;) {
		if (r->next_pending < r->npending) {
			*ev = r->pending[r->next_pending++];
			return 1;
		}
		int best = -1;
		int64_t bt = 0;
		/* at equal times: metrics, funding, liquidations, the other exchanges', then the
		 * candle */
		for (int k = 0; k < NCURSORS; k++) {
			int c = k + 1 < NCURSORS ? k + 1 : C_CANDLE;
			if (r->live[c] && (best < 0 || row_ts(r, c) < bt)) {
				best = c;
				bt = row_ts(r, c);
			}
		}
		if (best < 0)
			return 0;
		if (best >= C_VENUES) {
			int rc = venue_event(r, best, ev, err, errlen);
			if (rc)
				return rc;
			continue;
		}
		const StoreRow *x = &r->row[best];
		memset(ev, 0, sizeof *ev);
		switch (best) {
		case C_CANDLE:
			ev->type = EV_CANDLE;
			ev->u.candle = x->u.candle;
			records_copy_field(ev->u.candle.exchange, sizeof ev->u.candle.exchange,
			                   r->exchange);
			memcpy(ev->symbol, x->u.candle.symbol, sizeof ev->symbol);
			ev->ts = x->u.candle.close_time;
			break;
		case C_METRIC:
			if (metric_events(r, err, errlen))
				return -1;
			continue;
		case C_FUNDING:
			ev->type = EV_FUNDING;
			ev->ts = x->u.funding.funding_time;
			memcpy(ev->symbol, x->u.funding.symbol, sizeof ev->symbol);
			ev->u.funding.rate = x->u.funding.funding_rate;
			ev->u.funding.mark = x->u.funding.mark_price;
			break;
		default:
			ev->type = EV_LIQUIDATION;
			ev->ts = x->u.liq.ts;
			memcpy(ev->symbol, x->u.liq.symbol, sizeof ev->symbol);
			memcpy(ev->u.liq.side, x->u.liq.side, sizeof ev->u.liq.side);
			ev->u.liq.price = x->u.liq.price;
			ev->u.liq.qty = x->u.liq.qty;
			break;
		}
		return step(r, best, err, errlen) ? -1 : 1;
	}
}
