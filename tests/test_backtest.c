/* The backtest loop: hand-computed fills, fees, slippage and marks; no trades means no fees
 * and flat equity; funding paid by longs and received by shorts at the funding times; no
 * look-ahead (changing later bars never changes earlier positions or equity); liquidation at
 * the documented price. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#include "quant/indicators.h"
#include "research/backtest.h"

#define NEAR(a, b) assert_true(fabs((a) - (double)(b)) < 1e-9 * fmax(1, fabs((double)(b))))
#define T0         INT64_C(1735689600000)
#define MIN        INT64_C(60000)

static BtBar bar(int i, double o, double h, double l, double c, double fast, double slow)
{
	BtBar b = {.open_time = T0 + i * MIN, .open = o, .high = h, .low = l, .close = c};
	b.ema_fast = fast, b.ema_slow = slow;
	b.rsi = b.zscore = b.funding = NAN;
	return b;
}

static void test_no_trades(void **state)
{
	(void)state;
	BtBar b[50];
	for (int i = 0; i < 50; i++)
		b[i] = bar(i, 100 + i, 101 + i, 99 + i, 100.5 + i, NAN, NAN);
	BtConfig c;
	bt_default_config(&c, BT_EMA_CROSS);
	BtResult r;
	char err[128];
	assert_int_equal(bt_run(&c, b, 50, NULL, 0, &r, err, sizeof err), 0);
	assert_int_equal(r.ntrades, 0);
	assert_true(r.fees == 0 && r.funding == 0);
	for (int i = 0; i < 50; i++) {
		assert_true(r.equity[i] == c.initial);
		assert_int_equal(r.position[i], 0);
		assert_int_equal(r.time[i], T0 + (i + 1) * MIN);
	}
	bt_result_free(&r);
}

static void test_hand_computed(void **state)
{
	(void)state;
	/* bar 0 says long (fast > slow): long at bar 1's open; bar 1 says short: reverse at bar
	 * 2's open; the last bar closes the short at its close */
	BtBar b[3] = {bar(0, 99, 100, 98, 99.5, 2, 1), bar(1, 100, 111, 99, 110, 1, 2),
	              bar(2, 110, 112, 104, 105, 1, 2)};
	BtConfig c;
	bt_default_config(&c, BT_EMA_CROSS);
	c.fee_bps = 4;
	c.slippage_bps = 10;
	c.funding = 0;
	BtResult r;
	char err[128];
	assert_int_equal(bt_run(&c, b, 3, NULL, 0, &r, err, sizeof err), 0);
	assert_true(r.equity[0] == 10000);
	/* long: fill 100 x 1.001 = 100.1; qty 10000 / 100.1; fee 4 bp of 10000 = 4 */
	double q1 = 10000 / 100.1;
	double cash = 10000 - 4;
	NEAR(r.equity[1], cash + q1 * (110 - 100.1));
	/* sell at 110 x 0.999 = 109.89, fee on that notional */
	double gross1 = q1 * (109.89 - 100.1), fee2 = q1 * 109.89 * 0.0004;
	cash += gross1 - fee2;
	/* short: fill 110 x 1.001... against the trader: 110 x (1 - 0.001) = 109.89 */
	double e2 = 110 * (1 - 0.001), q2 = cash / e2, fee3 = q2 * e2 * 0.0004;
	cash -= fee3;
	/* closed at the last close 105 bought back at 105 x 1.001 */
	double x2 = 105 * 1.001, fee4 = q2 * x2 * 0.0004;
	cash += -q2 * (x2 - e2) - fee4;
	NEAR(r.equity[2], cash);
	assert_int_equal(r.ntrades, 2);
	assert_int_equal(r.trades[0].side, 1);
	NEAR(r.trades[0].entry, 100.1);
	NEAR(r.trades[0].exit, 109.89);
	NEAR(r.trades[0].pnl, -4 + gross1 - fee2);
	assert_int_equal(r.trades[1].side, -1);
	assert_int_equal(r.trades[1].entry_time, T0 + 2 * MIN);
	NEAR(r.fees, 4 + fee2 + fee3 + fee4);
	assert_int_equal(r.position[0], 0);
	assert_int_equal(r.position[1], 1);
	assert_int_equal(r.position[2], -1);
	bt_result_free(&r);
}

static void test_funding_sign(void **state)
{
	(void)state;
	BtBar b[4];
	for (int i = 0; i < 4; i++)
		b[i] = bar(i, 100, 100, 100, 100, NAN, NAN);
	BtFunding f[2] = {{T0 + 2 * MIN + 30000, 0.001}, {T0 + 3 * MIN, -0.002}};
	for (int side = -1; side <= 1; side += 2) {
		BtConfig c;
		bt_default_config(&c, BT_FUNDING_CARRY);
		c.fee_bps = c.slippage_bps = 0;
		c.p[0] = 0.0001;
		b[0].funding = side > 0 ? -0.01 : 0.01; /* carry: long on negative funding */
		BtResult r;
		char err[128];
		assert_int_equal(bt_run(&c, b, 4, f, 2, &r, err, sizeof err), 0);
		assert_int_equal(r.position[1], side);
		double qty = 10000 / 100.0;
		/* +0.1 % at 12:02:30: longs pay 10, shorts receive 10; -0.2 % at 12:03: the reverse */
		NEAR(r.equity[2], 10000 - side * qty * 100 * 0.001);
		NEAR(r.equity[3], 10000 - side * qty * 100 * (0.001 - 0.002));
		NEAR(r.funding, side * qty * 100 * (0.001 - 0.002));
		bt_result_free(&r);
		b[0].funding = NAN;
	}
}

static void test_no_look_ahead(void **state)
{
	(void)state;
	enum { N = 400, K = 250 };
	BtBar a[N], b[N];
	double px = 100;
	srand(3);
	for (int i = 0; i < N; i++) {
		double o = px;
		px *= 1 + (rand() / (double)RAND_MAX - 0.5) / 50;
		a[i] = bar(i, o, fmax(o, px) * 1.002, fmin(o, px) * 0.998, px, NAN, NAN);
		a[i].rsi = 50 + 40 * sin(i / 7.0);
		a[i].zscore = 3 * sin(i / 5.0);
		a[i].ema_fast = px + sin(i / 3.0);
		a[i].ema_slow = px;
		a[i].funding = 0.0003 * sin(i / 11.0);
	}
	memcpy(b, a, sizeof a);
	for (int i = K + 1; i < N; i++) { /* a different future */
		b[i].open *= 1.3, b[i].high *= 1.5, b[i].low *= 0.7, b[i].close *= 0.8;
		b[i].rsi = 100 - b[i].rsi, b[i].zscore = -b[i].zscore, b[i].funding = -b[i].funding;
		b[i].ema_fast = -b[i].ema_fast;
	}
	for (BtStrategy s = BT_EMA_CROSS; s <= BT_FUNDING_CARRY; s++) {
		BtConfig c;
		bt_default_config(&c, s);
		c.leverage = 3;
		BtResult ra, rb;
		char err[128];
		assert_int_equal(bt_run(&c, a, N, NULL, 0, &ra, err, sizeof err), 0);
		assert_int_equal(bt_run(&c, b, N, NULL, 0, &rb, err, sizeof err), 0);
		assert_true(ra.ntrades > 2);
		for (int i = 0; i <= K + 1; i++)
			assert_int_equal(ra.position[i], rb.position[i]);
		assert_memory_equal(ra.equity, rb.equity, (K + 1) * sizeof(double));
		for (int t = 0; t < ra.ntrades && ra.trades[t].exit_time <= a[K].open_time; t++)
			assert_memory_equal(&ra.trades[t], &rb.trades[t], sizeof(BtTrade));
		bt_result_free(&ra);
		bt_result_free(&rb);
	}
}

static void test_liquidation(void **state)
{
	(void)state;
	BtBar b[3] = {bar(0, 100, 100, 100, 100, 2, 1), bar(1, 100, 101, 89, 95, 2, 1),
	              bar(2, 95, 96, 94, 95, 2, 1)};
	BtConfig c;
	bt_default_config(&c, BT_EMA_CROSS);
	c.fee_bps = c.slippage_bps = 0;
	c.leverage = 10;
	c.fraction = 0.5;
	BtResult r;
	char err[128];
	assert_int_equal(bt_run(&c, b, 3, NULL, 0, &r, err, sizeof err), 0);
	/* margin 5000 at 10x: 500 units at 100; liquidation at 100 x (1 - (0.1 - 0.004)) = 90.4 */
	assert_true(r.ntrades >= 1);
	assert_int_equal(r.trades[0].liquidated, 1);
	NEAR(r.trades[0].exit, 90.4);
	/* the whole margin (5000) is lost, plus the 0.5 % clearance fee on 500 x 90.4, not just
	 * the 4800 the price moved: the insurance fund keeps what is left */
	NEAR(r.equity[1], 10000 - 5000 - 0.005 * 500 * 90.4);
	NEAR(r.trades[0].pnl, -5000 - 0.005 * 500 * 90.4);
	assert_int_equal(r.liquidations, 1);
	assert_true(r.checked_last >= 1 && r.checked_mark == 0); /* no mark stored */
	bt_result_free(&r);
	/* with the mark price stored, the trigger is the mark: a last-price wick to 89 that the
	 * mark (low 91) never follows liquidates nothing */
	for (int i = 0; i < 3; i++)
		b[i].mark_high = b[i].high, b[i].mark_low = b[i].low;
	b[1].mark_low = 91;
	assert_int_equal(bt_run(&c, b, 3, NULL, 0, &r, err, sizeof err), 0);
	assert_int_equal(r.liquidations, 0);
	assert_true(r.checked_mark >= 1 && r.checked_last == 0);
	bt_result_free(&r);
	b[1].mark_low = 90.4; /* the mark reaching the price liquidates */
	assert_int_equal(bt_run(&c, b, 3, NULL, 0, &r, err, sizeof err), 0);
	assert_int_equal(r.liquidations, 1);
	bt_result_free(&r);
	/* bad settings are refused */
	c.leverage = 0.5;
	assert_int_equal(bt_run(&c, b, 3, NULL, 0, &r, err, sizeof err), -1);
	assert_int_equal(bt_strategy_find("donchian"), BT_DONCHIAN);
	assert_int_equal(bt_strategy_find("nope"), 0);
}

static void test_vol_sizing(void **state)
{
	(void)state;
	BtBar b[3] = {bar(0, 100, 100, 100, 100, 2, 1), bar(1, 100, 100, 100, 100, 2, 1),
	              bar(2, 100, 100, 60, 100, 2, 1)};
	BtConfig c;
	bt_default_config(&c, BT_EMA_CROSS);
	c.fee_bps = c.slippage_bps = 0;
	c.sizing = BT_SIZE_VOL;
	c.target_vol = 0.5;
	c.leverage = 3;
	BtResult r;
	char err[128];
	/* realised volatility 100 %: half the equity as notional, never liquidated */
	b[0].rv = 1.0;
	assert_int_equal(bt_run(&c, b, 2, NULL, 0, &r, err, sizeof err), 0);
	NEAR(r.trades[0].qty, 0.5 * 10000 / 100);
	bt_result_free(&r);
	/* 10 %: 5x wanted, capped at the leverage of 3; liquidated at 100 x (1 - (1/3 - 0.004)) */
	b[0].rv = 0.1;
	assert_int_equal(bt_run(&c, b, 3, NULL, 0, &r, err, sizeof err), 0);
	NEAR(r.trades[0].qty, 3 * 10000 / 100);
	assert_int_equal(r.trades[0].liquidated, 1);
	NEAR(r.trades[0].exit, 100 * (1 - (1.0 / 3 - 0.004)));
	bt_result_free(&r);
	/* no volatility known: no position */
	b[0].rv = NAN;
	assert_int_equal(bt_run(&c, b, 3, NULL, 0, &r, err, sizeof err), 0);
	assert_int_equal(r.ntrades, 0);
	bt_result_free(&r);
}

static void test_funding_at_a_fill(void **state)
{
	(void)state;
	/* a long closed and a short opened at the 12:02 open, where funding falls due: the long,
	 * held at the funding timestamp, pays it; the short opened at that moment does not */
	BtBar b[4];
	for (int i = 0; i < 4; i++)
		b[i] = bar(i, 100, 100, 100, 100, NAN, NAN);
	b[0].funding = -0.01; /* carry: long on negative funding */
	b[1].funding = 0.01;  /* then short */
	b[2].funding = b[3].funding = 0.01;
	BtFunding f[1] = {{T0 + 2 * MIN, 0.001}};
	BtConfig c;
	bt_default_config(&c, BT_FUNDING_CARRY);
	c.fee_bps = c.slippage_bps = 0;
	c.p[0] = 0.0001;
	BtResult r;
	char err[128];
	assert_int_equal(bt_run(&c, b, 4, f, 1, &r, err, sizeof err), 0);
	assert_int_equal(r.position[1], 1);
	assert_int_equal(r.position[2], -1);
	double qty = 10000 / 100.0;
	NEAR(r.funding, qty * 100 * 0.001); /* paid by the long: 10 */
	NEAR(r.equity[2], 10000 - qty * 100 * 0.001);
	assert_true(r.ntrades >= 1);
	NEAR(r.trades[0].funding, qty * 100 * 0.001);
	bt_result_free(&r);
}

static void test_own_ema(void **state)
{
	(void)state;
	/* periods given: the EMAs come from the engine's EMA code over the closes, so bars
	 * carrying those same EMAs give the same run */
	enum { N = 300 };
	BtBar a[N], b[N];
	Ema f, s;
	ema_init(&f, 5), ema_init(&s, 13);
	double px = 100;
	for (int i = 0; i < N; i++) {
		double o = px;
		px *= 1 + 0.01 * sin(i / 9.0) + 0.003 * cos(i * 1.7);
		a[i] = bar(i, o, fmax(o, px), fmin(o, px), px, NAN, NAN);
		b[i] = a[i];
		b[i].ema_fast = ema_push(&f, px);
		b[i].ema_slow = ema_push(&s, px);
	}
	BtConfig c;
	bt_default_config(&c, BT_EMA_CROSS);
	BtResult ra, rb;
	char err[128];
	assert_int_equal(bt_run(&c, b, N, NULL, 0, &rb, err, sizeof err), 0);
	c.p[0] = 5, c.p[1] = 13;
	assert_int_equal(bt_run(&c, a, N, NULL, 0, &ra, err, sizeof err), 0);
	assert_true(ra.ntrades > 3);
	assert_int_equal(ra.ntrades, rb.ntrades);
	assert_memory_equal(ra.equity, rb.equity, N * sizeof(double));
	assert_int_equal(bt_lookback(&c, 14, 26, 20), 13);
	assert_int_equal(bt_param_find(BT_EMA_CROSS, "slow"), 1);
	assert_int_equal(bt_param_find(BT_DONCHIAN, "slow"), -1);
	bt_result_free(&ra);
	bt_result_free(&rb);
}

static void test_warm_own_indicators(void **state)
{
	(void)state;
	/* a range starting mid-series: the strategy's own EMAs warmed on the bars before it give
	 * the run the engine's warm EMAs give; cold, they would not */
	enum { N = 400, FROM = 200 };
	BtBar a[N], b[N];
	Ema f, s;
	ema_init(&f, 12), ema_init(&s, 26);
	double px = 100;
	for (int i = 0; i < N; i++) {
		double o = px;
		px *= 1 + 0.01 * sin(i / 7.0) + 0.004 * cos(i * 1.3);
		a[i] = bar(i, o, fmax(o, px), fmin(o, px), px, NAN, NAN);
		b[i] = a[i];
		b[i].ema_fast = ema_push(&f, px);
		b[i].ema_slow = ema_push(&s, px);
	}
	BtConfig c;
	bt_default_config(&c, BT_EMA_CROSS);
	BtResult engine, warm, cold;
	char err[128];
	assert_int_equal(bt_run(&c, b + FROM, N - FROM, NULL, 0, &engine, err, sizeof err), 0);
	c.p[0] = 12, c.p[1] = 26;
	assert_int_equal(bt_run(&c, a + FROM, N - FROM, NULL, 0, &cold, err, sizeof err), 0);
	c.warm = a;
	c.nwarm = FROM;
	assert_int_equal(bt_run(&c, a + FROM, N - FROM, NULL, 0, &warm, err, sizeof err), 0);
	assert_int_equal(warm.n, N - FROM);
	assert_true(engine.ntrades > 3);
	assert_int_equal(warm.ntrades, engine.ntrades);
	assert_memory_equal(warm.equity, engine.equity, (N - FROM) * sizeof(double));
	assert_memory_equal(warm.position, engine.position, (N - FROM) * sizeof(int));
	assert_true(warm.time[0] == engine.time[0]);
	/* the cold EMAs disagree at the start of the range */
	assert_true(memcmp(cold.position, engine.position, (N - FROM) * sizeof(int)) != 0 ||
	            cold.ntrades != engine.ntrades);
	bt_result_free(&engine);
	bt_result_free(&warm);
	bt_result_free(&cold);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_no_trades),
	        cmocka_unit_test(test_hand_computed),
	        cmocka_unit_test(test_funding_sign),
	        cmocka_unit_test(test_no_look_ahead),
	        cmocka_unit_test(test_liquidation),
	        cmocka_unit_test(test_vol_sizing),
	        cmocka_unit_test(test_own_ema),
	        cmocka_unit_test(test_warm_own_indicators),
	        cmocka_unit_test(test_funding_at_a_fill),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
