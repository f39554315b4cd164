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

/* Bybit: 600 requests per 5 s, 403 is a ban of ten minutes, 418 means nothing special */
static void test_bybit_rules(void **state)
{
	(void)state;
	static const LimiterRules bybit = {600, 5000, 403, 10 * MIN, 0, 1000};
	WeightLimiter l;
	limiter_init_rules(&l, &bybit, 0);
	assert_int_equal(l.limit, 600);
	int64_t t = 1000 * MIN + 1000;
	for (int i = 0; i < 600; i++)
		assert_int_equal(limiter_reserve(&l, 1, t), 0);
	assert_int_equal(limiter_reserve(&l, 1, t), 4000); /* the next 5-second window */
	assert_int_equal(limiter_reserve(&l, 1, t + 4000), 0);
	/* the 403 page carries no Retry-After: ten minutes, every request */
	limiter_update(&l, t + 4000, -1, 403, -1);
	assert_int_equal(l.banned, 1);
	assert_int_equal(limiter_reserve(&l, 1, t + 4000 + 9 * MIN), MIN);
	assert_int_equal(limiter_reserve(&l, 1, t + 4000 + 10 * MIN), 0);
	limiter_update(&l, t + 20 * MIN, -1, 418, -1); /* not Bybit's ban */
	assert_int_equal(limiter_reserve(&l, 1, t + 20 * MIN), 0);
	/* "too many visits" (retCode 10006, counted as a 429): a second, not a minute */
	limiter_update(&l, t + 21 * MIN, -1, 429, -1);
	assert_int_equal(limiter_reserve(&l, 1, t + 21 * MIN), 1000);
	/* a limit from the config replaces the rules' */
	limiter_init_rules(&l, &bybit, 100);
	assert_int_equal(l.limit, 100);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_budget),
	        cmocka_unit_test(test_resync_and_retry_after),
	        cmocka_unit_test(test_bybit_rules),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
