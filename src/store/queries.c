/* SQLite-only reads of the embedded store that are not rows of a table (see store.h):
 * the backfill's missing candles, and a series marked as built from a lower interval. */
#include "store/internal.h"

int store_missing_candles(Store *st, int64_t series, int64_t first, int64_t last, int64_t ivl,
                          void (*missing)(void *arg, int64_t open_time, int64_t ivl), void *arg,
                          long *known)
{
	sqlite3 *db = store_db(st);
	sqlite3_stmt *have, *gaps;
	if (sqlite3_prepare_v2(db,
	                       "SELECT open_time FROM candles WHERE series_id = ?1 AND closed = 1 "
	                       "AND open_time BETWEEN ?2 AND ?3 ORDER BY open_time",
	                       -1, &have, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_prepare_v2(db,
	                       "SELECT from_time, to_time FROM source_gaps WHERE series_id = ?1 "
	                       "AND to_time >= ?2 AND from_time <= ?3 ORDER BY from_time",
	                       -1, &gaps, NULL) != SQLITE_OK) {
		sqlite3_finalize(have);
		return -1;
	}
	for (sqlite3_stmt *s = have; s; s = s == have ? gaps : NULL) {
		sqlite3_bind_int64(s, 1, series);
		sqlite3_bind_int64(s, 2, first);
		sqlite3_bind_int64(s, 3, last);
	}
	int64_t t = first;
	int rc_have = sqlite3_step(have), rc_gap = sqlite3_step(gaps);
	while (t <= last) {
		while (rc_have == SQLITE_ROW && sqlite3_column_int64(have, 0) < t)
			rc_have = sqlite3_step(have);
		while (rc_gap == SQLITE_ROW && sqlite3_column_int64(gaps, 1) < t)
			rc_gap = sqlite3_step(gaps);
		if (rc_have == SQLITE_ROW && sqlite3_column_int64(have, 0) == t) {
			t += ivl;
			continue;
		}
		if (rc_gap == SQLITE_ROW && sqlite3_column_int64(gaps, 0) <= t) {
			(*known)++;
			t += ivl;
			continue;
		}
		missing(arg, t, ivl);
		t += ivl;
	}
	int bad = (rc_have != SQLITE_ROW && rc_have != SQLITE_DONE) ||
	          (rc_gap != SQLITE_ROW && rc_gap != SQLITE_DONE);
	sqlite3_finalize(have);
	sqlite3_finalize(gaps);
	return bad ? -1 : 0;
}

int store_set_series_derived(Store *st, const char *exchange, const char *symbol,
                             const char *interval, const char *from)
{
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(store_db(st),
	                       "INSERT INTO series (exchange, symbol, interval, derived_from) "
	                       "VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO UPDATE SET derived_from = "
	                       "excluded.derived_from",
	                       -1, &s, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(s, 1, exchange, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, symbol, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, interval, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, from, -1, SQLITE_STATIC);
	int rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

int store_get_ship_mark(Store *st, const char *target, const char *table, int64_t *mark)
{
	sqlite3_stmt *s;
	*mark = -1;
	if (sqlite3_prepare_v2(store_db(st),
	                       "SELECT mark FROM ship_marks WHERE target = ?1 AND tbl = ?2", -1, &s,
	                       NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(s, 1, target, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, table, -1, SQLITE_STATIC);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*mark = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

int store_put_ship_mark(Store *st, const char *target, const char *table, int64_t mark)
{
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(store_db(st),
	                       "INSERT INTO ship_marks (target, tbl, mark) VALUES (?1, ?2, ?3) "
	                       "ON CONFLICT DO UPDATE SET mark = excluded.mark",
	                       -1, &s, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(s, 1, target, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, table, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, mark);
	int rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : -1;
}
