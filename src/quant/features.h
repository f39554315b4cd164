/* "export features": one CSV row per closed candle of a series with every value the engine
 * computes, produced by replaying the store through a fresh engine from the series' first
 * stored candle (so the values equal the live engine's). Columns: time (ISO-8601), then
 * quant_columns in order; trend and vol_regime as labels. Reads through a StoreReader (the
 * store or the cluster), on the reader's thread. */
#ifndef FB_QUANT_FEATURES_H
#define FB_QUANT_FEATURES_H

#include <stdint.h>
#include <stdio.h>

#include "quant/engine.h"
#include "store/reader.h"

/* The header line (without line end). */
const char *features_header(void);
/* One row (with its line end); -1 on a write error. */
int features_write_row(FILE *out, const QuantValues *v);
/* Writes rows with open_time in [from_ms, to_ms). exchange NULL: the one exchange that has the
 * series (an error when several do). Returns the number of rows, or -1 with err. */
long features_export(StoreReader *rd, const char *exchange, const char *symbol,
                     const char *interval, const QuantOptions *opt, int64_t from_ms, int64_t to_ms,
                     FILE *out, char *err, size_t errlen);

/* The one exchange that has symbol at interval: 0, or -1 with err (none, or several). */
int features_exchange(StoreReader *rd, const char *symbol, const char *interval, char *out,
                      size_t outlen, char *err, size_t errlen);

/* Replays one series through a fresh engine and calls each() with the values after every
 * closed candle whose open time is in [from_ms, to_ms); each() returns nonzero to fail (with
 * err filled). exchange NULL: as for features_export. Returns the number of calls, or -1. */
long features_replay(StoreReader *rd, const char *exchange, const char *symbol,
                     const char *interval, const QuantOptions *opt, int64_t from_ms, int64_t to_ms,
                     int (*each)(void *arg, const QuantValues *v, char *err, size_t errlen),
                     void *arg, char *err, size_t errlen);

/* The values after each of the last max closed candles of a series with open time before
 * to_ms (INT64_MAX: all), oldest first, from the same replay. Returns how many, or -1 with
 * err. */
int features_history(StoreReader *rd, const char *exchange, const char *symbol,
                     const char *interval, const QuantOptions *opt, int64_t to_ms, QuantValues *out,
                     int max, char *err, size_t errlen);

#endif
