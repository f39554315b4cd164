/* Bounded queue: order, back-pressure, try_push on full, close, timeouts, many producers. */
#include "testutil.h"

#include <pthread.h>
#include <stdint.h>
#include <time.h>

#include "core/queue.h"
#include "core/timeutil.h"

static void test_order_and_full(void **state)
{
	(void)state;
	Queue *q = queue_new(4, sizeof(int));
	for (int i = 0; i < 4; i++)
		assert_int_equal(queue_try_push(q, &i), 0);
	int x = 99;
	assert_int_equal(queue_try_push(q, &x), 1);
	assert_int_equal(queue_depth(q), 4);
	int out[8];
	assert_int_equal(queue_pop_batch(q, out, 3, 0), 3);
	assert_int_equal(out[0], 0);
	assert_int_equal(out[2], 2);
	assert_int_equal(queue_try_push(q, &x), 0);
	assert_int_equal(queue_pop_batch(q, out, 8, 0), 2);
	assert_int_equal(out[0], 3);
	assert_int_equal(out[1], 99);
	/* empty: a timed pop returns nothing */
	assert_int_equal(queue_pop_batch(q, out, 8, 20), 0);
	queue_close(q);
	assert_int_equal(queue_push(q, &x), -1);
	assert_int_equal(queue_try_push(q, &x), -1);
	queue_free(q);
}

/* odd items must wait for room, even ones may be dropped */
static int odd(const void *p)
{
	return *(const int *)p % 2 != 0;
}

/* takes the full queue's 8 items once the producer has filled it (and so waits in the
 * batch: it holds the lock until then) */
static void *drain_full(void *arg)
{
	Queue *q = arg;
	while (queue_depth(q) != 8)
		fb_sleep_ms(1);
	int out[8];
	size_t n = queue_pop_batch(q, out, 8, 0);
	return (void *)(uintptr_t)n;
}

static void test_push_batch(void **state)
{
	(void)state;
	Queue *q = queue_new(8, sizeof(int));
	int items[6] = {0, 1, 2, 3, 4, 5};
	/* room for all: nothing dropped, order kept */
	assert_int_equal(queue_push_batch(q, items, 6, odd, NULL), 0);
	int out[16];
	assert_int_equal(queue_pop_batch(q, out, 16, 0), 6);
	for (int i = 0; i < 6; i++)
		assert_int_equal(out[i], i);
	/* six queued, two slots: 0 and 1 fit, 2 is dropped, 3 waits for the consumer, which
	 * takes all eight, then 3 4 5 go in */
	int pre[6] = {10, 11, 12, 13, 14, 15};
	assert_int_equal(queue_push_batch(q, pre, 6, odd, NULL), 0);
	pthread_t t;
	pthread_create(&t, NULL, drain_full, q);
	assert_int_equal(queue_push_batch(q, items, 6, odd, NULL), 1);
	void *taken;
	pthread_join(t, &taken);
	assert_int_equal((int)(uintptr_t)taken, 8);
	assert_int_equal(queue_pop_batch(q, out, 16, 0), 3);
	assert_int_equal(out[0], 3);
	assert_int_equal(out[1], 4);
	assert_int_equal(out[2], 5);
	queue_close(q);
	assert_int_equal(queue_push_batch(q, items, 6, odd, NULL), -1);
	queue_free(q);
}

#define PRODUCERS    4
#define PER_PRODUCER 20000

static void *producer(void *arg)
{
	Queue *q = arg;
	for (int i = 0; i < PER_PRODUCER; i++) {
		long v = i;
		if (queue_push(q, &v) != 0)
			return (void *)1;
	}
	return NULL;
}

static void *push_one(void *arg)
{
	int v = 99;
	return (void *)(intptr_t)queue_push(arg, &v);
}

/* A queue set not to wait: a producer already waiting for room gives up, later pushes are
 * refused at once (and counted by push_batch), what is queued stays. */
static void test_nowait(void **state)
{
	(void)state;
	Queue *q = queue_new(4, sizeof(int));
	int items[6] = {0, 1, 2, 3, 4, 5};
	for (int i = 0; i < 4; i++)
		assert_int_equal(queue_push(q, &items[i]), 0);
	pthread_t t;
	pthread_create(&t, NULL, push_one, q); /* waits: the queue is full */
	struct timespec ts = {0, 50 * 1000000L};
	nanosleep(&ts, NULL);
	queue_set_nowait(q);
	void *rc;
	pthread_join(t, &rc);
	assert_int_equal((int)(intptr_t)rc, 1);
	assert_int_equal(queue_push(q, &items[4]), 1);
	long refused = 0;
	assert_int_equal(queue_push_batch(q, items, 6, odd, &refused), 3); /* evens dropped */
	assert_int_equal(refused, 3);                                      /* odds refused */
	int out[8];
	assert_int_equal(queue_pop_batch(q, out, 8, 0), 4);
	assert_int_equal(out[3], 3);
	queue_free(q);
}

static void test_many_producers(void **state)
{
	(void)state;
	/* A small queue forces producers to wait: nothing may be lost. */
	Queue *q = queue_new(16, sizeof(long));
	pthread_t t[PRODUCERS];
	for (int i = 0; i < PRODUCERS; i++)
		pthread_create(&t[i], NULL, producer, q);
	long got = 0, sum = 0, buf[64];
	while (got < (long)PRODUCERS * PER_PRODUCER) {
		size_t n = queue_pop_batch(q, buf, 64, 1000);
		assert_true(n > 0);
		for (size_t i = 0; i < n; i++)
			sum += buf[i];
		got += (long)n;
	}
	for (int i = 0; i < PRODUCERS; i++) {
		void *rc;
		pthread_join(t[i], &rc);
		assert_null(rc);
	}
	assert_int_equal(sum, (long)PRODUCERS * ((long)PER_PRODUCER * (PER_PRODUCER - 1) / 2));
	queue_free(q);
}

static void *closer(void *arg)
{
	queue_close(arg);
	return NULL;
}

static void test_close_wakes_consumer(void **state)
{
	(void)state;
	Queue *q = queue_new(4, sizeof(int));
	int v = 1;
	queue_push(q, &v);
	pthread_t t;
	int out[4];
	assert_int_equal(queue_pop_batch(q, out, 4, -1), 1);
	pthread_create(&t, NULL, closer, q);
	/* blocks until closed, then returns 0 */
	assert_int_equal(queue_pop_batch(q, out, 4, -1), 0);
	pthread_join(t, NULL);
	queue_free(q);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_order_and_full),
	        cmocka_unit_test(test_push_batch),
	        cmocka_unit_test(test_nowait),
	        cmocka_unit_test(test_many_producers),
	        cmocka_unit_test(test_close_wakes_consumer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
