/* The SQLite store: opening (WAL, busy timeout, schema and forward migrations), upserts of
 * each record type, and transactions. One Store is one connection and belongs to one thread:
 * the writer thread owns the only writing Store of a process; readers open their own
 * (STORE_READONLY). */
#ifndef FB_STORE_STORE_H
#define FB_STORE_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "store/reader.h"
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
/* The store as a reader (reader.h), borrowed: it lives as long as st, on st's thread. */
StoreReader *store_reader(Store *st);
/* The SQLite library's version, for --version. */
const char *store_engine_version(void);
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
/* Calls missing() for each open time in [first, last] (a grid of ivl) that series has no
 * closed candle for, and counts in *known those a source gap covers. 0, or -1 on a database
 * error (store_errmsg). */
int store_missing_candles(Store *st, int64_t series, int64_t first, int64_t last, int64_t ivl,
                          void (*missing)(void *arg, int64_t open_time, int64_t ivl), void *arg,
                          long *known);
/* Marks (exchange, symbol, interval) as built from the lower interval from (the series row is
 * created, or an empty one taken over). 0, or -1 on a database error (store_errmsg). */
int store_set_series_derived(Store *st, const char *exchange, const char *symbol,
                             const char *interval, const char *from);
/* ---- what a collector publishes for viewers (summary.c) ---- */

/* SQLite's data_version: changes when another connection commits. -1 on an error. */
int64_t store_data_version(Store *st);
/* The newest quant_summary update of exchange in *t (-1: none). exchange "": of whichever
 * exchange has the newest, whose name is put in exchange. 0, or -1 on a database error. */
int store_summary_newest(Store *st, char *exchange, size_t len, int64_t *t);
typedef struct {
	char symbol[FB_SYMBOL_LEN];
	int64_t updated_ms;
	double last_price, change_24h, quote_volume_24h; /* NAN when NULL */
} StoreTicker;
/* Each symbol of exchange with summary rows updated at or after since_ms, once, with the
 * tickers of its newest row, by the best rank it holds. The count (at most max), or -1. */
int store_summary_tickers(Store *st, const char *exchange, int64_t since_ms, StoreTicker *out,
                          int max);
typedef struct {
	char symbol[FB_SYMBOL_LEN], timeframe[FB_INTERVAL_LEN];
	int64_t updated_ms, open_time;
	double last_price, change_24h, quote_volume_24h;
	char trend[8], vol_regime[8];
} StoreSummaryRow;
/* The quant_summary rows of exchange updated at or after since_ms, with the values of the
 * feature columns names[0..n) in v (NAN for NULL); each() returns nonzero to stop. The count
 * read, or -1 on a database error. */
long store_summary_rows(Store *st, const char *exchange, int64_t since_ms, const char *const *names,
                        int n, int (*each)(void *arg, const StoreSummaryRow *row, const double *v),
                        void *arg);
/* The alerts with ids above after_id, in id order, each to each(); *last_id is set to the
 * last one's id. The count, or -1 on a database error. */
long store_alerts_after(Store *st, int64_t after_id, int64_t *last_id,
                        void (*each)(void *arg, const AlertRecord *a), void *arg);
/* The highest alert id of exchange (0: none). 0, or -1 on a database error. */
int store_alerts_max_id(Store *st, const char *exchange, int64_t *id);

/* How far table was shipped to target (a cluster store): *mark the time of the last row it
 * acknowledged, -1 none. Get and put return 0, or -1 on a database error (store_errmsg). */
int store_get_ship_mark(Store *st, const char *target, const char *table, int64_t *mark);
int store_put_ship_mark(Store *st, const char *target, const char *table, int64_t mark);
/* ---- the outbox of a collector that ships (outbox.c; schema.sql, ship_* tables) ---- */

/* Logs every later commit of this connection in the outbox (TEMP triggers). 0 or -1. */
int store_outbox_enable(Store *st);
/* The rows the outbox of table t names after seq after, at most max, in commit order, each
 * to each() with its series' derived_from (candles; "" otherwise) and its seq. The count, or
 * -1 on a database error. */
long store_outbox_read(Store *st, StoreTable t, int64_t after, int max,
                       void (*each)(void *arg, const StoreRow *row, const char *derived_from,
                                    int64_t seq),
                       void *arg);
/* Removes the entries of table t up to seq upto (acknowledged by the cluster). 0 or -1. */
int store_outbox_done(Store *st, StoreTable t, int64_t upto);
/* Entries waiting in every outbox, and when the oldest was made (-1: none). 0 or -1. */
int store_outbox_pending(Store *st, int64_t *rows, int64_t *oldest_ms);

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
