/* Writer thread: many producers, nothing lost, sync, clean stop flushes, back-pressure while
 * the database is locked by another process, open-candle updates dropped (and counted) only
 * when the queue is full. */
#include "testutil.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/xmalloc.h"
#include "store/internal.h"
#include "store/store.h"
#include "store/writer.h"

static StoreRecord rec_candle(const char *symbol, int64_t i, int closed)
{
	StoreRecord r = {.type = STORE_REC_CANDLE};
	Candle *c = &r.u.candle;
	strcpy(c->exchange, "simex");
	records_copy_field(c->symbol, sizeof c->symbol, symbol);
	strcpy(c->interval, "1m");
	c->open_time = 1735689600000LL + i * 60000;
	c->close_time = c->open_time + 59999;
	c->open = c->high = c->low = c->close = 100 + (double)i;
	c->volume = 1;
	c->quote_volume = 100;
	c->trades = 1;
	c->taker_buy_volume = c->taker_buy_quote_volume = 0;
	c->closed = closed;
	return r;
}

static int64_t count(const char *path, const char *sql)
{
	char err[256];
	Store *st = store_open(path, STORE_READONLY, 1000, err, sizeof err);
	assert_non_null(st);
	sqlite3_stmt *s;
	assert_int_equal(sqlite3_prepare_v2(store_db(st), sql, -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	int64_t v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	store_close(st);
	return v;
}

typedef struct {
	StoreWriter *w;
	char symbol[16];
	int n;
} ProducerArg;

static void *producer(void *arg)
{
	ProducerArg *p = arg;
	for (int i = 0; i < p->n; i++) {
		StoreRecord open = rec_candle(p->symbol, i, 0),
		            closed = rec_candle(p->symbol, i, 1);
		store_writer_put(p->w, &open);
		if (store_writer_put(p->w, &closed) != 0)
			return (void *)1;
	}
	return NULL;
}

static void test_producers_and_stop(void **state)
{
	(void)state;
	char err[256];
	char *path = xasprintf("%s/w.db", dir);
	StoreWriterOptions opt = {
	        .queue_capacity = 64, .batch_size = 100, .flush_ms = 20, .busy_timeout_ms = 1000};
	StoreWriter *w = store_writer_start(path, &opt, err, sizeof err);
	assert_non_null(w);
	ProducerArg args[4];
	pthread_t t[4];
	for (int i = 0; i < 4; i++) {
		args[i].w = w;
		snprintf(args[i].symbol, sizeof args[i].symbol, "SYM%dUSDT", i);
		args[i].n = 3000;
		pthread_create(&t[i], NULL, producer, &args[i]);
	}
	for (int i = 0; i < 4; i++) {
		void *rc;
		pthread_join(t[i], &rc);
		assert_null(rc);
	}
	assert_int_equal(store_writer_sync(w, -1), 0);
	assert_int_equal(count(path, "SELECT count(*) FROM candles WHERE closed = 1"), 12000);
	StoreWriterStats s;
	store_writer_get_stats(w, &s);
	assert_true(s.transactions > 0);
	assert_true(s.rows_written >= 12000);

	/* records queued right before stop are flushed by it */
	for (int i = 0; i < 500; i++) {
		StoreRecord r = rec_candle("LASTUSDT", i, 1);
		assert_int_equal(store_writer_put(w, &r), 0);
	}
	assert_int_equal(store_writer_stop(w), 0);
	assert_int_equal(count(path, "SELECT count(*) FROM v_candles WHERE symbol = 'LASTUSDT'"),
	                 500);
	free(path);
}

static void test_backpressure_when_locked(void **state)
{
	(void)state;
	char err[256];
	char *path = xasprintf("%s/lock.db", dir);
	StoreWriterOptions opt = {
	        .queue_capacity = 16, .batch_size = 8, .flush_ms = 10, .busy_timeout_ms = 20};
	StoreWriter *w = store_writer_start(path, &opt, err, sizeof err);
	assert_non_null(w);
	/* another process holds the write lock */
	sqlite3 *other;
	assert_int_equal(sqlite3_open(path, &other), SQLITE_OK);
	assert_int_equal(sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);

	for (int i = 0; i < 8; i++) {
		StoreRecord r = rec_candle("BTCUSDT", i, 1);
		assert_int_equal(store_writer_put(w, &r), 0);
	}
	StoreWriterStats s;
	do { /* wait until the writer has taken a batch and is stuck on the lock */
		struct timespec ts = {0, 5000000};
		nanosleep(&ts, NULL);
		store_writer_get_stats(w, &s);
	} while (s.write_errors == 0);
	/* It may have taken all 8 or only some: fill the queue up whatever is left in it. */
	int fill = 16 - (int)s.queue_depth;
	for (int i = 8; i < 8 + fill; i++) {
		StoreRecord r = rec_candle("BTCUSDT", i, 1);
		assert_int_equal(store_writer_put(w, &r), 0);
	}
	StoreRecord open = rec_candle("BTCUSDT", 100, 0);
	assert_int_equal(store_writer_put(w, &open), 0);
	store_writer_get_stats(w, &s);
	assert_int_equal(s.open_dropped, 1);
	assert_int_equal(s.queue_depth, 16);

	sqlite3_exec(other, "COMMIT", NULL, NULL, NULL);
	sqlite3_close(other);
	assert_int_equal(store_writer_sync(w, -1), 0);
	assert_int_equal(count(path, "SELECT count(*) FROM candles"), 8 + fill);
	store_writer_get_stats(w, &s);
	assert_true(s.write_errors >= 1);
	assert_int_equal(store_writer_stop(w), 0);
	free(path);
}

static void test_start_error(void **state)
{
	(void)state;
	char err[256];
	StoreWriterOptions opt = {.queue_capacity = 16, .batch_size = 8, .flush_ms = 10};
	char *path =
	        tu_write_file(dir, "not-a-db",
	                      "this is not sqlite, just text padded to be long enough to have a "
	                      "header.............................................................."
	                      "..........................");
	assert_null(store_writer_start(path, &opt, err, sizeof err));
	assert_non_null(strstr(err, "not-a-db"));
	store_writer_stop(NULL);
	free(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_producers_and_stop),
	        cmocka_unit_test(test_backpressure_when_locked),
	        cmocka_unit_test(test_start_error),
	};
	return cmocka_run_group_tests(tests, tu_group_setup, tu_group_teardown);
}
