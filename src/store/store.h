/* The SQLite store: opening (WAL, busy timeout, schema and forward migrations), upserts of
 * each record type, and transactions. One Store is one connection and belongs to one thread:
 * the writer thread owns the only writing Store of a process; readers open their own
 * (STORE_READONLY). */
#ifndef FB_STORE_STORE_H
#define FB_STORE_STORE_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "store/records.h"

enum {
	STORE_READONLY = 1 << 0, /* open an existing database for reading only */
};

typedef enum { STORE_INSERTED = 1, STORE_UPDATED, STORE_UNCHANGED } StorePutResult;

typedef struct Store Store;

/* Opens or creates path (parent folders are created), applies migrations and schema.sql.
 * Returns NULL with err filled ("path: reason"). */
Store *store_open(const char *path, int flags, int busy_timeout_ms, char *err, size_t errlen);
void store_close(Store *st);
/* The connection, borrowed; same thread as the Store. */
sqlite3 *store_db(Store *st);
const char *store_path(const Store *st);

/* The schema version schema.sql declares (its PRAGMA user_version). */
int store_schema_version(void);
/* The embedded schema.sql text. */
extern const char store_schema_sql[];

/* Transactions. Return 0, or -1 with the SQLite message in the log. */
int store_begin(Store *st);
int store_commit(Store *st);
void store_rollback(Store *st);

/* The id of a candle series, created when create is set and it does not exist yet. Returns
 * the id (> 0), 0 when it does not exist and create is 0, or -1 on an SQLite error. An id
 * created inside a transaction that is rolled back is forgotten with it. */
int64_t store_series_id(Store *st, const char *exchange, const char *symbol, const char *interval,
                        int create);

/* Upserts. Return a StorePutResult, or -1 on an SQLite error (message in store_errmsg).
 * A candle update never turns a closed candle back into an open one. */
int store_put_candle(Store *st, const Candle *c);
/* Candles written through st go to series built from a lower interval (src/quant/derive.h)
 * while on; otherwise a writer's candles for such a series replace the built ones and make it
 * the exchange's. */
void store_set_derived_writer(Store *st, int on);
int store_put_funding(Store *st, const FundingRate *f);

typedef struct {
	size_t inserted, updated, unchanged;
} StorePutCounts;

/* Upserts n candles (any mix of series) as store_put_candle would one by one, in chunks of
 * multi-row INSERTs, adding to counts. Meant for bulk loads inside a transaction. Returns 0,
 * or -1 on an SQLite error (the caller rolls back; counts are then meaningless). */
int store_put_candles(Store *st, const Candle *c, size_t n, StorePutCounts *counts);
/* A mark-price candle (mark_candles); STORE_INSERTED, _UPDATED, _UNCHANGED or -1. */
int store_put_mark(Store *st, const Candle *c);
/* A mark-price (mark_candles) or index-price (index_candles) candle, as store_put_mark. */
typedef enum { STORE_MARK, STORE_INDEX } StorePrice;
int store_put_price_candle(Store *st, StorePrice kind, const Candle *c);
int store_put_metric(Store *st, const MarketMetric *m);
int store_put_liquidation(Store *st, const Liquidation *l);
/* Records (or widens) a range of candles missing at the source. Returns STORE_INSERTED or -1. */
int store_put_source_gap(Store *st, const SourceGap *g);
/* An exchange's REST limiter state: put (insert or replace; STORE_UPDATED or -1), get (1 found,
 * 0 none, -1 error). */
int store_put_limiter(Store *st, const LimiterState *l);
int store_get_limiter(Store *st, const char *exchange, LimiterState *out);
/* Up to n symbols of exchange with stored candles, the most recently stored first (the
 * universe to stream while the exchange's REST is held back). Returns the count or -1. */
long store_recent_symbols(Store *st, const char *exchange, int n, char (*out)[FB_SYMBOL_LEN]);
/* The open time of the newest closed mark- or index-price candle of (exchange, symbol,
 * interval) in *open_time (-1: none). Returns 0 or -1 on a database error. */
int store_last_price_candle(Store *st, StorePrice kind, const char *exchange, const char *symbol,
                            const char *interval, int64_t *open_time);
/* The time of the newest market_metrics row of (exchange, symbol, metric) in *ts (-1: none).
 * Returns 0 or -1 on a database error. */
int store_last_metric(Store *st, const char *exchange, const char *symbol, const char *metric,
                      int64_t *ts);
/* The newest stored funding time of (exchange, symbol) in *t (-1: none). 0, or -1 on a
 * database error. */
int store_last_funding(Store *st, const char *exchange, const char *symbol, int64_t *t);
/* Alerts are appended; returns STORE_INSERTED or -1. */
int store_put_alert(Store *st, const AlertRecord *a);
/* Replaces the quant_summary row of (exchange, symbol, timeframe). */
int store_put_summary(Store *st, const SummaryRecord *r);
const char *store_errmsg(Store *st);

/* The newest forced orders of an exchange with from_ms < ts <= to_ms, newest first, at most
 * max into out. Returns how many, or -1 (store_errmsg says why). */
int store_liquidations_recent(Store *st, const char *exchange, int64_t from_ms, int64_t to_ms,
                              Liquidation *out, int max);

#endif
