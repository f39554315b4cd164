/* futuresboard backfill: fetch missing candles over REST for the tracked symbols and intervals
 * and report gaps_found, gaps_fixed, candles_added and gaps_unfillable. Main thread. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/log.h"
#include "core/signals.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"
#include "feed/backfill.h"
#include "feed/exchange.h"
#include "feed/universe.h"

static int stop_asked(void)
{
	return signals_stop_requested();
}

/* Splits a comma or space separated list in place. */
static int split_list(char *s, char **out, int max)
{
	int n = 0;
	for (char *save, *t = strtok_r(s, ", ", &save); t && n < max;
	     t = strtok_r(NULL, ", ", &save))
		out[n++] = t;
	return n;
}

int cmd_backfill(CliContext *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
	        {"symbol", required_argument, NULL, 's'},
	        {"interval", required_argument, NULL, 'i'},
	        {"since", required_argument, NULL, 'S'},
	        {"top", required_argument, NULL, 'n'},
	        {"exchange", required_argument, NULL, 'e'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	char *symbols_arg = NULL, *intervals_arg = NULL;
	int64_t since = -1;
	int top = (int)config_get_int(ctx->cfg, "feed", "top_n"), c;
	const Exchange *ex = exchange_find(cli_first_exchange(ctx));
	while ((c = getopt_long(argc, argv, "s:i:S:n:e:h", opts, NULL)) != -1) {
		switch (c) {
		case 'e':
			if (!(ex = exchange_find(optarg))) {
				cli_error("--exchange %s: expected binance or bybit", optarg);
				return CLI_USAGE;
			}
			break;
		case 's': symbols_arg = optarg; break;
		case 'i': intervals_arg = optarg; break;
		case 'S':
			if (fb_time_parse(optarg, &since)) {
				cli_error("--since %s: expected ISO-8601 UTC or epoch ms", optarg);
				return CLI_USAGE;
			}
			break;
		case 'n':
			top = atoi(optarg);
			if (top < 1 || top > 200) {
				cli_error("--top %s: expected 1 to 200", optarg);
				return CLI_USAGE;
			}
			break;
		case 'h': return cli_help("backfill");
		default: return cli_usage("backfill");
		}
	}
	if (optind < argc) {
		cli_error("backfill: unexpected argument '%s'", argv[optind]);
		return cli_usage("backfill");
	}
	char ivbuf[256], *ivs[16];
	snprintf(ivbuf, sizeof ivbuf, "%s",
	         intervals_arg ? intervals_arg : config_get_str(ctx->cfg, "feed", "intervals"));
	int nivs = split_list(ivbuf, ivs, 16);
	for (int i = 0; i < nivs; i++)
		if (fb_interval_ms(ivs[i]) < 0) {
			cli_error("--interval %s: unsupported (supported: %s)", ivs[i],
			          fb_interval_list());
			return CLI_USAGE;
		}
	char *syms[256];
	int nsyms = 0;
	if (symbols_arg) {
		nsyms = split_list(symbols_arg, syms, 256);
		for (int i = 0; i < nsyms; i++)
			if (!records_symbol_valid(syms[i])) {
				cli_error("--symbol %s: a symbol is upper-case letters and digits",
				          syms[i]);
				return CLI_USAGE;
			}
	}
	signals_install();
	RestClient *rc =
	        rest_new(config_get_str(ctx->cfg, ex->name, "rest_url"),
	                 (int)config_get_int(ctx->cfg, ex->name, "weight_limit"),
	                 (int)config_get_int(ctx->cfg, ex->name, "timeout_ms"), stop_asked);
	if (rc)
		rest_set_rules(rc, &ex->limits,
		               (int)config_get_int(ctx->cfg, ex->name, "weight_limit"),
		               ex->body_error);
	Store *st = rc ? cli_open_store(ctx, 0) : NULL;
	int rc_status = CLI_FAIL;
	UniverseEntry *uni = NULL;
	char err[1024];
	if (!st)
		goto out;
	int64_t now = ex->server_time(rc, err, sizeof err);
	if (now < 0) {
		cli_error("backfill: %s", err);
		goto out;
	}
	if (!symbols_arg) {
		long n = universe_top(ex, rc, top, NULL, 0, &uni, err, sizeof err);
		if (n < 0) {
			cli_error("backfill: %s", err);
			goto out;
		}
		for (long i = 0; i < n; i++)
			syms[nsyms++] = uni[i].symbol;
	}
	const char *exchange = config_get_str(ctx->cfg, ex->name, "label");
	int64_t lookback = config_get_int(ctx->cfg, "feed", "lookback");
	BackfillReport total = {0};
	int failures = 0;
	for (int i = 0; i < nsyms && !signals_stop_requested(); i++)
		for (int j = 0; j < nivs && !signals_stop_requested(); j++) {
			BackfillReport r = {0};
			int64_t from = since >= 0 ? since : now - lookback * fb_interval_ms(ivs[j]);
			BackfillTarget to = {st, NULL};
			if (backfill_series(ex, rc, &to, exchange, syms[i], ivs[j], from, now, &r,
			                    err, sizeof err)) {
				cli_error("backfill %s %s: %s", syms[i], ivs[j], err);
				failures++;
			}
			if (ctx->verbose || r.gaps_found)
				printf("%s %s: gaps_found=%ld gaps_fixed=%ld candles_added=%ld "
				       "gaps_unfillable=%ld\n",
				       syms[i], ivs[j], r.gaps_found, r.gaps_fixed, r.candles_added,
				       r.gaps_unfillable);
			total.series += r.series;
			total.gaps_found += r.gaps_found;
			total.gaps_fixed += r.gaps_fixed;
			total.candles_added += r.candles_added;
			total.candles_updated += r.candles_updated;
			total.gaps_unfillable += r.gaps_unfillable;
			total.candles_unfillable += r.candles_unfillable;
			total.known_unfillable += r.known_unfillable;
			total.candles_pending += r.candles_pending;
			total.malformed += r.malformed;
		}
	RestStats rs;
	rest_get_stats(rc, &rs);
	printf("backfill: %ld series: gaps_found=%ld gaps_fixed=%ld candles_added=%ld "
	       "candles_updated=%ld gaps_unfillable=%ld (%ld candles missing at the source, %ld "
	       "known from earlier runs) candles_pending=%ld malformed=%ld requests=%llu "
	       "rate_limited=%llu banned=%llu\n",
	       total.series, total.gaps_found, total.gaps_fixed, total.candles_added,
	       total.candles_updated, total.gaps_unfillable, total.candles_unfillable,
	       total.known_unfillable, total.candles_pending, total.malformed,
	       (unsigned long long)rs.requests, (unsigned long long)rs.rate_limited,
	       (unsigned long long)rs.banned);
	log_info("backfill", "%ld series, %ld gaps, %ld fixed, %ld candles added, %ld unfillable",
	         total.series, total.gaps_found, total.gaps_fixed, total.candles_added,
	         total.gaps_unfillable);
	rc_status = failures || signals_stop_requested() ? CLI_FAIL : CLI_OK;
out:
	free(uni);
	store_close(st);
	rest_free(rc);
	return rc_status;
}
