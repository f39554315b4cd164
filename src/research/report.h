/* The figures of a backtest.
 *
 * Returns are measured on the equity curve marked at every bar close, grouped into UTC days
 * (a day's return: the last equity of that day over the last equity of the day before; the
 * first day against the starting equity). Annualised figures use 365 days (the market trades
 * every day): volatility = sample standard deviation x sqrt(365); Sharpe = mean / standard
 * deviation x sqrt(365); Sortino = mean / downside deviation x sqrt(365), the downside
 * deviation being sqrt(mean(min(r, 0)^2)) over every day; no risk-free rate. CAGR =
 * (final / initial)^(365 days / span) - 1, NAN for spans under 30 days (as is Calmar = CAGR /
 * max drawdown). Drawdown is measured from the running peak of the equity curve (the initial
 * equity included): the deepest one, the longest time from a peak to its recovery (or to the
 * end when it never recovered), and the share of bars below a previous peak (time under
 * water). Trades: win rate (pnl > 0), profit factor (gross wins / gross losses, INFINITY
 * with no losses), expectancy (mean pnl per trade), SQN = sqrt(N) x mean / sample standard
 * deviation of the trades' pnl. Exposure: the share of bars holding a position.
 *
 * Per regime (the engine's trend regime at each bar's previous close, which is what the
 * strategy knew): the bars, the compounded return of the bars, exposure, and the trades
 * entered in it with their win rate. */
#ifndef FB_RESEARCH_REPORT_H
#define FB_RESEARCH_REPORT_H

#include <stdio.h>

#include "research/backtest.h"

#define BT_REGIMES 4 /* TREND_NA, UP, DOWN, RANGE */

typedef struct {
	int bars;
	double ret;      /* compounded, a fraction */
	double exposure; /* share of its bars in a position */
	int trades, wins;
} BtRegimeResult;

typedef struct {
	int64_t start_ms, end_ms; /* first bar's open, last bar's close */
	double days;
	double initial, final;
	double total_return, cagr, ann_vol, sharpe, sortino, calmar;
	double max_dd; /* a fraction, positive */
	int64_t max_dd_duration_ms;
	double time_under_water; /* share of bars */
	int ndays;               /* daily returns */
	int trades, wins, liquidations;
	double win_rate, profit_factor, expectancy, sqn, exposure;
	double fees, funding; /* paid; negative funding: received */
	BtRegimeResult regime[BT_REGIMES];
} BtReport;

/* bars may be NULL (no regimes). initial: the starting equity. interval_ms: the bars'. */
void bt_report(const BtResult *r, const BtBar *bars, double initial, int64_t interval_ms,
               BtReport *out);

/* The UTC-daily returns of an equity curve (caller frees *out). Returns how many. */
int bt_daily_returns(const BtResult *r, double initial, double **out);
/* Per day of bt_daily_returns: 1 when a position was held in any bar of it. */
int bt_daily_held(const BtResult *r, unsigned char **out);

/* Drawdown at each bar (a fraction, >= 0). */
void bt_drawdown(const BtResult *r, double initial, double *dd);

/* The report as a JSON object (caller frees), and as aligned text. */
char *bt_report_json(const BtReport *p);
void bt_report_print(FILE *out, const BtReport *p);
/* The report's figures by name (for compare and walk-forward scores): NAN when unknown. */
double bt_report_value(const BtReport *p, const char *name);

/* CSV files: time,equity,drawdown,position and the trade list. -1 on a write error. */
int bt_write_equity_csv(FILE *out, const BtResult *r, double initial);
int bt_write_trades_csv(FILE *out, const BtTrade *t, int n);

#endif
