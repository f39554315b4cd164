/* The shipper thread of a collector with a cluster store: it sends the rows the writer
 * committed (the outbox, store.h) to ClickHouse in commit order, each table's entries in
 * INSERTs of at most batch_rows, every flush_ms, and hands what ClickHouse acknowledged
 * (answered 200) back to the writer thread, which removes it from the outbox. Nothing else
 * moves the high-water mark, so a kill -9 or a cluster restart loses nothing: what is left
 * in the outbox goes at the next round or the next start. A refused INSERT is retried with
 * backoff (1 s doubling to 30 s). The thread owns its ClickHouse client and its own
 * read-only connection to the database. */
#ifndef FB_STORE_SHIPPER_H
#define FB_STORE_SHIPPER_H

#include <stdint.h>

#include "store/clickhouse.h"
#include "store/writer.h"

typedef struct {
	const char *db_path;
	ChOptions ch; /* the strings are copied */
	int batch_rows, flush_ms, busy_timeout_ms;
} ShipperOptions;

typedef struct {
	uint64_t rows_shipped, batches, retries;
	int64_t pending_rows; /* outbox entries waiting (the lag in rows) */
	int64_t lag_ms;       /* how long the oldest has waited (0: none waiting) */
	int64_t last_ship_ms; /* wall clock of the last acknowledged INSERT (0: none yet) */
	int failing;          /* the last attempt failed */
	char last_error[256]; /* its error ("" after a success) */
	char target[400];     /* the URL and database */
} ShipperStats;

typedef struct Shipper Shipper;

/* Starts the thread; NULL with err (an unsafe password file, for one). The writer must
 * outlive it. */
Shipper *shipper_start(const ShipperOptions *o, StoreWriter *w, char *err, size_t errlen);
void shipper_get_stats(Shipper *s, ShipperStats *out);
/* One last round of at most about five seconds for what is committed, then joins and frees.
 * Call before the writer stops. NULL does nothing. */
void shipper_stop(Shipper *s);

#endif
