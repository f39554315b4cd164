/* Rolling indicators, O(1) work per candle and fixed memory, with TA-Lib's conventions (the
 * reference traders check against):
 *   SMA(n)        mean of the last n closes;
 *   EMA(n)        seeded with the SMA of the first n values, then k = 2 / (n + 1);
 *   RSI(n)        Wilder: average gain and loss seeded with the means of the first n changes,
 *                 then avg = (avg * (n - 1) + x) / n; RSI = 100 * gain / (gain + loss), 0
 *                 when both are 0;
 *   ATR(n)        Wilder on the true range (from the second candle on), seeded with the mean
 *                 of the first n true ranges;
 *   Bollinger(n, k) SMA(n) +- k population standard deviations of the last n closes;
 *   VWAP          typical price (h + l + c) / 3 weighted by volume, anchored at 00:00 UTC;
 *   z-score(n)    (x - mean) / population standard deviation over the last n values.
 * A value is NAN until enough candles have been seen. Everything is computed from the first
 * candle given, never from a truncated window. Owner: the thread that updates it. */
#ifndef FB_QUANT_INDICATORS_H
#define FB_QUANT_INDICATORS_H

#include <stdint.h>

#include "store/records.h"

#define IND_MAX_WINDOW 512

/* A fixed window of the last n values with running sums. */
typedef struct {
	double v[IND_MAX_WINDOW];
	int n, count, head;
	double sum, sumsq;
} Window;

void window_init(Window *w, int n);
void window_push(Window *w, double x);
int window_full(const Window *w);
double window_mean(const Window *w);
/* Population standard deviation of the values in the window. */
double window_std(const Window *w);

typedef struct {
	int n, seen;
	double k, value, seed_sum;
} Ema;

void ema_init(Ema *e, int n);
/* Returns the EMA after x, or NAN while seeding. */
double ema_push(Ema *e, double x);

typedef struct {
	int n, seen;
	double prev, gain, loss;
} Rsi;

void rsi_init(Rsi *r, int n);
double rsi_push(Rsi *r, double close);

typedef struct {
	int n, seen;
	double prev_close, value, seed_sum;
} Atr;

void atr_init(Atr *a, int n);
double atr_push(Atr *a, double high, double low, double close);

typedef struct {
	int64_t day;
	double pv, v;
} Vwap;

void vwap_init(Vwap *v);
double vwap_push(Vwap *v, int64_t open_time, double high, double low, double close, double volume);

/* Everything the engine keeps per series. */
typedef struct {
	Window sma, boll, zs;
	Ema ema_fast, ema_slow;
	Rsi rsi;
	Atr atr;
	Vwap vwap;
	double boll_k;
	double prev_close;
	int64_t candles;
	int boll_shared, zs_shared; /* same period as the SMA: its window serves */
} Indicators;

typedef struct {
	double sma, ema_fast, ema_slow, rsi, atr, boll_mid, boll_up, boll_low, vwap, zscore;
	double change; /* close against the previous close, as a fraction (0.01 = 1%) */
} IndicatorValues;

typedef struct {
	int sma, ema_fast, ema_slow, rsi, atr, boll, zscore; /* periods, each 1..IND_MAX_WINDOW */
	double boll_k;
} IndicatorParams;

/* The defaults: SMA 20, EMA 12 and 26, RSI 14, ATR 14, Bollinger 20 x 2, z-score 20. */
void indicators_default_params(IndicatorParams *p);
void indicators_init(Indicators *s, const IndicatorParams *p);
/* Feeds one closed candle; fills out. */
void indicators_update(Indicators *s, const Candle *c, IndicatorValues *out);

#endif
