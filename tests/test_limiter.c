/* Weight limiter on made-up clocks: budget per minute, resync from the header, Retry-After,
 * bans. */
#include "testutil.h"

#include "feed/limiter.h"

#define MIN 60000LL

static void test_budget(void **state)
{
	(void)state;
	WeightLimiter l;
	limiter_init(&l, 100);
	int64_t t = 1000 * MIN + 5000;
	for (int i = 0; i < 20; i++)
		assert_int_equal(limiter_reserve(&l, 5, t), 0);
	/* 100 used: the next one waits for the next minute */
	assert_int_equal(limiter_reserve(&l, 5, t), MIN - 5000);
	assert_int_equal(limiter_reserve(&l, 5, 1001 * MIN), 0);
	assert_int_equal(l.used, 5);
}

static void test_resync_and_retry_after(void **state)
{
	(void)state;
	WeightLimiter l;
	limiter_init(&l, 100);
	int64_t t = 2000 * MIN;
	assert_int_equal(limiter_reserve(&l, 1, t), 0);
	limiter_update(&l, t, 97, 200, -1); /* someone else on this IP used weight too */
	assert_int_equal(l.used, 97);
	assert_int_equal(limiter_reserve(&l, 5, t + 10), MIN - 10);
	limiter_update(&l, t + 20, -1, 429, 7);
	assert_int_equal(limiter_reserve(&l, 1, t + 1000), 7000 + 20 - 1000);
	assert_int_equal(limiter_reserve(&l, 1, t + 7020), 0); /* 98 of 100 */
	assert_int_equal(limiter_reserve(&l, 5, t + 7020), MIN - 7020);
	/* 418: everything waits for the ban, whatever the budget */
	int64_t u = 3000 * MIN;
	limiter_update(&l, u, -1, 418, 120);
	assert_int_equal(l.banned, 1);
	assert_int_equal(limiter_reserve(&l, 1, u + 60000), 60000);
	assert_int_equal(limiter_reserve(&l, 1, u + 120000), 0);
	assert_int_equal(l.banned, 0);
	/* no Retry-After on a 418: two minutes */
	limiter_update(&l, u, -1, 418, -1);
	assert_true(limiter_reserve(&l, 1, u + 1) > 0);
	/* Retry-After: 2147483647 (68 years) waits 15 minutes, not for ever */
	int64_t v = 4000 * MIN;
	limiter_update(&l, v, -1, 429, 2147483647);
	assert_int_equal(limiter_reserve(&l, 1, v), LIMITER_MAX_WAIT_MS);
	assert_int_equal(limiter_reserve(&l, 1, v + LIMITER_MAX_WAIT_MS), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_budget),
	        cmocka_unit_test(test_resync_and_retry_after),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
