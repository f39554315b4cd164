/* The figures of a backtest (see report.h). */
#include "research/report.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/timeutil.h"
#include "core/xmalloc.h"
#include "quant/engine.h"

#define DAY_MS INT64_C(86400000)

int bt_daily_returns(const BtResult *r, double initial, double **out)
{
	*out = xmalloc((size_t)(r->n > 0 ? r->n : 1) * sizeof **out);
	int n = 0;
	double prev = initial;
	for (int i = 0; i < r->n; i++) {
		/* a bar closing at 00:00 belongs to the day that ended then */
		int64_t day = (r->time[i] - 1) / DAY_MS;
		if (i + 1 < r->n && (r->time[i + 1] - 1) / DAY_MS == day)
			continue;
		(*out)[n++] = prev > 0 ? r->equity[i] / prev - 1 : 0;
		prev = r->equity[i];
	}
	return n;
}

int bt_daily_held(const BtResult *r, unsigned char **out)
{
	*out = xmalloc((size_t)(r->n > 0 ? r->n : 1));
	int n = 0, held = 0;
	for (int i = 0; i < r->n; i++) {
		int64_t day = (r->time[i] - 1) / DAY_MS;
		held |= r->position[i] != 0;
		if (i + 1 < r->n && (r->time[i + 1] - 1) / DAY_MS == day)
			continue;
		(*out)[n++] = (unsigned char)held;
		held = 0;
	}
	return n;
}

void bt_drawdown(const BtResult *r, double initial, double *dd)
{
	double peak = initial;
	for (int i = 0; i < r->n; i++) {
		peak = fmax(peak, r->equity[i]);
		dd[i] = peak > 0 ? 1 - r->equity[i] / peak : 0;
	}
}

static void daily_figures(BtReport *p, const double *d, int n)
{
	p->ndays = n;
	p->ann_vol = p->sharpe = p->sortino = NAN;
	if (n < 2)
		return;
	double sum = 0, down = 0;
	for (int i = 0; i < n; i++) {
		sum += d[i];
		down += d[i] < 0 ? d[i] * d[i] : 0;
	}
	double mean = sum / n, ss = 0;
	for (int i = 0; i < n; i++)
		ss += (d[i] - mean) * (d[i] - mean);
	double sd = sqrt(ss / (n - 1)), dd = sqrt(down / n);
	p->ann_vol = sd * sqrt(365.0);
	p->sharpe = sd > 0 ? mean / sd * sqrt(365.0) : NAN;
	p->sortino = dd > 0 ? mean / dd * sqrt(365.0) : NAN;
}

static void drawdown_figures(BtReport *p, const BtResult *r, double initial)
{
	double peak = initial;
	int64_t peak_time = p->start_ms, longest = 0;
	int under = 0;
	for (int i = 0; i < r->n; i++) {
		double e = r->equity[i];
		if (e >= peak) {
			if (r->time[i] - peak_time > longest && i > 0 && r->equity[i - 1] < peak)
				longest = r->time[i] - peak_time;
			peak = e;
			peak_time = r->time[i];
			continue;
		}
		under++;
		p->max_dd = fmax(p->max_dd, 1 - e / peak);
	}
	if (r->n && r->equity[r->n - 1] < peak && r->time[r->n - 1] - peak_time > longest)
		longest = r->time[r->n - 1] - peak_time;
	p->max_dd_duration_ms = longest;
	p->time_under_water = r->n ? (double)under / r->n : 0;
}

static void trade_figures(BtReport *p, const BtTrade *t, int n)
{
	double won = 0, lost = 0, sum = 0;
	p->trades = n;
	for (int i = 0; i < n; i++) {
		sum += t[i].pnl;
		if (t[i].pnl > 0)
			p->wins++, won += t[i].pnl;
		else
			lost -= t[i].pnl;
		p->liquidations += t[i].liquidated;
	}
	p->win_rate = n ? (double)p->wins / n : NAN;
	p->profit_factor = !n ? NAN : lost > 0 ? won / lost : won > 0 ? INFINITY : NAN;
	p->expectancy = n ? sum / n : NAN;
	p->sqn = NAN;
	if (n >= 2) {
		double mean = sum / n, ss = 0;
		for (int i = 0; i < n; i++)
			ss += (t[i].pnl - mean) * (t[i].pnl - mean);
		double sd = sqrt(ss / (n - 1));
		if (sd > 0)
			p->sqn = sqrt((double)n) * mean / sd;
	}
}

static void regime_figures(BtReport *p, const BtResult *r, const BtBar *b, double initial)
{
	double growth[BT_REGIMES];
	int held[BT_REGIMES];
	for (int g = 0; g < BT_REGIMES; g++)
		growth[g] = 1, held[g] = 0;
	double prev = initial;
	int ti = 0;
	for (int i = 0; i < r->n; i++) {
		int g = i > 0 ? b[i - 1].trend : TREND_NA;
		if (g < 0 || g >= BT_REGIMES)
			g = TREND_NA;
		BtRegimeResult *x = &p->regime[g];
		x->bars++;
		held[g] += r->position[i] != 0;
		if (prev > 0)
			growth[g] *= r->equity[i] / prev;
		prev = r->equity[i];
		/* trades entered at this bar's open */
		for (; ti < r->ntrades && r->trades[ti].entry_time <= b[i].open_time; ti++)
			if (r->trades[ti].entry_time == b[i].open_time) {
				x->trades++;
				x->wins += r->trades[ti].pnl > 0;
			}
	}
	for (int g = 0; g < BT_REGIMES; g++) {
		p->regime[g].ret = growth[g] - 1;
		p->regime[g].exposure =
		        p->regime[g].bars ? (double)held[g] / p->regime[g].bars : NAN;
	}
}

void bt_report(const BtResult *r, const BtBar *bars, double initial, int64_t interval_ms,
               BtReport *p)
{
	memset(p, 0, sizeof *p);
	p->initial = initial;
	p->final = r->n ? r->equity[r->n - 1] : initial;
	p->start_ms = r->n ? r->time[0] - interval_ms : 0;
	p->end_ms = r->n ? r->time[r->n - 1] : 0;
	p->days = (double)(p->end_ms - p->start_ms) / DAY_MS;
	p->total_return = initial > 0 ? p->final / initial - 1 : NAN;
	p->cagr = p->calmar = NAN;
	if (p->days >= 30 && initial > 0 && p->final >= 0)
		p->cagr = pow(p->final / initial, 365.0 / p->days) - 1;
	double *d;
	int nd = bt_daily_returns(r, initial, &d);
	daily_figures(p, d, nd);
	free(d);
	drawdown_figures(p, r, initial);
	if (isfinite(p->cagr) && p->max_dd > 0)
		p->calmar = p->cagr / p->max_dd;
	trade_figures(p, r->trades, r->ntrades);
	int held = 0;
	for (int i = 0; i < r->n; i++)
		held += r->position[i] != 0;
	p->exposure = r->n ? (double)held / r->n : 0;
	p->fees = r->fees;
	p->funding = r->funding;
	if (bars)
		regime_figures(p, r, bars, initial);
}

/* The named figures, in the order reports print them. */
static const struct {
	const char *name;
	size_t off;
	int pct; /* printed as a percentage */
} figures[] = {
        {"total_return", offsetof(BtReport, total_return), 1},
        {"cagr", offsetof(BtReport, cagr), 1},
        {"ann_vol", offsetof(BtReport, ann_vol), 1},
        {"sharpe", offsetof(BtReport, sharpe), 0},
        {"sortino", offsetof(BtReport, sortino), 0},
        {"calmar", offsetof(BtReport, calmar), 0},
        {"max_drawdown", offsetof(BtReport, max_dd), 1},
        {"time_under_water", offsetof(BtReport, time_under_water), 1},
        {"win_rate", offsetof(BtReport, win_rate), 1},
        {"profit_factor", offsetof(BtReport, profit_factor), 0},
        {"expectancy", offsetof(BtReport, expectancy), 0},
        {"sqn", offsetof(BtReport, sqn), 0},
        {"exposure", offsetof(BtReport, exposure), 1},
        {"fees", offsetof(BtReport, fees), 0},
        {"funding", offsetof(BtReport, funding), 0},
        {"final_equity", offsetof(BtReport, final), 0},
};
#define NFIG ((int)(sizeof figures / sizeof *figures))

double bt_report_value(const BtReport *p, const char *name)
{
	for (int i = 0; i < NFIG; i++)
		if (strcmp(figures[i].name, name) == 0)
			return *(const double *)((const char *)p + figures[i].off);
	if (strcmp(name, "trades") == 0)
		return p->trades;
	if (strcmp(name, "max_drawdown_days") == 0)
		return (double)p->max_dd_duration_ms / DAY_MS;
	return NAN;
}

static json_t *num(double x)
{
	return isfinite(x) ? json_real(x)
	       : isinf(x)  ? json_string(x > 0 ? "inf" : "-inf")
	                   : json_null();
}

char *bt_report_json(const BtReport *p)
{
	json_t *o = json_object();
	char t[32];
	json_object_set_new(o, "start", json_string(fb_time_format(p->start_ms, t, sizeof t)));
	json_object_set_new(o, "end", json_string(fb_time_format(p->end_ms, t, sizeof t)));
	json_object_set_new(o, "days", json_real(p->days));
	json_object_set_new(o, "initial_equity", json_real(p->initial));
	for (int i = 0; i < NFIG; i++)
		json_object_set_new(o, figures[i].name,
		                    num(*(const double *)((const char *)p + figures[i].off)));
	json_object_set_new(o, "max_drawdown_days",
	                    json_real((double)p->max_dd_duration_ms / DAY_MS));
	json_object_set_new(o, "trades", json_integer(p->trades));
	json_object_set_new(o, "liquidations", json_integer(p->liquidations));
	json_object_set_new(o, "daily_returns", json_integer(p->ndays));
	json_t *reg = json_object();
	for (int g = 0; g < BT_REGIMES; g++) {
		const BtRegimeResult *x = &p->regime[g];
		if (!x->bars)
			continue;
		json_object_set_new(reg, g == TREND_NA ? "warmup" : quant_trend_name(g),
		                    json_pack("{s:i,s:o,s:o,s:i,s:i}", "bars", x->bars, "return",
		                              num(x->ret), "exposure", num(x->exposure), "trades",
		                              x->trades, "wins", x->wins));
	}
	json_object_set_new(o, "regimes", reg);
	char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
	json_decref(o);
	return s;
}

static void line(FILE *out, const char *label, double x, int pct)
{
	if (!isfinite(x))
		fprintf(out, "  %-18s %12s\n", label, isinf(x) ? (x > 0 ? "inf" : "-inf") : "-");
	else if (pct)
		fprintf(out, "  %-18s %11.2f%%\n", label, x * 100);
	else
		fprintf(out, "  %-18s %12.4f\n", label, x);
}

void bt_report_print(FILE *out, const BtReport *p)
{
	char a[32], b[32];
	fprintf(out, "  %-18s %s .. %s (%.1f days, %d daily returns)\n", "period",
	        fb_time_format(p->start_ms, a, sizeof a), fb_time_format(p->end_ms, b, sizeof b),
	        p->days, p->ndays);
	fprintf(out, "  %-18s %12.2f -> %.2f\n", "equity", p->initial, p->final);
	for (int i = 0; i < NFIG - 1; i++) {
		if (strcmp(figures[i].name, "cagr") == 0 && !isfinite(p->cagr)) {
			fprintf(out, "  %-18s %12s\n", "cagr", "(< 30 days)");
			continue;
		}
		line(out, figures[i].name, *(const double *)((const char *)p + figures[i].off),
		     figures[i].pct);
	}
	fprintf(out, "  %-18s %12.2f\n", "max_dd_days", (double)p->max_dd_duration_ms / DAY_MS);
	fprintf(out, "  %-18s %12d (%d won, %d liquidated)\n", "trades", p->trades, p->wins,
	        p->liquidations);
	fprintf(out, "  per regime (trend at the previous close):\n");
	for (int g = 0; g < BT_REGIMES; g++) {
		const BtRegimeResult *x = &p->regime[g];
		if (x->bars)
			fprintf(out,
			        "    %-8s %7d bars  return %8.2f%%  exposure %5.1f%%  trades %d "
			        "(%d won)\n",
			        g == TREND_NA ? "warmup" : quant_trend_name(g), x->bars,
			        x->ret * 100, x->exposure * 100, x->trades, x->wins);
	}
}

int bt_write_equity_csv(FILE *out, const BtResult *r, double initial)
{
	double *dd = xmalloc((size_t)(r->n > 0 ? r->n : 1) * sizeof *dd);
	bt_drawdown(r, initial, dd);
	char t[32];
	fputs("time,time_ms,equity,drawdown,position\r\n", out);
	for (int i = 0; i < r->n; i++)
		fprintf(out, "%s,%lld,%.10g,%.10g,%d\r\n", fb_time_format(r->time[i], t, sizeof t),
		        (long long)r->time[i], r->equity[i], dd[i], r->position[i]);
	free(dd);
	return ferror(out) ? -1 : 0;
}

int bt_write_trades_csv(FILE *out, const BtTrade *t, int n)
{
	char a[32], b[32];
	fputs("seq,side,entry_time,entry_price,exit_time,exit_price,qty,pnl,fees,funding,"
	      "liquidated\r\n",
	      out);
	for (int i = 0; i < n; i++)
		fprintf(out, "%d,%s,%s,%.10g,%s,%.10g,%.10g,%.10g,%.10g,%.10g,%d\r\n", i + 1,
		        t[i].side > 0 ? "long" : "short",
		        fb_time_format(t[i].entry_time, a, sizeof a), t[i].entry,
		        fb_time_format(t[i].exit_time, b, sizeof b), t[i].exit, t[i].qty, t[i].pnl,
		        t[i].fees, t[i].funding, t[i].liquidated);
	return ferror(out) ? -1 : 0;
}
