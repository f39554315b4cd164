/* Backtests: a strategy over stored candles, bar by bar, with the engine's values.
 *
 * Timing: a strategy decides at a bar's close from that bar's values and the bars before it
 * (never later ones); the order fills at the next bar's open, moved against the trader by the
 * slippage. Fees are charged on the notional of every fill. Funding, when on, is paid or
 * received at the real funding times (the funding table) on the open position's notional at
 * the open of the bar holding the funding time: longs pay a positive rate, shorts receive it.
 * With leverage L a position is liquidated when a bar's adverse extreme (low for longs, high
 * for shorts) reaches entry x (1 -/+ (1/L - maintenance)): of the mark price when the bar has
 * its mark-price candle, else of the last price. A liquidation loses the position's whole
 * margin plus the liquidation fee (liq_fee_bps of the notional at the liquidation price), as
 * on an isolated-margin perpetual where the insurance fund takes what is left; the trade is
 * marked and its exit is the liquidation price. Inside one bar the order is: the fill at the open, funding, the
 * liquidation check at the adverse extreme, the mark at the close, then the signal. There are
 * no resting stops or targets: every exit is a signal at a close filled at the next open, or
 * a liquidation.
 *
 * Sizing: fixed-fraction (margin = equity x fraction, notional = margin x leverage, isolated:
 * liquidated at 1/leverage - maintenance against the entry) or volatility-targeted (notional
 * = equity x min(leverage, target_vol / realised volatility at the signal's close); the whole
 * equity is the margin, so the liquidation distance is 1/(notional/equity) - maintenance). */
#ifndef FB_RESEARCH_BACKTEST_H
#define FB_RESEARCH_BACKTEST_H

#include <stddef.h>
#include <stdint.h>

typedef enum {
	BT_EMA_CROSS = 1,    /* long when EMA fast > slow, short when below; p0 p1: the periods
	                   * (NAN: the bars' engine EMAs, else computed here with the engine's
	                   * EMA code) */
	BT_RSI_REVERSION,    /* long under p0 (30), short over p1 (70), out when RSI crosses 50 */
	BT_ZSCORE_REVERSION, /* long under -p0 (2), short over p0, out when |z| < p1 (0.5) */
	BT_DONCHIAN, /* long above the high of the previous p0 (20) bars, short below the low */
	BT_FUNDING_CARRY, /* short while funding > p0 (0.01 %), long while < -p0, else flat */
} BtStrategy;

typedef struct {
	int64_t open_time;
	double open, high, low, close;
	double ema_fast, ema_slow, rsi, zscore; /* the engine's values after this bar */
	double mark_high, mark_low; /* of the bar's mark-price candle (NAN or 0: none) */
	double funding;             /* funding estimate per period at the close */
	double rv;                  /* realised volatility, annualised */
	int trend;                  /* TrendRegime after this bar */
} BtBar;

typedef enum { BT_SIZE_FIXED = 0, BT_SIZE_VOL } BtSizing;

#define BT_MAX_PARAMS 4

#define BT_WARM_BARS 2048 /* bars before a range that warm a strategy's own indicators */

typedef struct {
	int64_t time;
	double rate; /* per period, a fraction */
} BtFunding;

/* Parameters from a time on (walk-forward: the choice of each window). */
typedef struct {
	int64_t from_ms;
	double p[BT_MAX_PARAMS];
} BtParamSet;

typedef struct {
	BtStrategy strategy;
	double p[BT_MAX_PARAMS]; /* strategy parameters (see BtStrategy); NAN: the default */
	double fee_bps;          /* per fill, on notional */
	double slippage_bps;
	double leverage;    /* 1 or more */
	double fraction;    /* of equity as margin per position (1: all of it) */
	double maintenance; /* maintenance margin rate (default 0.004) */
	double liq_fee_bps; /* liquidation clearance fee on the notional (default 50) */
	int funding;        /* 1: pay and receive funding */
	int no_short;
	double initial; /* starting equity (default 10000) */
	BtSizing sizing;
	double target_vol;     /* BT_SIZE_VOL: annualised (default 0.5) */
	int64_t trade_from_ms; /* bars opening before it only warm the strategy (0: none) */
	int64_t interval_ms;
	/* the stored bars just before the range (the history before --from): they only warm the
	 * strategy's own indicators (EMA periods given as parameters, the Donchian channel), as
	 * the engine's own values are warm; ignored unless they end before the first bar */
	const BtBar *warm;
	int nwarm;
	/* when set, the parameters change over time: the decision at a bar's close uses the
	 * last set whose from_ms is at or before the next bar's open (sched[0] also covers the
	 * bars before it); a position the new parameters keep is carried, not closed and
	 * reopened; the strategy's own indicators restart warm on the bars before the change */
	const BtParamSet *sched;
	int nsched;
} BtConfig;

typedef struct {
	int side; /* 1 long, -1 short */
	int64_t entry_time, exit_time;
	double entry, exit, qty;
	double pnl; /* after fees and funding */
	double fees, funding;
	int liquidated;
} BtTrade;

typedef struct {
	int n;          /* bars */
	int64_t *time;  /* close time of each bar (open + interval) */
	double *equity; /* marked at each close */
	int *position;  /* held during the bar: 1, 0, -1 */
	BtTrade *trades;
	int ntrades;
	double fees, funding; /* paid (negative funding: received) */
	int liquidations;
	int checked_mark, checked_last; /* bars in a position checked for liquidation on the
	                                 * mark price, and on the last price (no mark stored) */
} BtResult;

void bt_default_config(BtConfig *c, BtStrategy s);
/* Runs the bars in order. 0, or -1 with err. */
int bt_run(const BtConfig *c, const BtBar *bars, int n, const BtFunding *f, int nf, BtResult *out,
           char *err, size_t errlen);
void bt_result_free(BtResult *r);
/* The name of a strategy, and the strategy of a name (0 when unknown). */
const char *bt_strategy_name(BtStrategy s);
BtStrategy bt_strategy_find(const char *name);
/* The strategies' names, comma-separated. */
const char *bt_strategy_list(void);
/* The name of parameter k of a strategy (NULL past the last), and the index of a name (-1). */
const char *bt_param_name(BtStrategy s, int k);
int bt_param_find(BtStrategy s, const char *name);
/* Bars a strategy needs before its first signal, with the engine's indicator periods (rsi,
 * ema_slow, zscore). */
int bt_lookback(const BtConfig *c, int rsi, int ema_slow, int zscore);

#endif
