/* The strict JSON tokenizer: what it accepts and refuses, and lookups. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/jsontok.h"

static int parse(const char *s, JsonTok *t, int max)
{
	return jt_parse(s, strlen(s), t, max);
}

static void test_accepts(void **state)
{
	(void)state;
	JsonTok t[64];
	const char *ok[] = {"{}", "[]", "0", "-0.5e+10", "\"a\\u00e9\\n\"", "true", " null ",
	                    "{\"a\":[1,{\"b\":false}],\"c\":\"x\"}", "[1.5,-2,3e2,\"s\"]",
	                    "{\"stream\":\"btcusdt@kline_1m\",\"data\":{\"e\":\"kline\"}}",
	                    /* the same key in a nested object, and keys that differ by case */
	                    "{\"a\":{\"a\":1,\"A\":2},\"b\":2,\"ab\":{\"ab\":3},\"\\u0061\":4}"};
	for (size_t i = 0; i < sizeof ok / sizeof *ok; i++)
		if (parse(ok[i], t, 64) < 1) {
			print_error("refused: %s\n", ok[i]);
			fail();
		}
}

static void test_refuses(void **state)
{
	(void)state;
	JsonTok t[128];
	const char *bad[] = {"",
	                     "{",
	                     "[1,]",
	                     "{\"a\":1,}",
	                     "01",
	                     "1.",
	                     ".5",
	                     "-",
	                     "1e",
	                     "tru",
	                     "\"a",
	                     "\"\\x\"",
	                     "\"\\u12g4\"",
	                     "\"a\tb\"",
	                     "{a:1}",
	                     "{\"a\" 1}",
	                     "[1 2]",
	                     "{} {}",
	                     "[1]x",
	                     "'a'",
	                     "{\"a\":1,\"a\":2}",
	                     "{\"a\":1,\"b\":{\"a\":2},\"a\":3}",
	                     "{\"ab\":1,\"a\":2,\"ab\":3}",
	                     "{\"\":1,\"\":2}",
	                     "{\"\\u0061\":1,\"b\":0,\"\\u0061\":2}",
	                     "NaN",
	                     "[\"\\u12\"]"};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		if (parse(bad[i], t, 128) >= 0) {
			print_error("accepted: %s\n", bad[i]);
			fail();
		}
	char deep[200];
	memset(deep, '[', 70);
	memset(deep + 70, ']', 70);
	deep[140] = '\0';
	assert_int_equal(parse(deep, t, 128), -1);        /* deeper than 64 */
	assert_int_equal(parse("[1,2,3,4,5]", t, 3), -2); /* not enough tokens */
}

static void test_lookups(void **state)
{
	(void)state;
	JsonTok t[64];
	const char *s = "{\"s\":\"BTCUSDT\",\"k\":{\"t\":1700000000000,\"o\":\"42.5\",\"x\":true},"
	                "\"arr\":[[\"1.5\",\"2\"],[3,4]],\"esc\":\"a\\\"b\"}";
	int n = parse(s, t, 64);
	assert_true(n > 0);
	char buf[32];
	assert_int_equal(jt_str(s, t, jt_get(s, t, 0, "s"), buf, sizeof buf), 0);
	assert_string_equal(buf, "BTCUSDT");
	int k = jt_get(s, t, 0, "k");
	int64_t v;
	assert_int_equal(jt_int(s, t, jt_get(s, t, k, "t"), &v), 0);
	assert_int_equal(v, 1700000000000LL);
	double d;
	assert_int_equal(jt_double(s, t, jt_get(s, t, k, "o"), &d), 0);
	assert_true(d == 42.5);
	assert_int_equal(jt_bool(t, jt_get(s, t, k, "x")), 1);
	assert_int_equal(jt_get(s, t, k, "missing"), -1);
	assert_int_equal(jt_get(s, t, 0, "t"), -1); /* not at this level */
	int arr = jt_get(s, t, 0, "arr");
	assert_int_equal(jt_count(t, arr), 2);
	assert_int_equal(jt_double(s, t, jt_index(t, jt_index(t, arr, 0), 0), &d), 0);
	assert_true(d == 1.5);
	assert_int_equal(jt_int(s, t, jt_index(t, jt_index(t, arr, 1), 1), &v), 0);
	assert_int_equal(v, 4);
	assert_int_equal(jt_index(t, arr, 2), -1);
	assert_int_equal(jt_str(s, t, jt_get(s, t, 0, "esc"), buf, sizeof buf), -1); /* escaped */
	assert_int_equal(jt_count(t, 0), 4);
	assert_int_equal(jt_int(s, t, jt_get(s, t, k, "o"), &v), -1); /* not an integer */
}

/* An object of 100,000 keys: all distinct is accepted, one repeated at the end refused (the
 * check goes through the hash set past 16 keys, and grows it several times). */
static void test_many_keys(void **state)
{
	(void)state;
	enum { N = 100000 };
	char *s = malloc((size_t)N * 16 + 64);
	size_t n = 0;
	s[n++] = '{';
	for (int i = 0; i < N; i++)
		n += (size_t)sprintf(s + n, "%s\"k%d\":%d", i ? "," : "", i, i);
	s[n++] = '}';
	s[n] = '\0';
	JsonTok *t = malloc((size_t)(2 * N + 8) * sizeof *t);
	assert_int_equal(jt_parse(s, n, t, 2 * N + 8), 2 * N + 1);
	n--; /* the same with "k77" again */
	n += (size_t)sprintf(s + n, ",\"k77\":0}");
	assert_int_equal(jt_parse(s, n, t, 2 * N + 8), -1);
	free(t);
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_accepts),
	        cmocka_unit_test(test_refuses),
	        cmocka_unit_test(test_lookups),
	        cmocka_unit_test(test_many_keys),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
