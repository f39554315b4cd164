/* Backfill: finds the candles a series lacks between a start time and the last closed candle,
 * fetches them over REST (paged, weight-aware) and stores them. What the exchange answers
 * with nothing is missing at the source: recorded in source_gaps, reported as unfillable and
 * not asked for again. Owner: the thread that owns the RestClient and the Store. */
#ifndef FB_FEED_BACKFILL_H
#define FB_FEED_BACKFILL_H

#include <stdint.h>

#include "feed/rest.h"
#include "store/store.h"

typedef struct {
	long series;
	long gaps_found;         /* runs of missing candles found */
	long gaps_fixed;         /* of those, filled completely */
	long candles_added;      /* inserted */
	long candles_updated;    /* rows that were there but open or different */
	long gaps_unfillable;    /* runs the exchange has nothing for (recorded) */
	long candles_unfillable; /* candles in those runs */
	long known_unfillable;   /* candles skipped because an earlier run recorded them */
	long candles_pending;    /* the newest ones, not returned yet: asked for again next time */
	long malformed;          /* rows the exchange sent that failed checks */
} BackfillReport;

typedef struct StoreWriter StoreWriter;

/* Where the rows go. Without a writer, st is written directly (one transaction per page);
 * with one, st is only read (to find what is missing) and rows go through the writer thread,
 * which is then the only thread writing. */
typedef struct {
	Store *st;
	StoreWriter *writer;
} BackfillTarget;

/* The open times a backfill of interval from since at now (the exchange's time) covers:
 * first (on the grid, at or after since) to last (the newest candle closed at least the grace
 * before now); first > last when there is none. Refuses (-1 with err) an unknown interval and
 * times that are not plausible: now before 2017 or over a day past clock (this machine's
 * time), since negative or after now. */
int backfill_window(const char *interval, int64_t since, int64_t now, int64_t clock, int64_t *first,
                    int64_t *last, char *err, size_t errlen);
/* Backfills one series of exchange ex (stored under the label exchange) from since to the
 * last candle closed at now (the exchange's time).
 * Adds to rep. Returns 0, or -1 with err (REST or database failure; what was stored stays). */
struct Exchange;
int backfill_series(const struct Exchange *ex, RestClient *rc, const BackfillTarget *to,
                    const char *exchange, const char *symbol, const char *interval, int64_t since,
                    int64_t now, BackfillReport *rep, char *err, size_t errlen);

#endif
