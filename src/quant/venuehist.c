/* See venuehist.h. */
#include "quant/venuehist.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/timeutil.h"
#include "core/xmalloc.h"
#include "quant/instrument.h"

/* Values along candles: out[i] is the newest value put with a time before candle i's close
 * and, when max_age > 0, no older at that close than max_age or twice the spacing of the rows
 * (at most an hour: polls at a slow cadence); NAN when none. at[i] (when given) is that
 * value's time. Rows are put in time order. */
typedef struct {
	const int64_t *open_times;
	int n;
	int64_t interval_ms, max_age;
	double *out;
	int64_t *at;
	int i;
	double last;
	int64_t last_ts, gap;
} Step;

static Step step_new(const int64_t *open_times, int n, int64_t interval_ms, int64_t max_age,
                     double *out, int64_t *at)
{
	return (Step){open_times, n, interval_ms, max_age, out, at, 0, NAN, INT64_MIN, 0};
}

/* candle i is decided by the rows before its close */
static void step_emit(Step *s, int64_t upto)
{
	for (; s->i < s->n && upto >= s->open_times[s->i] + s->interval_ms; s->i++) {
		int64_t close = s->open_times[s->i] + s->interval_ms;
		int64_t spaced = 2 * s->gap < FB_HOUR_MS ? 2 * s->gap : FB_HOUR_MS;
		int64_t age = s->max_age > spaced ? s->max_age : spaced;
		int ok = s->last_ts != INT64_MIN && (s->max_age <= 0 || close - s->last_ts <= age);
		s->out[s->i] = ok ? s->last : NAN;
		if (s->at)
			s->at[s->i] = ok ? s->last_ts : INT64_MIN;
	}
}

static void step_put(Step *s, int64_t ts, double v)
{
	step_emit(s, ts);
	if (!isfinite(v))
		return;
	s->gap = s->last_ts != INT64_MIN ? ts - s->last_ts : 0;
	s->last = v, s->last_ts = ts;
}

/* The rows' window: from the oldest a value may be at the first close (or the beginning) to
 * the last close. */
static StoreQuery window_query(StoreTable t, const char *exchange, const char **symbol,
                               const Step *s)
{
	StoreQuery q = store_query_all(t);
	q.exchange = exchange;
	q.symbols = symbol;
	q.nsymbols = 1;
	int64_t age = s->max_age > FB_HOUR_MS ? s->max_age : FB_HOUR_MS; /* and the spacing's */
	q.from_ms = s->max_age > 0 ? s->open_times[0] + s->interval_ms - age : INT64_MIN;
	q.to_ms = s->open_times[s->n - 1] + s->interval_ms;
	q.order = SR_BY_KEY; /* one exchange and symbol (and metric, interval): by time */
	return q;
}

/* The rows q selects along the candles: each row's time and value into rate, and for funding
 * the time since the settlement before it into gap (NULL otherwise). 0, or -1 with err. */
static int step_rows(StoreReader *rd, const StoreQuery *q, Step *rate, Step *gap, char *err,
                     size_t errlen)
{
	StoreCursor *c = store_query(rd, q, err, errlen);
	if (!c)
		return -1;
	StoreRow row;
	int rc;
	int64_t prev = INT64_MIN;
	while ((rc = store_next(c, &row, err, errlen)) == 1)
		switch (q->table) {
		case SR_METRICS: step_put(rate, row.u.metric.ts, row.u.metric.value); break;
		case SR_MARK_CANDLES: /* a mark known at the end of its minute */
			step_put(rate, row.u.candle.close_time, row.u.candle.close);
			break;
		default: { /* SR_FUNDING */
			int64_t t = row.u.funding.funding_time;
			step_put(rate, t, row.u.funding.funding_rate);
			step_put(gap, t, prev != INT64_MIN && t > prev ? (double)(t - prev) : NAN);
			prev = t;
		}
		}
	step_emit(rate, INT64_MAX);
	if (gap)
		step_emit(gap, INT64_MAX);
	store_cursor_close(c);
	return rc < 0 ? -1 : 0;
}

/* A stored metric along the candles. 0, or -1 with err. */
static int step_metric(StoreReader *rd, const char *exchange, const char *symbol,
                       const char *metric, Step s, char *err, size_t errlen)
{
	StoreQuery q = window_query(SR_METRICS, exchange, &symbol, &s);
	q.metric = metric;
	return step_rows(rd, &q, &s, NULL, err, errlen);
}

/* The close of the stored 1-minute mark-price candles along the candles, for the times before
 * the live marks were stored. 0, or -1 with err. */
static int step_mark_candles(StoreReader *rd, const char *exchange, const char *symbol, Step s,
                             char *err, size_t errlen)
{
	static const char *const one_minute = "1m";
	StoreQuery q = window_query(SR_MARK_CANDLES, exchange, &symbol, &s);
	q.intervals = &one_minute;
	q.nintervals = 1;
	q.by_close = 1;
	q.closed_only = 1;
	return step_rows(rd, &q, &s, NULL, err, errlen);
}

/* The realised funding along the candles: the newest settled rate, its time, and the period it
 * settled (the time since the settlement before it), for the times before the live estimates
 * were stored. 0, or -1 with err. */
static int step_funding(StoreReader *rd, const char *exchange, const char *symbol, Step rate,
                        Step gap, char *err, size_t errlen)
{
	StoreQuery q = window_query(SR_FUNDING, exchange, &symbol, &rate);
	q.from_ms = rate.open_times[0] - 2 * FB_DAY_MS; /* two settlements, on a daily period */
	return step_rows(rd, &q, &rate, &gap, err, errlen);
}

static int by_exchange(const void *a, const void *b)
{
	return strcmp(((const VenueTwins *)a)->exchange, ((const VenueTwins *)b)->exchange);
}

int venue_twins(StoreReader *rd, const char *exchange, const char *const *symbols, int nsymbols,
                VenueTwins *out, int max, char *err, size_t errlen)
{
	if (!exchange || max <= 0 || (symbols && nsymbols <= 0))
		return 0;
	Instrument *want = symbols ? xcalloc((size_t)nsymbols, sizeof *want) : NULL;
	for (int i = 0; symbols && i < nsymbols; i++)
		if (instrument_of(symbols[i], &want[i]) != 0)
			want[i].key[0] = '\0';
	StoreQuery q = store_query_all(SR_SERIES);
	q.native_only = 1;
	StoreCursor *c = store_query(rd, &q, err, errlen);
	if (!c) {
		free(want);
		return -1;
	}
	int n = 0, rc;
	StoreRow row;
	while ((rc = store_next(c, &row, err, errlen)) == 1) {
		const StoreSeries *s = &row.u.series;
		if (strcmp(s->exchange, exchange) == 0)
			continue;
		int match = !symbols;
		Instrument in;
		if (symbols && instrument_of(s->symbol, &in) == 0)
			for (int i = 0; i < nsymbols && !match; i++)
				match = want[i].key[0] && strcmp(in.key, want[i].key) == 0;
		if (!match)
			continue;
		VenueTwins *v = NULL;
		for (int k = 0; k < n && !v; k++)
			if (strcmp(out[k].exchange, s->exchange) == 0)
				v = &out[k];
		if (!v) {
			if (n == max)
				continue;
			v = &out[n++];
			memset(v, 0, sizeof *v);
			snprintf(v->exchange, sizeof v->exchange, "%s", s->exchange);
		}
		int seen = 0;
		for (int k = 0; k < v->nsymbols && !seen; k++)
			seen = strcmp(v->symbols[k], s->symbol) == 0;
		if (seen)
			continue;
		v->symbols = xrealloc(v->symbols, (size_t)(v->nsymbols + 1) * sizeof *v->symbols);
		snprintf(v->symbols[v->nsymbols++], FB_SYMBOL_LEN, "%s", s->symbol);
	}
	store_cursor_close(c);
	free(want);
	if (rc < 0) {
		venue_twins_free(out, n);
		return -1;
	}
	qsort(out, (size_t)n, sizeof *out, by_exchange);
	return n;
}

void venue_twins_free(VenueTwins *t, int n)
{
	for (int k = 0; k < n; k++) {
		free(t[k].symbols);
		t[k].symbols = NULL;
		t[k].nsymbols = 0;
	}
}

int venue_history(StoreReader *rd, const char *exchange, const char *symbol,
                  const int64_t *open_times, int n, int64_t interval_ms, VenueHist *out, int max,
                  char *err, size_t errlen)
{
	if (!exchange || n <= 0 || max <= 0)
		return 0;
	/* the symbol here, then the instrument on every other exchange stored */
	VenueTwins tw[VENUE_HIST_MAX - 1];
	int nw = venue_twins(rd, exchange, &symbol, 1, tw,
	                     max - 1 < VENUE_HIST_MAX - 1 ? max - 1 : VENUE_HIST_MAX - 1, err,
	                     errlen);
	if (nw < 0)
		return -1;
	struct {
		const char *exchange, *symbol;
	} t[VENUE_HIST_MAX] = {{exchange, symbol}};
	int nt = 1;
	for (int k = 0; k < nw; k++, nt++)
		t[nt].exchange = tw[k].exchange, t[nt].symbol = tw[k].symbols[0];
	int64_t max_age = 2 * interval_ms > 10 * FB_MINUTE_MS ? 2 * interval_ms : 10 * FB_MINUTE_MS;
	enum { OI, MARK, MARKC, EST, PER, REAL, GAP, NTMP };
	double *tmp[NTMP];
	for (int j = 0; j < NTMP; j++)
		tmp[j] = xcalloc((size_t)n, sizeof *tmp[j]);
	int64_t *real_at = xcalloc((size_t)n, sizeof *real_at);
	int k;
	for (k = 0; k < nt; k++) {
		VenueHist *v = &out[k];
		memset(v, 0, sizeof *v);
		snprintf(v->exchange, sizeof v->exchange, "%s", t[k].exchange);
		snprintf(v->symbol, sizeof v->symbol, "%s", t[k].symbol);
		v->oi_usd = xcalloc((size_t)n, sizeof *v->oi_usd);
		v->funding8 = xcalloc((size_t)n, sizeof *v->funding8);
		const char *ex = t[k].exchange, *sym = t[k].symbol;
#define STEP(j, age, at) step_new(open_times, n, interval_ms, (age), tmp[j], (at))
		if (step_metric(rd, ex, sym, "open_interest", STEP(OI, max_age, NULL), err,
		                errlen) ||
		    step_metric(rd, ex, sym, "mark_price", STEP(MARK, max_age, NULL), err,
		                errlen) ||
		    step_mark_candles(rd, ex, sym, STEP(MARKC, max_age, NULL), err, errlen) ||
		    step_metric(rd, ex, sym, "funding_rate_est", STEP(EST, max_age, NULL), err,
		                errlen) ||
		    step_metric(rd, ex, sym, "funding_interval_h", STEP(PER, 0, NULL), err,
		                errlen) ||
		    step_funding(rd, ex, sym, STEP(REAL, 0, real_at), STEP(GAP, 0, NULL), err,
		                 errlen))
			break;
#undef STEP
		for (int i = 0; i < n; i++) {
			double mark = isfinite(tmp[MARK][i]) ? tmp[MARK][i] : tmp[MARKC][i];
			v->oi_usd[i] = tmp[OI][i] * mark;
			/* the period: as the exchange says, else as its settlements were spaced */
			double said = isfinite(tmp[PER][i]) && tmp[PER][i] > 0 ? tmp[PER][i] : NAN;
			double gap_h = tmp[GAP][i] / (double)FB_HOUR_MS;
			if (!(gap_h > 0 && gap_h <= 24))
				gap_h = NAN;
			/* the estimate, per the period the exchange says; else the last settled rate,
			 * per the period it settled, while that period lasts (an hour's slack for a
			 * late row) */
			double per = isfinite(said) ? said : isfinite(gap_h) ? gap_h : 8;
			double rate = tmp[EST][i];
			int64_t close = open_times[i] + interval_ms;
			if (!isfinite(rate) && real_at[i] != INT64_MIN) {
				per = isfinite(gap_h) ? gap_h : per;
				if (close - real_at[i] <= (int64_t)(per * FB_HOUR_MS) + FB_HOUR_MS)
					rate = tmp[REAL][i];
			}
			v->funding8[i] = rate * 8 / per;
		}
	}
	for (int j = 0; j < NTMP; j++)
		free(tmp[j]);
	free(real_at);
	venue_twins_free(tw, nw);
	if (k < nt) {
		venue_history_free(out, k + 1);
		return -1;
	}
	return nt;
}

void venue_history_free(VenueHist *v, int n)
{
	for (int k = 0; k < n; k++) {
		free(v[k].oi_usd);
		free(v[k].funding8);
		v[k].oi_usd = v[k].funding8 = NULL;
	}
}
