/* The inputs of a backtest from the store: the bars of one series with the engine's values
 * after each (a replay of the store through a fresh engine from the series' first stored
 * candle, so indicators are warm when the range starts), and the realised funding of the
 * symbol from the funding table. Reads through a StoreReader (the store or the cluster), on its thread. */
#ifndef FB_RESEARCH_DATA_H
#define FB_RESEARCH_DATA_H

#include <stdint.h>

#include "quant/engine.h"
#include "research/backtest.h"
#include "store/reader.h"

typedef struct {
	char exchange[32];
	BtBar *bars; /* open_time in [from, to) */
	int n;
	BtFunding *funding; /* funding times in [first open, last close) */
	int nfunding;
	int warm;   /* closed candles stored before the range */
	BtBar *pre; /* the last of them (at most BT_WARM_BARS), oldest first */
	int npre;
	int64_t latest_ms;        /* open time of the newest closed candle up to --to; 0: none */
	int64_t stored_latest_ms; /* of the newest stored at all (past --to too) */
	int64_t first_ms;         /* open time of the oldest one */
	/* "fnv1a64:" and 16 hex digits over every candle the run's values depend on (open time,
	 * OHLC and volume of each, from the first stored to the range's last, the warm-up
	 * included) and the funding rows of the range; hash_from_ms and hash_to_ms: the open
	 * times of the first and last candle hashed */
	char hash[40];
	int64_t hash_from_ms, hash_to_ms;
	int nmark;     /* bars of the range with their mark-price candle */
	int need_warm; /* bars of warm-up the strategy needs before the range (set by the caller) */
} BtData;

/* exchange NULL: the one that has the series. Returns 0, or -1 with err. */
int bt_data_load(StoreReader *rd, const char *exchange, const char *symbol, const char *interval,
                 const QuantOptions *opt, int64_t from_ms, int64_t to_ms, BtData *out, char *err,
                 size_t errlen);
void bt_data_free(BtData *d);

#endif
