/* Command-line dispatch. Pulls the global options (--config, --db, --set, -v) out of the
 * command line wherever they stand, builds the layered configuration, sets up logging and
 * dispatches to the subcommand through cli_commands[]. Main thread. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/fsutil.h"
#include "core/log.h"
#include "core/signals.h"
#include "core/strbuf.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"
#include "feed/collector.h"
#include "feed/exchange.h"
#include "quant/derive.h"

#include <jansson.h>

#include <libwebsockets.h>

const CliCommand cli_commands[] = {
        {"live", cmd_live, "[--health-port N]",
         "the live dashboard: feed, store and engine in one process (also: no command)", 1},
        {"attach", cmd_attach, "[--exchange E]",
         "the dashboard, read-only, over the database a collector is filling", 1},
        {"replay", cmd_replay, "[--from T] [--to T] [--speed X] [--exchange E]",
         "the dashboard over stored candles, on a clock you control", 1},
        {"demo", cmd_demo, "[--speed X] [--plain] [--seconds N]",
         "start the offline demo: simulator, collector and the live dashboard", 1},
        {"import", cmd_import,
         "[--symbol S] [--interval I] [--exchange E] [--kind klines|funding|mark] [--max-rejects "
         "N] "
         "FILE|- ...",
         "import kline or funding-rate CSV files (plain or gzip)", 1},
        {"export", cmd_export,
         "[candles|funding|metrics|alerts|features] [--symbol S[,S...]] [--interval I] [--metric "
         "M] "
         "[--exchange E] [--from T] [--to T] [-o FILE]",
         "write stored rows, or the engine's features of a series, as CSV", 0},
        {"db", cmd_db,
         "check [--symbol S] [--interval I] [--max-listed N] [--cross] | stats | migrate | "
         "aggregate --to I[,I...] [--from I] [--symbol S] [--exchange E]",
         "check stored candles for gaps and bad rows, show what is stored, migrate the "
         "schema, or build higher intervals from lower ones",
         0},
        {"backfill", cmd_backfill,
         "[--symbol S[,S...]] [--interval I[,I...]] [--since T] [--top N]",
         "fetch missing candles over REST and report the gaps", 1},
        {"backtest", cmd_backtest,
         "--strategy NAME --symbol S --interval I [--from T] [--to T] [--param K=V]... "
         "[--fee-bps X] [--slippage-bps X] [--funding on|off] [--leverage X] [--fraction X] "
         "[--sizing fixed|vol] [--target-vol X] [--no-short] [--initial X] [--exchange E] "
         "[--walk-forward train=90d,test=30d [--grid K=V1,V2,...]... [--objective F]] "
         "[--json] [--export DIR]",
         "test a strategy over stored candles; the run is stored in the registry", 0},
        {"runs", cmd_runs,
         "[list [--limit N] | show ID [--json] | compare ID ID... | export ID "
         "[--dir D]]",
         "the registry of backtest runs", 0},
        {"risk", cmd_risk,
         "[--symbol S[,S...]] [--interval I] [--from T] [--to T] [--exchange E] [--weights "
         "S=W,...] [--target-vol X] [--json]",
         "historical VaR and expected shortfall, correlations, a volatility-target exposure", 0},
        {"stress", cmd_stress,
         "(--run ID | backtest options) [--method bootstrap|regime] [--paths N] [--horizon DAYS] "
         "[--block L] [--seed N] [--threads N] [--vol-scale on|off] [--swans PER_YEAR] "
         "[--swan-gap X] [--swan-vol X] [--swan-days N] [--swan-slippage-bps X] "
         "[--swan-funding X] [--ruin X] [--bands FILE] [--json]",
         "Monte Carlo stress test of a backtest's daily returns", 0},
        {"collect", cmd_collect, "[--health-port N]",
         "collect the market into the database (feed and store, no screen)", 1},
        {"health", cmd_health, "[--port N] [--json]",
         "print a running collector's health (--json: the raw /health document)", 0},
        {"simex", cmd_simex,
         "[--port N] [--seed N] [--speed X] [--start T] [--history-minutes N] [--history DB] "
         "[--instruments FILE] [--missing-rate P] [--weight-limit N] [--weight-window S] "
         "[--ban-seconds N] [--ws-drop-every S] [--ws-silence-every S --ws-silence S] "
         "[--malformed-rate P] [--duplicate-rate P] [--reorder-rate P] [--reroute-book] "
         "[--slow-ms N] [--burst-every S --burst S] [--churn X] [--firehose N] "
         "[--capture FILE [--rate recorded|max|Nx] [--loop]]... [--truth FILE] "
         "[--truth-intervals "
         "LIST]",
         "run the local exchange simulator on 127.0.0.1", 1},
        {"config", cmd_config, "",
         "print the effective configuration and where each value came from", 0},
        {"keys", cmd_keys, "", "print every key of the dashboard, by screen", 0},
        {NULL, NULL, NULL, NULL, 0},
};

void cli_error(const char *fmt, ...)
{
	/* errors quote file names, config text and exchange answers: escaped for the terminal */
	char raw[4096], safe[4096];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(raw, sizeof raw, fmt, ap);
	va_end(ap);
	fprintf(stderr, "futuresboard: %s\n", fb_escape_text(raw, safe, sizeof safe));
}

int cli_usage(const char *command)
{
	for (const CliCommand *c = cli_commands; c->name; c++)
		if (strcmp(c->name, command) == 0)
			fprintf(stderr, "usage: futuresboard [global options] %s %s\n", c->name,
			        c->usage);
	return CLI_USAGE;
}

static void help(FILE *out)
{
	fprintf(out, "usage: futuresboard [global options] COMMAND [options]\n\ncommands:\n");
	for (const CliCommand *c = cli_commands; c->name; c++)
		fprintf(out, "  %-8s %s\n", c->name, c->summary);
	fprintf(out,
	        "  version  print the version\n\n"
	        "global options (anywhere on the line):\n"
	        "  --config FILE      read FILE after the user config\n"
	        "  --db PATH          the database (same as --set store.database=PATH)\n"
	        "  --set SEC.KEY=VAL  set any configuration key\n"
	        "  -v, --verbose      more messages on stderr (twice for debug)\n"
	        "  -h, --help         this help; 'futuresboard help COMMAND' (or COMMAND --help)\n"
	        "                     for a command's options and their defaults\n\n"
	        "See futuresboard(1).\n");
}

static void setup_log(CliContext *ctx, int open_file)
{
	log_set_level((LogLevel)log_level_parse(config_get_str(ctx->cfg, "log", "level")));
	log_set_stderr(ctx->verbose >= 2 ? LOG_DEBUG : ctx->verbose ? LOG_INFO : LOG_WARN);
	if (!open_file)
		return;
	char *path = config_get_path(ctx->cfg, "log", "file"), err[512];
	if (*path && (fb_mkdir_parents(path) ||
	              log_open(path, config_get_int(ctx->cfg, "log", "max_size"),
	                       (int)config_get_int(ctx->cfg, "log", "max_files"), err, sizeof err)))
		log_warn("log", "cannot write the log file %s; logging to stderr only", path);
	free(path);
}

int cli_reload_config(CliContext *ctx, AlertRules **rules)
{
	char err[1024], msg[4096];
	Config *fresh = config_build(ctx->config_file, ctx->envp, ctx->set_flags, ctx->nset, err,
	                             sizeof err);
	AlertRules *ar = fresh ? alert_rules_from_config(fresh, err, sizeof err) : NULL;
	if (!fresh || !ar) {
		log_error("config", "reload failed, keeping the running configuration: %s", err);
		config_free(fresh);
		return -1;
	}
	if (rules)
		*rules = ar;
	else
		alert_rules_free(ar);
	int changed = config_apply_live(ctx->cfg, fresh, msg, sizeof msg);
	config_free(fresh);
	for (char *save, *line = strtok_r(msg, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		log_info("config", "reload: %s", line);
	if (changed) {
		log_set_level((LogLevel)log_level_parse(config_get_str(ctx->cfg, "log", "level")));
		char *path = config_get_path(ctx->cfg, "log", "file");
		if (*path)
			log_open(path, config_get_int(ctx->cfg, "log", "max_size"),
			         (int)config_get_int(ctx->cfg, "log", "max_files"), err,
			         sizeof err);
		free(path);
	}
	return 0;
}

void cli_dashboard_options(CliContext *ctx, CliDashboard *d)
{
	d->refresh_ms = (int)config_get_int(ctx->cfg, "ui", "refresh_ms");
	d->color = config_get_str(ctx->cfg, "ui", "color");
	d->toast_s = (int)config_get_int(ctx->cfg, "ui", "toast_s");
	d->columns = config_get_str(ctx->cfg, "ui", "columns");
	d->watchlist = config_get_str(ctx->cfg, "feed", "watchlist");
	/* streamed prices come several times a second: three engine cycles, at most 10 s */
	int64_t cycle = config_get_int(ctx->cfg, "quant", "cycle_ms");
	d->stale_ms = 3 * cycle < 10000 ? 3 * cycle : 10000;
	cli_quant_options(ctx, &d->quant);
}

const char *cli_first_exchange(CliContext *ctx)
{
	char list[128];
	snprintf(list, sizeof list, "%s", config_get_str(ctx->cfg, "exchanges", "enabled"));
	char *save, *t = strtok_r(list, " ,", &save);
	const Exchange *ex = t ? exchange_find(t) : NULL;
	return ex ? ex->name : "binance";
}

const char *cli_first_label(CliContext *ctx)
{
	return config_get_str(ctx->cfg, cli_first_exchange(ctx), "label");
}

void cli_collector_options(CliContext *ctx, CollectorOptions *o, const char *db)
{
	memset(o, 0, sizeof *o);
	o->db_path = db;
	/* [exchanges] enabled: the first is followed by the engine, the others are collected
	 * beside it (each from its own section: rest_url, ws_url, label, weight_limit) */
	char list[128];
	snprintf(list, sizeof list, "%s", config_get_str(ctx->cfg, "exchanges", "enabled"));
	int first = 1;
	for (char *save, *t = strtok_r(list, " ,", &save); t; t = strtok_r(NULL, " ,", &save)) {
		const Exchange *ex = exchange_find(t);
		if (!ex)
			continue; /* the config refused it already */
		if (first) {
			o->ex = ex;
			o->rest_url = config_get_str(ctx->cfg, ex->name, "rest_url");
			o->ws_url = config_get_str(ctx->cfg, ex->name, "ws_url");
			o->exchange = config_get_str(ctx->cfg, ex->name, "label");
			o->weight_limit = (int)config_get_int(ctx->cfg, ex->name, "weight_limit");
			o->timeout_ms = (int)config_get_int(ctx->cfg, ex->name, "timeout_ms");
			first = 0;
		} else if (o->nvenues < COLLECTOR_MAX_VENUES && ex != o->ex) {
			CollectorVenue *v = &o->venues[o->nvenues++];
			v->ex = ex;
			v->rest_url = config_get_str(ctx->cfg, ex->name, "rest_url");
			v->ws_url = config_get_str(ctx->cfg, ex->name, "ws_url");
			v->label = config_get_str(ctx->cfg, ex->name, "label");
			v->weight_limit = (int)config_get_int(ctx->cfg, ex->name, "weight_limit");
			v->timeout_ms = (int)config_get_int(ctx->cfg, ex->name, "timeout_ms");
		}
	}
	if (first) { /* cannot happen after the config's checks; Binance as before */
		o->ex = &exchange_binance;
		o->rest_url = config_get_str(ctx->cfg, "binance", "rest_url");
		o->ws_url = config_get_str(ctx->cfg, "binance", "ws_url");
		o->exchange = config_get_str(ctx->cfg, "binance", "label");
		o->weight_limit = (int)config_get_int(ctx->cfg, "binance", "weight_limit");
		o->timeout_ms = (int)config_get_int(ctx->cfg, "binance", "timeout_ms");
	}
	o->top_n = (int)config_get_int(ctx->cfg, "feed", "top_n");
	o->lookback = (int)config_get_int(ctx->cfg, "feed", "lookback");
	o->stale_s = (int)config_get_int(ctx->cfg, "feed", "stale_s");
	o->silent_stream_s = (int)config_get_int(ctx->cfg, "feed", "silent_stream_s");
	o->backoff_reset_s = (int)config_get_int(ctx->cfg, "feed", "backoff_reset_s");
	o->poll_s = (int)config_get_int(ctx->cfg, "feed", "poll_s");
	o->gap_check_s = (int)config_get_int(ctx->cfg, "feed", "gap_check_s");
	o->rank_s = (int)config_get_int(ctx->cfg, "feed", "rank_s");
	o->health_port = (int)config_get_int(ctx->cfg, "health", "port");
	/* capacities are set in bytes: slots of the record's size */
	o->writer.queue_capacity =
	        (size_t)config_get_int(ctx->cfg, "store", "queue_bytes") / sizeof(StoreRecord);
	o->engine_queue_capacity =
	        (size_t)config_get_int(ctx->cfg, "quant", "queue_bytes") / sizeof(Event);
	o->writer.batch_size = (size_t)config_get_int(ctx->cfg, "store", "batch_size");
	o->writer.flush_ms = (int)config_get_int(ctx->cfg, "store", "flush_ms");
	o->writer.busy_timeout_ms = (int)config_get_int(ctx->cfg, "store", "busy_timeout_ms");
	o->nintervals = config_get_intervals(ctx->cfg, o->intervals, COLLECTOR_MAX_INTERVALS);
	o->nwatch = config_get_symbols(ctx->cfg, "feed", "watchlist", o->watch, CONFIG_MAX_SYMBOLS);
	if (config_parse_shard(config_get_str(ctx->cfg, "feed", "shard"), &o->shard_k, &o->shard_n))
		o->shard_k = o->shard_n = 1; /* validated when it was set */
	o->raw_trades = strcmp(config_get_str(ctx->cfg, "feed", "trades"), "trade") == 0;
	o->flow_sample_ms = config_get_int(ctx->cfg, "feed", "flow_sample_s") * 1000;
	cli_quant_options(ctx, &o->quant);
	o->engine_cycle_ms = (int)config_get_int(ctx->cfg, "quant", "cycle_ms");
}

/* The lock's path: beside the database's real path (symbolic links and "./" resolved), so
 * that two spellings of one database share one lock. A database not created yet: its
 * folder's real path and its name. */
static char *lock_path(const char *db)
{
	char *real = realpath(db, NULL);
	if (real) {
		char *p = xasprintf("%s.lock", real);
		free(real);
		return p;
	}
	const char *slash = strrchr(db, '/'), *name = slash ? slash + 1 : db;
	char *dir = slash ? xstrndup(db, slash == db ? 1 : (size_t)(slash - db)) : xstrdup(".");
	char *rdir = realpath(dir, NULL);
	char *p = rdir ? xasprintf("%s/%s.lock", strcmp(rdir, "/") ? rdir : "", name)
	               : xasprintf("%s.lock", db);
	free(rdir);
	free(dir);
	return p;
}

int cli_take_lock(const char *db, const char *command)
{
	char *path = lock_path(db);
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0) {
		cli_error("%s: %s: %s", command, path, strerror(errno));
		free(path);
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		char pid[32] = "";
		ssize_t n = read(fd, pid, sizeof pid - 1);
		pid[n > 0 ? n : 0] = '\0';
		pid[strcspn(pid, "\n")] = '\0';
		cli_error("%s: another collector%s%s%s is writing %s (lock %s)", command,
		          pid[0] ? " (pid " : "", pid, pid[0] ? ")" : "", db, path);
		close(fd);
		free(path);
		return -1;
	}
	char buf[32];
	int len = snprintf(buf, sizeof buf, "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) != 0 || write(fd, buf, (size_t)len) != len)
		log_warn(command, "%s: cannot record the pid", path);
	free(path);
	return fd;
}

void cli_reload_tick(void *arg)
{
	CliReload *r = arg;
	AlertRules *rules = NULL;
	if (signals_take_reload() && cli_reload_config(r->ctx, &rules) == 0) {
		log_info("config", "reload: %d alert rule%s", rules->n, rules->n == 1 ? "" : "s");
		quant_live_set_rules(r->live, rules);
	}
}

void cli_collector_watch(void *arg, const char (*symbols)[FB_SYMBOL_LEN], int n)
{
	collector_watch(arg, symbols, n);
}

/* The first exchange's state; with more exchanges, each one's after it ("live  bybit:
 * live"), and the worst level of them. */
int cli_collector_state(void *arg, char *out, size_t len)
{
	int level = collector_feed_state(arg, out, len);
	for (int i = 1; i < collector_exchanges(arg); i++) {
		char name[16], st[96];
		int l = collector_exchange_state(arg, i, name, sizeof name, st, sizeof st);
		size_t n = strlen(out);
		if (n + 1 < len)
			snprintf(out + n, len - n, "  %s: %s", name, st);
		if (l > level)
			level = l;
	}
	return level;
}

static json_int_t jint(json_t *o, const char *path1, const char *key)
{
	json_t *v = json_object_get(path1 ? json_object_get(o, path1) : o, key);
	return json_is_integer(v) ? json_integer_value(v) : json_is_true(v) ? 1 : 0;
}

static void age_text(char *out, size_t len, json_int_t s)
{
	char d[32];
	if (s < 0)
		snprintf(out, len, "never");
	else
		snprintf(out, len, "%s ago", fb_age_format((int64_t)s * 1000, d, sizeof d));
}

void cli_health_text(const char *json, StrBuf *out)
{
	static json_int_t prev_rows; /* main thread: rows/s between two calls */
	static int64_t prev_ms;
	json_error_t jerr;
	json_t *d = json ? json_loads(json, 0, &jerr) : NULL;
	if (!json_is_object(d)) {
		strbuf_printf(out, "(no health document)\n");
		json_decref(d);
		return;
	}
	char t[64], cleaned[200];
	json_t *st = json_object_get(d, "state");
	snprintf(cleaned, sizeof cleaned, "%s", json_is_string(st) ? json_string_value(st) : "?");
	fb_ascii_clean(cleaned);
	age_text(t, sizeof t, jint(d, NULL, "uptime_s"));
	strbuf_printf(out, "feed        %s\nready       %s (started %s)\n", cleaned,
	              json_is_true(json_object_get(d, "ready")) ? "yes" : "no", t);
	/* with several exchanges, a line each: state, symbols, connections, messages */
	json_t *exs = json_object_get(d, "exchanges"), *ex;
	size_t xi;
	if (json_array_size(exs) > 1)
		json_array_foreach(exs, xi, ex)
		{
			char nm[64], lb[64];
			const char *n = json_string_value(json_object_get(ex, "name"));
			const char *l = json_string_value(json_object_get(ex, "label"));
			snprintf(nm, sizeof nm, "%s", n ? n : "?");
			snprintf(lb, sizeof lb, "%s", l ? l : "?");
			json_t *es = json_object_get(ex, "state");
			snprintf(cleaned, sizeof cleaned, "%s",
			         json_is_string(es) ? json_string_value(es) : "?");
			fb_ascii_clean(nm);
			fb_ascii_clean(lb);
			fb_ascii_clean(cleaned);
			strbuf_printf(
			        out,
			        "exchange    %s (%s): %s, %lld symbols, %lld of %lld connections "
			        "up, %lld messages, %lld malformed, %lld reconnects\n",
			        nm, lb, cleaned, (long long)jint(ex, NULL, "symbols"),
			        (long long)jint(ex, "websocket", "connected"),
			        (long long)jint(ex, "websocket", "connections"),
			        (long long)jint(ex, "websocket", "messages"),
			        (long long)jint(ex, "websocket", "malformed"),
			        (long long)jint(ex, "websocket", "reconnects"));
		}
	strbuf_printf(out, "\n");
	strbuf_printf(out, "%-15s %-14s %-9s %s\n", "job", "last success", "failures",
	              "last error");
	const char *name;
	json_t *job;
	json_object_foreach(json_object_get(d, "jobs"), name, job)
	{
		json_t *e = json_object_get(job, "last_error");
		snprintf(cleaned, sizeof cleaned, "%s",
		         json_is_string(e) ? json_string_value(e) : "");
		fb_ascii_clean(cleaned);
		json_int_t fails = jint(job, NULL, "consecutive_failures");
		age_text(t, sizeof t, jint(job, NULL, "age_s"));
		strbuf_printf(out, "%-15s %-14s %-9lld %s\n", name, t, (long long)fails,
		              fails ? cleaned : "");
	}
	json_int_t last = jint(d, "websocket", "last_message_ms");
	age_text(t, sizeof t, last > 0 ? (json_int_t)((fb_now_ms() - last) / 1000) : -1);
	strbuf_printf(out,
	              "\nwebsocket   %lld of %lld connections up; last message %s\n"
	              "            %lld messages, %lld malformed (skipped), %lld reconnects, "
	              "%lld stale, %lld silent streams\n",
	              (long long)jint(d, "websocket", "connected"),
	              (long long)jint(d, "websocket", "connections"), t,
	              (long long)jint(d, "websocket", "messages"),
	              (long long)jint(d, "websocket", "malformed"),
	              (long long)jint(d, "websocket", "reconnects"),
	              (long long)jint(d, "websocket", "stale"),
	              (long long)jint(d, "websocket", "silent_streams"));
	size_t k;
	json_t *conn;
	json_array_foreach(json_object_get(d, "connections"), k, conn)
	{
		json_int_t age = jint(conn, NULL, "last_message_age_ms");
		char when[32] = "", err[200] = "";
		age_text(t, sizeof t, age >= 0 ? age / 1000 : -1);
		json_t *e = json_object_get(conn, "last_error");
		json_int_t ets = jint(conn, NULL, "last_error_ts");
		if (json_is_string(e) && json_string_value(e)[0] && ets > 0) {
			fb_time_format(ets, when, sizeof when);
			snprintf(err, sizeof err, "; last error %.8s: %.80s", when + 11,
			         json_string_value(e));
			fb_ascii_clean(err);
		}
		strbuf_printf(
		        out,
		        "  connection %zu: %s, %lld streams, last message %s, %lld reconnects%s\n",
		        k + 1, json_is_true(json_object_get(conn, "connected")) ? "up" : "DOWN",
		        (long long)jint(conn, NULL, "streams"), t,
		        (long long)jint(conn, NULL, "reconnects"), err);
	}
	json_int_t held = jint(d, "rest", "held_until_ms");
	t[0] = '\0';
	if (held > fb_now_ms()) {
		char when[32];
		fb_time_format(held, when, sizeof when);
		snprintf(t, sizeof t, "; held until %.8s%s", when + 11,
		         jint(d, "rest", "banned") ? " (banned)" : "");
	}
	strbuf_printf(out, "REST        weight %lld of %lld this minute%s\n",
	              (long long)jint(d, "rest", "weight_used"),
	              (long long)jint(d, "rest", "weight_limit"), t);
	json_int_t rows = jint(d, "store", "rows_written");
	int64_t now = fb_mono_ms();
	char rate[48] = "";
	if (prev_ms && now > prev_ms && rows >= prev_rows)
		snprintf(rate, sizeof rate, ", %.0f rows/s",
		         (double)(rows - prev_rows) * 1000.0 / (double)(now - prev_ms));
	prev_rows = rows;
	prev_ms = now;
	strbuf_printf(out,
	              "store       writer queue %lld, %lld rows in %lld transactions%s, %lld write "
	              "errors, %lld forming candles dropped\n",
	              (long long)jint(d, "store", "queue_depth"), (long long)rows,
	              (long long)jint(d, "store", "transactions"), rate,
	              (long long)jint(d, "store", "write_errors"),
	              (long long)jint(d, "store", "open_dropped"));
	strbuf_printf(
	        out, "engine      %s, %lld events applied, %lld dropped, queue %lld, %lld alerts\n",
	        jint(d, "engine", "warm") ? "warm" : "warming up",
	        (long long)jint(d, "engine", "events_applied"),
	        (long long)jint(d, "engine", "events_dropped"),
	        (long long)jint(d, "engine", "queue_depth"),
	        (long long)jint(d, "engine", "alerts"));
	strbuf_printf(out, "\nthe raw document: futuresboard health --json\n");
	json_decref(d);
}

void cli_collector_health(void *arg, StrBuf *out)
{
	StrBuf raw = {0};
	collector_health_json(arg, &raw);
	cli_health_text(raw.p, out);
	free(raw.p);
}

void cli_quant_options(CliContext *ctx, QuantOptions *o)
{
	quant_default_options(o);
	o->ind.ema_fast = (int)config_get_int(ctx->cfg, "quant", "ema_fast");
	o->ind.ema_slow = (int)config_get_int(ctx->cfg, "quant", "ema_slow");
	o->rv_window = (int)config_get_int(ctx->cfg, "quant", "rv_window");
	o->z_window = (int)config_get_int(ctx->cfg, "quant", "z_window");
	o->corr_window = (int)config_get_int(ctx->cfg, "quant", "corr_window");
	o->top_n = (int)config_get_int(ctx->cfg, "feed", "top_n");
	o->exchange = cli_first_label(ctx);
	o->nintervals = config_get_intervals(ctx->cfg, o->intervals, QUANT_MAX_INTERVALS);
}

AlertRules *cli_alert_rules(CliContext *ctx)
{
	char err[1024];
	AlertRules *r = alert_rules_from_config(ctx->cfg, err, sizeof err);
	if (!r)
		cli_error("%s", err);
	return r;
}

char *cli_existing_database(CliContext *ctx, const char *command, const char *first)
{
	char *path = config_get_path(ctx->cfg, "store", "database");
	struct stat sb;
	if (stat(path, &sb) == 0)
		return path;
	cli_error("%s%sno database at %s (%s first, or pass --db PATH)", command ? command : "",
	          command ? ": " : "", path, first);
	free(path);
	return NULL;
}

int cli_has_terminal(void)
{
	return cli_dashboard && isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
}

Store *cli_open_store(CliContext *ctx, int must_exist)
{
	char *path = must_exist ? cli_existing_database(ctx, NULL, "import some data")
	                        : config_get_path(ctx->cfg, "store", "database");
	char err[1024];
	Store *st = NULL;
	if (path &&
	    !(st = store_open(path, 0, (int)config_get_int(ctx->cfg, "store", "busy_timeout_ms"),
	                      err, sizeof err)))
		cli_error("%s", err);
	free(path);
	return st;
}

char *cli_clickhouse_options(CliContext *ctx, ChOptions *o)
{
	char *pw = config_get_path(ctx->cfg, "clickhouse", "password_file");
	*o = (ChOptions){config_get_str(ctx->cfg, "clickhouse", "url"),
	                 config_get_str(ctx->cfg, "clickhouse", "database"),
	                 config_get_str(ctx->cfg, "clickhouse", "user"),
	                 pw,
	                 (int)config_get_int(ctx->cfg, "clickhouse", "timeout_ms"),
	                 config_get_str(ctx->cfg, "clickhouse", "cluster"),
	                 config_get_bool(ctx->cfg, "clickhouse", "gzip")};
	return pw;
}

int cli_reads_cluster(CliContext *ctx)
{
	return strcmp(config_get_str(ctx->cfg, "store", "read"), "clickhouse") == 0;
}

ChClient *cli_clickhouse(CliContext *ctx, const char *cmd)
{
	ChOptions o;
	char *pw = cli_clickhouse_options(ctx, &o), err[1024];
	ChClient *c = ch_open(&o, err, sizeof err);
	if (!c)
		cli_error("%s: %s", cmd, err);
	free(pw);
	return c;
}

int cli_reader_open(CliContext *ctx, Store *st, const char *cmd, CliReader *out)
{
	memset(out, 0, sizeof *out);
	if (!cli_reads_cluster(ctx)) {
		out->rd = store_reader(st);
		return 0;
	}
	char err[1024];
	if (!(out->ch = cli_clickhouse(ctx, cmd)))
		return -1;
	if (ch_check_schema(out->ch, err, sizeof err)) {
		cli_error("%s: %s", cmd, err);
		ch_close(out->ch);
		out->ch = NULL;
		return -1;
	}
	out->rd = ch_reader(out->ch);
	return 0;
}

void cli_reader_close(CliReader *r)
{
	if (r->ch) {
		store_reader_free(r->rd);
		ch_close(r->ch);
	}
	memset(r, 0, sizeof *r);
}

int cli_build_interval(CliContext *ctx, Store *st, const char *cmd, const char *exchange,
                       const char *symbol, const char *interval)
{
	if (!symbol || !interval || fb_interval_ms(interval) <= 0)
		return 0;
	char exch[32] = "", from[FB_INTERVAL_LEN] = "";
	const char *syms[1] = {symbol};
	StoreQuery sq = store_query_all(SR_SERIES);
	sq.exchange = exchange, sq.symbols = syms, sq.nsymbols = 1, sq.native_only = 1;
	char rerr[256];
	StoreCursor *q = store_query(store_reader(st), &sq, rerr, sizeof rerr);
	if (!q)
		return 0; /* the reader reports the database */
	int found = 0;
	StoreRow row;
	while (!found && store_next(q, &row, rerr, sizeof rerr) == 1) {
		if (strcmp(exch, row.u.series.exchange) == 0)
			continue; /* the exchange's next series */
		snprintf(exch, sizeof exch, "%s", row.u.series.exchange);
		int kind = derive_kind(st, exch, symbol, interval, NULL, 0);
		if (kind == DERIVE_EXCHANGE) {
			store_cursor_close(q);
			return 0; /* the exchange's own */
		}
		found = derive_source(st, exch, symbol, interval, from, sizeof from) == 0;
	}
	store_cursor_close(q);
	if (!found)
		return 0; /* nothing to build it from: the reader says what is missing */
	char err[1024];
	Store *w = store_open(store_path(st), 0,
	                      (int)config_get_int(ctx->cfg, "store", "busy_timeout_ms"), err,
	                      sizeof err);
	DeriveCounts dc;
	if (!w || derive_build(w, exch, symbol, from, interval, &dc, err, sizeof err)) {
		cli_error(
		        "%s: %s %s has no %s candles of the exchange's, and building them from %s "
		        "failed: %s (futuresboard db aggregate --symbol %s --to %s builds them)",
		        cmd, exch, symbol, interval, from, err, symbol, interval);
		if (w)
			store_close(w);
		return -1;
	}
	store_close(w);
	fprintf(stderr,
	        "futuresboard: %s %s %s built from %s (%ld new, %ld stored before, %ld incomplete "
	        "buckets left out; a derived series, see db aggregate)\n",
	        exch, symbol, interval, from, dc.built, dc.unchanged, dc.incomplete);
	return 0;
}

const char *cli_data_file(const char *name, char *buf, size_t len)
{
	char exe[2048];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n > 0) {
		exe[n] = '\0';
		char *slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0'; /* .../bin */
			snprintf(buf, len, "%s/../share/futuresboard/%s", exe, name);
			if (access(buf, R_OK) == 0)
				return buf;
		}
	}
	snprintf(buf, len, "%s/%s", FB_DATA_DIR, name);
	return buf;
}

Store *cli_open_store_ro(CliContext *ctx)
{
	char *path = cli_existing_database(ctx, NULL, "import some data");
	char err[1024];
	Store *st = NULL;
	if (path && !(st = store_open(path, STORE_READONLY,
	                              (int)config_get_int(ctx->cfg, "store", "busy_timeout_ms"),
	                              err, sizeof err)))
		cli_error("%s", err);
	free(path);
	return st;
}

/* Takes the global options out of argv (in place). Returns the new argc, or -1 after an
 * error message. */
static int extract_globals(CliContext *ctx, int argc, char **argv)
{
	int out = 1;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *val = NULL;
		if (strcmp(a, "--") == 0) {
			while (i < argc)
				argv[out++] = argv[i++];
			break;
		}
		int takes = strcmp(a, "--config") == 0 || strcmp(a, "--db") == 0 ||
		            strcmp(a, "--set") == 0 || strcmp(a, "--source") == 0;
		if (takes) {
			if (i + 1 >= argc) {
				cli_error("%s needs a value", a);
				return -1;
			}
			val = argv[++i];
		} else if (strncmp(a, "--config=", 9) == 0 || strncmp(a, "--db=", 5) == 0 ||
		           strncmp(a, "--set=", 6) == 0 || strncmp(a, "--source=", 9) == 0) {
			val = strchr(a, '=') + 1;
		} else if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0) {
			ctx->verbose++;
			continue;
		} else if (strcmp(a, "-vv") == 0) {
			ctx->verbose += 2;
			continue;
		} else {
			argv[out++] = argv[i];
			continue;
		}
		if (strncmp(a, "--config", 8) == 0)
			ctx->config_file = val;
		else if (strncmp(a, "--db", 4) == 0)
			ctx->set_flags[ctx->nset++] = xasprintf("store.database=%s", val);
		else if (strncmp(a, "--source", 8) == 0)
			ctx->set_flags[ctx->nset++] = xasprintf("store.read=%s", val);
		else
			ctx->set_flags[ctx->nset++] = xstrdup(val);
	}
	argv[out] = NULL;
	return out;
}

/* libwebsockets' own messages go to our log, never straight to the terminal. */
/* libwebsockets' own lines, into the log. A line that repeats (a flood of half-open
 * connections to the health port once wrote 180,000 "accept: errno 24" lines in 10 s) is
 * written once per 10 s, with the count of the repeats left out. Any thread: lws has one
 * context per thread, so the state is locked. */
static void lws_to_log(int level, const char *line)
{
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	static char last[512];
	static int64_t last_at;
	static unsigned long repeats;
	char msg[512];
	snprintf(msg, sizeof msg, "%s", line);
	msg[strcspn(msg, "\r\n")] = '\0';
	/* the timestamp lws puts first is not part of what repeats */
	const char *body = msg[0] == '[' && strchr(msg, ']') ? strchr(msg, ']') + 1 : msg;
	int64_t now = fb_mono_ms();
	unsigned long quiet = 0;
	pthread_mutex_lock(&lock);
	if (strcmp(body, last) == 0 && now - last_at < 10000) {
		repeats++;
		pthread_mutex_unlock(&lock);
		return;
	}
	quiet = repeats;
	repeats = 0;
	last_at = now;
	snprintf(last, sizeof last, "%s", body);
	pthread_mutex_unlock(&lock);
	if (quiet)
		log_warn("lws", "(the line before repeated %lu more times)", quiet);
	if (level & LLL_ERR)
		log_warn("lws", "%s", msg);
	else
		log_debug("lws", "%s", msg);
}

int (*cli_dashboard)(const CliDashboard *d);
void (*cli_keys)(FILE *out);

int cmd_keys(CliContext *ctx, int argc, char **argv)
{
	(void)ctx;
	if (argc > 1 && strcmp(argv[1], "--help") != 0 && strcmp(argv[1], "-h") != 0) {
		cli_error("keys: unexpected argument '%s'", argv[1]);
		return cli_usage("keys");
	}
	if (argc > 1)
		return cli_help("keys");
	if (!cli_keys) {
		cli_error("keys: this build has no dashboard");
		return CLI_FAIL;
	}
	cli_keys(stdout);
	return CLI_OK;
}
void (*cli_alert_sink)(void *arg, const AlertRecord *a, int bell);

int cli_main(int argc, char **argv, char *const *envp)
{
	lws_set_log_level(LLL_ERR | LLL_WARN, lws_to_log);
	CliContext ctx = {0};
	ctx.envp = envp;
	ctx.set_flags = xcalloc((size_t)argc + 1, sizeof(char *));
	signal(SIGPIPE, SIG_IGN);
	argc = extract_globals(&ctx, argc, argv);
	int rc = CLI_USAGE;
	if (argc < 0)
		goto done;
	if (argc > 2 && strcmp(argv[1], "help") == 0) { /* help COMMAND */
		rc = cli_help(argv[2]);
		goto done;
	}
	if (argc > 1 && (strcmp(argv[1], "help") == 0 || strcmp(argv[1], "-h") == 0 ||
	                 strcmp(argv[1], "--help") == 0)) {
		help(stdout);
		rc = CLI_OK;
		goto done;
	}
	char *live_argv[] = {argv[0], "live", NULL};
	if (argc < 2) { /* no command: live mode */
		argv = live_argv;
		argc = 2;
	}
	if (strcmp(argv[1], "version") == 0 || strcmp(argv[1], "--version") == 0) {
		printf("futuresboard %s (sqlite %s)\n", FB_VERSION, store_engine_version());
		rc = CLI_OK;
		goto done;
	}
	const CliCommand *cmd = NULL;
	for (const CliCommand *c = cli_commands; c->name; c++)
		if (strcmp(c->name, argv[1]) == 0)
			cmd = c;
	if (!cmd) {
		cli_unknown_command(argv[1]);
		goto done;
	}
	char err[2048];
	ctx.cfg = config_build(ctx.config_file, ctx.envp, ctx.set_flags, ctx.nset, err, sizeof err);
	if (!ctx.cfg) {
		cli_error("%s", err);
		goto done;
	}
	setup_log(&ctx, cmd->logs);
	optind = 1;
	rc = cmd->run(&ctx, argc - 1, argv + 1);
done:
	config_free(ctx.cfg);
	for (int i = 0; i < ctx.nset; i++)
		free(ctx.set_flags[i]);
	free(ctx.set_flags);
	log_close();
	return rc;
}
