/* Walk-forward validation (see walkforward.h). */
#include "research/walkforward.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/numparse.h"
#include "core/strbuf.h"
#include "core/xmalloc.h"
#include "research/data.h"

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

/* The bars [lo, hi) of b[0 .. n) by open time: first index and count. */
static void span(const BtBar *b, int n, int64_t lo, int64_t hi, int *from, int *cnt)
{
	int a = 0;
	while (a < n && b[a].open_time < lo)
		a++;
	int e = a;
	while (e < n && b[e].open_time < hi)
		e++;
	*from = a;
	*cnt = e - a;
}

/* The report of bars [from, from + n) of a run r over b (the run's bar i is b[i]), starting
 * from the equity before it; trades counted are those entered in the part. */
static void part_report(const BtResult *r, const BtBar *b, int from, int n, double initial,
                        int64_t interval_ms, BtReport *p)
{
	BtResult view = *r;
	view.n = n;
	view.time += from, view.equity += from, view.position += from;
	int64_t lo = b[from].open_time, hi = b[from + n - 1].open_time + interval_ms;
	int t0 = 0;
	while (t0 < r->ntrades && r->trades[t0].entry_time < lo)
		t0++;
	int t1 = t0;
	while (t1 < r->ntrades && r->trades[t1].entry_time < hi)
		t1++;
	view.trades = r->trades + t0;
	view.ntrades = t1 - t0;
	bt_report(&view, b + from, initial, interval_ms, p);
}

/* Runs c over b[from - warm, from + n) trading only from bar from (the bars before only warm
 * the strategy); the report covers the traded part. */
static int run_part(const BtConfig *c0, const BtBar *b, int from, int n, int warm,
                    const BtFunding *f, int nf, const char *objective, double *score, double *ret,
                    char *err, size_t errlen)
{
	int w = from < warm ? from : warm;
	BtConfig c = *c0;
	c.trade_from_ms = b[from].open_time + 1; /* the first decision at the first close */
	BtResult r;
	if (bt_run(&c, b + from - w, n + w, f, nf, &r, err, errlen))
		return -1;
	BtReport p;
	part_report(&r, b + from - w, w, n, c.initial, c.interval_ms, &p);
	*score = bt_report_value(&p, objective);
	*ret = p.total_return;
	bt_result_free(&r);
	return 0;
}

int wf_run(const BtConfig *base, const BtData *d, const WfGrid *g, int64_t train_ms,
           int64_t test_ms, const char *objective, WfResult *out, char *err, size_t errlen)
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
	/* the history before the range and the range as one series: every window, training
	 * and test, is warmed on up to BT_WARM_BARS bars before it */
	int na = d->npre + d->n;
	BtBar *all = xmalloc((size_t)na * sizeof *all);
	if (d->npre)
		memcpy(all, d->pre, (size_t)d->npre * sizeof *all);
	memcpy(all + d->npre, d->bars, (size_t)d->n * sizeof *all);
	int combos = 1;
	for (int k = 0; k < g->nparams; k++)
		combos *= g->nvalues[k];
	out->combos = combos;
	size_t wcap = 0;
	BtParamSet *sched = NULL;
	int *te_at = NULL, *te_len = NULL;
	for (int64_t t = start; t + train_ms < end; t += test_ms) {
		int tr_from, tr_n, te_from, te_n;
		span(all, na, t, t + train_ms, &tr_from, &tr_n);
		span(all, na, t + train_ms, t + train_ms + test_ms, &te_from, &te_n);
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
			if (run_part(&c, all, tr_from, tr_n, BT_WARM_BARS, d->funding, d->nfunding,
			             objective, &score, &ret, err, errlen))
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
		if ((size_t)out->nw == wcap) {
			wcap = wcap ? wcap * 2 : 16;
			out->w = xrealloc(out->w, wcap * sizeof *out->w);
			sched = xrealloc(sched, wcap * sizeof *sched);
			te_at = xrealloc(te_at, wcap * sizeof *te_at);
			te_len = xrealloc(te_len, wcap * sizeof *te_len);
		}
		sched[out->nw].from_ms = all[te_from].open_time;
		memcpy(sched[out->nw].p, w.p, sizeof w.p);
		te_at[out->nw] = te_from;
		te_len[out->nw] = te_n;
		out->w[out->nw++] = w;
	}
	if (!out->nw) {
		snprintf(err, errlen, "no window had bars to train and test on");
		goto fail;
	}
	{
		/* the test windows as one run: each window's choice decides from the close
		 * before its first bar, and a position the next choice keeps is carried over
		 * the boundary instead of being closed and reopened */
		int first = te_at[0], last = te_at[out->nw - 1] + te_len[out->nw - 1];
		int w0 = first < BT_WARM_BARS ? first : BT_WARM_BARS;
		BtConfig c = *base;
		c.sched = sched;
		c.nsched = out->nw;
		c.trade_from_ms =
		        all[first].open_time + 1; /* as a plain run: from its first close */
		BtResult r;
		if (bt_run(&c, all + first - w0, last - first + w0, d->funding, d->nfunding, &r,
		           err, errlen))
			goto fail;
		double equity = base->initial;
		for (int i = 0; i < out->nw; i++) {
			WfWindow *w = &out->w[i];
			int at = te_at[i] - (first - w0);
			BtReport p;
			part_report(&r, all + first - w0, at, te_len[i], equity, base->interval_ms,
			            &p);
			w->oos_score = bt_report_value(&p, objective);
			w->oos_return = p.total_return;
			w->oos_trades = p.trades;
			equity = r.equity[at + te_len[i] - 1];
			if (i) { /* a position held through the boundary */
				out->boundaries++;
				for (int t = 0; t < r.ntrades; t++)
					if (r.trades[t].entry_time < w->test_from &&
					    r.trades[t].exit_time > w->test_from)
						out->carried++;
			}
		}
		/* the out-of-sample part alone */
		int keep = last - first;
		memmove(r.time, r.time + w0, (size_t)keep * sizeof *r.time);
		memmove(r.equity, r.equity + w0, (size_t)keep * sizeof *r.equity);
		memmove(r.position, r.position + w0, (size_t)keep * sizeof *r.position);
		r.n = keep;
		out->oos = r;
		out->oos_from = first - d->npre;
	}
	free(all);
	free(sched);
	free(te_at);
	free(te_len);
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
	free(all);
	free(sched);
	free(te_at);
	free(te_len);
	wf_result_free(out);
	return -1;
}

void wf_result_free(WfResult *r)
{
	free(r->w);
	bt_result_free(&r->oos);
	memset(r, 0, sizeof *r);
}
