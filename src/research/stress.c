/* Monte Carlo stress tests (see stress.h). */
#include "research/stress.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/rng.h"
#include "core/xmalloc.h"

void stress_default_options(StressOptions *o)
{
	memset(o, 0, sizeof *o);
	o->method = STRESS_BOOTSTRAP;
	o->paths = 10000;
	o->horizon = 365;
	o->block = 5;
	o->threads = 1;
	o->seed = 1;
	o->vol_scale = 1;
	o->swan_gap = 0.2;
	o->swan_vol = 3;
	o->swan_days = 5;
	o->swan_slip_bps = 50;
	o->swan_funding = 0.003;
	o->ruin = 0.5;
	o->exposure = 1;
	o->in_market = 1;
	o->maintenance = 0.004;
}

/* Gamma(shape a >= 1, scale 1), Marsaglia and Tsang. */
static double gamma_draw(Rng *r, double a)
{
	double d = a - 1.0 / 3, c = 1 / sqrt(9 * d);
	for (;;) {
		double x = rng_normal(r), v = 1 + c * x;
		if (v <= 0)
			continue;
		v = v * v * v;
		double u = rng_uniform(r);
		if (u < 1 - 0.0331 * x * x * x * x || log(u) < 0.5 * x * x + d * (1 - v + log(v)))
			return d * v;
	}
}

/* Student t with nu > 2 degrees of freedom, unit variance. */
static double student(Rng *r, double nu)
{
	double chi = 2 * gamma_draw(r, nu / 2);
	return rng_normal(r) / sqrt(chi / nu) * sqrt((nu - 2) / nu);
}

static double mean_sd(const double *x, int n, double *sd)
{
	double m = 0, ss = 0;
	for (int i = 0; i < n; i++)
		m += x[i];
	m /= n > 0 ? n : 1;
	for (int i = 0; i < n; i++)
		ss += (x[i] - m) * (x[i] - m);
	*sd = n > 1 ? sqrt(ss / (n - 1)) : 0;
	return m;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* The two-state model of stress.h. */
static void fit_regimes(const double *d, int n, StressResult *m)
{
	enum { W = 10 };
	double *roll = xmalloc((size_t)n * sizeof *roll),
	       *sorted = xmalloc((size_t)n * sizeof *sorted);
	for (int i = 0; i < n; i++) {
		int lo = i - W + 1 < 0 ? 0 : i - W + 1;
		double sd;
		mean_sd(d + lo, i - lo + 1, &sd);
		roll[i] = sorted[i] = sd;
	}
	qsort(sorted, (size_t)n, sizeof *sorted, cmp_double);
	double median = sorted[n / 2];
	int *state = xmalloc((size_t)n * sizeof *state);
	for (int i = 0; i < n; i++)
		state[i] = roll[i] > median;
	double cnt[2][2] = {{1, 1}, {1, 1}};
	for (int i = 1; i < n; i++)
		cnt[state[i - 1]][state[i]] += 1;
	for (int s = 0; s < 2; s++) {
		double tot = cnt[s][0] + cnt[s][1];
		m->trans[s][0] = cnt[s][0] / tot;
		m->trans[s][1] = cnt[s][1] / tot;
		int k = 0;
		for (int i = 0; i < n; i++)
			if (state[i] == s)
				sorted[k++] = d[i];
		m->mu[s] = mean_sd(sorted, k, &m->sd[s]);
		double m4 = 0;
		for (int i = 0; i < k; i++)
			m4 += pow(sorted[i] - m->mu[s], 4);
		double kurt = k > 3 && m->sd[s] > 0 ? m4 / k / pow(m->sd[s], 4) - 3 : 0;
		m->nu[s] = kurt > 0 ? fmin(30, fmax(4.5, 4 + 6 / kurt)) : 30;
	}
	m->start_state = state[n - 1];
	free(state);
	free(roll);
	free(sorted);
}

typedef struct {
	const double *d;
	int n;
	const StressOptions *o;
	const StressResult *m;
	double liq; /* daily loss that liquidates, 0: none */
	int first, step;
	double *eq; /* paths x horizon */
	double *maxdd, *ret, *under;
	unsigned char *ruined, *liquidated;
} Work;

static uint64_t mix(uint64_t x)
{
	x += UINT64_C(0x9E3779B97F4A7C15);
	x = (x ^ (x >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
	x = (x ^ (x >> 27)) * UINT64_C(0x94D049BB133111EB);
	return x ^ (x >> 31);
}

static void one_path(const Work *w, int p)
{
	const StressOptions *o = w->o;
	const StressResult *m = w->m;
	Rng r;
	rng_seed(&r, mix(o->seed) ^ mix((uint64_t)p + 1));
	double *eq = w->eq + (size_t)p * (size_t)o->horizon;
	double e = 1, peak = 1, dd = 0, swan_p = o->swan_rate / 365;
	int under = 0, ruined = 0, liq = 0, swan_left = 0, state = m->start_state, bi = 0,
	    start = 0, swan_held = 0;
	for (int t = 0; t < o->horizon; t++) {
		double x;
		int held = -1; /* the position this day: 1 held, 0 flat, -1 not known */
		if (o->method == STRESS_BOOTSTRAP) {
			if (bi == 0) /* a new block */
				start = (int)(rng_uniform(&r) * (w->n - o->block + 1));
			x = w->d[start + bi];
			if (o->held)
				held = o->held[start + bi] != 0;
			bi = (bi + 1) % o->block;
		} else {
			state = rng_uniform(&r) < m->trans[state][1];
			x = m->mu[state] + m->sd[state] * student(&r, m->nu[state]);
		}
		if (o->vol_scale)
			x = m->hist_mean + (x - m->hist_mean) * m->vol_ratio;
		/* a swan costs only what a position pays: nothing on a flat day */
		if (swan_left > 0) {
			x *= o->swan_vol;
			if (held >= 0 ? held : swan_held) /* the squeeze: funding against it */
				x -= o->swan_funding * o->exposure;
			swan_left--;
		}
		if (swan_p > 0 && rng_uniform(&r) < swan_p) {
			swan_held = held >= 0 ? held : rng_uniform(&r) < o->in_market;
			if (swan_held) /* the gap against it, out and back in at the swan's spread */
				x -= (o->swan_gap + 2 * o->swan_slip_bps / 1e4) * o->exposure;
			swan_left = o->swan_days;
		}
		if (w->liq > 0 && x <= -w->liq)
			liq = 1;
		e *= fmax(0, 1 + x);
		eq[t] = e;
		if (e > peak)
			peak = e;
		else if (e < peak)
			under++;
		dd = fmax(dd, peak > 0 ? 1 - e / peak : 0);
		if (e <= 1 - o->ruin)
			ruined = 1;
	}
	w->maxdd[p] = dd;
	w->ret[p] = e - 1;
	w->under[p] = (double)under / o->horizon;
	w->ruined[p] = (unsigned char)ruined;
	w->liquidated[p] = (unsigned char)liq;
}

static void *paths_thread(void *arg)
{
	Work *w = arg;
	for (int p = w->first; p < w->o->paths; p += w->step)
		one_path(w, p);
	return NULL;
}

/* The value at rank floor(q x (n - 1)) of x (reordered). */
static double select_q(double *x, int n, double q)
{
	int k = (int)floor(q * (n - 1)), lo = 0, hi = n - 1;
	while (lo < hi) {
		double pivot = x[(lo + hi) / 2];
		int i = lo, j = hi;
		while (i <= j) {
			while (x[i] < pivot)
				i++;
			while (x[j] > pivot)
				j--;
			if (i <= j) {
				double t = x[i];
				x[i++] = x[j];
				x[j--] = t;
			}
		}
		if (k <= j)
			hi = j;
		else if (k >= i)
			lo = i;
		else
			break;
	}
	return x[k];
}

typedef struct {
	const double *eq;
	int paths, horizon, first, step;
	StressResult *r;
} BandWork;

static void *band_thread(void *arg)
{
	BandWork *b = arg;
	double *col = xmalloc((size_t)b->paths * sizeof *col);
	for (int t = b->first; t < b->horizon; t += b->step) {
		for (int p = 0; p < b->paths; p++)
			col[p] = b->eq[(size_t)p * (size_t)b->horizon + (size_t)t];
		b->r->band5[t] = select_q(col, b->paths, 0.05);
		b->r->band50[t] = select_q(col, b->paths, 0.50);
		b->r->band95[t] = select_q(col, b->paths, 0.95);
	}
	free(col);
	return NULL;
}

int stress_run(const double *d, int n, const StressOptions *o, StressResult *r, char *err,
               size_t errlen)
{
	memset(r, 0, sizeof *r);
	if (n < 20) {
		snprintf(err, errlen, "%d daily returns: at least 20 are needed to fit anything",
		         n);
		return -1;
	}
	if (o->paths < 1 || o->horizon < 1 || o->block < 1 || o->block > n || o->threads < 1) {
		snprintf(err, errlen,
		         "paths, horizon and threads must be at least 1 and the block "
		         "length from 1 to the number of days");
		return -1;
	}
	r->paths = o->paths;
	r->horizon = o->horizon;
	r->hist_mean = mean_sd(d, n, &r->hist_sd);
	double recent_sd;
	mean_sd(d + (n > 30 ? n - 30 : 0), n > 30 ? 30 : n, &recent_sd);
	r->vol_ratio = r->hist_sd > 0 ? recent_sd / r->hist_sd : 1;
	fit_regimes(d, n, r);
	size_t np = (size_t)o->paths;
	Work base = {.d = d, .n = n, .o = o, .m = r};
	base.liq = o->exposure > 1 ? 1 / o->exposure - o->maintenance : 0;
	base.eq = xmalloc(np * (size_t)o->horizon * sizeof *base.eq);
	base.maxdd = xmalloc(np * sizeof *base.maxdd);
	base.ret = xmalloc(np * sizeof *base.ret);
	base.under = xmalloc(np * sizeof *base.under);
	base.ruined = xmalloc(np);
	base.liquidated = xmalloc(np);
	int nt = o->threads > o->paths ? o->paths : o->threads;
	pthread_t *th = xmalloc((size_t)nt * sizeof *th);
	Work *w = xmalloc((size_t)nt * sizeof *w);
	for (int i = 0; i < nt; i++) {
		w[i] = base;
		w[i].first = i, w[i].step = nt;
		if (i)
			pthread_create(&th[i], NULL, paths_thread, &w[i]);
	}
	paths_thread(&w[0]);
	for (int i = 1; i < nt; i++)
		pthread_join(th[i], NULL);

	r->band5 = xmalloc((size_t)o->horizon * sizeof *r->band5);
	r->band50 = xmalloc((size_t)o->horizon * sizeof *r->band50);
	r->band95 = xmalloc((size_t)o->horizon * sizeof *r->band95);
	int nb = nt > o->horizon ? o->horizon : nt;
	BandWork *bw = xmalloc((size_t)nb * sizeof *bw);
	for (int i = 0; i < nb; i++) {
		bw[i] = (BandWork){base.eq, o->paths, o->horizon, i, nb, r};
		if (i)
			pthread_create(&th[i], NULL, band_thread, &bw[i]);
	}
	band_thread(&bw[0]);
	for (int i = 1; i < nb; i++)
		pthread_join(th[i], NULL);
	free(bw);

	double ruin = 0, liq = 0, under = 0;
	for (int p = 0; p < o->paths; p++) {
		ruin += base.ruined[p];
		liq += base.liquidated[p];
		under += base.under[p];
	}
	r->p_ruin = ruin / o->paths;
	r->p_liquidation = liq / o->paths;
	r->under_water = under / o->paths;
	r->dd_p50 = select_q(base.maxdd, o->paths, 0.50);
	r->dd_p95 = select_q(base.maxdd, o->paths, 0.95);
	r->dd_p99 = select_q(base.maxdd, o->paths, 0.99);
	qsort(base.ret, np, sizeof *base.ret, cmp_double);
	r->ret_p5 = base.ret[(int)floor(0.05 * (o->paths - 1))];
	r->ret_p50 = base.ret[(int)floor(0.50 * (o->paths - 1))];
	r->ret_p95 = base.ret[(int)floor(0.95 * (o->paths - 1))];
	int k = (int)ceil(o->paths * 0.01 - 1e-9);
	if (k < 1)
		k = 1;
	double sum = 0;
	for (int i = 0; i < k; i++)
		sum += base.ret[i];
	r->var99 = 0 - base.ret[k - 1]; /* 0 - x: no negative zero */
	r->es99 = 0 - sum / k;
	free(th);
	free(w);
	free(base.eq);
	free(base.maxdd);
	free(base.ret);
	free(base.under);
	free(base.ruined);
	free(base.liquidated);
	return 0;
}

void stress_result_free(StressResult *r)
{
	free(r->band5);
	free(r->band50);
	free(r->band95);
	memset(r, 0, sizeof *r);
}
