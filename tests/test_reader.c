/* The store's reader interface over SQLite: filters, both orders, time bounds, newest and
 * oldest, and a read error reported at the end of a loop instead of a shorter result. */
#include "testutil.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/xmalloc.h"
#include "quant/metricmap.h"
#include "store/reader.h"
#include "store/store.h"

static Candle candle(const char *ex, const char *sym, const char *iv, int64_t ot, int64_t ivms,
                     double close, int closed)
{
	Candle c;
	memset(&c, 0, sizeof c);
	snprintf(c.exchange, sizeof c.exchange, "%s", ex);
	snprintf(c.symbol, sizeof c.symbol, "%s", sym);
	snprintf(c.interval, sizeof c.interval, "%s", iv);
	c.open_time = ot;
	c.close_time = ot + ivms - 1;
	c.open = c.high = c.low = c.close = close;
	c.volume = 1;
	c.quote_volume = c.taker_buy_volume = c.taker_buy_quote_volume = NAN;
	c.trades = -1;
	c.closed = closed;
	return c;
}

static Store *filled(const char *name)
{
	Store *st = tu_open_store(name);
	assert_non_null(st);
	assert_int_equal(store_begin(st), 0);
	for (int k = 0; k < 10; k++) {
		Candle c = candle("binance", "BTCUSDT", "1m", k * 60000, 60000, 100 + k, k < 9);
		assert_true(store_put_candle(st, &c) > 0);
		c = candle("binance", "ETHUSDT", "1m", k * 60000, 60000, 10 + k, 1);
		assert_true(store_put_candle(st, &c) > 0);
		c = candle("simex", "BTCUSDT", "1m", k * 60000, 60000, 200 + k, 1);
		assert_true(store_put_candle(st, &c) > 0);
	}
	Candle h = candle("binance", "BTCUSDT", "5m", 0, 300000, 104, 1);
	assert_true(store_put_candle(st, &h) > 0);
	FundingRate f = {"binance", "BTCUSDT", 120000, 0.0001, NAN};
	assert_true(store_put_funding(st, &f) > 0);
	MarketMetric m = {"binance", "BTCUSDT", "open_interest", 60000, 5};
	assert_true(store_put_metric(st, &m) > 0);
	assert_int_equal(store_commit(st), 0);
	return st;
}

static int count(StoreReader *rd, const StoreQuery *q, StoreRow *first, StoreRow *last)
{
	char err[256];
	StoreCursor *c = store_query(rd, q, err, sizeof err);
	assert_non_null(c);
	StoreRow row;
	int n = 0, rc;
	while ((rc = store_next(c, &row, err, sizeof err)) == 1) {
		if (!n && first)
			*first = row;
		if (last)
			*last = row;
		n++;
	}
	assert_int_equal(rc, 0);
	store_cursor_close(c);
	return n;
}

static void test_filters_and_orders(void **state)
{
	(void)state;
	Store *st = filled("r1.db");
	StoreReader *rd = store_reader(st);
	StoreQuery q = store_query_all(SR_CANDLES);
	assert_int_equal(count(rd, &q, NULL, NULL), 31);
	q.closed_only = 1;
	assert_int_equal(count(rd, &q, NULL, NULL), 30);
	const char *syms[] = {"BTCUSDT"}, *ivs[] = {"1m"};
	q.exchange = "binance", q.symbols = syms, q.nsymbols = 1, q.intervals = ivs,
	q.nintervals = 1;
	StoreRow a, b;
	assert_int_equal(count(rd, &q, &a, &b), 9);
	assert_int_equal(a.u.candle.open_time, 0);
	assert_true(b.u.candle.close == 108);
	assert_true(isnan(a.u.candle.quote_volume));
	assert_int_equal(a.u.candle.trades, -1);
	/* [from, to) on the open time, or on the close time */
	q.from_ms = 60000, q.to_ms = 179999; /* open times 60000 and 120000 */
	assert_int_equal(count(rd, &q, &a, NULL), 2);
	assert_int_equal(a.u.candle.open_time, 60000);
	q.by_close = 1; /* close time 119999 only (179999 is the end, excluded) */
	assert_int_equal(count(rd, &q, &a, NULL), 1);
	assert_int_equal(a.u.candle.open_time, 60000);
	/* by time: every series' candle of one minute before the next minute's */
	StoreQuery t = store_query_all(SR_CANDLES);
	t.intervals = ivs, t.nintervals = 1, t.order = SR_BY_TIME, t.closed_only = 1;
	char err[256];
	StoreCursor *c = store_query(rd, &t, err, sizeof err);
	int64_t prev = -1;
	int n = 0;
	StoreRow row;
	while (store_next(c, &row, err, sizeof err) == 1) {
		assert_true(row.u.candle.open_time >= prev);
		prev = row.u.candle.open_time;
		if (n == 0)
			assert_string_equal(row.u.candle.exchange, "binance");
		if (n == 2)
			assert_string_equal(row.u.candle.exchange, "simex");
		n++;
	}
	store_cursor_close(c);
	assert_int_equal(n, 29);
	/* series, native only, one exchange */
	StoreQuery s = store_query_all(SR_SERIES);
	s.exchange = "binance";
	assert_int_equal(count(rd, &s, &a, NULL), 3);
	assert_string_equal(a.u.series.symbol, "BTCUSDT");
	assert_string_equal(a.u.series.interval, "1m");
	/* funding and metrics */
	StoreQuery f = store_query_all(SR_FUNDING);
	assert_int_equal(count(rd, &f, &a, NULL), 1);
	assert_true(a.u.funding.funding_rate == 0.0001 && isnan(a.u.funding.mark_price));
	StoreQuery m = store_query_all(SR_METRICS);
	m.metric = "open_interest";
	assert_int_equal(count(rd, &m, &a, NULL), 1);
	m.metric = "mark_price";
	assert_int_equal(count(rd, &m, NULL, NULL), 0);
	store_close(st);
}

static void test_newest_oldest(void **state)
{
	(void)state;
	Store *st = filled("r2.db");
	StoreReader *rd = store_reader(st);
	char err[256];
	int64_t t;
	StoreQuery q = store_query_all(SR_CANDLES);
	q.exchange = "binance", q.closed_only = 1;
	assert_int_equal(store_newest(rd, &q, &t, err, sizeof err), 0);
	assert_int_equal(t, 9 * 60000); /* ETH's last; BTC's is open */
	assert_int_equal(store_oldest(rd, &q, &t, err, sizeof err), 0);
	assert_int_equal(t, 0);
	q.by_close = 1;
	assert_int_equal(store_newest(rd, &q, &t, err, sizeof err), 0);
	assert_int_equal(t, 9 * 60000 + 59999);
	q.exchange = "nowhere";
	assert_int_equal(store_newest(rd, &q, &t, err, sizeof err), 0);
	assert_int_equal(t, -1);
	store_close(st);
}

/* A database damaged under a reader: the cursor says so, it does not just end early. */
static void test_read_error_is_reported(void **state)
{
	(void)state;
	Store *st = tu_open_store("r3.db");
	assert_non_null(st);
	assert_int_equal(store_begin(st), 0);
	for (int k = 0; k < 20000; k++) {
		Candle c = candle("binance", "BTCUSDT", "1m", (int64_t)k * 60000, 60000, 100, 1);
		assert_true(store_put_candle(st, &c) > 0);
	}
	assert_int_equal(store_commit(st), 0);
	char *path = xstrdup(store_path(st));
	store_close(st);
	/* every page after the first few turned to garbage */
	FILE *f = fopen(path, "r+b");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	long size = ftell(f);
	fseek(f, 8 * 4096, SEEK_SET);
	for (long i = 8 * 4096; i < size; i++)
		fputc(0xA5, f);
	fclose(f);
	char err[256] = "";
	Store *ro = store_open(path, STORE_READONLY, 100, err, sizeof err);
	free(path);
	if (!ro)
		return; /* refused at open: as good */
	StoreQuery q = store_query_all(SR_CANDLES);
	StoreCursor *c = store_query(store_reader(ro), &q, err, sizeof err);
	int rc = c ? 0 : -1;
	StoreRow row;
	long n = 0;
	while (c && (rc = store_next(c, &row, err, sizeof err)) == 1)
		n++;
	store_cursor_close(c);
	assert_int_equal(rc, -1);
	assert_true(n < 20000);
	assert_non_null(strstr(err, "r3.db"));
	store_close(ro);
}

static void test_metric_map_round_trip(void **state)
{
	(void)state;
	for (int m = 0; m < MET_COUNT; m++) {
		assert_int_equal(metric_lookup(metric_name((MetricId)m)), m);
		EventType t = metric_event_of((MetricId)m);
		if (!t)
			continue; /* cvd: stored, not replayed */
		Event ev;
		metric_event_init(&ev, t, "BTCUSDT", 1000);
		metric_apply(&ev, (MetricId)m, 0.5 + m);
		MetricId ids[3];
		double vs[3];
		int n = metric_rows(&ev, ids, vs);
		assert_int_equal(n, 1);
		assert_int_equal(ids[0], m);
		assert_true(vs[0] == 0.5 + m);
	}
	assert_int_equal(metric_lookup("best_bid"), MET_COUNT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_filters_and_orders),
	        cmocka_unit_test(test_newest_oldest),
	        cmocka_unit_test(test_read_error_is_reported),
	        cmocka_unit_test(test_metric_map_round_trip),
	};
	return cmocka_run_group_tests(tests, tu_group_setup, tu_group_teardown);
}
