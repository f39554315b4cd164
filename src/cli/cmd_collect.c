/* futuresboard collect: the headless collector (feed + store). A lock file beside the
 * database keeps a second collector off it. SIGINT/SIGTERM stop it with the queue flushed;
 * SIGHUP reloads what may change live. Main thread. */
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/log.h"
#include "core/signals.h"
#include "core/timeutil.h"
#include "feed/collector.h"

/* collect, or live (ui): the same collector, with the dashboard in front. */
static int run(CliContext *ctx, int argc, char **argv, int ui)
{
	const char *name = ui ? "live" : "collect";
	static const struct option opts[] = {
	        {"health-port", required_argument, NULL, 'p'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	int health = (int)config_get_int(ctx->cfg, "health", "port"), c;
	while ((c = getopt_long(argc, argv, "p:h", opts, NULL)) != -1) {
		switch (c) {
		case 'p': health = atoi(optarg); break; /* -1: any free port (printed) */
		case 'h': return cli_help(name);
		default: return cli_usage(name);
		}
	}
	if (optind < argc) {
		cli_error("%s: unexpected argument '%s'", name, argv[optind]);
		return cli_usage(name);
	}
	if (ui && !cli_has_terminal()) {
		cli_error("live mode shows the dashboard and needs a terminal; 'futuresboard "
		          "collect' "
		          "runs without one (and 'futuresboard attach' watches it)");
		return CLI_USAGE;
	}
	char *db = config_get_path(ctx->cfg, "store", "database");
	Store *probe = cli_open_store(ctx, 0); /* creates and migrates before the threads start */
	if (!probe) {
		free(db);
		return CLI_FAIL;
	}
	store_close(probe);
	int lock = cli_take_lock(db, name);
	if (lock < 0) {
		free(db);
		return CLI_FAIL;
	}
	CollectorOptions o;
	cli_collector_options(ctx, &o, db);
	o.health_port = health;
	o.final_pass_ms = ui ? 0 : 2000; /* headless: a last gap pass of at most 2 s at a stop */
	o.rules = cli_alert_rules(ctx);
	if (ui)
		o.on_alert = cli_alert_sink; /* toasts and the bell */
	if (!o.rules) {
		close(lock);
		free(db);
		return CLI_USAGE;
	}
	/* a cluster store: what the writer commits is shipped to it as well */
	ShipperOptions ship;
	char *pwfile = NULL;
	if (*config_get_str(ctx->cfg, "clickhouse", "url")) {
		ship = (ShipperOptions){
		        .db_path = db,
		        .batch_rows = (int)config_get_int(ctx->cfg, "clickhouse", "batch_rows"),
		        .flush_ms = (int)config_get_int(ctx->cfg, "clickhouse", "flush_ms"),
		        .busy_timeout_ms =
		                (int)config_get_int(ctx->cfg, "store", "busy_timeout_ms")};
		pwfile = cli_clickhouse_options(ctx, &ship.ch);
		o.ship = &ship;
	}
	char err[1024];
	signals_install();
	Collector *col = collector_start(&o, err, sizeof err);
	free(pwfile);
	if (!col) {
		cli_error("%s: %s", name, err);
		close(lock);
		free(db);
		return CLI_FAIL;
	}
	log_info("collect", "started: %s, %d symbols, %s", o.rest_url, o.top_n,
	         config_get_str(ctx->cfg, "feed", "intervals"));
	int status = CLI_OK;
	if (ui) {
		log_set_stderr(LOG_ERROR); /* the dashboard owns the terminal */
		CliDashboard d = {0};
		cli_dashboard_options(ctx, &d);
		d.live = collector_engine(col);
		d.mode = "LIVE";
		d.exchange = o.exchange;
		d.db_path = db;
		d.health = cli_collector_health;
		d.health_arg = col;
		d.feed_state = cli_collector_state;
		d.feed_arg = col;
		d.watch = cli_collector_watch;
		d.watch_arg = col;
		CliReload reload = {ctx, collector_engine(col)};
		d.tick = cli_reload_tick;
		d.tick_arg = &reload;
		status = cli_dashboard(&d);
		status = status < 0 ? CLI_USAGE : status;
	} else {
		if (collector_health_port(col))
			printf("collect: health on http://127.0.0.1:%d/health\n",
			       collector_health_port(col));
		printf("collect: writing %s; stop with Ctrl-C\n", db);
		fflush(stdout);
	}
	while (!ui && !signals_stop_requested()) {
		struct pollfd p = {.fd = signals_fd(), .events = POLLIN};
		poll(&p, 1, 1000);
		signals_drain();
		AlertRules *rules = NULL;
		if (signals_take_reload() && cli_reload_config(ctx, &rules) == 0) {
			log_info("config", "reload: %d alert rule%s", rules->n,
			         rules->n == 1 ? "" : "s");
			quant_live_set_rules(collector_engine(col), rules);
			char w[CONFIG_MAX_SYMBOLS][FB_SYMBOL_LEN];
			int nw = config_get_symbols(ctx->cfg, "feed", "watchlist", w,
			                            CONFIG_MAX_SYMBOLS);
			collector_watch(col, (const char(*)[FB_SYMBOL_LEN])w, nw);
		}
	}
	int64_t t0 = fb_mono_ms();
	uint64_t lost = collector_stop(col);
	log_info("collect", "stopped in %lld ms; %llu records lost", (long long)(fb_mono_ms() - t0),
	         (unsigned long long)lost);
	if (lost)
		printf("%s: stopped in %lld ms; %llu records could not be saved (the store refused "
		       "them: see the log)\n",
		       name, (long long)(fb_mono_ms() - t0), (unsigned long long)lost);
	else
		printf("%s: stopped in %lld ms, queue flushed\n", name,
		       (long long)(fb_mono_ms() - t0));
	close(lock);
	free(db);
	return lost ? CLI_FAIL : status;
}

int cmd_collect(CliContext *ctx, int argc, char **argv)
{
	return run(ctx, argc, argv, 0);
}
int cmd_live(CliContext *ctx, int argc, char **argv)
{
	return run(ctx, argc, argv, 1);
}
