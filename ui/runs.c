/* The runs screen: the backtest registry of the database the dashboard reads, newest first,
 * and for the run under the cursor its equity curve and drawdown. The list is read when the
 * screen opens (and on R); a run's curve when it is opened. Main thread. */
#include <curses.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/timeutil.h"
#include "store/registry.h"
#include "research/report.h"
#include "ui.h"

static const char *const eighths[] = {" ",      "\u2581", "\u2582", "\u2583", "\u2584",
                                      "\u2585", "\u2586", "\u2587", "\u2588"};

void ui_runs_free(Ui *u)
{
	registry_list_free(u->runs, u->nruns);
	u->runs = NULL;
	u->nruns = 0;
	if (u->rcurve) {
		bt_result_free(u->rcurve);
		free(u->rcurve);
		u->rcurve = NULL;
	}
	u->rview = 0;
}

void ui_runs_load(Ui *u)
{
	ui_runs_free(u);
	u->rerr[0] = '\0';
	char err[256];
	Store *st = u->d->db_path ? store_open(u->d->db_path, STORE_READONLY, 2000, err, sizeof err)
	                          : NULL;
	if (!st) {
		snprintf(u->rerr, sizeof u->rerr, "%s", u->d->db_path ? err : "no database");
		return;
	}
	int n = registry_list(st, 500, (BtRunInfo **)&u->runs, err, sizeof err);
	if (n < 0)
		snprintf(u->rerr, sizeof u->rerr, "%s", err);
	u->nruns = n < 0 ? 0 : n;
	store_close(st);
	if (u->rcur >= u->nruns)
		u->rcur = u->nruns ? u->nruns - 1 : 0;
}

static void open_curve(Ui *u)
{
	BtRunInfo *runs = u->runs, info;
	if (u->rcur >= u->nruns)
		return;
	char err[256];
	Store *st = store_open(u->d->db_path, STORE_READONLY, 2000, err, sizeof err);
	if (!st) {
		snprintf(u->rerr, sizeof u->rerr, "%s", err);
		return;
	}
	u->rcurve = calloc(1, sizeof *u->rcurve);
	if (u->rcurve &&
	    registry_get(st, runs[u->rcur].id, &info, u->rcurve, err, sizeof err) == 0) {
		registry_info_free(&info);
		u->rview = 1;
	} else {
		snprintf(u->rerr, sizeof u->rerr, "%s", err);
		free(u->rcurve);
		u->rcurve = NULL;
	}
	store_close(st);
}

/* An area chart of v (n points shown in w columns, each the last point of its bucket). */
static void area(Ui *u, const double *v, int n, int y0, int rows, int x0, int w, int pair,
                 double lo, double hi)
{
	if (hi == lo)
		hi = lo + 1;
	int levels = rows * 8;
	for (int x = 0; x < w && n > 0; x++) {
		int i = (int)(((long long)(x + 1) * n) / w) - 1;
		if (i < 0 || !isfinite(v[i]))
			continue;
		int level = (int)lround((v[i] - lo) / (hi - lo) * (levels - 1)) + 1;
		if (u->color)
			attron(COLOR_PAIR(pair));
		for (int r = 0; r < rows; r++) {
			int cell = level - r * 8, k = cell >= 8 ? 8 : cell <= 0 ? 0 : cell;
			if (k == 0)
				break;
			if (u->utf8)
				mvaddstr(y0 + rows - 1 - r, x0 + x, eighths[k]);
			else
				mvaddch(y0 + rows - 1 - r, x0 + x,
				        k >= 6   ? '#'
				        : k >= 3 ? '+'
				                 : '.');
		}
		if (u->color)
			attroff(COLOR_PAIR(pair));
	}
}

static void draw_curve(Ui *u, int H, int W)
{
	BtRunInfo *x = &((BtRunInfo *)u->runs)[u->rcur];
	BtResult *r = u->rcurve;
	json_error_t je;
	json_t *in = json_loads(x->params_json, 0, &je), *sum = json_loads(x->summary_json, 0, &je);
	double initial = registry_summary_num(in, "initial") > 0
	                         ? registry_summary_num(in, "initial")
	                         : 10000;
	char a[32], b[32], line[512];
	snprintf(line, sizeof line, " run %lld  %s %s %s  %.10s .. %.10s  %d bars",
	         (long long)x->id, x->strategy, x->symbol, x->interval,
	         fb_time_format(x->from_ms, a, sizeof a), fb_time_format(x->to_ms, b, sizeof b),
	         r->n);
	ui_clean(line);
	attron(A_BOLD);
	mvaddnstr(1, 0, line, W);
	attroff(A_BOLD);
	snprintf(line, sizeof line,
	         " return %.2f%%  sharpe %.2f  max dd %.2f%%  trades %.0f  win %.1f%%  fees %.2f  "
	         "funding %.2f",
	         registry_summary_num(sum, "total_return") * 100,
	         registry_summary_num(sum, "sharpe"),
	         registry_summary_num(sum, "max_drawdown") * 100,
	         registry_summary_num(sum, "trades"), registry_summary_num(sum, "win_rate") * 100,
	         registry_summary_num(sum, "fees"), registry_summary_num(sum, "funding"));
	mvaddnstr(2, 0, line, W);
	json_decref(in);
	json_decref(sum);
	int w = W - 12, top = 4, rows = H - top - 3;
	if (w < 10 || rows < 6 || r->n == 0) {
		mvaddstr(top, 0,
		         r->n ? "(the terminal is too small for the charts)" : "(no equity)");
		return;
	}
	int eq_rows = rows * 2 / 3, dd_rows = rows - eq_rows - 1;
	double lo = INFINITY, hi = -INFINITY, *dd = malloc((size_t)r->n * sizeof *dd), worst = 0;
	if (!dd)
		return;
	for (int i = 0; i < r->n; i++)
		lo = fmin(lo, r->equity[i]), hi = fmax(hi, r->equity[i]);
	bt_drawdown(r, initial, dd);
	for (int i = 0; i < r->n; i++)
		worst = fmax(worst, dd[i]), dd[i] = -dd[i];
	char buf[32];
	mvaddstr(top, 0, "EQUITY");
	ui_fmt(buf, sizeof buf, F_MONEY, hi);
	mvaddstr(top + 1, 0, buf);
	ui_fmt(buf, sizeof buf, F_MONEY, lo);
	mvaddstr(top + eq_rows - 1, 0, buf);
	area(u, r->equity, r->n, top, eq_rows, 11, w,
	     r->equity[r->n - 1] >= initial ? P_UP : P_DOWN, fmin(lo, initial), hi);
	int y = top + eq_rows + 1;
	mvaddstr(y, 0, "DRAWDOWN");
	snprintf(buf, sizeof buf, "-%.1f%%", worst * 100);
	mvaddstr(y + dd_rows - 1, 0, buf);
	area(u, dd, r->n, y, dd_rows, 11, w, P_DOWN, -worst, 0);
	free(dd);
	fb_time_format(r->time[0], a, sizeof a);
	fb_time_format(r->time[r->n - 1], b, sizeof b);
	mvprintw(H - 2, 11, "%.16s", a);
	mvprintw(H - 2, W - 17 > 11 ? W - 17 : 11, "%.16s", b);
}

void ui_runs(Ui *u, const QuantSnapshot *s, int H, int W)
{
	erase();
	ui_header(u, s, W, u->rview ? "run" : "runs");
	if (u->rview && u->rcurve) {
		draw_curve(u, H, W);
	} else {
		BtRunInfo *v = u->runs;
		attron(A_BOLD);
		mvprintw(1, 0, " %.*s", W - 1, registry_row_header());
		attroff(A_BOLD);
		if (u->rerr[0] || !u->nruns)
			mvprintw(3, 1, "%.*s", W - 2,
			         u->rerr[0] ? u->rerr
			                    : "no backtest runs in this database (futuresboard "
			                      "backtest "
			                      "stores them)");
		int rows = H - 4 > 0 ? H - 4 : 1;
		int first = ui_list_scroll(u->rcur >= rows ? u->rcur - rows + 1 : 0, &u->rcur,
		                           u->nruns, rows);
		for (int i = first; i < u->nruns && i - first < rows; i++) {
			char line[256] = " ";
			registry_row(&v[i], line + 1, sizeof line - 1);
			ui_clean(line);
			if (i == u->rcur)
				attron(A_REVERSE);
			mvaddnstr(2 + i - first, 0, line, W);
			if (i == u->rcur)
				attroff(A_REVERSE);
		}
	}
	ui_hint(u, H, W,
	        u->rview ? " Enter or Esc back to the list  R reload"
	                 : " j k move  Enter equity and drawdown  R reload  Esc back",
	        u->rview || !u->nruns ? 0 : u->rcur + 1, u->rview ? 0 : u->nruns);
}

/* Returns 1 when the key was the screen's. */
int ui_runs_key(Ui *u, int ch)
{
	if (ch == 'R') {
		ui_runs_load(u);
		return 1;
	}
	if (u->rview) {
		if (ch == '\n' || ch == '\r' || ch == KEY_ENTER || ch == 27 || ch == 'q') {
			if (u->rcurve) {
				bt_result_free(u->rcurve);
				free(u->rcurve);
				u->rcurve = NULL;
			}
			u->rview = 0;
			return 1;
		}
		return 0;
	}
	if (ch == KEY_DOWN || ch == 'j')
		u->rcur = u->rcur + 1 < u->nruns ? u->rcur + 1 : u->rcur;
	else if (ch == KEY_UP || ch == 'k')
		u->rcur = u->rcur > 0 ? u->rcur - 1 : 0;
	else if (ch == 'g' || ch == KEY_HOME)
		u->rcur = 0;
	else if (ch == 'G' || ch == KEY_END)
		u->rcur = u->nruns ? u->nruns - 1 : 0;
	else if (ch == '\n' || ch == '\r' || ch == KEY_ENTER)
		open_curve(u);
	else
		return 0;
	return 1;
}
