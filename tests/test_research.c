/* Risk figures, stress tests and walk-forward: known answers for VaR / ES and correlation;
 * the stress numbers are the same whatever the thread count, a series of zero returns stays
 * flat, the bootstrap only replays history, a larger black swan never helps; walk-forward
 * windows tile the range and each test window is chosen on the training window before it. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#include "research/risk.h"
#include "research/stress.h"
#include "research/walkforward.h"

#define NEAR(a, b) assert_true(fabs((a) - (double)(b)) < 1e-9 * fmax(1, fabs((double)(b))))

static void test_var_es(void **state)
{
	(void)state;
	/* 40 returns: -0.10, -0.08, -0.06, then 37 of +0.01 */
	double r[40];
	r[0] = -0.08, r[1] = -0.10, r[2] = -0.06;
	for (int i = 3; i < 40; i++)
		r[i] = 0.01;
	RiskFigures f;
	risk_figures(r, 40, 365, &f);
	/* 95 %: k = ceil(40 x 0.05) = 2 -> VaR 0.08, ES (0.10 + 0.08) / 2; 99 %: k = 1 */
	NEAR(f.var95, 0.08);
	NEAR(f.es95, 0.09);
	NEAR(f.var99, 0.10);
	NEAR(f.es99, 0.10);
	double mean = (-0.24 + 0.37) / 40, ss = 0;
	for (int i = 0; i < 40; i++)
		ss += (r[i] - mean) * (r[i] - mean);
	NEAR(f.mean, mean);
	NEAR(f.vol, sqrt(ss / 39) * sqrt(365));
	double a[4] = {1, 2, 3, 4}, b[4] = {2, 4, 6, 8}, c[4] = {4, 3, 2, 1}, k[4] = {1, 1, 1, 1};
	NEAR(risk_correlation(a, b, 4), 1);
	NEAR(risk_correlation(a, c, 4), -1);
	assert_true(isnan(risk_correlation(a, k, 4)));
	double x[4] = {1, 2, 3, 5}, y[4] = {2, 1, 4, 3};
	/* by hand: means 2.75, 2.5; sxy = 3.5, sxx = 8.75, syy = 5 */
	NEAR(risk_correlation(x, y, 4), 3.5 / sqrt(8.75 * 5));
}

static double *history(int n)
{
	double *d = malloc((size_t)n * sizeof *d);
	unsigned x = 12345;
	for (int i = 0; i < n; i++) {
		x = x * 1103515245u + 12345u;
		d[i] = ((x >> 8) / 16777216.0 - 0.5) * 0.04 * (i % 50 < 10 ? 3 : 1);
	}
	return d;
}

static void test_stress_threads(void **state)
{
	(void)state;
	double *d = history(300);
	for (int m = STRESS_BOOTSTRAP; m <= STRESS_REGIME; m++) {
		StressOptions o;
		stress_default_options(&o);
		o.method = m;
		o.paths = 2000;
		o.horizon = 120;
		o.swan_rate = 3;
		o.exposure = 3;
		StressResult a, b;
		char err[128];
		o.threads = 1;
		assert_int_equal(stress_run(d, 300, &o, &a, err, sizeof err), 0);
		o.threads = 4;
		assert_int_equal(stress_run(d, 300, &o, &b, err, sizeof err), 0);
		assert_true(a.dd_p50 == b.dd_p50 && a.dd_p99 == b.dd_p99 && a.es99 == b.es99);
		assert_true(a.p_ruin == b.p_ruin && a.p_liquidation == b.p_liquidation);
		assert_true(a.under_water == b.under_water);
		assert_memory_equal(a.band5, b.band5, 120 * sizeof(double));
		assert_memory_equal(a.band95, b.band95, 120 * sizeof(double));
		assert_true(a.dd_p50 <= a.dd_p95 && a.dd_p95 <= a.dd_p99);
		assert_true(a.band5[119] <= a.band50[119] && a.band50[119] <= a.band95[119]);
		assert_true(a.p_liquidation > 0); /* 3x and 20 % gaps */
		/* another seed, other numbers */
		o.seed = 2;
		StressResult c;
		assert_int_equal(stress_run(d, 300, &o, &c, err, sizeof err), 0);
		assert_true(c.dd_p50 != a.dd_p50);
		stress_result_free(&a);
		stress_result_free(&b);
		stress_result_free(&c);
	}
	free(d);
}

static void test_stress_known(void **state)
{
	(void)state;
	double z[30] = {0};
	StressOptions o;
	stress_default_options(&o);
	o.paths = 100, o.horizon = 10;
	StressResult r;
	char err[128];
	assert_int_equal(stress_run(z, 30, &o, &r, err, sizeof err), 0);
	assert_true(r.dd_p99 == 0 && r.p_ruin == 0 && r.es99 == 0 && r.band95[9] == 1);
	stress_result_free(&r);
	/* the bootstrap only replays history: every day +1 % gives exactly 1.01^horizon */
	double up[30];
	for (int i = 0; i < 30; i++)
		up[i] = 0.01;
	o.vol_scale = 0;
	assert_int_equal(stress_run(up, 30, &o, &r, err, sizeof err), 0);
	NEAR(r.ret_p5, pow(1.01, 10) - 1);
	NEAR(r.band50[4], pow(1.01, 5));
	stress_result_free(&r);
	/* a black swan every day with a 30 % gap at 2x: ruined and liquidated */
	o.swan_rate = 365, o.swan_gap = 0.3, o.exposure = 2, o.in_market = 1;
	assert_int_equal(stress_run(up, 30, &o, &r, err, sizeof err), 0);
	assert_true(r.p_ruin == 1 && r.p_liquidation == 1);
	stress_result_free(&r);
	assert_int_equal(stress_run(up, 10, &o, &r, err, sizeof err), -1);
	assert_non_null(strstr(err, "at least 20"));
	/* a run that never holds a position stays exactly flat under swans, in both models and
	 * whether its days are known (bootstrap) or only its share in the market (0) */
	o.swan_rate = 12, o.swan_gap = 0.2, o.in_market = 0;
	unsigned char flat[30] = {0};
	for (int m = STRESS_BOOTSTRAP; m <= STRESS_REGIME; m++)
		for (int k = 0; k < 2; k++) {
			o.method = m;
			o.held = k ? flat : NULL;
			o.vol_scale = 1;
			assert_int_equal(stress_run(z, 30, &o, &r, err, sizeof err), 0);
			assert_true(r.ret_p5 == 0 && r.ret_p50 == 0 && r.ret_p95 == 0);
			assert_true(r.dd_p99 == 0 && r.p_ruin == 0 && r.band5[9] == 1);
			stress_result_free(&r);
		}
	/* held on the drawn days only: the same swans cost a path holding every day */
	unsigned char all[30];
	memset(all, 1, sizeof all);
	o.method = STRESS_BOOTSTRAP, o.held = all, o.swan_rate = 365, o.exposure = 1;
	o.swan_days = 0;
	assert_int_equal(stress_run(z, 30, &o, &r, err, sizeof err), 0);
	/* every day: a 20 % gap and 2 x 50 bp */
	NEAR(r.ret_p50, pow(1 - 0.2 - 0.01, 10) - 1);
	stress_result_free(&r);
	o.held = NULL;
}

static void test_walk_forward(void **state)
{
	(void)state;
	enum { N = 24 * 100 };
	BtData d = {.n = N};
	d.bars = calloc(N, sizeof *d.bars);
	double px = 100;
	for (int i = 0; i < N; i++) {
		double o = px;
		px *= 1 + 0.004 * sin(i / 30.0) + 0.002 * cos(i * 0.7);
		d.bars[i] = (BtBar){.open_time = INT64_C(1735689600000) + i * INT64_C(3600000),
		                    .open = o,
		                    .high = fmax(o, px),
		                    .low = fmin(o, px),
		                    .close = px,
		                    .ema_fast = NAN,
		                    .ema_slow = NAN,
		                    .rsi = NAN,
		                    .zscore = NAN,
		                    .funding = NAN};
	}
	BtConfig c;
	bt_default_config(&c, BT_DONCHIAN);
	c.interval_ms = 3600000;
	WfGrid g = {0};
	char err[256];
	assert_int_equal(wf_grid_add(&g, BT_DONCHIAN, "n=10,30,60", err, sizeof err), 0);
	assert_int_equal(wf_grid_add(&g, BT_DONCHIAN, "slow=1", err, sizeof err), -1);
	int64_t train, test;
	assert_int_equal(wf_parse_spec("train=30d,test=10d", &train, &test, err, sizeof err), 0);
	assert_true(train == 30 * INT64_C(86400000) && test == 10 * INT64_C(86400000));
	assert_int_equal(wf_parse_spec("train=30x", &train, &test, err, sizeof err), -1);
	assert_int_equal(wf_parse_spec("train=1e400d,test=1d", &train, &test, err, sizeof err), -1);
	assert_int_equal(wf_parse_spec("train=30d,test=10d", &train, &test, err, sizeof err), 0);
	WfResult w;
	assert_int_equal(wf_run(&c, &d, &g, train, test, "sharpe", &w, err, sizeof err), 0);
	assert_int_equal(w.nw, 7);
	assert_int_equal(w.combos, 3);
	/* the test windows tile the bars after the first training window */
	assert_int_equal(w.oos.n, N - 30 * 24);
	for (int i = 0; i < w.nw; i++) {
		assert_int_equal(w.w[i].test_from, w.w[i].train_from + train);
		if (i)
			assert_int_equal(w.w[i].test_from, w.w[i - 1].test_to);
		/* the chosen n is the one that scores best on its training window alone */
		double best = -INFINITY;
		for (int k = 0; k < 3; k++) {
			BtConfig x = c;
			x.p[0] = g.values[0][k];
			int from = (int)((w.w[i].train_from - d.bars[0].open_time) / 3600000);
			/* warm on the bars before the window, as a plain run after --from */
			x.warm = d.bars + (from > 2048 ? from - 2048 : 0);
			x.nwarm = from > 2048 ? 2048 : from;
			BtResult r;
			assert_int_equal(
			        bt_run(&x, d.bars + from, 30 * 24, NULL, 0, &r, err, sizeof err),
			        0);
			BtReport p;
			bt_report(&r, NULL, x.initial, x.interval_ms, &p);
			if (isfinite(p.sharpe) && p.sharpe > best)
				best = p.sharpe;
			bt_result_free(&r);
		}
		NEAR(w.w[i].is_score, best);
	}
	/* chained: a test window starts from the equity the previous one ended with */
	for (int i = 1; i < w.oos.n; i++)
		assert_true(w.oos.time[i] > w.oos.time[i - 1]);
	wf_result_free(&w);

	/* one choice for every window: the out-of-sample run is the plain run over the test
	 * range, warm and with every position carried over the boundaries (no close and
	 * reopen at a boundary for nothing) */
	WfGrid one = {0};
	assert_int_equal(wf_grid_add(&one, BT_DONCHIAN, "n=30", err, sizeof err), 0);
	assert_int_equal(wf_run(&c, &d, &one, train, test, "sharpe", &w, err, sizeof err), 0);
	int first = 30 * 24;
	BtConfig x = c;
	x.p[0] = 30;
	x.warm = d.bars;
	x.nwarm = first;
	BtResult r;
	assert_int_equal(bt_run(&x, d.bars + first, N - first, NULL, 0, &r, err, sizeof err), 0);
	assert_int_equal(w.oos.n, r.n);
	assert_int_equal(w.oos.ntrades, r.ntrades);
	for (int i = 0; i < r.ntrades; i++) {
		assert_int_equal(w.oos.trades[i].entry_time, r.trades[i].entry_time);
		assert_int_equal(w.oos.trades[i].exit_time, r.trades[i].exit_time);
	}
	for (int i = 0; i < r.n; i++)
		NEAR(w.oos.equity[i], r.equity[i]);
	assert_int_equal(w.boundaries, w.nw - 1);
	assert_true(w.carried > 0); /* this series holds a position through some boundaries */
	int exits_at_boundaries = 0;
	for (int i = 0; i < r.ntrades; i++)
		for (int k = 1; k < w.nw; k++)
			exits_at_boundaries += w.oos.trades[i].exit_time == w.w[k].test_from &&
			                       i + 1 < r.ntrades &&
			                       w.oos.trades[i + 1].entry_time == w.w[k].test_from &&
			                       w.oos.trades[i + 1].side == w.oos.trades[i].side;
	assert_int_equal(exits_at_boundaries, 0);
	bt_result_free(&r);
	wf_result_free(&w);
	free(d.bars);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_var_es),
	        cmocka_unit_test(test_stress_threads),
	        cmocka_unit_test(test_stress_known),
	        cmocka_unit_test(test_walk_forward),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
