/* futuresboard demo: the offline demo. Starts the exchange simulator in this process, runs
 * the collector against it into a demo database, and shows the dashboard on a terminal (q
 * quits); with --plain, --seconds or without a terminal it prints the quant engine's top table
 * as plain text every two seconds until Ctrl-C (or --seconds). Main thread. */
#include <getopt.h>
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/log.h"
#include "core/numparse.h"
#include "core/signals.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"
#include "feed/collector.h"
#include "feed/exchange.h"
#include "simex/simex.h"

static void num(char *buf, size_t len, double v, const char *fmt, double scale)
{
	if (isfinite(v))
		snprintf(buf, len, fmt, v * scale);
	else
		snprintf(buf, len, "-");
}

/* The engine's latest top table (one timeframe), as plain text. */
static void show(QuantLive *live, double speed, int tty, int tf)
{
	QuantSnapshot *s = quant_live_acquire(live);
	char t[32];
	if (tty)
		fputs("\033[H\033[J", stdout);
	if (!s || s->nrows == 0) {
		printf("futuresboard demo: collecting the first candles...\n");
		quant_live_release(live, s);
		fflush(stdout);
		return;
	}
	fb_time_format(s->ts, t, sizeof t);
	printf("futuresboard demo: simulated market at %gx, %s UTC, %s candles (Ctrl-C stops)\n\n",
	       speed, t, s->intervals[tf]);
	printf("%-11s %12s %7s %10s %6s %8s %7s %7s %6s %6s %-5s\n", "symbol", "price", "24h%",
	       "24h vol $M", "RSI", "funding", "OI chg", "book", "vol", "z", "trend");
	for (int r = 0; r < s->nrows; r++) {
		const QuantTopRow *row = &s->rows[r];
		const QuantValues *v = &row->tf[tf];
		char ch[16], qv[16], rsi[16], fu[16], oi[16], bk[16], rv[16], z[16];
		num(ch, sizeof ch, row->change_24h, "%+.2f", 100);
		num(qv, sizeof qv, row->quote_volume_24h, "%.1f", 1e-6);
		num(rsi, sizeof rsi, v->rsi, "%.1f", 1);
		num(fu, sizeof fu, v->funding, "%.4f%%", 100);
		num(oi, sizeof oi, v->oi_change, "%+.2f%%", 100);
		num(bk, sizeof bk, v->imbalance, "%+.2f", 1);
		num(rv, sizeof rv, v->rv, "%.0f%%", 100);
		num(z, sizeof z, v->zscore, "%+.1f", 1);
		printf("%-11s %12.6g %7s %10s %6s %8s %7s %7s %6s %6s %-5s\n", row->symbol,
		       row->last, ch, qv, rsi, fu, oi, bk, rv, z, quant_trend_name((int)v->trend));
	}
	printf("\nbreadth %d up / %d down; open interest $%.0fM; OI-weighted funding %.4f%%\n",
	       s->agg.up, s->agg.down, s->agg.total_oi_value / 1e6,
	       s->agg.oi_weighted_funding * 100);
	printf("%s\n", cli_dashboard ? "This is the engine's top table as text; on a terminal "
	                               "without --plain the demo shows the dashboard."
	                             : "This build has no full-screen dashboard: this is the "
	                               "engine's top table.");
	quant_live_release(live, s);
	fflush(stdout);
}

int cmd_demo(CliContext *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
	        {"seconds", required_argument, NULL, 's'},
	        {"speed", required_argument, NULL, 'x'},
	        {"plain", no_argument, NULL, 'P'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	int seconds = 0, plain = 0, c;
	double speed = 10;
	while ((c = getopt_long(argc, argv, "s:x:Ph", opts, NULL)) != -1) {
		switch (c) {
		case 's': seconds = atoi(optarg); break;
		case 'P': plain = 1; break;
		case 'x':
			if (fb_parse_double(optarg, &speed) || speed <= 0 || speed > 10000) {
				cli_error("demo: --speed %s: expected a number from 0 to 10000",
				          optarg);
				return CLI_USAGE;
			}
			break;
		case 'h': return cli_help("demo");
		default: return cli_usage("demo");
		}
	}
	if (optind < argc) {
		cli_error("demo: unexpected argument '%s'", argv[optind]);
		return cli_usage("demo");
	}
	/* The demo keeps to its own database beside the default one, unless told otherwise. */
	char err[1024];
	if (config_get_source(ctx->cfg, "store", "database") == CONFIG_SRC_DEFAULT) {
		char *path = config_get_path(ctx->cfg, "store", "database");
		char *slash = strrchr(path, '/');
		char *demo = xasprintf("%.*sdemo.db", slash ? (int)(slash - path + 1) : 0, path);
		config_set(ctx->cfg, "store.database", demo, CONFIG_SRC_DEFAULT, "demo", err,
		           sizeof err);
		free(demo);
		free(path);
	}
	Store *st = cli_open_store(ctx, 0);
	if (!st)
		return CLI_FAIL;
	char *db = config_get_path(ctx->cfg, "store", "database");
	int lock = cli_take_lock(db, "demo"); /* any writer keeps a collector off its database */
	if (lock < 0) {
		store_close(st);
		free(db);
		return CLI_FAIL;
	}
	signals_install();
	signals_hangup_stops(1);   /* the demo is never a daemon: a hangup ends it */
	log_set_stderr(LOG_ERROR); /* the table owns the terminal; the rest is in the log file */

	SimexOptions so;
	simex_options_default(&so);
	char instruments[4096];
	so.instruments = cli_data_file("instruments.csv", instruments, sizeof instruments);
	so.speed = speed;
	so.history_minutes = 2 * 1440;
	so.venues = SIMEX_BINANCE | SIMEX_BYBIT; /* two exchanges from one market */
	Simex *sx = simex_start(&so, err, sizeof err);
	if (!sx) {
		cli_error("demo: %s", err);
		store_close(st);
		close(lock);
		free(db);
		return CLI_FAIL;
	}
	char rest[64], ws[64];
	snprintf(rest, sizeof rest, "http://127.0.0.1:%d", simex_port(sx));
	snprintf(ws, sizeof ws, "ws://127.0.0.1:%d", simex_port(sx));
	CollectorOptions o;
	cli_collector_options(ctx, &o, db);
	o.ex = &exchange_binance;
	o.rest_url = rest;
	o.ws_url = ws;
	o.exchange = "simex";
	/* Bybit beside it, from the same simulator: the columns across exchanges and the venue
	 * screen (v) have something to show */
	o.nvenues = 1;
	o.venues[0] = (CollectorVenue){&exchange_bybit, rest, ws, "simex-bybit", 0, 5000};
	o.lookback = 300;
	o.weight_limit = 2400;
	o.timeout_ms = 5000;
	o.stale_s = 10;
	o.silent_stream_s = 30;
	o.poll_s = 30;
	o.gap_check_s = 30;
	o.health_port = 0;
	o.nintervals = 0;
	static const char *ivs[] = {"1m", "5m", "15m", "1h"};
	for (int i = 0; i < 4; i++)
		snprintf(o.intervals[o.nintervals++], sizeof o.intervals[0], "%s", ivs[i]);
	o.rules = cli_alert_rules(ctx);
	o.on_alert = cli_alert_sink;
	if (!o.rules) {
		simex_stop(sx);
		store_close(st);
		close(lock);
		free(db);
		return CLI_USAGE;
	}
	Collector *col = collector_start(&o, err, sizeof err);
	if (!col) {
		cli_error("demo: %s", err);
		simex_stop(sx);
		store_close(st);
		close(lock);
		free(db);
		return CLI_FAIL;
	}
	int tty = isatty(STDOUT_FILENO), status = CLI_OK;
	int64_t end = seconds > 0 ? fb_mono_ms() + (int64_t)seconds * 1000 : INT64_MAX;
	if (tty && !plain && cli_dashboard && seconds == 0) {
		CliDashboard d = {0};
		cli_dashboard_options(ctx, &d);
		d.live = collector_engine(col);
		d.mode = "DEMO";
		d.exchange = "simex";
		d.db_path = db;
		d.quant.exchange = "simex";
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
		if (status >= 0)
			end = 0; /* the dashboard ran: done */
		else
			status = tty =
			        0; /* plain text, without the escapes that clear the screen */
	}
	while (!signals_stop_requested() && fb_mono_ms() < end) {
		show(collector_engine(col), speed, tty, 1);
		struct pollfd p = {.fd = signals_fd(), .events = POLLIN};
		poll(&p, 1, 2000);
		signals_drain();
		AlertRules *rules = NULL;
		if (signals_take_reload() && cli_reload_config(ctx, &rules) == 0)
			quant_live_set_rules(collector_engine(col), rules);
	}
	if (end != 0)
		show(collector_engine(col), speed, 0, 1);
	int64_t t0 = fb_mono_ms();
	uint64_t lost = collector_stop(col);
	simex_stop(sx);
	store_close(st);
	close(lock);
	/* why and how fast it ended: a hangup (129) is the terminal going away */
	log_info("demo", "stopped in %lld ms (exit status %d); %llu records lost",
	         (long long)(fb_mono_ms() - t0), lost ? CLI_FAIL : signals_exit_status(status),
	         (unsigned long long)lost);
	printf("demo: stopped; the data stays in %s\n", db);
	free(db);
	return lost ? CLI_FAIL : signals_exit_status(status);
}
