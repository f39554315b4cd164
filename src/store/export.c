/* CSV export: one SELECT per table with the filter bound as parameters, rows streamed to the
 * output through stdio. */
#include "store/export.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/strbuf.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"

typedef enum { F_TEXT, F_INT, F_REAL, F_TIME } FieldKind;

typedef struct {
	const char *table;
	const char *time_col;
	const char *header;
	const char *select; /* columns, in header order; F_TIME columns expand to two */
	FieldKind kinds[20];
	int ncols;
	int has_interval, has_metric;
	const char *order;
} TableDef;

static const TableDef tables[] = {
        [EXPORT_CANDLES] = {"v_candles",
                            "open_time",
                            "exchange,symbol,interval,open_time,open_time_ms,close_time_ms,open,"
                            "high,"
                            "low,close,volume,quote_volume,trades,taker_buy_volume,"
                            "taker_buy_quote_volume,closed",
                            "exchange, symbol, interval, open_time, close_time, open, high, low, "
                            "close, volume, quote_volume, trades, taker_buy_volume, "
                            "taker_buy_quote_volume, closed",
                            {F_TEXT, F_TEXT, F_TEXT, F_TIME, F_INT, F_REAL, F_REAL, F_REAL, F_REAL,
                             F_REAL, F_REAL, F_INT, F_REAL, F_REAL, F_INT},
                            15,
                            1,
                            0,
                            "exchange, symbol, interval, open_time"},
        [EXPORT_FUNDING] = {"funding",
                            "funding_time",
                            "exchange,symbol,funding_time,funding_time_ms,funding_rate,mark_price",
                            "exchange, symbol, funding_time, funding_rate, mark_price",
                            {F_TEXT, F_TEXT, F_TIME, F_REAL, F_REAL},
                            5,
                            0,
                            0,
                            "exchange, symbol, funding_time"},
        [EXPORT_METRICS] = {"market_metrics",
                            "ts",
                            "exchange,symbol,metric,time,time_ms,value",
                            "exchange, symbol, metric, ts, value",
                            {F_TEXT, F_TEXT, F_TEXT, F_TIME, F_REAL},
                            5,
                            0,
                            1,
                            "exchange, symbol, metric, ts"},
        [EXPORT_ALERTS] = {"alerts",
                           "ts",
                           "id,time,time_ms,exchange,symbol,interval,rule,severity,value,message",
                           "id, ts, exchange, symbol, interval, rule, severity, value, message",
                           {F_INT, F_TIME, F_TEXT, F_TEXT, F_TEXT, F_TEXT, F_TEXT, F_REAL, F_TEXT},
                           9,
                           1,
                           0,
                           "ts, id"},
};

int export_table_parse(const char *name, ExportTable *out)
{
	static const char *const names[] = {"candles", "funding", "metrics", "alerts"};
	for (int i = 0; i < 4; i++)
		if (strcmp(name, names[i]) == 0) {
			*out = (ExportTable)i;
			return 0;
		}
	return -1;
}

const char *export_header(ExportTable t)
{
	return tables[t].header;
}

char *export_format_double(double v, char *buf, size_t len)
{
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(buf, len, "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			break;
	}
	return buf;
}

/* A text field: the data kept, but never a control byte (control bytes, C1 and bytes that are
 * not UTF-8 written as \xNN, as on the terminal); quoted when it holds a comma or a quote. */
static void put_text(FILE *out, const char *raw)
{
	char safe[1024];
	const char *s = raw ? fb_escape_text(raw, safe, sizeof safe) : "";
	if (!strpbrk(s, ",\"")) {
		fputs(s, out);
		return;
	}
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', out);
		fputc(*s, out);
	}
	fputc('"', out);
}

long export_csv(Store *st, ExportTable t, const ExportFilter *flt, FILE *out, char *err,
                size_t errlen)
{
	const TableDef *d = &tables[t];
	char sql[2048];
	int n = snprintf(sql, sizeof sql, "SELECT %s FROM %s WHERE %s >= ?1 AND %s < ?2", d->select,
	                 d->table, d->time_col, d->time_col);
	if (flt->exchange)
		n += snprintf(sql + n, sizeof sql - (size_t)n, " AND exchange = ?3");
	if (flt->interval && d->has_interval)
		n += snprintf(sql + n, sizeof sql - (size_t)n, " AND interval = ?4");
	if (flt->metric && d->has_metric)
		n += snprintf(sql + n, sizeof sql - (size_t)n, " AND metric = ?5");
	if (flt->nsymbols > 0) {
		n += snprintf(sql + n, sizeof sql - (size_t)n,
		              " AND symbol IN (SELECT value FROM json_each(?6))");
	}
	snprintf(sql + n, sizeof sql - (size_t)n, " ORDER BY %s", d->order);

	sqlite3 *db = store_db(st);
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", store_path(st), sqlite3_errmsg(db));
		return -1;
	}
	sqlite3_bind_int64(s, 1, flt->from_ms);
	sqlite3_bind_int64(s, 2, flt->to_ms);
	if (flt->exchange)
		sqlite3_bind_text(s, 3, flt->exchange, -1, SQLITE_STATIC);
	if (flt->interval && d->has_interval)
		sqlite3_bind_text(s, 4, flt->interval, -1, SQLITE_STATIC);
	if (flt->metric && d->has_metric)
		sqlite3_bind_text(s, 5, flt->metric, -1, SQLITE_STATIC);
	char *json = NULL;
	if (flt->nsymbols > 0) {
		/* Symbols are validated by the caller (A-Z, 0-9), so no JSON escaping is needed. */
		size_t cap = 3;
		for (int i = 0; i < flt->nsymbols; i++)
			cap += strlen(flt->symbols[i]) + 3;
		json = xmalloc(cap);
		size_t used = 0;
		json[used++] = '[';
		for (int i = 0; i < flt->nsymbols; i++)
			used += (size_t)snprintf(json + used, cap - used, "%s\"%s\"", i ? "," : "",
			                         flt->symbols[i]);
		snprintf(json + used, cap - used, "]");
		sqlite3_bind_text(s, 6, json, -1, SQLITE_TRANSIENT);
		free(json);
	}

	fputs(d->header, out);
	fputs("\r\n", out);
	long rows = 0;
	int rc;
	char buf[64];
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		for (int c = 0; c < d->ncols; c++) {
			if (c)
				fputc(',', out);
			int null = sqlite3_column_type(s, c) == SQLITE_NULL;
			switch (d->kinds[c]) {
			case F_TEXT:
				if (!null)
					put_text(out, (const char *)sqlite3_column_text(s, c));
				break;
			case F_INT:
				if (!null)
					fprintf(out, "%lld", (long long)sqlite3_column_int64(s, c));
				break;
			case F_REAL:
				if (!null)
					fputs(export_format_double(sqlite3_column_double(s, c), buf,
					                           sizeof buf),
					      out);
				break;
			case F_TIME: {
				int64_t ms = sqlite3_column_int64(s, c);
				fprintf(out, "%s,%lld", fb_time_format(ms, buf, sizeof buf),
				        (long long)ms);
				break;
			}
			}
		}
		fputs("\r\n", out);
		rows++;
	}
	if (rc != SQLITE_DONE) {
		snprintf(err, errlen, "%s: %s", store_path(st), sqlite3_errmsg(db));
		sqlite3_finalize(s);
		return -1;
	}
	sqlite3_finalize(s);
	if (fflush(out) != 0 || ferror(out)) {
		snprintf(err, errlen, "write error: %s", strerror(errno));
		return -1;
	}
	return rows;
}
