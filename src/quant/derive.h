/* Series built from a lower interval: db aggregate, the readers that build a timeframe the
 * exchange's candles do not have, and db check --cross.
 *
 * A built series is its own series (series.derived_from names the lower interval), so the
 * exchange's candles are never overwritten: a target interval the exchange's own series holds
 * is never built, and the exchange's candles, when they arrive, replace the built ones. Only
 * complete buckets (every lower candle of the span present and closed) are stored, with exact
 * decimal sums (quant/aggregate.h); building again is idempotent. Reader and writer: the
 * thread that owns the Store. */
#ifndef FB_QUANT_DERIVE_H
#define FB_QUANT_DERIVE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "store/store.h"

typedef struct {
	long built;      /* candles inserted or changed */
	long unchanged;  /* already stored as built */
	long incomplete; /* buckets with a lower candle missing or still open: not stored */
} DeriveCounts;

typedef enum { DERIVE_NONE = 0, DERIVE_EXCHANGE, DERIVE_BUILT } DeriveKind;

/* What (exchange, symbol, interval) holds: the exchange's candles, built ones (from: the lower
 * interval), or no closed candle. -1 on a database error. */
int derive_kind(Store *st, const char *exchange, const char *symbol, const char *interval,
                char *from, size_t fromlen);
/* The lowest interval of the exchange's own candles for (exchange, symbol) that is shorter
 * than target and divides it; 0 with from set, or -1 when there is none. */
int derive_source(Store *st, const char *exchange, const char *symbol, const char *target,
                  char *from, size_t fromlen);
/* Builds target from the exchange's from candles. Refused (-1, err) when target is the
 * exchange's own series or from does not divide it. */
int derive_build(Store *st, const char *exchange, const char *symbol, const char *from,
                 const char *target, DeriveCounts *c, char *err, size_t errlen);
/* Compares the exchange's target candles with those built from from in memory, field by field
 * (OHLC, volumes, trades where both have them): prints every candle that differs (at most
 * max_listed, 0: all) to out, and counts equal and differing candles. 0, or -1 with err. */
int derive_cross(Store *st, const char *exchange, const char *symbol, const char *from,
                 const char *target, FILE *out, long max_listed, long *equal, long *differ,
                 char *err, size_t errlen);

#endif
