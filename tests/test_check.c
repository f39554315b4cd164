/* db check on planted problems: gaps (counts and first/last missing times), misaligned open
 * times, bad OHLC rows; a clean series passes. */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "core/xmalloc.h"
#include "store/check.h"
#include "store/internal.h"

static Store *st;

static int setup(void **state)
{
	tu_group_setup(state);
	st = tu_open_store("chk.db");
	return st ? 0 : -1;
}

static int teardown(void **state)
{
	store_close(st);
	return tu_group_teardown(state);
}

static void put(const char *symbol, const char *interval, int64_t ot, int64_t ivl, double o,
                double h, double l, double c)
{
	/* Raw SQL, not the import path: db check must find what import would have refused. */
	char *sql =
	        xasprintf("INSERT OR IGNORE INTO series (exchange, symbol, interval) "
	                  "VALUES ('binance', '%s', '%s');"
	                  "INSERT INTO candles (series_id, open_time, close_time, open, high, low, "
	                  "close, volume) SELECT id, %lld, %lld, %g, %g, %g, %g, 1 FROM series "
	                  "WHERE exchange = 'binance' AND symbol = '%s' AND interval = '%s'",
	                  symbol, interval, (long long)ot, (long long)(ot + ivl - 1), o, h, l, c,
	                  symbol, interval);
	assert_int_equal(sqlite3_exec(store_db(st), sql, NULL, NULL, NULL), SQLITE_OK);
	free(sql);
}

static char *run_check(const char *symbol, CheckReport *rep, int *rc)
{
	char *path = xasprintf("%s/check.txt", dir), err[256];
	FILE *out = fopen(path, "w");
	CheckOptions opt = {.symbol = symbol, .max_listed = 10};
	*rc = check_candles(st, &opt, out, rep, err, sizeof err);
	fclose(out);
	char *text = tu_read_file(path, NULL);
	free(path);
	return text;
}

static void test_clean(void **state)
{
	(void)state;
	const int64_t m5 = 300000, t0 = 1735689600000LL;
	for (int i = 0; i < 100; i++)
		put("GOODUSDT", "5m", t0 + i * m5, m5, 10, 11, 9, 10.5);
	CheckReport rep;
	int rc;
	char *text = run_check("GOODUSDT", &rep, &rc);
	assert_int_equal(rc, 0);
	assert_int_equal(rep.candles, 100);
	assert_int_equal(rep.gaps, 0);
	assert_non_null(strstr(text, "binance GOODUSDT 5m: 100 candles 2025-01-01T00:00:00.000Z .. "
	                             "2025-01-01T08:15:00.000Z: ok"));
	free(text);
}

static void test_planted(void **state)
{
	(void)state;
	const int64_t h1 = 3600000, t0 = 1735689600000LL;
	for (int i = 0; i < 48; i++) {
		if (i == 5 || (i >= 20 && i <= 22))
			continue; /* gaps: 1 candle at 05:00, 3 candles 20:00..22:00 */
		double hi = i == 30 ? 9.5 : 11; /* high below open */
		double lo = i == 31 ? 10.6 : 9; /* low above close */
		put("GAPUSDT", "1h", t0 + i * h1, h1, 10, hi, lo, 10.5);
	}
	put("GAPUSDT", "1h", t0 + 40 * h1 + 60000, h1, 10, 11, 9, 10.5); /* misaligned */
	/* stored while forming, and never replaced by its final values */
	char *sql = xasprintf("UPDATE candles SET closed = 0 WHERE open_time = %lld",
	                      (long long)(t0 + 10 * h1));
	assert_int_equal(sqlite3_exec(store_db(st), sql, NULL, NULL, NULL), SQLITE_OK);
	free(sql);
	CheckReport rep;
	int rc;
	char *text = run_check("GAPUSDT", &rep, &rc);
	assert_int_equal(rc, 1);
	assert_int_equal(rep.gaps, 2);
	assert_int_equal(rep.missing, 4);
	assert_int_equal(rep.misaligned, 1);
	assert_int_equal(rep.bad_ohlc, 2);
	assert_int_equal(rep.incomplete, 1);
	const char *expect[] = {
	        "binance GAPUSDT 1h: candle 2025-01-01T10:00:00.000Z is incomplete (stored while "
	        "forming)",
	        "binance GAPUSDT 1h: gap of 1 candle, 2025-01-01T05:00:00.000Z to "
	        "2025-01-01T05:00:00.000Z",
	        "binance GAPUSDT 1h: gap of 3 candles, 2025-01-01T20:00:00.000Z to "
	        "2025-01-01T22:00:00.000Z",
	        "binance GAPUSDT 1h: candle 2025-01-02T06:00:00.000Z: high is not the highest "
	        "price",
	        "binance GAPUSDT 1h: candle 2025-01-02T07:00:00.000Z: low is not the lowest price",
	        "binance GAPUSDT 1h: open time 2025-01-02T16:01:00.000Z is not on the 1h grid",
	        "2 gaps (4 candles missing), 1 incomplete, 1 misaligned, 2 bad OHLC",
	};
	for (size_t i = 0; i < sizeof expect / sizeof *expect; i++)
		if (!strstr(text, expect[i])) {
			print_error("missing '%s' in:\n%s", expect[i], text);
			fail();
		}
	free(text);
}

static void test_stats(void **state)
{
	(void)state;
	char *path = xasprintf("%s/stats.txt", dir), err[256];
	FILE *out = fopen(path, "w");
	assert_int_equal(check_stats(st, out, err, sizeof err), 0);
	fclose(out);
	char *text = tu_read_file(path, NULL);
	assert_non_null(strstr(text, "binance GOODUSDT 5m"));
	assert_non_null(strstr(text, "100 rows  2025-01-01T00:00:00.000Z .. "
	                             "2025-01-01T08:15:00.000Z  100.00% coverage"));
	free(text);
	free(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_clean),
	        cmocka_unit_test(test_planted),
	        cmocka_unit_test(test_stats),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
