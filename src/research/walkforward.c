/* Walk-forward validation (see walkforward.h). */
#include "research/walkforward.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/numparse.h"
#include "core/strbuf.h"
#include "core/xmalloc.h"

static int parse_span(const char *s, int64_t *ms)
{
	char *end;
	double v = strtod(s, &end);
	int64_t unit = *end == 'm'   ? 60000
	               : *end == 'h' ? 3600000
	               : *end == 'd' ? 86400000
	               : *end == 'w' ? 7 * 86400000LL
	                             : 0;
	if (end == s || !unit || end[1] || !(v > 0) || v * (double)unit > 1e15)
		return -1; /* 1e15 ms: about 30,000 years */
	*ms = (int64_t)(v * (double)unit);
	return 0;
}

int wf_parse_spec(const char *spec, int64_t *train_ms, int64_t *test_ms, char *err, size_t errlen)
{
	char buf[128];
	snprintf(buf, sizeof buf, "%s", spec);
	*train_ms = *test_ms = 0;
	for (char *save, *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '=');
		int64_t *dst = !eq                              ? NULL
		               : strncmp(tok, "train=", 6) == 0 ? train_ms
		               : strncmp(tok, "test=", 5) == 0  ? test_ms
		                                                : NULL;
		if (!dst || parse_span(eq + 1, dst)) {
			snprintf(err, errlen,
			         "'%s': expected train=SPAN,test=SPAN with spans such as 90d, 12h, "
			         "2w",
			         spec);
			return -1;
		}
	}
	if (!*train_ms || !*test_ms) {
		snprintf(err, errlen, "'%s': both train= and test= are needed", spec);
		return -1;
	}
	return 0;
}

int wf_grid_add(WfGrid *g, BtStrategy s, const char *arg, char *err, size_t errlen)
{
	const char *eq = strchr(arg, '=');
	char name[32];
	snprintf(name, sizeof name, "%.*s", eq ? (int)(eq - arg) : 0, arg);
	int k = eq ? bt_param_find(s, name) : -1;
	if (k < 0) {
		StrBuf names = {0};
		for (int i = 0; bt_param_name(s, i); i++)
			strbuf_printf(&names, "%s%s", i ? ", " : "", bt_param_name(s, i));
		snprintf(err, errlen, "--grid %s: %s has the parameters %s (NAME=V1,V2,...)", arg,
		         bt_strategy_name(s), names.p ? names.p : "(none)");
		free(names.p);
		return -1;
	}
	int slot = g->nparams;
	for (int i = 0; i < g->nparams; i++)
		if (g->param[i] == k)
			slot = i;
	if (slot == g->nparams)
		g->nparams++;
	g->param[slot] = k;
	g->nvalues[slot] = 0;
	char buf[512];
	snprintf(buf, sizeof buf, "%s", eq + 1);
	for (char *save, *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		double v;
		if (g->nvalues[slot] == WF_MAX_VALUES || fb_parse_double(tok, &v)) {
			snprintf(err, errlen, "--grid %s: up to %d numbers, comma-separated", arg,
			         WF_MAX_VALUES);
			return -1;
		}
		g->values[slot][g->nvalues[slot]++] = v;
	}
	if (!g->nvalues[slot]) {
		snprintf(err, errlen, "--grid %s: no values", arg);
		return -1;
	}
	return 0;
}

void wf_default_grid(WfGrid *g, BtStrategy s)
{
	static const char *grids[][2] = {
	        [BT_EMA_CROSS] = {"fast=5,8,12,20", "slow=26,50,100"},
	        [BT_RSI_REVERSION] = {"low=20,25,30", "high=70,75,80"},
	        [BT_ZSCORE_REVERSION] = {"entry=1.5,2,2.5", "exit=0,0.5"},
	        [BT_DONCHIAN] = {"n=10,20,40,80", NULL},
	        [BT_FUNDING_CARRY] = {"threshold=0.00005,0.0001,0.0002", NULL},
	};
	char err[256];
	memset(g, 0, sizeof *g);
	for (int i = 0; i < 2; i++)
		if (grids[s][i])
			wf_grid_add(g, s, grids[s][i], err, sizeof err);
}

/* The bars [lo, hi) of d by open time: first index and count. */
static void span(const BtData *d, int64_t lo, int64_t hi, int *from, int *n)
{
	int a = 0;
	while (a < d->n && d->bars[a].open_time < lo)
		a++;
	int b = a;
	while (b < d->n && d->bars[b].open_time < hi)
		b++;
	*from = a;
	*n = b - a;
}

/* Runs c over bars [from - warm, from + n) trading only from bar from; the report covers the
 * traded part. */
static int run_part(const BtConfig *c0, const BtData *d, int from, int n, int warm,
                    const char *objective, BtResult *keep, double *score, double *ret, int *trades,
                    char *err, size_t errlen)
{
	int w = from < warm ? from : warm;
	BtConfig c = *c0;
	c.trade_from_ms = d->bars[from].open_time;
	BtResult r;
	if (bt_run(&c, d->bars + from - w, n + w, d->funding, d->nfunding, &r, err, errlen))
		return -1;
	BtResult view = r;
	view.n = n;
	view.time += w, view.equity += w, view.position += w;
	BtReport p;
	bt_report(&view, d->bars + from, c.initial, c.interval_ms, &p);
	*score = bt_report_value(&p, objective);
	*ret = p.total_return;
	*trades = p.trades;
	if (keep) {
		memset(keep, 0, sizeof *keep);
		keep->n = n;
		keep->time = xmalloc((size_t)n * sizeof *keep->time);
		keep->equity = xmalloc((size_t)n * sizeof *keep->equity);
		keep->position = xmalloc((size_t)n * sizeof *keep->position);
		memcpy(keep->time, view.time, (size_t)n * sizeof *keep->time);
		memcpy(keep->equity, view.equity, (size_t)n * sizeof *keep->equity);
		memcpy(keep->position, view.position, (size_t)n * sizeof *keep->position);
		keep->trades = r.trades, keep->ntrades = r.ntrades;
		keep->fees = r.fees, keep->funding = r.funding, keep->liquidations = r.liquidations;
		r.trades = NULL;
	}
	bt_result_free(&r);
	return 0;
}

static void append(BtResult *all, const BtResult *part, size_t *tcap)
{
	size_t n = (size_t)all->n + (size_t)part->n;
	all->time = xrealloc(all->time, n * sizeof *all->time);
	all->equity = xrealloc(all->equity, n * sizeof *all->equity);
	all->position = xrealloc(all->position, n * sizeof *all->position);
	memcpy(all->time + all->n, part->time, (size_t)part->n * sizeof *all->time);
	memcpy(all->equity + all->n, part->equity, (size_t)part->n * sizeof *all->equity);
	memcpy(all->position + all->n, part->position, (size_t)part->n * sizeof *all->position);
	all->n = (int)n;
	for (int i = 0; i < part->ntrades; i++) {
		if ((size_t)all->ntrades == *tcap) {
			*tcap = *tcap ? *tcap * 2 : 64;
			all->trades = xrealloc(all->trades, *tcap * sizeof *all->trades);
		}
		all->trades[all->ntrades++] = part->trades[i];
	}
	all->fees += part->fees;
	all->funding += part->funding;
	all->liquidations += part->liquidations;
}

int wf_run(const BtConfig *base, const BtData *d, const WfGrid *g, int64_t train_ms,
           int64_t test_ms, const char *objective, int lookback, WfResult *out, char *err,
           size_t errlen)
{
	memset(out, 0, sizeof *out);
	if (!d->n) {
		snprintf(err, errlen, "no bars");
		return -1;
	}
	int64_t start = d->bars[0].open_time, end = d->bars[d->n - 1].open_time + base->interval_ms;
	if (start + train_ms + base->interval_ms > end) {
		snprintf(err, errlen,
		         "the range is shorter than one training window and one bar of test");
		return -1;
	}
	int combos = 1;
	for (int k = 0; k < g->nparams; k++)
		combos *= g->nvalues[k];
	out->combos = combos;
	size_t wcap = 0, tcap = 0;
	double equity = base->initial;
	for (int64_t t = start; t + train_ms < end; t += test_ms) {
		int tr_from, tr_n, te_from, te_n;
		span(d, t, t + train_ms, &tr_from, &tr_n);
		span(d, t + train_ms, t + train_ms + test_ms, &te_from, &te_n);
		if (tr_n < 2 || te_n < 1)
			continue;
		WfWindow w = {.train_from = t,
		              .test_from = t + train_ms,
		              .test_to = t + train_ms + test_ms,
		              .is_score = NAN};
		for (int ci = 0; ci < combos; ci++) {
			BtConfig c = *base;
			for (int k = 0, rest = ci; k < g->nparams; k++) {
				c.p[g->param[k]] = g->values[k][rest % g->nvalues[k]];
				rest /= g->nvalues[k];
			}
			double score, ret;
			int trades;
			if (run_part(&c, d, tr_from, tr_n, 0, objective, NULL, &score, &ret,
			             &trades, err, errlen))
				goto fail;
			if (isfinite(score) && (!isfinite(w.is_score) || score > w.is_score)) {
				w.is_score = score;
				w.is_return = ret;
				memcpy(w.p, c.p, sizeof w.p);
			}
		}
		if (!isfinite(w.is_score)) { /* nothing scored: the first combination */
			BtConfig c = *base;
			for (int k = 0; k < g->nparams; k++)
				c.p[g->param[k]] = g->values[k][0];
			memcpy(w.p, c.p, sizeof w.p);
		}
		BtConfig c = *base;
		memcpy(c.p, w.p, sizeof c.p);
		c.initial = equity;
		BtResult part;
		if (run_part(&c, d, te_from, te_n, lookback, objective, &part, &w.oos_score,
		             &w.oos_return, &w.oos_trades, err, errlen))
			goto fail;
		append(&out->oos, &part, &tcap);
		equity = part.equity[part.n - 1];
		bt_result_free(&part);
		if ((size_t)out->nw == wcap) {
			wcap = wcap ? wcap * 2 : 16;
			out->w = xrealloc(out->w, wcap * sizeof *out->w);
		}
		out->w[out->nw++] = w;
	}
	if (!out->nw) {
		snprintf(err, errlen, "no window had bars to train and test on");
		goto fail;
	}
	int nis = 0, noos = 0;
	for (int i = 0; i < out->nw; i++) {
		if (isfinite(out->w[i].is_score))
			out->is_mean += out->w[i].is_score, nis++;
		if (isfinite(out->w[i].oos_score))
			out->oos_mean += out->w[i].oos_score, noos++;
	}
	out->is_mean = nis ? out->is_mean / nis : NAN;
	out->oos_mean = noos ? out->oos_mean / noos : NAN;
	return 0;
fail:
	wf_result_free(out);
	return -1;
}

void wf_result_free(WfResult *r)
{
	free(r->w);
	bt_result_free(&r->oos);
	memset(r, 0, sizeof *r);
}
