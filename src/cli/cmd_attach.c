/* futuresboard attach: a read-only dashboard over the database a collector is filling. Its own
 * engine thread (nothing stored, no rules) is fed by the follower, which notices commits of
 * the collector through PRAGMA data_version; alerts are the collector's, read from the alerts
 * table. Several can watch one collector. Main thread. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/log.h"
#include "core/signals.h"
#include "core/timeutil.h"
#include "quant/follow.h"

typedef struct {
	Follower *f;
	QuantLive *live;
	const char *db;
} Attached;

static void attach_health(void *arg, StrBuf *out)
{
	Attached *a = arg;
	FollowStats fs;
	QuantLiveStats ls;
	follow_get_stats(a->f, &fs);
	quant_live_get_stats(a->live, &ls);
	char t[32];
	strbuf_printf(out, "attached, read-only, to %s\n\n", a->db);
	strbuf_printf(out, "polls              %llu\n", (unsigned long long)fs.polls);
	strbuf_printf(out, "commits noticed    %llu (PRAGMA data_version)\n",
	              (unsigned long long)fs.changes);
	strbuf_printf(out, "last commit seen   %s\n",
	              fs.last_change_ms ? fb_time_format(fs.last_change_ms, t, sizeof t) : "none");
	strbuf_printf(out, "events followed    %llu (%llu seen before, skipped)\n",
	              (unsigned long long)fs.events, (unsigned long long)fs.duplicates);
	strbuf_printf(out, "alerts read        %llu\n", (unsigned long long)fs.alerts);
	strbuf_printf(out, "read errors        %llu\n", (unsigned long long)fs.errors);
	strbuf_printf(out, "symbols            %d\n\n", fs.symbols);
	strbuf_printf(out, "engine: warm %s, %llu events applied, %llu dropped, generation %llu\n",
	              ls.warm ? "yes" : "no", (unsigned long long)ls.applied,
	              (unsigned long long)ls.dropped, (unsigned long long)ls.generation);
	strbuf_printf(out, "\nthe collector's own health: futuresboard health\n");
}

/* w in a viewer: its own rows; the collector follows the saved list when it reloads */
static void attach_watch(void *arg, const char (*symbols)[FB_SYMBOL_LEN], int n)
{
	quant_live_watch(arg, symbols, n);
}

static void attach_alert(void *arg, const AlertRecord *a)
{
	(void)arg;
	if (cli_alert_sink)
		cli_alert_sink(NULL, a, 0);
}

int cmd_attach(CliContext *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
	        {"exchange", required_argument, NULL, 'e'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	char exchange[FB_EXCHANGE_LEN] = "";
	if (config_get_source(ctx->cfg, cli_first_exchange(ctx), "label") != CONFIG_SRC_DEFAULT)
		snprintf(exchange, sizeof exchange, "%s", cli_first_label(ctx));
	int c;
	while ((c = getopt_long(argc, argv, "e:h", opts, NULL)) != -1) {
		switch (c) {
		case 'e': snprintf(exchange, sizeof exchange, "%s", optarg); break;
		case 'h': return cli_help("attach");
		default: return cli_usage("attach");
		}
	}
	if (optind < argc) {
		cli_error("attach: unexpected argument '%s'", argv[optind]);
		return cli_usage("attach");
	}
	if (!cli_has_terminal()) {
		cli_error("attach shows the dashboard and needs a terminal");
		return CLI_USAGE;
	}
	char *db = cli_existing_database(ctx, "attach", "start 'futuresboard collect'");
	if (!db)
		return CLI_FAIL;
	char err[1024];
	CliDashboard d = {0};
	cli_dashboard_options(ctx, &d);
	/* the collector's exchange and timeframes, unless named: the dashboard starts on the
	 * shortest the collector has */
	int niv = follow_pick(db, exchange, sizeof exchange, d.quant.intervals, QUANT_MAX_INTERVALS,
	                      err, sizeof err);
	if (niv < 0) {
		cli_error("attach: %s", err);
		free(db);
		return CLI_FAIL;
	}
	if (niv > 0 && config_get_source(ctx->cfg, "feed", "intervals") == CONFIG_SRC_DEFAULT)
		d.quant.nintervals = niv;
	else
		d.quant.nintervals =
		        config_get_intervals(ctx->cfg, d.quant.intervals, QUANT_MAX_INTERVALS);
	d.quant.exchange = exchange;
	d.quant.top_n = QUANT_MAX_ROWS; /* every symbol the collector ranks or watches */
	QuantLiveOptions lo = {0};
	lo.q = d.quant;
	lo.db_path = db;
	lo.cycle_ms = (int)config_get_int(ctx->cfg, "quant", "cycle_ms");
	lo.queue_capacity =
	        (size_t)config_get_int(ctx->cfg, "quant", "queue_bytes") / sizeof(Event);
	QuantLive *live = quant_live_start(&lo, NULL, err, sizeof err);
	if (!live) {
		cli_error("attach: %s", err);
		free(db);
		return CLI_FAIL;
	}
	FollowOptions fo = {.db_path = db,
	                    .exchange = exchange,
	                    .live = live,
	                    .poll_ms = d.refresh_ms < 500 ? d.refresh_ms : 500,
	                    .on_alert = attach_alert};
	Follower *f = follow_start(&fo, err, sizeof err);
	if (!f) {
		cli_error("attach: %s", err);
		quant_live_stop(live);
		free(db);
		return CLI_FAIL;
	}
	signals_install();
	log_set_stderr(LOG_ERROR);
	Attached a = {f, live, db};
	d.live = live;
	d.mode = "ATTACH";
	d.exchange = exchange;
	d.db_path = db;
	d.stale_ms = 150 * 1000; /* what a collector stores comes in per-minute rows */
	char w[CONFIG_MAX_SYMBOLS][FB_SYMBOL_LEN];
	int nw = config_get_symbols(ctx->cfg, "feed", "watchlist", w, CONFIG_MAX_SYMBOLS);
	quant_live_watch(live, (const char(*)[FB_SYMBOL_LEN])w, nw);
	d.watch = attach_watch;
	d.watch_arg = live;
	d.health = attach_health;
	d.health_arg = &a;
	int rc = cli_dashboard(&d);
	rc = rc < 0 ? CLI_USAGE : rc; /* an unusable terminal, or the exit status */
	follow_stop(f);
	quant_live_stop(live);
	free(db);
	return rc;
}
