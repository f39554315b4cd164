/* Store: schema, round trip, idempotent upserts, open/closed candle rule, reopen, migration
 * from the version 1 layout, refusal of newer or foreign databases. A real SQLite file. */
#include "testutil.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/xmalloc.h"
#include "store/internal.h"
#include "store/store.h"

static Candle candle(int64_t t, double close, int closed)
{
	Candle c = {.open_time = t,
	            .close_time = t + 59999,
	            .open = 100,
	            .high = 110,
	            .low = 90,
	            .close = close,
	            .volume = 5,
	            .quote_volume = 500,
	            .trades = 42,
	            .taker_buy_volume = 2,
	            .taker_buy_quote_volume = 200,
	            .closed = closed};
	strcpy(c.exchange, "binance");
	strcpy(c.symbol, "BTCUSDT");
	strcpy(c.interval, "1m");
	return c;
}

static int64_t count(Store *st, const char *sql)
{
	sqlite3_stmt *s;
	assert_int_equal(sqlite3_prepare_v2(store_db(st), sql, -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	int64_t v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

static void test_fresh_schema(void **state)
{
	(void)state;
	char err[512];
	char *path = xasprintf("%s/sub/dir/fresh.db", dir);
	Store *st = store_open(path, 0, 1000, err, sizeof err);
	assert_non_null(st);
	assert_int_equal(store_schema_version(), 9);
	assert_int_equal(count(st, "PRAGMA user_version"), 9);
	sqlite3_stmt *s;
	sqlite3_prepare_v2(store_db(st), "PRAGMA journal_mode", -1, &s, NULL);
	sqlite3_step(s);
	assert_string_equal((const char *)sqlite3_column_text(s, 0), "wal");
	sqlite3_finalize(s);
	const char *tables[] = {"series",          "candles",      "v_candles", "funding",
	                        "market_metrics",  "liquidations", "alerts",    "backtest_runs",
	                        "backtest_trades", "quant_summary"};
	for (size_t i = 0; i < sizeof tables / sizeof *tables; i++) {
		char *q = xasprintf("SELECT count(*) FROM sqlite_master WHERE name = '%s'",
		                    tables[i]);
		assert_int_equal(count(st, q), 1);
		free(q);
	}
	/* the REST limiter kept for the next process: none, then put, replaced, read back */
	LimiterState l, got;
	assert_int_equal(store_get_limiter(st, "binance", &got), 0);
	memset(&l, 0, sizeof l);
	strcpy(l.exchange, "binance");
	l.not_before = 1800000000000LL;
	l.banned = 1;
	l.used = 2300;
	l.window = 30000000;
	l.updated = 1799999990000LL;
	assert_int_equal(store_put_limiter(st, &l), STORE_UPDATED);
	l.banned = 0;
	assert_int_equal(store_put_limiter(st, &l), STORE_UPDATED);
	assert_int_equal(store_get_limiter(st, "binance", &got), 1);
	assert_true(got.not_before == l.not_before && got.banned == 0 && got.used == 2300 &&
	            got.window == 30000000);
	assert_int_equal(count(st, "SELECT count(*) FROM rest_limits"), 1);
	store_close(st);
	free(path);
}

static void test_roundtrip_and_upsert(void **state)
{
	(void)state;
	char err[512];
	char *path = xasprintf("%s/rt.db", dir);
	Store *st = store_open(path, 0, 1000, err, sizeof err);
	assert_non_null(st);
	Candle c = candle(1735689600000LL, 105.25, 0);
	c.quote_volume = NAN; /* unknown: stored as NULL */
	assert_int_equal(store_put_candle(st, &c), STORE_INSERTED);
	assert_int_equal(store_put_candle(st, &c), STORE_UNCHANGED);
	c.close = 106.5;
	assert_int_equal(store_put_candle(st, &c), STORE_UPDATED);
	c.closed = 1;
	assert_int_equal(store_put_candle(st, &c), STORE_UPDATED);
	/* a late update of the open candle never reopens a closed one */
	Candle stale = c;
	stale.closed = 0;
	stale.close = 1;
	assert_int_equal(store_put_candle(st, &stale), STORE_UNCHANGED);
	assert_int_equal(count(st, "SELECT count(*) FROM candles"), 1);
	assert_int_equal(count(st, "SELECT count(*) FROM candles WHERE quote_volume IS NULL"), 1);
	store_close(st);

	/* reopen and read back every column */
	st = store_open(path, STORE_READONLY, 1000, err, sizeof err);
	assert_non_null(st);
	sqlite3_stmt *s;
	assert_int_equal(sqlite3_prepare_v2(
	                         store_db(st),
	                         "SELECT open_time, close_time, open, high, low, close, volume, "
	                         "quote_volume, trades, taker_buy_volume, taker_buy_quote_volume, "
	                         "closed FROM candles",
	                         -1, &s, NULL),
	                 SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int64(s, 0), 1735689600000LL);
	assert_int_equal(sqlite3_column_int64(s, 1), 1735689659999LL);
	assert_true(sqlite3_column_double(s, 5) == 106.5);
	assert_int_equal(sqlite3_column_type(s, 7), SQLITE_NULL);
	assert_int_equal(sqlite3_column_int64(s, 8), 42);
	assert_true(sqlite3_column_double(s, 10) == 200);
	assert_int_equal(sqlite3_column_int(s, 11), 1);
	sqlite3_finalize(s);
	store_close(st);

	/* funding, metrics, liquidations, alerts */
	st = store_open(path, 0, 1000, err, sizeof err);
	FundingRate f = {
	        .funding_time = 1735689600000LL, .funding_rate = 0.0001, .mark_price = NAN};
	strcpy(f.exchange, "binance");
	strcpy(f.symbol, "BTCUSDT");
	assert_int_equal(store_put_funding(st, &f), STORE_INSERTED);
	assert_int_equal(store_put_funding(st, &f), STORE_UNCHANGED);
	f.mark_price = 93000;
	assert_int_equal(store_put_funding(st, &f), STORE_UPDATED);
	f.mark_price = NAN; /* an unknown mark price keeps the known one */
	assert_int_equal(store_put_funding(st, &f), STORE_UNCHANGED);
	assert_int_equal(count(st, "SELECT mark_price FROM funding"), 93000);
	MarketMetric m = {.ts = 1, .value = 2.5};
	strcpy(m.exchange, "binance");
	strcpy(m.symbol, "BTCUSDT");
	strcpy(m.metric, "open_interest");
	assert_int_equal(store_put_metric(st, &m), STORE_INSERTED);
	assert_int_equal(store_put_metric(st, &m), STORE_UNCHANGED);
	Liquidation l = {.ts = 5, .price = 90000, .qty = 0.5};
	strcpy(l.exchange, "binance");
	strcpy(l.symbol, "BTCUSDT");
	strcpy(l.side, "SELL");
	assert_int_equal(store_put_liquidation(st, &l), STORE_INSERTED);
	assert_int_equal(store_put_liquidation(st, &l), STORE_UNCHANGED);
	strcpy(l.side, "SIDEWAYS");
	assert_int_equal(store_put_liquidation(st, &l), -1); /* CHECK constraint */
	AlertRecord a = {.ts = 7, .value = NAN};
	strcpy(a.exchange, "binance");
	strcpy(a.symbol, "BTCUSDT");
	strcpy(a.rule, "oi_spike");
	strcpy(a.severity, "warn");
	strcpy(a.message, "open interest z 2.7");
	assert_int_equal(store_put_alert(st, &a), STORE_INSERTED);
	assert_int_equal(count(st, "SELECT count(*) FROM alerts WHERE severity = 'warn'"), 1);
	store_close(st);
	free(path);
}

static void test_transaction_rollback(void **state)
{
	(void)state;
	char err[512];
	char *path = xasprintf("%s/tx.db", dir);
	Store *st = store_open(path, 0, 1000, err, sizeof err);
	assert_int_equal(store_begin(st), 0);
	for (int i = 0; i < 10; i++) {
		Candle c = candle(1735689600000LL + i * 60000LL, 100, 1);
		assert_int_equal(store_put_candle(st, &c), STORE_INSERTED);
	}
	store_rollback(st);
	assert_int_equal(count(st, "SELECT count(*) FROM candles"), 0);
	store_close(st);
	free(path);
}

static void test_migration_from_v1(void **state)
{
	(void)state;
	char err[512];
	char *path = xasprintf("%s/v1.db", dir);
	char *sql = tu_read_file(FB_FIXTURES "/schema-v1.sql", NULL);
	assert_non_null(sql);
	sqlite3 *db;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	free(sql);

	/* read-only cannot migrate: a clear error */
	assert_null(store_open(path, STORE_READONLY, 1000, err, sizeof err));
	assert_non_null(strstr(err, "schema version 1"));

	Store *st = store_open(path, 0, 1000, err, sizeof err);
	assert_non_null(st);
	assert_int_equal(count(st, "PRAGMA user_version"), 9);
	/* old rows kept, new columns present with their defaults, new tables created */
	assert_int_equal(count(st, "SELECT count(*) FROM candles WHERE closed = 1 AND quote_volume "
	                           "IS NULL AND trades IS NULL"),
	                 1);
	assert_int_equal(count(st, "SELECT count(*) FROM funding"), 1);
	assert_int_equal(count(st, "SELECT count(*) FROM quant_summary"), 0);
	assert_int_equal(count(st, "SELECT count(*) FROM mark_candles"), 0);  /* version 5 */
	assert_int_equal(count(st, "SELECT count(*) FROM index_candles"), 0); /* version 7 */
	assert_int_equal(count(st, "SELECT count(*) FROM pragma_table_info('backtest_trades') "
	                           "WHERE name = 'liquidated'"),
	                 1);
	assert_int_equal(count(st, "SELECT count(*) FROM backtest_equity"), 0);
	Candle c = candle(1735689600000LL, 93900, 1);
	strcpy(c.interval, "1h");
	c.close_time = 1735693199999LL;
	c.open = 93500, c.high = 94100.5, c.low = 93200.1;
	c.volume = 1234.5;
	/* the same candle with the new fields: an update, not a duplicate */
	assert_int_equal(store_put_candle(st, &c), STORE_UPDATED);
	assert_int_equal(count(st, "SELECT count(*) FROM candles"), 1);
	store_close(st);
	free(path);
}

static void test_refusals(void **state)
{
	(void)state;
	char err[512];
	char *newer = xasprintf("%s/newer.db", dir), *foreign = xasprintf("%s/foreign.db", dir);
	sqlite3 *db;
	sqlite3_open(newer, &db);
	sqlite3_exec(db, "PRAGMA user_version = 99; CREATE TABLE candles (x);", NULL, NULL, NULL);
	sqlite3_close(db);
	assert_null(store_open(newer, 0, 1000, err, sizeof err));
	assert_non_null(strstr(err, "schema version 99, newer than this program's 9"));
	sqlite3_open(foreign, &db);
	sqlite3_exec(db, "CREATE TABLE shopping (item TEXT);", NULL, NULL, NULL);
	sqlite3_close(db);
	assert_null(store_open(foreign, 0, 1000, err, sizeof err));
	assert_non_null(strstr(err, "not a futuresboard database"));
	/* the foreign file was not touched */
	sqlite3_open(foreign, &db);
	sqlite3_stmt *s;
	sqlite3_prepare_v2(db, "SELECT count(*) FROM sqlite_master", -1, &s, NULL);
	sqlite3_step(s);
	assert_int_equal(sqlite3_column_int(s, 0), 1);
	sqlite3_finalize(s);
	sqlite3_close(db);
	char *missing = xasprintf("%s/none/x.db", dir);
	assert_null(store_open(missing, STORE_READONLY, 1000, err, sizeof err));
	free(missing);
	free(newer);
	free(foreign);
}

/* Dumps the candles table in key order as text, for comparing two databases. */
static char *dump(Store *st)
{
	sqlite3_stmt *s;
	assert_int_equal(
	        sqlite3_prepare_v2(
	                store_db(st),
	                "SELECT symbol, interval, open_time, close_time, open, high, low, close, "
	                "volume, quote_volume, trades, closed FROM v_candles "
	                "ORDER BY symbol, interval, open_time",
	                -1, &s, NULL),
	        SQLITE_OK);
	size_t cap = 1 << 16, len = 0;
	char *out = xmalloc(cap);
	out[0] = '\0';
	while (sqlite3_step(s) == SQLITE_ROW) {
		if (cap - len < 512)
			out = xrealloc(out, cap *= 2);
		for (int i = 0; i < 12; i++)
			len += (size_t)snprintf(out + len, cap - len, "%s%s", i ? "," : "",
			                        sqlite3_column_type(s, i) == SQLITE_NULL
			                                ? "NULL"
			                                : (const char *)sqlite3_column_text(s, i));
		len += (size_t)snprintf(out + len, cap - len, "\n");
	}
	sqlite3_finalize(s);
	return out;
}

static void test_batch_matches_single(void **state)
{
	/* store_put_candles must give exactly what store_put_candle gives row by row: the same
	 * counts and the same rows, with duplicates, updates, open/closed rules and a mix of
	 * series inside one chunk. */
	(void)state;
	char err[512];
	char *pa = xasprintf("%s/batch-a.db", dir), *pb = xasprintf("%s/batch-b.db", dir);
	Store *a = store_open(pa, 0, 1000, err, sizeof err),
	      *b = store_open(pb, 0, 1000, err, sizeof err);
	assert_non_null(a);
	assert_non_null(b);
	srand(7);
	for (int round = 0; round < 4; round++) {
		Candle c[300];
		for (int i = 0; i < 300; i++) {
			c[i] = candle(1735689600000LL + (rand() % 150) * 60000LL, 100 + rand() % 3,
			              rand() % 4 != 0);
			if (rand() % 3 == 0)
				strcpy(c[i].symbol, "ETHUSDT");
			if (rand() % 5 == 0)
				c[i].trades = -1;
		}
		StorePutCounts want = {0, 0, 0}, got = {0, 0, 0};
		for (int i = 0; i < 300; i++) {
			int r = store_put_candle(a, &c[i]);
			assert_true(r > 0);
			*(r == STORE_INSERTED  ? &want.inserted
			  : r == STORE_UPDATED ? &want.updated
			                       : &want.unchanged) += 1;
		}
		assert_int_equal(store_begin(b), 0);
		assert_int_equal(store_put_candles(b, c, 300, &got), 0);
		assert_int_equal(store_commit(b), 0);
		assert_int_equal(got.inserted, want.inserted);
		assert_int_equal(got.updated, want.updated);
		assert_int_equal(got.unchanged, want.unchanged);
		char *da = dump(a), *db = dump(b);
		assert_string_equal(da, db);
		free(da);
		free(db);
	}
	store_close(a);
	store_close(b);
	free(pa);
	free(pb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_fresh_schema),
	        cmocka_unit_test(test_roundtrip_and_upsert),
	        cmocka_unit_test(test_transaction_rollback),
	        cmocka_unit_test(test_migration_from_v1),
	        cmocka_unit_test(test_refusals),
	        cmocka_unit_test(test_batch_matches_single),
	};
	return cmocka_run_group_tests(tests, tu_group_setup, tu_group_teardown);
}
