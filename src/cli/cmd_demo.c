/* futuresboard demo: the offline demo. Starts the exchange simulator in this process, runs
 * the collector against it into a demo database, and prints what is stored as a plain table
 * every two seconds until Ctrl-C (or --seconds). The live dashboard is not built yet; the
 * table is read from the database, so it shows the whole pipeline at work. Main thread. */
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
#include "simex/simex.h"

static void show(Store *st, double speed, int tty)
{
	static const char *sql =
	        "SELECT s.symbol, c.close, c.open_time, "
	        " (SELECT close FROM candles WHERE series_id = s.id AND open_time <= c.open_time - "
	        "3600000 "
	        "  ORDER BY open_time DESC LIMIT 1), "
	        " (SELECT total(quote_volume) FROM candles WHERE series_id = s.id "
	        "  AND open_time > c.open_time - 3600000), "
	        " (SELECT value FROM market_metrics m WHERE m.symbol = s.symbol AND m.exchange = "
	        "s.exchange "
	        "  AND metric = 'funding_rate_est' ORDER BY ts DESC LIMIT 1), "
	        " (SELECT value FROM market_metrics m WHERE m.symbol = s.symbol AND m.exchange = "
	        "s.exchange "
	        "  AND metric = 'book_imbalance' ORDER BY ts DESC LIMIT 1) "
	        "FROM series s JOIN candles c ON c.series_id = s.id "
	        "WHERE s.interval = '1m' AND c.open_time = (SELECT max(open_time) FROM candles "
	        "  WHERE series_id = s.id) "
	        "ORDER BY 5 DESC LIMIT 20";
	sqlite3_stmt *q;
	if (sqlite3_prepare_v2(store_db(st), sql, -1, &q, NULL) != SQLITE_OK)
		return;
	char t[32];
	if (tty)
		fputs("\033[H\033[J", stdout);
	int n = 0;
	while (sqlite3_step(q) == SQLITE_ROW) {
		if (!n++) {
			fb_time_format(sqlite3_column_int64(q, 2), t, sizeof t);
			printf("futuresboard demo: simulated market at %gx, %s UTC (Ctrl-C "
			       "stops)\n\n",
			       speed, t);
			printf("%-12s %14s %8s %16s %10s %8s\n", "symbol", "price", "1h %",
			       "1h volume $", "funding", "book");
		}
		double close = sqlite3_column_double(q, 1), prev = sqlite3_column_double(q, 3);
		char change[16] = "-", funding[16] = "-", book[16] = "-";
		if (sqlite3_column_type(q, 3) != SQLITE_NULL && prev > 0)
			snprintf(change, sizeof change, "%+.2f", (close / prev - 1) * 100);
		if (sqlite3_column_type(q, 5) != SQLITE_NULL)
			snprintf(funding, sizeof funding, "%.4f%%",
			         sqlite3_column_double(q, 5) * 100);
		if (sqlite3_column_type(q, 6) != SQLITE_NULL)
			snprintf(book, sizeof book, "%+.2f", sqlite3_column_double(q, 6));
		printf("%-12s %14.6g %8s %16.0f %10s %8s\n", sqlite3_column_text(q, 0), close,
		       change, sqlite3_column_double(q, 4), funding, book);
	}
	sqlite3_finalize(q);
	if (!n)
		printf("futuresboard demo: collecting the first candles...\n");
	printf("\nThe live dashboard is not built yet: this table is read back from the demo "
	       "database.\n");
	fflush(stdout);
}

int cmd_demo(CliContext *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
	        {"seconds", required_argument, NULL, 's'},
	        {"speed", required_argument, NULL, 'x'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	int seconds = 0, c;
	double speed = 10;
	while ((c = getopt_long(argc, argv, "s:x:h", opts, NULL)) != -1) {
		switch (c) {
		case 's': seconds = atoi(optarg); break;
		case 'x':
			if (fb_parse_double(optarg, &speed) || speed <= 0 || speed > 10000) {
				cli_error("demo: --speed %s: expected a number from 0 to 10000",
				          optarg);
				return CLI_USAGE;
			}
			break;
		case 'h': cli_usage("demo"); return CLI_OK;
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
	signals_install();
	log_set_stderr(LOG_ERROR); /* the table owns the terminal; the rest is in the log file */

	SimexOptions so;
	simex_options_default(&so);
	so.instruments = FB_DATA_DIR "/instruments.csv";
	so.speed = speed;
	so.history_minutes = 2 * 1440;
	Simex *sx = simex_start(&so, err, sizeof err);
	if (!sx) {
		cli_error("demo: %s", err);
		store_close(st);
		free(db);
		return CLI_FAIL;
	}
	char rest[64], ws[64];
	snprintf(rest, sizeof rest, "http://127.0.0.1:%d", simex_port(sx));
	snprintf(ws, sizeof ws, "ws://127.0.0.1:%d", simex_port(sx));
	CollectorOptions o = {0};
	o.db_path = db;
	o.rest_url = rest;
	o.ws_url = ws;
	o.exchange = "simex";
	o.top_n = (int)config_get_int(ctx->cfg, "feed", "top_n");
	o.lookback = 300;
	o.weight_limit = 2400;
	o.timeout_ms = 5000;
	o.stale_s = 10;
	o.silent_stream_s = 30;
	o.poll_s = 30;
	o.gap_check_s = 30;
	o.health_port = 0;
	o.writer.queue_capacity = 65536;
	o.writer.batch_size = 2000;
	o.writer.flush_ms = 250;
	o.writer.busy_timeout_ms = 5000;
	static const char *ivs[] = {"1m", "5m", "15m", "1h"};
	for (int i = 0; i < 4; i++)
		snprintf(o.intervals[o.nintervals++], sizeof o.intervals[0], "%s", ivs[i]);
	Collector *col = collector_start(&o, err, sizeof err);
	if (!col) {
		cli_error("demo: %s", err);
		simex_stop(sx);
		store_close(st);
		free(db);
		return CLI_FAIL;
	}
	int tty = isatty(STDOUT_FILENO);
	int64_t end = seconds > 0 ? fb_mono_ms() + (int64_t)seconds * 1000 : INT64_MAX;
	while (!signals_stop_requested() && fb_mono_ms() < end) {
		show(st, speed, tty);
		struct pollfd p = {.fd = signals_fd(), .events = POLLIN};
		poll(&p, 1, 2000);
		signals_drain();
	}
	uint64_t lost = collector_stop(col);
	simex_stop(sx);
	show(st, speed, 0);
	store_close(st);
	printf("demo: stopped; the data stays in %s\n", db);
	free(db);
	return lost ? CLI_FAIL : CLI_OK;
}
