/* Reads of what a collector publishes for viewers (see store.h): its quant_summary rows, the
 * alerts it stored, and whether the database changed since the last look. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/strbuf.h"
#include "store/internal.h"

static double num(sqlite3_stmt *s, int i)
{
	return sqlite3_column_type(s, i) == SQLITE_NULL ? NAN : sqlite3_column_double(s, i);
}

static void text(sqlite3_stmt *s, int i, char *dst, size_t len)
{
	const char *t = (const char *)sqlite3_column_text(s, i);
	records_copy_field(dst, len, t ? t : "");
}

int64_t store_data_version(Store *st)
{
	sqlite3_stmt *s;
	int64_t v = -1;
	if (sqlite3_prepare_v2(store_db(st), "PRAGMA data_version", -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

int store_summary_newest(Store *st, char *exchange, size_t len, int64_t *t)
{
	sqlite3_stmt *s;
	*t = -1;
	int pick = !exchange[0];
	if (sqlite3_prepare_v2(
	            store_db(st),
	            pick ? "SELECT exchange, max(updated_ms) FROM quant_summary GROUP BY "
	                   "exchange ORDER BY 2 DESC LIMIT 1"
	                 : "SELECT exchange, max(updated_ms) FROM quant_summary WHERE "
	                   "exchange = ?1",
	            -1, &s, NULL) != SQLITE_OK)
		return -1;
	if (!pick)
		sqlite3_bind_text(s, 1, exchange, -1, SQLITE_TRANSIENT);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW && sqlite3_column_type(s, 1) != SQLITE_NULL) {
		*t = sqlite3_column_int64(s, 1);
		if (pick)
			text(s, 0, exchange, len);
	}
	sqlite3_finalize(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

int store_summary_tickers(Store *st, const char *exchange, int64_t since_ms, StoreTicker *out,
                          int max)
{
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(store_db(st),
	                       "SELECT symbol, max(updated_ms), last_price, change_24h, "
	                       "quote_volume_24h FROM quant_summary WHERE exchange = ?1 "
	                       "AND updated_ms >= ?2 GROUP BY symbol ORDER BY min(rank)",
	                       -1, &s, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(s, 1, exchange, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 2, since_ms);
	int n = 0, rc;
	while (n < max && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		StoreTicker *x = &out[n++];
		text(s, 0, x->symbol, sizeof x->symbol);
		x->updated_ms = sqlite3_column_int64(s, 1);
		x->last_price = num(s, 2);
		x->change_24h = num(s, 3);
		x->quote_volume_24h = num(s, 4);
	}
	if (n == max)
		rc = SQLITE_DONE;
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? n : -1;
}

long store_summary_rows(Store *st, const char *exchange, int64_t since_ms, const char *const *names,
                        int nnames,
                        int (*each)(void *arg, const StoreSummaryRow *row, const double *v),
                        void *arg)
{
	StrBuf b = {0};
	strbuf_printf(&b, "SELECT symbol, timeframe, updated_ms, last_price, change_24h, "
	                  "quote_volume_24h, open_time, trend, vol_regime");
	for (int i = 0; i < nnames; i++)
		strbuf_printf(&b, ", \"%s\"", names[i]);
	strbuf_printf(&b, " FROM quant_summary WHERE exchange = ?1 AND updated_ms >= ?2");
	sqlite3_stmt *s;
	int prc = sqlite3_prepare_v2(store_db(st), b.p, -1, &s, NULL);
	free(b.p);
	if (prc != SQLITE_OK)
		return -1;
	sqlite3_bind_text(s, 1, exchange, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 2, since_ms);
	double *v = calloc((size_t)nnames + 1, sizeof *v);
	long n = 0;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		StoreSummaryRow r;
		memset(&r, 0, sizeof r);
		text(s, 0, r.symbol, sizeof r.symbol);
		text(s, 1, r.timeframe, sizeof r.timeframe);
		r.updated_ms = sqlite3_column_int64(s, 2);
		r.last_price = num(s, 3);
		r.change_24h = num(s, 4);
		r.quote_volume_24h = num(s, 5);
		r.open_time = sqlite3_column_int64(s, 6);
		text(s, 7, r.trend, sizeof r.trend);
		text(s, 8, r.vol_regime, sizeof r.vol_regime);
		for (int i = 0; i < nnames; i++)
			v[i] = num(s, 9 + i);
		n++;
		if (each(arg, &r, v)) {
			rc = SQLITE_DONE;
			break;
		}
	}
	free(v);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? n : -1;
}

long store_alerts_after(Store *st, int64_t after_id, int64_t *last_id,
                        void (*each)(void *arg, const AlertRecord *a), void *arg)
{
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(store_db(st),
	                       "SELECT id, ts, exchange, symbol, interval, rule, severity, value, "
	                       "message FROM alerts WHERE id > ?1 ORDER BY id",
	                       -1, &s, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(s, 1, after_id);
	long n = 0;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		AlertRecord a;
		memset(&a, 0, sizeof a);
		*last_id = sqlite3_column_int64(s, 0);
		a.ts = sqlite3_column_int64(s, 1);
		text(s, 2, a.exchange, sizeof a.exchange);
		text(s, 3, a.symbol, sizeof a.symbol);
		text(s, 4, a.interval, sizeof a.interval);
		text(s, 5, a.rule, sizeof a.rule);
		text(s, 6, a.severity, sizeof a.severity);
		a.value = num(s, 7);
		text(s, 8, a.message, sizeof a.message);
		each(arg, &a);
		n++;
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? n : -1;
}

int store_alerts_max_id(Store *st, const char *exchange, int64_t *id)
{
	sqlite3_stmt *s;
	*id = 0;
	if (sqlite3_prepare_v2(store_db(st),
	                       "SELECT coalesce(max(id), 0) FROM alerts WHERE exchange = ?1", -1,
	                       &s, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(s, 1, exchange, -1, SQLITE_TRANSIENT);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*id = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return rc == SQLITE_ROW ? 0 : -1;
}
