/* The main screen: the top table of the engine's latest snapshot. Columns fill the width by
 * priority, narrowing before they are dropped; rows are sorted (ties by symbol) except for a
 * few seconds after the cursor moved; the filter; the column chooser's choice; the sort and
 * timeframe menus; the CSV export of the view. Symbols come from the engine, which admits
 * only letters and digits. Main thread. */
#include <curses.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <ctype.h>

#include "core/config.h"
#include "core/timeutil.h"
#include "ui.h"

static int sort_tf, sort_c, sort_inv;

const Column ui_cols[NCOLS] = {
        [C_SYMBOL] = {"SYMBOL", "symbol", 12, 12, 0, 0, 's'},
        [C_PRICE] = {"PRICE", "price", 12, 8, 0, F_PRICE, 'P'},
        [C_CHANGE] = {"CHG%", "change", 7, 6, 1, F_PCT, '%'},
        [C_CHANGE24] = {"24H%", "change_24h", 7, 6, 4, F_PCT, 'd'},
        [C_VOLUME] = {"VOL$", "volume", 7, 6, 4, F_MONEY, 'V'},
        [C_OI] = {"OI$", "oi", 7, 6, 5, F_MONEY, 'o'},
        [C_OIALL] = {"OI$ALL", "oi_all", 7, 6, 9, F_MONEY, 0},
        [C_OICHG] = {"OI%", "oi_change", 7, 6, 2, F_PCT, 'O'},
        [C_FUNDING] = {"FUND%", "funding", 8, 7, 2, F_PCT, 'f'},
        [C_FSPREAD] = {"FSPRD%", "funding_spread", 8, 7, 9, F_PCT, 0},
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

double ui_value(const QuantTopRow *r, int tf, int c)
{
	const QuantValues *v = &r->tf[tf];
	switch (c) {
	case C_PRICE: return r->last;
	case C_CHANGE: return v->change;
	case C_CHANGE24: return r->change_24h;
	case C_VOLUME: return r->quote_volume_24h;
	case C_OI: return r->oi_value;
	case C_OIALL: return r->oi_all;
	case C_OICHG: return v->oi_change;
	case C_FUNDING: return v->funding;
	case C_FSPREAD: return r->funding_spread;
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

static int cmp_rows(const void *a, const void *b)
{
	const QuantTopRow *x = *(const QuantTopRow *const *)a, *y = *(const QuantTopRow *const *)b;
	int r;
	if (x->watched != y->watched) /* the watchlist above the ranked rows */
		return y->watched - x->watched;
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
	/* the cursor stays on its symbol when rows move (a re-sort, a symbol joining) */
	if (rows && u->cursor >= 0 && u->cursor < u->nsorted)
		for (int r = 0; r < n; r++)
			if (strcmp(rows[r]->symbol, u->sorted_sym[u->cursor]) == 0) {
				u->cursor = r;
				break;
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

void ui_table(Ui *u, const QuantSnapshot *s)
{
	int H, W;
	getmaxyx(stdscr, H, W);
	erase();
	ui_header(u, s, W, "top");
	if (!s) {
		mvaddnstr(2, 1, "waiting for the first snapshot of the engine...", W - 1);
		ui_hint(u, H, W, "", 0, 0);
		ui_toasts(u, W);
		return;
	}
	char oi[16], fu[16], ls[16], line[512], tfs[96], sl[32];
	ui_fmt(oi, sizeof oi, F_MONEY, s->agg.total_oi_value);
	ui_fmt(fu, sizeof fu, F_PCT, s->agg.oi_weighted_funding);
	ui_fmt(ls, sizeof ls, F_RATIO, s->agg.volume_weighted_ls);
	snprintf(line, sizeof line,
	         " OI $%s%s   OI-wtd funding %s%%   vol-wtd LS %s   breadth %d up / %d down   "
	         "alerts 1h %d%s%s",
	         oi, s->agg.oi_stale ? "~" : "", /* an old part in it, as the table marks it */
	         fu, ls, s->agg.up, s->agg.down, ui_alerts_last_hour(),
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
		int sw = (int)strlen(rows[r]->symbol) +
		         rows[r]->watched; /* "*" marks a watched one */
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
				mvprintw(y, x, "%s%-*.*s", row->watched ? "*" : "",
				         w - row->watched, w - row->watched, row->symbol);
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
				if (row->oi_stale && (c == C_OI || c == C_OICHG) && isfinite(vv)) {
					/* an open interest whose polls stopped: dim, marked ~ */
					size_t l = strlen(cell);
					if ((int)l >= w)
						l = (size_t)w - 1;
					cell[l] = '~';
					cell[l + 1] = '\0';
					extra = A_DIM;
				}
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
	ui_toasts(u, W);
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
int ui_table_export(Ui *u, const QuantSnapshot *s, char *path, size_t len)
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

void ui_columns_choose(Ui *u, const char *list)
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

void ui_search(Ui *u)
{
	size_t n = strlen(u->input);
	for (int r = 0; n && r < u->nsorted; r++)
		for (const char *p = u->sorted_sym[r]; *p; p++)
			if (strncasecmp(p, u->input, n) == 0) {
				u->cursor = r;
				u->hold_until = fb_mono_ms() + 3000;
				return;
			}
}

void ui_watch_toggle(Ui *u, const char *symbol)
{
	char sym[FB_SYMBOL_LEN], err[600], list[CONFIG_MAX_SYMBOLS * FB_SYMBOL_LEN] = "";
	snprintf(sym, sizeof sym, "%s", symbol);
	for (char *p = sym; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	if (!records_symbol_valid(sym)) {
		snprintf(u->toast, sizeof u->toast, " not a symbol: '%.40s' ", sym);
		ui_clean(u->toast);
		u->toast_until = fb_mono_ms() + (int64_t)u->toast_s * 1000;
		return;
	}
	int at = -1;
	for (int i = 0; i < u->nwatch; i++)
		if (strcmp(u->watch[i], sym) == 0)
			at = i;
	if (at >= 0) {
		memmove(u->watch[at], u->watch[at + 1],
		        (size_t)(u->nwatch - at - 1) * FB_SYMBOL_LEN);
		u->nwatch--;
	} else if (u->nwatch < CONFIG_MAX_SYMBOLS)
		memcpy(u->watch[u->nwatch++], sym, FB_SYMBOL_LEN);
	size_t used = 0;
	for (int i = 0; i < u->nwatch; i++)
		used += (size_t)snprintf(list + used, sizeof list - used, "%s%s", i ? " " : "",
		                         u->watch[i]);
	char *path = config_user_path();
	int rc = config_save_key(path, "feed", "watchlist", list, err, sizeof err);
	if (u->d->watch)
		u->d->watch(u->d->watch_arg, (const char(*)[FB_SYMBOL_LEN])u->watch, u->nwatch);
	if (rc == 0)
		snprintf(u->toast, sizeof u->toast, " %s %s; watchlist saved to %.400s ", sym,
		         at >= 0 ? "unwatched" : "watched", path);
	else
		snprintf(u->toast, sizeof u->toast, " watchlist not saved: %.500s ", err);
	ui_clean(u->toast);
	u->toast_until = fb_mono_ms() + (int64_t)u->toast_s * 1000;
	free(path);
}

/* Saves the chosen columns to the user config. */
void ui_columns_save(Ui *u)
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

static const char *const tf_names[] = {"1m", "5m", "15m", "1h", "4h", "1d"};

void ui_timeframe_key(Ui *u, const QuantSnapshot *s, int k)
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
	/* a lower stored interval that divides it: db aggregate can build it */
	const char *lower = NULL;
	int64_t want = fb_interval_ms(tf_names[k]);
	for (int i = 0; s && i < s->nintervals; i++) {
		int64_t ms = fb_interval_ms(s->intervals[i]);
		if (ms > 0 && ms < want && want % ms == 0)
			lower = s->intervals[i];
	}
	char hint[96] = "";
	if (lower && u->d->player)
		snprintf(hint, sizeof hint, "; db aggregate --to %s builds them from %s",
		         tf_names[k], lower);
	snprintf(u->toast, sizeof u->toast, " no %s candles %s; collected: %s%s", tf_names[k],
	         u->d->player ? "stored" : "collected here", s ? have : "none yet", hint);
	u->toast_until = fb_mono_ms() + (int64_t)u->toast_s * 1000;
}

void ui_table_key(Ui *u, const QuantSnapshot *s, int ch)
{
	int n = u->nsorted, page = u->table_rows > 1 ? u->table_rows - 1 : 1;
	if (ch == '\n' || ch == '\r' || ch == KEY_ENTER) {
		if (s && u->cursor < u->nsorted) {
			memcpy(u->dsym, u->sorted_sym[u->cursor], sizeof u->dsym);
			u->dcursor = -1;
			u->screen = SCREEN_DETAIL;
			ui_detail_load(u, s, 1);
		}
	} else if (ch == '/' || ch == KEY_F(4)) {
		u->prompt = '/';
		snprintf(u->input, sizeof u->input, "%s", u->filter);
	} else if (ch == KEY_F(3)) { /* search: the cursor jumps to a symbol as you type */
		u->prompt = 'f';
		u->input[0] = '\0';
	} else if (ch == 'w') { /* watch or unwatch a symbol; the cursor's is offered */
		u->prompt = 'w';
		snprintf(u->input, sizeof u->input, "%s",
		         u->cursor < u->nsorted ? u->sorted_sym[u->cursor] : "");
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

void ui_menu(Ui *u, const QuantSnapshot *s, int H, int W)
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
