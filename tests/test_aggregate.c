/* Aggregation: hand-made cases (exact decimal sums, a missing part, weekly alignment) and, when
 * the recorded Binance data is present, every 1h candle built from the 5m ones and every 1d
 * candle from the 1h ones equal to Binance's own, except the four hours in which Binance's 5m
 * and 1h candles disagree (see ../shared/data/SOURCES.md) and the unfinished last ones. */
#include "testutil.h"

#include <math.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/timeutil.h"
#include "core/xmalloc.h"
#include "quant/aggregate.h"
#include "quant/derive.h"
#include "store/import.h"
#include "store/internal.h"

#define T0 INT64_C(1735689600000) /* 2025-01-01T00:00:00Z, a Wednesday */

static Candle mk(const char *iv, int64_t open, double o, double h, double l, double c, double v)
{
	Candle k = {.open_time = open, .open = o, .high = h, .low = l, .close = c, .volume = v};
	snprintf(k.symbol, sizeof k.symbol, "BTCUSDT");
	snprintf(k.exchange, sizeof k.exchange, "binance");
	snprintf(k.interval, sizeof k.interval, "%s", iv);
	k.close_time = open + fb_interval_ms(iv) - 1;
	k.quote_volume = v * c;
	k.taker_buy_volume = NAN;
	k.taker_buy_quote_volume = v / 2;
	k.trades = 3;
	k.closed = 1;
	return k;
}

static void test_hand(void **state)
{
	(void)state;
	Aggregator a;
	assert_int_equal(agg_init(&a, "15m"), 0);
	assert_int_equal(agg_init(&a, "3d"), -1);
	agg_init(&a, "15m");
	Candle out;
	Candle k1 = mk("5m", T0, 10, 12, 9, 11, 0.1);
	Candle k2 = mk("5m", T0 + 300000, 11, 15, 10.5, 14, 0.2);
	Candle k3 = mk("5m", T0 + 600000, 14, 14.5, 8, 9, 0.7);
	k1.quote_volume = 1.1;
	k2.quote_volume = 2.8;
	k3.quote_volume = 6.3;
	assert_int_equal(agg_push(&a, &k1, &out), 0);
	assert_int_equal(agg_push(&a, &k2, &out), 0);
	assert_int_equal(agg_push(&a, &k3, &out), 1);
	assert_int_equal(out.open_time, T0);
	assert_int_equal(out.close_time, T0 + 900000 - 1);
	assert_string_equal(out.interval, "15m");
	assert_true(out.open == 10 && out.high == 15 && out.low == 8 && out.close == 9);
	assert_true(out.volume == 1.0); /* 0.1 + 0.2 + 0.7 as decimals, not 0.99999... */
	/* quote volumes 1.1, 2.8 and 6.3: 10.2 exactly, where adding the doubles does not */
	assert_true(out.quote_volume == 10.2);
	assert_true(out.trades == 9);
	assert_true(isnan(out.taker_buy_volume)); /* unknown in a part: unknown */
	assert_true(out.taker_buy_quote_volume == 0.5);
	/* a missing part: no candle, counted */
	Candle k4 = mk("5m", T0 + 900000, 9, 9, 9, 9, 1);
	Candle k6 = mk("5m", T0 + 1500000, 9, 9, 9, 9, 1);
	assert_int_equal(agg_push(&a, &k4, &out), 0);
	assert_int_equal(agg_push(&a, &k6, &out), 0);
	assert_int_equal(a.incomplete, 1);
	/* weeks open on Monday 00:00 UTC: 2024-12-30 */
	agg_init(&a, "1w");
	Candle d = mk("1d", T0, 1, 1, 1, 1, 1);
	assert_int_equal(agg_push(&a, &d, &out), 0);
	assert_int_equal(a.cur.open_time, T0 - 2 * FB_DAY_MS);
}

/* Reads every candle of a series from the store, in time order. */
static Candle *load(Store *st, const char *sym, const char *iv, long *n)
{
	sqlite3_stmt *s;
	sqlite3_prepare_v2(store_db(st),
	                   "SELECT open_time, open, high, low, close, volume FROM v_candles "
	                   "WHERE symbol = ?1 AND interval = ?2 ORDER BY open_time",
	                   -1, &s, NULL);
	sqlite3_bind_text(s, 1, sym, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, iv, -1, SQLITE_STATIC);
	long cap = 1024;
	Candle *c = malloc((size_t)cap * sizeof *c);
	*n = 0;
	while (sqlite3_step(s) == SQLITE_ROW) {
		if (*n == cap)
			c = realloc(c, (size_t)(cap *= 2) * sizeof *c);
		c[*n] = mk(iv, sqlite3_column_int64(s, 0), sqlite3_column_double(s, 1),
		           sqlite3_column_double(s, 2), sqlite3_column_double(s, 3),
		           sqlite3_column_double(s, 4), sqlite3_column_double(s, 5));
		c[*n].quote_volume = c[*n].taker_buy_quote_volume = NAN;
		(*n)++;
	}
	sqlite3_finalize(s);
	return c;
}

static int same(const Candle *a, const Candle *b)
{
	return a->open_time == b->open_time && a->open == b->open && a->high == b->high &&
	       a->low == b->low && a->close == b->close && a->volume == b->volume;
}

/* Builds `hi` from `lo` and compares with the stored `hi`; returns the open times that
 * differ in *diff (at most 16). */
static long compare(Store *st, const char *sym, const char *lo, const char *hi, long *checked,
                    int64_t *diff, int *ndiff)
{
	long nl, nh;
	Candle *l = load(st, sym, lo, &nl), *h = load(st, sym, hi, &nh);
	Aggregator a;
	agg_init(&a, hi);
	long j = 0;
	*ndiff = 0;
	*checked = 0;
	for (long i = 0; i < nl; i++) {
		Candle out;
		if (!agg_push(&a, &l[i], &out))
			continue;
		while (j < nh && h[j].open_time < out.open_time)
			j++;
		if (j == nh)
			break;
		(*checked)++;
		if (!same(&out, &h[j]) && *ndiff < 16)
			diff[(*ndiff)++] = out.open_time;
	}
	free(l);
	free(h);
	return nh;
}

static void test_real_data(void **state)
{
	(void)state;
	static const char *const syms[] = {"BTCUSDT", "ETHUSDT", "SOLUSDT",
	                                   "BNBUSDT", "XRPUSDT", "DOGEUSDT"};
	char path[1024];
	snprintf(path, sizeof path, "%s/klines/BTCUSDT-klines-5m.csv.gz", FB_SHARED_DATA);
	if (access(path, R_OK) != 0) {
		print_message("skipped: %s is absent\n", path);
		skip();
	}
	Store *st = tu_open_store("agg.db");
	long total = 0;
	for (int s = 0; s < 6; s++) {
		static const char *const ivs[] = {"5m", "1h", "1d"};
		for (int i = 0; i < 3; i++) {
			char err[512];
			ImportStats stats;
			ImportOptions o = {.now_ms = INT64_MAX};
			snprintf(path, sizeof path, "%s/klines/%s-klines-%s.csv.gz", FB_SHARED_DATA,
			         syms[s], ivs[i]);
			assert_int_equal(import_file(st, path, &o, &stats, err, sizeof err), 0);
		}
		int64_t diff[16];
		int nd;
		long checked;
		compare(st, syms[s], "5m", "1h", &checked, diff, &nd);
		total += checked;
		assert_true(checked > 9900);
		/* only the hours Binance itself disagrees on (2025-01-14 13:00 and 15:00,
		 * 2025-01-29 01:00 and 02:00), never anything else */
		for (int k = 0; k < nd; k++) {
			char t[32];
			fb_time_format(diff[k], t, sizeof t);
			if (strcmp(t, "2025-01-14T13:00:00.000Z") &&
			    strcmp(t, "2025-01-14T15:00:00.000Z") &&
			    strcmp(t, "2025-01-29T01:00:00.000Z") &&
			    strcmp(t, "2025-01-29T02:00:00.000Z"))
				fail_msg("%s 1h %s differs from the candle built from 5m", syms[s],
				         t);
		}
		compare(st, syms[s], "1h", "1d", &checked, diff, &nd);
		total += checked;
		assert_true(checked > 400);
		for (int k = 0; k < nd; k++) {
			char t[32];
			fb_time_format(diff[k], t, sizeof t);
			if (strcmp(t, "2025-01-14T00:00:00.000Z") &&
			    strcmp(t, "2025-01-29T00:00:00.000Z"))
				fail_msg("%s 1d %s differs from the candle built from 1h", syms[s],
				         t);
		}
	}
	print_message(
	        "%ld built candles compared with Binance's own; only the known hours differ\n",
	        total);
	store_close(st);
}

static long count_of(Store *st, const char *sql)
{
	sqlite3_stmt *s;
	long n = -1;
	if (sqlite3_prepare_v2(store_db(st), sql, -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW)
		n = (long)sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return n;
}

/* db aggregate's engine: only complete buckets stored, as their own series marked derived,
 * idempotent; the exchange's own series never overwritten, and replacing the built one when
 * it arrives; the cross check lists each field that differs. */
static void test_derive(void **state)
{
	(void)state;
	char err[512];
	char *path = xasprintf("%s/derive.db", dir);
	Store *st = store_open(path, 0, 1000, err, sizeof err);
	assert_non_null(st);
	/* three hours of 5m candles, one missing in the second hour */
	assert_int_equal(store_begin(st), 0);
	for (int i = 0; i < 36; i++)
		if (i != 17) {
			Candle c =
			        mk("5m", T0 + i * 300000, 100 + i, 101 + i, 99 + i, 100.5 + i, 0.1);
			assert_int_equal(store_put_candle(st, &c), STORE_INSERTED);
		}
	assert_int_equal(store_commit(st), 0);
	char from[8];
	assert_int_equal(derive_source(st, "binance", "BTCUSDT", "1h", from, sizeof from), 0);
	assert_string_equal(from, "5m");
	assert_int_equal(derive_kind(st, "binance", "BTCUSDT", "1h", NULL, 0), DERIVE_NONE);
	DeriveCounts dc;
	assert_int_equal(derive_build(st, "binance", "BTCUSDT", "5m", "1h", &dc, err, sizeof err),
	                 0);
	assert_int_equal(dc.built, 2);
	assert_int_equal(dc.incomplete, 1); /* the hour with a missing 5m candle */
	assert_int_equal(derive_kind(st, "binance", "BTCUSDT", "1h", from, sizeof from),
	                 DERIVE_BUILT);
	assert_string_equal(from, "5m");
	/* twelve volumes of 0.1 add up to exactly 1.2, as the exchange's decimals do */
	assert_int_equal(count_of(st, "SELECT count(*) FROM v_candles WHERE interval = '1h' AND "
	                              "volume = 1.2"),
	                 2);
	/* again: nothing new */
	assert_int_equal(derive_build(st, "binance", "BTCUSDT", "5m", "1h", &dc, err, sizeof err),
	                 0);
	assert_int_equal(dc.built, 0);
	assert_int_equal(dc.unchanged, 2);
	/* 7m does not divide an hour; a 5m series cannot be built from 1h */
	assert_int_equal(derive_build(st, "binance", "BTCUSDT", "1h", "5m", &dc, err, sizeof err),
	                 -1);
	/* the exchange's own 1h arrives: it replaces the built candles */
	Candle own = mk("1h", T0, 100, 112, 99, 111.5, 1.3);
	assert_int_equal(store_put_candle(st, &own), STORE_INSERTED);
	assert_int_equal(derive_kind(st, "binance", "BTCUSDT", "1h", NULL, 0), DERIVE_EXCHANGE);
	assert_int_equal(count_of(st, "SELECT count(*) FROM v_candles WHERE interval = '1h'"), 1);
	/* and is never overwritten by a build */
	assert_int_equal(derive_build(st, "binance", "BTCUSDT", "5m", "1h", &dc, err, sizeof err),
	                 -1);
	assert_non_null(strstr(err, "never overwritten"));
	assert_int_equal(count_of(st, "SELECT count(*) FROM v_candles WHERE interval = '1h' AND "
	                              "volume = 1.3"),
	                 1);
	/* the cross check: its volume (1.3 against 1.2) and nothing else */
	char *listing = xasprintf("%s/cross.txt", dir);
	FILE *f = fopen(listing, "w");
	long eq, df;
	assert_int_equal(
	        derive_cross(st, "binance", "BTCUSDT", "5m", "1h", f, 0, &eq, &df, err, sizeof err),
	        0);
	fclose(f);
	assert_int_equal(eq, 0);
	assert_int_equal(df, 1);
	char *text = tu_read_file(listing, NULL);
	assert_non_null(strstr(text, "2025-01-01T00:00:00.000Z: volume 1.3 (built from 5m: 1.2)"));
	assert_null(strstr(text, "close"));
	free(text);
	free(listing);
	store_close(st);
	free(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_hand),
	        cmocka_unit_test(test_real_data),
	        cmocka_unit_test(test_derive),
	};
	return cmocka_run_group_tests(tests, tu_group_setup, tu_group_teardown);
}
