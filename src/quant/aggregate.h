/* Aggregation: candles of a higher interval built from consecutive closed candles of a lower
 * one, equal to the exchange's own: open of the first, high and low the extremes, close of
 * the last, volumes, trades and taker volumes summed. Sums are exact decimal sums (the
 * exchange adds decimals, not doubles), so a built candle compares equal field by field. A
 * higher candle is complete only when every lower candle of its span was seen; incomplete
 * ones are reported, never passed off as complete. Owner: the thread that feeds it. */
#ifndef FB_QUANT_AGGREGATE_H
#define FB_QUANT_AGGREGATE_H

#include <stdint.h>

#include "store/records.h"

typedef struct {
	char interval[FB_INTERVAL_LEN];
	int64_t ms, offset, lower_ms;
	Candle cur;
	int has, parts, want;
	/* exact decimal sums of volume, quote volume, taker buy volume and taker buy quote
	 * volume: sum[i] units of 10^-scale[i] */
	__int128 sum[4];
	int scale[4];
	int unknown[4]; /* a part did not carry it: NAN */
	int inexact[4]; /* a part was not a short decimal: the plain double sum */
	double plain[4];
	int64_t trades;
	int trades_unknown;
	long incomplete;
} Aggregator;

/* target: a fixed-length interval ("1h", "1d", "1w"). Returns 0, or -1 when it is unknown. */
int agg_init(Aggregator *a, const char *target);
/* Feeds a closed candle of a lower interval (in time order). Returns 1 and fills out when a
 * complete higher candle is done (the last part arrived), 0 otherwise. A candle from a later
 * span ends the current one: counted in a->incomplete when parts were missing. */
int agg_push(Aggregator *a, const Candle *lower, Candle *out);

#endif
