/* Report figures against answers worked out by hand on short series: daily grouping, total
 * return, CAGR (hidden under 30 days), volatility, Sharpe, Sortino, Calmar, max drawdown and
 * its duration, time under water, win rate, profit factor, expectancy, SQN, exposure, the
 * per-regime split; and the CSV files. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#include "quant/engine.h"
#include "research/report.h"

#define NEAR(a, b) assert_true(fabs((a) - (double)(b)) < 1e-9 * fmax(1, fabs((double)(b))))
#define T0         INT64_C(1735689600000) /* 2025-01-01T00:00Z */
#define HOUR       INT64_C(3600000)
#define DAY        INT64_C(86400000)

static BtResult result(int n, const int64_t *time, const double *eq, const int *pos)
{
	BtResult r = {.n = n};
	r.time = (int64_t *)time;
	r.equity = (double *)eq;
	r.position = (int *)pos;
	return r;
}

static void test_daily_figures(void **state)
{
	(void)state;
	int64_t t[5];
	for (int i = 0; i < 5; i++)
		t[i] = T0 + (i + 1) * DAY;
	double eq[5] = {110, 99, 99, 121, 110};
	int pos[5] = {1, 1, 0, -1, 0};
	BtTrade tr[4] = {{.pnl = 10}, {.pnl = -5}, {.pnl = 20}, {.pnl = -2.5, .liquidated = 1}};
	BtResult r = result(5, t, eq, pos);
	r.trades = tr, r.ntrades = 4, r.fees = 1.5, r.funding = -0.25;
	BtReport p;
	bt_report(&r, NULL, 100, DAY, &p);
	/* daily returns: +10 %, -10 %, 0, 121/99 - 1, 110/121 - 1 */
	double d[5] = {0.1, -0.1, 0, 121.0 / 99 - 1, 110.0 / 121 - 1}, mean = 0, ss = 0, down = 0;
	for (int i = 0; i < 5; i++)
		mean += d[i] / 5, down += d[i] < 0 ? d[i] * d[i] / 5 : 0;
	for (int i = 0; i < 5; i++)
		ss += (d[i] - mean) * (d[i] - mean) / 4;
	assert_int_equal(p.ndays, 5);
	NEAR(p.total_return, 0.1);
	assert_true(isnan(p.cagr) && isnan(p.calmar)); /* 5 days: hidden */
	NEAR(p.days, 5);
	NEAR(p.ann_vol, sqrt(ss) * sqrt(365));
	NEAR(p.sharpe, mean / sqrt(ss) * sqrt(365));
	NEAR(p.sortino, mean / sqrt(down) * sqrt(365));
	/* peaks: 110 (day 1) -> 99: 10 %, recovered at day 4 (3 days); 121 -> 110 to the end */
	NEAR(p.max_dd, 0.1);
	assert_int_equal(p.max_dd_duration_ms, 3 * DAY);
	NEAR(p.time_under_water, 3.0 / 5);
	/* trades: 2 of 4 won, 30 won against 7.5 lost, 22.5 / 4 each */
	assert_int_equal(p.trades, 4);
	NEAR(p.win_rate, 0.5);
	NEAR(p.profit_factor, 4);
	NEAR(p.expectancy, 5.625);
	double tm = 5.625,
	       tss = (pow(10 - tm, 2) + pow(-5 - tm, 2) + pow(20 - tm, 2) + pow(-2.5 - tm, 2)) / 3;
	NEAR(p.sqn, 2 * tm / sqrt(tss));
	NEAR(p.exposure, 0.6);
	assert_int_equal(p.liquidations, 1);
	NEAR(p.fees, 1.5);
	NEAR(p.funding, -0.25);
	NEAR(bt_report_value(&p, "sharpe"), p.sharpe);
	assert_true(isnan(bt_report_value(&p, "nope")));
}

static void test_cagr_calmar_and_days(void **state)
{
	(void)state;
	/* 73 days (a fifth of a year), +10 %: CAGR = 1.1^5 - 1; drawdown 1 - 95/100 */
	int64_t t[3] = {T0 + DAY, T0 + 40 * DAY, T0 + 73 * DAY};
	double eq[3] = {100, 95, 110};
	int pos[3] = {0, 0, 0};
	BtResult r = result(3, t, eq, pos);
	BtReport p;
	bt_report(&r, NULL, 100, DAY, &p);
	NEAR(p.cagr, pow(1.1, 5) - 1);
	NEAR(p.max_dd, 0.05);
	NEAR(p.calmar, (pow(1.1, 5) - 1) / 0.05);
	/* the peak was last touched at day 1's close (100), under water until day 73 */
	assert_int_equal(p.max_dd_duration_ms, 72 * DAY);
	assert_true(isnan(p.win_rate) && isnan(p.profit_factor) && p.trades == 0);
	NEAR(p.exposure, 0);

	/* hourly bars: a bar closing at 00:00 ends the day before; the last of a day counts */
	int64_t h[4] = {T0 + 12 * HOUR, T0 + 24 * HOUR, T0 + 25 * HOUR, T0 + 47 * HOUR};
	double he[4] = {101, 102, 104, 103};
	BtResult hr = result(4, h, he, pos);
	double *d;
	assert_int_equal(bt_daily_returns(&hr, 100, &d), 2);
	NEAR(d[0], 0.02);
	NEAR(d[1], 103.0 / 102 - 1);
	free(d);
}

static void test_regimes(void **state)
{
	(void)state;
	BtBar b[4] = {{.open_time = T0, .trend = TREND_UP},
	              {.open_time = T0 + DAY, .trend = TREND_DOWN},
	              {.open_time = T0 + 2 * DAY, .trend = TREND_UP},
	              {.open_time = T0 + 3 * DAY, .trend = TREND_RANGE}};
	int64_t t[4] = {T0 + DAY, T0 + 2 * DAY, T0 + 3 * DAY, T0 + 4 * DAY};
	double eq[4] = {100, 110, 99, 108.9};
	int pos[4] = {0, 1, 1, -1};
	BtTrade tr[2] = {{.entry_time = T0 + DAY, .pnl = -1},
	                 {.entry_time = T0 + 3 * DAY, .pnl = 9.9}};
	BtResult r = result(4, t, eq, pos);
	r.trades = tr, r.ntrades = 2;
	BtReport p;
	bt_report(&r, b, 100, DAY, &p);
	/* bar 0: no previous close (warm-up); bars 1 and 3 follow an up close, bar 2 a down one */
	assert_int_equal(p.regime[TREND_NA].bars, 1);
	assert_int_equal(p.regime[TREND_UP].bars, 2);
	NEAR(p.regime[TREND_UP].ret, 1.1 * 1.1 - 1);
	NEAR(p.regime[TREND_UP].exposure, 1);
	assert_int_equal(p.regime[TREND_UP].trades, 2);
	assert_int_equal(p.regime[TREND_UP].wins, 1);
	assert_int_equal(p.regime[TREND_DOWN].bars, 1);
	NEAR(p.regime[TREND_DOWN].ret, -0.1);
	char *js = bt_report_json(&p);
	assert_non_null(strstr(js, "\"up\":{\"bars\":2"));
	assert_non_null(strstr(js, "\"cagr\":null"));
	free(js);
}

static void test_csv(void **state)
{
	(void)state;
	int64_t t[2] = {T0 + DAY, T0 + 2 * DAY};
	double eq[2] = {120, 90};
	int pos[2] = {1, 0};
	BtResult r = result(2, t, eq, pos);
	char *buf;
	size_t len;
	FILE *f = open_memstream(&buf, &len);
	assert_int_equal(bt_write_equity_csv(f, &r, 100), 0);
	fclose(f);
	assert_string_equal(buf, "time,time_ms,equity,drawdown,position\r\n"
	                         "2025-01-02T00:00:00.000Z,1735776000000,120,0,1\r\n"
	                         "2025-01-03T00:00:00.000Z,1735862400000,90,0.25,0\r\n");
	free(buf);
	BtTrade tr = {.side = -1,
	              .entry_time = T0,
	              .exit_time = T0 + DAY,
	              .entry = 10,
	              .exit = 9,
	              .qty = 2,
	              .pnl = 1.9,
	              .fees = 0.1};
	f = open_memstream(&buf, &len);
	assert_int_equal(bt_write_trades_csv(f, &tr, 1), 0);
	fclose(f);
	assert_non_null(
	        strstr(buf, "\r\n1,short,2025-01-01T00:00:00.000Z,10,2025-01-02T00:00:00.000Z,9,2,"
	                    "1.9,0.1,0,0\r\n"));
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_daily_figures),
	        cmocka_unit_test(test_cagr_calmar_and_days),
	        cmocka_unit_test(test_regimes),
	        cmocka_unit_test(test_csv),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
