/* futuresboard db check | stats | migrate | aggregate. check and stats only read (a read-only
 * file, or another user's, will do); migrate opens the database for writing, which brings its
 * schema up to date; aggregate builds higher intervals from lower ones. Main thread. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"
#include "quant/derive.h"
#include "store/check.h"

/* The (exchange, symbol) pairs with the exchange's own candles, filtered. */
static int pairs(Store *st, const char *exchange, const char *symbol, char (**out)[2][32],
                 char *err, size_t errlen)
{
	const char *syms[1] = {symbol};
	StoreQuery q = store_query_all(SR_SERIES);
	q.exchange = exchange, q.symbols = symbol ? syms : NULL, q.nsymbols = symbol ? 1 : 0;
	q.native_only = 1;
	*out = NULL;
	StoreCursor *c = store_query(store_reader(st), &q, err, errlen);
	if (!c)
		return -1;
	int n = 0, rc;
	StoreRow row;
	while ((rc = store_next(c, &row, err, errlen)) == 1) {
		const StoreSeries *x = &row.u.series;
		if (n && strcmp((*out)[n - 1][0], x->exchange) == 0 &&
		    strcmp((*out)[n - 1][1], x->symbol) == 0)
			continue; /* the pair's next interval */
		*out = xrealloc(*out, (size_t)(n + 1) * sizeof **out);
		snprintf((*out)[n][0], 32, "%s", x->exchange);
		snprintf((*out)[n][1], 32, "%s", x->symbol);
		n++;
	}
	store_cursor_close(c);
	return rc < 0 ? -1 : n;
}

/* db aggregate [--exchange E] [--symbol S] [--from I] --to I[,I...] */
static int db_aggregate(CliContext *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
	        {"symbol", required_argument, NULL, 's'},
	        {"exchange", required_argument, NULL, 'x'},
	        {"from", required_argument, NULL, 'f'},
	        {"to", required_argument, NULL, 't'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	const char *symbol = NULL, *exchange = NULL, *from = NULL, *to = NULL;
	int c;
	while ((c = getopt_long(argc, argv, "s:x:f:t:h", opts, NULL)) != -1) {
		switch (c) {
		case 's': symbol = optarg; break;
		case 'x': exchange = optarg; break;
		case 'f': from = optarg; break;
		case 't': to = optarg; break;
		case 'h': return cli_help("db");
		default: return cli_usage("db");
		}
	}
	if (optind < argc || !to) {
		cli_error("db aggregate: %s", optind < argc ? "unexpected argument"
		                                            : "--to names the intervals to build "
		                                              "(15m, 1h, 4h, 1d, ...)");
		return cli_usage("db");
	}
	char targets[16][FB_INTERVAL_LEN];
	int nt = 0;
	char list[256];
	snprintf(list, sizeof list, "%s", to);
	for (char *save, *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		if (fb_interval_ms(t) <= 0 || nt == 16) {
			cli_error("db aggregate: --to %s: unsupported (supported: %s)", t,
			          fb_interval_list());
			return CLI_USAGE;
		}
		snprintf(targets[nt++], FB_INTERVAL_LEN, "%s", t);
	}
	if (from && fb_interval_ms(from) <= 0) {
		cli_error("db aggregate: --from %s: unsupported (supported: %s)", from,
		          fb_interval_list());
		return CLI_USAGE;
	}
	Store *st = cli_open_store(ctx, 1);
	if (!st)
		return CLI_FAIL;
	char(*p)[2][32];
	char err[1024];
	int np = pairs(st, exchange, symbol, &p, err, sizeof err), rc = CLI_OK;
	if (np <= 0) {
		cli_error("db aggregate: %s",
		          np < 0 ? err : "no stored candles of the exchange match");
		store_close(st);
		return CLI_FAIL;
	}
	for (int i = 0; i < np; i++)
		for (int k = 0; k < nt; k++) {
			char src[FB_INTERVAL_LEN];
			if (from)
				snprintf(src, sizeof src, "%s", from);
			else if (derive_source(st, p[i][0], p[i][1], targets[k], src, sizeof src)) {
				printf("%s %s %s: no lower interval stored to build it from\n",
				       p[i][0], p[i][1], targets[k]);
				continue;
			}
			if (derive_kind(st, p[i][0], p[i][1], targets[k], NULL, 0) ==
			    DERIVE_EXCHANGE) {
				printf("%s %s %s: the exchange's own candles are stored; not built "
				       "(db check --cross compares)\n",
				       p[i][0], p[i][1], targets[k]);
				continue;
			}
			DeriveCounts dc;
			if (derive_build(st, p[i][0], p[i][1], src, targets[k], &dc, err,
			                 sizeof err)) {
				cli_error("db aggregate: %s", err);
				rc = CLI_FAIL;
				continue;
			}
			printf("%s %s %s from %s: %ld built, %ld skipped incomplete, %ld "
			       "unchanged\n",
			       p[i][0], p[i][1], targets[k], src, dc.built, dc.incomplete,
			       dc.unchanged);
		}
	free(p);
	store_close(st);
	return rc;
}

/* db check --cross: the exchange's higher intervals against those built from its lowest. */
static int db_cross(Store *st, const CheckOptions *opt)
{
	char(*p)[2][32];
	char err[1024];
	int np = pairs(st, NULL, opt->symbol, &p, err, sizeof err), rc = 0;
	if (np < 0) {
		cli_error("db check --cross: %s", err);
		return -1;
	}
	long pairs_checked = 0, differ_total = 0;
	for (int i = 0; i < np; i++) {
		for (int k = 0; fb_interval_name(k); k++) {
			const char *target = fb_interval_name(k);
			if (opt->interval && strcmp(opt->interval, target))
				continue;
			if (derive_kind(st, p[i][0], p[i][1], target, NULL, 0) != DERIVE_EXCHANGE)
				continue;
			char src[FB_INTERVAL_LEN];
			if (derive_source(st, p[i][0], p[i][1], target, src, sizeof src))
				continue;
			long eq, df;
			if (derive_cross(st, p[i][0], p[i][1], src, target, stdout, opt->max_listed,
			                 &eq, &df, err, sizeof err)) {
				cli_error("db check --cross: %s", err);
				free(p);
				return -1;
			}
			pairs_checked++;
			differ_total += df;
			printf("%s %s %s against %s built from %s: %ld equal, %ld differ%s\n",
			       p[i][0], p[i][1], target, target, src, eq, df,
			       opt->max_listed > 0 && df > opt->max_listed
			               ? " (--max-listed N lists "
			                 "more)"
			               : "");
			if (df)
				rc = 1;
		}
	}
	printf("cross check: %ld series compared, %ld candles differ from those built from a "
	       "lower interval\n",
	       pairs_checked, differ_total);
	free(p);
	return rc;
}

/* db init --clickhouse: the cluster's tables */
static int db_init(CliContext *ctx, int argc, char **argv)
{
	if (argc != 2 || strcmp(argv[1], "--clickhouse") != 0) {
		cli_error("db init: expected --clickhouse (the SQLite store is created on first "
		          "use)");
		return CLI_USAGE;
	}
	ChClient *c = cli_clickhouse(ctx, "db init");
	if (!c)
		return CLI_FAIL;
	char err[1024];
	int rc = ch_init_schema(c, err, sizeof err);
	if (rc)
		cli_error("db init: %s", err);
	else
		printf("%s: the tables of schema-clickhouse.sql are there\n", ch_name(c));
	ch_close(c);
	return rc ? CLI_FAIL : CLI_OK;
}

typedef struct {
	int tty;
	int64_t t0, last;
} Progress;

static void push_progress(void *arg, const char *table, long rows, double done)
{
	Progress *p = arg;
	int64_t now = fb_mono_ms();
	if (done < 1 && now - p->last < 1000)
		return;
	p->last = now;
	double secs = (double)(now - p->t0) / 1000;
	char bar[21];
	int fill = (int)(done * 20 + 0.5);
	for (int i = 0; i < 20; i++)
		bar[i] = i < fill ? '#' : '.';
	bar[20] = '\0';
	fprintf(stderr, "%s%-15s [%s] %3.0f%% %10ld rows %9.0f rows/s%s", p->tty ? "\r" : "", table,
	        bar, done * 100, rows, secs > 0 ? rows / secs : 0.0,
	        p->tty && done < 1 ? "" : "\n");
}

/* db push --to clickhouse [--from T]: ships the SQLite store into the cluster */
static int db_push(CliContext *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
	        {"to", required_argument, NULL, 't'},
	        {"from", required_argument, NULL, 'f'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	const char *to = NULL;
	int64_t from = INT64_MIN;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "t:f:h", opts, NULL)) != -1) {
		switch (c) {
		case 't': to = optarg; break;
		case 'f':
			if (fb_time_parse(optarg, &from)) {
				cli_error("db push: --from %s: expected a time such as 2025-01-31",
				          optarg);
				return CLI_USAGE;
			}
			break;
		case 'h': return cli_help("db");
		default: return cli_usage("db");
		}
	}
	if (!to || strcmp(to, "clickhouse") != 0 || optind < argc) {
		cli_error("db push: expected --to clickhouse [--from TIME]");
		return CLI_USAGE;
	}
	Store *st = cli_open_store(ctx, 1);
	if (!st)
		return CLI_FAIL;
	ChClient *ch = cli_clickhouse(ctx, "db push");
	char err[1024];
	if (!ch) {
		store_close(st);
		return CLI_FAIL;
	}
	if (ch_check_schema(ch, err, sizeof err)) {
		cli_error("db push: %s", err);
		ch_close(ch);
		store_close(st);
		return CLI_FAIL;
	}
	Progress p = {isatty(2), fb_mono_ms(), 0};
	long rows = ch_push(ch, st, from, (int)config_get_int(ctx->cfg, "clickhouse", "batch_rows"),
	                    push_progress, &p, err, sizeof err);
	if (rows < 0)
		cli_error("db push: %s (what was shipped is kept: run it again to go on)", err);
	else
		printf("db push: %ld rows shipped to %s in %.1f s\n", rows, ch_name(ch),
		       (double)(fb_mono_ms() - p.t0) / 1000);
	ch_close(ch);
	store_close(st);
	return rows < 0 ? CLI_FAIL : CLI_OK;
}

int cmd_db(CliContext *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
	        {"symbol", required_argument, NULL, 's'},
	        {"interval", required_argument, NULL, 'i'},
	        {"max-listed", required_argument, NULL, 'm'},
	        {"cross", no_argument, NULL, 'c'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	if (argc == 2 && strcmp(argv[1], "migrate") == 0) {
		Store *st = cli_open_store(ctx, 1);
		if (!st)
			return CLI_FAIL;
		printf("%s: schema version %d\n", store_path(st), store_schema_version());
		store_close(st);
		return CLI_OK;
	}
	if (argc >= 2 && strcmp(argv[1], "aggregate") == 0)
		return db_aggregate(ctx, argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "init") == 0)
		return db_init(ctx, argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "push") == 0)
		return db_push(ctx, argc - 1, argv + 1);
	if (argc < 2 || (strcmp(argv[1], "check") != 0 && strcmp(argv[1], "stats") != 0)) {
		if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
			return cli_help("db");
		}
		cli_error(
		        "db: expected 'check', 'stats', 'migrate', 'aggregate', 'init' or 'push'");
		return cli_usage("db");
	}
	int is_check = strcmp(argv[1], "check") == 0;
	CheckOptions opt = {.max_listed = 10};
	int c, cross = 0;
	argc--, argv++;
	while ((c = getopt_long(argc, argv, "s:i:m:h", opts, NULL)) != -1) {
		switch (c) {
		case 's': opt.symbol = optarg; break;
		case 'i': opt.interval = optarg; break;
		case 'm': opt.max_listed = atoi(optarg); break;
		case 'c': cross = 1; break;
		case 'h': return cli_help("db");
		default: return cli_usage("db");
		}
	}
	if (optind < argc || (!is_check && (opt.symbol || opt.interval || cross))) {
		cli_error("db %s: unexpected argument", is_check ? "check" : "stats");
		return cli_usage("db");
	}
	Store *st = cli_open_store_ro(ctx);
	if (!st)
		return CLI_FAIL;
	char err[1024];
	int rc;
	if (is_check) {
		CheckReport rep;
		rc = check_candles(st, &opt, stdout, &rep, err, sizeof err);
		if (rc < 0)
			cli_error("db check: %s", err);
		if (rc >= 0 && cross) {
			int x = db_cross(st, &opt);
			rc = x < 0 ? -1 : rc | x;
		}
		rc = rc == 0 ? CLI_OK : CLI_FAIL;
	} else {
		printf("database: %s\n", store_path(st));
		rc = check_stats(st, stdout, err, sizeof err);
		if (rc < 0)
			cli_error("db stats: %s", err);
		rc = rc == 0 ? CLI_OK : CLI_FAIL;
	}
	store_close(st);
	return rc;
}
