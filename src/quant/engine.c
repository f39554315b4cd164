/* The quant engine (see engine.h for what it computes and quant.7-style notes in the man page
 * for the conventions). */
#include "quant/engine.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/timeutil.h"
#include "core/xmalloc.h"
#include "quant/alerts.h"
#include "quant/fundperiod.h"
#include "quant/instrument.h"

#define YEAR_MS ((double)(365 * FB_DAY_MS))

#define COL(name, kind, candles)                                                                   \
	{                                                                                          \
#name, offsetof(QuantValues, name), kind, candles                                  \
	}
const QuantColumn quant_columns[] = {
        COL(open_time, QC_TIME, 1),
        COL(open, QC_NUM, 1),
        COL(high, QC_NUM, 1),
        COL(low, QC_NUM, 1),
        COL(close, QC_NUM, 1),
        COL(volume, QC_NUM, 1),
        COL(quote_volume, QC_NUM, 1),
        COL(trades, QC_NUM, 1),
        COL(change, QC_NUM, 1),
        COL(sma, QC_NUM, 1),
        COL(ema_fast, QC_NUM, 1),
        COL(ema_slow, QC_NUM, 1),
        COL(rsi, QC_NUM, 1),
        COL(atr, QC_NUM, 1),
        COL(boll_mid, QC_NUM, 1),
        COL(boll_up, QC_NUM, 1),
        COL(boll_low, QC_NUM, 1),
        COL(vwap, QC_NUM, 1),
        COL(zscore, QC_NUM, 1),
        COL(rv, QC_NUM, 1),
        COL(vol_of_vol, QC_NUM, 1),
        COL(cvd, QC_NUM, 1),
        COL(cvd_delta, QC_NUM, 1),
        COL(trend, QC_TREND, 1),
        COL(vol_regime, QC_VOLR, 1),
        COL(oi, QC_NUM, 0),
        COL(oi_change, QC_NUM, 0),
        COL(oi_z, QC_NUM, 0),
        COL(ls_ratio, QC_NUM, 0),
        COL(ls_change, QC_NUM, 0),
        COL(funding, QC_NUM, 0),
        COL(funding_annual, QC_NUM, 0),
        COL(funding_z, QC_NUM, 0),
        COL(mark, QC_NUM, 0),
        COL(basis, QC_NUM, 0),
        COL(imbalance, QC_NUM, 0),
        COL(oi_all, QC_NUM, 0),
        COL(oi_all_z, QC_NUM, 0),
        COL(oi_share, QC_NUM, 0),
        COL(funding_all, QC_NUM, 0),
        COL(funding_spread, QC_NUM, 0),
        COL(price_spread, QC_NUM, 0),
        COL(liq_all_1h, QC_NUM, 0),
};
const int quant_ncolumns = (int)(sizeof quant_columns / sizeof quant_columns[0]);

int quant_column_find(const char *name)
{
	for (int i = 0; i < quant_ncolumns; i++)
		if (strcmp(quant_columns[i].name, name) == 0)
			return i;
	return -1;
}

double quant_column_value(const QuantValues *v, int col)
{
	const char *base = (const char *)v + quant_columns[col].offset;
	if (quant_columns[col].kind == QC_TIME) {
		int64_t t;
		memcpy(&t, base, sizeof t);
		return (double)t;
	}
	double d;
	memcpy(&d, base, sizeof d);
	return d;
}

const char *quant_trend_name(int t)
{
	static const char *const n[] = {"", "up", "down", "range"};
	return t >= 0 && t <= TREND_RANGE ? n[t] : "";
}

const char *quant_volr_name(int r)
{
	static const char *const n[] = {"", "low", "normal", "high"};
	return r >= 0 && r <= VOLR_HIGH ? n[r] : "";
}

void quant_default_options(QuantOptions *o)
{
	memset(o, 0, sizeof *o);
	indicators_default_params(&o->ind);
	o->rv_window = 30;
	o->z_window = 30;
	o->corr_window = 100;
	o->top_n = 20;
	static const char *const iv[] = {"1m", "5m", "15m", "1h", "4h", "1d"};
	for (int i = 0; i < 6; i++)
		snprintf(o->intervals[i], FB_INTERVAL_LEN, "%s", iv[i]);
	o->nintervals = 6;
	o->exchange = "binance";
}

/* A bucketed gauge: the last sample per interval bucket and the close of the previous one. */
typedef struct {
	int64_t bucket;
	double last, prev_close;
	int has;
} Bucketed;

typedef struct {
	Indicators ind;
	Window rv, vov, oiw, qv24;
	Window qv24_unknown; /* 1 per candle of the window without a quote volume */
	int qv24_n;          /* 0: 24 h do not fit the window at this interval */
	int64_t interval_ms;
	double ann;        /* sqrt(periods per year) */
	double prev_close; /* for log returns */
	double cvd;
	Bucketed oi, ls;
	Bucketed oia; /* open interest across exchanges (quote), and its closes */
	Window oiaw;
	QuantValues v; /* after the last closed candle */
	int64_t last_open;
	int64_t gaps;
	/* ring of closes (times) for sparklines and correlations */
	double rclose[QUANT_CORR_MAX];
	int64_t rtime[QUANT_CORR_MAX];
	int rhead, rcount;
	double forming_close; /* NAN when no forming candle is newer than the last closed */
	int64_t forming_open;
} Series;

#define LIQ_SLOTS 60

/* How old the values a sum across exchanges takes are: a mark (with its funding) and an open
 * interest, each exchange's own and every other's. */
typedef struct {
	int64_t mark_ts, oi_ts; /* exchange time of the newest mark, open interest; 0 none */
	int64_t oi_gap[2];      /* the spacing of the last open interest values; 0 unknown */
} Fresh;

/* A mark at ts: 1 when it is the newest (an older one, reordered, is not taken). */
static int fresh_mark(Fresh *f, int64_t ts)
{
	if (ts < f->mark_ts)
		return 0;
	f->mark_ts = ts;
	return 1;
}

/* An open interest at ts: 1 when it is the newest (not an earlier 5-minute point after it). */
static int fresh_oi(Fresh *f, int64_t ts)
{
	if (ts < f->oi_ts)
		return 0;
	if (f->oi_ts && ts > f->oi_ts) {
		f->oi_gap[1] = f->oi_gap[0];
		f->oi_gap[0] = ts - f->oi_ts;
	}
	f->oi_ts = ts;
	return 1;
}

/* The values are as old as the older of the mark and the open interest (0 while one never
 * came): an event that brings neither (a ranking's volume, a liquidation) makes nothing
 * fresher. */
static int64_t fresh_ts(const Fresh *f)
{
	return f->mark_ts && f->oi_ts ? (f->mark_ts < f->oi_ts ? f->mark_ts : f->oi_ts) : 0;
}

static int fresh_mark_ok(const Fresh *f, int64_t now)
{
	return f->mark_ts && now - f->mark_ts <= QUANT_VENUE_STALE_MS;
}

/* Fresh: the mark within QUANT_VENUE_STALE_MS (fresh_mark_ok), and the open interest
 * (fresh_oi_ok), polled (every
 * feed.poll_s, 5 minutes of real time by default, more of a fast simulator's) or given in
 * 5-minute points, within that and twice its own spacing (the smaller of its last two, at
 * most a day): a poll on time is never stale, a poll that stopped is within a few periods.
 * Before its second value the spacing is unknown and only the mark is judged. */
static int fresh_oi_ok(const Fresh *f, int64_t now)
{
	if (!f->oi_ts)
		return 0;
	int64_t gap = f->oi_gap[0];
	if (f->oi_gap[1] && f->oi_gap[1] < gap)
		gap = f->oi_gap[1];
	if (!gap)
		return 1;
	gap = 2 * gap < FB_DAY_MS ? 2 * gap : FB_DAY_MS;
	return now - f->oi_ts <= QUANT_VENUE_STALE_MS + gap;
}

static int fresh_ok(const Fresh *f, int64_t now)
{
	return fresh_mark_ok(f, now) && fresh_oi_ok(f, now);
}

/* Another exchange's latest values of a symbol's instrument (EV_VENUE). */
typedef struct {
	char venue[FB_EXCHANGE_LEN], symbol[FB_SYMBOL_LEN];
	double mult, mark, funding, interval_h, oi, qv24;
	double liq_buy[LIQ_SLOTS], liq_sell[LIQ_SLOTS];
	int64_t liq_minute[LIQ_SLOTS];
	Fresh f;
} Venue;

typedef struct {
	char symbol[FB_SYMBOL_LEN];
	double mark, index, funding_est, oi, oi_value, ls, taker_ratio, imbalance, cvd_trades;
	int64_t next_funding, funding_interval_ms, last_funding_time, last_funding_gap;
	double last_funding;
	Window fz;
	double liq_buy[LIQ_SLOTS], liq_sell[LIQ_SLOTS];
	int64_t liq_minute[LIQ_SLOTS];
	Fresh f; /* of its own mark and open interest, for the sums across exchanges */
	TickerEvent ticker;
	int has_ticker;
	Instrument inst; /* the instrument (quant/instrument.h); inst_ok 0: none */
	int inst_ok;
	Venue venue[QUANT_MAX_VENUES];
	int nvenue;
	double last;
	int price_dp; /* decimals of the traded prices seen (candles, trades) */
	int tick_dp;  /* decimals of the exchange's tick size; -1 unknown */
	int64_t last_ts;
	Series *s[QUANT_MAX_INTERVALS];
	int64_t *fired; /* per rule: exchange time it last fired; 0 never */
	QuantPin *pin;  /* per interval, another engine's values to show (attach); NULL: none */
} Sym;

struct QuantEngine {
	QuantOptions o;
	char exchange[FB_EXCHANGE_LEN];
	int64_t interval_ms[QUANT_MAX_INTERVALS];
	Sym **sym;
	int nsym, capsym;
	int *index;  /* open addressing: sym index + 1, 0 empty */
	int *kindex; /* the same on the instrument key (another exchange's symbol finds it) */
	int nindex;
	AlertRules *rules;
	int64_t last_ts;
	uint64_t generation;
	char (*watch)[FB_SYMBOL_LEN]; /* shown whatever their rank */
	int nwatch;
	pthread_mutex_t lock; /* current, refs */
	QuantSnapshot *current;
};

static void sym_free(const QuantEngine *q, Sym *y);
static int interval_index(const QuantEngine *q, const char *interval);

static uint32_t hash(const char *s)
{
	uint32_t h = 2166136261u;
	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

static void index_put(int *index, int nindex, const char *key, int slot)
{
	uint32_t h = hash(key) & (uint32_t)(nindex - 1);
	while (index[h])
		h = (h + 1) & (uint32_t)(nindex - 1);
	index[h] = slot;
}

static void reindex(QuantEngine *q)
{
	free(q->index);
	free(q->kindex);
	q->nindex = 64;
	while (q->nindex < q->nsym * 3)
		q->nindex *= 2;
	q->index = xcalloc((size_t)q->nindex, sizeof *q->index);
	q->kindex = xcalloc((size_t)q->nindex, sizeof *q->kindex);
	for (int i = 0; i < q->nsym; i++) {
		index_put(q->index, q->nindex, q->sym[i]->symbol, i + 1);
		if (q->sym[i]->inst_ok)
			index_put(q->kindex, q->nindex, q->sym[i]->inst.key, i + 1);
	}
}

/* The symbol under key in one of the indexes: by its name (index) or by its instrument's key
 * (kindex), or NULL. */
static Sym *index_get(const QuantEngine *q, const int *index, const char *key)
{
	if (!q->nindex)
		return NULL;
	uint32_t h = hash(key) & (uint32_t)(q->nindex - 1);
	for (; index[h]; h = (h + 1) & (uint32_t)(q->nindex - 1)) {
		Sym *y = q->sym[index[h] - 1];
		if (strcmp(index == q->index ? y->symbol : y->inst.key, key) == 0)
			return y;
	}
	return NULL;
}

static Sym *find_sym(const QuantEngine *q, const char *symbol)
{
	return index_get(q, q->index, symbol);
}

static void series_init(const QuantEngine *q, Series *s, int i)
{
	memset(s, 0, sizeof *s);
	indicators_init(&s->ind, &q->o.ind);
	window_init(&s->rv, q->o.rv_window);
	window_init(&s->vov, q->o.rv_window);
	window_init(&s->oiw, q->o.z_window);
	window_init(&s->oiaw, q->o.z_window);
	s->interval_ms = q->interval_ms[i];
	int64_t n = FB_DAY_MS / s->interval_ms;
	s->qv24_n = n >= 1 && n <= IND_MAX_WINDOW ? (int)n : 0;
	window_init(&s->qv24, s->qv24_n ? s->qv24_n : 1);
	window_init(&s->qv24_unknown, s->qv24_n ? s->qv24_n : 1);
	s->ann = sqrt(YEAR_MS / (double)s->interval_ms);
	s->prev_close = NAN;
	s->forming_close = NAN;
	s->cvd = NAN;
	QuantValues *v = &s->v;
	for (int c = 0; c < quant_ncolumns; c++)
		if (quant_columns[c].kind != QC_TIME) {
			double nan = NAN;
			memcpy((char *)v + quant_columns[c].offset, &nan, sizeof nan);
		}
	v->trend = TREND_NA;
	v->vol_regime = VOLR_NA;
}

static Sym *get_sym(QuantEngine *q, const char *symbol)
{
	Sym *y = find_sym(q, symbol);
	if (y || !records_symbol_valid(symbol))
		return y;
	y = xcalloc(1, sizeof *y);
	snprintf(y->symbol, sizeof y->symbol, "%s", symbol);
	y->mark = y->index = y->funding_est = y->oi = y->oi_value = y->ls = y->taker_ratio =
	        y->imbalance = y->last_funding = y->last = NAN;
	y->funding_interval_ms = 8 * FB_HOUR_MS;
	y->tick_dp = -1;
	y->inst_ok = instrument_of(y->symbol, &y->inst) == 0;
	window_init(&y->fz, q->o.z_window);
	for (int i = 0; i < q->o.nintervals; i++) {
		y->s[i] = xmalloc(sizeof *y->s[i]);
		series_init(q, y->s[i], i);
	}
	y->fired = xcalloc((size_t)(q->rules ? q->rules->n : 0) + 1, sizeof *y->fired);
	if (q->nsym == q->capsym)
		q->sym = xrealloc(q->sym, (size_t)(q->capsym = q->capsym ? q->capsym * 2 : 32) *
		                                  sizeof *q->sym);
	q->sym[q->nsym++] = y;
	if (q->nsym * 2 > q->nindex)
		reindex(q);
	else {
		index_put(q->index, q->nindex, symbol, q->nsym);
		if (y->inst_ok)
			index_put(q->kindex, q->nindex, y->inst.key, q->nsym);
	}
	return y;
}

QuantEngine *quant_new(const QuantOptions *o)
{
	QuantEngine *q = xcalloc(1, sizeof *q);
	q->o = *o;
	snprintf(q->exchange, sizeof q->exchange, "%s", o->exchange ? o->exchange : "binance");
	q->o.exchange = q->exchange;
	if (q->o.nintervals > QUANT_MAX_INTERVALS)
		q->o.nintervals = QUANT_MAX_INTERVALS;
	for (int i = 0; i < q->o.nintervals; i++)
		q->interval_ms[i] = fb_interval_ms(q->o.intervals[i]);
	if (q->o.corr_window > QUANT_CORR_MAX - 1)
		q->o.corr_window = QUANT_CORR_MAX - 1;
	pthread_mutex_init(&q->lock, NULL);
	return q;
}

static void snapshot_free(QuantSnapshot *s)
{
	if (!s)
		return;
	free(s->rows);
	for (int i = 0; i < QUANT_MAX_INTERVALS; i++)
		free(s->corr[i]);
	free(s);
}

void quant_free(QuantEngine *q)
{
	if (!q)
		return;
	for (int i = 0; i < q->nsym; i++)
		sym_free(q, q->sym[i]);
	free(q->sym);
	free(q->index);
	free(q->kindex);
	alert_rules_free(q->rules);
	free(q->watch);
	if (q->current && --q->current->refs == 0)
		snapshot_free(q->current);
	pthread_mutex_destroy(&q->lock);
	free(q);
}

static void sym_free(const QuantEngine *q, Sym *y)
{
	free(y->pin);
	for (int j = 0; j < q->o.nintervals; j++)
		free(y->s[j]);
	free(y->fired);
	free(y);
}

int quant_symbols(const QuantEngine *q, char (*out)[FB_SYMBOL_LEN], int max)
{
	for (int i = 0; i < q->nsym && i < max; i++)
		memcpy(out[i], q->sym[i]->symbol, FB_SYMBOL_LEN);
	return q->nsym;
}

void quant_drop_symbol(QuantEngine *q, const char *symbol)
{
	for (int i = 0; i < q->nsym; i++)
		if (strcmp(q->sym[i]->symbol, symbol) == 0) {
			sym_free(q, q->sym[i]);
			q->sym[i] = q->sym[--q->nsym];
			reindex(q);
			return;
		}
}

void quant_reset_symbol(QuantEngine *q, const char *symbol)
{
	Sym *y = find_sym(q, symbol);
	if (!y)
		return;
	TickerEvent t = y->ticker;
	int has = y->has_ticker;
	double cvd = y->cvd_trades;
	int tick_dp = y->tick_dp;
	Venue venue[QUANT_MAX_VENUES]; /* the other exchanges' values: not in a replay either */
	int nvenue = y->nvenue;
	memcpy(venue, y->venue, sizeof venue);
	quant_drop_symbol(q, symbol);
	y = get_sym(q, symbol);
	y->ticker = t;
	y->has_ticker = has;
	y->cvd_trades = cvd;
	y->tick_dp = tick_dp;
	memcpy(y->venue, venue, sizeof venue);
	y->nvenue = nvenue;
}

void quant_set_watch(QuantEngine *q, const char (*symbols)[FB_SYMBOL_LEN], int n)
{
	free(q->watch);
	q->watch = xcalloc((size_t)n + 1, FB_SYMBOL_LEN);
	if (n)
		memcpy(q->watch, symbols, (size_t)n * FB_SYMBOL_LEN);
	q->nwatch = n;
}

static int watched(const QuantEngine *q, const char *symbol)
{
	for (int i = 0; i < q->nwatch; i++)
		if (strcmp(q->watch[i], symbol) == 0)
			return 1;
	return 0;
}

void quant_pin(QuantEngine *q, const QuantPin *p)
{
	int iv = interval_index(q, p->interval);
	Sym *y = iv >= 0 ? get_sym(q, p->symbol) : NULL;
	if (!y)
		return;
	if (!y->pin)
		y->pin = xcalloc((size_t)q->o.nintervals + 1, sizeof *y->pin);
	y->pin[iv] = *p;
}

void quant_set_rules(QuantEngine *q, AlertRules *rules)
{
	int n = rules ? rules->n : 0;
	for (int i = 0; i < q->nsym; i++) {
		int64_t *f = xcalloc((size_t)n + 1, sizeof *f);
		for (int r = 0; r < n; r++)
			for (int o = 0; q->rules && o < q->rules->n; o++)
				if (strcmp(q->rules->rule[o].name, rules->rule[r].name) == 0)
					f[r] = q->sym[i]->fired[o];
		free(q->sym[i]->fired);
		q->sym[i]->fired = f;
	}
	alert_rules_free(q->rules);
	q->rules = rules;
}

static int interval_index(const QuantEngine *q, const char *interval)
{
	for (int i = 0; i < q->o.nintervals; i++)
		if (strcmp(q->o.intervals[i], interval) == 0)
			return i;
	return -1;
}

static int64_t floor_div(int64_t a, int64_t b)
{
	return a >= 0 ? a / b : -1 - (-a - 1) / b;
}

/* A sample of a bucketed gauge at time ts. Returns 1 when a bucket closed. A sample older
 * than the current bucket changes nothing. */
static int bucket_push(Bucketed *b, int64_t ts, int64_t interval_ms, double x, double *closed)
{
	int64_t k = floor_div(ts, interval_ms);
	int r = 0;
	if (b->has && k > b->bucket) {
		b->prev_close = b->last;
		*closed = b->last;
		r = 1;
	} else if (!b->has)
		b->prev_close = NAN;
	if (!b->has || k >= b->bucket) {
		b->bucket = k;
		b->last = x;
		b->has = 1;
	}
	return r;
}

static double gauge_change(const Bucketed *b)
{
	return b->has && b->prev_close > 0 ? b->last / b->prev_close - 1 : NAN;
}

static double funding_now(const Sym *y)
{
	return isfinite(y->funding_est) ? y->funding_est : y->last_funding;
}

/* Liquidation notional of the last hour in a ring of minutes. */
static double liq_hour(const double *v, const int64_t *minute, int64_t now)
{
	double sum = 0;
	for (int i = 0; i < LIQ_SLOTS; i++)
		if (minute[i] > now - LIQ_SLOTS)
			sum += v[i];
	return sum;
}

typedef struct {
	double oi_all, oi_share, funding_all, funding_spread, price_spread, liq_all_1h;
} Cross;

/* The values across exchanges; all NAN until another exchange reported. A sum (open
 * interest, its share, funding weighted by it, liquidations) is known only while every
 * exchange's part is, this one's own too: each one fresh (fresh_ok) and its values known, so a
 * part missing never passes for the whole. A spread is the largest over the exchanges whose
 * mark is fresh. */
static void cross(const Sym *y, Cross *x)
{
	x->oi_all = x->oi_share = x->funding_all = x->funding_spread = x->price_spread =
	        x->liq_all_1h = NAN;
	if (!y->nvenue)
		return;
	int64_t now = y->last_ts / FB_MINUTE_MS;
	double own = y->oi * y->mark,
	       f8 = funding_now(y) * 8 * FB_HOUR_MS / (double)y->funding_interval_ms;
	double sum = own, wf = own * f8,
	       liq = liq_hour(y->liq_buy, y->liq_minute, now) +
	             liq_hour(y->liq_sell, y->liq_minute, now);
	int all_fresh = fresh_ok(&y->f, y->last_ts); /* this exchange's own part too */
	double own_unit = y->mark / (y->inst_ok ? y->inst.mult : 1);
	for (int k = 0; k < y->nvenue; k++) {
		const Venue *v = &y->venue[k];
		if (!fresh_ok(&v->f, y->last_ts)) {
			all_fresh = 0; /* no sum; a spread of a fresh mark stands */
			if (!fresh_mark_ok(&v->f, y->last_ts))
				continue;
		}
		double usd = v->oi * v->mark;
		double vf8 = v->funding * 8 / (v->interval_h > 0 ? v->interval_h : 8);
		sum += usd; /* NAN when unknown: then so is the sum */
		wf += usd * vf8;
		double d = vf8 - f8;
		if (isfinite(d) && (isnan(x->funding_spread) || fabs(d) > fabs(x->funding_spread)))
			x->funding_spread = d;
		double p = v->mark / v->mult / own_unit - 1;
		if (isfinite(p) && (isnan(x->price_spread) || fabs(p) > fabs(x->price_spread)))
			x->price_spread = p;
		liq += liq_hour(v->liq_buy, v->liq_minute, now) +
		       liq_hour(v->liq_sell, v->liq_minute, now);
	}
	if (!all_fresh)
		return;
	x->liq_all_1h = liq;
	if (isfinite(sum) && sum > 0) {
		x->oi_all = sum;
		x->oi_share = own / sum;
		x->funding_all = wf / sum; /* NAN unless every funding is known */
	}
}

/* A change of the open interest across exchanges: each series' bucket of it. */
static void cross_oi_changed(QuantEngine *q, Sym *y, int64_t ts)
{
	Cross x;
	cross(y, &x);
	if (!isfinite(x.oi_all))
		return;
	for (int i = 0; i < q->o.nintervals; i++) {
		Series *s = y->s[i];
		double closed;
		if (bucket_push(&s->oia, ts, s->interval_ms, x.oi_all, &closed))
			window_push(&s->oiaw, closed);
	}
}

/* The symbol-level gauges of a series' values, as of now. */
static void fill_gauges(const Sym *y, const Series *s, QuantValues *v)
{
	v->oi = s->oi.has ? s->oi.last : NAN;
	v->oi_change = gauge_change(&s->oi);
	v->oi_z = NAN;
	if (s->oi.has && window_full(&s->oiw)) {
		double sd = window_std(&s->oiw);
		v->oi_z = sd > 0 ? (s->oi.last - window_mean(&s->oiw)) / sd : 0;
	}
	v->ls_ratio = s->ls.has ? s->ls.last : NAN;
	v->ls_change = gauge_change(&s->ls);
	v->funding = funding_now(y);
	v->funding_annual = v->funding * (YEAR_MS / (double)y->funding_interval_ms);
	v->funding_z = NAN;
	if (window_full(&y->fz)) {
		double sd = window_std(&y->fz);
		v->funding_z = sd > 0 ? (y->last_funding - window_mean(&y->fz)) / sd : 0;
	}
	v->mark = y->mark;
	v->basis = y->mark > 0 && y->index > 0 ? y->mark / y->index - 1 : NAN;
	v->imbalance = y->imbalance;
	Cross x;
	cross(y, &x);
	v->oi_all = x.oi_all;
	v->oi_share = x.oi_share;
	v->funding_all = x.funding_all;
	v->funding_spread = x.funding_spread;
	v->price_spread = x.price_spread;
	v->liq_all_1h = x.liq_all_1h;
	v->oi_all_z = NAN;
	if (s->oia.has && window_full(&s->oiaw)) {
		double sd = window_std(&s->oiaw);
		v->oi_all_z = sd > 0 ? (s->oia.last - window_mean(&s->oiaw)) / sd : 0;
	}
}

typedef struct {
	const Sym *y;
	const QuantValues *v;
} EvalCtx;

static double metric_value(int id, void *arg)
{
	const EvalCtx *c = arg;
	if (id >= 0 && id < quant_ncolumns)
		return quant_column_value(c->v, id);
	const Sym *y = c->y;
	switch (id) {
	case ALERT_M_CHANGE_24H: return y->has_ticker ? y->ticker.change_pct / 100 : NAN;
	case ALERT_M_QUOTE_VOLUME_24H: return y->has_ticker ? y->ticker.quote_volume : NAN;
	case ALERT_M_TAKER_RATIO: return y->taker_ratio;
	case ALERT_M_FUNDING_INTERVAL_H: return (double)y->funding_interval_ms / FB_HOUR_MS;
	case ALERT_M_LIQ_BUY_1H:
	case ALERT_M_LIQ_SELL_1H: {
		double sum = 0;
		int64_t now = y->last_ts / FB_MINUTE_MS;
		for (int i = 0; i < LIQ_SLOTS; i++)
			if (y->liq_minute[i] > now - LIQ_SLOTS)
				sum += id == ALERT_M_LIQ_BUY_1H ? y->liq_buy[i] : y->liq_sell[i];
		return sum;
	}
	default: return NAN;
	}
}

static void check_rules(QuantEngine *q, Sym *y, int iv, const QuantValues *v)
{
	if (!q->rules)
		return;
	int64_t at = v->open_time + q->interval_ms[iv]; /* the candle's close */
	for (int r = 0; r < q->rules->n; r++) {
		const AlertRule *ru = &q->rules->rule[r];
		if (strcmp(ru->interval, q->o.intervals[iv]) != 0)
			continue;
		EvalCtx ctx = {y, v};
		if (!alert_expr_eval(ru->when, metric_value, &ctx))
			continue;
		if (y->fired[r] && at - y->fired[r] < ru->cooldown_ms)
			continue;
		y->fired[r] = at;
		AlertRecord a = {.ts = at};
		records_copy_field(a.exchange, sizeof a.exchange, q->exchange);
		records_copy_field(a.symbol, sizeof a.symbol, y->symbol);
		records_copy_field(a.interval, sizeof a.interval, q->o.intervals[iv]);
		records_copy_field(a.rule, sizeof a.rule, ru->name);
		records_copy_field(a.severity, sizeof a.severity, ru->severity);
		int ids[8];
		int n = alert_expr_metrics(ru->when, ids, 8);
		a.value = n ? metric_value(ids[0], &ctx) : NAN;
		size_t used = 0;
		for (int i = 0; i < n && used < sizeof a.message; i++) {
			int w = snprintf(a.message + used, sizeof a.message - used, "%s%s=%.6g",
			                 i ? " " : "", alert_metric_name(ids[i]),
			                 metric_value(ids[i], &ctx));
			if (w < 0)
				break;
			used += (size_t)w;
		}
		if (q->o.on_alert)
			q->o.on_alert(q->o.alert_arg, &a, ru->command, ru->bell);
	}
}

/* The decimals a traded price carries (prices sit on the tick grid, so the most seen over a
 * few candles is the instrument's precision); at most QUANT_PRICE_DP. */
int quant_price_decimals(double x)
{
	if (!isfinite(x) || x <= 0)
		return 0;
	double scaled = x;
	for (int d = 0; d < QUANT_PRICE_DP; d++, scaled *= 10)
		if (fabs(scaled - nearbyint(scaled)) <= 1e-9 * scaled)
			return d;
	return QUANT_PRICE_DP;
}

static void price_digits(Sym *y, double x)
{
	int d = quant_price_decimals(x);
	if (d > y->price_dp)
		y->price_dp = d;
}

static void ring_push(Series *s, int64_t t, double close)
{
	s->rclose[s->rhead] = close;
	s->rtime[s->rhead] = t;
	s->rhead = (s->rhead + 1) % QUANT_CORR_MAX;
	if (s->rcount < QUANT_CORR_MAX)
		s->rcount++;
}

static void apply_closed(QuantEngine *q, Sym *y, int iv, const Candle *c)
{
	Series *s = y->s[iv];
	if (s->last_open && c->open_time <= s->last_open)
		return; /* seen */
	if (s->last_open && c->open_time != s->last_open + s->interval_ms)
		s->gaps++;
	s->last_open = c->open_time;
	IndicatorValues iv_;
	indicators_update(&s->ind, c, &iv_);
	QuantValues *v = &s->v;
	v->open_time = c->open_time;
	v->open = c->open;
	v->high = c->high;
	v->low = c->low;
	v->close = c->close;
	v->volume = c->volume;
	v->quote_volume = c->quote_volume;
	v->trades = c->trades >= 0 ? (double)c->trades : NAN;
	v->change = iv_.change;
	v->sma = iv_.sma;
	v->ema_fast = iv_.ema_fast;
	v->ema_slow = iv_.ema_slow;
	v->rsi = iv_.rsi;
	v->atr = iv_.atr;
	v->boll_mid = iv_.boll_mid;
	v->boll_up = iv_.boll_up;
	v->boll_low = iv_.boll_low;
	v->vwap = iv_.vwap;
	v->zscore = iv_.zscore;
	/* realised volatility and vol-of-vol */
	v->rv = v->vol_of_vol = NAN;
	if (s->prev_close > 0 && c->close > 0)
		window_push(&s->rv, log(c->close / s->prev_close));
	s->prev_close = c->close;
	v->vol_regime = VOLR_NA;
	if (window_full(&s->rv)) {
		v->rv = window_std(&s->rv) * s->ann;
		if (window_full(&s->vov)) { /* the regime compares against the previous values */
			double m = window_mean(&s->vov), sd = window_std(&s->vov);
			v->vol_regime = v->rv > m + sd   ? VOLR_HIGH
			                : v->rv < m - sd ? VOLR_LOW
			                                 : VOLR_NORMAL;
		}
		window_push(&s->vov, v->rv);
		if (window_full(&s->vov))
			v->vol_of_vol = window_std(&s->vov);
	}
	/* trend regime */
	if (isnan(v->ema_slow) || isnan(v->ema_fast))
		v->trend = TREND_NA;
	else if (c->close > v->ema_slow && v->ema_fast > v->ema_slow)
		v->trend = TREND_UP;
	else if (c->close < v->ema_slow && v->ema_fast < v->ema_slow)
		v->trend = TREND_DOWN;
	else
		v->trend = TREND_RANGE;
	/* candle CVD: taker buys minus taker sells, in quote */
	v->cvd_delta = NAN;
	if (isfinite(c->taker_buy_quote_volume) && isfinite(c->quote_volume)) {
		v->cvd_delta = 2 * c->taker_buy_quote_volume - c->quote_volume;
		s->cvd = isfinite(s->cvd) ? s->cvd + v->cvd_delta : v->cvd_delta;
	}
	v->cvd = s->cvd; /* NAN until a candle carries taker volumes */
	if (s->qv24_n) {
		window_push(&s->qv24, isfinite(c->quote_volume) ? c->quote_volume : 0);
		window_push(&s->qv24_unknown, isfinite(c->quote_volume) ? 0 : 1);
	}
	price_digits(y, c->open);
	price_digits(y, c->high);
	price_digits(y, c->low);
	price_digits(y, c->close);
	fill_gauges(y, s, v);
	ring_push(s, c->open_time, c->close);
	if (s->forming_open <= c->open_time)
		s->forming_close = NAN;
	check_rules(q, y, iv, v);
}

/* Another exchange's values: to the symbol of the same instrument, if the engine has one. */
static void apply_venue(QuantEngine *q, const Event *ev)
{
	const VenueEvent *e = &ev->u.venue;
	Instrument in;
	Sym *y = find_sym(q, ev->symbol); /* the same name: the same instrument */
	if (y && y->inst_ok)
		in = y->inst;
	else if (instrument_of(ev->symbol, &in))
		return;
	else
		y = index_get(q, q->kindex, in.key); /* another name of it (SHIB1000USDT) */
	if (!y)
		return; /* an instrument this exchange does not track */
	Venue *v = NULL;
	for (int k = 0; k < y->nvenue && !v; k++)
		if (strcmp(y->venue[k].venue, e->venue) == 0)
			v = &y->venue[k];
	if (!v) {
		if (y->nvenue == QUANT_MAX_VENUES)
			return;
		v = &y->venue[y->nvenue++];
		memset(v, 0, sizeof *v);
		snprintf(v->venue, sizeof v->venue, "%s", e->venue);
		v->mark = v->funding = v->interval_h = v->oi = v->qv24 = NAN;
	}
	if (strcmp(v->symbol, ev->symbol) != 0)
		memcpy(v->symbol, ev->symbol, sizeof v->symbol);
	v->mult = in.mult;
	if (isfinite(e->mark) && fresh_mark(&v->f, ev->ts)) { /* the newest wins */
		v->mark = e->mark;
		if (isfinite(e->funding_rate))
			v->funding = e->funding_rate;
	}
	if (isfinite(e->funding_interval_h) && e->funding_interval_h > 0)
		v->interval_h = e->funding_interval_h;
	if (isfinite(e->quote_volume_24h))
		v->qv24 = e->quote_volume_24h;
	if (e->liq_buy > 0 || e->liq_sell > 0) {
		int64_t m = ev->ts / FB_MINUTE_MS;
		int slot = (int)(m % LIQ_SLOTS);
		if (v->liq_minute[slot] != m) {
			v->liq_minute[slot] = m;
			v->liq_buy[slot] = v->liq_sell[slot] = 0;
		}
		v->liq_buy[slot] += e->liq_buy > 0 ? e->liq_buy : 0;
		v->liq_sell[slot] += e->liq_sell > 0 ? e->liq_sell : 0;
	}
	if (isfinite(e->oi) && fresh_oi(&v->f, ev->ts)) {
		v->oi = e->oi;
		cross_oi_changed(q, y, ev->ts);
	}
}

void quant_apply(QuantEngine *q, const Event *ev)
{
	if (ev->ts > q->last_ts)
		q->last_ts = ev->ts;
	if (ev->type == EV_VENUE) {
		apply_venue(q, ev);
		return;
	}
	Sym *y = get_sym(q, ev->symbol);
	if (!y)
		return;
	if (ev->ts > y->last_ts)
		y->last_ts = ev->ts;
	switch (ev->type) {
	case EV_CANDLE: {
		const Candle *c = &ev->u.candle;
		int iv = interval_index(q, c->interval);
		if (iv < 0 || !(c->close > 0))
			return;
		Series *s = y->s[iv];
		if (c->closed)
			apply_closed(q, y, iv, c);
		else if (c->open_time > s->last_open || !s->last_open) {
			s->forming_open = c->open_time;
			s->forming_close = c->close;
		}
		if (c->open_time >= s->last_open)
			y->last = c->close;
		return;
	}
	case EV_MARK: {
		const MarkEvent *m = &ev->u.mark;
		/* a reordered, older one changes none of the newer's values */
		int older = isfinite(m->mark) && !fresh_mark(&y->f, ev->ts);
		if (isfinite(m->mark) && !older)
			y->mark = m->mark;
		if (isfinite(m->index) && !older)
			y->index = m->index;
		if (isfinite(m->funding_rate) && !older)
			y->funding_est = m->funding_rate;
		funding_period_learn(&y->next_funding, &y->funding_interval_ms,
		                     m->next_funding_time, ev->ts);
		return;
	}
	case EV_FUNDING: {
		if (ev->ts <= y->last_funding_time || !isfinite(ev->u.funding.rate))
			return;
		if (y->last_funding_time) {
			/* payments fall on the hour; a missing one doubles a gap, so a longer
			 * interval is believed only when two gaps in a row agree */
			int64_t d = ev->ts - y->last_funding_time;
			d = (d + FB_HOUR_MS / 2) / FB_HOUR_MS * FB_HOUR_MS;
			if (d >= FB_HOUR_MS && d <= FB_DAY_MS &&
			    (d <= y->funding_interval_ms || d == y->last_funding_gap))
				y->funding_interval_ms = d;
			y->last_funding_gap = d;
		}
		y->last_funding_time = ev->ts;
		y->last_funding = ev->u.funding.rate;
		window_push(&y->fz, ev->u.funding.rate);
		return;
	}
	case EV_AGG_TRADE:
		y->cvd_trades +=
		        (ev->u.trade.buyer_is_maker ? -1 : 1) * ev->u.trade.qty * ev->u.trade.price;
		y->last = ev->u.trade.price;
		price_digits(y, ev->u.trade.price);
		return;
	case EV_BOOK_TOP:
		if (isfinite(ev->u.book.imbalance))
			y->imbalance = ev->u.book.imbalance;
		return;
	case EV_OPEN_INTEREST: {
		const OpenInterestEvent *o = &ev->u.oi;
		if (isfinite(o->value))
			y->oi_value = o->value;
		if (!isfinite(o->contracts))
			return;
		if (fresh_oi(&y->f, ev->ts)) /* the newest is the gauge; every one is bucketed */
			y->oi = o->contracts;
		for (int i = 0; i < q->o.nintervals; i++) {
			Series *s = y->s[i];
			double closed;
			if (bucket_push(&s->oi, ev->ts, s->interval_ms, o->contracts, &closed))
				window_push(&s->oiw, closed);
		}
		cross_oi_changed(q, y, ev->ts);
		return;
	}
	case EV_RATIO:
		if (!isfinite(ev->u.ratio.ratio))
			return;
		if (ev->u.ratio.kind == RATIO_TAKER_BUY_SELL)
			y->taker_ratio = ev->u.ratio.ratio;
		if (ev->u.ratio.kind != RATIO_LS_GLOBAL)
			return;
		y->ls = ev->u.ratio.ratio;
		for (int i = 0; i < q->o.nintervals; i++) {
			Series *s = y->s[i];
			double closed;
			bucket_push(&s->ls, ev->ts, s->interval_ms, ev->u.ratio.ratio, &closed);
		}
		return;
	case EV_LIQUIDATION: {
		int64_t m = ev->ts / FB_MINUTE_MS;
		int slot = (int)(m % LIQ_SLOTS);
		if (y->liq_minute[slot] != m) {
			y->liq_minute[slot] = m;
			y->liq_buy[slot] = y->liq_sell[slot] = 0;
		}
		double notional = ev->u.liq.price * ev->u.liq.qty;
		if (strcmp(ev->u.liq.side, "BUY") == 0)
			y->liq_buy[slot] += notional;
		else
			y->liq_sell[slot] += notional;
		return;
	}
	case EV_TICKER_24H:
		y->ticker = ev->u.ticker;
		y->has_ticker = 1;
		if (ev->u.ticker.tick_size > 0 && isfinite(ev->u.ticker.tick_size))
			y->tick_dp = quant_price_decimals(ev->u.ticker.tick_size);
		if (isfinite(ev->u.ticker.last))
			y->last = ev->u.ticker.last;
		return;
	case EV_VENUE: return; /* apply_venue's */
	}
}

const QuantValues *quant_values(const QuantEngine *q, const char *symbol, const char *interval)
{
	const Sym *y = find_sym(q, symbol);
	int iv = interval_index(q, interval);
	if (!y || iv < 0 || !y->s[iv]->last_open)
		return NULL;
	return &y->s[iv]->v;
}

int64_t quant_gaps(const QuantEngine *q, const char *symbol, const char *interval)
{
	const Sym *y = find_sym(q, symbol);
	int iv = interval_index(q, interval);
	return y && iv >= 0 ? y->s[iv]->gaps : 0;
}

/* 24h quote volume: the ticker's, or the sum of the last day of candles at the smallest
 * interval that keeps a day. */
static double qv24(const QuantEngine *q, const Sym *y)
{
	for (int i = 0; y->pin && i < q->o.nintervals; i++)
		if (y->pin[i].updated_ms) /* the other engine's ranking */
			return y->pin[i].quote_volume_24h;
	if (y->has_ticker && isfinite(y->ticker.quote_volume))
		return y->ticker.quote_volume;
	for (int i = 0; i < q->o.nintervals; i++) {
		const Series *s = y->s[i];
		if (s->qv24_n && s->qv24.count) /* unknown when a candle of it had none */
			return s->qv24_unknown.sum > 0 ? NAN : s->qv24.sum;
	}
	return NAN;
}

typedef struct {
	const Sym *y;
	double qv;
} Ranked;

static int by_volume(const void *a, const void *b)
{
	const Ranked *x = a, *y = b;
	double vx = isnan(x->qv) ? -1 : x->qv, vy = isnan(y->qv) ? -1 : y->qv;
	if (vx != vy)
		return vx > vy ? -1 : 1;
	return strcmp(x->y->symbol, y->y->symbol);
}

/* Log returns of consecutive candles in the ring, newest last: times and values. */
static int returns(const Series *s, int max, int64_t *t, double *r)
{
	int n = 0, count = s->rcount < max + 1 ? s->rcount : max + 1;
	int start = (s->rhead - count + QUANT_CORR_MAX) % QUANT_CORR_MAX;
	for (int k = 1; k < count; k++) {
		int a = (start + k - 1) % QUANT_CORR_MAX, b = (start + k) % QUANT_CORR_MAX;
		if (s->rtime[b] - s->rtime[a] != s->interval_ms || !(s->rclose[a] > 0))
			continue;
		t[n] = s->rtime[b];
		r[n++] = log(s->rclose[b] / s->rclose[a]);
	}
	return n;
}

static double correlation(const int64_t *ta, const double *ra, int na, const int64_t *tb,
                          const double *rb, int nb)
{
	double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
	int n = 0;
	for (int i = 0, j = 0; i < na && j < nb;) {
		if (ta[i] < tb[j])
			i++;
		else if (ta[i] > tb[j])
			j++;
		else {
			double x = ra[i++], y = rb[j++];
			sx += x, sy += y, sxx += x * x, syy += y * y, sxy += x * y;
			n++;
		}
	}
	if (n < 3)
		return NAN;
	double cov = sxy - sx * sy / n, vx = sxx - sx * sx / n, vy = syy - sy * sy / n;
	return vx > 0 && vy > 0 ? cov / sqrt(vx * vy) : NAN;
}

uint64_t quant_publish(QuantEngine *q)
{
	QuantSnapshot *s = xcalloc(1, sizeof *s);
	s->generation = ++q->generation;
	s->ts = q->last_ts;
	s->nintervals = q->o.nintervals;
	memcpy(s->intervals, q->o.intervals, sizeof s->intervals);
	Ranked *rk = xcalloc((size_t)q->nsym + 1, sizeof *rk);
	for (int i = 0; i < q->nsym; i++)
		rk[i] = (Ranked){q->sym[i], qv24(q, q->sym[i])};
	qsort(rk, (size_t)q->nsym, sizeof *rk, by_volume);
	s->nrows = q->nsym < q->o.top_n ? q->nsym : q->o.top_n;
	for (int i = s->nrows; i < q->nsym; i++) /* watched symbols below the top join */
		if (watched(q, rk[i].y->symbol)) {
			Ranked w = rk[i];
			memmove(&rk[s->nrows + 1], &rk[s->nrows],
			        (size_t)(i - s->nrows) * sizeof *rk);
			rk[s->nrows++] = w;
		}
	s->rows = xcalloc((size_t)s->nrows + 1, sizeof *s->rows);
	QuantAggregates *ag = &s->agg;
	double oi_w = 0, fund_w = 0, vol_w = 0, ls_w = 0;
	int oi_known = 0;
	for (int r = 0; r < s->nrows; r++) {
		const Sym *y = rk[r].y;
		QuantTopRow *row = &s->rows[r];
		memcpy(row->symbol, y->symbol, sizeof row->symbol);
		row->watched = watched(q, y->symbol);
		row->last = y->last;
		/* the exchange's tick when it said, else what the prices themselves carry */
		row->price_dp = y->tick_dp >= 0 ? y->tick_dp : y->price_dp;
		row->change_24h = y->has_ticker ? y->ticker.change_pct / 100 : NAN;
		row->quote_volume_24h = rk[r].qv;
		row->mark = y->mark;
		row->index = y->index;
		row->basis = y->mark > 0 && y->index > 0 ? y->mark / y->index - 1 : NAN;
		row->funding = funding_now(y);
		row->funding_interval_h = (double)y->funding_interval_ms / FB_HOUR_MS;
		row->funding_annual = row->funding * (YEAR_MS / (double)y->funding_interval_ms);
		row->next_funding_time = (double)y->next_funding;
		row->oi = y->oi;
		row->oi_ms = y->f.oi_ts;
		row->oi_stale = y->f.oi_ts && !fresh_oi_ok(&y->f, y->last_ts);
		row->own_ms = fresh_ts(&y->f);
		row->own_stale = !fresh_ok(&y->f, y->last_ts);
		row->oi_value = isfinite(y->oi_value)                  ? y->oi_value
		                : isfinite(y->oi) && isfinite(y->mark) ? y->oi * y->mark
		                                                       : y->oi * y->last;
		row->ls_ratio = y->ls;
		row->taker_ratio = y->taker_ratio;
		row->imbalance = y->imbalance;
		row->cvd_trades = y->cvd_trades;
		EvalCtx ctx = {y, NULL};
		row->liq_buy_1h = metric_value(ALERT_M_LIQ_BUY_1H, &ctx);
		row->liq_sell_1h = metric_value(ALERT_M_LIQ_SELL_1H, &ctx);
		Cross x;
		cross(y, &x);
		row->oi_all = x.oi_all;
		row->oi_share = x.oi_share;
		row->funding_all = x.funding_all;
		row->funding_spread = x.funding_spread;
		row->price_spread = x.price_spread;
		row->liq_all_1h = x.liq_all_1h;
		row->nvenues = y->nvenue;
		for (int k = 0; k < y->nvenue; k++) {
			const Venue *v = &y->venue[k];
			QuantVenueRow *vr = &row->venue[k];
			memcpy(vr->venue, v->venue, sizeof vr->venue);
			memcpy(vr->symbol, v->symbol, sizeof vr->symbol);
			vr->mult = v->mult;
			vr->mark = v->mark;
			vr->funding = v->funding;
			vr->funding_interval_h = v->interval_h;
			vr->oi = v->oi;
			vr->oi_value = v->oi * v->mark;
			vr->quote_volume_24h = v->qv24;
			vr->liq_buy_1h =
			        liq_hour(v->liq_buy, v->liq_minute, y->last_ts / FB_MINUTE_MS);
			vr->liq_sell_1h =
			        liq_hour(v->liq_sell, v->liq_minute, y->last_ts / FB_MINUTE_MS);
			vr->updated_ms = fresh_ts(&v->f);
			vr->stale = !fresh_ok(&v->f, y->last_ts);
		}
		row->funding_z = NAN;
		for (int i = 0; i < q->o.nintervals; i++) {
			const Series *se = y->s[i];
			row->tf[i] = se->v;
			fill_gauges(y, se, &row->tf[i]);
			if (i == 0)
				row->funding_z = row->tf[i].funding_z;
			/* sparkline: the newest closes, the forming one last */
			int want = QUANT_SPARK, have = se->rcount;
			int forming = isfinite(se->forming_close);
			int take = have + forming < want ? have + forming : want;
			for (int k = 0; k < want; k++)
				row->spark[i][k] = NAN;
			int from_ring = take - forming;
			for (int k = 0; k < from_ring; k++) {
				int idx = (se->rhead - from_ring + k + QUANT_CORR_MAX) %
				          QUANT_CORR_MAX;
				row->spark[i][want - take + k] = se->rclose[idx];
			}
			if (forming)
				row->spark[i][want - 1] = se->forming_close;
		}
		row->updated_ms = y->last_ts;
		/* pinned values (attach: the collector's own) replace this engine's */
		for (int i = 0; y->pin && i < q->o.nintervals; i++) {
			const QuantPin *p = &y->pin[i];
			if (!p->updated_ms)
				continue;
			row->tf[i] = p->v;
			row->last = p->last;
			row->change_24h = p->change_24h;
			row->quote_volume_24h = p->quote_volume_24h;
			if (p->updated_ms > row->updated_ms)
				row->updated_ms = p->updated_ms;
		}
		if (isfinite(row->change_24h))
			row->change_24h > 0   ? ag->up++
			: row->change_24h < 0 ? ag->down++
			                      : ag->flat++;
		else if (q->o.nintervals && isfinite(row->tf[0].change)) {
			double ch = row->tf[0].change;
			ch > 0 ? ag->up++ : ch < 0 ? ag->down++ : ag->flat++;
		}
		if (isfinite(row->oi_value)) {
			oi_known++;
			ag->total_oi_value += row->oi_value;
			ag->oi_stale += row->oi_stale;
			if (isfinite(row->funding)) {
				oi_w += row->oi_value;
				fund_w += row->oi_value * row->funding;
			}
		}
		if (isfinite(row->ls_ratio) && isfinite(row->quote_volume_24h)) {
			vol_w += row->quote_volume_24h;
			ls_w += row->quote_volume_24h * row->ls_ratio;
		}
	}
	if (!oi_known) /* unknown, not zero */
		ag->total_oi_value = NAN;
	ag->oi_weighted_funding = oi_w > 0 ? fund_w / oi_w : NAN;
	ag->volume_weighted_ls = vol_w > 0 ? ls_w / vol_w : NAN;
	/* correlations of log returns per interval */
	int n = s->nrows, w = q->o.corr_window;
	int64_t *t = xmalloc((size_t)(n + 1) * (size_t)w * sizeof *t);
	double *rr = xmalloc((size_t)(n + 1) * (size_t)w * sizeof *rr);
	int *cnt = xcalloc((size_t)n + 1, sizeof *cnt);
	for (int i = 0; i < q->o.nintervals; i++) {
		s->corr[i] = xmalloc(((size_t)n * (size_t)n + 1) * sizeof *s->corr[i]);
		for (int a = 0; a < n; a++)
			cnt[a] = returns(rk[a].y->s[i], w, t + (size_t)a * (size_t)w,
			                 rr + (size_t)a * (size_t)w);
		for (int a = 0; a < n; a++) {
			s->corr[i][a * n + a] = cnt[a] >= 3 ? 1 : NAN;
			for (int b = a + 1; b < n; b++) {
				double c = correlation(t + (size_t)a * (size_t)w,
				                       rr + (size_t)a * (size_t)w, cnt[a],
				                       t + (size_t)b * (size_t)w,
				                       rr + (size_t)b * (size_t)w, cnt[b]);
				s->corr[i][a * n + b] = s->corr[i][b * n + a] = c;
			}
		}
	}
	free(t);
	free(rr);
	free(cnt);
	free(rk);
	s->refs = 1;
	pthread_mutex_lock(&q->lock);
	QuantSnapshot *old = q->current;
	q->current = s;
	int drop = old && --old->refs == 0;
	pthread_mutex_unlock(&q->lock);
	if (drop)
		snapshot_free(old);
	return s->generation;
}

QuantSnapshot *quant_snapshot_acquire(QuantEngine *q)
{
	pthread_mutex_lock(&q->lock);
	QuantSnapshot *s = q->current;
	if (s)
		s->refs++;
	pthread_mutex_unlock(&q->lock);
	return s;
}

void quant_snapshot_release(QuantEngine *q, QuantSnapshot *s)
{
	if (!s)
		return;
	pthread_mutex_lock(&q->lock);
	int drop = --s->refs == 0;
	pthread_mutex_unlock(&q->lock);
	if (drop)
		snapshot_free(s);
}
