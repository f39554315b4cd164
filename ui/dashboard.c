/* The live dashboard (see dashboard.h): header with mode, exchange, timeframe, UTC clock and
 * the age of the newest data; a KPI strip; the top table with sorting, a cursor and
 * timeframe keys. Columns are dropped from the right-hand priorities when the terminal is
 * narrow. Everything drawn comes from the engine's snapshot, whose symbols the engine has
 * already checked to be letters and digits. */
#include "dashboard.h"

#include <curses.h>
#include <errno.h>
#include <pthread.h>
#include <langinfo.h>
#include <locale.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/signals.h"
#include "core/timeutil.h"

enum { F_PRICE, F_PCT, F_MONEY, F_RATIO, F_NUM1, F_SPARK, F_PCTU };

typedef struct {
	const char *title;
	int width;
	int priority; /* lower stays longer on a narrow screen */
	int fmt;
	char key; /* sort key */
} Column;

enum {
	C_SYMBOL,
	C_PRICE,
	C_CHANGE,
	C_CHANGE24,
	C_VOLUME,
	C_OI,
	C_OICHG,
	C_FUNDING,
	C_LS,
	C_LSCHG,
	C_IMB,
	C_CVD,
	C_RSI,
	C_Z,
	C_RV,
	C_SPARK,
	NCOLS
};

static const Column cols[NCOLS] = {
        [C_SYMBOL] = {"SYMBOL", 11, 0, 0, 's'},    [C_PRICE] = {"PRICE", 11, 0, F_PRICE, 'p'},
        [C_CHANGE] = {"CHG%", 7, 1, F_PCT, 'c'},   [C_CHANGE24] = {"24H%", 7, 2, F_PCT, 'd'},
        [C_VOLUME] = {"VOL$", 7, 3, F_MONEY, 'v'}, [C_OI] = {"OI$", 7, 6, F_MONEY, 'o'},
        [C_OICHG] = {"OI%", 7, 4, F_PCT, 0},       [C_FUNDING] = {"FUND%", 8, 3, F_PCT, 'f'},
        [C_LS] = {"LS", 5, 7, F_RATIO, 'l'},       [C_LSCHG] = {"LS%", 6, 8, F_PCT, 0},
        [C_IMB] = {"IMB", 6, 9, F_RATIO, 0},       [C_CVD] = {"CVD$", 7, 10, F_MONEY, 0},
        [C_RSI] = {"RSI", 5, 2, F_NUM1, 'r'},      [C_Z] = {"Z", 5, 5, F_NUM1, 'z'},
        [C_RV] = {"VOL%", 6, 7, F_PCTU, 0},        [C_SPARK] = {"", 12, 4, F_SPARK, 0},
};

/* Alerts from the engine thread, newest last; the lock guards the ring. */
#define ALERT_RING 256
static pthread_mutex_t alert_lock = PTHREAD_MUTEX_INITIALIZER;
static AlertRecord alert_ring[ALERT_RING];
static int64_t alert_seen_ms[ALERT_RING]; /* monotonic ms when it arrived */
static uint64_t alert_total;              /* ever received */
static int alert_bells;

void dashboard_alert(void *arg, const AlertRecord *a, int bell)
{
	(void)arg;
	pthread_mutex_lock(&alert_lock);
	alert_ring[alert_total % ALERT_RING] = *a;
	alert_seen_ms[alert_total % ALERT_RING] = fb_mono_ms();
	alert_total++;
	alert_bells += bell != 0;
	pthread_mutex_unlock(&alert_lock);
}

enum { SCREEN_TABLE, SCREEN_HELP, SCREEN_ALERTS };

typedef struct {
	const CliDashboard *d;
	int screen;
	char toast[600]; /* a message of the UI itself (export) */
	int64_t toast_until;
	int tf;       /* interval index */
	int sort_col; /* column */
	int invert;
	int cursor;
	int utf8, color;
	char sorted_sym[256][FB_SYMBOL_LEN];
	int nsorted;
	int64_t hold_until; /* no re-sort under the cursor until then (ms, monotonic) */
	int toast_s;
	uint64_t drawn_gen;
} Ui;

static void draw_toasts(Ui *u, int W);
static int alerts_last_hour(void);

static double value(const QuantTopRow *r, int tf, int c)
{
	const QuantValues *v = &r->tf[tf];
	switch (c) {
	case C_PRICE: return r->last;
	case C_CHANGE: return v->change;
	case C_CHANGE24: return r->change_24h;
	case C_VOLUME: return r->quote_volume_24h;
	case C_OI: return r->oi_value;
	case C_OICHG: return v->oi_change;
	case C_FUNDING: return v->funding;
	case C_LS: return v->ls_ratio;
	case C_LSCHG: return v->ls_change;
	case C_IMB: return v->imbalance;
	case C_CVD: return v->cvd;
	case C_RSI: return v->rsi;
	case C_Z: return v->zscore;
	case C_RV: return v->rv;
	default: return NAN;
	}
}

static void fmt(char *buf, size_t len, int kind, double x)
{
	if (!isfinite(x)) {
		snprintf(buf, len, "-");
		return;
	}
	double a = fabs(x);
	switch (kind) {
	case F_PRICE: snprintf(buf, len, a >= 1000 ? "%.1f" : a >= 1 ? "%.4g" : "%.4g", x); break;
	case F_PCT: snprintf(buf, len, a * 100 < 0.1 && x != 0 ? "%+.3f" : "%+.2f", x * 100); break;
	case F_MONEY:
		if (a >= 1e9)
			snprintf(buf, len, "%.1fB", x / 1e9);
		else if (a >= 1e6)
			snprintf(buf, len, "%.1fM", x / 1e6);
		else if (a >= 1e3)
			snprintf(buf, len, "%.1fK", x / 1e3);
		else
			snprintf(buf, len, "%.0f", x);
		break;
	case F_PCTU: snprintf(buf, len, "%.1f", x * 100); break;
	case F_RATIO: snprintf(buf, len, "%.2f", x); break;
	default: snprintf(buf, len, "%.1f", x); break;
	}
}

static int sort_tf, sort_c, sort_inv;

static int cmp_rows(const void *a, const void *b)
{
	const QuantTopRow *x = *(const QuantTopRow *const *)a, *y = *(const QuantTopRow *const *)b;
	int r;
	if (sort_c == C_SYMBOL)
		r = strcmp(x->symbol, y->symbol);
	else {
		double vx = value(x, sort_tf, sort_c), vy = value(y, sort_tf, sort_c);
		if (isnan(vx) || isnan(vy)) /* unknown values last, whatever the direction */
			return isnan(vx) - isnan(vy);
		r = vx < vy ? 1 : vx > vy ? -1 : 0; /* largest first */
	}
	if (sort_inv)
		r = -r;
	return r ? r : strcmp(x->symbol, y->symbol); /* stable ties */
}

/* Columns that fit the width, in screen order. */
static int visible(int width, int *out)
{
	int keep = 11;
	for (;;) {
		int w = 0, n = 0;
		for (int c = 0; c < NCOLS; c++)
			if (cols[c].priority <= keep) {
				w += cols[c].width + 1;
				out[n++] = c;
			}
		if (w <= width || keep == 0)
			return n;
		keep--;
	}
}

static void attr_sign(Ui *u, double x, int on)
{
	if (!u->color || !isfinite(x) || x == 0)
		return;
	if (on)
		attron(COLOR_PAIR(x > 0 ? 1 : 2));
	else
		attroff(COLOR_PAIR(x > 0 ? 1 : 2));
}

static void spark(Ui *u, const double *v, int width, char *out, size_t len)
{
	static const char *const blocks[] = {"\u2581", "\u2582", "\u2583", "\u2584",
	                                     "\u2585", "\u2586", "\u2587", "\u2588"};
	static const char ascii[] = "_.-:=+*#";
	int from = QUANT_SPARK - width;
	double lo = INFINITY, hi = -INFINITY;
	for (int i = from; i < QUANT_SPARK; i++)
		if (isfinite(v[i])) {
			lo = fmin(lo, v[i]);
			hi = fmax(hi, v[i]);
		}
	size_t used = 0;
	out[0] = '\0';
	for (int i = from; i < QUANT_SPARK && used + 4 < len; i++) {
		if (!isfinite(v[i])) {
			out[used++] = ' ';
			out[used] = '\0';
			continue;
		}
		int k = hi > lo ? (int)((v[i] - lo) / (hi - lo) * 7.999) : 3;
		if (u->utf8)
			used += (size_t)snprintf(out + used, len - used, "%s", blocks[k]);
		else {
			out[used++] = ascii[k];
			out[used] = '\0';
		}
	}
}

static void draw(Ui *u, const QuantSnapshot *s)
{
	int H, W;
	getmaxyx(stdscr, H, W);
	erase();
	char t[32], line[512];
	int64_t now = fb_now_ms();
	fb_time_format(now, t, sizeof t);
	t[19] = '\0';
	const char *iv = s ? s->intervals[u->tf] : "-";
	/* header: mode, exchange, timeframe, clock, feed state */
	int64_t age = s && s->ts ? (now - s->ts) / 1000 : -1;
	const char *state = !s ? "starting" : age > 60 ? "STALE" : "live";
	attron(A_BOLD);
	snprintf(line, sizeof line, " futuresboard  %s  %s  %s  %s UTC  feed: %s", u->d->mode,
	         u->d->exchange, iv, t + 11, state);
	mvaddnstr(0, 0, line, W);
	attroff(A_BOLD);
	if (s && age >= 0) {
		snprintf(line, sizeof line, " (newest data %llds old)", (long long)age);
		if (age > 60 && u->color)
			attron(COLOR_PAIR(2) | A_BOLD);
		addnstr(line, W > (int)strlen(line) ? W : 0);
		if (age > 60 && u->color)
			attroff(COLOR_PAIR(2) | A_BOLD);
	}
	if (!s) {
		mvaddnstr(2, 1, "waiting for the first snapshot of the engine...", W - 1);
		refresh();
		return;
	}
	/* KPI strip */
	char oi[16], fu[16], ls[16];
	fmt(oi, sizeof oi, F_MONEY, s->agg.total_oi_value);
	fmt(fu, sizeof fu, F_PCT, s->agg.oi_weighted_funding);
	fmt(ls, sizeof ls, F_RATIO, s->agg.volume_weighted_ls);
	snprintf(line, sizeof line,
	         " OI $%s   OI-wtd funding %s%%   vol-wtd LS %s   breadth %d up / %d down   "
	         "alerts 1h %d",
	         oi, fu, ls, s->agg.up, s->agg.down, alerts_last_hour());
	mvaddnstr(1, 0, line, W);
	/* table header */
	int vis[NCOLS], nv = visible(W, vis), x = 0;
	attron(A_REVERSE);
	mvhline(3, 0, ' ', W);
	for (int k = 0; k < nv; k++) {
		int c = vis[k];
		char h[32];
		snprintf(h, sizeof h, "%s%s", cols[c].title,
		         c == u->sort_col ? (u->invert ? "^" : "v") : "");
		if (c == C_SYMBOL || c == C_SPARK)
			mvprintw(3, x, "%-*.*s", cols[c].width, cols[c].width, h);
		else
			mvprintw(3, x, "%*.*s", cols[c].width, cols[c].width, h);
		x += cols[c].width + 1;
	}
	attroff(A_REVERSE);
	/* rows, sorted unless the user just moved */
	const QuantTopRow **rows = calloc((size_t)s->nrows + 1, sizeof *rows);
	for (int r = 0; r < s->nrows; r++)
		rows[r] = &s->rows[r];
	if (fb_mono_ms() >= u->hold_until || u->nsorted == 0) {
		sort_tf = u->tf;
		sort_c = u->sort_col;
		sort_inv = u->invert;
		qsort(rows, (size_t)s->nrows, sizeof *rows, cmp_rows);
		u->nsorted = s->nrows < 256 ? s->nrows : 256;
		for (int r = 0; r < u->nsorted; r++)
			memcpy(u->sorted_sym[r], rows[r]->symbol, FB_SYMBOL_LEN);
	} else { /* keep the order on screen; newcomers at the end */
		int n = 0;
		const QuantTopRow **o = calloc((size_t)s->nrows + 1, sizeof *o);
		for (int k = 0; k < u->nsorted; k++)
			for (int r = 0; r < s->nrows; r++)
				if (rows[r] && strcmp(rows[r]->symbol, u->sorted_sym[k]) == 0) {
					o[n++] = rows[r];
					rows[r] = NULL;
				}
		for (int r = 0; r < s->nrows; r++)
			if (rows[r])
				o[n++] = rows[r];
		free(rows);
		rows = o;
	}
	if (u->cursor >= s->nrows)
		u->cursor = s->nrows - 1;
	for (int r = 0; r < s->nrows && 4 + r < H - 1; r++) {
		const QuantTopRow *row = rows[r];
		int y = 4 + r;
		x = 0;
		if (r == u->cursor)
			attron(A_REVERSE);
		mvhline(y, 0, ' ', W);
		for (int k = 0; k < nv; k++) {
			int c = vis[k];
			char cell[160];
			if (c == C_SYMBOL)
				mvprintw(y, x, "%-*.*s", cols[c].width, cols[c].width, row->symbol);
			else if (c == C_SPARK) {
				spark(u, row->spark[u->tf], cols[c].width, cell, sizeof cell);
				mvaddstr(y, x, cell);
			} else {
				double vv = value(row, u->tf, c);
				fmt(cell, sizeof cell, cols[c].fmt, vv);
				int signed_col = cols[c].fmt == F_PCT || c == C_Z || c == C_CVD;
				if (signed_col && r != u->cursor)
					attr_sign(u, vv, 1);
				mvprintw(y, x, "%*.*s", cols[c].width, cols[c].width, cell);
				if (signed_col && r != u->cursor)
					attr_sign(u, vv, 0);
			}
			x += cols[c].width + 1;
		}
		if (r == u->cursor)
			attroff(A_REVERSE);
	}
	free(rows);
	snprintf(line, sizeof line,
	         " 1-6 timeframe  Tab next  < > sort  i invert  %s  e export  a alerts  ? help  q "
	         "quit",
	         u->utf8 ? "\u2191\u2193 move" : "j/k move");
	mvaddnstr(H - 1, 0, line, W);
	draw_toasts(u, W);
	refresh();
}

/* Only printable ASCII reaches the screen from alert messages. */
static void clean(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 32 || (unsigned char)*s > 126)
			*s = '?';
}

/* Toasts: the alerts of the last toast_s seconds, newest on top, at the top right. */
static void draw_toasts(Ui *u, int W)
{
	int y = 2;
	pthread_mutex_lock(&alert_lock);
	int64_t now = fb_mono_ms();
	for (uint64_t k = 0; k < 4 && k < alert_total; k++) {
		uint64_t i = (alert_total - 1 - k) % ALERT_RING;
		if (now - alert_seen_ms[i] > (int64_t)u->toast_s * 1000)
			break;
		const AlertRecord *a = &alert_ring[i];
		char line[400];
		snprintf(line, sizeof line, " %s %s %s %s: %s ", a->severity, a->rule, a->symbol,
		         a->interval, a->message);
		clean(line);
		int w = (int)strlen(line) < W - 2 ? (int)strlen(line) : W - 2;
		int pair = strcmp(a->severity, "crit") == 0   ? 2
		           : strcmp(a->severity, "warn") == 0 ? 3
		                                              : 4;
		if (u->color)
			attron(COLOR_PAIR(pair));
		attron(A_REVERSE | A_BOLD);
		mvaddnstr(y++, W - w, line, w);
		attroff(A_REVERSE | A_BOLD);
		if (u->color)
			attroff(COLOR_PAIR(pair));
	}
	pthread_mutex_unlock(&alert_lock);
	if (u->toast[0] && now < u->toast_until) {
		int w = (int)strlen(u->toast) < W - 2 ? (int)strlen(u->toast) : W - 2;
		attron(A_REVERSE);
		mvaddnstr(y, W - w, u->toast, w);
		attroff(A_REVERSE);
	}
}

static int alerts_last_hour(void)
{
	pthread_mutex_lock(&alert_lock);
	int n = 0;
	int64_t now = fb_mono_ms();
	for (uint64_t k = 0; k < ALERT_RING && k < alert_total; k++)
		if (now - alert_seen_ms[(alert_total - 1 - k) % ALERT_RING] <= 3600 * 1000)
			n++;
	pthread_mutex_unlock(&alert_lock);
	return n;
}

static void draw_alert_log(int H, int W)
{
	erase();
	attron(A_BOLD);
	mvaddnstr(0, 0, " futuresboard  alert log (newest first)   q or Esc: back", W);
	attroff(A_BOLD);
	pthread_mutex_lock(&alert_lock);
	int y = 2;
	if (!alert_total)
		mvaddnstr(y, 1, "no alerts yet; rules are [alert NAME] sections of config.ini",
		          W - 1);
	for (uint64_t k = 0; k < ALERT_RING && k < alert_total && y < H - 1; k++, y++) {
		const AlertRecord *a = &alert_ring[(alert_total - 1 - k) % ALERT_RING];
		char t[32], line[320];
		fb_time_format(a->ts, t, sizeof t);
		snprintf(line, sizeof line, " %.19s  %-4s %-16s %-12s %-4s %s", t, a->severity,
		         a->rule, a->symbol, a->interval, a->message);
		clean(line);
		mvaddnstr(y, 0, line, W);
	}
	pthread_mutex_unlock(&alert_lock);
	refresh();
}

static void draw_help(int W)
{
	static const char *const lines[] = {
	        " futuresboard  keys   (q or Esc: back)",
	        "",
	        "  1 2 3 4 5 6     timeframe 1m 5m 15m 1h 4h 1d (those collected)",
	        "  Tab             next timeframe",
	        "  < >  , .        move the sort column left / right",
	        "  i               invert the sort",
	        "  s p c d v o f l r z   sort by symbol, price, change, 24h change, volume,",
	        "                  open interest, funding, long/short, RSI, z-score",
	        "  j k, arrows     move the cursor (the order holds for 3 s after a move)",
	        "  g G, Home End   first / last row",
	        "  e               export the table as shown to a CSV file",
	        "  a               alert log",
	        "  ?               this help",
	        "  q, Esc          back, or quit",
	};
	erase();
	for (size_t i = 0; i < sizeof lines / sizeof *lines; i++)
		mvaddnstr((int)i, 0, lines[i], W);
	refresh();
}

/* Writes the table as shown (order, timeframe, every column but the sparkline, the values
 * as formatted on screen) to a CSV file in the current folder. Returns 0 with the path, or
 * -1 with the reason. */
static int export_view(Ui *u, const QuantSnapshot *s, char *path, size_t len)
{
	char t[32];
	fb_time_format(fb_now_ms(), t, sizeof t);
	for (char *p = t; *p; p++)
		if (*p == ':')
			*p = '-';
	snprintf(path, len, "futuresboard-%s-%.19s.csv", s->intervals[u->tf], t);
	char tmp[600];
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	FILE *f = fopen(tmp, "w");
	if (!f) {
		snprintf(path, len, "%s", strerror(errno));
		return -1;
	}
	fprintf(f, "rank,timeframe");
	for (int c = 0; c < NCOLS; c++)
		if (c != C_SPARK)
			fprintf(f, ",%s", cols[c].title);
	fprintf(f, "\r\n");
	for (int r = 0; r < u->nsorted; r++) {
		const QuantTopRow *row = NULL;
		for (int k = 0; k < s->nrows && !row; k++)
			if (strcmp(s->rows[k].symbol, u->sorted_sym[r]) == 0)
				row = &s->rows[k];
		if (!row)
			continue;
		fprintf(f, "%d,%s,%s", r + 1, s->intervals[u->tf], row->symbol);
		for (int c = 1; c < NCOLS; c++) {
			if (c == C_SPARK)
				continue;
			char cell[64];
			fmt(cell, sizeof cell, cols[c].fmt, value(row, u->tf, c));
			fprintf(f, ",%s", strcmp(cell, "-") == 0 ? "" : cell);
		}
		fprintf(f, "\r\n");
	}
	int bad = ferror(f);
	if (fclose(f) != 0 || bad || rename(tmp, path) != 0) {
		snprintf(path, len, "%s", strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

static void restore_terminal(void)
{
	if (!isendwin())
		endwin();
}

static void crash(int sig)
{
	restore_terminal();
	signal(sig, SIG_DFL);
	raise(sig);
}

int dashboard_run(const CliDashboard *d)
{
	setlocale(LC_ALL, "");
	Ui u = {.d = d, .tf = 0, .sort_col = C_VOLUME};
	u.utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
	if (!initscr())
		return -1;
	atexit(restore_terminal);
	signal(SIGSEGV, crash);
	signal(SIGABRT, crash);
	signal(SIGBUS, crash);
	cbreak();
	noecho();
	keypad(stdscr, TRUE);
	curs_set(0);
	const char *nc = getenv("NO_COLOR");
	u.color = has_colors() && strcmp(d->color, "none") != 0 && !(nc && *nc);
	if (u.color) {
		start_color();
		use_default_colors();
		init_pair(1, COLOR_GREEN, -1);
		init_pair(2, COLOR_RED, -1);
		init_pair(3, COLOR_YELLOW, -1);
		init_pair(4, COLOR_CYAN, -1);
	}
	if (d->mode && strcmp(d->mode, "DEMO") == 0)
		u.tf = 1; /* 5m: the demo's market moves fast */
	timeout(d->refresh_ms > 0 ? d->refresh_ms : 1000);
	static const char tf_keys[] = "123456";
	int dirty = 1, export_now = 0;
	uint64_t seen_alerts = 0;
	u.toast_s = d->toast_s > 0 ? d->toast_s : 8;
	set_escdelay(25);
	while (!signals_stop_requested()) {
		QuantSnapshot *s = quant_live_acquire(d->live);
		if (s && u.tf >= s->nintervals)
			u.tf = s->nintervals - 1;
		pthread_mutex_lock(&alert_lock);
		int bells = alert_bells;
		alert_bells = 0;
		uint64_t total = alert_total;
		pthread_mutex_unlock(&alert_lock);
		if (bells)
			beep();
		if (total != seen_alerts) {
			seen_alerts = total;
			dirty = 1;
		}
		if (u.toast_until && fb_mono_ms() >= u.toast_until) {
			u.toast_until = 0;
			dirty = 1;
		}
		if (dirty || !s || s->generation != u.drawn_gen) {
			int H, W;
			getmaxyx(stdscr, H, W);
			if (u.screen == SCREEN_HELP)
				draw_help(W);
			else if (u.screen == SCREEN_ALERTS)
				draw_alert_log(H, W);
			else
				draw(&u, s);
			u.drawn_gen = s ? s->generation : 0;
			dirty = 0;
		}
		if (export_now && s) {
			char path[512];
			int rc = export_view(&u, s, path, sizeof path);
			snprintf(u.toast, sizeof u.toast, rc ? " export failed: %s " : " wrote %s ",
			         path);
			u.toast_until = fb_mono_ms() + (int64_t)u.toast_s * 1000;
			draw(&u, s);
		}
		export_now = 0;
		int nint = s ? s->nintervals : 1;
		quant_live_release(d->live, s);
		int ch = getch();
		signals_drain();
		if (ch == ERR)
			continue;
		dirty = 1;
		const char *k = ch > 0 && ch < 256 ? strchr(tf_keys, ch) : NULL;
		if (u.screen != SCREEN_TABLE) { /* q or Esc (or the screen's key) goes back */
			if (ch == 'q' || ch == 27 || ch == '?' || ch == 'a')
				u.screen = SCREEN_TABLE;
			continue;
		}
		if (ch == 'q' || ch == 27)
			break;
		else if (ch == '?')
			u.screen = SCREEN_HELP;
		else if (ch == 'a')
			u.screen = SCREEN_ALERTS;
		else if (ch == 'e')
			export_now = 1;
		else if (k && (int)(k - tf_keys) < nint)
			u.tf = (int)(k - tf_keys);
		else if (ch == '\t')
			u.tf = (u.tf + 1) % nint;
		else if (ch == '<' || ch == ',')
			u.sort_col = (u.sort_col + NCOLS - 1) % NCOLS, u.hold_until = 0;
		else if (ch == '>' || ch == '.')
			u.sort_col = (u.sort_col + 1) % NCOLS, u.hold_until = 0;
		else if (ch == 'i')
			u.invert = !u.invert, u.hold_until = 0;
		else if (ch == KEY_DOWN || ch == 'j')
			u.cursor++, u.hold_until = fb_mono_ms() + 3000;
		else if (ch == KEY_UP || ch == 'k')
			u.cursor = u.cursor > 0 ? u.cursor - 1 : 0,
			u.hold_until = fb_mono_ms() + 3000;
		else if (ch == 'g' || ch == KEY_HOME)
			u.cursor = 0;
		else if (ch == 'G' || ch == KEY_END)
			u.cursor = 1 << 20;
		else if (ch == KEY_RESIZE)
			clear();
		else
			for (int c = 0; c < NCOLS; c++)
				if (cols[c].key && cols[c].key == ch) {
					u.invert = u.sort_col == c ? !u.invert : 0;
					u.sort_col = c;
					u.hold_until = 0;
				}
	}
	restore_terminal();
	return 0;
}
