/* Rolling indicators. Running sums for the windows; the population variance is computed as
 * E[x^2] - E[x]^2 from them and clamped at 0 against rounding. */
#include "quant/indicators.h"

#include <math.h>
#include <string.h>

#include "core/timeutil.h"

void window_init(Window *w, int n)
{
	memset(w, 0, sizeof *w);
	w->n = n < 1 ? 1 : n > IND_MAX_WINDOW ? IND_MAX_WINDOW : n;
}

void window_push(Window *w, double x)
{
	if (w->count == w->n) {
		double old = w->v[w->head];
		w->sum -= old;
		w->sumsq -= old * old;
	} else
		w->count++;
	w->v[w->head] = x;
	w->head = (w->head + 1) % w->n;
	w->sum += x;
	w->sumsq += x * x;
}

int window_full(const Window *w)
{
	return w->count == w->n;
}

double window_mean(const Window *w)
{
	return w->count ? w->sum / w->count : NAN;
}

double window_std(const Window *w)
{
	if (!w->count)
		return NAN;
	double m = w->sum / w->count, var = w->sumsq / w->count - m * m;
	return var > 0 ? sqrt(var) : 0;
}

void ema_init(Ema *e, int n)
{
	memset(e, 0, sizeof *e);
	e->n = n < 1 ? 1 : n;
	e->k = 2.0 / (e->n + 1);
	e->value = NAN;
}

double ema_push(Ema *e, double x)
{
	if (e->seen < e->n) {
		e->seed_sum += x;
		if (++e->seen == e->n)
			e->value = e->seed_sum / e->n;
		return e->value;
	}
	e->value += e->k * (x - e->value);
	return e->value;
}

void rsi_init(Rsi *r, int n)
{
	memset(r, 0, sizeof *r);
	r->n = n < 1 ? 1 : n;
}

double rsi_push(Rsi *r, double close)
{
	/* n changes need n + 1 closes: the first output comes with close n + 1 */
	if (r->seen++ == 0) {
		r->prev = close;
		return NAN;
	}
	double d = close - r->prev, g = d > 0 ? d : 0, l = d < 0 ? -d : 0;
	r->prev = close;
	if (r->seen <= r->n) {
		r->gain += g;
		r->loss += l;
		return NAN;
	}
	if (r->seen == r->n + 1) {
		r->gain = (r->gain + g) / r->n;
		r->loss = (r->loss + l) / r->n;
	} else {
		r->gain = (r->gain * (r->n - 1) + g) / r->n;
		r->loss = (r->loss * (r->n - 1) + l) / r->n;
	}
	double sum = r->gain + r->loss;
	return sum > 0 ? 100.0 * r->gain / sum : 0.0;
}

void atr_init(Atr *a, int n)
{
	memset(a, 0, sizeof *a);
	a->n = n < 1 ? 1 : n;
	a->value = NAN;
}

double atr_push(Atr *a, double high, double low, double close)
{
	if (a->seen++ == 0) { /* the first true range needs a previous close */
		a->prev_close = close;
		return NAN;
	}
	double tr = fmax(high - low, fmax(fabs(high - a->prev_close), fabs(low - a->prev_close)));
	a->prev_close = close;
	if (a->seen <= a->n) {
		a->seed_sum += tr;
		return NAN;
	}
	if (a->seen == a->n + 1)
		a->value = (a->seed_sum + tr) / a->n;
	else
		a->value = (a->value * (a->n - 1) + tr) / a->n;
	return a->value;
}

void vwap_init(Vwap *v)
{
	memset(v, 0, sizeof *v);
	v->day = INT64_MIN;
}

double vwap_push(Vwap *v, int64_t open_time, double high, double low, double close, double volume)
{
	int64_t day = open_time >= 0 ? open_time / FB_DAY_MS : -1 - (-open_time - 1) / FB_DAY_MS;
	if (day != v->day) { /* anchored at 00:00 UTC */
		v->day = day;
		v->pv = v->v = 0;
	}
	v->pv += (high + low + close) / 3 * volume;
	v->v += volume;
	return v->v > 0 ? v->pv / v->v : (high + low + close) / 3;
}

void indicators_default_params(IndicatorParams *p)
{
	p->sma = 20;
	p->ema_fast = 12;
	p->ema_slow = 26;
	p->rsi = 14;
	p->atr = 14;
	p->boll = 20;
	p->boll_k = 2;
	p->zscore = 20;
}

void indicators_init(Indicators *s, const IndicatorParams *p)
{
	memset(s, 0, sizeof *s);
	window_init(&s->sma, p->sma);
	window_init(&s->boll, p->boll);
	window_init(&s->zs, p->zscore);
	ema_init(&s->ema_fast, p->ema_fast);
	ema_init(&s->ema_slow, p->ema_slow);
	rsi_init(&s->rsi, p->rsi);
	atr_init(&s->atr, p->atr);
	vwap_init(&s->vwap);
	s->boll_k = p->boll_k;
	s->prev_close = NAN;
	s->boll_shared = p->boll == p->sma;
	s->zs_shared = p->zscore == p->sma;
}

void indicators_update(Indicators *s, const Candle *c, IndicatorValues *o)
{
	double x = c->close;
	window_push(&s->sma, x);
	if (!s->boll_shared)
		window_push(&s->boll, x);
	if (!s->zs_shared)
		window_push(&s->zs, x);
	const Window *boll = s->boll_shared ? &s->sma : &s->boll;
	const Window *zs = s->zs_shared ? &s->sma : &s->zs;
	o->sma = window_full(&s->sma) ? window_mean(&s->sma) : NAN;
	o->ema_fast = ema_push(&s->ema_fast, x);
	o->ema_slow = ema_push(&s->ema_slow, x);
	o->rsi = rsi_push(&s->rsi, x);
	o->atr = atr_push(&s->atr, c->high, c->low, x);
	double bsd = NAN;
	if (window_full(boll)) {
		double m = window_mean(boll);
		bsd = window_std(boll);
		o->boll_mid = m;
		o->boll_up = m + s->boll_k * bsd;
		o->boll_low = m - s->boll_k * bsd;
	} else
		o->boll_mid = o->boll_up = o->boll_low = NAN;
	if (window_full(zs)) {
		double sd = zs == boll ? bsd : window_std(zs);
		o->zscore = sd > 0 ? (x - window_mean(zs)) / sd : 0;
	} else
		o->zscore = NAN;
	o->vwap = vwap_push(&s->vwap, c->open_time, c->high, c->low, x, c->volume);
	o->change = s->prev_close > 0 ? x / s->prev_close - 1 : NAN;
	s->prev_close = x;
	s->candles++;
}
