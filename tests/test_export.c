/* Export: exact bytes against hand-written expected files, quoting, NULLs, filters, number
 * formatting. */
#include "testutil.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/xmalloc.h"
#include "store/export.h"
#include "store/import.h"

static Store *st;

static int setup(void **state)
{
	char err[256];
	tu_group_setup(state);
	st = tu_open_store("exp.db");
	ImportOptions o = {.now_ms = 4102444800000LL};
	ImportStats s;
	if (!st ||
	    import_file(st, FB_FIXTURES "/BTCUSDT-1h-2025-01.csv", &o, &s, err, sizeof err) ||
	    import_file(st, FB_FIXTURES "/ETHUSDT-5m-2025-01-01.csv", &o, &s, err, sizeof err) ||
	    import_file(st, FB_FIXTURES "/BTCUSDT-fundingRate-2025-01.csv", &o, &s, err,
	                sizeof err))
		return -1;
	return 0;
}

static int teardown(void **state)
{
	store_close(st);
	return tu_group_teardown(state);
}

/* Exports into a string; caller frees. */
static char *export_str(ExportTable t, const ExportFilter *f, long *rows)
{
	char *path = xasprintf("%s/out.csv", dir), err[256];
	FILE *out = fopen(path, "wb");
	*rows = export_csv(store_reader(st), t, f, out, err, sizeof err);
	fclose(out);
	char *text = tu_read_file(path, NULL);
	free(path);
	return text;
}

static ExportFilter all(void)
{
	ExportFilter f = {.from_ms = INT64_MIN, .to_ms = INT64_MAX};
	return f;
}

static void test_candles_exact_bytes(void **state)
{
	(void)state;
	const char *syms[] = {"BTCUSDT"};
	ExportFilter f = all();
	f.symbols = syms;
	f.nsymbols = 1;
	long rows;
	char *got = export_str(EXPORT_CANDLES, &f, &rows);
	char *want = tu_read_file(FB_FIXTURES "/export-candles.csv", NULL);
	assert_int_equal(rows, 4);
	assert_string_equal(got, want);
	free(got);
	free(want);
	got = export_str(EXPORT_FUNDING, &f, &rows);
	want = tu_read_file(FB_FIXTURES "/export-funding.csv", NULL);
	assert_int_equal(rows, 3);
	assert_string_equal(got, want);
	free(got);
	free(want);
}

static void test_filters(void **state)
{
	(void)state;
	long rows;
	ExportFilter f = all();
	free(export_str(EXPORT_CANDLES, &f, &rows));
	assert_int_equal(rows, 7);
	f.interval = "5m";
	free(export_str(EXPORT_CANDLES, &f, &rows));
	assert_int_equal(rows, 3);
	f = all();
	f.from_ms = 1735693200000LL; /* 01:00, inclusive */
	f.to_ms = 1735700400000LL;   /* 03:00, exclusive */
	char *text = export_str(EXPORT_CANDLES, &f, &rows);
	assert_int_equal(rows, 2);
	assert_non_null(strstr(text, "2025-01-01T01:00:00.000Z"));
	assert_null(strstr(text, "2025-01-01T03:00:00.000Z"));
	free(text);
	const char *syms[] = {"ETHUSDT", "NOSUCHUSDT"};
	f = all();
	f.symbols = syms;
	f.nsymbols = 2;
	free(export_str(EXPORT_CANDLES, &f, &rows));
	assert_int_equal(rows, 3);
	f = all();
	f.exchange = "simex";
	text = export_str(EXPORT_CANDLES, &f, &rows);
	assert_int_equal(rows, 0);
	assert_string_equal(
	        text,
	        "exchange,symbol,interval,open_time,open_time_ms,close_time_ms,open,high,low,close,"
	        "volume,quote_volume,trades,taker_buy_volume,taker_buy_quote_volume,closed\r\n");
	free(text);
}

static void test_quoting_and_nulls(void **state)
{
	(void)state;
	AlertRecord a = {.ts = 1735689600000LL, .value = NAN};
	strcpy(a.exchange, "binance");
	strcpy(a.symbol, "BTCUSDT");
	strcpy(a.interval, "5m");
	strcpy(a.rule, "oi_spike");
	strcpy(a.severity, "crit");
	strcpy(a.message, "OI z 2.7, \"spike\"\nnext");
	assert_int_equal(store_put_alert(st, &a), STORE_INSERTED);
	MarketMetric m = {.ts = 1735689600000LL, .value = 0.1};
	strcpy(m.exchange, "binance");
	strcpy(m.symbol, "BTCUSDT");
	strcpy(m.metric, "ls_ratio_global");
	store_put_metric(st, &m);
	long rows;
	ExportFilter f = all();
	char *text = export_str(EXPORT_ALERTS, &f, &rows);
	assert_int_equal(rows, 1);
	assert_string_equal(
	        text, "id,time,time_ms,exchange,symbol,interval,rule,severity,value,message\r\n"
	              "1,2025-01-01T00:00:00.000Z,1735689600000,binance,BTCUSDT,5m,oi_spike,crit,,"
	              "\"OI z 2.7, \"\"spike\"\"\\x0Anext\"\r\n"); /* never a control byte */
	free(text);
	f.metric = "ls_ratio_global";
	text = export_str(EXPORT_METRICS, &f, &rows);
	assert_string_equal(
	        text,
	        "exchange,symbol,metric,time,time_ms,value\r\n"
	        "binance,BTCUSDT,ls_ratio_global,2025-01-01T00:00:00.000Z,1735689600000,0.1\r\n");
	free(text);
}

static void test_number_format(void **state)
{
	(void)state;
	char buf[64];
	assert_string_equal(export_format_double(0.1, buf, sizeof buf), "0.1");
	assert_string_equal(export_format_double(94401.1, buf, sizeof buf), "94401.1");
	assert_string_equal(export_format_double(100, buf, sizeof buf), "100");
	assert_string_equal(export_format_double(0.1 + 0.2, buf, sizeof buf),
	                    "0.30000000000000004");
	/* every value reads back to the same double */
	for (double v = 1e-9; v < 1e12; v *= 1.37) {
		export_format_double(v, buf, sizeof buf);
		assert_true(strtod(buf, NULL) == v);
	}
	ExportTable t;
	assert_int_equal(export_table_parse("funding", &t), 0);
	assert_int_equal(t, EXPORT_FUNDING);
	assert_int_equal(export_table_parse("features", &t), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_candles_exact_bytes),
	        cmocka_unit_test(test_filters),
	        cmocka_unit_test(test_quoting_and_nulls),
	        cmocka_unit_test(test_number_format),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
