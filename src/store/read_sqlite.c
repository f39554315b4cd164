/* The reader interface over the SQLite store (see reader.h): one SELECT per query, its filter
 * bound as parameters, rows stepped on demand. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/strbuf.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"
#include "store/internal.h"
#include "store/reader.h"

typedef struct {
	StoreCursor base;
	sqlite3 *db;
	sqlite3_stmt *s;
	StoreTable table;
	const char *path;
} SqlCursor;

typedef struct {
	const char *select; /* the columns and FROM */
	const char *exchange, *symbol, *interval, *metric, *closed;
	const char *time, *close_time; /* time columns (close_time: candles only) */
	const char *key;               /* the key's columns, in order */
} TableSql;

static const TableSql tables[] = {
        [SR_SERIES] = {"SELECT exchange, symbol, interval, coalesce(derived_from, '') FROM series",
                       "exchange", "symbol", "interval", NULL, NULL, NULL, NULL,
                       "exchange, symbol, interval"},
        [SR_CANDLES] = {"SELECT s.exchange, s.symbol, s.interval, c.open_time, c.close_time, "
                        "c.open, c.high, c.low, c.close, c.volume, c.quote_volume, c.trades, "
                        "c.taker_buy_volume, c.taker_buy_quote_volume, c.closed FROM candles "
                        "AS c JOIN series AS s ON s.id = c.series_id",
                        "s.exchange", "s.symbol", "s.interval", NULL, "c.closed", "c.open_time",
                        "c.close_time", "s.exchange, s.symbol, s.interval"},
        [SR_MARK_CANDLES] = {"SELECT exchange, symbol, interval, open_time, open, high, low, "
                             "close, closed FROM mark_candles",
                             "exchange", "symbol", "interval", NULL, "closed", "open_time", NULL,
                             "exchange, symbol, interval"},
        [SR_FUNDING] = {"SELECT exchange, symbol, funding_time, funding_rate, mark_price FROM "
                        "funding",
                        "exchange", "symbol", NULL, NULL, NULL, "funding_time", NULL,
                        "exchange, symbol"},
        [SR_METRICS] = {"SELECT exchange, symbol, metric, ts, value FROM market_metrics",
                        "exchange", "symbol", NULL, "metric", NULL, "ts", NULL,
                        "exchange, symbol, metric"},
        [SR_LIQUIDATIONS] = {"SELECT exchange, symbol, ts, side, price, qty FROM liquidations",
                             "exchange", "symbol", NULL, NULL, NULL, "ts", NULL,
                             "exchange, symbol"},
        [SR_ALERTS] = {"SELECT id, ts, exchange, symbol, interval, rule, severity, value, "
                       "message FROM alerts",
                       "exchange", "symbol", "interval", NULL, NULL, "ts", NULL, "id"},
};

static void in_list(StrBuf *b, const char *col, int n)
{
	strbuf_printf(b, " AND %s IN (", col);
	for (int i = 0; i < n; i++)
		strbuf_printf(b, "%s?", i ? "," : "");
	strbuf_printf(b, ")");
}

/* The WHERE clause of q (after "WHERE 1") and its parameters, bound in order. */
static void where(StrBuf *b, const StoreQuery *q, const TableSql *t, const char *tcol)
{
	if (q->exchange && t->exchange)
		strbuf_printf(b, " AND %s = ?", t->exchange);
	if (q->symbols && q->nsymbols > 0 && t->symbol)
		in_list(b, t->symbol, q->nsymbols);
	if (q->intervals && q->nintervals > 0 && t->interval)
		in_list(b, t->interval, q->nintervals);
	if (q->metric && t->metric)
		strbuf_printf(b, " AND %s = ?", t->metric);
	if (q->closed_only && t->closed)
		strbuf_printf(b, " AND %s = 1", t->closed);
	if (q->native_only && q->table == SR_SERIES)
		strbuf_printf(b, " AND derived_from IS NULL");
	if (tcol && q->from_ms != INT64_MIN)
		strbuf_printf(b, " AND %s >= ?", tcol);
	if (tcol && q->to_ms != INT64_MAX)
		strbuf_printf(b, " AND %s < ?", tcol);
}

static void bind(sqlite3_stmt *s, const StoreQuery *q, const TableSql *t, const char *tcol)
{
	int k = 1;
	if (q->exchange && t->exchange)
		sqlite3_bind_text(s, k++, q->exchange, -1, SQLITE_TRANSIENT);
	for (int i = 0; q->symbols && t->symbol && i < q->nsymbols; i++)
		sqlite3_bind_text(s, k++, q->symbols[i], -1, SQLITE_TRANSIENT);
	for (int i = 0; q->intervals && t->interval && i < q->nintervals; i++)
		sqlite3_bind_text(s, k++, q->intervals[i], -1, SQLITE_TRANSIENT);
	if (q->metric && t->metric)
		sqlite3_bind_text(s, k++, q->metric, -1, SQLITE_TRANSIENT);
	if (tcol && q->from_ms != INT64_MIN)
		sqlite3_bind_int64(s, k++, q->from_ms);
	if (tcol && q->to_ms != INT64_MAX)
		sqlite3_bind_int64(s, k++, q->to_ms);
}

static const char *time_col(const StoreQuery *q, const TableSql *t)
{
	return q->by_close && t->close_time ? t->close_time : t->time;
}

static sqlite3_stmt *prepare(Store *st, const char *sql, char *err, size_t errlen)
{
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v2(store_db(st), sql, -1, &s, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", store_path(st), sqlite3_errmsg(store_db(st)));
		return NULL;
	}
	return s;
}

static StoreCursor *sql_query(StoreReader *r, const StoreQuery *q, char *err, size_t errlen)
{
	Store *st = r->impl;
	const TableSql *t = &tables[q->table];
	const char *tcol = time_col(q, t);
	StrBuf b = {0};
	strbuf_printf(&b, "%s WHERE 1", t->select);
	where(&b, q, t, tcol);
	if (q->table == SR_ALERTS)
		strbuf_printf(&b, " ORDER BY ts, id");
	else if (!tcol)
		strbuf_printf(&b, " ORDER BY %s", t->key);
	else if (q->order == SR_BY_TIME)
		strbuf_printf(&b, " ORDER BY %s, %s", tcol, t->key);
	else
		strbuf_printf(&b, " ORDER BY %s, %s", t->key, tcol);
	if (q->table == SR_LIQUIDATIONS)
		strbuf_printf(&b, ", side, price, qty");
	sqlite3_stmt *s = prepare(st, b.p, err, errlen);
	free(b.p);
	if (!s)
		return NULL;
	bind(s, q, t, tcol);
	SqlCursor *c = xcalloc(1, sizeof *c);
	c->base.r = r;
	c->db = store_db(st);
	c->s = s;
	c->table = q->table;
	c->path = store_path(st);
	return &c->base;
}

static double col_double(sqlite3_stmt *s, int i)
{
	return sqlite3_column_type(s, i) == SQLITE_NULL ? NAN : sqlite3_column_double(s, i);
}

static void col_text(sqlite3_stmt *s, int i, char *dst, size_t len)
{
	const char *t = (const char *)sqlite3_column_text(s, i);
	records_copy_field(dst, len, t ? t : "");
}

void store_sqlite_row(sqlite3_stmt *s, int o, StoreTable t, StoreRow *row)
{
	memset(row, 0, sizeof *row);
	row->table = t;
	switch (t) {
	case SR_SERIES: {
		StoreSeries *x = &row->u.series;
		col_text(s, o, x->exchange, sizeof x->exchange);
		col_text(s, o + 1, x->symbol, sizeof x->symbol);
		col_text(s, o + 2, x->interval, sizeof x->interval);
		col_text(s, o + 3, x->derived_from, sizeof x->derived_from);
		break;
	}
	case SR_CANDLES: {
		Candle *x = &row->u.candle;
		col_text(s, o, x->exchange, sizeof x->exchange);
		col_text(s, o + 1, x->symbol, sizeof x->symbol);
		col_text(s, o + 2, x->interval, sizeof x->interval);
		x->open_time = sqlite3_column_int64(s, o + 3);
		x->close_time = sqlite3_column_int64(s, o + 4);
		x->open = col_double(s, o + 5);
		x->high = col_double(s, o + 6);
		x->low = col_double(s, o + 7);
		x->close = col_double(s, o + 8);
		x->volume = col_double(s, o + 9);
		x->quote_volume = col_double(s, o + 10);
		x->trades = sqlite3_column_type(s, o + 11) == SQLITE_NULL
		                    ? -1
		                    : sqlite3_column_int64(s, o + 11);
		x->taker_buy_volume = col_double(s, o + 12);
		x->taker_buy_quote_volume = col_double(s, o + 13);
		x->closed = sqlite3_column_int(s, o + 14);
		break;
	}
	case SR_MARK_CANDLES: {
		Candle *x = &row->u.candle;
		col_text(s, o, x->exchange, sizeof x->exchange);
		col_text(s, o + 1, x->symbol, sizeof x->symbol);
		col_text(s, o + 2, x->interval, sizeof x->interval);
		x->open_time = sqlite3_column_int64(s, o + 3);
		int64_t ivl = fb_interval_ms(x->interval);
		x->close_time = ivl > 0 ? x->open_time + ivl - 1 : x->open_time;
		x->open = col_double(s, o + 4);
		x->high = col_double(s, o + 5);
		x->low = col_double(s, o + 6);
		x->close = col_double(s, o + 7);
		x->volume = x->quote_volume = x->taker_buy_volume = x->taker_buy_quote_volume = NAN;
		x->trades = -1;
		x->closed = sqlite3_column_int(s, o + 8);
		break;
	}
	case SR_FUNDING: {
		FundingRate *x = &row->u.funding;
		col_text(s, o, x->exchange, sizeof x->exchange);
		col_text(s, o + 1, x->symbol, sizeof x->symbol);
		x->funding_time = sqlite3_column_int64(s, o + 2);
		x->funding_rate = col_double(s, o + 3);
		x->mark_price = col_double(s, o + 4);
		break;
	}
	case SR_METRICS: {
		MarketMetric *x = &row->u.metric;
		col_text(s, o, x->exchange, sizeof x->exchange);
		col_text(s, o + 1, x->symbol, sizeof x->symbol);
		col_text(s, o + 2, x->metric, sizeof x->metric);
		x->ts = sqlite3_column_int64(s, o + 3);
		x->value = col_double(s, o + 4);
		break;
	}
	case SR_LIQUIDATIONS: {
		Liquidation *x = &row->u.liq;
		col_text(s, o, x->exchange, sizeof x->exchange);
		col_text(s, o + 1, x->symbol, sizeof x->symbol);
		x->ts = sqlite3_column_int64(s, o + 2);
		col_text(s, o + 3, x->side, sizeof x->side);
		x->price = col_double(s, o + 4);
		x->qty = col_double(s, o + 5);
		break;
	}
	case SR_ALERTS: {
		StoreAlert *x = &row->u.alert;
		x->id = sqlite3_column_int64(s, o);
		x->a.ts = sqlite3_column_int64(s, o + 1);
		col_text(s, o + 2, x->a.exchange, sizeof x->a.exchange);
		col_text(s, o + 3, x->a.symbol, sizeof x->a.symbol);
		col_text(s, o + 4, x->a.interval, sizeof x->a.interval);
		col_text(s, o + 5, x->a.rule, sizeof x->a.rule);
		col_text(s, o + 6, x->a.severity, sizeof x->a.severity);
		x->a.value = col_double(s, o + 7);
		col_text(s, o + 8, x->a.message, sizeof x->a.message);
		break;
	}
	}
}

static int sql_next(StoreCursor *base, StoreRow *row, char *err, size_t errlen)
{
	SqlCursor *c = (SqlCursor *)base;
	int rc = sqlite3_step(c->s);
	if (rc == SQLITE_DONE)
		return 0;
	if (rc != SQLITE_ROW) {
		snprintf(err, errlen, "%s: %s", c->path, sqlite3_errmsg(c->db));
		return -1;
	}
	store_sqlite_row(c->s, 0, c->table, row);
	return 1;
}

static void sql_close(StoreCursor *base)
{
	SqlCursor *c = (SqlCursor *)base;
	sqlite3_finalize(c->s);
	free(c);
}

static int sql_snapshot(StoreReader *r, int begin, char *err, size_t errlen)
{
	Store *st = r->impl;
	if (!begin) {
		if (!sqlite3_get_autocommit(store_db(st)))
			sqlite3_exec(store_db(st), "COMMIT", NULL, NULL, NULL);
		return 0;
	}
	if (sqlite3_exec(store_db(st), "BEGIN", NULL, NULL, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", store_path(st), sqlite3_errmsg(store_db(st)));
		return -1;
	}
	return 0;
}

/* The newest (or oldest) time of q's rows: SQLite's own max() or min(), not a cursor. */
static int sql_bound(StoreReader *r, const StoreQuery *q, int newest, int64_t *out, char *err,
                     size_t errlen)
{
	Store *st = r->impl;
	const TableSql *t = &tables[q->table];
	const char *tcol = time_col(q, t);
	*out = -1;
	if (!tcol) {
		snprintf(err, errlen, "series have no time");
		return -1;
	}
	const char *from = strstr(t->select, " FROM ");
	StrBuf b = {0};
	strbuf_printf(&b, "SELECT %s(%s)%s WHERE 1", newest ? "max" : "min", tcol, from);
	where(&b, q, t, tcol);
	sqlite3_stmt *s = prepare(st, b.p, err, errlen);
	free(b.p);
	if (!s)
		return -1;
	bind(s, q, t, tcol);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL)
		*out = sqlite3_column_int64(s, 0);
	if (rc != SQLITE_ROW)
		snprintf(err, errlen, "%s: %s", store_path(st), sqlite3_errmsg(store_db(st)));
	sqlite3_finalize(s);
	return rc == SQLITE_ROW ? 0 : -1;
}

const StoreReaderOps store_sqlite_reader_ops = {sql_query, sql_next,     sql_close,
                                                sql_bound, sql_snapshot, NULL};
