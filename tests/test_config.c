/* Configuration: layering, sources, and every class of error with its file:line and key. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "core/strbuf.h"
#include "core/xmalloc.h"

static int setup(void **state)
{
	tu_group_setup(state);
	char *cfg = xasprintf("%s/xdg", dir);
	setenv("XDG_CONFIG_HOME", cfg, 1);
	free(cfg);
	return 0;
}

/* Loads text as a --config file; returns 0/-1 and leaves the message in err. */
static int load(const char *text, char *err, size_t errlen, Config **out)
{
	char *path = tu_write_file(dir, "c.ini", text);
	Config *cfg = config_new();
	int rc = config_load_file(cfg, path, CONFIG_SRC_FILE, 0, err, errlen);
	free(path);
	if (out)
		*out = cfg;
	else
		config_free(cfg);
	return rc;
}

static void assert_error(const char *text, const char *expect)
{
	char err[1024] = "";
	assert_int_equal(load(text, err, sizeof err, NULL), -1);
	if (!strstr(err, expect)) {
		print_error("error message '%s' lacks '%s'\n", err, expect);
		fail();
	}
}

static void test_defaults(void **state)
{
	(void)state;
	Config *cfg = config_new();
	assert_int_equal(config_get_int(cfg, "feed", "top_n"), 20);
	assert_string_equal(config_get_str(cfg, "binance", "rest_url"), "https://fapi.binance.com");
	assert_int_equal(config_get_int(cfg, "log", "max_size"), 10 * 1024 * 1024);
	assert_int_equal(config_get_source(cfg, "feed", "top_n"), CONFIG_SRC_DEFAULT);
	config_free(cfg);
}

static void test_good_file(void **state)
{
	(void)state;
	char err[512];
	Config *cfg;
	assert_int_equal(load("# comment\n; other comment\n\n[feed]\ntop_n = 50   # inline\n"
	                      "intervals = 1m, 1h\n[log]\nlevel=debug\nmax_size = 512K\n"
	                      "[binance]\nrest_url = \"http://127.0.0.1:9000/#x\"\n",
	                      err, sizeof err, &cfg),
	                 0);
	assert_int_equal(config_get_int(cfg, "feed", "top_n"), 50);
	assert_string_equal(config_get_str(cfg, "feed", "intervals"), "1m, 1h");
	assert_string_equal(config_get_str(cfg, "log", "level"), "debug");
	assert_int_equal(config_get_int(cfg, "log", "max_size"), 512 * 1024);
	assert_string_equal(config_get_str(cfg, "binance", "rest_url"), "http://127.0.0.1:9000/#x");
	assert_int_equal(config_get_source(cfg, "feed", "top_n"), CONFIG_SRC_FILE);
	config_free(cfg);
}

static void test_errors(void **state)
{
	(void)state;
	assert_error("[stor]\n", "c.ini:1: unknown section [stor] (did you mean [store]?)");
	assert_error("[zzzzzz]\n", "c.ini:1: unknown section [zzzzzz]");
	assert_error("[feed]\n\ntop_m = 3\n",
	             "c.ini:3: unknown key 'top_m' in [feed] (did you mean 'top_n'?)");
	assert_error("[feed]\nwhatever = 3\n", "c.ini:2: unknown key 'whatever' in [feed]");
	assert_error("[feed]\ntop_n = ten\n",
	             "c.ini:2: [feed] top_n: expected a whole number, got 'ten'");
	assert_error("[feed]\ntop_n = 201\n",
	             "c.ini:2: [feed] top_n: 201 is out of range (1 to 200)");
	assert_error("[feed]\ntop_n = 0\n", "out of range");
	assert_error("[log]\nlevel = loud\n",
	             "c.ini:2: [log] level: 'loud' is not one of: error warn info debug");
	assert_error("[log]\nmax_size = lots\n", "c.ini:2: [log] max_size: expected a size");
	assert_error("[feed]\nintervals = 1m 7m\n",
	             "c.ini:2: [feed] intervals: unknown interval '7m'");
	assert_error("[feed]\nintervals = \n",
	             "c.ini:2: [feed] intervals: needs at least one interval");
	assert_error("[binance]\nrest_url =\n", "c.ini:2: [binance] rest_url: must not be empty");
	assert_error("top_n = 3\n", "c.ini:1: key 'top_n' appears before any [section]");
	assert_error("[feed\n", "c.ini:1: malformed section header");
	assert_error("[feed]\njust words\n", "c.ini:2: expected 'key = value'");
}

static void test_missing_file(void **state)
{
	(void)state;
	char err[512];
	Config *cfg = config_new();
	char *path = xasprintf("%s/nope.ini", dir);
	assert_int_equal(config_load_file(cfg, path, CONFIG_SRC_FILE, 0, err, sizeof err), -1);
	assert_non_null(strstr(err, "nope.ini: cannot read config file"));
	assert_int_equal(config_load_file(cfg, path, CONFIG_SRC_USER, 1, err, sizeof err), 0);
	free(path);
	/* not a regular file: refused at once, never read (for ever, or blocking) */
	assert_int_equal(config_load_file(cfg, "/dev/zero", CONFIG_SRC_FILE, 0, err, sizeof err),
	                 -1);
	assert_non_null(strstr(err, "/dev/zero: not a regular file"));
	assert_int_equal(config_load_file(cfg, dir, CONFIG_SRC_FILE, 0, err, sizeof err), -1);
	assert_non_null(strstr(err, "not a regular file (a directory)"));
	/* a NUL inside a value would cut it short unseen */
	path = xasprintf("%s/nul.ini", dir);
	FILE *f = fopen(path, "wb");
	fwrite("[feed]\ntop_n = 2\0 0\n", 1, 20, f);
	fclose(f);
	assert_int_equal(config_load_file(cfg, path, CONFIG_SRC_FILE, 0, err, sizeof err), -1);
	assert_non_null(strstr(err, "nul.ini:2: a NUL byte in the line"));
	free(path);
	config_free(cfg);
}

static void test_env(void **state)
{
	(void)state;
	char err[512];
	Config *cfg = config_new();
	char *good[] = {"PATH=/bin", "FUTURESBOARD_FEED_TOP_N=7", "FUTURESBOARD_LOG_MAX_FILES=3",
	                NULL};
	assert_int_equal(config_load_env(cfg, good, err, sizeof err), 0);
	assert_int_equal(config_get_int(cfg, "feed", "top_n"), 7);
	assert_int_equal(config_get_int(cfg, "log", "max_files"), 3);
	assert_int_equal(config_get_source(cfg, "feed", "top_n"), CONFIG_SRC_ENV);
	char *bad_value[] = {"FUTURESBOARD_FEED_TOP_N=x", NULL};
	assert_int_equal(config_load_env(cfg, bad_value, err, sizeof err), -1);
	assert_non_null(strstr(
	        err, "environment FUTURESBOARD_FEED_TOP_N: [feed] top_n: expected a whole number"));
	char *bad_name[] = {"FUTURESBOARD_FEED_TOPN=3", NULL};
	assert_int_equal(config_load_env(cfg, bad_name, err, sizeof err), -1);
	assert_non_null(strstr(err, "FUTURESBOARD_FEED_TOPN: no such setting"));
	assert_non_null(strstr(err, "did you mean FUTURESBOARD_FEED_TOP_N?"));
	config_free(cfg);
}

static void test_precedence(void **state)
{
	(void)state;
	char err[512];
	char *xdg = xasprintf("%s/xdg/futuresboard", dir);
	char *mk = xasprintf("mkdir -p %s", xdg);
	assert_int_equal(system(mk), 0);
	char *user = tu_write_file(xdg, "config.ini",
	                           "[feed]\ntop_n = 11\nlookback = 5\n[ui]\nrefresh_ms = 500\n");
	char *file = tu_write_file(dir, "f.ini", "[feed]\ntop_n = 12\nlookback = 6\n");
	char *env[] = {"FUTURESBOARD_FEED_TOP_N=13", NULL};
	char *flags[] = {"feed.top_n=14"};
	Config *cfg = config_build(file, env, flags, 1, err, sizeof err);
	assert_non_null(cfg);
	assert_int_equal(config_get_int(cfg, "feed", "top_n"), 14);
	assert_int_equal(config_get_source(cfg, "feed", "top_n"), CONFIG_SRC_FLAG);
	assert_int_equal(config_get_int(cfg, "feed", "lookback"), 6);
	assert_int_equal(config_get_source(cfg, "feed", "lookback"), CONFIG_SRC_FILE);
	assert_int_equal(config_get_int(cfg, "ui", "refresh_ms"), 500);
	assert_int_equal(config_get_source(cfg, "ui", "refresh_ms"), CONFIG_SRC_USER);
	config_free(cfg);
	/* without the flag, the environment wins over the file */
	cfg = config_build(file, env, NULL, 0, err, sizeof err);
	assert_int_equal(config_get_int(cfg, "feed", "top_n"), 13);
	config_free(cfg);
	char *badflag[] = {"feed.top_n=999"};
	assert_null(config_build(file, env, badflag, 1, err, sizeof err));
	assert_non_null(strstr(err, "--set feed.top_n: [feed] top_n: 999 is out of range"));
	char *noeq[] = {"feed.top_n"};
	assert_null(config_build(NULL, NULL, noeq, 1, err, sizeof err));
	assert_non_null(strstr(err, "expected section.key=value"));
	/* the print shows each value's origin */
	cfg = config_build(file, env, flags, 1, err, sizeof err);
	char *out = xasprintf("%s/print.txt", dir);
	FILE *f = fopen(out, "w");
	config_print(cfg, f);
	fclose(f);
	char *text = tu_read_file(out, NULL);
	assert_non_null(strstr(text, "top_n = 14"));
	assert_non_null(strstr(text, "# command line (--set feed.top_n)"));
	assert_non_null(strstr(text, "f.ini:3)"));
	assert_non_null(strstr(text, "refresh_ms = 500"));
	free(text);
	free(out);
	config_free(cfg);
	free(user);
	free(file);
	free(mk);
	free(xdg);
}

static void test_root_config_ini(void **state)
{
	/* The shipped config.ini loads, states exactly the built-in defaults, and mentions every
	 * key the program knows. */
	(void)state;
	char err[512];
	Config *cfg = config_new(), *def = config_new();
	assert_int_equal(config_load_file(cfg, FB_SOURCE_DIR "/config.ini", CONFIG_SRC_FILE, 0, err,
	                                  sizeof err),
	                 0);
	char msg[4096];
	assert_int_equal(config_apply_live(def, cfg, msg, sizeof msg), 0);
	assert_string_equal(msg, "");
	char *text = tu_read_file(FB_SOURCE_DIR "/config.ini", NULL);
	char *out = xasprintf("%s/print.txt", dir);
	FILE *f = fopen(out, "w");
	config_print(def, f);
	fclose(f);
	char *printed = tu_read_file(out, NULL);
	for (char *save, *line = strtok_r(printed, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (line[0] == '[' || line[0] == '#')
			continue;
		char key[64];
		assert_int_equal(sscanf(line, "%63s =", key), 1);
		char *needle = xasprintf("\n%s = ", key), *commented = xasprintf("\n# %s = ", key);
		if (!strstr(text, needle) && !strstr(text, commented)) {
			print_error("config.ini does not document key '%s'\n", key);
			fail();
		}
		free(needle);
		free(commented);
	}
	free(printed);
	free(out);
	free(text);
	config_free(cfg);
	config_free(def);
}

static void test_apply_live(void **state)
{
	(void)state;
	char err[512], msg[1024];
	Config *cur, *fresh;
	assert_int_equal(load("[log]\nlevel = info\n[feed]\ntop_n = 20\n", err, sizeof err, &cur),
	                 0);
	assert_int_equal(
	        load("[log]\nlevel = debug\n[feed]\ntop_n = 30\n", err, sizeof err, &fresh), 0);
	assert_int_equal(config_apply_live(cur, fresh, msg, sizeof msg), 1);
	assert_string_equal(config_get_str(cur, "log", "level"), "debug");
	assert_int_equal(config_get_int(cur, "feed", "top_n"), 20);
	assert_non_null(strstr(msg, "[log] level = debug (was info)"));
	assert_non_null(strstr(msg, "[feed] top_n changed to 30: takes effect after a restart"));
	config_free(cur);
	config_free(fresh);
}

static void test_sizes(void **state)
{
	(void)state;
	int64_t v;
	assert_int_equal(config_parse_size("4096", &v), 0);
	assert_int_equal(v, 4096);
	assert_int_equal(config_parse_size("10M", &v), 0);
	assert_int_equal(v, 10485760);
	assert_int_equal(config_parse_size("1.5KB", &v), 0);
	assert_int_equal(v, 1536);
	assert_int_equal(config_parse_size("2g", &v), 0);
	assert_int_equal(v, 2147483648LL);
	assert_int_equal(config_parse_size("-1", &v), -1);
	assert_int_equal(config_parse_size("10X", &v), -1);
	assert_int_equal(config_parse_size("", &v), -1);
	assert_int_equal(config_parse_size("1e89", &v), -1); /* found by fuzz_config */
	assert_int_equal(config_parse_size("9000000000G", &v), -1);
}

static void test_save_key(void **state)
{
	(void)state;
	char err[512], path[1024];
	snprintf(path, sizeof path, "%s/new/sub/user.ini", dir);
	/* a missing file and folders are created */
	assert_int_equal(config_save_key(path, "ui", "columns", "price rsi", err, sizeof err), 0);
	char *t = tu_read_file(path, NULL);
	assert_string_equal(t, "\n[ui]\ncolumns = price rsi\n");
	free(t);
	/* the key is replaced where it stands; comments, other keys and sections stay */
	char *p2 = tu_write_file(dir, "user2.ini",
	                         "# mine\n[store]\ndatabase = /x.db\n[ui]\n  columns=price\n"
	                         "color = 16 ; keep\n[alert a]\nwhen = rsi > 70\n");
	assert_int_equal(config_save_key(p2, "ui", "columns", "z spark", err, sizeof err), 0);
	t = tu_read_file(p2, NULL);
	assert_string_equal(t, "# mine\n[store]\ndatabase = /x.db\n[ui]\ncolumns = z spark\n"
	                       "color = 16 ; keep\n[alert a]\nwhen = rsi > 70\n");
	free(t);
	/* a section without the key gets it at its end; a missing section is added */
	assert_int_equal(config_save_key(p2, "store", "flush_ms", "100", err, sizeof err), 0);
	assert_int_equal(config_save_key(p2, "log", "level", "debug", err, sizeof err), 0);
	t = tu_read_file(p2, NULL);
	assert_non_null(strstr(t, "database = /x.db\nflush_ms = 100\n[ui]"));
	assert_non_null(strstr(t, "when = rsi > 70\n\n[log]\nlevel = debug\n"));
	free(t);
	/* the result loads, and the list is checked */
	Config *cfg = config_new();
	assert_int_equal(config_load_file(cfg, p2, CONFIG_SRC_FILE, 0, err, sizeof err), 0);
	assert_string_equal(config_get_str(cfg, "ui", "columns"), "z spark");
	config_free(cfg);
	free(p2);
	assert_error("[ui]\ncolumns = price rsi bogus\n", "'bogus' is not one of");
	/* a folder that cannot be written is an error */
	assert_int_equal(config_save_key("/proc/nope/x.ini", "ui", "k", "v", err, sizeof err), -1);
}

/* Many [alert] sections: every one is found by its name, in file order, and a name used twice
 * is refused with both places, however far apart they are. */
static void test_many_alerts(void **state)
{
	(void)state;
	enum { N = 20000 };
	StrBuf b = {0};
	for (int i = 0; i < N; i++)
		strbuf_printf(&b, "[alert r%d]\nwhen = rsi > %d\n", i, i % 100);
	char err[1024] = "";
	Config *cfg = NULL;
	assert_int_equal(load(b.p, err, sizeof err, &cfg), 0);
	assert_int_equal(config_alert_count(cfg), N);
	for (int i = 0; i < N; i += 997) {
		char name[32], when[32];
		snprintf(name, sizeof name, "r%d", i);
		snprintf(when, sizeof when, "rsi > %d", i % 100);
		assert_string_equal(config_alert(cfg, i)->name, name);
		assert_string_equal(config_alert_get(config_alert(cfg, i), "when"), when);
	}
	config_free(cfg);
	strbuf_printf(&b, "[alert r7]\nwhen = rsi > 1\n");
	assert_int_equal(load(b.p, err, sizeof err, NULL), -1);
	assert_non_null(strstr(err, "[alert r7] is already defined at"));
	assert_non_null(strstr(err, "c.ini:15"));
	free(b.p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_defaults),
	        cmocka_unit_test(test_good_file),
	        cmocka_unit_test(test_errors),
	        cmocka_unit_test(test_missing_file),
	        cmocka_unit_test(test_env),
	        cmocka_unit_test(test_precedence),
	        cmocka_unit_test(test_root_config_ini),
	        cmocka_unit_test(test_apply_live),
	        cmocka_unit_test(test_sizes),
	        cmocka_unit_test(test_save_key),
	        cmocka_unit_test(test_many_alerts),
	};
	return cmocka_run_group_tests(tests, setup, tu_group_teardown);
}
