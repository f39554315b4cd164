/* String -> index map: every key found at its record, lengths without a NUL, misses, a
 * rebuild after the records change, and many keys (probing past collisions). */
#include "testutil.h"

#include <stdio.h>
#include <string.h>

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

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_strindex),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
