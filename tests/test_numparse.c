/* fb_parse_double gives exactly strtod's double, on hand-picked and random decimals. */
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/numparse.h"

static void same_as_strtod(const char *s)
{
	double a, b = strtod(s, NULL);
	if (fb_parse_double(s, &a) != 0 || memcmp(&a, &b, sizeof a) != 0) {
		print_error("'%s': got %.17g, strtod %.17g\n", s, a, b);
		fail();
	}
}

static void test_known(void **state)
{
	(void)state;
	const char *ok[] = {"0",
	                    "-0",
	                    "1",
	                    "100.5",
	                    "0.00012",
	                    "92759.3",
	                    "0.1",
	                    "-0.000025",
	                    "798053093.62910",
	                    "12345678901234567890",
	                    "1.5e-7",
	                    "1E3",
	                    "9007199254740993",
	                    "0.30000000000000004",
	                    "123456789.123456789",
	                    ".5",
	                    "5.",
	                    "+7",
	                    "000123.4500",
	                    "0.0000000000000000000000001"};
	for (size_t i = 0; i < sizeof ok / sizeof *ok; i++)
		same_as_strtod(ok[i]);
	const char *bad[] = {"",    "-",   ".",     "abc", "1.2.3", "1,5", "1e",
	                     "inf", "nan", "1e999", "12 ", " 12",   "0x10"};
	double v;
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		if (fb_parse_double(bad[i], &v) == 0) {
			print_error("'%s' was accepted as %g\n", bad[i], v);
			fail();
		}
}

static void test_random(void **state)
{
	(void)state;
	srand(12345);
	char buf[64];
	for (int i = 0; i < 200000; i++) {
		int idigits = rand() % 12, fdigits = rand() % 14;
		int n = 0;
		if (rand() % 4 == 0)
			buf[n++] = '-';
		buf[n++] = (char)('0' + rand() % 10);
		for (int k = 0; k < idigits; k++)
			buf[n++] = (char)('0' + rand() % 10);
		if (fdigits) {
			buf[n++] = '.';
			for (int k = 0; k < fdigits; k++)
				buf[n++] = (char)('0' + rand() % 10);
		}
		buf[n] = '\0';
		same_as_strtod(buf);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_known),
	        cmocka_unit_test(test_random),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
