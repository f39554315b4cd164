/* futuresboard replay: the dashboard over stored candles. The player replays the store
 * through the engine (alert rules included) on a clock the keys move. Main thread. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/log.h"
#include "core/numparse.h"
#include "core/signals.h"
#include "core/timeutil.h"

static void replay_alert(void *arg, const AlertRecord *a, const char *command, int bell)
{
	(void)arg, (void)command; /* a replay shows alerts; it does not run their commands */
	if (cli_alert_sink)
		cli_alert_sink(NULL, a, bell);
}

int cmd_replay(CliContext *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
	        {"from", required_argument, NULL, 'f'},  {"to", required_argument, NULL, 't'},
	        {"speed", required_argument, NULL, 'x'}, {"exchange", required_argument, NULL, 'e'},
	        {"help", no_argument, NULL, 'h'},        {NULL, 0, NULL, 0},
	};
	PlayerOptions po = {0};
	double speed = 60;
	const char *exchange = NULL;
	int c;
	while ((c = getopt_long(argc, argv, "f:t:x:e:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
		case 't':
			if (fb_time_parse(optarg, c == 'f' ? &po.from_ms : &po.to_ms)) {
				cli_error("replay: --%s %s: expected a time such as 2025-01-31 or "
				          "2025-01-31T12:00",
				          c == 'f' ? "from" : "to", optarg);
				return CLI_USAGE;
			}
			break;
		case 'x':
			if (fb_parse_double(optarg, &speed) || speed < 1 || speed > 10000) {
				cli_error("replay: --speed %s: expected a number from 1 to 10000",
				          optarg);
				return CLI_USAGE;
			}
			break;
		case 'e': exchange = optarg; break;
		case 'h': return cli_help("replay");
		default: return cli_usage("replay");
		}
	}
	if (optind < argc) {
		cli_error("replay: unexpected argument '%s'", argv[optind]);
		return cli_usage("replay");
	}
	if (po.from_ms && po.to_ms && po.from_ms >= po.to_ms) {
		cli_error("replay: --from must come before --to");
		return CLI_USAGE;
	}
	if (!cli_has_terminal()) {
		cli_error("replay shows the dashboard and needs a terminal (for stored values as "
		          "text: 'futuresboard export features')");
		return CLI_USAGE;
	}
	/* the database file, or the cluster store (--source clickhouse) */
	ChOptions cho;
	char *pwfile = NULL, *db = NULL;
	if (cli_reads_cluster(ctx)) {
		pwfile = cli_clickhouse_options(ctx, &cho);
		po.ch = &cho;
	} else if (!(db = cli_existing_database(ctx, "replay", "collect, backfill or import")))
		return CLI_FAIL;
	CliDashboard d = {0};
	cli_dashboard_options(ctx, &d);
	po.q = d.quant;
	po.q.exchange = exchange;
	po.q.nintervals = 0; /* those stored */
	po.q.on_alert = replay_alert;
	po.db_path = db;
	po.rules = ctx->cfg;
	char err[1024];
	AlertRules *check = cli_alert_rules(ctx); /* rule errors before the screen opens */
	if (!check) {
		free(db);
		free(pwfile);
		return CLI_USAGE;
	}
	alert_rules_free(check);
	Player *p = player_open(&po, err, sizeof err);
	free(pwfile);
	if (!p) {
		cli_error("replay: %s", err);
		free(db);
		return CLI_FAIL;
	}
	signals_install();
	log_set_stderr(LOG_ERROR);
	d.player = p;
	d.mode = "REPLAY";
	d.exchange = player_exchange(p);
	d.db_path = db;
	d.speed = speed;
	int rc = cli_dashboard(&d);
	rc = rc < 0 ? CLI_USAGE : rc; /* an unusable terminal, or the exit status */
	player_close(p);
	free(db);
	return rc;
}
