/* Time parsing/formatting and interval arithmetic. */
#include "testutil.h"

#include <string.h>

#include "core/timeutil.h"

static void test_intervals(void **state)
{
	(void)state;
	assert_int_equal(fb_interval_ms("1m"), 60000);
	assert_int_equal(fb_interval_ms("5m"), 300000);
	assert_int_equal(fb_interval_ms("4h"), 14400000);
	assert_int_equal(fb_interval_ms("1d"), 86400000);
	assert_int_equal(fb_interval_ms("1w"), 604800000);
	assert_int_equal(fb_interval_ms("1M"), -1);
	assert_int_equal(fb_interval_ms("7m"), -1);
	assert_int_equal(fb_interval_ms(""), -1);
	assert_int_equal(fb_interval_ms(NULL), -1);
	/* 2025-01-06 was a Monday: a weekly candle opens there. */
	int64_t monday;
	assert_int_equal(fb_time_parse("2025-01-06", &monday), 0);
	assert_int_equal((monday - fb_interval_offset_ms("1w")) % fb_interval_ms("1w"), 0);
}

static void test_parse(void **state)
{
	(void)state;
	int64_t ms;
	assert_int_equal(fb_time_parse("1735689600000", &ms), 0);
	assert_int_equal(ms, 1735689600000LL);
	assert_int_equal(fb_time_parse("2025-01-01", &ms), 0);
	assert_int_equal(ms, 1735689600000LL);
	assert_int_equal(fb_time_parse("2025-01-01T00:00:00Z", &ms), 0);
	assert_int_equal(ms, 1735689600000LL);
	assert_int_equal(fb_time_parse("2025-01-01 01:02:03.5", &ms), 0);
	assert_int_equal(ms, 1735689600000LL + 3723500);
	assert_int_equal(fb_time_parse("2025-01-01T02:00+02:00", &ms), 0);
	assert_int_equal(ms, 1735689600000LL);
	assert_int_equal(fb_time_parse("2024-02-29", &ms), 0);
	assert_int_equal(fb_time_parse("1970-01-01", &ms), 0);
	assert_int_equal(ms, 0);
	/* rejected */
	assert_int_equal(fb_time_parse("2025-02-29", &ms), -1);
	assert_int_equal(fb_time_parse("2025-13-01", &ms), -1);
	assert_int_equal(fb_time_parse("2025-01-01T25:00", &ms), -1);
	assert_int_equal(fb_time_parse("2025-01-01X", &ms), -1);
	assert_int_equal(fb_time_parse("yesterday", &ms), -1);
	assert_int_equal(fb_time_parse("", &ms), -1);
	assert_int_equal(fb_time_parse("12345678901234567890", &ms), -1);
}

static void test_format_roundtrip(void **state)
{
	(void)state;
	char buf[32];
	assert_string_equal(fb_time_format(1735689600000LL, buf, sizeof buf),
	                    "2025-01-01T00:00:00.000Z");
	assert_string_equal(fb_time_format(1735689899999LL, buf, sizeof buf),
	                    "2025-01-01T00:04:59.999Z");
	assert_string_equal(fb_time_format(0, buf, sizeof buf), "1970-01-01T00:00:00.000Z");
	assert_string_equal(fb_time_format(951782400000LL, buf, sizeof buf),
	                    "2000-02-29T00:00:00.000Z");
	for (int64_t t = -86400000LL * 400; t < 86400000LL * 365 * 80;
	     t += 86400000LL * 7 + 12345) {
		int64_t back;
		fb_time_format(t, buf, sizeof buf);
		assert_int_equal(fb_time_parse(buf, &back), 0);
		assert_int_equal(back, t);
	}
}

static void test_age(void **state)
{
	(void)state;
	char b[32];
	assert_string_equal(fb_age_format(12999, b, sizeof b), "12s");
	assert_string_equal(fb_age_format(192000, b, sizeof b), "3m 12s");
	assert_string_equal(fb_age_format(5 * 3600000 + 3 * 60000, b, sizeof b), "5h 03m");
	assert_string_equal(fb_age_format(284LL * 86400000, b, sizeof b), "284d");
	assert_string_equal(fb_age_format(-5000, b, sizeof b), "0s");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_intervals),
	        cmocka_unit_test(test_parse),
	        cmocka_unit_test(test_format_roundtrip),
	        cmocka_unit_test(test_age),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
