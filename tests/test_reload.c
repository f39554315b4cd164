/* SIGHUP reload: the signal sets the flag and wakes the pipe; cli_reload_config applies live
 * keys (log level), keeps the others for a restart, and keeps everything on a bad file. */
#include "testutil.h"

#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/log.h"
#include "core/signals.h"
#include "core/xmalloc.h"

static void test_sighup_reload(void **state)
{
	(void)state;
	char *tmp = tu_mkdtemp(), err[512];
	char *ini =
	        tu_write_file(tmp, "c.ini", "[log]\nlevel = warn\nfile =\n[feed]\ntop_n = 20\n");
	char *env[] = {NULL};
	CliContext ctx = {.config_file = ini, .envp = env};
	ctx.cfg = config_build(ini, env, NULL, 0, err, sizeof err);
	assert_non_null(ctx.cfg);
	log_set_level(LOG_WARN);
	log_set_stderr(-1);

	assert_int_equal(signals_install(), 0);
	assert_int_equal(signals_take_reload(), 0);
	free(tu_write_file(tmp, "c.ini", "[log]\nlevel = debug\nfile =\n[feed]\ntop_n = 30\n"));
	raise(SIGHUP);
	struct pollfd p = {.fd = signals_fd(), .events = POLLIN};
	assert_int_equal(poll(&p, 1, 1000), 1);
	signals_drain();
	assert_int_equal(signals_take_reload(), 1);
	assert_int_equal(signals_take_reload(), 0);
	assert_int_equal(signals_stop_requested(), 0);

	assert_int_equal(cli_reload_config(&ctx, NULL), 0);
	assert_int_equal(log_get_level(), LOG_DEBUG);
	assert_string_equal(config_get_str(ctx.cfg, "log", "level"), "debug");
	assert_int_equal(config_get_int(ctx.cfg, "feed", "top_n"), 20); /* needs a restart */

	/* a broken file is refused and the running configuration kept */
	free(tu_write_file(tmp, "c.ini", "[log]\nlevel = shouting\n"));
	assert_int_equal(cli_reload_config(&ctx, NULL), -1);
	assert_int_equal(log_get_level(), LOG_DEBUG);
	assert_string_equal(config_get_str(ctx.cfg, "log", "level"), "debug");

	raise(SIGTERM);
	assert_int_equal(signals_stop_requested(), 1);
	config_free(ctx.cfg);
	free(ini);
	tu_rmdir_all(tmp);
	free(tmp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_sighup_reload),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
