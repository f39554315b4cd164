/* Replay: stored rows as engine events, in exchange-time order, so that a replay or a
 * backtest feeds quant_apply() exactly what the live feed fed it.
 *
 * Sources and the events they become: closed candles (EV_CANDLE, at their close time),
 * realised funding (EV_FUNDING), liquidations (EV_LIQUIDATION) and the market_metrics rows:
 * mark_price, index_price and funding_rate_est of one instant become one EV_MARK;
 * open_interest and open_interest_value EV_OPEN_INTEREST; the long/short and taker ratios
 * EV_RATIO; book_imbalance EV_BOOK_TOP. The trade CVD the live feed stores ("cvd") counts from
 * the moment a collector started, so it is not replayed. With venues, the other exchanges'
 * rows of the same instruments come as EV_VENUE, as the live feed gives them. At equal times
 * metrics, funding and the other exchanges' rows come before the candle that closes then. A reader belongs to the thread that opened it. */
#ifndef FB_QUANT_REPLAY_H
#define FB_QUANT_REPLAY_H

#include <stdint.h>

#include "quant/event.h"
#include "store/reader.h"

typedef struct {
	const char *exchange;
	const char *const *symbols; /* NULL or nsymbols == 0: every symbol */
	int nsymbols;
	const char *const *intervals; /* NULL or nintervals == 0: every interval */
	int nintervals;
	int64_t to_ms;   /* events up to this time (inclusive); INT64_MAX for all */
	int64_t from_ms; /* and after this one (exclusive); 0 for all */
	int candles_only;
	/* also the same instruments on the other exchanges stored (up to 3), as EV_VENUE: their
	 * mark, funding estimate and period and open interest rows, and their forced orders */
	int venues;
} ReplaySpec;

typedef struct ReplayReader ReplayReader;

/* Reads through rd (the store or the cluster). Returns NULL with err on a read error. */
ReplayReader *replay_open(StoreReader *rd, const ReplaySpec *spec, char *err, size_t errlen);
/* The next event: 1, 0 at the end, -1 on a database error (message in err). */
int replay_next(ReplayReader *r, Event *ev, char *err, size_t errlen);
void replay_close(ReplayReader *r);

#endif
