/* String -> index map: every key found at its record, lengths without a NUL, misses, a
 * rebuild after the records change, and many keys (probing past collisions). The set of keys
 * seen lately (string trade ids). */
#include "testutil.h"

#include <stdio.h>
#include <string.h>

#include "core/hash.h"
#include "core/recent.h"
#include "core/strindex.h"

typedef struct {
	char name[16];
	int other;
} Rec;

static void test_strindex(void **state)
{
	(void)state;
	Rec r[300];
	for (int i = 0; i < 300; i++)
		snprintf(r[i].name, sizeof r[i].name, "SYM%dUSDT", i);
	StrIndex x = {0};
	assert_int_equal(strindex_find(&x, "A", 1), -1); /* empty */
	strindex_build(&x, r[0].name, sizeof *r, 300);
	for (int i = 0; i < 300; i++)
		assert_int_equal(strindex_find(&x, r[i].name, strlen(r[i].name)), i);
	/* a key given by length, inside a longer text */
	const char *msg = "SYM42USDT@kline_1m";
	assert_int_equal(strindex_find(&x, msg, 9), 42);
	assert_int_equal(strindex_find(&x, msg, 8), -1); /* "SYM42USD" */
	assert_int_equal(strindex_find(&x, "NOPE", 4), -1);
	/* records changed: rebuilt */
	snprintf(r[7].name, sizeof r[7].name, "NEWUSDT");
	strindex_build(&x, r[0].name, sizeof *r, 8);
	assert_int_equal(strindex_find(&x, "NEWUSDT", 7), 7);
	assert_int_equal(strindex_find(&x, "SYM100USDT", 10), -1);
	strindex_free(&x);
}

/* The keys seen lately: a repeat is found while it is among the last 1,024 added (and up to
 * 2,048), forgotten after that; key 0 is a key too. */
static void test_recent(void **state)
{
	(void)state;
	RecentSet r = {0};
	char id[48];
	uint64_t k[5000];
	for (int i = 0; i < 5000; i++) {
		snprintf(id, sizeof id, "c0ffee%02d-1d2e-4f5a-8b9c-%012d", i % 97, i);
		k[i] = fb_fnv1a64(FB_FNV_OFFSET, id, strlen(id));
	}
	for (int i = 0; i < 3000; i++) {
		assert_int_equal(recent_seen(&r, k[i]), 0);
		assert_int_equal(recent_seen(&r, k[i]), 1); /* at once */
		if (i >= 1023)
			assert_int_equal(recent_seen(&r, k[i - 1023]), 1); /* 1,024 back */
	}
	int forgotten = 0;
	for (int i = 0; i < 3000 - 2048; i++)
		forgotten += recent_seen(&r, k[i]) == 0;
	assert_int_equal(forgotten, 3000 - 2048);
	assert_int_equal(recent_seen(&r, 0), 0);
	assert_int_equal(recent_seen(&r, 0), 1);
	recent_free(&r);
	assert_int_equal(recent_seen(&r, k[4999]), 0); /* usable again after a free */
	recent_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_strindex),
	        cmocka_unit_test(test_recent),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
