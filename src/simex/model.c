/* simex market model. See model.h for what it models; here, how.
 *
 * Per minute: the regime chain steps; the market factor's variance follows GARCH(1,1)
 * (alpha 0.06, beta 0.93) around a 3 % daily volatility, scaled by the regime; each symbol's
 * return is beta * market + its own GARCH-scaled Student-t shock. The minute's path is six
 * ten-second steps, whose extremes make the high and low; prices are rounded to the tick.
 * Random streams: one for the market, one per symbol (seeded from the seed and the symbol
 * name), always drawn in the same order, so a seed gives the same market on every run. */
#include "simex/model.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/numparse.h"
#include "core/rng.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"
#include "store/store.h"

#define SUBSTEPS    6
#define MIN_PER_DAY 1440.0
#define FUNDING_MS  (8 * FB_HOUR_MS)

typedef struct {
	double o, h, l, c, v, qv, tbv, tbqv;
	double prem; /* the premium after the bar: its index is c / (1 + prem) */
	int64_t trades;
	int missing;
} Bar;

typedef struct {
	double oi, ls_global, ls_top_accounts, ls_top_positions, taker_ratio, mark;
} Snap;

typedef struct {
	SimInstrument inst;
	Rng rng;
	Bar *bars;
	size_t nbars, cap;
	/* the minute in progress: cumulative state after each ten-second step */
	double sub_c[SUBSTEPS], sub_h[SUBSTEPS], sub_l[SUBSTEPS], sub_v[SUBSTEPS], sub_tb[SUBSTEPS];
	double var, last, premium, oi, interest, crowd, top;
	double taker_ratio;
	SimFunding *funding;
	size_t nfunding, fcap;
	Snap *snaps; /* one per 5 minutes from the first bar */
	size_t nsnaps, scap;
	Bar *src; /* history mode: every stored bar, played as time passes */
	size_t nsrc;
	int64_t *src_time; /* history mode, while loading: open time of each src bar */
} Sym;

struct SimModel {
	Sym *sym;
	int n;
	Rng market;
	double mvar, drift;
	int regime;
	int64_t first_open; /* open time of bar 0 */
	size_t nminutes;    /* bars generated per symbol */
	double missing_rate;
	int64_t bar_ms; /* 1m generated; the finest stored interval in history mode */
	double churn;   /* how fast interest, and so the volume ranking, wanders (1: normal) */
	int history;    /* bars come from Sym.src */
};

static const double regime_scale[3] = {0.6, 1.0, 2.3};
static const double regime_stay[3] = {0.9990, 0.9985, 0.9950};

int sim_instruments_load(const char *path, SimInstrument **out, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		snprintf(err, errlen, "%s: cannot read the instrument list", path);
		return -1;
	}
	char line[512];
	int n = 0, cap = 64, lineno = 0;
	SimInstrument *v = xmalloc((size_t)cap * sizeof *v);
	while (fgets(line, sizeof line, f)) {
		lineno++;
		line[strcspn(line, "\r\n")] = '\0';
		if (!line[0] || line[0] == '#' || strncmp(line, "symbol,", 7) == 0)
			continue;
		char *field[8];
		int k = 0;
		for (char *save, *t = strtok_r(line, ",", &save); t && k < 8;
		     t = strtok_r(NULL, ",", &save))
			field[k++] = t;
		SimInstrument in;
		double *num[] = {&in.price, &in.tick, &in.step, &in.quote_volume_24h,
		                 &in.beta,  &in.vol};
		int bad = k != 7;
		for (int i = 0; !bad && i < 6; i++)
			bad = fb_parse_double(field[i + 1], num[i]) || *num[i] < 0;
		if (bad || in.price <= 0 || in.tick <= 0 || strlen(field[0]) >= FB_SYMBOL_LEN) {
			snprintf(err, errlen,
			         "%s:%d: expected symbol,price,tick_size,step_size,"
			         "quote_volume_24h,beta,vol",
			         path, lineno);
			fclose(f);
			free(v);
			return -1;
		}
		records_copy_field(in.symbol, sizeof in.symbol, field[0]);
		if (n == cap)
			v = xrealloc(v, (size_t)(cap *= 2) * sizeof *v);
		v[n++] = in;
	}
	fclose(f);
	if (!n) {
		snprintf(err, errlen, "%s: no instruments", path);
		free(v);
		return -1;
	}
	*out = v;
	return n;
}

SimModel *sim_model_new(const SimInstrument *inst, int n, uint64_t seed, int64_t start_ms,
                        double missing_rate)
{
	SimModel *m = xcalloc(1, sizeof *m);
	m->n = n;
	m->sym = xcalloc((size_t)n, sizeof *m->sym);
	m->first_open = start_ms - start_ms % FB_MINUTE_MS;
	m->missing_rate = missing_rate;
	m->bar_ms = FB_MINUTE_MS;
	m->churn = 1;
	rng_seed(&m->market, seed);
	m->mvar = pow(0.03, 2) / MIN_PER_DAY;
	m->regime = 1;
	for (int i = 0; i < n; i++) {
		Sym *s = &m->sym[i];
		s->inst = inst[i];
		rng_seed(&s->rng, seed ^ rng_hash(inst[i].symbol));
		s->var = pow(inst[i].vol, 2) / MIN_PER_DAY;
		s->last = inst[i].price;
		s->premium = 0.0001;
		s->oi = inst[i].quote_volume_24h * 0.5 / inst[i].price;
		s->interest = 0;
		s->crowd = 0;
		s->taker_ratio = 1;
	}
	return m;
}

void sim_model_free(SimModel *m)
{
	if (!m)
		return;
	for (int i = 0; i < m->n; i++) {
		free(m->sym[i].bars);
		free(m->sym[i].funding);
		free(m->sym[i].snaps);
		free(m->sym[i].src);
		free(m->sym[i].src_time);
	}
	free(m->sym);
	free(m);
}

int sim_model_count(const SimModel *m)
{
	return m->n;
}
const SimInstrument *sim_model_instrument(const SimModel *m, int i)
{
	return &m->sym[i].inst;
}
int64_t sim_model_first_open(const SimModel *m)
{
	return m->first_open;
}

int sim_model_find(const SimModel *m, const char *symbol)
{
	for (int i = 0; i < m->n; i++)
		if (strcmp(m->sym[i].inst.symbol, symbol) == 0)
			return i;
	return -1;
}

static double round_to(double v, double step)
{
	return step > 0 ? round(v / step) * step : v;
}

static double clamp(double v, double lo, double hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

static void after_bar(SimModel *m, Sym *s, const Bar *bar, double ri, int64_t open_time);

/* One minute for one symbol, given the market's return. */
static void step_symbol(SimModel *m, Sym *s, double rm, int64_t open_time)
{
	Rng *r = &s->rng;
	const SimInstrument *in = &s->inst;
	double base_var = pow(in->vol, 2) / MIN_PER_DAY;
	/* GARCH(1,1) on the symbol's own innovation: the market part and the regime scale do not
	 * feed back into it */
	double e = sqrt(s->var) * rng_student(r, 5);
	double ri = in->beta * rm + regime_scale[m->regime] * e;
	s->var = base_var * 0.01 + 0.06 * e * e + 0.93 * s->var;
	s->var = clamp(s->var, base_var * 0.2, base_var * 10);

	/* path: six steps whose returns add up to ri, plus bridge noise */
	double o = s->last, p = o, hi = o, lo = o;
	double step_sd = sqrt(s->var) / sqrt((double)SUBSTEPS) * 0.5;
	double sigma_min = sqrt(base_var);
	double z = ri / sigma_min;
	s->interest += -s->interest / 360.0 * m->churn + 0.05 * m->churn * rng_normal(r);
	double activity = exp(s->interest + 0.35 * rng_normal(r)) * (0.6 + 0.5 * fabs(z));
	double qv_min = in->quote_volume_24h / MIN_PER_DAY * activity;
	double lean = clamp(0.5 + 0.2 * tanh(z) + 0.04 * rng_normal(r), 0.05, 0.95);
	double cum_v = 0, cum_tb = 0;
	for (int k = 0; k < SUBSTEPS; k++) {
		double target = o * exp(ri * (k + 1) / SUBSTEPS);
		double np = k == SUBSTEPS - 1 ? target : target * exp(step_sd * rng_normal(r));
		double wick = fabs(rng_normal(r)) * step_sd * 0.5;
		hi = fmax(hi, fmax(p, np) * exp(wick));
		lo = fmin(lo, fmin(p, np) * exp(-wick));
		p = np;
		double share = (0.5 + rng_uniform(r)) / SUBSTEPS;
		cum_v += qv_min * share / p;
		cum_tb += qv_min * share / p * lean;
		s->sub_c[k] = p;
		s->sub_h[k] = hi;
		s->sub_l[k] = lo;
		s->sub_v[k] = cum_v;
		s->sub_tb[k] = cum_tb;
	}
	/* rounding to the exchange's tick and step sizes, keeping OHLC consistent */
	for (int k = 0; k < SUBSTEPS; k++) {
		s->sub_c[k] = round_to(s->sub_c[k], in->tick);
		s->sub_v[k] = round_to(s->sub_v[k], in->step);
		s->sub_tb[k] = fmin(round_to(s->sub_tb[k], in->step), s->sub_v[k]);
	}
	o = round_to(o, in->tick);
	for (int k = 0; k < SUBSTEPS; k++) {
		double cmax = fmax(o, s->sub_c[k]), cmin = fmin(o, s->sub_c[k]);
		s->sub_h[k] = fmax(round_to(s->sub_h[k], in->tick), cmax);
		s->sub_l[k] = fmax(fmin(round_to(s->sub_l[k], in->tick), cmin), in->tick);
		if (k) {
			s->sub_h[k] = fmax(s->sub_h[k], s->sub_h[k - 1]);
			s->sub_l[k] = fmin(s->sub_l[k], s->sub_l[k - 1]);
		}
	}
	Bar b = {.o = o,
	         .h = s->sub_h[SUBSTEPS - 1],
	         .l = s->sub_l[SUBSTEPS - 1],
	         .c = s->sub_c[SUBSTEPS - 1],
	         .v = s->sub_v[SUBSTEPS - 1],
	         .tbv = s->sub_tb[SUBSTEPS - 1]};
	double vwap = (b.o + b.h + b.l + b.c) / 4;
	b.qv = b.v * vwap;
	b.tbqv = b.tbv * vwap;
	b.trades = (int64_t)(b.qv / (1500.0 * exp(0.3 * rng_normal(r)))) + (b.v > 0);
	b.missing = m->missing_rate > 0 && rng_uniform(r) < m->missing_rate;
	after_bar(m, s, &b, ri, open_time);
}

/* Everything that follows a bar, generated or played from history: the derivatives, the bar
 * itself, and the funding and 5-minute snapshots that fall at its close. */
static void after_bar(SimModel *m, Sym *s, const Bar *bar, double ri, int64_t open_time)
{
	Rng *r = &s->rng;
	Bar b = *bar;
	s->last = b.c;
	s->taker_ratio = b.v > b.tbv ? b.tbv / (b.v - b.tbv) : 1;

	/* derivatives: premium (mean-reverting, pushed by returns), open interest, crowding */
	s->premium += 0.02 * (0.0001 - s->premium) + 0.00003 * rng_normal(r) + 0.03 * ri;
	s->premium = clamp(s->premium, -0.01, 0.01);
	s->oi *= exp(0.0006 * rng_normal(r) + 0.6 * fabs(ri) * (ri > 0 ? 1 : -0.5));
	s->crowd += -s->crowd / 240.0 + 8.0 * ri + 0.01 * rng_normal(r);
	s->top += -s->top / 480.0 + 0.01 * rng_normal(r) - 2.0 * ri;

	if (s->nbars == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 4096;
		s->bars = xrealloc(s->bars, s->cap * sizeof *s->bars);
	}
	b.prem = s->premium;
	s->bars[s->nbars++] = b;

	int64_t close_time = open_time + m->bar_ms;
	if (close_time % FUNDING_MS == 0) {
		if (s->nfunding == s->fcap) {
			s->fcap = s->fcap ? s->fcap * 2 : 64;
			s->funding = xrealloc(s->funding, s->fcap * sizeof *s->funding);
		}
		SimState st;
		sim_model_state(m, (int)(s - m->sym), &st);
		s->funding[s->nfunding++] = (SimFunding){close_time, st.funding_rate, st.mark};
	}
	if (close_time % (m->bar_ms > 5 * FB_MINUTE_MS ? m->bar_ms : 5 * FB_MINUTE_MS) == 0) {
		if (s->nsnaps == s->scap) {
			s->scap = s->scap ? s->scap * 2 : 1024;
			s->snaps = xrealloc(s->snaps, s->scap * sizeof *s->snaps);
		}
		SimState st;
		sim_model_state(m, (int)(s - m->sym), &st);
		s->snaps[s->nsnaps++] =
		        (Snap){st.open_interest,    st.ls_global,   st.ls_top_accounts,
		               st.ls_top_positions, st.taker_ratio, st.mark};
	}
}

/* History mode: the next stored bar of every symbol (a hole in the data is a bar missing at
 * the source), with the path inside it drawn straight from open to close. */
static void play_bar(SimModel *m, Sym *s, size_t k, int64_t open_time)
{
	Bar b = k < s->nsrc ? s->src[k] : (Bar){.missing = 1};
	if (b.missing) {
		b.o = b.h = b.l = b.c = s->last;
		b.v = b.qv = b.tbv = b.tbqv = 0;
		b.trades = 0;
		b.missing = 1;
	}
	double ri = s->last > 0 && b.c > 0 ? log(b.c / s->last) : 0;
	for (int j = 0; j < SUBSTEPS; j++) {
		double f = (double)(j + 1) / SUBSTEPS;
		s->sub_c[j] =
		        j == SUBSTEPS - 1 ? b.c : round_to(b.o + (b.c - b.o) * f, s->inst.tick);
		s->sub_h[j] =
		        j == SUBSTEPS - 1 ? b.h : fmax(b.o, fmin(b.h, fmax(s->sub_c[j], b.o)));
		s->sub_l[j] =
		        j == SUBSTEPS - 1 ? b.l : fmin(b.o, fmax(b.l, fmin(s->sub_c[j], b.o)));
		s->sub_v[j] = b.v * f;
		s->sub_tb[j] = b.tbv * f;
	}
	after_bar(m, s, &b, ri, open_time);
}

void sim_model_advance(SimModel *m, int64_t t)
{
	if (m->history) {
		while (m->first_open + (int64_t)m->nminutes * m->bar_ms <= t) {
			int64_t open_time = m->first_open + (int64_t)m->nminutes * m->bar_ms;
			for (int i = 0; i < m->n; i++)
				play_bar(m, &m->sym[i], m->nminutes, open_time);
			m->nminutes++;
		}
		return;
	}
	while (m->first_open + (int64_t)m->nminutes * FB_MINUTE_MS <= t) {
		int64_t open_time = m->first_open + (int64_t)m->nminutes * FB_MINUTE_MS;
		Rng *r = &m->market;
		if (rng_uniform(r) > regime_stay[m->regime])
			m->regime = (m->regime + 1 + (int)(rng_uniform(r) * 2)) % 3;
		double target = pow(0.03, 2) / MIN_PER_DAY;
		double e = sqrt(m->mvar) * rng_student(r, 5);
		/* a slow drift: trends of a fraction of a percent a day */
		m->drift += -m->drift / 720.0 + 0.0000002 * rng_normal(r);
		double rm = regime_scale[m->regime] * e + m->drift;
		m->mvar = target * 0.01 + 0.06 * e * e + 0.93 * m->mvar;
		m->mvar = clamp(m->mvar, target * 0.2, target * 10);
		for (int i = 0; i < m->n; i++)
			step_symbol(m, &m->sym[i], rm, open_time);
		m->nminutes++;
	}
}

/* Bar k of symbol s as seen at time now: the minute in progress is partial. Returns 0, or -1
 * when it does not exist (not generated yet, or missing at the source). */
static int bar_at(const SimModel *m, const Sym *s, size_t k, int64_t now, Bar *out, int *open)
{
	if (k >= s->nbars || s->bars[k].missing)
		return -1;
	int64_t open_time = m->first_open + (int64_t)k * m->bar_ms;
	if (now < open_time)
		return -1;
	*out = s->bars[k];
	*open = 0;
	if (now < open_time + m->bar_ms) {
		if (k != s->nbars - 1)
			return -1; /* only the newest minute can be in progress */
		int j = (int)((now - open_time) / (m->bar_ms / SUBSTEPS));
		out->c = s->sub_c[j];
		out->h = s->sub_h[j];
		out->l = s->sub_l[j];
		out->v = s->sub_v[j];
		out->tbv = s->sub_tb[j];
		double vwap = (out->o + out->h + out->l + out->c) / 4;
		out->qv = out->v * vwap;
		out->tbqv = out->tbv * vwap;
		out->trades = (int64_t)((double)out->trades * (j + 1) / SUBSTEPS);
		*open = 1;
	}
	return 0;
}

int sim_model_candle(const SimModel *m, int i, const char *interval, int64_t open_time, int64_t now,
                     Candle *out)
{
	int64_t ivl = fb_interval_ms(interval);
	if (ivl < m->bar_ms || ivl % m->bar_ms || i < 0 || i >= m->n || open_time < m->first_open)
		return -1; /* finer than the bars: in history mode, data that does not exist */
	const Sym *s = &m->sym[i];
	size_t k0 = (size_t)((open_time - m->first_open) / m->bar_ms);
	size_t nmin = (size_t)(ivl / m->bar_ms);
	int any = 0, open = 0;
	memset(out, 0, sizeof *out);
	for (size_t k = k0; k < k0 + nmin; k++) {
		Bar b;
		int bopen;
		if (bar_at(m, s, k, now, &b, &bopen))
			continue;
		if (!any) {
			out->open = b.o;
			out->high = b.h;
			out->low = b.l;
		}
		out->high = fmax(out->high, b.h);
		out->low = fmin(out->low, b.l);
		out->close = b.c;
		out->volume += b.v;
		out->quote_volume += b.qv;
		out->taker_buy_volume += b.tbv;
		out->taker_buy_quote_volume += b.tbqv;
		out->trades += b.trades;
		open |= bopen;
		any = 1;
	}
	if (!any)
		return -1;
	records_copy_field(out->exchange, sizeof out->exchange, "simex");
	records_copy_field(out->symbol, sizeof out->symbol, s->inst.symbol);
	records_copy_field(out->interval, sizeof out->interval, interval);
	out->open_time = open_time;
	out->close_time = open_time + ivl - 1;
	out->closed = !open && now > out->close_time;
	/* sums of rounded volumes drift by a few ulps: round to the step again */
	out->volume = round_to(out->volume, s->inst.step);
	out->taker_buy_volume = fmin(round_to(out->taker_buy_volume, s->inst.step), out->volume);
	return 0;
}

int sim_model_price_candle(const SimModel *m, int i, const char *interval, int64_t open_time,
                           int64_t now, int index, Candle *out)
{
	int64_t ivl = fb_interval_ms(interval);
	if (ivl < m->bar_ms || ivl % m->bar_ms || i < 0 || i >= m->n || open_time < m->first_open ||
	    now < open_time)
		return -1;
	const Sym *s = &m->sym[i];
	size_t k0 = (size_t)((open_time - m->first_open) / m->bar_ms);
	size_t nmin = (size_t)(ivl / m->bar_ms);
	int any = 0;
	memset(out, 0, sizeof *out);
	for (size_t k = k0; k < k0 + nmin && k < s->nbars; k++) {
		if (m->first_open + (int64_t)k * m->bar_ms > now)
			break;
		/* the mark and index the streams show through bar k (sim_model_state) */
		const Bar *b = &s->bars[k];
		double v = round_to(index ? b->c / (1 + b->prem) : b->c, s->inst.tick);
		if (!any)
			out->open = out->high = out->low = v;
		out->high = fmax(out->high, v);
		out->low = fmin(out->low, v);
		out->close = v;
		any = 1;
	}
	if (!any)
		return -1;
	records_copy_field(out->exchange, sizeof out->exchange, "simex");
	records_copy_field(out->symbol, sizeof out->symbol, s->inst.symbol);
	records_copy_field(out->interval, sizeof out->interval, interval);
	out->open_time = open_time;
	out->close_time = open_time + ivl - 1;
	out->closed = now > out->close_time;
	return 0;
}

void sim_model_state(const SimModel *m, int i, SimState *o)
{
	const Sym *s = &m->sym[i];
	memset(o, 0, sizeof *o);
	o->last = s->last;
	o->premium = s->premium;
	o->mark = round_to(s->last, s->inst.tick);
	o->index = round_to(s->last / (1 + s->premium), s->inst.tick);
	/* Binance: F = P + clamp(I - P, -0.05 %, 0.05 %), I = 0.01 % per 8h */
	o->funding_rate =
	        clamp(s->premium + clamp(0.0001 - s->premium, -0.0005, 0.0005), -0.0075, 0.0075);
	int64_t now = m->first_open + (int64_t)s->nbars * m->bar_ms;
	o->next_funding_time = (now / FUNDING_MS + 1) * FUNDING_MS;
	o->open_interest = round_to(s->oi, s->inst.step);
	o->ls_global = exp(0.25 + s->crowd);
	o->ls_top_accounts = exp(0.15 + 0.6 * s->crowd + s->top);
	o->ls_top_positions = exp(0.05 + 0.4 * s->crowd + 1.5 * s->top);
	o->taker_ratio = s->taker_ratio;
	double spread = s->inst.tick * (1 + (double)(s->nbars % 3));
	o->bid = round_to(s->last - spread / 2, s->inst.tick);
	o->ask = round_to(o->bid + spread, s->inst.tick);
	o->bid_qty =
	        round_to(s->inst.quote_volume_24h / 2e5 / s->last * (1.2 - 0.4 * tanh(s->crowd)),
	                 s->inst.step);
	o->ask_qty =
	        round_to(s->inst.quote_volume_24h / 2e5 / s->last * (0.8 + 0.4 * tanh(s->crowd)),
	                 s->inst.step);
	size_t day = (size_t)(FB_DAY_MS / m->bar_ms), n = s->nbars < day ? s->nbars : day;
	o->open_24h = n ? s->bars[s->nbars - n].o : s->last;
	o->high_24h = o->low_24h = o->open_24h;
	for (size_t k = s->nbars - n; k < s->nbars; k++) {
		const Bar *b = &s->bars[k];
		o->volume_24h += b->v;
		o->quote_volume_24h += b->qv;
		o->trades_24h += b->trades;
		o->high_24h = fmax(o->high_24h, b->h);
		o->low_24h = fmin(o->low_24h, b->l);
	}
}

const SimFunding *sim_model_funding(const SimModel *m, int i, size_t *n)
{
	*n = m->sym[i].nfunding;
	return m->sym[i].funding;
}

int sim_model_history(const SimModel *m, int i, int64_t t, SimState *out)
{
	const Sym *s = &m->sym[i];
	int64_t step = m->bar_ms > 5 * FB_MINUTE_MS ? m->bar_ms : 5 * FB_MINUTE_MS;
	int64_t first = m->first_open - m->first_open % step + step;
	if (t < first || t % step != 0)
		return -1;
	size_t k = (size_t)((t - first) / step);
	if (k >= s->nsnaps)
		return -1;
	memset(out, 0, sizeof *out);
	const Snap *sn = &s->snaps[k];
	out->open_interest = sn->oi;
	out->ls_global = sn->ls_global;
	out->ls_top_accounts = sn->ls_top_accounts;
	out->ls_top_positions = sn->ls_top_positions;
	out->taker_ratio = sn->taker_ratio;
	out->mark = sn->mark;
	return 0;
}

/* Decimals that hold every value of v (up to 10): a tick or step size read off the data, so
 * that printing at it never rounds a stored value. */
static double grid_of(const double *v, size_t n)
{
	for (int d = 0; d <= 10; d++) {
		double scale = pow(10, d);
		size_t k;
		for (k = 0; k < n; k++) {
			double x = v[k] * scale;
			if (fabs(x - round(x)) >
			    1e-9 * fmax(1, fabs(x))) /* only representation error */
				break;
		}
		if (k == n)
			return 1 / scale;
	}
	return 1e-10;
}

SimModel *sim_model_new_history(const char *db_path, uint64_t seed, char *err, size_t errlen)
{
	Store *st = store_open(db_path, STORE_READONLY, 5000, err, errlen);
	if (!st)
		return NULL;
	StoreReader *rd = store_reader(st);
	SimModel *m = NULL;
	/* the finest interval stored, and its span */
	int64_t bar_ms = INT64_MAX;
	char interval[FB_INTERVAL_LEN] = "";
	StoreQuery sq = store_query_all(SR_SERIES);
	StoreCursor *q = store_query(rd, &sq, err, errlen);
	StoreRow row;
	int rc = q ? 0 : -1;
	while (q && (rc = store_next(q, &row, err, errlen)) == 1) {
		const char *iv = row.u.series.interval;
		int64_t ms = fb_interval_ms(iv), newest = -1;
		const char *ivs[1] = {iv};
		StoreQuery cq = store_query_all(SR_CANDLES);
		cq.intervals = ivs, cq.nintervals = 1;
		if (ms > 0 && ms < bar_ms && store_newest(rd, &cq, &newest, err, errlen)) {
			rc = -1;
			break;
		}
		if (newest >= 0) {
			bar_ms = ms;
			records_copy_field(interval, sizeof interval, iv);
		}
	}
	store_cursor_close(q);
	if (rc < 0) {
		store_close(st);
		return NULL;
	}
	if (bar_ms == INT64_MAX) {
		snprintf(err, errlen, "%s: no candles to play (import some first)", db_path);
		store_close(st);
		return NULL;
	}
	const char *ivs[1] = {interval};
	StoreQuery cq = store_query_all(SR_CANDLES);
	cq.intervals = ivs, cq.nintervals = 1, cq.closed_only = 1;
	if (!(q = store_query(rd, &cq, err, errlen))) {
		store_close(st);
		return NULL;
	}
	m = xcalloc(1, sizeof *m);
	m->history = 1;
	m->bar_ms = bar_ms;
	m->first_open = INT64_MAX;
	rng_seed(&m->market, seed);
	/* first pass into per-symbol lists, aligned to the common grid afterwards */
	int cap = 0;
	while ((rc = store_next(q, &row, err, errlen)) == 1) {
		const Candle *c = &row.u.candle;
		const char *sym = c->symbol;
		if (!m->n || strcmp(m->sym[m->n - 1].inst.symbol, sym) != 0) {
			if (m->n == cap)
				m->sym = xrealloc(m->sym, (size_t)(cap = cap ? cap * 2 : 16) *
				                                  sizeof *m->sym);
			memset(&m->sym[m->n], 0, sizeof *m->sym);
			records_copy_field(m->sym[m->n].inst.symbol, FB_SYMBOL_LEN, sym);
			m->n++;
		}
		Sym *s = &m->sym[m->n - 1];
		if (s->nsrc == s->cap) {
			s->cap = s->cap ? s->cap * 2 : 4096;
			s->src = xrealloc(s->src, s->cap * sizeof *s->src);
			s->src_time = xrealloc(s->src_time, s->cap * sizeof *s->src_time);
		}
		s->src_time[s->nsrc] = c->open_time;
		Bar *b = &s->src[s->nsrc++];
		memset(b, 0, sizeof *b);
		int64_t ot = c->open_time;
		b->o = c->open;
		b->h = c->high;
		b->l = c->low;
		b->c = c->close;
		b->v = c->volume;
		double vwap = (b->o + b->h + b->l + b->c) / 4;
		b->qv = isnan(c->quote_volume) ? b->v * vwap : c->quote_volume;
		b->trades = c->trades < 0 ? (int64_t)(b->qv / 1500) + 1 : c->trades;
		/* without taker flow in the data, half the volume is taken as buying */
		b->tbv = isnan(c->taker_buy_volume) ? b->v / 2 : c->taker_buy_volume;
		b->tbqv = isnan(c->taker_buy_quote_volume) ? b->qv / 2 : c->taker_buy_quote_volume;
		b->trades = b->trades < 0 ? 0 : b->trades;
		if (ot < m->first_open)
			m->first_open = ot;
	}
	store_cursor_close(q);
	if (rc < 0) { /* a read error: not a shorter history */
		store_close(st);
		for (int i = 0; i < m->n; i++) {
			free(m->sym[i].src);
			free(m->sym[i].src_time);
		}
		free(m->sym);
		free(m);
		return NULL;
	}
	store_close(st);
	/* align every symbol to the common grid; holes are missing bars */
	int64_t last = m->first_open;
	for (int i = 0; i < m->n; i++)
		if (m->sym[i].nsrc && m->sym[i].src_time[m->sym[i].nsrc - 1] > last)
			last = m->sym[i].src_time[m->sym[i].nsrc - 1];
	size_t nbars = (size_t)((last - m->first_open) / bar_ms) + 1;
	for (int i = 0; i < m->n; i++) {
		Sym *s = &m->sym[i];
		Bar *grid = xcalloc(nbars, sizeof *grid);
		for (size_t k = 0; k < nbars; k++)
			grid[k].missing = 1;
		/* every price of the series (not a sample: decimals can change over time, as
		 * SOL's volumes did in April 2025) */
		double *closes = xmalloc((s->nsrc ? s->nsrc : 1) * 4 * sizeof *closes);
		double *vols = xmalloc((s->nsrc ? s->nsrc : 1) * sizeof *vols);
		double qv_sum = 0, r2 = 0;
		for (size_t k = 0; k < s->nsrc; k++) {
			int64_t ot = s->src_time[k];
			size_t at = (size_t)((ot - m->first_open) / bar_ms);
			Bar b = s->src[k];
			b.missing =
			        (ot - m->first_open) % bar_ms != 0; /* off the grid: not played */
			grid[at] = b;
			closes[4 * k] = b.o, closes[4 * k + 1] = b.h;
			closes[4 * k + 2] = b.l, closes[4 * k + 3] = b.c;
			vols[k] = b.v;
			qv_sum += b.qv;
			if (k)
				r2 += pow(log(b.c / s->src[k - 1].c), 2);
		}
		SimInstrument *in = &s->inst;
		in->price = s->nsrc ? s->src[0].o : 1;
		in->tick = grid_of(closes, 4 * s->nsrc);
		in->step = grid_of(vols, s->nsrc);
		in->quote_volume_24h =
		        s->nsrc ? qv_sum / (double)s->nsrc * (double)(FB_DAY_MS / bar_ms) : 0;
		in->beta = 1;
		in->vol = s->nsrc > 1
		                  ? sqrt(r2 / (double)(s->nsrc - 1) * (double)(FB_DAY_MS / bar_ms))
		                  : 0.03;
		free(closes);
		free(vols);
		free(s->src);
		free(s->src_time);
		s->src_time = NULL;
		s->src = grid;
		s->nsrc = nbars;
		s->cap = 0;
		rng_seed(&s->rng, seed ^ rng_hash(in->symbol));
		s->last = in->price;
		s->premium = 0.0001;
		s->oi = in->quote_volume_24h * 0.5 / in->price;
		s->taker_ratio = 1;
	}
	return m;
}

int64_t sim_model_last_open(const SimModel *m)
{
	if (!m->history || !m->n)
		return INT64_MAX;
	return m->first_open + (int64_t)(m->sym[0].nsrc - 1) * m->bar_ms;
}

int64_t sim_model_bar_ms(const SimModel *m)
{
	return m->bar_ms;
}

void sim_model_set_churn(SimModel *m, double churn)
{
	m->churn = churn > 0 ? churn : 1;
}
