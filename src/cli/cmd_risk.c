/* futuresboard risk and futuresboard stress: historical VaR / ES and correlations of stored
 * series, and Monte Carlo stress tests of a backtest run. Main thread (stress starts its own
 * worker threads inside stress_run). */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/backtest_args.h"
#include "cli/cli.h"
#include "core/numparse.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"
#include "store/registry.h"
#include "research/report.h"
#include "research/risk.h"
#include "research/stress.h"

/* ---- risk ---- */

typedef struct {
	char symbol[32];
	int64_t *t;
	double *c;
	int n;
	double w;
} Series;

static int load_closes(StoreReader *rd, const char *exchange, const char *interval, int64_t from,
                       int64_t to, Series *s, char *err, size_t errlen)
{
	const char *syms[1] = {s->symbol}, *ivs[1] = {interval};
	StoreQuery q = store_query_all(SR_CANDLES);
	q.exchange = exchange, q.symbols = syms, q.nsymbols = 1;
	q.intervals = ivs, q.nintervals = 1, q.closed_only = 1;
	q.from_ms = from, q.to_ms = to;
	StoreCursor *c = store_query(rd, &q, err, errlen);
	if (!c)
		return -1;
	size_t cap = 0;
	int rc;
	StoreRow row;
	while ((rc = store_next(c, &row, err, errlen)) == 1) {
		if ((size_t)s->n == cap) {
			cap = cap ? cap * 2 : 1024;
			s->t = xrealloc(s->t, cap * sizeof *s->t);
			s->c = xrealloc(s->c, cap * sizeof *s->c);
		}
		s->t[s->n] = row.u.candle.open_time;
		s->c[s->n++] = row.u.candle.close;
	}
	store_cursor_close(c);
	return rc < 0 ? -1 : 0;
}

/* The series of the store at interval (any exchange when exchange is ""), in key order:
 * each one's exchange and symbol, the count. -1 with err on a read error. */
static int list_series(StoreReader *rd, const char *exchange, const char *interval, int native_only,
                       char (**ex)[32], char (**sym)[32], char *err, size_t errlen)
{
	const char *ivs[1] = {interval};
	StoreQuery q = store_query_all(SR_SERIES);
	q.exchange = *exchange ? exchange : NULL;
	q.intervals = interval ? ivs : NULL, q.nintervals = interval ? 1 : 0;
	q.native_only = native_only;
	StoreCursor *c = store_query(rd, &q, err, errlen);
	if (!c)
		return -1;
	int n = 0, rc;
	StoreRow row;
	while ((rc = store_next(c, &row, err, errlen)) == 1) {
		*ex = xrealloc(*ex, (size_t)(n + 1) * sizeof **ex);
		*sym = xrealloc(*sym, (size_t)(n + 1) * sizeof **sym);
		snprintf((*ex)[n], 32, "%s", row.u.series.exchange);
		snprintf((*sym)[n++], 32, "%s", row.u.series.symbol);
	}
	store_cursor_close(c);
	return rc < 0 ? -1 : n;
}

/* The exchange with the most series at this interval, and its symbols when none are given. */
static int pick_symbols(StoreReader *rd, const char *interval, char *exchange, size_t exlen,
                        Series **out, int *n, char *err, size_t errlen)
{
	char(*ex)[32] = NULL, (*sym)[32] = NULL;
	int m = list_series(rd, exchange, interval, 0, &ex, &sym, err, errlen);
	if (m < 0)
		goto fail;
	if (!*exchange) { /* rows come by exchange: the longest run, the first of equals */
		int best = 0;
		for (int i = 0, run = 0; i < m; i++) {
			run = i && strcmp(ex[i], ex[i - 1]) == 0 ? run + 1 : 1;
			if (run > best) {
				best = run;
				snprintf(exchange, exlen, "%s", ex[i]);
			}
		}
		if (!*exchange) {
			snprintf(err, errlen, "no %s candles are stored", interval);
			goto fail;
		}
	}
	for (int i = 0; i < m && !*n; i++) /* key order: by symbol within the exchange */
		if (strcmp(ex[i], exchange) == 0) {
			for (int k = i; k < m && strcmp(ex[k], exchange) == 0; k++) {
				*out = xrealloc(*out, (size_t)(*n + 1) * sizeof **out);
				memset(&(*out)[*n], 0, sizeof **out);
				snprintf((*out)[*n].symbol, sizeof(*out)[*n].symbol, "%s", sym[k]);
				(*out)[(*n)++].w = NAN;
			}
			break;
		}
	free(ex);
	free(sym);
	return 0;
fail:
	free(ex);
	free(sym);
	return -1;
}

static int cmp_sym(const void *a, const void *b)
{
	return strcmp(a, b);
}

static void pct(json_t *o, const char *k, double v)
{
	json_object_set_new(o, k, isfinite(v) ? json_real(v) : json_null());
}

static json_t *figures_json(const RiskFigures *f, double target)
{
	json_t *o = json_object();
	pct(o, "var95", f->var95);
	pct(o, "es95", f->es95);
	pct(o, "var99", f->var99);
	pct(o, "es99", f->es99);
	pct(o, "vol", f->vol);
	pct(o, "exposure_for_target", f->vol > 0 ? target / f->vol : NAN);
	json_object_set_new(o, "returns", json_integer(f->n));
	return o;
}

static void figures_line(const char *name, const RiskFigures *f, double target)
{
	printf("  %-22s %7.2f%% %7.2f%% %7.2f%% %7.2f%% %8.2f%% %9.2fx\n", name, f->var95 * 100,
	       f->es95 * 100, f->var99 * 100, f->es99 * 100, f->vol * 100,
	       f->vol > 0 ? target / f->vol : NAN);
}

int cmd_risk(CliContext *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
	        {"symbol", required_argument, NULL, 's'},
	        {"interval", required_argument, NULL, 'i'},
	        {"exchange", required_argument, NULL, 'x'},
	        {"from", required_argument, NULL, 'f'},
	        {"to", required_argument, NULL, 't'},
	        {"weights", required_argument, NULL, 'w'},
	        {"target-vol", required_argument, NULL, 'v'},
	        {"json", no_argument, NULL, 'j'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	const char *interval = "1d", *weights = NULL;
	char exchange[32] = "", err[512];
	int64_t from = INT64_MIN, to = INT64_MAX;
	double target = 0.5;
	int json = 0, c, ns = 0;
	Series *s = NULL;
	while ((c = getopt_long(argc, argv, "s:i:x:f:t:w:v:jh", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			for (char *save, *tok = strtok_r(optarg, ",", &save); tok;
			     tok = strtok_r(NULL, ",", &save)) {
				if (!records_symbol_valid(tok)) {
					cli_error("risk: --symbol %s: a symbol is upper-case "
					          "letters and "
					          "digits",
					          tok);
					free(s);
					return CLI_USAGE;
				}
				s = xrealloc(s, (size_t)(ns + 1) * sizeof *s);
				memset(&s[ns], 0, sizeof *s);
				snprintf(s[ns].symbol, sizeof s[ns].symbol, "%s", tok);
				s[ns++].w = NAN;
			}
			break;
		case 'i':
			if (fb_interval_ms(optarg) < 0) {
				cli_error("risk: --interval %s: unsupported (supported: %s)",
				          optarg, fb_interval_list());
				free(s);
				return CLI_USAGE;
			}
			interval = optarg;
			break;
		case 'x': snprintf(exchange, sizeof exchange, "%s", optarg); break;
		case 'f':
		case 't':
			if (fb_time_parse(optarg, c == 'f' ? &from : &to)) {
				cli_error("risk: --%s %s: expected a time such as 2025-01-31",
				          c == 'f' ? "from" : "to", optarg);
				free(s);
				return CLI_USAGE;
			}
			break;
		case 'w': weights = optarg; break;
		case 'v':
			if (fb_parse_double(optarg, &target) || !(target > 0)) {
				cli_error(
				        "risk: --target-vol %s: a positive fraction (0.5 = 50 %%)",
				        optarg);
				free(s);
				return CLI_USAGE;
			}
			break;
		case 'j': json = 1; break;
		case 'h': free(s); return cli_help("risk");
		default: free(s); return cli_usage("risk");
		}
	}
	if (optind < argc) {
		cli_error("risk: unexpected argument '%s'", argv[optind]);
		free(s);
		return cli_usage("risk");
	}
	Store *st = cli_open_store(ctx, 1);
	if (!st) {
		free(s);
		return CLI_FAIL;
	}
	CliReader src;
	if (cli_reader_open(ctx, st, "risk", &src)) {
		free(s);
		store_close(st);
		return CLI_FAIL;
	}
	StoreReader *rd = src.rd;
	int rc = CLI_FAIL, m = 0;
	double **ret = NULL, *port = NULL;
	/* a timeframe only a lower one can give is built from it first, and said so (in the
	 * SQLite store; the cluster holds what was shipped) */
	if (!src.ch) {
		char(*exs)[32] = NULL, (*syms)[32] = NULL;
		int nsyms = list_series(rd, exchange, NULL, 1, &exs, &syms, err, sizeof err);
		free(exs);
		if (nsyms < 0) {
			cli_error("risk: %s", err);
			free(syms);
			goto out;
		}
		qsort(syms, (size_t)nsyms, sizeof *syms, cmp_sym); /* each symbol once */
		int u = 0;
		for (int i = 0; i < nsyms; i++)
			if (!u || strcmp(syms[u - 1], syms[i]) != 0)
				memmove(syms[u++], syms[i], sizeof *syms);
		nsyms = u;
		int bad = 0;
		for (int i = 0; i < nsyms && !bad; i++) {
			int wanted = !ns;
			for (int k = 0; k < ns; k++)
				wanted |= strcmp(s[k].symbol, syms[i]) == 0;
			if (wanted)
				bad = cli_build_interval(ctx, st, "risk",
				                         *exchange ? exchange : NULL, syms[i],
				                         interval) != 0;
		}
		free(syms);
		if (bad)
			goto out;
	}
	if (pick_symbols(rd, interval, exchange, sizeof exchange, &s, &ns, err, sizeof err)) {
		cli_error("risk: %s", err);
		goto out;
	}
	if (ns == 0) {
		cli_error("risk: no %s series on %s", interval, exchange);
		goto out;
	}
	if (weights) { /* S=w,... ; the others get 0 */
		for (int i = 0; i < ns; i++)
			s[i].w = 0;
		char buf[1024];
		snprintf(buf, sizeof buf, "%s", weights);
		for (char *save, *tok = strtok_r(buf, ",", &save); tok;
		     tok = strtok_r(NULL, ",", &save)) {
			char *eq = strchr(tok, '=');
			double w;
			int k = -1;
			if (eq) {
				*eq = '\0';
				for (int i = 0; i < ns; i++)
					if (strcmp(s[i].symbol, tok) == 0)
						k = i;
			}
			if (k < 0 || fb_parse_double(eq + 1, &w)) {
				cli_error("risk: --weights: '%s': expected SYMBOL=WEIGHT for one "
				          "of the "
				          "symbols",
				          tok);
				rc = CLI_USAGE;
				goto out;
			}
			s[k].w = w;
		}
	} else
		for (int i = 0; i < ns; i++)
			s[i].w = 1.0 / ns;
	for (int i = 0; i < ns; i++) {
		if (load_closes(rd, exchange, interval, from, to, &s[i], err, sizeof err)) {
			cli_error("risk: %s", err);
			goto out;
		}
		if (s[i].n < 3) {
			cli_error(
			        "risk: %s %s on %s: %d closed candles in the range; at least 3 are "
			        "needed",
			        s[i].symbol, interval, exchange, s[i].n);
			goto out;
		}
	}
	/* the open times every symbol has (merge of sorted lists) */
	int *idx = xcalloc((size_t)ns, sizeof *idx), common = 0;
	int64_t *times = xmalloc((size_t)s[0].n * sizeof *times);
	int **at = xcalloc((size_t)ns, sizeof *at);
	for (int i = 0; i < ns; i++)
		at[i] = xmalloc((size_t)s[0].n * sizeof **at);
	for (int k = 0; k < s[0].n; k++) {
		int64_t t = s[0].t[k];
		int all = 1;
		for (int i = 1; i < ns && all; i++) {
			while (idx[i] < s[i].n && s[i].t[idx[i]] < t)
				idx[i]++;
			all = idx[i] < s[i].n && s[i].t[idx[i]] == t;
		}
		if (!all)
			continue;
		at[0][common] = k;
		for (int i = 1; i < ns; i++)
			at[i][common] = idx[i];
		times[common++] = t;
	}
	m = common - 1;
	if (m < 2) {
		cli_error("risk: the symbols have %d %s candles in common; at least 3 are needed",
		          common, interval);
		for (int i = 0; i < ns; i++)
			free(at[i]);
		free(at), free(idx), free(times);
		goto out;
	}
	ret = xcalloc((size_t)ns, sizeof *ret);
	port = xcalloc((size_t)m, sizeof *port);
	for (int i = 0; i < ns; i++) {
		ret[i] = xmalloc((size_t)m * sizeof **ret);
		for (int k = 0; k < m; k++) {
			ret[i][k] = s[i].c[at[i][k + 1]] / s[i].c[at[i][k]] - 1;
			port[k] += s[i].w * ret[i][k];
		}
	}
	double per_year = 365.0 * 86400000 / (double)fb_interval_ms(interval);
	char a[32], b[32];
	fb_time_format(times[0], a, sizeof a);
	fb_time_format(times[common - 1], b, sizeof b);
	for (int i = 0; i < ns; i++)
		free(at[i]);
	free(at), free(idx), free(times);
	RiskFigures pf;
	risk_figures(port, m, per_year, &pf);
	if (json) {
		json_t *o =
		        json_pack("{s:s,s:s,s:s,s:s,s:i,s:f}", "exchange", exchange, "interval",
		                  interval, "from", a, "to", b, "returns", m, "target_vol", target);
		json_t *syms = json_object(), *w = json_object(), *corr = json_object();
		for (int i = 0; i < ns; i++) {
			RiskFigures f;
			risk_figures(ret[i], m, per_year, &f);
			json_object_set_new(syms, s[i].symbol, figures_json(&f, target));
			json_object_set_new(w, s[i].symbol, json_real(s[i].w));
			json_t *row = json_object();
			for (int j = 0; j < ns; j++)
				pct(row, s[j].symbol, risk_correlation(ret[i], ret[j], m));
			json_object_set_new(corr, s[i].symbol, row);
		}
		json_object_set_new(o, "symbols", syms);
		json_t *p = figures_json(&pf, target);
		json_object_set_new(p, "weights", w);
		json_object_set_new(o, "portfolio", p);
		json_object_set_new(o, "correlation", corr);
		char *txt = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER |
		                                  JSON_REAL_PRECISION(8));
		puts(txt);
		free(txt);
		json_decref(o);
	} else {
		printf("risk: %d symbols on %s, %d %s returns from %s to %s (historical; losses as "
		       "positive numbers)\n",
		       ns, exchange, m, interval, a, b);
		printf("  %-22s %8s %8s %8s %8s %9s %10s\n", "", "VaR95", "ES95", "VaR99", "ES99",
		       "vol/yr", "exposure*");
		for (int i = 0; i < ns; i++) {
			RiskFigures f;
			risk_figures(ret[i], m, per_year, &f);
			figures_line(s[i].symbol, &f, target);
		}
		figures_line(weights ? "portfolio (weights)" : "portfolio (equal)", &pf, target);
		printf("  * notional / equity for a %.0f%% volatility target\n", target * 100);
		printf("correlation of %s returns:\n  %-12s", interval, "");
		for (int j = 0; j < ns; j++)
			printf(" %8.8s", s[j].symbol);
		printf("\n");
		for (int i = 0; i < ns; i++) {
			printf("  %-12s", s[i].symbol);
			for (int j = 0; j < ns; j++)
				printf(" %8.3f", risk_correlation(ret[i], ret[j], m));
			printf("\n");
		}
	}
	rc = CLI_OK;
out:
	for (int i = 0; ret && i < ns; i++)
		free(ret[i]);
	free(ret);
	free(port);
	for (int i = 0; i < ns; i++)
		free(s[i].t), free(s[i].c);
	free(s);
	cli_reader_close(&src);
	store_close(st);
	return rc;
}

/* ---- stress ---- */

static int stress_number(const char *name, const char *arg, double lo, double hi, double *out)
{
	if (fb_parse_double(arg, out) || !(*out >= lo && *out <= hi)) {
		cli_error("stress: --%s %s: expected a number from %g to %g", name, arg, lo, hi);
		return -1;
	}
	return 0;
}

/* The exposure (notional / equity in a position) a run's inputs describe. */
static double run_exposure(const char *params_json)
{
	json_error_t je;
	json_t *in = json_loads(params_json, 0, &je);
	double lev = json_number_value(json_object_get(in, "leverage"));
	double frac = json_number_value(json_object_get(in, "fraction"));
	const char *sizing = json_string_value(json_object_get(in, "sizing"));
	double e = sizing && strcmp(sizing, "vol") == 0 ? lev : lev * frac;
	json_decref(in);
	return e > 0 ? e : 1;
}

int cmd_stress(CliContext *ctx, int argc, char **argv)
{
	struct option opts[64];
	int n = bt_args_options(opts, 40);
	const struct option more[] = {
	        {"run", required_argument, NULL, 'r'},
	        {"paths", required_argument, NULL, 'P'},
	        {"horizon", required_argument, NULL, 'H'},
	        {"block", required_argument, NULL, 'B'},
	        {"seed", required_argument, NULL, 'E'},
	        {"threads", required_argument, NULL, 'T'},
	        {"method", required_argument, NULL, 'M'},
	        {"vol-scale", required_argument, NULL, 'V'},
	        {"swans", required_argument, NULL, 20},
	        {"swan-gap", required_argument, NULL, 21},
	        {"swan-vol", required_argument, NULL, 22},
	        {"swan-days", required_argument, NULL, 23},
	        {"swan-slippage-bps", required_argument, NULL, 24},
	        {"swan-funding", required_argument, NULL, 25},
	        {"ruin", required_argument, NULL, 26},
	        {"bands", required_argument, NULL, 27},
	        {"json", no_argument, NULL, 'j'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	memcpy(opts + n, more, sizeof more);
	BtArgs a;
	bt_args_init(&a);
	StressOptions so;
	stress_default_options(&so);
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	so.threads = cpus > 0 ? (int)(cpus < 64 ? cpus : 64) : 1;
	const char *run = NULL, *bands = NULL;
	int json = 0, c, any_bt = 0;
	double v;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		int r = bt_args_option("stress", c, optarg, &a);
		if (r < 0)
			return CLI_USAGE;
		if (r == 0) {
			any_bt = 1;
			continue;
		}
		int bad = 0;
		switch (c) {
		case 'r': run = optarg; break;
		case 'P':
			bad = stress_number("paths", optarg, 1, 1e7, &v), so.paths = (int)v;
			break;
		case 'H':
			bad = stress_number("horizon", optarg, 1, 36500, &v), so.horizon = (int)v;
			break;
		case 'B':
			bad = stress_number("block", optarg, 1, 365, &v), so.block = (int)v;
			break;
		case 'E':
			bad = stress_number("seed", optarg, 0, 9007199254740991.0, &v);
			so.seed = (uint64_t)v;
			break;
		case 'T':
			bad = stress_number("threads", optarg, 1, 256, &v), so.threads = (int)v;
			break;
		case 'M':
			if (strcmp(optarg, "bootstrap") == 0)
				so.method = STRESS_BOOTSTRAP;
			else if (strcmp(optarg, "regime") == 0)
				so.method = STRESS_REGIME;
			else {
				cli_error("stress: --method %s: bootstrap or regime", optarg);
				bad = 1;
			}
			break;
		case 'V':
			if (strcmp(optarg, "on") && strcmp(optarg, "off")) {
				cli_error("stress: --vol-scale %s: on or off", optarg);
				bad = 1;
			}
			so.vol_scale = strcmp(optarg, "on") == 0;
			break;
		case 20: bad = stress_number("swans", optarg, 0, 365, &so.swan_rate); break;
		case 21: bad = stress_number("swan-gap", optarg, 0, 1, &so.swan_gap); break;
		case 22: bad = stress_number("swan-vol", optarg, 1, 100, &so.swan_vol); break;
		case 23:
			bad = stress_number("swan-days", optarg, 0, 365, &v), so.swan_days = (int)v;
			break;
		case 24:
			bad = stress_number("swan-slippage-bps", optarg, 0, 10000,
			                    &so.swan_slip_bps);
			break;
		case 25: bad = stress_number("swan-funding", optarg, 0, 1, &so.swan_funding); break;
		case 26: bad = stress_number("ruin", optarg, 0.01, 1, &so.ruin); break;
		case 27: bands = optarg; break;
		case 'j': json = 1; break;
		case 'h': return cli_help("stress");
		default: return cli_usage("stress");
		}
		if (bad)
			return CLI_USAGE;
	}
	if (optind < argc) {
		cli_error("stress: unexpected argument '%s'", argv[optind]);
		return cli_usage("stress");
	}
	if (!run == !any_bt) {
		cli_error("stress: give either --run ID or the backtest's options (--strategy, "
		          "--symbol, --interval, ...)");
		return cli_usage("stress");
	}
	BtConfig cfg;
	if (any_bt && bt_args_config("stress", &a, &cfg))
		return CLI_USAGE;
	Store *st = cli_open_store(ctx, 1);
	if (!st)
		return CLI_FAIL;
	char err[1024];
	int rc = CLI_FAIL;
	BtRunInfo info = {0};
	BtResult r = {0};
	double initial = 10000;
	if (run) {
		double id;
		if (fb_parse_double(run, &id) || id < 1 || id != floor(id)) {
			cli_error("stress: --run %s: a run id (futuresboard runs list)", run);
			rc = CLI_USAGE;
			goto out;
		}
		if (registry_get(st, (int64_t)id, &info, &r, err, sizeof err)) {
			cli_error("stress: %s", err);
			goto out;
		}
		json_error_t je;
		json_t *in = json_loads(info.params_json, 0, &je);
		if (json_number_value(json_object_get(in, "initial")) > 0)
			initial = json_number_value(json_object_get(in, "initial"));
		json_decref(in);
		so.exposure = run_exposure(info.params_json);
	} else {
		BtData d;
		if (bt_args_load(ctx, "stress", &a, &cfg, 0, st, &d))
			goto out;
		cfg.warm = d.pre; /* warm as a plain backtest is */
		cfg.nwarm = d.npre;
		if (bt_run(&cfg, d.bars, d.n, d.funding, d.nfunding, &r, err, sizeof err)) {
			cli_error("stress: %s", err);
			bt_data_free(&d);
			goto out;
		}
		initial = cfg.initial;
		QuantOptions qo;
		cli_quant_options(ctx, &qo);
		BtReport p;
		bt_report(&r, d.bars, cfg.initial, cfg.interval_ms, &p);
		bt_run_info(&info, &a, &cfg, &qo, &d, &p, NULL, NULL);
		bt_data_free(&d);
		info.id = registry_save(st, &info, &r, err, sizeof err);
		if (info.id < 0) {
			cli_error("stress: storing the run: %s", err);
			goto out;
		}
		so.exposure = run_exposure(info.params_json);
	}
	int held = 0;
	for (int i = 0; i < r.n; i++)
		held += r.position[i] != 0;
	so.in_market = r.n ? (double)held / r.n : 0;
	double *daily;
	int nd = bt_daily_returns(&r, initial, &daily);
	unsigned char *held_days;
	bt_daily_held(&r, &held_days);
	so.held = held_days;
	StressResult sr;
	if (stress_run(daily, nd, &so, &sr, err, sizeof err)) {
		cli_error("stress: run %lld: %s", (long long)info.id, err);
		free(daily);
		free(held_days);
		goto out;
	}
	free(daily);
	free(held_days);
	so.held = NULL;
	const char *method = so.method == STRESS_BOOTSTRAP ? "block bootstrap" : "regime switching";
	if (json) {
		json_t *o = json_pack(
		        "{s:I,s:s,s:i,s:i,s:I,s:i,s:b,s:f,s:f,s:f,s:{s:f,s:f,s:f},s:{s:f,s:f,s:f},"
		        "s:f,s:f,s:f,s:f,s:f,s:{s:f,s:f,s:f,s:f,s:f,s:f,s:f,s:f,s:i}}",
		        "run", (json_int_t)info.id, "method", method, "paths", so.paths,
		        "horizon_days", so.horizon, "seed", (json_int_t)so.seed, "block", so.block,
		        "vol_scale", so.vol_scale, "swans_per_year", so.swan_rate, "exposure",
		        so.exposure, "in_market", so.in_market, "max_drawdown", "p50", sr.dd_p50,
		        "p95", sr.dd_p95, "p99", sr.dd_p99, "return", "p5", sr.ret_p5, "p50",
		        sr.ret_p50, "p95", sr.ret_p95, "var99", sr.var99, "es99", sr.es99, "p_ruin",
		        sr.p_ruin, "p_liquidation", sr.p_liquidation, "time_under_water",
		        sr.under_water, "model", "hist_mean", sr.hist_mean, "hist_sd", sr.hist_sd,
		        "vol_ratio", sr.vol_ratio, "calm_sd", sr.sd[0], "turbulent_sd", sr.sd[1],
		        "calm_nu", sr.nu[0], "turbulent_nu", sr.nu[1], "p_stay_calm",
		        sr.trans[0][0], "start_state", sr.start_state);
		char *txt = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER |
		                                  JSON_REAL_PRECISION(10));
		puts(txt);
		free(txt);
		json_decref(o);
	} else {
		printf("stress: run %lld (%s %s %s), %d daily returns; %s, %d paths of %d days, "
		       "seed "
		       "%llu, %d threads\n",
		       (long long)info.id, info.strategy, info.symbol, info.interval, nd, method,
		       so.paths, so.horizon, (unsigned long long)so.seed, so.threads);
		printf("  history: mean %.4f%%/day, sd %.4f%%/day; last 30 days' sd x%.2f (%s); "
		       "exposure %.2fx, in the market %.0f%% of the time\n",
		       sr.hist_mean * 100, sr.hist_sd * 100, sr.vol_ratio,
		       so.vol_scale ? "applied" : "not applied", so.exposure, so.in_market * 100);
		if (so.method == STRESS_REGIME)
			printf("  regimes: calm sd %.3f%% nu %.1f stay %.2f; turbulent sd %.3f%% "
			       "nu %.1f "
			       "stay %.2f; starts %s\n",
			       sr.sd[0] * 100, sr.nu[0], sr.trans[0][0], sr.sd[1] * 100, sr.nu[1],
			       sr.trans[1][1], sr.start_state ? "turbulent" : "calm");
		if (so.swan_rate > 0)
			printf("  black swans: %.2f a year, gap %.0f%%, volatility x%.1f and "
			       "funding "
			       "%.2f%%/day for %d days, slippage %.0f bp\n",
			       so.swan_rate, so.swan_gap * 100, so.swan_vol, so.swan_funding * 100,
			       so.swan_days, so.swan_slip_bps);
		printf("  max drawdown       p50 %6.2f%%   p95 %6.2f%%   p99 %6.2f%%\n",
		       sr.dd_p50 * 100, sr.dd_p95 * 100, sr.dd_p99 * 100);
		printf("  horizon return     p5 %7.2f%%   p50 %6.2f%%   p95 %6.2f%%\n",
		       sr.ret_p5 * 100, sr.ret_p50 * 100, sr.ret_p95 * 100);
		printf("  VaR99 %.2f%%  ES99 %.2f%% (of the horizon return)\n", sr.var99 * 100,
		       sr.es99 * 100);
		printf("  P(ruin: a %.0f%% loss) %.2f%%   P(liquidation) %.2f%%   time under water "
		       "%.1f%%\n",
		       so.ruin * 100, sr.p_ruin * 100, sr.p_liquidation * 100,
		       sr.under_water * 100);
		int step = so.horizon > 12 ? so.horizon / 12 : 1;
		printf("  equity bands (x initial)   day      p5     p50     p95\n");
		for (int t = step - 1; t < so.horizon; t += step)
			printf("  %26s %4d %7.3f %7.3f %7.3f\n", "", t + 1, sr.band5[t],
			       sr.band50[t], sr.band95[t]);
	}
	rc = CLI_OK;
	if (bands) {
		FILE *f = fopen(bands, "w");
		if (f) {
			fputs("day,p5,p50,p95\r\n", f);
			for (int t = 0; t < so.horizon; t++)
				fprintf(f, "%d,%.10g,%.10g,%.10g\r\n", t + 1, sr.band5[t],
				        sr.band50[t], sr.band95[t]);
		}
		if (!f || fclose(f)) {
			cli_error("stress: %s: %s", bands, strerror(errno));
			rc = CLI_FAIL;
		}
	}
	stress_result_free(&sr);
out:
	registry_info_free(&info);
	bt_result_free(&r);
	store_close(st);
	return rc;
}
