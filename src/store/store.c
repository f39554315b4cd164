/* SQLite store. Opening sets WAL mode and a busy timeout, then, in one transaction, runs the
 * forward migrations the database's user_version needs, runs schema.sql (idempotent) and sets
 * user_version, so an interrupted upgrade leaves the old database untouched. Prepared
 * statements are made on first use and kept. A Store is used by the thread that opened it. */
#include "store/store.h"
#include "store/internal.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>

#include "core/fsutil.h"
#include "core/log.h"
#include "core/strbuf.h"
#include "core/xmalloc.h"

/* migrations[v - 1] takes a database from version v to v + 1: "before" runs ahead of
 * schema.sql (rename or alter what exists), "after" runs once schema.sql has created the new
 * tables (move the data over, drop what is left). */
static const struct {
	const char *before, *after;
} migrations[] = {
        /* 1 -> 2: candles keyed by series id, with the Binance columns the first layout lacked. */
        {"ALTER TABLE candles RENAME TO candles_v1;",
         "INSERT INTO series (exchange, symbol, interval) "
         "  SELECT DISTINCT exchange, symbol, interval FROM candles_v1;"
         "INSERT INTO candles (series_id, open_time, close_time, open, high, low, close, volume) "
         "  SELECT s.id, c.open_time, c.close_time, c.open, c.high, c.low, c.close, c.volume "
         "  FROM candles_v1 AS c JOIN series AS s "
         "    ON s.exchange = c.exchange AND s.symbol = c.symbol AND s.interval = c.interval;"
         "DROP TABLE candles_v1;"},
        /* 2 -> 3: quant_summary holds every feature column; it is a cache the engine
         * rebuilds every cycle, so the old rows are dropped. */
        {"DROP TABLE IF EXISTS quant_summary;", ""},
        /* 3 -> 4: trades say whether they were liquidated; backtest_equity is new. (A
         * version 1 database has no trades table yet: it gets the version 3 one first.) */
        {"CREATE TABLE IF NOT EXISTS backtest_trades (run_id INTEGER NOT NULL REFERENCES "
         "backtest_runs (id) ON DELETE CASCADE, seq INTEGER NOT NULL, side TEXT NOT NULL "
         "CHECK (side IN ('long', 'short')), entry_time INTEGER NOT NULL, entry_price REAL NOT "
         "NULL, exit_time INTEGER, exit_price REAL, qty REAL NOT NULL, pnl REAL, fees REAL NOT "
         "NULL DEFAULT 0, funding REAL NOT NULL DEFAULT 0, PRIMARY KEY (run_id, seq)) WITHOUT "
         "ROWID;"
         "ALTER TABLE backtest_trades ADD COLUMN liquidated INTEGER NOT NULL DEFAULT 0;",
         ""},
        /* 4 -> 5: mark_candles is new (schema.sql creates it); a series says whether it was
         * built from a lower interval (a version 1 database has no series table yet: it gets
         * the version 2 one first). */
        {"CREATE TABLE IF NOT EXISTS series (id INTEGER PRIMARY KEY, exchange TEXT NOT NULL, "
         "symbol TEXT NOT NULL, interval TEXT NOT NULL, UNIQUE (exchange, symbol, interval));"
         "ALTER TABLE series ADD COLUMN derived_from TEXT;",
         ""},
        /* 5 -> 6: rest_limits is new (schema.sql creates it). */
        {"", ""},
        /* 6 -> 7: index_candles is new (schema.sql creates it). */
        {"", ""},
        /* 7 -> 8: ship_marks is new (schema.sql creates it). */
        {"", ""},
        /* 8 -> 9: quant_summary gains the columns across exchanges; a cache the engine
         * rebuilds every cycle, so the old rows are dropped with the table. */
        {"DROP TABLE IF EXISTS quant_summary;", ""},
};
#define NMIGRATIONS (int)(sizeof migrations / sizeof migrations[0])

/* Page cache per connection, KiB (see store_open). */
#define STORE_CACHE_KIB_STR "1024"

/* Rows per multi-row INSERT in store_put_candles. */
#define CANDLE_CHUNK 64

enum {
	ST_SERIES_GET,
	ST_SERIES_ADD,
	ST_CANDLE_INS,
	ST_CANDLE_UPD,
	ST_FUNDING_INS,
	ST_FUNDING_UPD,
	ST_METRIC,
	ST_LIQ,
	ST_ALERT,
	ST_SOURCE_GAP,
	ST_MARK_INS,
	ST_MARK_UPD,
	ST_INDEX_INS,
	ST_INDEX_UPD,
	ST_CANDLE_INS_CHUNK, /* built at run time: CANDLE_CHUNK rows */
	ST_COUNT
};

static const char *const stmt_sql[ST_COUNT] = {
        [ST_SERIES_GET] =
                "SELECT id, derived_from FROM series WHERE exchange = ?1 AND symbol = ?2 AND "
                "interval = ?3",
        [ST_SERIES_ADD] = "INSERT INTO series (exchange, symbol, interval) VALUES (?1, ?2, ?3)",
        [ST_CANDLE_INS] = "INSERT INTO candles (series_id, open_time, close_time, open, high, low, "
                          "close, volume, quote_volume, trades, taker_buy_volume, "
                          "taker_buy_quote_volume, closed) "
                          "VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13) "
                          "ON CONFLICT DO NOTHING",
        [ST_CANDLE_UPD] = "UPDATE candles SET close_time=?3, open=?4, high=?5, low=?6, close=?7, "
                          "volume=?8, quote_volume=?9, trades=?10, taker_buy_volume=?11, "
                          "taker_buy_quote_volume=?12, closed=?13 "
                          "WHERE series_id=?1 AND open_time=?2 AND (closed = 0 OR ?13 = 1) "
                          "AND (close_time, open, high, low, close, volume, quote_volume, trades, "
                          "taker_buy_volume, taker_buy_quote_volume, closed) IS NOT "
                          "(?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
        [ST_FUNDING_INS] = "INSERT INTO funding (exchange, symbol, funding_time, funding_rate, "
                           "mark_price) VALUES (?1,?2,?3,?4,?5) ON CONFLICT DO NOTHING",
        [ST_FUNDING_UPD] =
                "UPDATE funding SET funding_rate=?4, mark_price=coalesce(?5, mark_price) "
                "WHERE exchange=?1 AND symbol=?2 AND funding_time=?3 "
                "AND (funding_rate, mark_price) IS NOT (?4, coalesce(?5, mark_price))",
        [ST_METRIC] = "INSERT INTO market_metrics (exchange, symbol, metric, ts, value) "
                      "VALUES (?1,?2,?3,?4,?5) ON CONFLICT DO UPDATE SET value = excluded.value "
                      "WHERE value IS NOT excluded.value",
        [ST_LIQ] = "INSERT INTO liquidations (exchange, symbol, ts, side, price, qty) "
                   "VALUES (?1,?2,?3,?4,?5,?6) ON CONFLICT DO NOTHING",
        [ST_SOURCE_GAP] = "INSERT INTO source_gaps (series_id, from_time, to_time, found_ms) "
                          "VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO UPDATE SET "
                          "to_time = max(to_time, excluded.to_time)",
        [ST_MARK_INS] = "INSERT INTO mark_candles (exchange, symbol, interval, open_time, open, "
                        "high, low, close, closed) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9) "
                        "ON CONFLICT DO NOTHING",
        [ST_MARK_UPD] = "UPDATE mark_candles SET open=?5, high=?6, low=?7, close=?8, closed=?9 "
                        "WHERE exchange=?1 AND symbol=?2 AND interval=?3 AND open_time=?4 "
                        "AND (closed = 0 OR ?9 = 1) AND (open, high, low, close, closed) IS NOT "
                        "(?5, ?6, ?7, ?8, ?9)",
        [ST_INDEX_INS] = "INSERT INTO index_candles (exchange, symbol, interval, open_time, "
                         "open, high, low, close, closed) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9) "
                         "ON CONFLICT DO NOTHING",
        [ST_INDEX_UPD] = "UPDATE index_candles SET open=?5, high=?6, low=?7, close=?8, "
                         "closed=?9 WHERE exchange=?1 AND symbol=?2 AND interval=?3 AND "
                         "open_time=?4 AND (closed = 0 OR ?9 = 1) AND (open, high, low, close, "
                         "closed) IS NOT (?5, ?6, ?7, ?8, ?9)",
        [ST_ALERT] = "INSERT INTO alerts (ts, exchange, symbol, interval, rule, severity, value, "
                     "message) VALUES (?1,?2,?3,?4,?5,?6,?7,?8)",
};

#define SERIES_CACHE 64

typedef struct {
	char exchange[FB_EXCHANGE_LEN], symbol[FB_SYMBOL_LEN], interval[FB_INTERVAL_LEN];
	int64_t id;
} SeriesEntry;

struct Store {
	sqlite3 *db;
	char *path;
	sqlite3_stmt *stmt[ST_COUNT];
	/* Series ids seen on this connection. Emptied on rollback: an id created in a transaction
	 * that did not commit does not exist. */
	SeriesEntry series[SERIES_CACHE];
	int nseries, last_series;
	int derived_writer; /* writes candles built from a lower interval (store_set_derived) */
	/* quant_summary upsert, built for one column list */
	sqlite3_stmt *summary;
	const char *const *summary_names;
	int summary_n;
	StoreReader reader; /* the Store as a reader (store_reader) */
};

void records_copy_field(char *dst, size_t dstlen, const char *src)
{
	size_t n = strnlen(src, dstlen - 1);
	memcpy(dst, src, n);
	dst[n] = '\0';
}

int records_symbol_valid(const char *s)
{
	size_t n = 0;
	for (; s[n]; n++)
		if (!((s[n] >= 'A' && s[n] <= 'Z') || (s[n] >= '0' && s[n] <= '9')))
			return 0;
	return n >= 2 && n < FB_SYMBOL_LEN;
}

int store_schema_version(void)
{
	/* The statement, at the start of a line (comments mention the pragma too). */
	static const char stmt_text[] = "\nPRAGMA user_version = ";
	const char *p = strstr(store_schema_sql, stmt_text);
	return p ? atoi(p + sizeof stmt_text - 1) : 0;
}

static int exec(sqlite3 *db, const char *sql, char *err, size_t errlen, const char *path)
{
	char *msg = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", path, msg ? msg : sqlite3_errmsg(db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

static int query_int(sqlite3 *db, const char *sql, int *out)
{
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		return -1;
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return rc == SQLITE_ROW ? 0 : -1;
}

/* Brings the schema up to date inside one write transaction. */
static int store_upgrade(sqlite3 *db, const char *path, char *err, size_t errlen)
{
	const int target = store_schema_version();
	int version = 0, tables = 0, ours = 0;
	if (exec(db, "BEGIN IMMEDIATE", err, errlen, path))
		return -1;
	if (query_int(db, "PRAGMA user_version", &version) ||
	    query_int(db, "SELECT count(*) FROM sqlite_master WHERE type = 'table'", &tables) ||
	    query_int(db, "SELECT count(*) FROM sqlite_master WHERE name = 'candles'", &ours)) {
		snprintf(err, errlen, "%s: %s", path, sqlite3_errmsg(db));
		goto fail;
	}
	if (version > target) {
		snprintf(err, errlen,
		         "%s: the database has schema version %d, newer than this program's %d; "
		         "use a newer futuresboard",
		         path, version, target);
		goto fail;
	}
	if (version == 0 && tables > 0 && !ours) {
		snprintf(err, errlen, "%s: not a futuresboard database (it has other tables)",
		         path);
		goto fail;
	}
	if (version == target) {
		exec(db, "COMMIT", err, errlen, path);
		return 0;
	}
	int from = version ? version : target; /* a new database needs no migration */
	if (target - 1 > NMIGRATIONS) {
		snprintf(err, errlen, "%s: no migration to schema version %d", path, target);
		goto fail;
	}
	for (int v = from; v < target; v++)
		if (exec(db, migrations[v - 1].before, err, errlen, path))
			goto fail;
	if (exec(db, store_schema_sql, err, errlen, path))
		goto fail;
	for (int v = from; v < target; v++) {
		if (exec(db, migrations[v - 1].after, err, errlen, path))
			goto fail;
		log_info("store", "%s: migrated schema from version %d to %d", path, v, v + 1);
	}
	if (exec(db, "COMMIT", err, errlen, path))
		goto fail;
	return 0;
fail:
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

Store *store_open(const char *path, int flags, int busy_timeout_ms, char *err, size_t errlen)
{
	sqlite3 *db = NULL;
	int ro = flags & STORE_READONLY;
	if (!ro && strcmp(path, ":memory:") != 0 && fb_mkdir_parents(path)) {
		snprintf(err, errlen, "%s: cannot create its folder: %s", path, strerror(errno));
		return NULL;
	}
	int oflags = ro ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	if (sqlite3_open_v2(path, &db, oflags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", path, db ? sqlite3_errmsg(db) : "cannot open");
		sqlite3_close(db);
		return NULL;
	}
	sqlite3_busy_timeout(db, busy_timeout_ms);
	if (!ro && (exec(db, "PRAGMA journal_mode = WAL", err, errlen, path) ||
	            exec(db, "PRAGMA synchronous = NORMAL", err, errlen, path))) {
		sqlite3_close(db);
		return NULL;
	}
	if (exec(db, "PRAGMA foreign_keys = ON", err, errlen, path)) {
		sqlite3_close(db);
		return NULL;
	}
	if (ro) {
		int version = -1;
		if (query_int(db, "PRAGMA user_version", &version) &&
		    (sqlite3_errcode(db) & 0xff) == SQLITE_READONLY) {
			/* a WAL database whose folder we cannot write (another user's, say): its
			 * shared-memory file cannot be made, so read the file as it stands, which is
			 * right since nobody can be writing it without that file either */
			char *uri = sqlite3_mprintf("file:%s?immutable=1", path);
			sqlite3_close(db);
			db = NULL;
			if (!uri || sqlite3_open_v2(uri, &db,
			                            SQLITE_OPEN_READONLY | SQLITE_OPEN_URI |
			                                    SQLITE_OPEN_NOMUTEX,
			                            NULL) != SQLITE_OK) {
				snprintf(err, errlen, "%s: %s", path,
				         db ? sqlite3_errmsg(db) : "cannot open");
				sqlite3_free(uri);
				sqlite3_close(db);
				return NULL;
			}
			sqlite3_free(uri);
			version = -1;
			query_int(db, "PRAGMA user_version", &version);
		}
		if (version != store_schema_version()) {
			if (version >= 0 && version < store_schema_version())
				snprintf(err, errlen,
				         "%s: schema version %d is older than this program's %d; "
				         "this "
				         "command only reads, so run a command that writes once to "
				         "migrate it (futuresboard --db %s db migrate)",
				         path, version, store_schema_version(), path);
			else
				snprintf(err, errlen,
				         "%s: %s (schema version %d, this program uses %d)", path,
				         version < 0
				                 ? sqlite3_errmsg(db)
				                 : "not a futuresboard database of this version",
				         version, store_schema_version());
			sqlite3_close(db);
			return NULL;
		}
	} else if (store_upgrade(db, path, err, errlen)) {
		sqlite3_close(db);
		return NULL;
	}
	/* the page cache, on purpose: SQLite's default is 2 MiB per connection, and a collector
	 * has four (writer, engine, rest, health); the hot pages of the candle index fit in 1 MiB
	 * (set last: a read-only open may have had to fall back to an immutable one) */
	sqlite3_exec(db, "PRAGMA cache_size = -" STORE_CACHE_KIB_STR, NULL, NULL, NULL);
	Store *st = xcalloc(1, sizeof *st);
	st->db = db;
	st->path = xstrdup(path);
	st->reader.ops = &store_sqlite_reader_ops;
	st->reader.impl = st;
	records_copy_field(st->reader.name, sizeof st->reader.name, path);
	return st;
}

void store_close(Store *st)
{
	if (!st)
		return;
	for (int i = 0; i < ST_COUNT; i++)
		sqlite3_finalize(st->stmt[i]);
	sqlite3_finalize(st->summary);
	if (sqlite3_close(st->db) != SQLITE_OK)
		log_error("store", "%s: close: %s", st->path, sqlite3_errmsg(st->db));
	free(st->path);
	free(st);
}

StoreReader *store_reader(Store *st)
{
	return &st->reader;
}

const char *store_engine_version(void)
{
	return sqlite3_libversion();
}

sqlite3 *store_db(Store *st)
{
	return st->db;
}
const char *store_path(const Store *st)
{
	return st->path;
}
const char *store_errmsg(Store *st)
{
	return sqlite3_errmsg(st->db);
}

static int simple(Store *st, const char *sql)
{
	char *msg = NULL;
	if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		log_error("store", "%s: %s: %s", st->path, sql, msg ? msg : sqlite3_errmsg(st->db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

int store_begin(Store *st)
{
	return simple(st, "BEGIN IMMEDIATE");
}
int store_commit(Store *st)
{
	return simple(st, "COMMIT");
}
void store_rollback(Store *st)
{
	st->nseries = 0;
	if (!sqlite3_get_autocommit(st->db))
		simple(st, "ROLLBACK");
}

/* "INSERT ... VALUES (?,...),(?,...)... ON CONFLICT DO NOTHING" for CANDLE_CHUNK rows. */
static char *chunk_sql(void)
{
	const char *head =
	        "INSERT INTO candles (series_id, open_time, close_time, open, high, low, "
	        "close, volume, quote_volume, trades, taker_buy_volume, "
	        "taker_buy_quote_volume, closed) VALUES ";
	const char *row = "(?,?,?,?,?,?,?,?,?,?,?,?,?)";
	size_t len = strlen(head) + CANDLE_CHUNK * (strlen(row) + 1) + 32;
	char *sql = xmalloc(len), *p = sql;
	p += sprintf(p, "%s", head);
	for (int i = 0; i < CANDLE_CHUNK; i++)
		p += sprintf(p, "%s%s", i ? "," : "", row);
	sprintf(p, " ON CONFLICT DO NOTHING");
	return sql;
}

static sqlite3_stmt *stmt(Store *st, int which)
{
	char *built = which == ST_CANDLE_INS_CHUNK && !st->stmt[which] ? chunk_sql() : NULL;
	const char *sql = built ? built : stmt_sql[which];
	int rc = st->stmt[which] ? SQLITE_OK
	                         : sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
	                                              &st->stmt[which], NULL);
	free(built);
	if (rc != SQLITE_OK) {
		log_error("store", "%s: prepare: %s", st->path, sqlite3_errmsg(st->db));
		return NULL;
	}
	return st->stmt[which];
}

static void bind_opt_double(sqlite3_stmt *s, int i, double v)
{
	if (isnan(v))
		sqlite3_bind_null(s, i);
	else
		sqlite3_bind_double(s, i, v);
}

/* Runs a bound statement to completion; returns changes (0/1) or -1. */
static int run(Store *st, sqlite3_stmt *s)
{
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return -1;
	return sqlite3_changes(st->db);
}

/* Binds a candle to parameters base+1 .. base+13. */
static void bind_candle_at(sqlite3_stmt *s, int base, int64_t series, const Candle *c)
{
	sqlite3_bind_int64(s, base + 1, series);
	sqlite3_bind_int64(s, base + 2, c->open_time);
	sqlite3_bind_int64(s, base + 3, c->close_time);
	sqlite3_bind_double(s, base + 4, c->open);
	sqlite3_bind_double(s, base + 5, c->high);
	sqlite3_bind_double(s, base + 6, c->low);
	sqlite3_bind_double(s, base + 7, c->close);
	sqlite3_bind_double(s, base + 8, c->volume);
	bind_opt_double(s, base + 9, c->quote_volume);
	if (c->trades < 0)
		sqlite3_bind_null(s, base + 10);
	else
		sqlite3_bind_int64(s, base + 10, c->trades);
	bind_opt_double(s, base + 11, c->taker_buy_volume);
	bind_opt_double(s, base + 12, c->taker_buy_quote_volume);
	sqlite3_bind_int(s, base + 13, c->closed ? 1 : 0);
}

static void bind_candle(sqlite3_stmt *s, int64_t series, const Candle *c)
{
	bind_candle_at(s, 0, series, c);
}

int64_t store_series_id(Store *st, const char *exchange, const char *symbol, const char *interval,
                        int create)
{
	SeriesEntry *e = &st->series[st->last_series];
	if (st->last_series < st->nseries && strcmp(e->symbol, symbol) == 0 &&
	    strcmp(e->interval, interval) == 0 && strcmp(e->exchange, exchange) == 0)
		return e->id;
	for (int i = 0; i < st->nseries; i++) {
		e = &st->series[i];
		if (strcmp(e->symbol, symbol) == 0 && strcmp(e->interval, interval) == 0 &&
		    strcmp(e->exchange, exchange) == 0) {
			st->last_series = i;
			return e->id;
		}
	}
	int64_t id = 0;
	for (int which = ST_SERIES_GET; which <= ST_SERIES_ADD && id == 0; which++) {
		if (which == ST_SERIES_ADD && !create)
			return 0;
		sqlite3_stmt *s = stmt(st, which);
		if (!s)
			return -1;
		sqlite3_bind_text(s, 1, exchange, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, symbol, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 3, interval, -1, SQLITE_STATIC);
		int rc = sqlite3_step(s);
		int derived = 0;
		if (rc == SQLITE_ROW) {
			id = sqlite3_column_int64(s, 0);
			derived = sqlite3_column_type(s, 1) != SQLITE_NULL;
		} else if (rc == SQLITE_DONE && which == ST_SERIES_ADD)
			id = sqlite3_last_insert_rowid(st->db);
		sqlite3_reset(s);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE)
			return -1;
		if (derived && create && !st->derived_writer) {
			/* the exchange's own candles for a series built from a lower interval: they
			 * replace the built ones, and the series is the exchange's from now on */
			char sql[160];
			snprintf(sql, sizeof sql,
			         "DELETE FROM candles WHERE series_id = %lld; UPDATE series SET "
			         "derived_from = NULL WHERE id = %lld;",
			         (long long)id, (long long)id);
			if (sqlite3_exec(st->db, sql, NULL, NULL, NULL) != SQLITE_OK)
				return -1;
			log_info("store",
			         "%s %s %s: the exchange's candles replace those built from "
			         "a lower interval",
			         exchange, symbol, interval);
		}
	}
	int slot = st->nseries < SERIES_CACHE ? st->nseries++ : (int)(id % SERIES_CACHE);
	e = &st->series[slot];
	records_copy_field(e->exchange, sizeof e->exchange, exchange);
	records_copy_field(e->symbol, sizeof e->symbol, symbol);
	records_copy_field(e->interval, sizeof e->interval, interval);
	e->id = id;
	st->last_series = slot;
	return id;
}

void store_set_derived_writer(Store *st, int on)
{
	st->derived_writer = on;
	st->nseries = st->last_series = 0; /* look every series up again */
}

int store_put_candle(Store *st, const Candle *c)
{
	int64_t series = store_series_id(st, c->exchange, c->symbol, c->interval, 1);
	sqlite3_stmt *ins = stmt(st, ST_CANDLE_INS);
	if (series <= 0 || !ins)
		return -1;
	bind_candle(ins, series, c);
	int n = run(st, ins);
	if (n != 0)
		return n < 0 ? -1 : STORE_INSERTED;
	sqlite3_stmt *upd = stmt(st, ST_CANDLE_UPD);
	if (!upd)
		return -1;
	bind_candle(upd, series, c);
	n = run(st, upd);
	return n < 0 ? -1 : n ? STORE_UPDATED : STORE_UNCHANGED;
}

/* Updates candles that already existed (see store_put_candles); adds to counts. */
static int update_existing(Store *st, const Candle *c, const int64_t *series, size_t n,
                           StorePutCounts *counts)
{
	sqlite3_stmt *upd = stmt(st, ST_CANDLE_UPD);
	if (!upd)
		return -1;
	for (size_t i = 0; i < n; i++) {
		bind_candle(upd, series[i], &c[i]);
		int changed = run(st, upd);
		if (changed < 0)
			return -1;
		counts->updated += (size_t)changed;
	}
	return 0;
}

int store_put_candles(Store *st, const Candle *c, size_t n, StorePutCounts *counts)
{
	int64_t series[CANDLE_CHUNK];
	while (n > 0) {
		size_t k = n < CANDLE_CHUNK ? n : CANDLE_CHUNK;
		for (size_t i = 0; i < k; i++)
			if ((series[i] = store_series_id(st, c[i].exchange, c[i].symbol,
			                                 c[i].interval, 1)) <= 0)
				return -1;
		size_t inserted = 0;
		if (k == CANDLE_CHUNK) {
			sqlite3_stmt *ins = stmt(st, ST_CANDLE_INS_CHUNK);
			if (!ins)
				return -1;
			for (size_t i = 0; i < k; i++)
				bind_candle_at(ins, (int)i * 13, series[i], &c[i]);
			int changed = run(st, ins);
			if (changed < 0)
				return -1;
			inserted = (size_t)changed;
		} else {
			sqlite3_stmt *ins = stmt(st, ST_CANDLE_INS);
			if (!ins)
				return -1;
			for (size_t i = 0; i < k; i++) {
				bind_candle(ins, series[i], &c[i]);
				int changed = run(st, ins);
				if (changed < 0)
					return -1;
				inserted += (size_t)changed;
			}
		}
		/* Rows that conflicted existed already: the update brings them up to date; the rows
		 * just inserted are identical, so updating them changes nothing. Running the updates
		 * in order keeps "the last row for a key wins" within one chunk. */
		size_t before = counts->updated;
		if (inserted < k && update_existing(st, c, series, k, counts))
			return -1;
		counts->inserted += inserted;
		counts->unchanged += k - inserted - (counts->updated - before);
		c += k;
		n -= k;
	}
	return 0;
}

int store_put_funding(Store *st, const FundingRate *f)
{
	for (int which = ST_FUNDING_INS; which <= ST_FUNDING_UPD; which++) {
		sqlite3_stmt *s = stmt(st, which);
		if (!s)
			return -1;
		sqlite3_bind_text(s, 1, f->exchange, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, f->symbol, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 3, f->funding_time);
		sqlite3_bind_double(s, 4, f->funding_rate);
		bind_opt_double(s, 5, f->mark_price);
		int n = run(st, s);
		if (n < 0)
			return -1;
		if (n)
			return which == ST_FUNDING_INS ? STORE_INSERTED : STORE_UPDATED;
	}
	return STORE_UNCHANGED;
}

int store_put_mark(Store *st, const Candle *c)
{
	return store_put_price_candle(st, STORE_MARK, c);
}

int store_put_price_candle(Store *st, StorePrice kind, const Candle *c)
{
	int ins = kind == STORE_INDEX ? ST_INDEX_INS : ST_MARK_INS;
	for (int which = ins; which <= ins + 1; which++) {
		sqlite3_stmt *s = stmt(st, which);
		if (!s)
			return -1;
		sqlite3_bind_text(s, 1, c->exchange, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, c->symbol, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 3, c->interval, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 4, c->open_time);
		sqlite3_bind_double(s, 5, c->open);
		sqlite3_bind_double(s, 6, c->high);
		sqlite3_bind_double(s, 7, c->low);
		sqlite3_bind_double(s, 8, c->close);
		sqlite3_bind_int(s, 9, c->closed);
		int n = run(st, s);
		if (n < 0)
			return -1;
		if (n)
			return which == ins ? STORE_INSERTED : STORE_UPDATED;
	}
	return STORE_UNCHANGED;
}

int store_put_metric(Store *st, const MarketMetric *m)
{
	sqlite3_stmt *s = stmt(st, ST_METRIC);
	if (!s)
		return -1;
	sqlite3_bind_text(s, 1, m->exchange, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, m->symbol, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, m->metric, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, m->ts);
	sqlite3_bind_double(s, 5, m->value);
	int n = run(st, s);
	return n < 0 ? -1 : n ? STORE_INSERTED : STORE_UNCHANGED;
}

int store_put_liquidation(Store *st, const Liquidation *l)
{
	sqlite3_stmt *s = stmt(st, ST_LIQ);
	if (!s)
		return -1;
	sqlite3_bind_text(s, 1, l->exchange, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, l->symbol, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, l->ts);
	sqlite3_bind_text(s, 4, l->side, -1, SQLITE_STATIC);
	sqlite3_bind_double(s, 5, l->price);
	sqlite3_bind_double(s, 6, l->qty);
	int n = run(st, s);
	return n < 0 ? -1 : n ? STORE_INSERTED : STORE_UNCHANGED;
}

int store_put_source_gap(Store *st, const SourceGap *g)
{
	int64_t series = store_series_id(st, g->exchange, g->symbol, g->interval, 1);
	sqlite3_stmt *s = stmt(st, ST_SOURCE_GAP);
	if (series <= 0 || !s)
		return -1;
	sqlite3_bind_int64(s, 1, series);
	sqlite3_bind_int64(s, 2, g->from);
	sqlite3_bind_int64(s, 3, g->to);
	sqlite3_bind_int64(s, 4, g->found_ms);
	return run(st, s) >= 0 ? STORE_INSERTED : -1;
}

int store_put_limiter(Store *st, const LimiterState *l)
{
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(st->db,
	                       "INSERT INTO rest_limits (exchange, not_before, banned, used, "
	                       "window, updated) VALUES (?1, ?2, ?3, ?4, ?5, ?6) "
	                       "ON CONFLICT (exchange) DO UPDATE SET not_before = ?2, "
	                       "banned = ?3, used = ?4, window = ?5, updated = ?6",
	                       -1, &s, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(s, 1, l->exchange, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, l->not_before);
	sqlite3_bind_int(s, 3, l->banned);
	sqlite3_bind_int(s, 4, l->used);
	sqlite3_bind_int64(s, 5, l->window);
	sqlite3_bind_int64(s, 6, l->updated);
	int rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? STORE_UPDATED : -1;
}

int store_get_limiter(Store *st, const char *exchange, LimiterState *out)
{
	memset(out, 0, sizeof *out);
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(st->db,
	                       "SELECT not_before, banned, used, window, updated FROM rest_limits "
	                       "WHERE exchange = ?1",
	                       -1, &s, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(s, 1, exchange, -1, SQLITE_STATIC);
	int rc = sqlite3_step(s), found = rc == SQLITE_ROW;
	if (found) {
		snprintf(out->exchange, sizeof out->exchange, "%s", exchange);
		out->not_before = sqlite3_column_int64(s, 0);
		out->banned = sqlite3_column_int(s, 1);
		out->used = sqlite3_column_int(s, 2);
		out->window = sqlite3_column_int64(s, 3);
		out->updated = sqlite3_column_int64(s, 4);
	}
	sqlite3_finalize(s);
	return found ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

long store_recent_symbols(Store *st, const char *exchange, int n, char (*out)[FB_SYMBOL_LEN])
{
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(
	            st->db,
	            "SELECT s.symbol, (SELECT max(open_time) FROM candles AS c "
	            "WHERE c.series_id = s.id) AS last FROM series AS s "
	            "WHERE s.exchange = ?1 AND s.derived_from IS NULL AND last IS NOT NULL "
	            "GROUP BY s.symbol ORDER BY max(last) DESC, s.symbol LIMIT ?2",
	            -1, &s, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(s, 1, exchange, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 2, n);
	long k = 0;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW && k < n) {
		const char *sym = (const char *)sqlite3_column_text(s, 0);
		if (sym && records_symbol_valid(sym))
			records_copy_field(out[k++], FB_SYMBOL_LEN, sym);
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? k : -1;
}

/* The one value of sql (a max(...)) with up to three text parameters, in *out (-1: NULL).
 * Returns 0, or -1 on a database error. */
static int query_newest(Store *st, const char *sql, const char *p1, const char *p2, const char *p3,
                        int64_t *out)
{
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
		return -1;
	const char *p[] = {p1, p2, p3};
	for (int k = 0; k < 3 && p[k]; k++)
		sqlite3_bind_text(s, k + 1, p[k], -1, SQLITE_STATIC);
	int rc = sqlite3_step(s);
	*out = rc == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL
	               ? sqlite3_column_int64(s, 0)
	               : -1;
	sqlite3_finalize(s);
	return rc == SQLITE_ROW ? 0 : -1;
}

int store_last_price_candle(Store *st, StorePrice kind, const char *exchange, const char *symbol,
                            const char *interval, int64_t *open_time)
{
	return query_newest(
	        st,
	        kind == STORE_INDEX
	                ? "SELECT max(open_time) FROM index_candles WHERE exchange = ?1 "
	                  "AND symbol = ?2 AND interval = ?3 AND closed = 1"
	                : "SELECT max(open_time) FROM mark_candles WHERE exchange = ?1 "
	                  "AND symbol = ?2 AND interval = ?3 AND closed = 1",
	        exchange, symbol, interval, open_time);
}

int store_last_metric(Store *st, const char *exchange, const char *symbol, const char *metric,
                      int64_t *ts)
{
	return query_newest(st,
	                    "SELECT max(ts) FROM market_metrics WHERE exchange = ?1 AND "
	                    "symbol = ?2 AND metric = ?3",
	                    exchange, symbol, metric, ts);
}

int store_last_funding(Store *st, const char *exchange, const char *symbol, int64_t *t)
{
	return query_newest(st,
	                    "SELECT max(funding_time) FROM funding WHERE exchange = ?1 AND "
	                    "symbol = ?2",
	                    exchange, symbol, NULL, t);
}

int store_put_alert(Store *st, const AlertRecord *a)
{
	sqlite3_stmt *s = stmt(st, ST_ALERT);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, a->ts);
	sqlite3_bind_text(s, 2, a->exchange, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, a->symbol, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, a->interval, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, a->rule, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 6, a->severity[0] ? a->severity : "info", -1, SQLITE_STATIC);
	bind_opt_double(s, 7, a->value);
	sqlite3_bind_text(s, 8, a->message, -1, SQLITE_STATIC);
	return run(st, s) == 1 ? STORE_INSERTED : -1;
}

int store_put_summary(Store *st, const SummaryRecord *r)
{
	if (!st->summary || st->summary_names != r->names || st->summary_n != r->n) {
		sqlite3_finalize(st->summary);
		st->summary = NULL;
		StrBuf b = {0};
		strbuf_printf(&b,
		              "INSERT OR REPLACE INTO quant_summary (exchange, symbol, timeframe, "
		              "updated_ms, rank, last_price, change_24h, quote_volume_24h, "
		              "open_time, trend, vol_regime");
		for (int i = 0; i < r->n; i++)
			strbuf_printf(&b, ", \"%s\"", r->names[i]);
		strbuf_printf(&b, ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11");
		for (int i = 0; i < r->n; i++)
			strbuf_printf(&b, ", ?%d", 12 + i);
		strbuf_printf(&b, ")");
		int rc = sqlite3_prepare_v2(st->db, b.p, -1, &st->summary, NULL);
		free(b.p);
		if (rc != SQLITE_OK)
			return -1;
		st->summary_names = r->names;
		st->summary_n = r->n;
	}
	sqlite3_stmt *s = st->summary;
	sqlite3_bind_text(s, 1, r->exchange, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, r->symbol, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, r->timeframe, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, r->updated_ms);
	sqlite3_bind_int(s, 5, r->rank);
	bind_opt_double(s, 6, r->last_price);
	bind_opt_double(s, 7, r->change_24h);
	bind_opt_double(s, 8, r->quote_volume_24h);
	if (r->open_time)
		sqlite3_bind_int64(s, 9, r->open_time);
	else
		sqlite3_bind_null(s, 9);
	sqlite3_bind_text(s, 10, r->trend, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 11, r->vol_regime, -1, SQLITE_STATIC);
	for (int i = 0; i < r->n; i++)
		bind_opt_double(s, 12 + i, r->v[i]);
	return run(st, s) == 1 ? STORE_INSERTED : -1;
}

int store_liquidations_recent(Store *st, const char *exchange, int64_t from_ms, int64_t to_ms,
                              Liquidation *out, int max)
{
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(st->db,
	                       "SELECT symbol, ts, side, price, qty FROM liquidations WHERE "
	                       "exchange = ?1 AND ts > ?2 AND ts <= ?3 ORDER BY ts DESC LIMIT ?4",
	                       -1, &s, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(s, 1, exchange, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, from_ms);
	sqlite3_bind_int64(s, 3, to_ms);
	sqlite3_bind_int(s, 4, max);
	int n = 0, rc;
	while (n < max && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		Liquidation *l = &out[n++];
		memset(l, 0, sizeof *l);
		records_copy_field(l->exchange, sizeof l->exchange, exchange);
		records_copy_field(l->symbol, sizeof l->symbol,
		                   (const char *)sqlite3_column_text(s, 0));
		l->ts = sqlite3_column_int64(s, 1);
		records_copy_field(l->side, sizeof l->side,
		                   (const char *)sqlite3_column_text(s, 2));
		l->price = sqlite3_column_double(s, 3);
		l->qty = sqlite3_column_double(s, 4);
	}
	rc = n < max ? rc : SQLITE_DONE;
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? n : -1;
}
