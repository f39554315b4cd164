/* The outbox of a collector that ships to a cluster store (see schema.sql, ship_* tables):
 * TEMP triggers on the writer's connection, the shipper's reads, and the writer's removal of
 * what was acknowledged. */
#include <stdio.h>
#include <string.h>

#include "store/internal.h"

#define NOW_MS "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)"

typedef struct {
	StoreTable table;
	const char *source;   /* the table whose commits are logged */
	const char *outbox;   /* its ship_ table */
	const char *cols;     /* the outbox's key columns */
	const char *new_cols; /* the same as NEW.x */
	const char *select;   /* the row an entry names: seq, then StoreRow's columns */
} Outbox;

static const Outbox boxes[] = {
        {SR_CANDLES, "candles", "ship_candles", "series_id, open_time",
         "NEW.series_id, NEW.open_time",
         "SELECT o.seq, s.exchange, s.symbol, s.interval, c.open_time, c.close_time, c.open, "
         "c.high, c.low, c.close, c.volume, c.quote_volume, c.trades, c.taker_buy_volume, "
         "c.taker_buy_quote_volume, c.closed, coalesce(s.derived_from, '') FROM ship_candles "
         "AS o JOIN candles AS c ON c.series_id = o.series_id AND c.open_time = o.open_time "
         "JOIN series AS s ON s.id = o.series_id WHERE o.seq > ?1 ORDER BY o.seq LIMIT ?2"},
        {SR_MARK_CANDLES, "mark_candles", "ship_mark_candles",
         "exchange, symbol, interval, open_time",
         "NEW.exchange, NEW.symbol, NEW.interval, NEW.open_time",
         "SELECT o.seq, m.exchange, m.symbol, m.interval, m.open_time, m.open, m.high, m.low, "
         "m.close, m.closed FROM ship_mark_candles AS o JOIN mark_candles AS m USING "
         "(exchange, symbol, interval, open_time) WHERE o.seq > ?1 ORDER BY o.seq LIMIT ?2"},
        {SR_FUNDING, "funding", "ship_funding", "exchange, symbol, funding_time",
         "NEW.exchange, NEW.symbol, NEW.funding_time",
         "SELECT o.seq, f.exchange, f.symbol, f.funding_time, f.funding_rate, f.mark_price "
         "FROM ship_funding AS o JOIN funding AS f USING (exchange, symbol, funding_time) "
         "WHERE o.seq > ?1 ORDER BY o.seq LIMIT ?2"},
        {SR_METRICS, "market_metrics", "ship_metrics", "exchange, symbol, metric, ts",
         "NEW.exchange, NEW.symbol, NEW.metric, NEW.ts",
         "SELECT o.seq, m.exchange, m.symbol, m.metric, m.ts, m.value FROM ship_metrics AS o "
         "JOIN market_metrics AS m USING (exchange, symbol, metric, ts) WHERE o.seq > ?1 "
         "ORDER BY o.seq LIMIT ?2"},
        {SR_LIQUIDATIONS, "liquidations", "ship_liquidations",
         "exchange, symbol, ts, side, price, qty",
         "NEW.exchange, NEW.symbol, NEW.ts, NEW.side, NEW.price, NEW.qty",
         "SELECT o.seq, o.exchange, o.symbol, o.ts, o.side, o.price, o.qty FROM "
         "ship_liquidations AS o WHERE o.seq > ?1 ORDER BY o.seq LIMIT ?2"},
};
#define NBOXES (int)(sizeof boxes / sizeof *boxes)

static const Outbox *box_of(StoreTable t)
{
	for (int i = 0; i < NBOXES; i++)
		if (boxes[i].table == t)
			return &boxes[i];
	return NULL;
}

int store_outbox_enable(Store *st)
{
	char sql[1024];
	for (int i = 0; i < NBOXES; i++)
		for (int upd = 0; upd < 2; upd++) {
			snprintf(
			        sql, sizeof sql,
			        "CREATE TEMP TRIGGER IF NOT EXISTS %s_%s AFTER %s ON main.%s BEGIN "
			        "INSERT OR REPLACE INTO %s (%s, queued_ms) VALUES (%s, " NOW_MS
			        "); END",
			        boxes[i].outbox, upd ? "upd" : "ins", upd ? "UPDATE" : "INSERT",
			        boxes[i].source, boxes[i].outbox, boxes[i].cols, boxes[i].new_cols);
			if (sqlite3_exec(store_db(st), sql, NULL, NULL, NULL) != SQLITE_OK)
				return -1;
		}
	return 0;
}

static void text(sqlite3_stmt *s, int i, char *dst, size_t len)
{
	const char *t = (const char *)sqlite3_column_text(s, i);
	records_copy_field(dst, len, t ? t : "");
}

long store_outbox_read(Store *st, StoreTable t, int64_t after, int max,
                       void (*each)(void *arg, const StoreRow *row, const char *derived_from,
                                    int64_t seq),
                       void *arg)
{
	const Outbox *b = box_of(t);
	sqlite3_stmt *s;
	if (!b || sqlite3_prepare_v2(store_db(st), b->select, -1, &s, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(s, 1, after);
	sqlite3_bind_int64(s, 2, max);
	long n = 0;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		StoreRow row;
		char derived[FB_INTERVAL_LEN] = "";
		int64_t seq = sqlite3_column_int64(s, 0);
		store_sqlite_row(s, 1, t, &row);
		if (t == SR_CANDLES)
			text(s, 16, derived, sizeof derived);
		each(arg, &row, derived, seq);
		n++;
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? n : -1;
}

int store_outbox_done(Store *st, StoreTable t, int64_t upto)
{
	const Outbox *b = box_of(t);
	char sql[128];
	sqlite3_stmt *s;
	if (!b)
		return -1;
	snprintf(sql, sizeof sql, "DELETE FROM %s WHERE seq <= ?1", b->outbox);
	if (sqlite3_prepare_v2(store_db(st), sql, -1, &s, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(s, 1, upto);
	int rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

int store_outbox_pending(Store *st, int64_t *rows, int64_t *oldest_ms)
{
	*rows = 0;
	*oldest_ms = -1;
	for (int i = 0; i < NBOXES; i++) {
		char sql[160];
		sqlite3_stmt *s;
		snprintf(sql, sizeof sql, "SELECT count(*), min(queued_ms) FROM %s",
		         boxes[i].outbox);
		if (sqlite3_prepare_v2(store_db(st), sql, -1, &s, NULL) != SQLITE_OK)
			return -1;
		int rc = sqlite3_step(s);
		if (rc == SQLITE_ROW) {
			*rows += sqlite3_column_int64(s, 0);
			if (sqlite3_column_type(s, 1) != SQLITE_NULL) {
				int64_t t = sqlite3_column_int64(s, 1);
				if (*oldest_ms < 0 || t < *oldest_ms)
					*oldest_ms = t;
			}
		}
		sqlite3_finalize(s);
		if (rc != SQLITE_ROW)
			return -1;
	}
	return 0;
}
