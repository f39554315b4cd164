/* Monte Carlo stress tests of a strategy's daily returns.
 *
 * Generators:
 *  - block bootstrap: each path is made of blocks of `block` consecutive historical days, each
 *    starting at a uniformly drawn day (moving blocks), until the horizon is filled;
 *  - regime switching: two states (calm, turbulent) fitted to the history — a day is
 *    turbulent when the standard deviation of the 10 days ending there is above the median of
 *    those deviations; the transition matrix counts consecutive labels (plus one in each
 *    cell); each state's returns are Student-t with the state's mean and standard deviation
 *    and degrees of freedom from its excess kurtosis (nu = 4 + 6 / k, kept within 4.5 .. 30);
 *    paths start in the state of the last day.
 * Volatility scaling (vol_scale): returns are moved around their mean by the ratio of the
 * last 30 days' standard deviation to the whole history's, so paths start in today's regime.
 * Black swans (swan_rate events a year, 0: none) cost only what a position pays. Whether the
 * path holds one on a day: in the bootstrap, whether the run held one on the historical day
 * drawn (held); otherwise, at each swan, a draw with the history's share of days in the
 * market, kept through the swan. On an event day a held position takes a gap of swan_gap
 * against it times the exposure and pays swan_slip_bps twice on the exposure (out and back
 * in at a wider spread); for swan_days afterwards returns are scaled by swan_vol and a held
 * position pays a funding squeeze of swan_funding x exposure a day. A flat path stays flat.
 *
 * Per path: the equity multiple each day, the maximum drawdown, the share of days under a
 * previous peak, ruin (equity at or below 1 - ruin at any close) and liquidation (a day's
 * loss at or beyond 1 / exposure - maintenance, with exposure above 1; daily data cannot see
 * inside the day, so this is a lower bound). Percentiles are nearest-rank on the sorted
 * values (index floor(q x (n - 1))); ES99 is the mean loss of the worst 1 % of horizon
 * returns.
 *
 * Threads: paths are split over the threads; path p draws from its own generator seeded from
 * (seed, p), so the numbers do not depend on the thread count. */
#ifndef FB_RESEARCH_STRESS_H
#define FB_RESEARCH_STRESS_H

#include <stddef.h>
#include <stdint.h>

typedef enum { STRESS_BOOTSTRAP = 0, STRESS_REGIME } StressMethod;

typedef struct {
	StressMethod method;
	int paths, horizon, block, threads;
	uint64_t seed;
	int vol_scale;
	double swan_rate, swan_gap, swan_vol, swan_slip_bps, swan_funding;
	int swan_days;
	double ruin;               /* a loss of this fraction is ruin (default 0.5) */
	double exposure;           /* notional / equity while in a position (default 1) */
	double in_market;          /* share of days in a position (default 1) */
	double maintenance;        /* default 0.004 */
	const unsigned char *held; /* per daily return: a position held that day (NULL: not
	                            * known, in_market is the chance) */
} StressOptions;

typedef struct {
	int paths, horizon;
	double dd_p50, dd_p95, dd_p99;
	double ret_p5, ret_p50, ret_p95; /* horizon returns */
	double var99, es99;              /* of horizon returns, losses as positive numbers */
	double p_ruin, p_liquidation;
	double under_water;              /* mean share of days under a previous peak */
	double *band5, *band50, *band95; /* equity multiple after each day */
	/* the fitted model */
	double hist_mean, hist_sd, vol_ratio;
	double mu[2], sd[2], nu[2], trans[2][2];
	int start_state;
} StressResult;

void stress_default_options(StressOptions *o);
/* daily: n >= 20 historical daily returns. 0, or -1 with err. */
int stress_run(const double *daily, int n, const StressOptions *o, StressResult *out, char *err,
               size_t errlen);
void stress_result_free(StressResult *r);

#endif
