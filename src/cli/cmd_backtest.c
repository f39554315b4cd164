/* futuresboard backtest and futuresboard runs: a strategy over stored candles (or a walk-forward
 * of it), its report, and the registry of runs. Main thread. */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/backtest_args.h"
#include "cli/cli.h"
#include "core/numparse.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"
#include "store/registry.h"
#include "research/report.h"
#include "research/walkforward.h"

#define BT_MIN_BARS 50 /* bars a backtest must be able to trade */

/* ---- the options backtest and stress share ---- */

static const struct option bt_opts[] = {
        {"strategy", required_argument, NULL, 'S'},
        {"symbol", required_argument, NULL, 's'},
        {"interval", required_argument, NULL, 'i'},
        {"exchange", required_argument, NULL, 'x'},
        {"from", required_argument, NULL, 'f'},
        {"to", required_argument, NULL, 't'},
        {"param", required_argument, NULL, 'p'},
        {"fee-bps", required_argument, NULL, 1},
        {"slippage-bps", required_argument, NULL, 2},
        {"funding", required_argument, NULL, 3},
        {"leverage", required_argument, NULL, 4},
        {"fraction", required_argument, NULL, 5},
        {"sizing", required_argument, NULL, 6},
        {"target-vol", required_argument, NULL, 7},
        {"no-short", no_argument, NULL, 8},
        {"initial", required_argument, NULL, 9},
        {"allow-cold", no_argument, NULL, 10},
        {"liquidation-fee-bps", required_argument, NULL, 11},
};
#define NBT_OPTS ((int)(sizeof bt_opts / sizeof *bt_opts))

int bt_args_options(struct option *out, int max)
{
	int n = NBT_OPTS < max ? NBT_OPTS : max;
	memcpy(out, bt_opts, (size_t)n * sizeof *out);
	return n;
}

static int number(const char *cmd, const char *name, const char *arg, double lo, double hi,
                  double *out)
{
	if (fb_parse_double(arg, out) || !(*out >= lo && *out <= hi)) {
		cli_error("%s: --%s %s: expected a number from %g to %g", cmd, name, arg, lo, hi);
		return -1;
	}
	return 0;
}

void bt_args_init(BtArgs *a)
{
	memset(a, 0, sizeof *a);
	a->to_ms = INT64_MAX;
	a->from_ms = INT64_MIN;
	for (int k = 0; k < BT_MAX_PARAMS; k++)
		a->p[k] = NAN;
	a->fee_bps = a->slippage_bps = a->leverage = a->fraction = a->target_vol = a->initial = NAN;
	a->liq_fee_bps = NAN;
	a->funding = -1;
	a->sizing = -1;
}

int bt_args_option(const char *cmd, int c, const char *arg, BtArgs *a)
{
	switch (c) {
	case 'S':
		if (!(a->strategy = bt_strategy_find(arg))) {
			cli_error("%s: --strategy %s: unknown (%s)", cmd, arg, bt_strategy_list());
			return -1;
		}
		return 0;
	case 's':
		if (!records_symbol_valid(arg)) {
			cli_error("%s: --symbol %s: a symbol is upper-case letters and digits", cmd,
			          arg);
			return -1;
		}
		a->symbol = arg;
		return 0;
	case 'i':
		if (fb_interval_ms(arg) < 0) {
			cli_error("%s: --interval %s: unsupported (supported: %s)", cmd, arg,
			          fb_interval_list());
			return -1;
		}
		a->interval = arg;
		return 0;
	case 'x': a->exchange = arg; return 0;
	case 'f':
	case 't':
		if (fb_time_parse(arg, c == 'f' ? &a->from_ms : &a->to_ms)) {
			cli_error("%s: --%s %s: expected a time such as 2025-01-31 or "
			          "2025-01-31T12:00",
			          cmd, c == 'f' ? "from" : "to", arg);
			return -1;
		}
		return 0;
	case 'p':
		if (a->nparams == BT_MAX_PARAMS * 2) {
			cli_error("%s: too many --param", cmd);
			return -1;
		}
		a->params[a->nparams++] = arg;
		return 0;
	case 1: return number(cmd, "fee-bps", arg, -10, 1000, &a->fee_bps);
	case 2: return number(cmd, "slippage-bps", arg, 0, 1000, &a->slippage_bps);
	case 3:
		if (strcmp(arg, "on") && strcmp(arg, "off")) {
			cli_error("%s: --funding %s: on or off", cmd, arg);
			return -1;
		}
		a->funding = strcmp(arg, "on") == 0;
		return 0;
	case 4: return number(cmd, "leverage", arg, 1, 125, &a->leverage);
	case 5: return number(cmd, "fraction", arg, 0.0001, 1, &a->fraction);
	case 6:
		if (strcmp(arg, "fixed") && strcmp(arg, "vol")) {
			cli_error("%s: --sizing %s: fixed (a fraction of equity) or vol (a "
			          "volatility "
			          "target)",
			          cmd, arg);
			return -1;
		}
		a->sizing = strcmp(arg, "vol") == 0 ? BT_SIZE_VOL : BT_SIZE_FIXED;
		return 0;
	case 7: return number(cmd, "target-vol", arg, 0.001, 10, &a->target_vol);
	case 8: a->no_short = 1; return 0;
	case 9: return number(cmd, "initial", arg, 1, 1e12, &a->initial);
	case 10: a->allow_cold = 1; return 0;
	case 11: return number(cmd, "liquidation-fee-bps", arg, 0, 1000, &a->liq_fee_bps);
	}
	return 1; /* not one of these */
}

int bt_args_config(const char *cmd, const BtArgs *a, BtConfig *c)
{
	if (!a->strategy || !a->symbol || !a->interval) {
		cli_error("%s: needs --strategy (%s), --symbol and --interval", cmd,
		          bt_strategy_list());
		return -1;
	}
	if (a->from_ms != INT64_MIN && a->to_ms != INT64_MAX && a->from_ms >= a->to_ms) {
		cli_error("%s: --from must come before --to", cmd);
		return -1;
	}
	bt_default_config(c, a->strategy);
	c->interval_ms = fb_interval_ms(a->interval);
	for (int i = 0; i < a->nparams; i++) {
		const char *eq = strchr(a->params[i], '=');
		char name[32];
		snprintf(name, sizeof name, "%.*s", eq ? (int)(eq - a->params[i]) : 0,
		         a->params[i]);
		int k = eq ? bt_param_find(a->strategy, name) : -1;
		double v;
		if (k < 0 || fb_parse_double(eq + 1, &v)) {
			StrBuf names = {0};
			for (int j = 0; bt_param_name(a->strategy, j); j++)
				strbuf_printf(&names, "%s%s", j ? ", " : "",
				              bt_param_name(a->strategy, j));
			cli_error("%s: --param %s: expected NAME=NUMBER; %s has %s", cmd,
			          a->params[i], bt_strategy_name(a->strategy), names.p);
			free(names.p);
			return -1;
		}
		c->p[k] = v;
	}
	if (a->strategy == BT_EMA_CROSS && isfinite(c->p[0]) != isfinite(c->p[1])) {
		cli_error(
		        "%s: ema-cross needs both fast= and slow= (or neither: the engine's EMAs)",
		        cmd);
		return -1;
	}
	if (isfinite(a->fee_bps))
		c->fee_bps = a->fee_bps;
	if (isfinite(a->slippage_bps))
		c->slippage_bps = a->slippage_bps;
	if (a->funding >= 0)
		c->funding = a->funding;
	if (isfinite(a->leverage))
		c->leverage = a->leverage;
	if (isfinite(a->fraction))
		c->fraction = a->fraction;
	if (a->sizing >= 0)
		c->sizing = a->sizing;
	if (isfinite(a->target_vol))
		c->target_vol = a->target_vol;
	if (isfinite(a->initial))
		c->initial = a->initial;
	if (isfinite(a->liq_fee_bps))
		c->liq_fee_bps = a->liq_fee_bps;
	c->no_short = a->no_short;
	return 0;
}

void bt_run_info(BtRunInfo *info, const BtArgs *a, const BtConfig *c, const QuantOptions *qo,
                 const BtData *d, const BtReport *p, const char *extra_key, json_t *extra)
{
	memset(info, 0, sizeof *info);
	info->created_ms = fb_now_ms();
	info->from_ms = p->start_ms;
	info->to_ms = p->end_ms;
	snprintf(info->version, sizeof info->version, "%s", FB_VERSION);
	snprintf(info->strategy, sizeof info->strategy, "%s", bt_strategy_name(c->strategy));
	snprintf(info->exchange, sizeof info->exchange, "%s", d->exchange);
	snprintf(info->symbol, sizeof info->symbol, "%s", a->symbol);
	snprintf(info->interval, sizeof info->interval, "%s", a->interval);
	snprintf(info->hash, sizeof info->hash, "%s", d->hash);
	info->params_json = bt_params_json(c, qo, d, extra_key, extra);
	info->summary_json = bt_report_json(p);
}

char *bt_params_json(const BtConfig *c, const QuantOptions *qo, const BtData *d,
                     const char *extra_key, json_t *extra)
{
	json_t *p = json_object();
	for (int k = 0; bt_param_name(c->strategy, k); k++)
		json_object_set_new(p, bt_param_name(c->strategy, k),
		                    isfinite(c->p[k]) ? json_real(c->p[k]) : json_null());
	json_t *o = json_pack(
	        "{s:o,s:f,s:f,s:f,s:b,s:f,s:f,s:s,s:f,s:b,s:f,s:f,s:{s:i,s:i,s:i,s:i,s:i}}",
	        "params", p, "fee_bps", c->fee_bps, "slippage_bps", c->slippage_bps,
	        "liquidation_fee_bps", c->liq_fee_bps, "funding", c->funding, "leverage",
	        c->leverage, "fraction", c->fraction, "sizing",
	        c->sizing == BT_SIZE_VOL ? "vol" : "fixed", "target_vol", c->target_vol, "no_short",
	        c->no_short, "maintenance", c->maintenance, "initial", c->initial, "engine",
	        "ema_fast", qo->ind.ema_fast, "ema_slow", qo->ind.ema_slow, "rsi", qo->ind.rsi,
	        "zscore", qo->ind.zscore, "rv_window", qo->rv_window);
	if (d) {
		char a[32], b[32];
		json_object_set_new(
		        o, "warmup",
		        json_pack("{s:i,s:i}", "bars", d->warm, "needed", d->need_warm));
		json_object_set_new(o, "hashed",
		                    json_pack("{s:s,s:s,s:i}", "first_open",
		                              fb_time_format(d->hash_from_ms, a, sizeof a),
		                              "last_open",
		                              fb_time_format(d->hash_to_ms, b, sizeof b),
		                              "funding_rows", d->nfunding));
	}
	if (extra_key)
		json_object_set_new(o, extra_key, extra);
	char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
	json_decref(o);
	return s;
}

void bt_warmup_text(const BtData *d, const BtArgs *a, char *out, size_t outlen)
{
	char t[32];
	if (a->from_ms == INT64_MIN || !d->warm)
		snprintf(out, outlen,
		         "none: the range starts at the first stored candle, signals wait for %d "
		         "bars",
		         d->need_warm);
	else
		snprintf(out, outlen, "%d of %d bars available before %s%s",
		         d->warm < d->need_warm ? d->warm : d->need_warm, d->need_warm,
		         d->n ? fb_time_format(d->bars[0].open_time, t, sizeof t) : "",
		         d->warm < d->need_warm ? " (--allow-cold: the indicators start cold)"
		                                : "");
}

int bt_args_load(CliContext *ctx, const char *cmd, const BtArgs *a, const BtConfig *c, int lookback,
                 Store *st, BtData *d)
{
	QuantOptions qo;
	cli_quant_options(ctx, &qo);
	char err[1024];
	CliReader rd;
	if (cli_reader_open(ctx, st, cmd, &rd))
		return -1;
	/* a timeframe only a lower one gives is built in the SQLite store; the cluster holds
	 * what was shipped */
	if (!rd.ch && cli_build_interval(ctx, st, cmd, a->exchange, a->symbol, a->interval))
		return -1;
	int bad = bt_data_load(rd.rd, a->exchange, a->symbol, a->interval, &qo, a->from_ms,
	                       a->to_ms, d, err, sizeof err);
	cli_reader_close(&rd);
	if (bad) {
		cli_error("%s: %s", cmd, err);
		return -1;
	}
	if (lookback <= 0)
		lookback = bt_lookback(c, qo.ind.rsi, qo.ind.ema_slow, qo.ind.zscore);
	d->need_warm = lookback;
	int need = lookback + BT_MIN_BARS, have = d->warm + d->n;
	if (d->n >= BT_MIN_BARS && have >= need) {
		if (a->from_ms == INT64_MIN || d->warm >= lookback || a->allow_cold)
			return 0;
		/* a range whose indicators would start cold */
		char from[32], first[32], sug[32], since[32];
		int64_t ivl = c->interval_ms;
		cli_error("%s: warm-up: %d of %d bars available before %s (the first stored %s %s "
		          "candle opened at %s), so %s's indicators would start cold; start at "
		          "--from %s or later, backfill earlier history (futuresboard backfill "
		          "--symbol %s --interval %s --since %s), or pass --allow-cold",
		          cmd, d->warm, lookback,
		          fb_time_format(d->bars[0].open_time, from, sizeof from), a->symbol,
		          a->interval, fb_time_format(d->first_ms, first, sizeof first),
		          bt_strategy_name(c->strategy),
		          fb_time_format(d->first_ms + (int64_t)lookback * ivl, sug, sizeof sug),
		          a->symbol, a->interval,
		          fb_time_format(d->bars[0].open_time - (int64_t)lookback * ivl, since,
		                         sizeof since));
		bt_data_free(d);
		return -1;
	}
	int64_t ivl = c->interval_ms;
	char latest[32], first[32], from[32], sug[32], sug2[32];
	if (!d->latest_ms) {
		cli_error("%s: no closed %s %s candles are stored on %s%s; fetch them first: "
		          "futuresboard backfill --symbol %s --interval %s",
		          cmd, a->symbol, a->interval, d->exchange,
		          d->stored_latest_ms ? " before --to" : "", a->symbol, a->interval);
	} else {
		char range[96] = "in the whole store", to[32];
		if (a->from_ms != INT64_MIN || a->to_ms != INT64_MAX)
			snprintf(range, sizeof range, "in the range%s%s%s%s",
			         a->from_ms != INT64_MIN ? " from " : "",
			         a->from_ms != INT64_MIN
			                 ? fb_time_format(a->from_ms, from, sizeof from)
			                 : "",
			         a->to_ms != INT64_MAX ? " to " : "",
			         a->to_ms != INT64_MAX ? fb_time_format(a->to_ms, to, sizeof to)
			                               : "");
		int64_t stored_end = d->stored_latest_ms + ivl; /* after the newest stored */
		int64_t end = a->to_ms < stored_end ? a->to_ms : stored_end;
		/* a start that leaves enough bars before the range's end, the lookback fitting
		 * in the stored history before it */
		int64_t s = end - (int64_t)BT_MIN_BARS * ivl;
		if (a->from_ms != INT64_MIN && a->from_ms < s)
			s = a->from_ms;
		/* or an end that leaves enough bars after --from */
		int64_t start = a->from_ms != INT64_MIN && a->from_ms > d->first_ms ? a->from_ms
		                                                                    : d->first_ms;
		if (start < d->first_ms + (int64_t)lookback * ivl)
			start = d->first_ms + (int64_t)lookback * ivl;
		int64_t e = start + (int64_t)BT_MIN_BARS * ivl;
		StrBuf fix = {0};
		if (s >= d->first_ms + (int64_t)lookback * ivl)
			strbuf_printf(&fix, "start earlier: --from %s",
			              fb_time_format(s, sug, sizeof sug));
		if (a->to_ms != INT64_MAX && a->to_ms < stored_end && e <= stored_end &&
		    e > a->to_ms) {
			char f[32];
			int move = a->from_ms != INT64_MIN && start != a->from_ms;
			strbuf_printf(&fix, "%s%s: ", fix.p ? ", or " : "",
			              move ? "move the range" : "end later");
			if (move)
				strbuf_printf(&fix, "--from %s ",
				              fb_time_format(start, f, sizeof f));
			strbuf_printf(&fix, "--to %s", fb_time_format(e, sug2, sizeof sug2));
		}
		if (!fix.p)
			strbuf_printf(&fix,
			              "fetch more history first: futuresboard backfill --symbol %s "
			              "--interval %s --since %s",
			              a->symbol, a->interval,
			              fb_time_format(end - (int64_t)need * ivl, sug, sizeof sug));
		cli_error("%s: not enough candles for %s on %s %s: %d required (a lookback of %d "
		          "for the strategy's indicators, then at least %d to trade), %d received "
		          "%s (%d stored before it); the stored candles run from %s to the latest "
		          "at %s; %s",
		          cmd, bt_strategy_name(c->strategy), a->symbol, a->interval, need,
		          lookback, BT_MIN_BARS, d->n, range, d->warm,
		          fb_time_format(d->first_ms, first, sizeof first),
		          fb_time_format(d->stored_latest_ms, latest, sizeof latest), fix.p);
		free(fix.p);
	}
	bt_data_free(d);
	return -1;
}

/* ---- backtest ---- */

static int write_csvs(const char *dir, int64_t id, const BtResult *r, double initial)
{
	if (mkdir(dir, 0777) && errno != EEXIST) {
		cli_error("backtest: %s: %s", dir, strerror(errno));
		return -1;
	}
	for (int k = 0; k < 2; k++) {
		char *path = xasprintf("%s/run-%lld-%s.csv", dir, (long long)id,
		                       k ? "trades" : "equity");
		char *tmp = xasprintf("%s.tmp", path);
		FILE *f = fopen(tmp, "w");
		int bad = !f || (k ? bt_write_trades_csv(f, r->trades, r->ntrades)
		                   : bt_write_equity_csv(f, r, initial));
		if (f && fclose(f))
			bad = 1;
		if (bad || rename(tmp, path)) {
			cli_error("%s: %s", path, strerror(errno));
			unlink(tmp);
			free(tmp);
			free(path);
			return -1;
		}
		fprintf(stderr, "futuresboard: wrote %s\n", path);
		free(tmp);
		free(path);
	}
	return 0;
}

static void print_params(FILE *out, const BtConfig *c, const WfGrid *g)
{
	fprintf(out, "  %-18s", "params");
	int any = 0;
	for (int k = 0; bt_param_name(c->strategy, k); k++, any = 1) {
		int grid = 0;
		for (int i = 0; g && i < g->nparams; i++)
			grid |= g->param[i] == k;
		if (grid)
			fprintf(out, " %s=(per window)", bt_param_name(c->strategy, k));
		else if (isfinite(c->p[k]))
			fprintf(out, " %s=%g", bt_param_name(c->strategy, k), c->p[k]);
		else
			fprintf(out, " %s=engine", bt_param_name(c->strategy, k));
	}
	fprintf(out, "%s\n  %-18s fee %g bp, slippage %g bp, funding %s, %s sizing",
	        any ? "" : " (none)", "costs", c->fee_bps, c->slippage_bps,
	        c->funding ? "on" : "off", c->sizing == BT_SIZE_VOL ? "volatility" : "fixed");
	if (c->sizing == BT_SIZE_VOL)
		fprintf(out, " (target %g, at most %gx)\n", c->target_vol, c->leverage);
	else
		fprintf(out, " (%g of equity at %gx)\n", c->fraction, c->leverage);
}

static json_t *wf_json(const WfResult *w, const WfGrid *g, const BtConfig *c, int64_t train,
                       int64_t test, const char *objective)
{
	json_t *win = json_array();
	char a[32], b[32], t[32];
	for (int i = 0; i < w->nw; i++) {
		json_t *p = json_object();
		for (int k = 0; k < g->nparams; k++)
			json_object_set_new(p, bt_param_name(c->strategy, g->param[k]),
			                    json_real(w->w[i].p[g->param[k]]));
		json_array_append_new(
		        win, json_pack("{s:s,s:s,s:s,s:o,s:o,s:o,s:f,s:i}", "train_from",
		                       fb_time_format(w->w[i].train_from, a, sizeof a), "test_from",
		                       fb_time_format(w->w[i].test_from, b, sizeof b), "test_to",
		                       fb_time_format(w->w[i].test_to, t, sizeof t), "params", p,
		                       "is_score",
		                       isfinite(w->w[i].is_score) ? json_real(w->w[i].is_score)
		                                                  : json_null(),
		                       "oos_score",
		                       isfinite(w->w[i].oos_score) ? json_real(w->w[i].oos_score)
		                                                   : json_null(),
		                       "oos_return", w->w[i].oos_return, "oos_trades",
		                       w->w[i].oos_trades));
	}
	double decay = isfinite(w->is_mean) && isfinite(w->oos_mean) && w->is_mean != 0
	                       ? 1 - w->oos_mean / w->is_mean
	                       : NAN;
	return json_pack("{s:f,s:f,s:s,s:i,s:i,s:i,s:o,s:o,s:o,s:o}", "train_days",
	                 train / 86400000.0, "test_days", test / 86400000.0, "objective", objective,
	                 "combinations", w->combos, "boundaries", w->boundaries,
	                 "boundaries_carried", w->carried, "is_mean",
	                 isfinite(w->is_mean) ? json_real(w->is_mean) : json_null(), "oos_mean",
	                 isfinite(w->oos_mean) ? json_real(w->oos_mean) : json_null(), "decay",
	                 isfinite(decay) ? json_real(decay) : json_null(), "windows", win);
}

static void wf_print(FILE *out, const WfResult *w, const WfGrid *g, const BtConfig *c,
                     const char *objective)
{
	char a[32], b[32];
	fprintf(out, "  walk-forward: %d windows, %d combinations each, objective %s\n", w->nw,
	        w->combos, objective);
	fprintf(out, "    %-10s %-10s %-28s %10s %10s %9s %6s\n", "test from", "to", "chosen",
	        "in-sample", "out", "oos ret", "trades");
	for (int i = 0; i < w->nw; i++) {
		char chosen[64] = "";
		size_t len = 0;
		for (int k = 0; k < g->nparams && len < sizeof chosen; k++)
			len += (size_t)snprintf(
			        chosen + len, sizeof chosen - len, "%s%s=%g", k ? " " : "",
			        bt_param_name(c->strategy, g->param[k]), w->w[i].p[g->param[k]]);
		fb_time_format(w->w[i].test_from, a, sizeof a);
		fb_time_format(w->w[i].test_to, b, sizeof b);
		fprintf(out, "    %-10.10s %-10.10s %-28s %10.3f %10.3f %8.2f%% %6d\n", a, b,
		        chosen, w->w[i].is_score, w->w[i].oos_score, w->w[i].oos_return * 100,
		        w->w[i].oos_trades);
	}
	fprintf(out, "    mean %s: in-sample %.3f, out-of-sample %.3f", objective, w->is_mean,
	        w->oos_mean);
	if (isfinite(w->is_mean) && w->is_mean != 0 && isfinite(w->oos_mean))
		fprintf(out, " (decay %.0f%%)", (1 - w->oos_mean / w->is_mean) * 100);
	fprintf(out,
	        "\n    every window warmed on the bars before it; a position the next window "
	        "keeps is carried over the boundary (%d of %d boundaries)\n",
	        w->carried, w->boundaries);
	fprintf(out, "  out of sample, one run:\n");
}

int cmd_backtest(CliContext *ctx, int argc, char **argv)
{
	struct option opts[NBT_OPTS + 8];
	int n = bt_args_options(opts, NBT_OPTS);
	const struct option more[] = {
	        {"json", no_argument, NULL, 'j'},
	        {"export", required_argument, NULL, 'e'},
	        {"walk-forward", required_argument, NULL, 'w'},
	        {"grid", required_argument, NULL, 'g'},
	        {"objective", required_argument, NULL, 'o'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	memcpy(opts + n, more, sizeof more);
	BtArgs a;
	bt_args_init(&a);
	int json = 0, c;
	const char *export_dir = NULL, *wf = NULL, *objective = "sharpe";
	const char *grids[BT_MAX_PARAMS * 2];
	int ngrids = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		int r = bt_args_option("backtest", c, optarg, &a);
		if (r < 0)
			return CLI_USAGE;
		if (r == 0)
			continue;
		switch (c) {
		case 'j': json = 1; break;
		case 'e': export_dir = optarg; break;
		case 'w': wf = optarg; break;
		case 'g':
			if (ngrids == BT_MAX_PARAMS * 2) {
				cli_error("backtest: too many --grid");
				return CLI_USAGE;
			}
			grids[ngrids++] = optarg;
			break;
		case 'o': objective = optarg; break;
		case 'h': return cli_help("backtest");
		default: return cli_usage("backtest");
		}
	}
	if (optind < argc) {
		cli_error("backtest: unexpected argument '%s'", argv[optind]);
		return cli_usage("backtest");
	}
	BtConfig cfg;
	if (bt_args_config("backtest", &a, &cfg))
		return CLI_USAGE;
	char err[1024];
	int64_t train = 0, test = 0;
	WfGrid grid;
	if (wf) {
		static const char *objectives[] = {"sharpe",     "sortino",      "calmar",
		                                   "cagr",       "total_return", "profit_factor",
		                                   "expectancy", "sqn"};
		int known = 0;
		for (size_t i = 0; i < sizeof objectives / sizeof *objectives; i++)
			known |= strcmp(objective, objectives[i]) == 0;
		if (!known) {
			cli_error("backtest: --objective %s: one of sharpe, sortino, calmar, cagr, "
			          "total_return, profit_factor, expectancy, sqn",
			          objective);
			return CLI_USAGE;
		}
		if (wf_parse_spec(wf, &train, &test, err, sizeof err)) {
			cli_error("backtest: --walk-forward %s", err);
			return CLI_USAGE;
		}
		if (ngrids) {
			memset(&grid, 0, sizeof grid);
			for (int i = 0; i < ngrids; i++)
				if (wf_grid_add(&grid, cfg.strategy, grids[i], err, sizeof err)) {
					cli_error("backtest: %s", err);
					return CLI_USAGE;
				}
		} else
			wf_default_grid(&grid, cfg.strategy);
	} else if (ngrids) {
		cli_error("backtest: --grid goes with --walk-forward");
		return CLI_USAGE;
	}
	Store *st = cli_open_store(ctx, 1);
	if (!st)
		return CLI_FAIL;
	QuantOptions qo;
	cli_quant_options(ctx, &qo);
	int lookback = bt_lookback(&cfg, qo.ind.rsi, qo.ind.ema_slow, qo.ind.zscore);
	for (int k = 0; wf && k < grid.nparams; k++)
		if (cfg.strategy == BT_EMA_CROSS || cfg.strategy == BT_DONCHIAN) {
			double mx = 0; /* the longest period of the grid */
			for (int v = 0; v < grid.nvalues[k]; v++)
				mx = fmax(mx, grid.values[k][v]);
			lookback = (int)fmax(lookback, mx + 1);
		}
	BtData d;
	if (bt_args_load(ctx, "backtest", &a, &cfg, lookback, st, &d)) {
		store_close(st);
		return CLI_FAIL;
	}
	int rc = CLI_FAIL;
	BtResult r = {0};
	WfResult w = {0};
	json_t *extra = NULL;
	if (wf) {
		if (wf_run(&cfg, &d, &grid, train, test, objective, &w, err, sizeof err)) {
			cli_error("backtest: walk-forward: %s", err);
			goto out;
		}
		r = w.oos;
		memset(&w.oos, 0, sizeof w.oos);
		extra = wf_json(&w, &grid, &cfg, train, test, objective);
	} else {
		cfg.warm =
		        d.pre; /* the history before --from warms the strategy's own indicators */
		cfg.nwarm = d.npre;
		if (bt_run(&cfg, d.bars, d.n, d.funding, d.nfunding, &r, err, sizeof err)) {
			cli_error("backtest: %s", err);
			goto out;
		}
	}
	BtReport p;
	const BtBar *rbars = d.bars + (wf ? w.oos_from : 0); /* walk-forward: the tested part */
	bt_report(&r, rbars, cfg.initial, cfg.interval_ms, &p);
	BtRunInfo info;
	bt_run_info(&info, &a, &cfg, &qo, &d, &p, extra ? "walk_forward" : NULL, extra);
	int64_t id = registry_save(st, &info, &r, err, sizeof err);
	if (id < 0)
		cli_error("backtest: storing the run: %s", err);
	if (json) {
		json_error_t je;
		json_t *o = json_pack(
		        "{s:I,s:s,s:s,s:s,s:s,s:s,s:o,s:o,s:{s:i,s:i}}", "id", (json_int_t)id,
		        "strategy", info.strategy, "exchange", info.exchange, "symbol", info.symbol,
		        "interval", info.interval, "candles_hash", info.hash, "inputs",
		        json_loads(info.params_json, 0, &je), "summary",
		        json_loads(info.summary_json, 0, &je), "liquidation_checks", "mark_bars",
		        r.checked_mark, "last_price_bars", r.checked_last);
		char *s = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER |
		                                JSON_REAL_PRECISION(10));
		puts(s);
		free(s);
		json_decref(o);
	} else {
		printf("backtest %s %s %s on %s: %d bars, candles %s\n", info.strategy, a.symbol,
		       a.interval, d.exchange, r.n, info.hash);
		print_params(stdout, &cfg, wf ? &grid : NULL);
		char warm[256];
		bt_warmup_text(&d, &a, warm, sizeof warm);
		printf("  %-18s %s\n", "warm-up", warm);
		if (r.checked_mark || r.checked_last)
			printf("  %-18s %s (%d bars in a position on the mark, %d on the last "
			       "price)\n",
			       "liquidation",
			       !r.checked_last   ? "on the mark price"
			       : !r.checked_mark ? "on last-price wicks (no mark-price "
			                           "candles stored)"
			                         : "on the mark price where stored, "
			                           "else last-price wicks",
			       r.checked_mark, r.checked_last);
		if (wf)
			wf_print(stdout, &w, &grid, &cfg, objective);
		bt_report_print(stdout, &p);
		if (id > 0)
			printf("stored as run %lld (futuresboard runs show %lld)\n", (long long)id,
			       (long long)id);
	}
	if (export_dir && id > 0 && write_csvs(export_dir, id, &r, cfg.initial))
		id = -1;
	rc = id > 0 ? CLI_OK : CLI_FAIL;
	registry_info_free(&info);
out:
	bt_result_free(&r);
	wf_result_free(&w);
	bt_data_free(&d);
	store_close(st);
	return rc;
}

/* ---- runs ---- */

static int runs_list(Store *st, int limit)
{
	char err[512];
	BtRunInfo *v;
	int n = registry_list(st, limit, &v, err, sizeof err);
	if (n < 0) {
		cli_error("runs: %s", err);
		return CLI_FAIL;
	}
	printf("%s\n", registry_row_header());
	for (int i = 0; i < n; i++) {
		char line[256];
		registry_row(&v[i], line, sizeof line);
		printf("%s\n", line);
	}
	if (!n)
		printf("(no runs yet: futuresboard backtest --strategy ... stores one)\n");
	registry_list_free(v, n);
	return CLI_OK;
}

static int get_run(Store *st, const char *arg, BtRunInfo *info, BtResult *r)
{
	char err[512];
	double id;
	if (fb_parse_double(arg, &id) || id < 1 || id != floor(id)) {
		cli_error("runs: '%s' is not a run id", arg);
		return CLI_USAGE;
	}
	int rc = registry_get(st, (int64_t)id, info, r, err, sizeof err);
	if (rc)
		cli_error("runs: %s", err);
	return rc ? CLI_FAIL : CLI_OK;
}

static int runs_show(Store *st, const char *arg, int json)
{
	BtRunInfo x;
	int rc = get_run(st, arg, &x, NULL);
	if (rc)
		return rc;
	json_error_t je;
	json_t *sum = json_loads(x.summary_json, 0, &je), *in = json_loads(x.params_json, 0, &je);
	char c[32], f[32], t[32];
	if (json) {
		json_t *o = json_pack(
		        "{s:I,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:o,s:o}", "id", (json_int_t)x.id,
		        "created", fb_time_format(x.created_ms, c, sizeof c), "version", x.version,
		        "strategy", x.strategy, "exchange", x.exchange, "symbol", x.symbol,
		        "interval", x.interval, "from", fb_time_format(x.from_ms, f, sizeof f),
		        "to", fb_time_format(x.to_ms, t, sizeof t), "candles_hash", x.hash,
		        "inputs", in ? in : json_null(), "summary", sum ? sum : json_null());
		char *s = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER |
		                                JSON_REAL_PRECISION(10));
		puts(s);
		free(s);
		json_decref(o);
	} else {
		printf("run %lld: %s %s %s on %s, %s .. %s\n", (long long)x.id, x.strategy,
		       x.symbol, x.interval, x.exchange, fb_time_format(x.from_ms, f, sizeof f),
		       fb_time_format(x.to_ms, t, sizeof t));
		printf("  created %s by futuresboard %s; candles %s\n",
		       fb_time_format(x.created_ms, c, sizeof c), x.version, x.hash);
		printf("  inputs  %s\n", x.params_json);
		const char *k;
		json_t *v;
		json_object_foreach(sum, k, v)
		{
			char *s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT |
			                                JSON_REAL_PRECISION(8));
			printf("  %-18s %s\n", k, s);
			free(s);
		}
		json_decref(sum);
		json_decref(in);
	}
	registry_info_free(&x);
	return CLI_OK;
}

static int runs_compare(Store *st, int n, char **ids)
{
	static const char *keys[] = {"total_return",
	                             "cagr",
	                             "ann_vol",
	                             "sharpe",
	                             "sortino",
	                             "calmar",
	                             "max_drawdown",
	                             "max_drawdown_days",
	                             "time_under_water",
	                             "win_rate",
	                             "profit_factor",
	                             "expectancy",
	                             "sqn",
	                             "exposure",
	                             "trades",
	                             "fees",
	                             "funding",
	                             "final_equity"};
	BtRunInfo *x = xcalloc((size_t)n, sizeof *x);
	json_t **sum = xcalloc((size_t)n, sizeof *sum);
	int rc = CLI_OK, got = 0;
	for (; got < n; got++)
		if ((rc = get_run(st, ids[got], &x[got], NULL)))
			break;
	if (!rc) {
		printf("%-18s", "run");
		for (int i = 0; i < n; i++)
			printf(" %14lld", (long long)x[i].id);
		printf("\n%-18s", "strategy");
		for (int i = 0; i < n; i++)
			printf(" %14.14s", x[i].strategy);
		printf("\n%-18s", "series");
		for (int i = 0; i < n; i++) {
			char s[40];
			snprintf(s, sizeof s, "%s %s", x[i].symbol, x[i].interval);
			printf(" %14.14s", s);
		}
		printf("\n");
		for (int i = 0; i < n; i++) {
			json_error_t je;
			sum[i] = json_loads(x[i].summary_json, 0, &je);
		}
		for (size_t k = 0; k < sizeof keys / sizeof *keys; k++) {
			printf("%-18s", keys[k]);
			for (int i = 0; i < n; i++) {
				double v = registry_summary_num(sum[i], keys[k]);
				if (isfinite(v))
					printf(" %14.4f", v);
				else
					printf(" %14s", "-");
			}
			printf("\n");
		}
		int same = 1;
		for (int i = 1; i < n; i++)
			same &= strcmp(x[i].hash, x[0].hash) == 0;
		printf("%s\n", same ? "same candles (equal hashes)"
		                    : "different candles (the hashes differ)");
		for (int i = 0; i < n; i++)
			printf("inputs of %lld: %s\n", (long long)x[i].id, x[i].params_json);
	}
	for (int i = 0; i < got; i++) {
		json_decref(sum[i]);
		registry_info_free(&x[i]);
	}
	free(sum);
	free(x);
	return rc;
}

static int runs_export(Store *st, const char *arg, const char *dir)
{
	BtRunInfo x;
	BtResult r;
	int rc = get_run(st, arg, &x, &r);
	if (rc)
		return rc;
	json_error_t je;
	json_t *in = json_loads(x.params_json, 0, &je);
	double initial = json_number_value(json_object_get(in, "initial"));
	json_decref(in);
	rc = write_csvs(dir, x.id, &r, initial > 0 ? initial : 10000) ? CLI_FAIL : CLI_OK;
	bt_result_free(&r);
	registry_info_free(&x);
	return rc;
}

int cmd_runs(CliContext *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
	        {"limit", required_argument, NULL, 'n'},
	        {"json", no_argument, NULL, 'j'},
	        {"dir", required_argument, NULL, 'd'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	double limit = 50;
	int json = 0, c;
	const char *dir = ".";
	while ((c = getopt_long(argc, argv, "n:jd:h", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			if (fb_parse_double(optarg, &limit) || limit < 0) {
				cli_error("runs: --limit %s: a count", optarg);
				return CLI_USAGE;
			}
			break;
		case 'j': json = 1; break;
		case 'd': dir = optarg; break;
		case 'h': return cli_help("runs");
		default: return cli_usage("runs");
		}
	}
	const char *what = optind < argc ? argv[optind++] : "list";
	int nargs = argc - optind;
	if ((strcmp(what, "list") == 0 && nargs) ||
	    ((strcmp(what, "show") == 0 || strcmp(what, "export") == 0) && nargs != 1) ||
	    (strcmp(what, "compare") == 0 && nargs < 2)) {
		cli_error("runs %s: wrong number of run ids", what);
		return cli_usage("runs");
	}
	if (strcmp(what, "list") && strcmp(what, "show") && strcmp(what, "compare") &&
	    strcmp(what, "export")) {
		cli_error("runs: unknown '%s' (list, show, compare, export)", what);
		return cli_usage("runs");
	}
	Store *st = cli_open_store(ctx, 1);
	if (!st)
		return CLI_FAIL;
	int rc = strcmp(what, "list") == 0      ? runs_list(st, (int)limit)
	         : strcmp(what, "show") == 0    ? runs_show(st, argv[optind], json)
	         : strcmp(what, "compare") == 0 ? runs_compare(st, nargs, argv + optind)
	                                        : runs_export(st, argv[optind], dir);
	store_close(st);
	return rc;
}
