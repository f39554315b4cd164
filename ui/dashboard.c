/* The dashboard (see dashboard.h): header with mode, exchange, timeframe, UTC clock and the
 * age of the newest data; a KPI strip; the top table with sorting, a filter, a cursor, the
 * column chooser and timeframe keys; toasts; the replay controls. Columns are dropped from the
 * right-hand priorities when the terminal is narrow. Symbols come from the engine, which
 * admits only letters and digits; alert text is cleaned before it is drawn. The other screens
 * are in screens.c. */
#include "dashboard.h"

#include <ctype.h>
#include <curses.h>
#include <errno.h>
#include <langinfo.h>
#include <locale.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "core/config.h"
#include "core/signals.h"
#include "core/timeutil.h"
#include "ui.h"

const Column ui_cols[NCOLS] = {
        [C_SYMBOL] = {"SYMBOL", "symbol", 12, 12, 0, 0, 's'},
        [C_PRICE] = {"PRICE", "price", 12, 8, 0, F_PRICE, 'P'},
        [C_CHANGE] = {"CHG%", "change", 7, 6, 1, F_PCT, '%'},
        [C_CHANGE24] = {"24H%", "change_24h", 7, 6, 4, F_PCT, 'd'},
        [C_VOLUME] = {"VOL$", "volume", 7, 6, 4, F_MONEY, 'v'},
        [C_OI] = {"OI$", "oi", 7, 6, 5, F_MONEY, 'o'},
        [C_OICHG] = {"OI%", "oi_change", 7, 6, 2, F_PCT, 'O'},
        [C_FUNDING] = {"FUND%", "funding", 8, 7, 2, F_PCT, 'f'},
        [C_LS] = {"LS", "ls", 5, 5, 6, F_RATIO, 'l'},
        [C_LSCHG] = {"LS%", "ls_change", 6, 6, 7, F_PCT, 0},
        [C_IMB] = {"IMB", "imbalance", 6, 5, 7, F_RATIO, 'b'},
        [C_CVD] = {"CVD$", "cvd", 7, 6, 8, F_MONEY, 0},
        [C_RSI] = {"RSI", "rsi", 5, 4, 2, F_NUM1, 'r'},
        [C_Z] = {"Z", "z", 5, 5, 3, F_NUM1, 'z'},
        [C_RV] = {"VOL%", "rv", 6, 5, 8, F_PCTU, 0},
        [C_MARK] = {"MARK", "mark", 12, 8, 9, F_PRICE, 0},
        [C_BASIS] = {"BASIS%", "basis", 7, 7, 9, F_PCT, 0},
        [C_NEXTFUND] = {"FUND IN", "next_funding", 7, 7, 8, F_WHEN, 'n'},
        [C_LIQ] = {"LIQ1H$", "liq", 7, 6, 9, F_MONEY, 0},
        [C_SPARK] = {"", "spark", 16, 8, 3, F_SPARK, 0},
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

static void draw_toasts(Ui *u, int W);
static int alerts_last_hour(void);

double ui_value(const QuantTopRow *r, int tf, int c)
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
	case C_MARK: return r->mark;
	case C_BASIS: return r->basis;
	case C_NEXTFUND: return r->next_funding_time > 0 ? r->next_funding_time : NAN;
	case C_LIQ:
		return isfinite(r->liq_buy_1h) || isfinite(r->liq_sell_1h)
		               ? (isfinite(r->liq_buy_1h) ? r->liq_buy_1h : 0) +
		                         (isfinite(r->liq_sell_1h) ? r->liq_sell_1h : 0)
		               : NAN;
	default: return NAN;
	}
}

/* "-0.00" and "+0.00" say a sign the value does not have at this precision. */
static void drop_zero_sign(char *buf)
{
	if (buf[0] != '-' && buf[0] != '+')
		return;
	for (const char *p = buf + 1; *p; p++)
		if (*p != '0' && *p != '.')
			return;
	memmove(buf, buf + 1, strlen(buf));
}

void ui_fmt(char *buf, size_t len, int kind, double x)
{
	if (!isfinite(x)) {
		snprintf(buf, len, "-");
		return;
	}
	double a = fabs(x);
	switch (kind) {
	case F_PRICE: ui_fmt_price(buf, len, x, quant_price_decimals(x)); return;
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
	drop_zero_sign(buf);
}

void ui_fmt_price(char *buf, size_t len, double x, int dp)
{
	if (!isfinite(x))
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.*f",
		         dp < 0                ? 0
		         : dp > QUANT_PRICE_DP ? QUANT_PRICE_DP
		                               : dp,
		         x);
}

int ui_fit_price(char *buf, size_t len, int width, int utf8)
{
	int w = (int)strlen(buf);
	if (w <= width || !utf8 || strncmp(buf, "0.000", 5) != 0)
		return w;
	static const char *const sub[] = {"\u2080", "\u2081", "\u2082", "\u2083", "\u2084",
	                                  "\u2085", "\u2086", "\u2087", "\u2088", "\u2089"};
	int zeros = (int)strspn(buf + 2, "0");
	if (zeros >= 10)
		return w;
	char out[64];
	snprintf(out, sizeof out, "0.0%s%s", sub[zeros], buf + 2 + zeros);
	snprintf(buf, len, "%s", out);
	return w - zeros + 2;
}

void ui_clean(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 32 || (unsigned char)*s > 126)
			*s = '?';
}

void ui_sign_attr(Ui *u, double x, int on)
{
	if (!u->color || !isfinite(x) || x == 0)
		return;
	if (on)
		attron(COLOR_PAIR(x > 0 ? P_UP : P_DOWN));
	else
		attroff(COLOR_PAIR(x > 0 ? P_UP : P_DOWN));
}

int ui_heat_pair(double x)
{
	if (!isfinite(x))
		return P_DIM;
	int k = (int)lround((x + 1) / 2 * (HEAT_STEPS - 1));
	return P_HEAT0 + (k < 0 ? 0 : k >= HEAT_STEPS ? HEAT_STEPS - 1 : k);
}

static int sort_tf, sort_c, sort_inv;

static int cmp_rows(const void *a, const void *b)
{
	const QuantTopRow *x = *(const QuantTopRow *const *)a, *y = *(const QuantTopRow *const *)b;
	int r;
	if (sort_c == C_SYMBOL)
		r = strcmp(x->symbol, y->symbol);
	else {
		double vx = ui_value(x, sort_tf, sort_c), vy = ui_value(y, sort_tf, sort_c);
		if (isnan(vx) || isnan(vy)) /* unknown values last, whatever the direction */
			return isnan(vx) - isnan(vy);
		r = vx < vy ? 1 : vx > vy ? -1 : 0; /* largest first */
	}
	if (sort_inv)
		r = -r;
	return r ? r : strcmp(x->symbol, y->symbol); /* stable ties */
}

/* The columns of the table on a terminal W wide: the chosen columns are taken by priority
 * (ties in screen order) while they fit at their narrowest; the width left widens the
 * sparkline first, then the other columns back to their full width. Price and symbol are
 * as wide as the widest value shown (price_w, sym_w). Returns how many, in screen order, with
 * their widths. */
static int layout(const Ui *u, int W, int price_w, int sym_w, int *out, int *width)
{
	int minw[NCOLS], fullw[NCOLS], take[NCOLS] = {0}, used = 0;
	for (int c = 0; c < NCOLS; c++) {
		minw[c] = ui_cols[c].min;
		fullw[c] = ui_cols[c].width;
	}
	minw[C_PRICE] = fullw[C_PRICE] = price_w > minw[C_PRICE] ? price_w : minw[C_PRICE];
	minw[C_SYMBOL] = fullw[C_SYMBOL] = sym_w > 6 ? sym_w : 6;
	for (int p = 0; p <= 10; p++)
		for (int c = 0; c < NCOLS; c++)
			if (u->show[c] && ui_cols[c].priority == p &&
			    (used + minw[c] + (used > 0) <= W || c == C_SYMBOL)) {
				take[c] = 1;
				width[c] = minw[c];
				used += minw[c] + (used > 0);
			}
	int order[NCOLS] = {C_SPARK}, no = 1;
	for (int c = 0; c < NCOLS; c++)
		if (c != C_SPARK)
			order[no++] = c;
	for (int k = 0; k < NCOLS; k++) {
		int c = order[k];
		if (!take[c])
			continue;
		int grow = fullw[c] - width[c];
		if (grow > W - used)
			grow = W - used;
		if (grow > 0) {
			width[c] += grow;
			used += grow;
		}
	}
	int n = 0;
	for (int c = 0; c < NCOLS; c++)
		if (take[c])
			out[n++] = c;
	return n;
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

void ui_header(Ui *u, const QuantSnapshot *s, int W, const char *what)
{
	char t[32], line[512];
	const char *iv = s && u->tf < s->nintervals ? s->intervals[u->tf] : "-";
	move(0, 0);
	clrtoeol();
	if (u->d->player) {
		int64_t now = player_time(u->d->player);
		fb_time_format(now, t, sizeof t);
		snprintf(line, sizeof line, " REPLAY %.10s %.5s UTC  %s %gx ", t, t + 11,
		         u->playing ? (u->utf8 ? "\u25b6" : ">") : "||", u->speed);
		attron(A_BOLD | A_REVERSE);
		if (u->color)
			attron(COLOR_PAIR(P_BANNER));
		mvaddnstr(0, 0, line, W);
		if (u->color)
			attroff(COLOR_PAIR(P_BANNER));
		attroff(A_BOLD | A_REVERSE);
		char a[32], b[32];
		fb_time_format(player_start(u->d->player), a, sizeof a);
		fb_time_format(player_end(u->d->player), b, sizeof b);
		snprintf(line, sizeof line, " %s  %s  %s  from %.16s to %.16s", u->d->exchange, iv,
		         what, a, b);
		addnstr(line, W - getcurx(stdscr) > 0 ? W - getcurx(stdscr) : 0);
		return;
	}
	int64_t now = fb_now_ms();
	fb_time_format(now, t, sizeof t);
	char state[96] = "starting", age_s[32] = "";
	int level = 1;
	if (u->d->feed_state && !u->held)
		level = u->d->feed_state(u->d->feed_arg, state, sizeof state);
	else if (s)
		snprintf(state, sizeof state, "following"), level = 0;
	if (u->held) /* p: the view is frozen on purpose */
		snprintf(state, sizeof state, "PAUSED (p resumes)"), level = 1;
	int64_t stale_ms = u->d->stale_ms > 0 ? u->d->stale_ms : 10000;
	int64_t age = s && s->ts ? now - s->ts : -1;
	int stale = level == 0 && (!s || !s->ts || age > stale_ms);
	if (stale && s && s->ts) {
		ui_age(age_s, sizeof age_s, age);
		snprintf(state, sizeof state, "STALE %s", age_s);
	} else if (stale)
		snprintf(state, sizeof state, "no data yet");
	attron(A_BOLD);
	snprintf(line, sizeof line, " futuresboard  %s  %s  %s  %s  %.8s UTC  feed: ", u->d->mode,
	         u->d->exchange, iv, what, t + 11);
	mvaddnstr(0, 0, line, W);
	attroff(A_BOLD);
	/* the state: red (reversed without colours) when stale or failing */
	int alarm = stale || level == 2;
	int attr = alarm        ? (u->color ? COLOR_PAIR(P_DOWN) | A_BOLD : A_REVERSE | A_BOLD)
	           : level == 1 ? (u->color ? COLOR_PAIR(P_WARN) | A_BOLD : A_BOLD)
	                        : A_BOLD;
	attron(attr);
	addnstr(state, W - getcurx(stdscr) > 0 ? W - getcurx(stdscr) : 0);
	attroff(attr);
}

void ui_countdown(const Ui *u, char *out, size_t len, double when)
{
	int64_t now = ui_view_time(u);
	if (!(when > 0))
		snprintf(out, len, "-");
	else if ((int64_t)when <= now)
		snprintf(out, len, "due");
	else
		ui_age(out, len, (int64_t)when - now);
}

void ui_age(char *out, size_t len, int64_t ms)
{
	int64_t sec = ms / 1000;
	if (sec < 60)
		snprintf(out, len, "%llds", (long long)sec);
	else if (sec < 3600)
		snprintf(out, len, "%lldm %02llds", (long long)(sec / 60), (long long)(sec % 60));
	else if (sec < 86400)
		snprintf(out, len, "%lldh %02lldm", (long long)(sec / 3600),
		         (long long)(sec % 3600 / 60));
	else
		snprintf(out, len, "%lldd", (long long)(sec / 86400));
}

static int matches(const Ui *u, const char *symbol)
{
	if (!u->filter[0])
		return 1;
	size_t n = strlen(u->filter);
	for (const char *p = symbol; *p; p++)
		if (strncasecmp(p, u->filter, n) == 0)
			return 1;
	return 0;
}

/* The rows in screen order: sorted unless the user just moved; filtered. Caller frees. */
static const QuantTopRow **ordered_rows(Ui *u, const QuantSnapshot *s, int *n_out)
{
	const QuantTopRow **rows = calloc((size_t)s->nrows + 1, sizeof *rows);
	if (!rows) {
		*n_out = 0;
		return NULL;
	}
	int n = 0;
	for (int r = 0; r < s->nrows; r++)
		if (matches(u, s->rows[r].symbol))
			rows[n++] = &s->rows[r];
	int fresh = fb_mono_ms() >= u->hold_until || u->nsorted == 0;
	if (fresh) {
		sort_tf = u->tf;
		sort_c = u->sort_col;
		sort_inv = u->invert;
		qsort(rows, (size_t)n, sizeof *rows, cmp_rows);
	} else { /* keep the order on screen; newcomers at the end */
		const QuantTopRow **o = calloc((size_t)n + 1, sizeof *o);
		int m = 0;
		for (int k = 0; o && k < u->nsorted; k++)
			for (int r = 0; r < n; r++)
				if (rows[r] && strcmp(rows[r]->symbol, u->sorted_sym[k]) == 0) {
					o[m++] = rows[r];
					rows[r] = NULL;
				}
		for (int r = 0; o && r < n; r++)
			if (rows[r])
				o[m++] = rows[r];
		free(rows);
		rows = o;
	}
	u->nsorted = n < 256 ? n : 256;
	for (int r = 0; rows && r < u->nsorted; r++)
		memcpy(u->sorted_sym[r], rows[r]->symbol, sizeof u->sorted_sym[r]);
	*n_out = rows ? n : 0;
	return rows;
}

/* Thresholds that stand out whatever their sign. */
static int threshold_attr(Ui *u, int c, double v)
{
	if (!isfinite(v))
		return 0;
	if (c == C_RSI && (v >= 70 || v <= 30))
		return A_BOLD | (u->color ? COLOR_PAIR(v >= 70 ? P_WARN : P_INFO) : 0);
	if (c == C_Z && fabs(v) >= 2)
		return A_BOLD;
	if (c == C_FUNDING && fabs(v) >= 0.0005)
		return A_BOLD;
	if (c == C_OICHG && fabs(v) >= 0.02)
		return A_BOLD;
	return 0;
}

void ui_prompt_line(Ui *u, int H, int W)
{
	char line[128];
	snprintf(line, sizeof line, "%s%s_",
	         u->prompt == '/' ? " filter symbols: "
	                          : " jump to (2025-01-31 12:00, -3d, +2h, Esc cancels): ",
	         u->input);
	move(H - 1, 0);
	clrtoeol();
	attron(A_BOLD);
	mvaddnstr(H - 1, 0, line, W);
	attroff(A_BOLD);
}

/* "1m 5m [15m] 1h": the timeframes of the snapshot, the one shown in brackets. */
static void timeframes(const Ui *u, const QuantSnapshot *s, char *out, size_t len)
{
	size_t used = 0;
	out[0] = '\0';
	for (int i = 0; s && i < s->nintervals && used + 8 < len; i++)
		used += (size_t)snprintf(out + used, len - used, i == u->tf ? "[%s] " : "%s ",
		                         s->intervals[i]);
}

/* The sort column and its direction, as the table's second line says it. */
static void sort_label(const Ui *u, char *out, size_t len)
{
	const char *dir = u->invert ? (u->utf8 ? "\u25b2" : "^") : (u->utf8 ? "\u25bc" : "v");
	snprintf(out, len, "%s %s", u->sort_col == C_SPARK ? "SPARK" : ui_cols[u->sort_col].title,
	         dir);
}

static void draw_table(Ui *u, const QuantSnapshot *s)
{
	int H, W;
	getmaxyx(stdscr, H, W);
	erase();
	ui_header(u, s, W, "top");
	if (!s) {
		mvaddnstr(2, 1, "waiting for the first snapshot of the engine...", W - 1);
		ui_hint(u, H, W, "", 0, 0);
		draw_toasts(u, W);
		return;
	}
	char oi[16], fu[16], ls[16], line[512], tfs[96], sl[32];
	ui_fmt(oi, sizeof oi, F_MONEY, s->agg.total_oi_value);
	ui_fmt(fu, sizeof fu, F_PCT, s->agg.oi_weighted_funding);
	ui_fmt(ls, sizeof ls, F_RATIO, s->agg.volume_weighted_ls);
	snprintf(line, sizeof line,
	         " OI $%s   OI-wtd funding %s%%   vol-wtd LS %s   breadth %d up / %d down   "
	         "alerts 1h %d%s%s",
	         oi, fu, ls, s->agg.up, s->agg.down, alerts_last_hour(),
	         u->filter[0] ? "   filter: " : "", u->filter);
	mvaddnstr(1, 0, line, W);
	timeframes(u, s, tfs, sizeof tfs);
	sort_label(u, sl, sizeof sl);
	snprintf(line, sizeof line, " sort: %s   timeframes: %s", sl, tfs);
	mvaddnstr(2, 0, line, W);
	int n;
	const QuantTopRow **rows = ordered_rows(u, s, &n);
	/* prices at their precision: the column is as wide as the widest */
	char(*px)[64] = calloc((size_t)n + 1, sizeof *px);
	int price_w = 5, sym_w = 6;
	for (int r = 0; px && r < n; r++) {
		ui_fmt_price(px[r], sizeof px[r], rows[r]->last, rows[r]->price_dp);
		int w = ui_fit_price(px[r], sizeof px[r], ui_cols[C_PRICE].width, u->utf8);
		price_w = w > price_w ? w : price_w;
		int sw = (int)strlen(rows[r]->symbol);
		sym_w = sw > sym_w ? sw : sym_w;
	}
	int vis[NCOLS], width[NCOLS], nv = layout(u, W, price_w, sym_w, vis, width), x = 0;
	/* the titles: bold and underlined, unlike the cursor's reversed row */
	attron(A_BOLD | A_UNDERLINE);
	mvhline(3, 0, ' ', W);
	u->nhead = 0;
	for (int k = 0; k < nv; k++) {
		int c = vis[k];
		const char *mark = c != u->sort_col ? ""
		                   : u->invert      ? (u->utf8 ? "\u25b2" : "^")
		                                    : (u->utf8 ? "\u25bc" : "v");
		char h[32];
		snprintf(h, sizeof h, "%s%s", ui_cols[c].title, mark);
		int pad = width[c] - (int)strlen(ui_cols[c].title) - (mark[0] != 0);
		if (c == C_SYMBOL || c == C_SPARK)
			mvprintw(3, x, "%s%*s", h, pad > 0 ? pad : 0, "");
		else
			mvprintw(3, x, "%*s%s", pad > 0 ? pad : 0, "", h);
		u->head_x[u->nhead] = x;
		u->head_c[u->nhead++] = c;
		x += width[c] + 1;
	}
	attroff(A_BOLD | A_UNDERLINE);
	int room = H - 5; /* rows 4 .. H - 2 */
	u->top = ui_list_scroll(u->top, &u->cursor, n, room);
	u->table_rows = 0;
	if (n == 0 && u->filter[0])
		mvaddnstr(4, 1, "no symbol matches the filter (/ to change it, Esc clears)", W - 1);
	for (int r = u->top; r < n && 4 + r - u->top < H - 1; r++) {
		const QuantTopRow *row = rows[r];
		int y = 4 + r - u->top, cur = r == u->cursor;
		x = 0;
		u->table_rows++;
		if (cur)
			attron(A_REVERSE | A_BOLD);
		mvhline(y, 0, ' ', W);
		for (int k = 0; k < nv; k++) {
			int c = vis[k], w = width[c];
			char cell[160];
			if (c == C_SYMBOL)
				mvprintw(y, x, "%-*.*s", w, w, row->symbol);
			else if (c == C_SPARK) {
				spark(u, row->spark[u->tf], w, cell, sizeof cell);
				mvaddstr(y, x, cell);
			} else if (c == C_NEXTFUND || c == C_MARK) {
				if (c == C_MARK)
					ui_fmt_price(cell, sizeof cell, row->mark, row->price_dp);
				else
					ui_countdown(u, cell, sizeof cell, row->next_funding_time);
				mvprintw(y, x, "%*s", w, cell);
			} else if (c == C_PRICE && px) { /* right-aligned at its precision */
				int dw = ui_fit_price(px[r], sizeof px[r], w, u->utf8);
				mvaddstr(y, x + (w > dw ? w - dw : 0), px[r]);
			} else {
				double vv = ui_value(row, u->tf, c);
				ui_fmt(cell, sizeof cell, ui_cols[c].fmt, vv);
				int signed_col = ui_cols[c].fmt == F_PCT || c == C_Z || c == C_CVD;
				int extra = !cur ? threshold_attr(u, c, vv) : 0;
				if (signed_col && !cur && !(extra & A_COLOR))
					ui_sign_attr(u, vv, 1);
				attron(extra);
				mvprintw(y, x, "%*s", w, cell);
				attroff(extra);
				if (signed_col && !cur && !(extra & A_COLOR))
					ui_sign_attr(u, vv, 0);
			}
			x += w + 1;
		}
		if (cur)
			attroff(A_REVERSE | A_BOLD);
	}
	free(px);
	free(rows);
	if (u->d->player)
		snprintf(line, sizeof line,
		         " space play  +/- speed  \u2190\u2192 [ ] step  g jump  1-6 tf  < > sort  "
		         "Enter detail  c m a h  / filter");
	else
		snprintf(line, sizeof line,
		         " 1-6 timeframe  Tab next  < > sort  I invert  Enter detail  c corr  m "
		         "movers  a alerts  h health  R runs  / filter  C columns  e export");
	if (!u->utf8)
		for (char *p = line; (p = strstr(p, "\u2190\u2192")) != NULL;)
			memcpy(p, "<- ->", 5), memmove(p + 5, p + 6, strlen(p + 6) + 1);
	ui_hint(u, H, W, line, n ? u->cursor + 1 : 0, n);
	draw_toasts(u, W);
}

/* Copies up to max alerts, newest first, with the monotonic ms each arrived, out of the ring:
 * the lock is held for the copy only, never while drawing. Returns how many. */
static int alerts_copy(AlertRecord *out, int64_t *seen, int max)
{
	pthread_mutex_lock(&alert_lock);
	int n = 0;
	for (uint64_t k = 0; n < max && k < ALERT_RING && k < alert_total; k++, n++) {
		uint64_t i = (alert_total - 1 - k) % ALERT_RING;
		out[n] = alert_ring[i];
		seen[n] = alert_seen_ms[i];
	}
	pthread_mutex_unlock(&alert_lock);
	return n;
}

/* Toasts: the alerts of the last toast_s seconds, newest on top, at the top right. */
static void draw_toasts(Ui *u, int W)
{
	int y = 2;
	AlertRecord recent[4];
	int64_t seen[4];
	int n = alerts_copy(recent, seen, 4);
	int64_t now = fb_mono_ms();
	for (int k = 0; k < n; k++) {
		if (now - seen[k] > (int64_t)u->toast_s * 1000)
			break;
		const AlertRecord *a = &recent[k];
		char line[400];
		snprintf(line, sizeof line, " %s %s %s %s: %s ", a->severity, a->rule, a->symbol,
		         a->interval, a->message);
		ui_clean(line);
		int w = (int)strlen(line) < W - 2 ? (int)strlen(line) : W - 2;
		int pair = strcmp(a->severity, "crit") == 0   ? P_DOWN
		           : strcmp(a->severity, "warn") == 0 ? P_WARN
		                                              : P_INFO;
		if (u->color)
			attron(COLOR_PAIR(pair));
		attron(A_REVERSE | A_BOLD);
		mvaddnstr(y++, W - w, line, w);
		attroff(A_REVERSE | A_BOLD);
		if (u->color)
			attroff(COLOR_PAIR(pair));
	}
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

static void draw_alert_log(Ui *u, const QuantSnapshot *s, int H, int W)
{
	static AlertRecord log[ALERT_RING]; /* main thread only */
	static int64_t seen[ALERT_RING];
	erase();
	ui_header(u, s, W, "alert log");
	int n = alerts_copy(log, seen, ALERT_RING);
	char line[400];
	snprintf(line, sizeof line, " %-19s  %-4s  %-16s %-12s %-4s  %s", "TIME (UTC)", "SEV",
	         "RULE", "SYMBOL", "TF", "MESSAGE (newest first)");
	attron(A_BOLD | A_UNDERLINE);
	mvaddnstr(1, 0, line, W);
	attroff(A_BOLD | A_UNDERLINE);
	if (!n)
		mvaddnstr(2, 1, "no alerts yet; rules are [alert NAME] sections of config.ini",
		          W - 1);
	int rows = H - 3 > 0 ? H - 3 : 0;
	u->lscroll = ui_list_scroll(u->lscroll, &u->lcur, n, rows);
	for (int k = u->lscroll, y = 2; k < n && y < H - 1; k++, y++) {
		const AlertRecord *a = &log[k];
		char t[32];
		fb_time_format(a->ts, t, sizeof t);
		snprintf(line, sizeof line, " %.10s %.8s  %-4.4s  %-16.16s %-12.12s %-4.4s  %s", t,
		         t + 11, a->severity, a->rule, a->symbol, a->interval, a->message);
		ui_clean(line);
		if (k == u->lcur)
			attron(A_REVERSE);
		mvaddnstr(y, 0, line, W);
		if (k == u->lcur)
			attroff(A_REVERSE);
	}
	ui_hint(u, H, W, " j k PgUp PgDn Home End move", n ? u->lcur + 1 : 0, n);
}

/* The ? screen: ui_keys by screen. Line k of it is a group title or a key. */
static int help_line(int k, char *out, size_t len)
{
	int line = 0;
	for (int i = 0; i < ui_nkeys; i++) {
		if (i == 0 || strcmp(ui_keys[i].screen, ui_keys[i - 1].screen) != 0) {
			if (line++ == k) {
				snprintf(out, len, "%c%s", ui_keys[i].screen[0] - 32,
				         ui_keys[i].screen + 1);
				return 1;
			}
		}
		if (line++ == k) {
			snprintf(out, len, "  %-26s %s", ui_keys[i].keys, ui_keys[i].what);
			return 2;
		}
	}
	return 0;
}

static int help_lines(void)
{
	char buf[8];
	int n = 0;
	while (help_line(n, buf, sizeof buf))
		n++;
	return n;
}

static void draw_help(Ui *u, const QuantSnapshot *s, int H, int W)
{
	int n = help_lines(), rows = H - 3 > 0 ? H - 3 : 1;
	erase();
	ui_header(u, s, W, "keys");
	int last = u->hrows + rows - 1; /* the cursor is the last line shown */
	u->hrows = ui_list_scroll(u->hrows, &last, n, rows);
	for (int i = u->hrows; i < n && i - u->hrows + 2 < H - 1; i++) {
		char line[256];
		if (help_line(i, line, sizeof line) == 1)
			attron(A_BOLD);
		mvaddnstr(i - u->hrows + 2, 0, line, W);
		attroff(A_BOLD);
	}
	ui_hint(u, H, W, " j k PgUp PgDn scroll  Esc back", last + 1, n);
}

int64_t ui_view_time(const Ui *u)
{
	if (u->d->player)
		return player_time(u->d->player);
	int64_t now = fb_now_ms(); /* the exchange's clock may run ahead (the demo's, at 60x) */
	return u->snap_ts > now ? u->snap_ts : now;
}

FILE *ui_csv_open(const char *name, int64_t at, char *path, size_t len)
{
	char t[32], tmp[600];
	fb_time_format(at, t, sizeof t);
	for (char *p = t; *p; p++)
		if (*p == ':')
			*p = '-';
	snprintf(path, len, "futuresboard-%s-%.19s.csv", name, t);
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	FILE *f = fopen(tmp, "w");
	if (!f)
		snprintf(path, len, "%s", strerror(errno));
	return f;
}

int ui_csv_close(FILE *f, int bad, char *path, size_t len)
{
	char tmp[600];
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	bad |= ferror(f);
	if (fclose(f) != 0 || bad || rename(tmp, path) != 0) {
		snprintf(path, len, "%s", strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

/* A value of the CSV: full precision (percent columns in percent, as their titles say),
 * empty when unknown. */
static void csv_value(FILE *f, int c, const QuantTopRow *row, int tf)
{
	double v = ui_value(row, tf, c);
	if (!isfinite(v))
		fputc(',', f);
	else if (c == C_PRICE)
		fprintf(f, ",%.*f", row->price_dp, v);
	else if (c == C_NEXTFUND) {
		char t[32];
		fprintf(f, ",%s", fb_time_format((int64_t)v, t, sizeof t));
	} else if (c == C_MARK)
		fprintf(f, ",%.15g", v);
	else if (ui_cols[c].fmt == F_PCT || ui_cols[c].fmt == F_PCTU)
		fprintf(f, ",%.10g", v * 100);
	else
		fprintf(f, ",%.17g", v);
}

/* Writes the table as shown (order, filter, timeframe, every column but the sparkline) to a
 * CSV file in the current folder, stamped with the time the view shows (the replay clock in a
 * replay): values at full precision, unknown ones empty. Returns 0 with the path, or -1 with
 * the reason. */
static int export_view(Ui *u, const QuantSnapshot *s, char *path, size_t len)
{
	int64_t at = ui_view_time(u);
	FILE *f = ui_csv_open(s->intervals[u->tf], at, path, len);
	if (!f)
		return -1;
	char t[32];
	fb_time_format(at, t, sizeof t);
	fprintf(f, "time,rank,timeframe");
	for (int c = 0; c < NCOLS; c++)
		if (c != C_SPARK)
			fprintf(f, ",%s", ui_cols[c].title);
	fprintf(f, "\r\n");
	for (int r = 0; r < u->nsorted; r++) {
		const QuantTopRow *row = NULL;
		for (int k = 0; k < s->nrows && !row; k++)
			if (strcmp(s->rows[k].symbol, u->sorted_sym[r]) == 0)
				row = &s->rows[k];
		if (!row)
			continue;
		fprintf(f, "%s,%d,%s,%s", t, r + 1, s->intervals[u->tf], row->symbol);
		for (int c = 1; c < NCOLS; c++)
			if (c != C_SPARK)
				csv_value(f, c, row, u->tf);
		fprintf(f, "\r\n");
	}
	return ui_csv_close(f, 0, path, len);
}

static void restore_terminal(void)
{
	if (!isendwin()) {
		mousemask(0, NULL);
		endwin();
	}
}

static void crash(int sig)
{
	restore_terminal();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void colours(Ui *u)
{
	const char *want = u->d->color ? u->d->color : "auto";
	const char *nc = getenv("NO_COLOR");
	u->color = has_colors() && strcmp(want, "none") != 0 && !(nc && *nc);
	if (!u->color)
		return;
	start_color();
	use_default_colors();
	u->colors256 = COLORS >= 256 && strcmp(want, "16") != 0;
	if (u->colors256) {
		init_pair(P_UP, 41, -1);
		init_pair(P_DOWN, 203, -1);
		init_pair(P_WARN, 214, -1);
		init_pair(P_INFO, 75, -1);
		init_pair(P_BANNER, 214, -1);
		init_pair(P_DIM, 244, -1);
		static const short heat[HEAT_STEPS] = {196, 160, 124, 88, 52, 236,
		                                       22,  28,  34,  40, 46};
		for (int i = 0; i < HEAT_STEPS; i++)
			init_pair((short)(P_HEAT0 + i), i == 5 ? 250 : 16, heat[i]);
	} else {
		init_pair(P_UP, COLOR_GREEN, -1);
		init_pair(P_DOWN, COLOR_RED, -1);
		init_pair(P_WARN, COLOR_YELLOW, -1);
		init_pair(P_INFO, COLOR_CYAN, -1);
		init_pair(P_BANNER, COLOR_YELLOW, -1);
		init_pair(P_DIM, COLOR_WHITE, -1);
		for (int i = 0; i < HEAT_STEPS; i++)
			init_pair((short)(P_HEAT0 + i), COLOR_BLACK,
			          i < 3    ? COLOR_RED
			          : i > 7  ? COLOR_GREEN
			          : i == 5 ? -1
			                   : COLOR_WHITE);
	}
}

static void choose_columns(Ui *u, const char *list)
{
	memset(u->show, 0, sizeof u->show);
	u->show[C_SYMBOL] = 1;
	char buf[512];
	snprintf(buf, sizeof buf, "%s", list && *list ? list : CONFIG_UI_COLUMNS);
	for (char *save, *tok = strtok_r(buf, " ,", &save); tok; tok = strtok_r(NULL, " ,", &save))
		for (int c = 1; c < NCOLS; c++)
			if (strcmp(ui_cols[c].name, tok) == 0)
				u->show[c] = 1;
}

/* Saves the chosen columns to the user config. */
static void save_columns(Ui *u)
{
	char list[512] = "", err[600];
	size_t used = 0;
	for (int c = 1; c < NCOLS; c++)
		if (u->show[c])
			used += (size_t)snprintf(list + used, sizeof list - used, "%s%s",
			                         used ? " " : "", ui_cols[c].name);
	char *path = config_user_path();
	if (config_save_key(path, "ui", "columns", list, err, sizeof err) == 0)
		snprintf(u->toast, sizeof u->toast, " columns saved to %s ", path);
	else
		snprintf(u->toast, sizeof u->toast, " columns not saved: %.500s ", err);
	ui_clean(u->toast);
	u->toast_until = fb_mono_ms() + (int64_t)u->toast_s * 1000;
	free(path);
}

static QuantSnapshot *acquire(Ui *u)
{
	return u->d->player ? player_acquire(u->d->player) : quant_live_acquire(u->d->live);
}

static void release(Ui *u, QuantSnapshot *s)
{
	if (u->d->player)
		player_release(u->d->player, s);
	else
		quant_live_release(u->d->live, s);
}

/* Gives the frame's snapshot back unless the view is paused on it. */
static void keep(Ui *u, QuantSnapshot *s)
{
	if (s != u->held)
		release(u, s);
}

static void toast(Ui *u, const char *fmt, const char *arg)
{
	snprintf(u->toast, sizeof u->toast, fmt, (int)(sizeof u->toast - 40), arg);
	ui_clean(u->toast);
	u->toast_until = fb_mono_ms() + (int64_t)u->toast_s * 1000;
}

static void replay_seek(Ui *u, int64_t t)
{
	char err[512];
	if (player_seek(u->d->player, t, err, sizeof err))
		toast(u, " replay: %.*s ", err);
	u->sim = (double)player_time(u->d->player);
}

/* Moves the replay clock while playing. */
static void replay_tick(Ui *u)
{
	if (!u->d->player || !u->playing)
		return;
	int64_t now = fb_mono_ms();
	u->sim += (double)(now - u->play_mark) * u->speed;
	u->play_mark = now;
	if (u->sim >= (double)player_end(u->d->player)) {
		u->sim = (double)player_end(u->d->player);
		u->playing = 0;
		toast(u, " %.*s ", "end of the replay (space plays again from the start)");
	}
	if ((int64_t)u->sim != player_time(u->d->player))
		replay_seek(u, (int64_t)u->sim);
}

static int64_t tf_ms(const QuantSnapshot *s, int tf)
{
	return s && tf < s->nintervals ? fb_interval_ms(s->intervals[tf]) : FB_MINUTE_MS;
}

/* The replay's jump target: an ISO time or epoch ms, or -3d / +2h / -90m / +1w from the
 * replay clock. Returns 0, or -1 when it is none of those. */
static int jump_time(const Ui *u, const char *in, int64_t *out)
{
	while (*in == ' ')
		in++;
	if ((in[0] == '-' || in[0] == '+') && isdigit((unsigned char)in[1])) {
		char *end;
		long long k = strtoll(in + 1, &end, 10);
		static const struct {
			char unit;
			int64_t ms;
		} units[] = {{'s', 1000},
		             {'m', FB_MINUTE_MS},
		             {'h', 60 * FB_MINUTE_MS},
		             {'d', FB_DAY_MS},
		             {'w', 7 * FB_DAY_MS}};
		for (size_t i = 0; i < sizeof units / sizeof *units; i++)
			if (*end == units[i].unit && end[1] == '\0' && k < 100000) {
				int64_t d = (int64_t)k * units[i].ms;
				*out = ui_view_time(u) + (in[0] == '-' ? -d : d);
				return 0;
			}
		return -1;
	}
	return fb_time_parse(in, out);
}

/* A key of the bottom-line prompt. */
static void prompt_key(Ui *u, int ch)
{
	size_t n = strlen(u->input);
	size_t max = u->prompt == '/' ? sizeof u->filter - 1 : sizeof u->input - 1;
	if (ch == 27) {
		if (u->prompt == '/')
			u->filter[0] = '\0';
		u->prompt = 0;
	} else if (ch == '\n' || ch == '\r' || ch == KEY_ENTER) {
		if (u->prompt == 'g') {
			int64_t t;
			if (jump_time(u, u->input, &t) == 0)
				replay_seek(u, t);
			else
				toast(u,
				      " not a time: '%.*s' (2025-01-31 12:00, -3d, +2h or epoch "
				      "ms) ",
				      u->input);
		}
		u->prompt = 0;
	} else if ((ch == KEY_BACKSPACE || ch == 127 || ch == 8) && n > 0)
		u->input[n - 1] = '\0';
	else if (ch >= 32 && ch < 127 && n < max && (u->prompt == 'g' || isalnum(ch))) {
		u->input[n] = (char)ch; /* every printable key, so a mistake shows as typed */
		u->input[n + 1] = '\0';
	}
	if (u->prompt == '/') {
		snprintf(u->filter, sizeof u->filter, "%.*s", (int)sizeof u->filter - 1, u->input);
		u->cursor = 0;
		u->hold_until = 0;
	}
}

/* Keys of the replay on every screen; 1 when taken. */
static int replay_key(Ui *u, const QuantSnapshot *s, int ch)
{
	if (!u->d->player)
		return 0;
	int64_t iv = tf_ms(s, u->tf);
	int arrows = u->screen != SCREEN_DETAIL && u->screen != SCREEN_CORR;
	if (ch == ' ') {
		if (!u->playing && player_time(u->d->player) >= player_end(u->d->player))
			replay_seek(u, player_start(u->d->player));
		u->playing = !u->playing;
		u->play_mark = fb_mono_ms();
		u->sim = (double)player_time(u->d->player);
	} else if (ch == '+' || ch == '=')
		u->speed = u->speed * 2 > 10000 ? 10000 : u->speed * 2;
	else if (ch == '-' || ch == '_')
		u->speed = u->speed / 2 < 1 ? 1 : u->speed / 2;
	else if (ch == ']' || (arrows && ch == KEY_RIGHT)) {
		u->playing = 0;
		replay_seek(u, player_step_time(u->d->player, iv, 1));
	} else if (ch == '[' || (arrows && ch == KEY_LEFT)) {
		u->playing = 0;
		replay_seek(u, player_step_time(u->d->player, iv, -1));
	} else if (ch == 'g' && u->screen == SCREEN_TABLE) {
		u->playing = 0;
		u->prompt = 'g';
		u->input[0] = '\0';
	} else
		return 0;
	return 1;
}

/* The timeframe keys 1-6 always mean these, whatever the snapshot has. */
static const char *const tf_names[] = {"1m", "5m", "15m", "1h", "4h", "1d"};

static void timeframe_key(Ui *u, const QuantSnapshot *s, int k)
{
	for (int i = 0; s && i < s->nintervals; i++)
		if (strcmp(s->intervals[i], tf_names[k]) == 0) {
			u->tf = i;
			return;
		}
	char have[96];
	int saved = u->tf;
	u->tf = -1; /* no brackets */
	timeframes(u, s, have, sizeof have);
	u->tf = saved;
	snprintf(u->toast, sizeof u->toast, " no %s candles %s; collected: %s", tf_names[k],
	         u->d->player ? "stored" : "collected here", s ? have : "none yet");
	u->toast_until = fb_mono_ms() + (int64_t)u->toast_s * 1000;
}

static void table_key(Ui *u, const QuantSnapshot *s, int ch)
{
	int n = u->nsorted, page = u->table_rows > 1 ? u->table_rows - 1 : 1;
	if (ch == '\n' || ch == '\r' || ch == KEY_ENTER) {
		if (s && u->cursor < u->nsorted) {
			memcpy(u->dsym, u->sorted_sym[u->cursor], sizeof u->dsym);
			u->dcursor = -1;
			u->screen = SCREEN_DETAIL;
			ui_detail_load(u, s, 1);
		}
	} else if (ch == '/' || ch == KEY_F(3) || ch == KEY_F(4)) {
		u->prompt = '/';
		snprintf(u->input, sizeof u->input, "%s", u->filter);
	} else if (ch == 'C') {
		u->screen = SCREEN_COLUMNS;
		u->cols_changed = 0;
	} else if (ch == '<' || ch == ',')
		u->sort_col = (u->sort_col + NCOLS - 1) % NCOLS, u->hold_until = 0;
	else if (ch == '.')
		u->sort_col = (u->sort_col + 1) % NCOLS, u->hold_until = 0;
	else if (ch == '>' || ch == KEY_F(6) || ch == 't' || ch == KEY_F(5)) {
		u->menu = ch == 't' || ch == KEY_F(5) ? 't' : 's';
		u->mcur = u->menu == 's' ? u->sort_col : 0;
		u->screen = SCREEN_MENU;
	} else if (ch == 'i' || ch == 'I')
		u->invert = !u->invert, u->hold_until = 0;
	else if (ui_list_key(ch, &u->cursor, n, page))
		u->hold_until = fb_mono_ms() + 3000;
	else if (ch == KEY_MOUSE) {
		const MEVENT m = u->mouse;
		if (!(m.bstate & (BUTTON1_PRESSED | BUTTON1_CLICKED)))
			return;
		if (m.y == 3) { /* a click on a title sorts by it; again inverts */
			for (int k = u->nhead - 1; k >= 0; k--)
				if (m.x >= u->head_x[k]) {
					int c = u->head_c[k];
					u->invert = u->sort_col == c ? !u->invert : 0;
					u->sort_col = c;
					u->hold_until = 0;
					break;
				}
		} else if (m.y >= 4 && m.y - 4 < u->table_rows) {
			u->cursor = u->top + m.y - 4;
			u->hold_until = fb_mono_ms() + 3000;
		}
	} else
		for (int c = 0; c < NCOLS; c++)
			if (ui_cols[c].key && ui_cols[c].key == ch) {
				u->invert = u->sort_col == c ? !u->invert : 0;
				u->sort_col = c;
				u->hold_until = 0;
			}
}

static void detail_key(Ui *u, int ch)
{
	int last = u->nhist - 1;
	int cur = u->dcursor < 0 || u->dcursor > last ? last : u->dcursor;
	if (ch == KEY_LEFT || ch == 'h')
		u->dcursor = cur > 0 ? cur - 1 : 0;
	else if (ch == KEY_RIGHT || ch == 'l')
		u->dcursor = cur + 1 >= last ? -1 : cur + 1;
	else if (ch == 'H' || ch == KEY_HOME)
		u->dcursor = 0;
	else if (ch == 'L' || ch == KEY_END)
		u->dcursor = -1;
	else if (ch == 't')
		u->candles = !u->candles;
	else if (ch == 'j' || ch == 'k' || ch == KEY_DOWN || ch == KEY_UP) {
		int dir = ch == 'j' || ch == KEY_DOWN ? 1 : -1;
		for (int r = 0; r < u->nsorted; r++)
			if (strcmp(u->sorted_sym[r], u->dsym) == 0) {
				int to = (r + dir + u->nsorted) % u->nsorted;
				memcpy(u->dsym, u->sorted_sym[to], sizeof u->dsym);
				u->cursor = to;
				u->nhist = 0;
				u->hist_tried_ms = 0;
				u->dcursor = -1;
				break;
			}
	}
}

/* 1 when the terminal is gone: stdin hung up (the pty's other side closed, an SSH drop) or
 * reads end of file. curses then returns ERR at once for ever, so this is checked on ERR. */
static int terminal_gone(void)
{
	struct pollfd p = {.fd = STDIN_FILENO, .events = POLLIN};
	if (poll(&p, 1, 0) < 0)
		return 0;
	if (p.revents & (POLLHUP | POLLERR | POLLNVAL))
		return 1;
	int avail = 0; /* readable with nothing to read: end of file */
	return (p.revents & POLLIN) && ioctl(STDIN_FILENO, FIONREAD, &avail) == 0 && avail == 0;
}

/* The items of the open menu: every column to sort by, or every timeframe. */
static int menu_item(const Ui *u, const QuantSnapshot *s, int k, char *out, size_t len)
{
	if (u->menu == 's') {
		if (k >= NCOLS - 1) /* all but the sparkline */
			return 0;
		snprintf(out, len, " %-8s %-13s%s", ui_cols[k].title, ui_cols[k].name,
		         k == u->sort_col ? (u->invert ? "  (now, rising)" : "  (now, falling)")
		                          : "");
		return 1;
	}
	if (k >= 6)
		return 0;
	int have = 0;
	for (int i = 0; s && i < s->nintervals; i++)
		have |= strcmp(s->intervals[i], tf_names[k]) == 0;
	snprintf(out, len, " %d  %-4s %s", k + 1, tf_names[k], have ? "" : "(none stored)");
	return 1;
}

static void draw_menu(Ui *u, const QuantSnapshot *s, int H, int W)
{
	erase();
	ui_header(u, s, W, u->menu == 's' ? "sort by" : "timeframe");
	char line[128];
	int n = 0;
	while (menu_item(u, s, n, line, sizeof line))
		n++;
	int top = ui_list_scroll(0, &u->mcur, n, H - 3); /* clamps the cursor too */
	for (int k = top; k < n && k - top + 2 < H - 1; k++) {
		menu_item(u, s, k, line, sizeof line);
		if (k == u->mcur)
			attron(A_REVERSE | A_BOLD);
		mvaddnstr(k - top + 2, 0, line, W);
		if (k == u->mcur)
			attroff(A_REVERSE | A_BOLD);
	}
	ui_hint(u, H, W, " j k move  Enter choose  Esc back", u->mcur + 1, n);
}

/* Back to the table; the column chooser saves a changed choice. */
static void go_back(Ui *u)
{
	if (u->screen == SCREEN_COLUMNS && u->cols_changed)
		save_columns(u);
	u->screen = SCREEN_TABLE;
}

/* A key on the screen open now (after the keys every screen shares). */
static void screen_key(Ui *u, const QuantSnapshot *s, int ch, int H)
{
	int page = H - 6 > 1 ? H - 6 : 1;
	switch (u->screen) {
	case SCREEN_COLUMNS:
		if (ch == ' ' || ch == '\n' || ch == '\r' || ch == KEY_ENTER) {
			u->show[u->ccur + 1] = !u->show[u->ccur + 1];
			u->cols_changed = 1;
		} else if (ch == 'C')
			goto back;
		else
			ui_list_key(ch, &u->ccur, NCOLS - 1, page);
		return;
	case SCREEN_RUNS:
		if (!ui_runs_key(u, ch) && !u->rview)
			ui_list_key(ch, &u->rcur, u->nruns, page);
		return;
	case SCREEN_DETAIL:
		if (ch == '\n' || ch == '\r' || ch == KEY_ENTER)
			goto back;
		detail_key(u, ch);
		return;
	case SCREEN_CORR: {
		int n = s ? s->nrows : 0;
		if (ch == KEY_LEFT || ch == 'h')
			u->cx = u->cx > 0 ? u->cx - 1 : 0;
		else if (ch == KEY_RIGHT || ch == 'l')
			u->cx = u->cx + 1 < n ? u->cx + 1 : u->cx;
		else if (ch == 'c')
			goto back;
		else
			ui_list_key(ch, &u->cy, n, page);
		return;
	}
	case SCREEN_HEALTH:
		if (ch == 'h')
			goto back;
		ui_list_key(ch, &u->hscroll, 1000, page);
		return;
	case SCREEN_HELP:
		if (ch == '?')
			goto back;
		ui_list_key(ch, &u->hrows, help_lines(), page);
		return;
	case SCREEN_ALERTS:
		if (ch == 'a')
			goto back;
		ui_list_key(ch, &u->lcur, ALERT_RING, page);
		return;
	case SCREEN_MENU:
		if (ch == '\n' || ch == '\r' || ch == KEY_ENTER) {
			if (u->menu == 's') {
				u->invert = u->sort_col == u->mcur ? !u->invert : 0;
				u->sort_col = u->mcur;
				u->hold_until = 0;
			} else
				timeframe_key(u, s, u->mcur);
			goto back;
		}
		ui_list_key(ch, &u->mcur, u->menu == 's' ? NCOLS - 1 : 6, page);
		return;
	case SCREEN_LIQ:
		if (ch == 'L')
			goto back;
		ui_list_key(ch, &u->qscroll, u->nliq, page);
		return;
	case SCREEN_MOVERS:
		if (ch == 'm')
			goto back;
		ui_list_key(ch, &u->mscroll, s ? s->nrows : 0, page);
		return;
	default: table_key(u, s, ch); return;
	}
back:
	go_back(u);
}

int dashboard_run(const CliDashboard *d)
{
	setlocale(LC_ALL, "");
	if (ui_terminal_usable() != 0)
		return -1;
	Ui u = {.d = d, .tf = 0, .sort_col = C_VOLUME, .candles = 1};
	u.utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
	choose_columns(&u, d->columns);
	SCREEN *scr = newterm(NULL, stdout, stdin);
	if (!scr) {
		fprintf(stderr, "futuresboard: cannot start the dashboard on this terminal\n");
		return -1;
	}
	set_term(scr);
	signals_hangup_stops(1); /* a hangup is the terminal going away: stop, do not reload */
	atexit(restore_terminal);
	signal(SIGSEGV, crash);
	signal(SIGABRT, crash);
	signal(SIGBUS, crash);
	cbreak();
	noecho();
	keypad(stdscr, TRUE);
	curs_set(0);
	mousemask(BUTTON1_CLICKED | BUTTON1_PRESSED | BUTTON4_PRESSED | BUTTON5_PRESSED, NULL);
	mouseinterval(0);
	colours(&u);
	if (d->mode && strcmp(d->mode, "DEMO") == 0)
		u.tf = 1; /* 5m: the demo's market moves fast */
	int refresh_ms = d->refresh_ms > 0 ? d->refresh_ms : 1000;
	u.speed = d->speed >= 1 ? d->speed : 60;
	if (d->player)
		u.sim = (double)player_time(d->player);
	int dirty = 1, export_now = 0, status = 0;
	uint64_t seen_alerts = 0;
	int64_t drawn_second = 0;
	u.toast_s = d->toast_s > 0 ? d->toast_s : 8;
	set_escdelay(25);
	while (!signals_stop_requested()) {
		replay_tick(&u);
		QuantSnapshot *s = u.held ? u.held : acquire(&u); /* p: the paused view */
		u.snap_ts = s ? s->ts : 0;
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
		int64_t second = (d->player ? 0 : fb_now_ms() / 1000);
		if (u.screen == SCREEN_DETAIL && s)
			ui_detail_load(&u, s, 0);
		if (u.screen == SCREEN_LIQ && !u.held) {
			int64_t was = u.liq_loaded_ms;
			ui_liq_load(&u);
			dirty |= was != u.liq_loaded_ms;
		}
		int H, W;
		getmaxyx(stdscr, H, W);
		if (dirty || !s || s->generation != u.drawn_gen || second != drawn_second) {
			switch (u.screen) {
			case SCREEN_HELP: draw_help(&u, s, H, W); break;
			case SCREEN_ALERTS: draw_alert_log(&u, s, H, W); break;
			case SCREEN_DETAIL: ui_detail(&u, s, H, W); break;
			case SCREEN_CORR: ui_corr(&u, s, H, W); break;
			case SCREEN_MOVERS: ui_movers(&u, s, H, W); break;
			case SCREEN_HEALTH: ui_health(&u, s, H, W); break;
			case SCREEN_COLUMNS: ui_columns(&u, s, H, W); break;
			case SCREEN_RUNS: ui_runs(&u, s, H, W); break;
			case SCREEN_MENU: draw_menu(&u, s, H, W); break;
			case SCREEN_LIQ: ui_liq(&u, s, H, W); break;
			default: draw_table(&u, s); break;
			}
			if (u.screen != SCREEN_TABLE)
				draw_toasts(&u, W);
			refresh();
			u.drawn_gen = s ? s->generation : 0;
			drawn_second = second;
			dirty = 0;
		}
		if (export_now && s) {
			char path[512];
			int rc = u.screen == SCREEN_DETAIL ? ui_detail_export(&u, path, sizeof path)
			                                   : export_view(&u, s, path, sizeof path);
			toast(&u, rc ? " export failed: %.*s " : " wrote %.*s ", path);
			dirty = 1;
		}
		export_now = 0;
		int nint = s ? s->nintervals : 1;
		timeout(u.playing ? (refresh_ms < 100 ? refresh_ms : 100) : refresh_ms);
		int ch = ERR;
		if (!dirty)
			ch = getch();
		if (d->tick)
			d->tick(d->tick_arg);
		signals_drain();
		if (ch == ERR) {
			keep(&u, s);
			if (terminal_gone()) {
				status = 128 + SIGHUP;
				break;
			}
			continue;
		}
		dirty = 1;
		if (ch == KEY_MOUSE) { /* the wheel scrolls like the keys; clicks stay */
			if (getmouse(&u.mouse) != OK)
				u.mouse.bstate = 0;
			if (u.mouse.bstate & BUTTON4_PRESSED)
				ch = KEY_SR;
			else if (u.mouse.bstate & BUTTON5_PRESSED)
				ch = KEY_SF;
		}
		if (u.prompt) {
			prompt_key(&u, ch);
			keep(&u, s);
			continue;
		}
		if (ch == KEY_RESIZE)
			clear();
		else if (ch >= '1' && ch <= '6')
			timeframe_key(&u, s, ch - '1');
		else if (ch == '\t')
			u.tf = (u.tf + 1) % nint;
		else if (replay_key(&u, s, ch))
			;
		else if (ch == KEY_F(10) || (ch == 'q' && u.screen == SCREEN_TABLE)) {
			keep(&u, s);
			break;
		} else if (ch == 27 || ch == 'q') { /* Esc (and q off the table) goes back */
			if (u.screen == SCREEN_TABLE)
				u.filter[0] = '\0';
			else if (u.screen != SCREEN_RUNS || !ui_runs_key(&u, ch)) /* a run's curve
			                                                         first */
				go_back(&u);
		} else if (ch == '?' || ch == KEY_F(1))
			u.screen = u.screen == SCREEN_HELP ? SCREEN_TABLE : SCREEN_HELP,
			u.hrows = 0;
		else if (ch == 'e' && (u.screen == SCREEN_TABLE || u.screen == SCREEN_DETAIL))
			export_now = 1;
		else if (u.screen == SCREEN_COLUMNS || u.screen == SCREEN_RUNS ||
		         u.screen == SCREEN_DETAIL || u.screen == SCREEN_HELP ||
		         u.screen == SCREEN_MENU)
			screen_key(&u, s, ch, H);
		else if (ch == 'R') {
			u.screen = SCREEN_RUNS;
			ui_runs_load(&u);
		} else if (ch == 'a' && u.screen != SCREEN_ALERTS)
			u.screen = SCREEN_ALERTS, u.lcur = u.lscroll = 0;
		else if (ch == 'c' && u.screen != SCREEN_CORR)
			u.screen = SCREEN_CORR;
		else if (ch == 'm' && u.screen != SCREEN_MOVERS)
			u.screen = SCREEN_MOVERS, u.mscroll = 0;
		else if (ch == 'h' && u.screen == SCREEN_TABLE)
			u.screen = SCREEN_HEALTH, u.hscroll = 0;
		else if (ch == 'L' && u.screen != SCREEN_LIQ)
			u.screen = SCREEN_LIQ, u.qscroll = 0, u.liq_loaded_ms = 0;
		else if (ch == 'p' && !d->player) { /* pause the view; the feed goes on */
			if (u.held) {
				release(&u, u.held);
				u.held = NULL;
			} else
				u.held = s;
		} else
			screen_key(&u, s, ch, H);
		keep(&u, s);
	}
	if (u.held)
		release(&u, u.held);
	free(u.hist);
	ui_runs_free(&u);
	ui_liq_free(&u);
	restore_terminal();
	delscreen(scr);
	return status ? status : signals_exit_status(0);
}

double dashboard_bench_frames(const QuantSnapshot *s, int cols, int rows, int frames, int flush,
                              FILE *out)
{
	setlocale(LC_ALL, "");
	static CliDashboard d = {.mode = "LIVE", .exchange = "bench"};
	Ui u = {.d = &d, .sort_col = C_VOLUME, .toast_s = 8};
	u.utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
	choose_columns(&u, NULL);
	FILE *in = fopen("/dev/null", "r");
	SCREEN *scr = in ? newterm("xterm-256color", out, in) : NULL;
	if (!scr) {
		if (in)
			fclose(in);
		return -1;
	}
	set_term(scr);
	resizeterm(rows, cols);
	colours(&u);
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (int i = 0; i < frames; i++) {
		u.cursor = i % (s->nrows ? s->nrows : 1); /* something changes every frame */
		draw_table(&u, s);
		wnoutrefresh(stdscr);
		if (flush)
			doupdate();
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	endwin();
	delscreen(scr);
	fclose(in);
	return ((double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6) /
	       frames;
}
