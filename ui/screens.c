/* The dashboard's other screens: the detail charts of one symbol (from a replay of the store
 * through the engine, so every point is what the engine computed at that candle), the
 * correlation heatmap, the movers, the feed health and the column chooser. */
#include <curses.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/strbuf.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"
#include "quant/features.h"
#include "store/store.h"
#include "ui.h"

#define HIST_MAX 1024

static const QuantTopRow *find_row(const QuantSnapshot *s, const char *sym)
{
	for (int r = 0; s && r < s->nrows; r++)
		if (strcmp(s->rows[r].symbol, sym) == 0)
			return &s->rows[r];
	return NULL;
}

void ui_detail_load(Ui *u, const QuantSnapshot *s, int force)
{
	if (!s || u->tf >= s->nintervals)
		return;
	const QuantTopRow *row = find_row(s, u->dsym);
	int64_t want = row ? row->tf[u->tf].open_time : 0;
	if (!force && u->hist_tf == u->tf) {
		if (u->nhist > 0 && u->hist[u->nhist - 1].open_time >= want)
			return;
		if (u->hist_tried_ms && fb_mono_ms() - u->hist_tried_ms < 2000)
			return; /* the store is behind the engine: try again in a while */
	}
	u->hist_tried_ms = fb_mono_ms();
	u->hist_tf = u->tf;
	u->nhist = 0;
	u->derr[0] = '\0';
	if (!u->hist)
		u->hist = xcalloc(HIST_MAX, sizeof *u->hist);
	const char *iv = s->intervals[u->tf];
	snprintf(u->div, sizeof u->div, "%s", iv);
	const CliDashboard *d = u->d;
	const char *db = d->player ? player_db_path(d->player) : d->db_path;
	const char *ex = d->player ? player_exchange(d->player) : d->exchange;
	const QuantOptions *qo = d->player ? player_options(d->player) : &d->quant;
	int64_t to = INT64_MAX;
	if (d->player) /* candles closed by the clock: open time <= clock - interval */
		to = player_time(d->player) - fb_interval_ms(iv) + 1;
	if (!db) {
		snprintf(u->derr, sizeof u->derr, "no database in this mode");
		return;
	}
	char err[512];
	/* the replay's own reader (the file or the cluster store), else the file */
	Store *st = d->player ? NULL : store_open(db, STORE_READONLY, 2000, err, sizeof err);
	StoreReader *rd = d->player ? player_reader(d->player) : st ? store_reader(st) : NULL;
	int n = rd ? features_history(rd, ex, u->dsym, iv, qo, to, u->hist, HIST_MAX, err,
	                              sizeof err)
	           : -1;
	venue_history_free(u->vh, u->nvh);
	u->nvh = 0;
	if (n > 0) { /* the same instrument on the other exchanges stored, along these candles */
		int64_t *t = xcalloc((size_t)n, sizeof *t);
		for (int i = 0; i < n; i++)
			t[i] = u->hist[i].open_time;
		int nv = venue_history(rd, ex, u->dsym, t, n, fb_interval_ms(iv), u->vh,
		                       VENUE_HIST_MAX, err, sizeof err);
		free(t);
		if (nv < 0)
			n = -1;
		else
			u->nvh = nv;
	}
	store_close(st);
	if (n < 0) {
		snprintf(u->derr, sizeof u->derr, "%s", err);
		ui_clean(u->derr);
		return;
	}
	u->nhist = n;
	if (u->dcursor >= n)
		u->dcursor = -1;
}

int ui_detail_export(Ui *u, char *path, size_t len)
{
	if (u->nhist == 0) {
		snprintf(path, len, "no series to export yet");
		return -1;
	}
	char name[64];
	snprintf(name, sizeof name, "%s-%s", u->dsym, u->div);
	FILE *f = ui_csv_open(name, ui_view_time(u), path, len);
	if (!f)
		return -1;
	fprintf(f, "%s\r\n", features_header());
	int bad = 0;
	for (int i = 0; i < u->nhist && !bad; i++)
		bad = features_write_row(f, &u->hist[i]);
	return ui_csv_close(f, bad, path, len);
}

typedef struct {
	const char *name;
	size_t off; /* into QuantValues */
	int fmt;
	int centred; /* fill from zero */
} Panel;

static const Panel panels[] = {
        {"PRICE", offsetof(QuantValues, close), F_PRICE, 0},
        {"OI", offsetof(QuantValues, oi), F_MONEY, 0},
        {"LS", offsetof(QuantValues, ls_ratio), F_RATIO, 0},
        {"FUND%", offsetof(QuantValues, funding), F_PCT, 1},
        {"CVD$", offsetof(QuantValues, cvd), F_MONEY, 0},
        {"IMB", offsetof(QuantValues, imbalance), F_RATIO, 1},
        {"RSI", offsetof(QuantValues, rsi), F_NUM1, 0},
        {"Z", offsetof(QuantValues, zscore), F_NUM1, 1},
};
#define NPANELS ((int)(sizeof panels / sizeof *panels))

static double field(const QuantValues *v, size_t off)
{
	return *(const double *)((const char *)v + off);
}

static const char *const eighths[] = {" ",      "\u2581", "\u2582", "\u2583", "\u2584",
                                      "\u2585", "\u2586", "\u2587", "\u2588"};

void ui_fill_column(Ui *u, int y0, int rows, int x, int level)
{
	for (int r = 0; r < rows; r++) {
		int cell = level - r * 8; /* eighths filled in this row, from the bottom */
		int k = cell >= 8 ? 8 : cell <= 0 ? 0 : cell;
		if (k == 0)
			break;
		if (u->utf8)
			mvaddstr(y0 + rows - 1 - r, x, eighths[k]);
		else
			mvaddch(y0 + rows - 1 - r, x, k >= 6 ? '#' : k >= 3 ? '+' : '.');
	}
}

/* An area chart of x[0 .. n) in rows [y0, y0 + rows), columns [x0, x0 + n): scaled to the
 * values' own range, or to [lo, hi] when both are finite (a scale shared between panels). */
static void area(Ui *u, const double *x, int n, int centred, double lo, double hi, int y0, int rows,
                 int x0)
{
	if (!isfinite(lo) || !isfinite(hi)) {
		lo = INFINITY, hi = -INFINITY;
		for (int i = 0; i < n; i++)
			if (isfinite(x[i]))
				lo = fmin(lo, x[i]), hi = fmax(hi, x[i]);
	}
	if (!isfinite(lo)) {
		mvaddstr(y0, x0, "(no data)");
		return;
	}
	if (centred)
		lo = fmin(lo, 0), hi = fmax(hi, 0);
	if (hi == lo)
		hi = lo + 1;
	int levels = rows * 8;
	for (int i = 0; i < n; i++) {
		double v = x[i];
		if (!isfinite(v))
			continue;
		int level = (int)lround((v - lo) / (hi - lo) * (levels - 1)) + 1;
		int pair = centred ? (v >= 0 ? P_UP : P_DOWN) : P_INFO;
		if (u->color)
			attron(COLOR_PAIR(pair));
		ui_fill_column(u, y0, rows, x0 + i, level);
		if (u->color)
			attroff(COLOR_PAIR(pair));
	}
}

/* Price as candles or a line with Bollinger bands. */
static void price_chart(Ui *u, const QuantValues *h, int n, int y0, int rows, int x0)
{
	double lo = INFINITY, hi = -INFINITY;
	for (int i = 0; i < n; i++) {
		const QuantValues *v = &h[i];
		double a = u->candles ? v->low : v->close, b = u->candles ? v->high : v->close;
		if (!u->candles && isfinite(v->boll_low))
			a = fmin(a, v->boll_low), b = fmax(b, v->boll_up);
		if (isfinite(a))
			lo = fmin(lo, a), hi = fmax(hi, b);
	}
	if (!isfinite(lo))
		return;
	if (hi == lo)
		hi = lo * 1.001 + 1e-12;
#define ROW(p) (y0 + (int)lround((hi - (p)) / (hi - lo) * (rows - 1)))
	for (int i = 0; i < n; i++) {
		const QuantValues *v = &h[i];
		if (!isfinite(v->close))
			continue;
		if (!u->candles) {
			if (isfinite(v->boll_up)) {
				if (u->color)
					attron(COLOR_PAIR(P_DIM));
				mvaddstr(ROW(v->boll_up), x0 + i, u->utf8 ? "\u00b7" : ".");
				mvaddstr(ROW(v->boll_low), x0 + i, u->utf8 ? "\u00b7" : ".");
				if (u->color)
					attroff(COLOR_PAIR(P_DIM));
			}
			mvaddstr(ROW(v->close), x0 + i, u->utf8 ? "\u2022" : "*");
			continue;
		}
		int up = v->close >= v->open;
		if (u->color)
			attron(COLOR_PAIR(up ? P_UP : P_DOWN));
		for (int y = ROW(v->high); y <= ROW(v->low); y++)
			mvaddstr(y, x0 + i, u->utf8 ? "\u2502" : "|");
		for (int y = ROW(fmax(v->open, v->close)); y <= ROW(fmin(v->open, v->close)); y++)
			mvaddstr(y, x0 + i,
			         u->utf8 ? (up || u->color ? "\u2588" : "\u2591")
			                 : (up ? "#" : "="));
		if (u->color)
			attroff(COLOR_PAIR(up ? P_UP : P_DOWN));
	}
#undef ROW
}

/* The price precision of the detail's symbol: the decimals its candles carry. */
static int hist_decimals(const Ui *u, const QuantSnapshot *s)
{
	const QuantTopRow *row = find_row(s, u->dsym);
	int dp = row ? row->price_dp : 0;
	for (int i = u->nhist > 200 ? u->nhist - 200 : 0; i < u->nhist; i++) {
		const QuantValues *v = &u->hist[i];
		const double px[4] = {v->open, v->high, v->low, v->close};
		for (int k = 0; k < 4; k++) {
			int d = quant_price_decimals(px[k]);
			dp = d > dp ? d : dp;
		}
	}
	return dp;
}

/* A panel of the detail screen: its label, the value at the cursor, the window's values. */
typedef struct {
	char name[48];
	int fmt, centred;
	double val;
	const double *x; /* NULL: the price chart */
	double lo, hi;   /* a shared scale, or NAN: the values' own */
	int shared;      /* on the funding panels' shared scale */
} Drawn;

/* The label column: the name, then the value below it, or beside it on a one-row panel. */
static void panel_label(const char *name, const char *val, int y, int rows, int lw)
{
	int vw = (int)strlen(val);
	attron(A_BOLD);
	mvaddnstr(y, 0, name, rows >= 2 ? lw - 1 : lw - 2 - vw > 1 ? lw - 2 - vw : 1);
	attroff(A_BOLD);
	if (rows >= 2)
		mvaddnstr(y + 1, 1, val, lw - 1);
	else
		mvaddnstr(y, lw - 1 - vw > 1 ? lw - 1 - vw : 1, val, lw - 2);
}

void ui_detail(Ui *u, const QuantSnapshot *s, int H, int W)
{
	erase();
	ui_header(u, s, W, "detail");
	const char *iv = s && u->tf < s->nintervals ? s->intervals[u->tf] : "-";
	char line[512];
	ui_hint(u, H, W,
	        " h l, arrows cursor  H L ends  t candles/line  j k symbol  1-6 tf  e export  "
	        "Esc back",
	        0, 0);
	if (u->derr[0] || u->nhist == 0) {
		snprintf(line, sizeof line, " %s %s: %.400s", u->dsym, iv,
		         u->derr[0] ? u->derr : "no closed candles stored yet");
		mvaddnstr(2, 0, line, W);
		return;
	}
	/* with another exchange stored: open interest and funding per exchange, a panel each */
	int nv = u->nvh >= 2 ? u->nvh : 0;
	const int LW = nv ? 20 : 14;
	int cw = W - LW - 1;
	if (cw < 8 || H < 12) {
		mvaddnstr(2, 0, " the terminal is too small for the charts", W);
		return;
	}
	int cur = u->dcursor < 0 || u->dcursor >= u->nhist ? u->nhist - 1 : u->dcursor;
	int end = u->nhist;
	if (cur < end - cw)
		end = cur + cw;
	int start = end - cw > 0 ? end - cw : 0;
	int n = end - start;
	const QuantValues *h = u->hist + start, *v = &u->hist[cur];
	char t[32], o[32], hh[32], l[32], c[32];
	fb_time_format(v->open_time, t, sizeof t);
	int dp = hist_decimals(u, s);
	ui_fmt_price(o, sizeof o, v->open, dp);
	ui_fmt_price(hh, sizeof hh, v->high, dp);
	ui_fmt_price(l, sizeof l, v->low, dp);
	ui_fmt_price(c, sizeof c, v->close, dp);
	const QuantTopRow *row = find_row(s, u->dsym);
	char fin[32] = "-";
	if (row)
		ui_countdown(u, fin, sizeof fin, row->next_funding_time);
	snprintf(line, sizeof line,
	         " %s %s  %.16s  O %s H %s L %s C %s  %s %s  %d candles  funding in %s", u->dsym,
	         iv, t, o, hh, l, c, quant_trend_name((int)v->trend),
	         quant_volr_name((int)v->vol_regime), u->nhist, fin);
	attron(A_BOLD);
	mvaddnstr(1, 0, line, W);
	attroff(A_BOLD);
	int np = NPANELS + (nv ? 2 * nv - 2 : 0);
	Drawn *pl = xcalloc((size_t)np, sizeof *pl);
	double *buf = xcalloc((size_t)NPANELS * (size_t)(n > 0 ? n : 1), sizeof *buf);
	double flo = INFINITY, fhi = -INFINITY; /* the funding panels share one scale */
	int m = 0;
	for (int p = 0; p < NPANELS; p++) {
		size_t off = panels[p].off;
		int per = nv && (off == offsetof(QuantValues, oi) ||
		                 off == offsetof(QuantValues, funding));
		for (int k = 0; k < (per ? nv : 1); k++, m++) {
			Drawn *d = &pl[m];
			d->fmt = panels[p].fmt;
			d->centred = panels[p].centred;
			d->lo = d->hi = NAN;
			if (!per) {
				snprintf(d->name, sizeof d->name, "%s", panels[p].name);
				d->val = field(v, off);
				if (p > 0) {
					for (int i = 0; i < n; i++)
						buf[(size_t)p * (size_t)n + (size_t)i] =
						        field(&h[i], off);
					d->x = buf + (size_t)p * (size_t)n;
				}
				continue;
			}
			const VenueHist *e = &u->vh[k];
			int oi = off == offsetof(QuantValues, oi);
			const double *all = oi ? e->oi_usd : e->funding8;
			/* the kind on the first exchange's panel, the others indented under it */
			snprintf(d->name, sizeof d->name, "%s %s",
			         k    ? ""
			         : oi ? "OI$"
			              : "FUND8h",
			         e->exchange);
			ui_clean(d->name);
			d->fmt = oi ? F_MONEY : F_PCT;
			d->val = all[cur];
			d->x = all + start;
			d->shared = !oi;
			for (int i = 0; !oi && i < n; i++)
				if (isfinite(d->x[i]))
					flo = fmin(flo, d->x[i]), fhi = fmax(fhi, d->x[i]);
		}
	}
	for (int p = 0; p < np; p++)
		if (pl[p].shared)
			pl[p].lo = flo, pl[p].hi = fhi;
	int avail = H - 3;
	int k = (avail - avail / 3) / (np - 1);
	if (k < 1)
		k = 1;
	int prows = avail - k * (np - 1);
	if (prows < 2)
		prows = 2; /* the last panels fall off a short terminal */
	int y = 2;
	for (int p = 0; p < np && y < H - 1; p++) {
		int rows = p == 0 ? prows : k;
		if (y + rows > H - 1)
			rows = H - 1 - y;
		char val[32];
		if (pl[p].fmt == F_PRICE)
			ui_fmt_price(val, sizeof val, pl[p].val, dp);
		else
			ui_fmt(val, sizeof val, pl[p].fmt, pl[p].val);
		panel_label(pl[p].name, val, y, rows, LW);
		if (p == 0 && rows >= 4 && isfinite(v->boll_up)) {
			char bu[32], bl[32];
			ui_fmt_price(bu, sizeof bu, v->boll_up, dp);
			ui_fmt_price(bl, sizeof bl, v->boll_low, dp);
			snprintf(line, sizeof line, "BB %s", bu);
			mvaddnstr(y + 2, 1, line, LW - 1);
			snprintf(line, sizeof line, "   %s", bl);
			mvaddnstr(y + 3, 1, line, LW - 1);
		}
		if (p == 0)
			price_chart(u, h, n, y, rows, LW);
		else
			area(u, pl[p].x, n, pl[p].centred, pl[p].lo, pl[p].hi, y, rows, LW);
		y += rows;
	}
	free(pl);
	free(buf);
	/* the cursor: a reversed column through every chart */
	for (int yy = 2; yy < y; yy++)
		mvchgat(yy, LW + (cur - start), 1, A_REVERSE, 0, NULL);
}

void ui_corr(Ui *u, const QuantSnapshot *s, int H, int W)
{
	erase();
	ui_header(u, s, W, "correlation");
	int n = s && s->corr[u->tf] ? s->nrows : 0;
	ui_hint(u, H, W, " h j k l, arrows, PgUp PgDn, Home End move  1-6 tf  q back",
	        n ? u->cy + 1 : 0, n);
	if (!n) {
		mvaddnstr(2, 1, "no snapshot yet", W - 1);
		return;
	}
	const double *m = s->corr[u->tf];
	mvaddnstr(1, 0, " correlation of log returns over the latest candles (x100)", W);
	const int LW = 9, CW = 4;
	/* rows and columns scroll so that the cursor cell is always on screen */
	int vrows = H - 5, vcols = (W - LW) / CW;
	u->cy0 = ui_list_scroll(u->cy0, &u->cy, n, vrows);
	u->cx0 = ui_list_scroll(u->cx0, &u->cx, n, vcols);
	for (int b = u->cx0; b < n && LW + (b - u->cx0 + 1) * CW <= W; b++) { /* heads */
		char head[4];
		snprintf(head, sizeof head, "%.3s", s->rows[b].symbol);
		if (b == u->cx)
			attron(A_BOLD);
		mvaddstr(2, LW + (b - u->cx0) * CW + 1, head);
		attroff(A_BOLD);
	}
	for (int a = u->cy0; a < n && 3 + a - u->cy0 < H - 2; a++) {
		const char *sym = s->rows[a].symbol;
		size_t len = strlen(sym);
		if (len > 4 && strcmp(sym + len - 4, "USDT") == 0)
			len -= 4; /* the quote asset says nothing here */
		char label[16];
		snprintf(label, sizeof label, "%.*s", (int)len, sym);
		if (a == u->cy)
			attron(A_BOLD);
		mvaddnstr(3 + a - u->cy0, 0, label, LW - 1);
		attroff(A_BOLD);
		for (int b = u->cx0; b < n && LW + (b - u->cx0 + 1) * CW <= W; b++) {
			double c = m[a * n + b];
			char cell[8];
			if (a == b)
				snprintf(cell, sizeof cell, "  ==");
			else if (!isfinite(c))
				snprintf(cell, sizeof cell, "   .");
			else /* signed, with a space between cells: readable without colours */
				snprintf(cell, sizeof cell, " %+3.0f",
				         fmax(-99, fmin(99, c * 100)));
			int attr = (u->color ? COLOR_PAIR(ui_heat_pair(a == b ? 1 : c)) : 0) |
			           (a == u->cy && b == u->cx ? A_REVERSE | A_BOLD : 0);
			attron(attr);
			mvaddstr(3 + a - u->cy0, LW + (b - u->cx0) * CW, cell);
			attroff(attr);
		}
	}
	double c = m[u->cy * n + u->cx];
	char line[160], val[64];
	if (isfinite(c))
		snprintf(val, sizeof val, "%+.3f", c);
	else
		snprintf(val, sizeof val, "not known (fewer than 3 common returns)");
	snprintf(line, sizeof line, " %s x %s: %s", s->rows[u->cy].symbol, s->rows[u->cx].symbol,
	         val);
	mvaddnstr(H - 2, 0, line, W);
}

typedef struct {
	const QuantTopRow *row;
	double v;
} Mover;

static int by_v(const void *a, const void *b)
{
	const Mover *x = a, *y = b;
	if (isnan(x->v) || isnan(y->v))
		return isnan(x->v) - isnan(y->v);
	return x->v < y->v ? 1 : x->v > y->v ? -1 : strcmp(x->row->symbol, y->row->symbol);
}

static void mover_panel(Ui *u, const QuantSnapshot *s, int which, const char *title, int x0, int w,
                        int H)
{
	Mover mv[256];
	int n = s->nrows < 256 ? s->nrows : 256;
	double max = 0;
	for (int r = 0; r < n; r++) {
		mv[r].row = &s->rows[r];
		mv[r].v = ui_value(&s->rows[r], u->tf, which);
		if (isfinite(mv[r].v))
			max = fmax(max, fabs(mv[r].v));
	}
	qsort(mv, (size_t)n, sizeof *mv, by_v);
	attron(A_BOLD);
	mvaddnstr(2, x0, title, w);
	attroff(A_BOLD);
	int barw = w - 21;
	for (int r = u->mscroll; r < n && 3 + r - u->mscroll < H - 1; r++) {
		char val[16];
		ui_fmt(val, sizeof val, F_PCT, mv[r].v);
		mvprintw(3 + r - u->mscroll, x0, "%-12.12s%7s ", mv[r].row->symbol, val);
		if (!isfinite(mv[r].v) || max == 0 || barw < 1)
			continue;
		int len = (int)lround(fabs(mv[r].v) / max * barw);
		ui_sign_attr(u, mv[r].v, 1);
		for (int i = 0; i < len; i++)
			addstr(u->utf8 ? "\u2588" : (mv[r].v > 0 ? "+" : "-"));
		ui_sign_attr(u, mv[r].v, 0);
	}
}

void ui_movers(Ui *u, const QuantSnapshot *s, int H, int W)
{
	erase();
	ui_header(u, s, W, "movers");
	int n = s ? s->nrows : 0;
	u->mscroll = ui_list_scroll(u->mscroll, &u->mscroll, n, 1);
	ui_hint(u, H, W, " j k PgUp PgDn scroll  1-6 tf  Esc back", n ? u->mscroll + 1 : 0, n);
	if (!s || s->nrows == 0) {
		mvaddnstr(2, 1, "no snapshot yet", W - 1);
		return;
	}
	char t1[64], t2[64];
	snprintf(t1, sizeof t1, "change over the last %s candle", s->intervals[u->tf]);
	snprintf(t2, sizeof t2, "open interest change, %s", s->intervals[u->tf]);
	mover_panel(u, s, C_CHANGE, t1, 0, W / 2 - 1, H);
	mover_panel(u, s, C_OICHG, t2, W / 2 + 1, W - W / 2 - 1, H);
}

void ui_health(Ui *u, const QuantSnapshot *s, int H, int W)
{
	erase();
	ui_header(u, s, W, "health");
	ui_hint(u, H, W, " j k PgUp PgDn scroll  Esc back", 0, 0);
	StrBuf b = {0};
	if (u->d->health)
		u->d->health(u->d->health_arg, &b);
	else if (u->d->player) {
		char a[32], e[32], t[32];
		strbuf_printf(&b, "replay of %s (%s)\nclock %s\nfrom  %s\nto    %s\nspeed %gx%s\n",
		              player_db_path(u->d->player), player_exchange(u->d->player),
		              fb_time_format(player_time(u->d->player), t, sizeof t),
		              fb_time_format(player_start(u->d->player), a, sizeof a),
		              fb_time_format(player_end(u->d->player), e, sizeof e), u->speed,
		              u->playing ? ", playing" : ", paused");
	} else
		strbuf_printf(&b, "no feed health in this mode\n");
	int y = 2, line = 0;
	for (char *save, *l = strtok_r(b.p ? b.p : (char[]){""}, "\n", &save); l && y < H - 1;
	     l = strtok_r(NULL, "\n", &save), line++) {
		if (line < u->hscroll)
			continue;
		ui_clean(l);
		mvaddnstr(y++, 1, l, W - 1);
	}
	free(b.p);
}

void ui_columns(Ui *u, const QuantSnapshot *s, int H, int W)
{
	erase();
	ui_header(u, s, W, "columns");
	mvaddnstr(1, 0, " the table's columns (SYMBOL always shows); narrow terminals drop some",
	          W);
	int rows = H - 4 > 1 ? H - 4 : 1; /* lines 3 .. H - 2; scrolled to keep the cursor */
	int top = u->ccur >= rows ? u->ccur - rows + 1 : 0;
	for (int c = 1 + top; c < NCOLS && c - top + 2 < H - 1; c++) {
		char line[80];
		snprintf(line, sizeof line, " [%c] %-8s %s", u->show[c] ? 'x' : ' ',
		         c == C_SPARK ? "~~~" : ui_cols[c].title, ui_cols[c].name);
		if (c - 1 == u->ccur)
			attron(A_REVERSE);
		mvaddnstr(c - top + 2, 0, line, W);
		attroff(A_REVERSE);
	}
	ui_hint(u, H, W, " j k move  space toggle  Esc save and back", u->ccur + 1, NCOLS - 1);
}

int ui_detail_key(Ui *u, int ch)
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
	} else
		return 0;
	return 1;
}
