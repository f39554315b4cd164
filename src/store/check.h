/* Consistency checks and statistics over stored series. Reader: any thread with its own Store.
 *
 * db check, per (exchange, symbol, interval) candle series (a built one says what it was
 * built from): gaps (runs of missing candles between the first and last stored one: count,
 * and the first and last missing open time),
 * open times off the interval's grid, and OHLC sanity (high the highest, low the lowest,
 * positive prices, non-negative volumes, close_time = open_time + interval - 1). */
#ifndef FB_STORE_CHECK_H
#define FB_STORE_CHECK_H

#include <stdint.h>
#include <stdio.h>

#include "store/store.h"

typedef struct {
	const char *symbol;   /* NULL: all */
	const char *interval; /* NULL: all */
	int max_listed;       /* gaps and bad rows listed per series (the rest are counted) */
} CheckOptions;

typedef struct {
	long series;
	long candles;
	long gaps, missing; /* gaps found and candles missing in them */
	long misaligned;
	long bad_ohlc;
	long incomplete;       /* stored while still forming, though their period has ended */
	long unknown_interval; /* series whose interval this program cannot check */
	int64_t newest_close;  /* the latest close time of any candle checked (0: none) */
} CheckReport;

/* Prints findings per series to out and fills rep. Returns 0 when no problem was found, 1 when
 * some were, -1 with err on a database error. */
int check_candles(Store *st, const CheckOptions *opt, FILE *out, CheckReport *rep, char *err,
                  size_t errlen);

/* Prints rows and time span per series (candles, funding, metrics) and table totals. Returns
 * 0 or -1 with err. */
int check_stats(Store *st, FILE *out, char *err, size_t errlen);

#endif
