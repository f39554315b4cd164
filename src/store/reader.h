/* Reading stored rows through one interface with two implementations: the SQLite file
 * (read_sqlite.c, the embedded default) and a ClickHouse server (clickhouse.c, the cluster
 * store). Research (backtest, walk-forward, risk, stress), export and replay read through it
 * and never see SQL, so the same command gives the same answer over either.
 *
 * A query names a table, a filter and an order, and gives a cursor of typed rows. Every
 * cursor reports a read error at any row, at its end included: a caller that stops at 0
 * has read every row, and one that gets -1 passes the error on instead of working on a
 * shortened range. A reader, and its cursors, belong to the thread that opened it. */
#ifndef FB_STORE_READER_H
#define FB_STORE_READER_H

#include <stddef.h>
#include <stdint.h>

#include "store/records.h"

typedef enum {
	SR_SERIES,       /* candle series: exchange, symbol, interval, derived_from */
	SR_CANDLES,      /* trade candles */
	SR_MARK_CANDLES, /* mark-price candles (open, high, low, close; no volume) */
	SR_FUNDING,      /* realised funding */
	SR_METRICS,      /* market_metrics rows */
	SR_LIQUIDATIONS, /* forced orders */
	SR_ALERTS,       /* alerts that fired */
} StoreTable;

typedef enum {
	SR_BY_KEY,  /* the table's key, then time: series by (exchange, symbol, interval), candles
	               by (exchange, symbol, interval, open time), funding by (exchange, symbol,
	               time), metrics by (exchange, symbol, metric, time), liquidations by
	               (exchange, symbol, time, side, price, qty), alerts by (time, id) */
	SR_BY_TIME, /* time first, then the key (candles: by the query's time column) */
} StoreOrder;

typedef struct {
	StoreTable table;
	const char *exchange;       /* NULL: every exchange */
	const char *const *symbols; /* NULL or nsymbols == 0: every symbol */
	int nsymbols;
	const char *const *intervals; /* series, candles, mark candles, alerts; NULL: all */
	int nintervals;
	const char *metric; /* metrics: NULL for all */
	/* rows whose time is in [from_ms, to_ms); INT64_MIN and INT64_MAX for no bound. The time
	 * is a candle's open time (its close time with by_close), a funding event's time, and a
	 * metric's, liquidation's or alert's ts. Series have no time. */
	int64_t from_ms, to_ms;
	int by_close;    /* candles: filter and order by close time */
	int closed_only; /* candles and mark candles: closed ones only */
	int native_only; /* series: the exchange's own, not built by db aggregate */
	StoreOrder order;
} StoreQuery;

typedef struct {
	char exchange[FB_EXCHANGE_LEN];
	char symbol[FB_SYMBOL_LEN];
	char interval[FB_INTERVAL_LEN];
	char derived_from[FB_INTERVAL_LEN]; /* "" for the exchange's own */
} StoreSeries;

typedef struct {
	int64_t id;
	AlertRecord a;
} StoreAlert;

typedef struct {
	StoreTable table;
	union {
		StoreSeries series;
		Candle candle; /* mark candles: volume fields NAN, trades -1 */
		FundingRate funding;
		MarketMetric metric;
		Liquidation liq;
		StoreAlert alert;
	} u;
} StoreRow;

typedef struct StoreReader StoreReader;
typedef struct StoreCursor StoreCursor;

/* What an implementation provides (src/store/ only). */
typedef struct {
	StoreCursor *(*query)(StoreReader *r, const StoreQuery *q, char *err, size_t errlen);
	int (*next)(StoreCursor *c, StoreRow *row, char *err, size_t errlen);
	void (*close)(StoreCursor *c);
	int (*bound)(StoreReader *r, const StoreQuery *q, int newest, int64_t *t, char *err,
	             size_t errlen);
	int (*snapshot)(StoreReader *r, int begin, char *err, size_t errlen);
	void (*free)(StoreReader *r);
} StoreReaderOps;

struct StoreReader {
	const StoreReaderOps *ops;
	void *impl;
	char name[512]; /* the database file, or the server's URL and database */
};

struct StoreCursor {
	StoreReader *r;
};

/* A cursor over the rows q selects; NULL with err on an error. */
StoreCursor *store_query(StoreReader *r, const StoreQuery *q, char *err, size_t errlen);
/* The next row: 1, 0 after the last, -1 on a read error (err says why, naming the source). */
int store_next(StoreCursor *c, StoreRow *row, char *err, size_t errlen);
void store_cursor_close(StoreCursor *c);
/* The newest time (per the query's time column) of the rows q selects in *t, -1 when none.
 * Returns 0 or -1 with err. */
int store_newest(StoreReader *r, const StoreQuery *q, int64_t *t, char *err, size_t errlen);
/* The oldest, as store_newest. */
int store_oldest(StoreReader *r, const StoreQuery *q, int64_t *t, char *err, size_t errlen);
/* Reads between begin and end see one state of the store (SQLite: one read transaction;
 * ClickHouse: each query sees the parts present when it started). 0, or -1 with err. */
int store_snapshot_begin(StoreReader *r, char *err, size_t errlen);
void store_snapshot_end(StoreReader *r);
/* The source's name for messages: the database file, or the URL and database. */
const char *store_reader_name(const StoreReader *r);
/* Frees a reader made by an implementation's open (not a Store's own, see store_reader()). */
void store_reader_free(StoreReader *r);

/* A query with no bounds on the table t (every exchange, symbol, interval and time). */
StoreQuery store_query_all(StoreTable t);

#endif
