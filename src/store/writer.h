/* The store's single writer thread. Producers (feed, engine) hand it records through a
 * bounded queue; it writes them in batched transactions on its own connection.
 *
 * Back-pressure: closed candles, funding, metrics, liquidations and alerts wait for room,
 * so they are never dropped; an update of a still-open candle is dropped when the queue is
 * full (the next update or the closed candle supersedes it) and counted.
 * Stop: store_writer_stop() flushes everything queued, commits and joins.
 * A batch that cannot be committed (a full disk) is retried with backoff, and reported in the
 * stats (held, failing_since_ms, last_error) for health; once a stop is near
 * (store_writer_stop_soon) it is retried for about two seconds more, then counted lost,
 * so a stop always ends. Nothing committed is ever touched. */
#ifndef FB_STORE_WRITER_H
#define FB_STORE_WRITER_H

#include <stddef.h>
#include <stdint.h>

#include "store/reader.h"
#include "store/records.h"

typedef enum {
	STORE_REC_CANDLE = 1,
	STORE_REC_FUNDING,
	STORE_REC_METRIC,
	STORE_REC_LIQUIDATION,
	STORE_REC_ALERT,
	STORE_REC_SOURCE_GAP,
	STORE_REC_SUMMARY, /* owns u.summary.v: the writer frees it */
	STORE_REC_LIMITER,
	STORE_REC_MARK,    /* a mark-price candle, in u.candle */
	STORE_REC_INDEX,   /* an index-price candle, in u.candle */
	STORE_REC_SHIPPED, /* outbox entries the cluster acknowledged, in u.shipped */
} StoreRecordType;

/* A queue slot is sized by the common records (candles, metrics); a rare big one (an alert
 * with its message) goes by pointer, so 65,536 slots cost 10 MB, not 19. */

typedef struct {
	StoreRecordType type;
	union {
		Candle candle;
		FundingRate funding;
		MarketMetric metric;
		Liquidation liquidation;
		AlertRecord *alert; /* owned: the writer frees it */
		SourceGap gap;
		SummaryRecord summary;
		LimiterState limiter;
		struct {
			StoreTable table;
			int64_t upto; /* entries with seq <= upto leave the outbox */
		} shipped;
	} u;
} StoreRecord;

typedef struct {
	size_t queue_capacity; /* records */
	size_t batch_size;     /* records per transaction at most */
	int flush_ms;          /* longest a record waits before its transaction commits */
	int busy_timeout_ms;
	int outbox; /* log every commit in the ship_* outbox (a collector that ships) */
} StoreWriterOptions;

typedef struct {
	uint64_t rows_written; /* inserted or updated */
	uint64_t rows_unchanged;
	uint64_t transactions;
	uint64_t open_dropped; /* open-candle updates dropped on a full queue */
	uint64_t write_errors; /* failed transactions (retried) */
	size_t queue_depth;
	size_t held;              /* records of the batch that cannot be committed (0: none) */
	int64_t failing_since_ms; /* wall clock of the first failure of that batch, 0: none */
	char last_error[128];     /* the store's reason ("database or disk is full") */
} StoreWriterStats;

typedef struct StoreWriter StoreWriter;

/* Opens path (creating and migrating it) and starts the thread. Returns NULL with err. */
StoreWriter *store_writer_start(const char *path, const StoreWriterOptions *opt, char *err,
                                size_t errlen);
/* Any thread. Returns 0 when queued (or, for an open candle on a full queue, dropped and
 * counted), -1 once the writer is stopping. */
int store_writer_put(StoreWriter *w, const StoreRecord *rec);
/* As store_writer_put for n records under one lock, waking the writer once. */
int store_writer_put_batch(StoreWriter *w, const StoreRecord *recs, size_t n);
/* Blocks until everything queued before the call is committed, or timeout_ms passed (< 0:
 * no limit). Returns 0, or -1 if the writer stopped or the time ran out first. */
int store_writer_sync(StoreWriter *w, int timeout_ms);
/* Any thread: a stop is coming; a batch that keeps failing is given up after about two
 * seconds of retries instead of retried for ever. */
void store_writer_stop_soon(StoreWriter *w);
void store_writer_get_stats(StoreWriter *w, StoreWriterStats *out);
/* Flushes, commits, joins and frees. Returns the number of records that could not be written
 * (0 on a clean stop). NULL does nothing. */
uint64_t store_writer_stop(StoreWriter *w);

#endif
