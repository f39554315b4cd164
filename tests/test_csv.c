/* CSV reader and splitter: line ends, quoting, long lines, gzip, zip refusal. */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "core/xmalloc.h"
#include "store/csv.h"

static void test_split(void **state)
{
	(void)state;
	char *f[8];
	char a[] = "1,2.5,,x";
	assert_int_equal(csv_split(a, f, 8), 4);
	assert_string_equal(f[1], "2.5");
	assert_string_equal(f[2], "");
	char b[] = "\"a,b\",\"say \"\"hi\"\"\",c";
	assert_int_equal(csv_split(b, f, 8), 3);
	assert_string_equal(f[0], "a,b");
	assert_string_equal(f[1], "say \"hi\"");
	assert_string_equal(f[2], "c");
	char c[] = "\"unterminated,1";
	assert_int_equal(csv_split(c, f, 8), -1);
	char d[] = "\"x\"y,1";
	assert_int_equal(csv_split(d, f, 8), -1);
	char e[] = "1,2,3";
	assert_int_equal(csv_split(e, f, 2), -1);
	char g[] = "";
	assert_int_equal(csv_split(g, f, 8), 1);
}

static void read_all(const char *path, int *lines, int *too_long, char *last, size_t lastlen)
{
	char err[256];
	CsvReader *r = csv_open(path, err, sizeof err);
	assert_non_null(r);
	const char *line;
	long lineno, n;
	*lines = *too_long = 0;
	while ((n = csv_next_line(r, &line, &lineno, err, sizeof err)) != -1) {
		assert_true(n != -2);
		if (n == -3)
			(*too_long)++;
		else
			snprintf(last, lastlen, "%s", line);
		(*lines)++;
		assert_int_equal(lineno, *lines);
	}
	csv_close(r);
}

static void test_reader(void **state)
{
	(void)state;
	char *tmp = tu_mkdtemp(), last[128];
	int lines, too_long;
	/* CRLF and no final newline */
	read_all(FB_FIXTURES "/XRPUSDT-1d-crlf.csv", &lines, &too_long, last, sizeof last);
	assert_int_equal(lines, 3);
	assert_string_equal(last, "1735689600000,1.1,1.3,1.0,1.2,11");
	/* a line longer than the limit is reported and skipped, the next one is read */
	char *big = xmalloc(CSV_MAX_LINE * 3);
	memset(big, 'x', CSV_MAX_LINE * 3 - 1);
	big[CSV_MAX_LINE * 3 - 1] = '\0';
	char *text = xasprintf("a\n%s\nb\n", big);
	char *path = tu_write_file(tmp, "long.csv", text);
	read_all(path, &lines, &too_long, last, sizeof last);
	assert_int_equal(lines, 3);
	assert_int_equal(too_long, 1);
	assert_string_equal(last, "b");
	free(path);
	free(text);
	free(big);
	/* gzip */
	char *gzpath = xasprintf("%s/x.csv.gz", tmp);
	gzFile gz = gzopen(gzpath, "wb");
	for (int i = 0; i < 100000; i++)
		gzprintf(gz, "%d,line\n", i);
	gzclose(gz);
	read_all(gzpath, &lines, &too_long, last, sizeof last);
	assert_int_equal(lines, 100000);
	assert_string_equal(last, "99999,line");
	/* truncated gzip: an error, not silent success */
	size_t len;
	char *bytes = tu_read_file(gzpath, &len);
	FILE *f = fopen(gzpath, "wb");
	fwrite(bytes, 1, len / 2, f);
	fclose(f);
	free(bytes);
	char err[256];
	CsvReader *r = csv_open(gzpath, err, sizeof err);
	const char *line;
	long lineno, n;
	while ((n = csv_next_line(r, &line, &lineno, err, sizeof err)) >= 0)
		;
	assert_int_equal(n, -2);
	assert_non_null(strstr(err, "x.csv.gz"));
	csv_close(r);
	free(gzpath);
	/* zip archives are refused with advice */
	char *zip = tu_write_file(tmp, "a.zip", "PK\x03\x04rest");
	assert_null(csv_open(zip, err, sizeof err));
	assert_non_null(strstr(err, "unzip it first"));
	free(zip);
	assert_null(csv_open("/nonexistent/file.csv", err, sizeof err));
	assert_non_null(strstr(err, "/nonexistent/file.csv: No such file"));
	tu_rmdir_all(tmp);
	free(tmp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_split),
	        cmocka_unit_test(test_reader),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
