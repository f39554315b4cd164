/* Import: both kline layouts with and without header, CRLF, gzip, funding formats, bad lines
 * each with its line number and reason, idempotence, updates, names, microsecond times. */
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "core/xmalloc.h"
#include "store/import.h"
#include "store/internal.h"

static Store *st;

static int setup(void **state)
{
	tu_group_setup(state);
	st = tu_open_store("imp.db");
	return st ? 0 : -1;
}

static int teardown(void **state)
{
	store_close(st);
	return tu_group_teardown(state);
}

static ImportOptions opts(FILE *rejects)
{
	ImportOptions o = {.reject_out = rejects, .now_ms = 4102444800000LL /* 2100 */};
	return o;
}

static double dval(const char *sql)
{
	sqlite3_stmt *s;
	assert_int_equal(sqlite3_prepare_v2(store_db(st), sql, -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	double v = sqlite3_column_type(s, 0) == SQLITE_NULL ? NAN : sqlite3_column_double(s, 0);
	sqlite3_finalize(s);
	return v;
}

static void test_binance_12_columns(void **state)
{
	(void)state;
	char err[512];
	ImportStats s;
	ImportOptions o = opts(NULL);
	assert_int_equal(
	        import_file(st, FB_FIXTURES "/BTCUSDT-1h-2025-01.csv", &o, &s, err, sizeof err), 0);
	assert_int_equal(s.kind, IMPORT_KLINES);
	assert_string_equal(s.symbol, "BTCUSDT");
	assert_string_equal(s.interval, "1h");
	assert_int_equal(s.read, 4);
	assert_int_equal(s.inserted, 4);
	assert_int_equal(s.rejected, 0);
	assert_true(dval("SELECT quote_volume FROM v_candles WHERE symbol='BTCUSDT' AND "
	                 "open_time=1735689600000") == 798053093.62910);
	assert_true(dval("SELECT trades FROM v_candles WHERE symbol='BTCUSDT' AND "
	                 "open_time=1735693200000") == 141233);
	assert_true(dval("SELECT taker_buy_quote_volume FROM v_candles WHERE symbol='BTCUSDT' AND "
	                 "open_time=1735700400000") == 193186230.00100);
	/* idempotent */
	assert_int_equal(
	        import_file(st, FB_FIXTURES "/BTCUSDT-1h-2025-01.csv", &o, &s, err, sizeof err), 0);
	assert_int_equal(s.inserted, 0);
	assert_int_equal(s.unchanged, 4);
	assert_true(dval("SELECT count(*) FROM v_candles WHERE symbol='BTCUSDT'") == 4);
	/* a corrected row is an update */
	char *text = tu_read_file(FB_FIXTURES "/BTCUSDT-1h-2025-01.csv", NULL);
	char *p = strstr(text, "94401.10,8497.646");
	memcpy(p, "94401.20", 8);
	char *path = tu_write_file(dir, "BTCUSDT-1h-2025-01.csv", text);
	assert_int_equal(import_file(st, path, &o, &s, err, sizeof err), 0);
	assert_int_equal(s.updated, 1);
	assert_int_equal(s.unchanged, 3);
	assert_true(dval("SELECT close FROM v_candles WHERE symbol='BTCUSDT' AND "
	                 "open_time=1735689600000") == 94401.2);
	free(path);
	free(text);
}

static void test_headerless_6col_crlf(void **state)
{
	(void)state;
	char err[512];
	ImportStats s;
	ImportOptions o = opts(NULL);
	assert_int_equal(
	        import_file(st, FB_FIXTURES "/ETHUSDT-5m-2025-01-01.csv", &o, &s, err, sizeof err),
	        0);
	assert_string_equal(s.symbol, "ETHUSDT");
	assert_string_equal(s.interval, "5m");
	assert_int_equal(s.inserted, 3);
	assert_int_equal(
	        import_file(st, FB_FIXTURES "/SOLUSDT-klines-1d.csv", &o, &s, err, sizeof err), 0);
	assert_string_equal(s.interval, "1d");
	assert_int_equal(s.inserted, 2);
	/* the 6-column layout carries no quote volume: NULL, not an estimate */
	assert_true(
	        isnan(dval("SELECT quote_volume FROM v_candles WHERE symbol='SOLUSDT' LIMIT 1")));
	assert_true(dval("SELECT close_time FROM v_candles WHERE symbol='SOLUSDT' AND "
	                 "open_time=1735603200000") == 1735689599999.0);
	assert_int_equal(
	        import_file(st, FB_FIXTURES "/XRPUSDT-1d-crlf.csv", &o, &s, err, sizeof err), 0);
	assert_int_equal(s.inserted, 2);
	assert_int_equal(s.rejected, 0);
	assert_true(dval("SELECT volume FROM v_candles WHERE symbol='XRPUSDT' AND "
	                 "open_time=1735689600000") == 11);
}

static void test_bad_lines(void **state)
{
	(void)state;
	char err[512];
	ImportStats s;
	char *rpath = xasprintf("%s/rejects.txt", dir);
	FILE *rej = fopen(rpath, "w");
	ImportOptions o = opts(rej);
	assert_int_equal(
	        import_file(st, FB_FIXTURES "/ADAUSDT-1m-bad.csv", &o, &s, err, sizeof err), 0);
	fclose(rej);
	assert_int_equal(s.read, 13);
	assert_int_equal(s.inserted, 2);
	assert_int_equal(s.rejected, 11);
	char *text = tu_read_file(rpath, NULL);
	const char *expect[] = {
	        "ADAUSDT-1m-bad.csv:3: rejected: high 0.9 is below open",
	        "ADAUSDT-1m-bad.csv:4: rejected: close 'abc' is not a number",
	        "ADAUSDT-1m-bad.csv:5: rejected: expected 12 fields, found 11",
	        "ADAUSDT-1m-bad.csv:6: rejected: open_time 1735689841000 is not on the 1m grid",
	        "ADAUSDT-1m-bad.csv:7: rejected: high 0.91 is below low",
	        "ADAUSDT-1m-bad.csv:8: rejected: volumes must not be negative",
	        "ADAUSDT-1m-bad.csv:9: rejected: close_time 1735690079998 does not end the 1m "
	        "candle",
	        "ADAUSDT-1m-bad.csv:10: rejected: malformed CSV",
	        "ADAUSDT-1m-bad.csv:11: rejected: prices must be positive",
	        "ADAUSDT-1m-bad.csv:12: rejected: taker_buy_volume exceeds volume",
	        "ADAUSDT-1m-bad.csv:13: rejected: count 'x' is not a trade count",
	};
	for (size_t i = 0; i < sizeof expect / sizeof *expect; i++)
		if (!strstr(text, expect[i])) {
			print_error("missing '%s' in:\n%s", expect[i], text);
			fail();
		}
	assert_true(dval("SELECT count(*) FROM v_candles WHERE symbol='ADAUSDT'") == 2);
	free(text);
	free(rpath);
}

static void test_gzip(void **state)
{
	(void)state;
	char err[512];
	ImportStats s;
	ImportOptions o = opts(NULL);
	char *text = tu_read_file(FB_FIXTURES "/BTCUSDT-1h-2025-01.csv", NULL);
	char *path = xasprintf("%s/DOGEUSDT-1h-2025-01.csv.gz", dir);
	gzFile gz = gzopen(path, "wb");
	gzputs(gz, text);
	gzclose(gz);
	assert_int_equal(import_file(st, path, &o, &s, err, sizeof err), 0);
	assert_string_equal(s.symbol, "DOGEUSDT");
	assert_int_equal(s.inserted, 4);
	assert_true(dval("SELECT sum(volume) FROM v_candles WHERE symbol='DOGEUSDT'") ==
	            dval("SELECT sum(volume) FROM v_candles WHERE symbol='BTCUSDT'"));
	free(path);
	free(text);
}

static void test_funding(void **state)
{
	(void)state;
	char err[512];
	ImportStats s;
	ImportOptions o = opts(NULL);
	assert_int_equal(import_file(st, FB_FIXTURES "/BTCUSDT-fundingRate-2025-01.csv", &o, &s,
	                             err, sizeof err),
	                 0);
	assert_int_equal(s.kind, IMPORT_FUNDING);
	assert_int_equal(s.inserted, 3);
	assert_true(dval("SELECT funding_rate FROM funding WHERE symbol='BTCUSDT' AND "
	                 "funding_time=1735747200000") == -0.000025);
	assert_int_equal(
	        import_file(st, FB_FIXTURES "/ETHUSDT-fundingRate.csv", &o, &s, err, sizeof err),
	        0);
	assert_int_equal(s.inserted, 2);
	/* the third column there is a mark-price candle open, not Binance's markPrice: not stored */
	assert_true(isnan(dval("SELECT mark_price FROM funding WHERE symbol='ETHUSDT' LIMIT 1")));
	/* with a symbol column, the symbol comes from each row */
	char *path = tu_write_file(dir, "funding-export.csv",
	                           "symbol,fundingTime,fundingRate,markPrice\n"
	                           "BNBUSDT,1735689600000,0.0001,702.5\n"
	                           "bnb usdt,1735718400000,0.0001,702.5\n");
	ImportOptions o2 = opts(NULL);
	o2.kind = IMPORT_FUNDING;
	assert_int_equal(import_file(st, path, &o2, &s, err, sizeof err), 0);
	assert_int_equal(s.inserted, 1);
	assert_int_equal(s.rejected, 1);
	assert_true(dval("SELECT mark_price FROM funding WHERE symbol='BNBUSDT'") == 702.5);
	free(path);
}

static void test_names_and_flags(void **state)
{
	(void)state;
	char sym[32], ivl[8], err[512];
	ImportKind k;
	assert_int_equal(import_parse_name("/x/BTCUSDT-5m-2025-01.csv", sym, sizeof sym, ivl,
	                                   sizeof ivl, &k, err, sizeof err),
	                 0);
	assert_string_equal(sym, "BTCUSDT");
	assert_string_equal(ivl, "5m");
	assert_int_equal(k, IMPORT_KLINES);
	assert_int_equal(import_parse_name("BTCUSDT-klines-1h.csv.gz", sym, sizeof sym, ivl,
	                                   sizeof ivl, &k, err, sizeof err),
	                 0);
	assert_string_equal(ivl, "1h");
	assert_int_equal(import_parse_name("ETHUSDT-fundingRate-2025-01.csv", sym, sizeof sym, ivl,
	                                   sizeof ivl, &k, err, sizeof err),
	                 0);
	assert_int_equal(k, IMPORT_FUNDING);
	assert_string_equal(sym, "ETHUSDT");
	assert_int_equal(import_parse_name("data.csv", sym, sizeof sym, ivl, sizeof ivl, &k, err,
	                                   sizeof err),
	                 0);
	assert_string_equal(sym, "");
	/* mark-price candles go to their own table, never among the trade candles */
	assert_int_equal(import_parse_name("BTCUSDT-markPriceKlines-1h.csv.gz", sym, sizeof sym,
	                                   ivl, sizeof ivl, &k, err, sizeof err),
	                 0);
	assert_int_equal(k, IMPORT_MARK);
	assert_string_equal(ivl, "1h");
	assert_int_equal(import_parse_name("BTCUSDT-indexPriceKlines-1h.csv.gz", sym, sizeof sym,
	                                   ivl, sizeof ivl, &k, err, sizeof err),
	                 -1);
	assert_non_null(strstr(err, "indexPriceKlines files are not trade candles"));

	ImportStats s;
	ImportOptions o = opts(NULL);
	char *path = tu_write_file(dir, "data.csv", "1735689600000,1,2,0.5,1.5,10\n");
	assert_int_equal(import_file(st, path, &o, &s, err, sizeof err), -1);
	assert_non_null(strstr(err, "no interval"));
	o.interval = "1h";
	assert_int_equal(import_file(st, path, &o, &s, err, sizeof err), -1);
	assert_non_null(strstr(err, "no symbol"));
	o.symbol = "LINKUSDT";
	o.exchange = "simex";
	assert_int_equal(import_file(st, path, &o, &s, err, sizeof err), 0);
	assert_int_equal(s.inserted, 1);
	assert_true(dval("SELECT count(*) FROM v_candles WHERE exchange='simex' AND "
	                 "symbol='LINKUSDT' AND interval='1h'") == 1);
	free(path);
	/* unknown layout without a header */
	path = tu_write_file(dir, "TRXUSDT-1h-x.csv", "1735689600000,1,2,0.5\n");
	assert_int_equal(import_file(st, path, &o, &s, err, sizeof err), -1);
	assert_non_null(strstr(err, "TRXUSDT-1h-x.csv:1: cannot tell the layout: 4 fields"));
	free(path);
	/* a header without the needed columns */
	path = tu_write_file(dir, "TRXUSDT-1h-y.csv", "time,price\n1,2\n");
	assert_int_equal(import_file(st, path, &o, &s, err, sizeof err), -1);
	assert_non_null(strstr(err, "TRXUSDT-1h-y.csv:1: the header has no open_time column"));
	free(path);
}

static void test_microseconds_and_open_candle(void **state)
{
	(void)state;
	char err[512];
	ImportStats s;
	ImportOptions o = opts(NULL);
	o.now_ms = 1735689600000LL + 30000; /* half way through the first 1m candle */
	char *path =
	        tu_write_file(dir, "AVAXUSDT-1m-2025-01-01.csv",
	                      "1735689540000000,1,2,0.5,1.5,10,1735689599999999,15,3,5,7.5,0\n"
	                      "1735689600000000,1,2,0.5,1.5,10,1735689659999999,15,3,5,7.5,0\n");
	assert_int_equal(import_file(st, path, &o, &s, err, sizeof err), 0);
	assert_int_equal(s.inserted, 2);
	assert_true(dval("SELECT closed FROM v_candles WHERE symbol='AVAXUSDT' AND "
	                 "open_time=1735689540000") == 1);
	assert_true(dval("SELECT closed FROM v_candles WHERE symbol='AVAXUSDT' AND "
	                 "open_time=1735689600000") == 0);
	free(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_binance_12_columns),
	        cmocka_unit_test(test_headerless_6col_crlf),
	        cmocka_unit_test(test_bad_lines),
	        cmocka_unit_test(test_gzip),
	        cmocka_unit_test(test_funding),
	        cmocka_unit_test(test_names_and_flags),
	        cmocka_unit_test(test_microseconds_and_open_candle),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
