/* Logging: levels, rotation numbering and limits, control characters never written. */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"
#include "core/xmalloc.h"

static void test_rotation(void **state)
{
	(void)state;
	char *tmp = tu_mkdtemp(), err[256];
	char *path = xasprintf("%s/fb.log", tmp);
	log_set_stderr(-1);
	log_set_level(LOG_INFO);
	assert_int_equal(log_open(path, 1000, 3, err, sizeof err), 0);
	for (int i = 0; i < 200; i++)
		log_info("test", "message number %d with some padding to fill the file", i);
	log_debug("test", "debug is filtered out");
	log_close();
	for (int i = 1; i <= 3; i++) {
		char *p = xasprintf("%s.%d", path, i);
		assert_int_equal(access(p, F_OK), 0);
		size_t len;
		char *text = tu_read_file(p, &len);
		assert_true(len >= 1000 && len < 1200);
		assert_null(strstr(text, "debug is filtered"));
		free(text);
		free(p);
	}
	char *p4 = xasprintf("%s.4", path);
	assert_int_equal(access(p4, F_OK), -1);
	char *text = tu_read_file(path, NULL);
	assert_non_null(strstr(text, "message number 199"));
	free(text);
	free(p4);
	free(path);
	tu_rmdir_all(tmp);
	free(tmp);
}

static void test_sanitises(void **state)
{
	(void)state;
	char *tmp = tu_mkdtemp(), err[256];
	char *path = xasprintf("%s/fb.log", tmp);
	assert_int_equal(log_open(path, 0, 1, err, sizeof err), 0);
	log_warn("feed", "bad symbol '%s'", "BTC\x1b[2J\nUSDT");
	/* C1 (U+009B is CSI on many terminals), a lone byte that is not UTF-8, DEL; and valid
	 * UTF-8 kept as it is */
	log_warn("feed", "name '%s'",
	         "A\xc2\x9b"
	         "2JB\xff\x7f \xe2\x93\x88");
	log_close();
	char *text = tu_read_file(path, NULL);
	assert_non_null(strstr(text, "warn  feed: bad symbol 'BTC\\x1B[2J\\x0AUSDT'"));
	assert_non_null(strstr(text, "warn  feed: name 'A\\xC2\\x9B2JB\\xFF\\x7F \xe2\x93\x88'"));
	assert_null(strchr(text, '\x1b'));
	assert_null(strstr(text, "\xc2\x9b"));
	free(text);
	assert_int_equal(log_open("/nonexistent-tmp/x.log", 0, 1, err, sizeof err), -1);
	assert_non_null(strstr(err, "cannot open log file /nonexistent-tmp/x.log"));
	free(path);
	tu_rmdir_all(tmp);
	free(tmp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_rotation),
	        cmocka_unit_test(test_sanitises),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
