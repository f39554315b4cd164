/* The run registry (see registry.h). */
#include "store/registry.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/timeutil.h"
#include "core/xmalloc.h"
#include "store/internal.h"

static int fail(Store *st, sqlite3_stmt *s, char *err, size_t errlen)
{
	snprintf(err, errlen, "%s", sqlite3_errmsg(store_db(st)));
	sqlite3_finalize(s);
	return -1;
}

int64_t registry_save(Store *st, const BtRunInfo *in, const BtResult *r, char *err, size_t errlen)
{
	sqlite3 *db = store_db(st);
	sqlite3_stmt *s = NULL;
	if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return fail(st, NULL, err, errlen);
	if (sqlite3_prepare_v2(
	            db,
	            "INSERT INTO backtest_runs (created_ms, version, strategy, exchange, "
	            "symbol, interval, from_ms, to_ms, params_json, candles_hash, "
	            "summary_json) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
	            -1, &s, NULL) != SQLITE_OK)
		goto bad;
	sqlite3_bind_int64(s, 1, in->created_ms);
	sqlite3_bind_text(s, 2, in->version, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, in->strategy, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, in->exchange, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, in->symbol, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 6, in->interval, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 7, in->from_ms);
	sqlite3_bind_int64(s, 8, in->to_ms);
	sqlite3_bind_text(s, 9, in->params_json ? in->params_json : "{}", -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 10, in->hash, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 11, in->summary_json ? in->summary_json : "{}", -1, SQLITE_STATIC);
	if (sqlite3_step(s) != SQLITE_DONE)
		goto bad;
	sqlite3_finalize(s);
	int64_t id = sqlite3_last_insert_rowid(db);
	if (sqlite3_prepare_v2(db,
	                       "INSERT INTO backtest_trades (run_id, seq, side, entry_time, "
	                       "entry_price, exit_time, exit_price, qty, pnl, fees, funding, "
	                       "liquidated) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, "
	                       "?12)",
	                       -1, &s, NULL) != SQLITE_OK)
		goto bad;
	for (int i = 0; i < r->ntrades; i++) {
		const BtTrade *t = &r->trades[i];
		sqlite3_reset(s);
		sqlite3_bind_int64(s, 1, id);
		sqlite3_bind_int(s, 2, i + 1);
		sqlite3_bind_text(s, 3, t->side > 0 ? "long" : "short", -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 4, t->entry_time);
		sqlite3_bind_double(s, 5, t->entry);
		sqlite3_bind_int64(s, 6, t->exit_time);
		sqlite3_bind_double(s, 7, t->exit);
		sqlite3_bind_double(s, 8, t->qty);
		sqlite3_bind_double(s, 9, t->pnl);
		sqlite3_bind_double(s, 10, t->fees);
		sqlite3_bind_double(s, 11, t->funding);
		sqlite3_bind_int(s, 12, t->liquidated);
		if (sqlite3_step(s) != SQLITE_DONE)
			goto bad;
	}
	sqlite3_finalize(s);
	if (sqlite3_prepare_v2(db,
	                       "INSERT INTO backtest_equity (run_id, time, equity, position) "
	                       "VALUES (?1, ?2, ?3, ?4)",
	                       -1, &s, NULL) != SQLITE_OK)
		goto bad;
	for (int i = 0; i < r->n; i++) {
		sqlite3_reset(s);
		sqlite3_bind_int64(s, 1, id);
		sqlite3_bind_int64(s, 2, r->time[i]);
		sqlite3_bind_double(s, 3, r->equity[i]);
		sqlite3_bind_int(s, 4, r->position[i]);
		if (sqlite3_step(s) != SQLITE_DONE)
			goto bad;
	}
	sqlite3_finalize(s);
	s = NULL;
	if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		goto bad;
	return id;
bad:
	snprintf(err, errlen, "%s", sqlite3_errmsg(db));
	sqlite3_finalize(s);
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

#define RUN_COLUMNS                                                                                \
	"id, created_ms, version, strategy, exchange, symbol, interval, from_ms, to_ms, "          \
	"params_json, candles_hash, summary_json"

static void copy_text(char *out, size_t len, sqlite3_stmt *s, int col)
{
	const unsigned char *t = sqlite3_column_text(s, col);
	snprintf(out, len, "%s", t ? (const char *)t : "");
}

static void read_info(sqlite3_stmt *s, BtRunInfo *x)
{
	memset(x, 0, sizeof *x);
	x->id = sqlite3_column_int64(s, 0);
	x->created_ms = sqlite3_column_int64(s, 1);
	copy_text(x->version, sizeof x->version, s, 2);
	copy_text(x->strategy, sizeof x->strategy, s, 3);
	copy_text(x->exchange, sizeof x->exchange, s, 4);
	copy_text(x->symbol, sizeof x->symbol, s, 5);
	copy_text(x->interval, sizeof x->interval, s, 6);
	x->from_ms = sqlite3_column_int64(s, 7);
	x->to_ms = sqlite3_column_int64(s, 8);
	x->params_json = xstrdup((const char *)sqlite3_column_text(s, 9));
	copy_text(x->hash, sizeof x->hash, s, 10);
	x->summary_json = xstrdup((const char *)sqlite3_column_text(s, 11));
}

int registry_list(Store *st, int limit, BtRunInfo **out, char *err, size_t errlen)
{
	sqlite3_stmt *s;
	*out = NULL;
	if (sqlite3_prepare_v2(store_db(st),
	                       "SELECT " RUN_COLUMNS
	                       " FROM backtest_runs ORDER BY id DESC LIMIT ?1",
	                       -1, &s, NULL) != SQLITE_OK)
		return fail(st, NULL, err, errlen);
	sqlite3_bind_int(s, 1, limit > 0 ? limit : -1);
	int n = 0, rc;
	size_t cap = 0;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if ((size_t)n == cap) {
			cap = cap ? cap * 2 : 32;
			*out = xrealloc(*out, cap * sizeof **out);
		}
		read_info(s, &(*out)[n++]);
	}
	if (rc != SQLITE_DONE) {
		registry_list_free(*out, n);
		*out = NULL;
		return fail(st, s, err, errlen);
	}
	sqlite3_finalize(s);
	return n;
}

static int read_curve(Store *st, int64_t id, BtResult *r, char *err, size_t errlen)
{
	sqlite3_stmt *s;
	memset(r, 0, sizeof *r);
	if (sqlite3_prepare_v2(store_db(st),
	                       "SELECT time, equity, position FROM backtest_equity WHERE run_id = "
	                       "?1 ORDER BY time",
	                       -1, &s, NULL) != SQLITE_OK)
		return fail(st, NULL, err, errlen);
	sqlite3_bind_int64(s, 1, id);
	size_t cap = 0;
	while (sqlite3_step(s) == SQLITE_ROW) {
		if ((size_t)r->n == cap) {
			cap = cap ? cap * 2 : 1024;
			r->time = xrealloc(r->time, cap * sizeof *r->time);
			r->equity = xrealloc(r->equity, cap * sizeof *r->equity);
			r->position = xrealloc(r->position, cap * sizeof *r->position);
		}
		r->time[r->n] = sqlite3_column_int64(s, 0);
		r->equity[r->n] = sqlite3_column_double(s, 1);
		r->position[r->n++] = sqlite3_column_int(s, 2);
	}
	sqlite3_finalize(s);
	if (sqlite3_prepare_v2(store_db(st),
	                       "SELECT side, entry_time, entry_price, exit_time, exit_price, qty, "
	                       "pnl, fees, funding, liquidated FROM backtest_trades WHERE run_id = "
	                       "?1 ORDER BY seq",
	                       -1, &s, NULL) != SQLITE_OK)
		return fail(st, NULL, err, errlen);
	sqlite3_bind_int64(s, 1, id);
	cap = 0;
	while (sqlite3_step(s) == SQLITE_ROW) {
		if ((size_t)r->ntrades == cap) {
			cap = cap ? cap * 2 : 64;
			r->trades = xrealloc(r->trades, cap * sizeof *r->trades);
		}
		BtTrade *t = &r->trades[r->ntrades++];
		memset(t, 0, sizeof *t);
		t->side = strcmp((const char *)sqlite3_column_text(s, 0), "long") == 0 ? 1 : -1;
		t->entry_time = sqlite3_column_int64(s, 1);
		t->entry = sqlite3_column_double(s, 2);
		t->exit_time = sqlite3_column_int64(s, 3);
		t->exit = sqlite3_column_double(s, 4);
		t->qty = sqlite3_column_double(s, 5);
		t->pnl = sqlite3_column_double(s, 6);
		t->fees = sqlite3_column_double(s, 7);
		t->funding = sqlite3_column_double(s, 8);
		t->liquidated = sqlite3_column_int(s, 9);
		r->fees += t->fees;
		r->funding += t->funding;
		r->liquidations += t->liquidated;
	}
	sqlite3_finalize(s);
	return 0;
}

int registry_get(Store *st, int64_t id, BtRunInfo *info, BtResult *r, char *err, size_t errlen)
{
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(store_db(st),
	                       "SELECT " RUN_COLUMNS " FROM backtest_runs WHERE id = ?1", -1, &s,
	                       NULL) != SQLITE_OK)
		return fail(st, NULL, err, errlen);
	sqlite3_bind_int64(s, 1, id);
	int rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		sqlite3_finalize(s);
		if (rc != SQLITE_DONE)
			return fail(st, NULL, err, errlen);
		snprintf(err, errlen, "no run %lld (see 'futuresboard runs list')", (long long)id);
		return 1;
	}
	read_info(s, info);
	sqlite3_finalize(s);
	if (r && read_curve(st, id, r, err, errlen)) {
		registry_info_free(info);
		return -1;
	}
	return 0;
}

const char *registry_row_header(void)
{
	return "   id  created           strategy          symbol       ivl   from        to       "
	       "  "
	       " trades    return  sharpe   max dd";
}

double registry_summary_num(json_t *sum, const char *key)
{
	json_t *v = json_object_get(sum, key);
	return json_is_number(v) ? json_number_value(v) : NAN;
}

void registry_row(const BtRunInfo *x, char *out, size_t len)
{
	json_error_t je;
	json_t *s = json_loads(x->summary_json, 0, &je);
	char c[32], f[32], t[32];
	fb_time_format(x->created_ms, c, sizeof c);
	c[16] = c[10] = ' ';
	snprintf(out, len,
	         "%5lld  %-16.16s  %-16.16s  %-12.12s %-4.4s  %-10.10s  %-10.10s %7.0f %8.2f%% "
	         "%7.2f %7.2f%%%s",
	         (long long)x->id, c, x->strategy, x->symbol, x->interval,
	         fb_time_format(x->from_ms, f, sizeof f), fb_time_format(x->to_ms, t, sizeof t),
	         registry_summary_num(s, "trades"), registry_summary_num(s, "total_return") * 100,
	         registry_summary_num(s, "sharpe"), registry_summary_num(s, "max_drawdown") * 100,
	         strstr(x->params_json, "\"walk_forward\"") ? "  walk-forward" : "");
	json_decref(s);
}

void registry_info_free(BtRunInfo *x)
{
	free(x->params_json);
	free(x->summary_json);
	x->params_json = x->summary_json = NULL;
}

void registry_list_free(BtRunInfo *v, int n)
{
	for (int i = 0; i < n; i++)
		registry_info_free(&v[i]);
	free(v);
}
