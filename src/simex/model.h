/* simex market model: a seeded, deterministic market of USDT perpetuals, built minute by
 * minute. Correlated returns (one market factor with GARCH volatility, regime switches between
 * calm, normal and stressed, Student-t shocks), idiosyncratic moves, volume that rises with
 * the size of the move, taker flow that leans with its sign, open interest, a premium that
 * drives funding, long/short ratios that chase recent returns, and a slowly wandering
 * "interest" per symbol so the 24h-volume ranking churns.
 *
 * Every 1m bar is final once generated; higher intervals are aggregated from them, so they are
 * consistent by construction. The bar of the minute in progress is revealed ten seconds at a
 * time, the way an exchange's open candle grows.
 * Owner: the simex thread. */
#ifndef FB_SIMEX_MODEL_H
#define FB_SIMEX_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "store/records.h"

typedef struct {
	char symbol[FB_SYMBOL_LEN];
	double price, tick, step, quote_volume_24h, beta, vol;
} SimInstrument;

/* Reads data/instruments.csv. Returns the count (> 0) with *out allocated (caller frees), or
 * -1 with err naming file and line. */
int sim_instruments_load(const char *path, SimInstrument **out, char *err, size_t errlen);

typedef struct {
	double mark, index, premium, funding_rate; /* funding_rate: the current estimate */
	int64_t next_funding_time;
	double open_interest; /* contracts (base asset) */
	double ls_global, ls_top_accounts, ls_top_positions, taker_ratio;
	double last, quote_volume_24h, volume_24h, open_24h, high_24h, low_24h;
	int64_t trades_24h;
	double bid, ask, bid_qty, ask_qty;
} SimState;

typedef struct {
	int64_t time;
	double rate, mark;
} SimFunding;

typedef struct SimModel SimModel;

/* A model of n instruments whose first bar opens at start_ms (rounded down to the minute).
 * missing_rate: the share of 1m bars the exchange "lost" (never served). */
SimModel *sim_model_new(const SimInstrument *inst, int n, uint64_t seed, int64_t start_ms,
                        double missing_rate);
/* History mode: a market played from the candles stored in db_path. Every symbol stored at
 * the finest interval found there becomes an instrument (tick and step sizes read off the
 * data); those bars are the market, holes in them are candles missing at the source, and
 * coarser intervals are aggregated from them (finer ones do not exist). Open interest,
 * funding and ratios are modelled from the played returns. Returns NULL with err. */
SimModel *sim_model_new_history(const char *db_path, uint64_t seed, char *err, size_t errlen);
/* Length of the model's bars: 1m, or the stored interval in history mode. */
int64_t sim_model_bar_ms(const SimModel *m);
/* Open time of the last stored bar (history mode), or INT64_MAX. */
int64_t sim_model_last_open(const SimModel *m);
void sim_model_free(SimModel *m);
/* Makes the 24h-volume ranking wander churn times faster (1: normal). */
void sim_model_set_churn(SimModel *m, double churn);
/* Generates every bar that opens at or before t. */
void sim_model_advance(SimModel *m, int64_t t);
int sim_model_count(const SimModel *m);
const SimInstrument *sim_model_instrument(const SimModel *m, int i);
/* Index of a symbol, or -1. */
int sim_model_find(const SimModel *m, const char *symbol);
int64_t sim_model_first_open(const SimModel *m);

/* The candle of instrument i for interval ivl_ms opening at open_time, as seen at time now
 * (closed = 0 and partial while now is inside it). Returns 0, or -1 when the exchange has no
 * such candle (before the first bar, in the future, or every minute of it missing). */
int sim_model_candle(const SimModel *m, int i, const char *interval, int64_t open_time, int64_t now,
                     Candle *out);
/* The mark-price (index 0) or index-price (index 1) candle (open, high, low, close; no
 * volumes) of instrument i, as /fapi/v1/markPriceKlines and indexPriceKlines give it: the
 * mark or index the streams show through each bar. 0, or -1 when there is none (before the
 * first bar or in the future). */
int sim_model_price_candle(const SimModel *m, int i, const char *interval, int64_t open_time,
                           int64_t now, int index, Candle *out);
/* Market state of instrument i after the latest generated minute. */
void sim_model_state(const SimModel *m, int i, SimState *out);
/* Realised funding events of instrument i (8-hourly), oldest first; borrowed. */
const SimFunding *sim_model_funding(const SimModel *m, int i, size_t *n);
/* Open-interest and ratio history at 5m resolution: value at the 5m boundary t, or -1. */
int sim_model_history(const SimModel *m, int i, int64_t t, SimState *out);

#endif
