/* Command-line front: the context every subcommand gets and the helpers they share.
 * Main thread only. Exit statuses: 0 success, 1 failure or problems found, 2 usage or
 * configuration error. */
#ifndef FB_CLI_CLI_H
#define FB_CLI_CLI_H

#include <stdio.h>

#include "core/config.h"
#include "quant/alerts.h"
#include "core/strbuf.h"
#include "feed/collector.h"
#include "quant/live.h"
#include "quant/player.h"
#include "store/clickhouse.h"
#include "store/store.h"

enum { CLI_OK = 0, CLI_FAIL = 1, CLI_USAGE = 2 };

typedef struct {
	Config *cfg;
	const char *config_file; /* --config, or NULL */
	char **set_flags;        /* "section.key=value" from the command line */
	int nset;
	char *const *envp;
	int verbose;
} CliContext;

typedef struct {
	const char *name;
	int (*run)(CliContext *ctx, int argc, char **argv);
	const char *usage;   /* arguments, for help */
	const char *summary; /* one line */
	int logs;            /* opens the log file */
} CliCommand;

/* The whole program: global options, configuration, logging, dispatch. Returns the exit
 * status. argv is reordered in place. */
int cli_main(int argc, char **argv, char *const *envp);

/* The full-screen dashboard, when the program has one (main.c sets it; the engine library
 * alone has none and the demo then prints plain text). */
typedef struct {
	QuantLive *live;      /* live, demo, attach: the engine thread's snapshots */
	Player *player;       /* replay (instead of live): the dashboard moves its clock */
	const char *mode;     /* LIVE, DEMO, ATTACH, REPLAY */
	const char *exchange; /* label */
	const char *db_path;  /* the detail charts replay this database */
	QuantOptions quant;   /* with these engine options */
	int refresh_ms;
	const char *color;   /* ui.color: auto 256 16 none */
	int toast_s;         /* ui.toast_s */
	const char *columns; /* ui.columns */
	double speed;        /* replay: the starting speed */
	/* h: the health of the feed as text (NULL: not known to this mode) */
	void (*health)(void *arg, StrBuf *out);
	void *health_arg;
	/* the feed's state for the header ("live", "connecting", "error: ..."; see
	 * collector_feed_state), 0 live, 1 waiting, 2 failing; NULL: none in this mode */
	int (*feed_state)(void *arg, char *out, size_t len);
	void *feed_arg;
	int64_t stale_ms;      /* newest data older than this is STALE (0: 10 s) */
	const char *watchlist; /* feed.watchlist */
	/* w changed the watchlist (NULL: only saved) */
	void (*watch)(void *arg, const char (*symbols)[FB_SYMBOL_LEN], int n);
	void *watch_arg;
	/* called on the dashboard's thread between frames (reloads on SIGHUP, say) */
	void (*tick)(void *arg);
	void *tick_arg;
} CliDashboard;
/* Returns the exit status (0 after q; 128 + the signal after SIGINT, SIGTERM or a hangup), or
 * -1 when the terminal cannot show it (after saying why). */
extern int (*cli_dashboard)(const CliDashboard *d);
/* Prints the dashboard's keys (NULL without a dashboard). */
extern void (*cli_keys)(FILE *out);
/* Where live alerts go for the dashboard's toasts (any thread; NULL without a dashboard). */
extern void (*cli_alert_sink)(void *arg, const AlertRecord *a, int bell);

/* The command table. */
extern const CliCommand cli_commands[];

int cmd_import(CliContext *ctx, int argc, char **argv);
int cmd_export(CliContext *ctx, int argc, char **argv);
int cmd_db(CliContext *ctx, int argc, char **argv);
int cmd_config(CliContext *ctx, int argc, char **argv);
int cmd_demo(CliContext *ctx, int argc, char **argv);
int cmd_simex(CliContext *ctx, int argc, char **argv);
int cmd_backfill(CliContext *ctx, int argc, char **argv);
int cmd_collect(CliContext *ctx, int argc, char **argv);
int cmd_health(CliContext *ctx, int argc, char **argv);
int cmd_live(CliContext *ctx, int argc, char **argv);
int cmd_attach(CliContext *ctx, int argc, char **argv);
int cmd_replay(CliContext *ctx, int argc, char **argv);
int cmd_backtest(CliContext *ctx, int argc, char **argv);
int cmd_runs(CliContext *ctx, int argc, char **argv);
int cmd_risk(CliContext *ctx, int argc, char **argv);
int cmd_stress(CliContext *ctx, int argc, char **argv);
int cmd_keys(CliContext *ctx, int argc, char **argv);

/* help.c: the usage, summary and every option of a command with its default, on stdout
 * (COMMAND --help, help COMMAND). Returns CLI_OK, or CLI_USAGE for an unknown command. */
int cli_help(const char *command);
/* "unknown command 'X'", with "did you mean" when a command is close. */
void cli_unknown_command(const char *name);
/* Prints "futuresboard: <message>" to stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints the usage line of a command to stderr and returns CLI_USAGE. */
int cli_usage(const char *command);
/* The configured database's path when the file exists (caller frees); NULL after printing
 * "COMMAND: no database at PATH (FIRST first, or pass --db PATH)". */
char *cli_existing_database(CliContext *ctx, const char *command, const char *first);
/* 1 when the dashboard can run: the program has one, and stdin and stdout are terminals. */
int cli_has_terminal(void);
/* Opens the configured database. must_exist: fail with a clear message if there is no file.
 * Returns NULL after printing the error. */
Store *cli_open_store(CliContext *ctx, int must_exist);
/* The path of one of the program's data files, in buf: share/futuresboard/NAME beside the
 * binary's folder when installed there, else the build's data folder. Returns buf. */
const char *cli_data_file(const char *name, char *buf, size_t len);
/* Opens the configured database read-only (never migrated; a WAL file in a folder this user
 * cannot write is read as it stands). Returns NULL after printing the error. */
Store *cli_open_store_ro(CliContext *ctx);
/* A reader's timeframe the exchange's candles do not have: when a lower stored interval can
 * build it (or it was built before), builds it into its series marked derived, through a
 * connection of its own, and says so on standard error ("1h built from 5m"). st: the reader's
 * store, for the look-up; exchange NULL: any that has the symbol. 0 (nothing to do, or
 * built), or -1 after printing why it could not be built. */
/* Where research and export read market data ([store] read, --source): the SQLite store st,
 * or the ClickHouse of [clickhouse] (its tables checked first). The reader, or NULL after an
 * error naming cmd; close it with cli_reader_close. */
typedef struct {
	StoreReader *rd;
	ChClient *ch; /* NULL: rd is st's own */
} CliReader;
int cli_reader_open(CliContext *ctx, Store *st, const char *cmd, CliReader *out);
void cli_reader_close(CliReader *r);
/* [clickhouse] as client options (borrowed strings); returns the password file's path, for
 * the caller to free after use. */
char *cli_clickhouse_options(CliContext *ctx, ChOptions *o);
/* [store] read (--source) is clickhouse. */
int cli_reads_cluster(CliContext *ctx);
/* The ClickHouse client of [clickhouse], or NULL after an error naming cmd. */
ChClient *cli_clickhouse(CliContext *ctx, const char *cmd);

int cli_build_interval(CliContext *ctx, Store *st, const char *cmd, const char *exchange,
                       const char *symbol, const char *interval);
/* Rebuilds the configuration from the same sources and applies what may change live (log
 * settings, alert rules and others marked live). Prints what changed to the log. With rules
 * not NULL, *rules gets the fresh alert rules (caller owns them). A configuration whose rules
 * do not compile is not applied at all. Returns 0 or -1. */
int cli_reload_config(CliContext *ctx, AlertRules **rules);
/* The collector's options from [binance], [feed], [store], [health] and [quant] for collect,
 * live and demo (the demo then points them at its simulator). db is borrowed. Rules and the
 * alert sink (cli_alert_sink for a dashboard's toasts and bell) are the caller's. */
void cli_collector_options(CliContext *ctx, CollectorOptions *o, const char *db);
/* The first exchange of [exchanges] enabled (the one the engine follows), and its label. */
const char *cli_first_exchange(CliContext *ctx);
const char *cli_first_label(CliContext *ctx);
/* Takes the writer's lock file DB.lock (flock, with the pid inside) that keeps a second
 * writer off a database. Returns its descriptor (close it to release), or -1 after an error
 * message naming the holder. */
int cli_take_lock(const char *db, const char *command);
/* The engine options from [quant] and [feed]. */
void cli_quant_options(CliContext *ctx, QuantOptions *o);
/* The dashboard's settings from [ui], [quant] and [feed] (mode, sources and health are the
 * caller's). */
void cli_dashboard_options(CliContext *ctx, CliDashboard *d);
/* A tick for the dashboard: arg is a CliReload; SIGHUP reloads the configuration and installs
 * the new alert rules in the engine. */
typedef struct {
	CliContext *ctx;
	QuantLive *live;
} CliReload;
void cli_reload_tick(void *arg);
/* A watch callback for the dashboard: arg is a Collector. */
void cli_collector_watch(void *arg, const char (*symbols)[FB_SYMBOL_LEN], int n);
/* A feed_state callback for the dashboard: arg is a Collector. */
int cli_collector_state(void *arg, char *out, size_t len);
/* A collector's /health document (JSON) for people: feed state, jobs with their last success
 * and error, WebSocket, REST weight, writer and engine (rows/s between two calls). */
void cli_health_text(const char *json, StrBuf *out);
/* A health callback for the dashboard: arg is a Collector; cli_health_text of its /health. */
void cli_collector_health(void *arg, StrBuf *out);
/* The alert rules of the configuration; NULL after printing the error. */
AlertRules *cli_alert_rules(CliContext *ctx);

#endif
