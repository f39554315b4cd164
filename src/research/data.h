/* The inputs of a backtest from the store: the bars of one series with the engine's values
 * after each (a replay of the store through a fresh engine from the series' first stored
 * candle, so indicators are warm when the range starts), and the realised funding of the
 * symbol from the funding table. Reader: any thread with its own Store. */
#ifndef FB_RESEARCH_DATA_H
#define FB_RESEARCH_DATA_H

#include <stdint.h>

#include "quant/engine.h"
#include "research/backtest.h"
#include "store/store.h"

typedef struct {
	char exchange[32];
	BtBar *bars; /* open_time in [from, to) */
	int n;
	BtFunding *funding; /* funding times in [first open, last close) */
	int nfunding;
	int warm;   /* closed candles stored before the range */
	BtBar *pre; /* the last of them (at most BT_WARM_BARS), oldest first */
	int npre;
	int64_t latest_ms; /* open time of the newest stored closed candle; 0: none */
	int64_t first_ms;  /* open time of the oldest one */
	char hash[40];     /* "fnv1a64:" and 16 hex digits over the bars' candles */
} BtData;

#define BT_WARM_BARS 2048 /* bars kept before the range to warm a strategy's own indicators */

/* exchange NULL: the one that has the series. Returns 0, or -1 with err. */
int bt_data_load(Store *st, const char *exchange, const char *symbol, const char *interval,
                 const QuantOptions *opt, int64_t from_ms, int64_t to_ms, BtData *out, char *err,
                 size_t errlen);
void bt_data_free(BtData *d);

/* The FNV-1a hash of the candles (open time, OHLC) of bars, as in BtData.hash. */
void bt_candles_hash(const BtBar *b, int n, char *out, size_t outlen);

#endif
