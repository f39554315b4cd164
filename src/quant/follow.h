/* The follower of `futuresboard attach`: a thread that watches a database another process
 * (a collector) is filling and feeds what it writes to a QuantLive engine, so a read-only
 * dashboard shows the same engine values as the collector's own.
 *
 * It wakes every poll_ms and asks SQLite's PRAGMA data_version whether another connection has
 * committed since; only then does it read: the stored events of the last window_ms (candles,
 * metrics, funding, liquidations; events it pushed before are not pushed again, and the engine
 * ignores candles it has), the collector's 24h tickers and ranking from quant_summary, and new
 * rows of the alerts table (given to on_alert; the follower never evaluates rules itself).
 * Symbols that join the collector's top table are replayed from the store, those that leave
 * are dropped. Candles written later than window_ms after their close (a backfill repairing an
 * old hole) are picked up by the replay a symbol gets when it joins, not while it stays. */
#ifndef FB_QUANT_FOLLOW_H
#define FB_QUANT_FOLLOW_H

#include <stddef.h>
#include <stdint.h>

#include "quant/live.h"

typedef struct {
	const char *db_path;
	const char *exchange;
	QuantLive *live;
	int poll_ms;       /* default 500 */
	int64_t window_ms; /* default 10 minutes */
	/* follower thread: a new row of the alerts table */
	void (*on_alert)(void *arg, const AlertRecord *a);
	void *arg;
} FollowOptions;

typedef struct {
	uint64_t polls, changes, events, duplicates, alerts, errors;
	int64_t last_change_ms; /* wall clock of the last change seen; 0: none */
	int symbols;
} FollowStats;

typedef struct Follower Follower;

/* What to attach to, before anything starts: with exchange empty, the exchange of the
 * collector's newest quant_summary rows, else the only one stored (two or more without a
 * summary is an error naming them); then the intervals stored for it, shortest first (at most
 * max). Returns how many intervals, or -1 with err. */
int follow_pick(const char *db_path, char *exchange, size_t len, char (*intervals)[FB_INTERVAL_LEN],
                int max, char *err, size_t errlen);
/* Opens the database read-only, starts the engine's warm-up and the thread. NULL with err. */
Follower *follow_start(const FollowOptions *o, char *err, size_t errlen);
void follow_get_stats(Follower *f, FollowStats *out);
void follow_stop(Follower *f);

#endif
