/* The quant engine: rolling state per symbol and interval, derived metrics, alert rules and the
 * top table. quant_apply() is the only way its state changes, and the live feed, a replay and a
 * backtest all call it with the same events, so they give the same numbers.
 *
 * Per series (symbol x interval), from closed candles only, O(1) work and fixed memory per
 * candle: the indicator set of indicators.h, realised volatility (population standard
 * deviation of the last rv_window log returns, annualised for a market that trades every day
 * of the year: x sqrt(365 d / interval)), vol-of-vol (standard deviation of the last rv_window
 * realised volatilities), a trend regime (up: close above the slow EMA and the fast EMA above
 * the slow one; down: the mirror; range otherwise), a volatility regime (low / normal / high:
 * realised volatility below, within or above one standard deviation of its own last rv_window
 * values), and candle CVD (cumulative taker-buy minus taker-sell quote volume since the first
 * candle).
 *
 * Per series, from their own event streams: open interest and the global long/short ratio
 * bucketed by the interval (the value at a bucket's close is the last sample inside it; the
 * change is against the previous bucket's close), and the z-score of open interest over the
 * last z_window bucket closes. These depend only on the order of their own samples, never on
 * when a candle arrived.
 *
 * Per symbol: mark, index, basis (mark / index - 1), the funding estimate per period and
 * annualised with the symbol's own funding interval (learnt from consecutive funding times,
 * 8 h until then), the z-score of realised funding over the last z_window payments, book
 * imbalance, CVD from aggregated trades (live only), liquidations of the last hour, the 24h
 * ticker.
 *
 * Threads: an engine belongs to the thread that calls quant_apply(); snapshots are immutable
 * and may be read from any thread (see QuantSnapshot). */
#ifndef FB_QUANT_ENGINE_H
#define FB_QUANT_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#include "quant/event.h"
#include "quant/indicators.h"

#define QUANT_MAX_INTERVALS 8
#define QUANT_PRICE_DP      10  /* the most decimals a price is shown with */
#define QUANT_MAX_ROWS      256 /* rows a snapshot may have (top_n is at most 200) */
#define QUANT_SPARK         64  /* closes kept per series for sparklines */
#define QUANT_CORR_MAX      256

typedef enum { TREND_NA = 0, TREND_UP, TREND_DOWN, TREND_RANGE } TrendRegime;
typedef enum { VOLR_NA = 0, VOLR_LOW, VOLR_NORMAL, VOLR_HIGH } VolRegime;

/* One row of features: the values after a closed candle, or the latest gauges. Ratios and
 * changes are fractions (0.01 = 1 %). NAN = not known yet. */
typedef struct {
	int64_t open_time; /* the closed candle these values belong to; 0 before the first */
	double open, high, low, close, volume, quote_volume, trades;
	double change;
	double sma, ema_fast, ema_slow, rsi, atr, boll_mid, boll_up, boll_low, vwap, zscore;
	double rv, vol_of_vol;
	double cvd, cvd_delta;
	double oi, oi_change, oi_z;
	double ls_ratio, ls_change;
	double funding, funding_annual, funding_z;
	double mark, basis, imbalance;
	double trend, vol_regime; /* TrendRegime, VolRegime as numbers */
	/* across exchanges (NAN until another exchange reported): open interest in quote
	 * notional, one side, summed over the exchanges, its z-score over z_window bucket closes,
	 * this exchange's share of it; funding per 8 h, weighted by each exchange's open
	 * interest; the funding spread (per 8 h) and the mark-price spread of the other exchange
	 * against this one (the largest in size, with its sign); liquidations of the last hour,
	 * both sides, summed over the exchanges */
	double oi_all, oi_all_z, oi_share, funding_all, funding_spread, price_spread, liq_all_1h;
} QuantValues;

typedef enum { QC_TIME, QC_NUM, QC_TREND, QC_VOLR } QuantColumnKind;

typedef struct {
	const char *name;
	size_t offset;
	QuantColumnKind kind;
	int from_candles; /* 1: a function of the candles alone (bit-for-bit across sources) */
} QuantColumn;

/* The feature columns in their stable order (export features, quant_summary, alerts). */
extern const QuantColumn quant_columns[];
extern const int quant_ncolumns;
int quant_column_find(const char *name);
double quant_column_value(const QuantValues *v, int col);
const char *quant_trend_name(int t);
const char *quant_volr_name(int r);

typedef struct AlertRules AlertRules;

typedef struct {
	IndicatorParams ind;
	int rv_window;   /* log returns per realised volatility (default 30) */
	int z_window;    /* open-interest and funding z-scores (default 30) */
	int corr_window; /* returns per correlation (default 100, at most QUANT_CORR_MAX) */
	int top_n;       /* rows of the top table (default 20) */
	char intervals[QUANT_MAX_INTERVALS][FB_INTERVAL_LEN];
	int nintervals;
	const char *exchange;
	/* Called from quant_apply() when a rule fires (after its cooldown), with the record to
	 * store and the rule's command and bell settings. */
	void (*on_alert)(void *arg, const AlertRecord *a, const char *command, int bell);
	void *alert_arg;
} QuantOptions;

void quant_default_options(QuantOptions *o);

#define QUANT_MAX_VENUES 3
/* An exchange's mark older than this (exchange time, against the symbol's newest event), or
 * its open interest older than this and twice its own spacing, leaves its part out of the
 * sums across exchanges: a feed that stopped does not look current. */
#define QUANT_VENUE_STALE_MS (5 * 60 * 1000)

/* Another exchange's values of a row's instrument, in a snapshot. */
typedef struct {
	char venue[FB_EXCHANGE_LEN];
	char symbol[FB_SYMBOL_LEN]; /* as that exchange names it */
	double mult;                /* base units per contract unit there (1000SHIB: 1000) */
	double mark, funding, funding_interval_h, oi, oi_value, quote_volume_24h;
	double liq_buy_1h, liq_sell_1h;
	int64_t updated_ms; /* exchange time of the older of its mark and open interest; 0 while
	                     * one never came */
	int stale;          /* its part is not in the sums across exchanges (not fresh) */
} QuantVenueRow;

/* Per symbol, in a snapshot. */
typedef struct {
	char symbol[FB_SYMBOL_LEN];
	double last, change_24h, quote_volume_24h; /* change_24h a fraction */
	int price_dp; /* the decimals of its traded prices: the instrument's precision */
	int watched;  /* on the watchlist (shown first, whatever its rank) */
	double mark, index, basis, funding, funding_annual, funding_z, next_funding_time;
	double funding_interval_h;
	double oi, oi_value, ls_ratio, taker_ratio, imbalance, cvd_trades;
	int64_t oi_ms;  /* exchange time of its open interest; 0 none */
	int oi_stale;   /* that open interest is older than its polls allow (see QuantVenueRow) */
	int64_t own_ms; /* this exchange's part of the sums, as QuantVenueRow's updated_ms */
	int own_stale;  /* and as its stale */
	double liq_buy_1h, liq_sell_1h; /* quote notional of forced buys / sells, last hour */
	QuantVenueRow venue[QUANT_MAX_VENUES]; /* the other exchanges (nvenues of them) */
	int nvenues;
	double oi_all, oi_share, funding_all, funding_spread, price_spread, liq_all_1h;
	QuantValues tf[QUANT_MAX_INTERVALS]; /* last closed candle's values + live gauges */
	double spark[QUANT_MAX_INTERVALS][QUANT_SPARK]; /* oldest first, NAN padded */
	int64_t updated_ms;
} QuantTopRow;

typedef struct {
	double total_oi_value;      /* quote */
	int oi_stale;               /* rows whose open interest in that total is old (oi_stale) */
	double oi_weighted_funding; /* per period */
	double volume_weighted_ls;
	int up, down, flat; /* symbols by 24h change */
} QuantAggregates;

/* Immutable once published. Readers take one with quant_snapshot_acquire() and give it back
 * with quant_snapshot_release(); the engine never changes it. */
typedef struct {
	uint64_t generation; /* 1, 2, ... per publish */
	int64_t ts;          /* exchange time of the newest event applied */
	char intervals[QUANT_MAX_INTERVALS][FB_INTERVAL_LEN];
	int nintervals;
	int nrows;
	QuantTopRow *rows; /* by 24h quote volume, largest first */
	QuantAggregates agg;
	/* corr[i][a * nrows + b]: correlation of log returns of rows a and b at interval i over
	 * the candles both have in the last corr_window; NAN with fewer than 3 in common */
	double *corr[QUANT_MAX_INTERVALS];
	int refs; /* engine's lock */
} QuantSnapshot;

typedef struct QuantEngine QuantEngine;

/* Another engine's published values for one series (attach: a row of the collector's
 * quant_summary), shown in this engine's snapshots in place of its own. */
typedef struct {
	char symbol[FB_SYMBOL_LEN];
	char interval[FB_INTERVAL_LEN];
	QuantValues v;
	double last, change_24h, quote_volume_24h;
	int64_t updated_ms; /* 0: no pin */
} QuantPin;

QuantEngine *quant_new(const QuantOptions *o);
/* The watchlist: these symbols are in every snapshot whatever their rank (after the top N),
 * with watched set. */
void quant_set_watch(QuantEngine *q, const char (*symbols)[FB_SYMBOL_LEN], int n);
/* Pins p's values for its series (an unknown interval is ignored); they stay until the next
 * pin of the series or until the symbol is dropped or reset. */
void quant_pin(QuantEngine *q, const QuantPin *p);
/* The decimals of a price (0 .. QUANT_PRICE_DP): 151.95 gives 2, 0.0000179 gives 7. */
int quant_price_decimals(double x);
void quant_free(QuantEngine *q);

/* Applies one event. Candles of intervals the engine was not given are ignored; a closed
 * candle whose open time is not after the series' last one is ignored (replays of what was
 * seen); one after a hole counts a gap and continues. */
void quant_apply(QuantEngine *q, const Event *ev);

/* Installs a rule set (the engine takes ownership and frees the previous one); cooldowns of
 * rules that keep their name carry over. */
void quant_set_rules(QuantEngine *q, AlertRules *rules);

/* The symbols the engine has state for; returns how many (all of them, even beyond max). */
int quant_symbols(const QuantEngine *q, char (*out)[FB_SYMBOL_LEN], int max);
/* Forgets everything about a symbol. */
void quant_drop_symbol(QuantEngine *q, const char *symbol);
/* Forgets what a replay of the store rebuilds (before one), keeping what the store does not
 * hold (or a replay does not give back): the 24h ticker, the trade CVD and the other
 * exchanges' values (EV_VENUE). */
void quant_reset_symbol(QuantEngine *q, const char *symbol);

/* The values of a series after its last closed candle, or NULL when it has none. */
const QuantValues *quant_values(const QuantEngine *q, const char *symbol, const char *interval);
/* Gaps seen in a series (closed candles that did not follow the previous one). */
int64_t quant_gaps(const QuantEngine *q, const char *symbol, const char *interval);

/* Builds a snapshot of the current state and publishes it. Returns its generation. */
uint64_t quant_publish(QuantEngine *q);
/* Any thread: the latest snapshot (NULL before the first publish), held until released. */
QuantSnapshot *quant_snapshot_acquire(QuantEngine *q);
void quant_snapshot_release(QuantEngine *q, QuantSnapshot *s);

#endif
