/* The liquidations screen (L): the forced orders the collector stored, as a tape (newest
 * first) and the last hour's totals by symbol and side, up to the time the view shows (the
 * replay clock in a replay). Read-only from the store, at most once a second. Main thread. */
#include <curses.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/timeutil.h"
#include "core/xmalloc.h"
#include "store/store.h"
#include "ui.h"

#define LIQ_MAX 2000

/* The forced orders of the hour up to `to` (exclusive of its start), newest first, at most
 * LIQ_MAX, through a reader. The count, or -1 with err. */
static int liq_from_reader(StoreReader *rd, const char *ex, int64_t to, Liquidation *out, char *err,
                           size_t errlen)
{
	StoreQuery q = store_query_all(SR_LIQUIDATIONS);
	q.exchange = ex, q.order = SR_BY_TIME;
	q.from_ms = to - 3600 * 1000 + 1, q.to_ms = to + 1;
	StoreCursor *c = store_query(rd, &q, err, errlen);
	if (!c)
		return -1;
	long seen = 0;
	int rc;
	StoreRow row;
	while ((rc = store_next(c, &row, err, errlen)) == 1) /* the newest LIQ_MAX, a ring */
		out[seen++ % LIQ_MAX] = row.u.liq;
	store_cursor_close(c);
	if (rc < 0)
		return -1;
	int n = seen < LIQ_MAX ? (int)seen : LIQ_MAX;
	Liquidation *tmp = xmalloc((size_t)(n ? n : 1) * sizeof *tmp);
	for (int i = 0; i < n; i++) /* newest first */
		tmp[i] = out[(seen - 1 - i) % LIQ_MAX];
	memcpy(out, tmp, (size_t)n * sizeof *tmp);
	free(tmp);
	return n;
}

void ui_liq_load(Ui *u)
{
	if (u->liq_loaded_ms && fb_mono_ms() - u->liq_loaded_ms < 1000)
		return;
	u->liq_loaded_ms = fb_mono_ms();
	const CliDashboard *d = u->d;
	const char *db = d->player ? player_db_path(d->player) : d->db_path;
	const char *ex = d->player ? player_exchange(d->player) : d->exchange;
	if (!u->liq)
		u->liq = xcalloc(LIQ_MAX, sizeof(Liquidation));
	u->nliq = 0;
	u->liqerr[0] = '\0';
	char err[512];
	int64_t to = ui_view_time(u);
	if (d->player) { /* the replay's own reader (the file or the cluster store) */
		int n = liq_from_reader(player_reader(d->player), ex, to, u->liq, err, sizeof err);
		if (n < 0) {
			snprintf(u->liqerr, sizeof u->liqerr, "%.250s", err);
			ui_clean(u->liqerr);
		} else
			u->nliq = n;
		return;
	}
	Store *st = db ? store_open(db, STORE_READONLY, 1000, err, sizeof err) : NULL;
	if (!st) {
		snprintf(u->liqerr, sizeof u->liqerr, "%.250s",
		         db ? err : "no database in this mode");
		ui_clean(u->liqerr);
		return;
	}
	int n = store_liquidations_recent(st, ex, to - 3600 * 1000, to, u->liq, LIQ_MAX);
	if (n < 0) {
		snprintf(u->liqerr, sizeof u->liqerr, "%s", store_errmsg(st));
		ui_clean(u->liqerr);
	} else
		u->nliq = n;
	store_close(st);
}

typedef struct {
	char symbol[FB_SYMBOL_LEN];
	double longs, shorts; /* quote notional of longs (SELL) and shorts (BUY) liquidated */
	int orders;
} LiqTotal;

static int by_total(const void *a, const void *b)
{
	const LiqTotal *x = a, *y = b;
	double tx = x->longs + x->shorts, ty = y->longs + y->shorts;
	return tx < ty ? 1 : tx > ty ? -1 : strcmp(x->symbol, y->symbol);
}

static int price_dp(const QuantSnapshot *s, const char *sym, double px)
{
	for (int r = 0; s && r < s->nrows; r++)
		if (strcmp(s->rows[r].symbol, sym) == 0)
			return s->rows[r].price_dp;
	return quant_price_decimals(px);
}

void ui_liq(Ui *u, const QuantSnapshot *s, int H, int W)
{
	erase();
	ui_header(u, s, W, "liquidations");
	const Liquidation *l = u->liq;
	int n = u->nliq;
	if (u->liqerr[0] || !n) {
		mvaddnstr(2, 1,
		          u->liqerr[0] ? u->liqerr
		                       : "no forced orders stored in the last hour (the collector "
		                         "stores !forceOrder@arr)",
		          W - 1);
		ui_hint(u, H, W, " Esc back", 0, 0);
		return;
	}
	LiqTotal *t = xcalloc((size_t)n + 1, sizeof *t);
	int nt = 0;
	double all_l = 0, all_s = 0;
	for (int i = 0; i < n; i++) {
		int k = 0;
		while (k < nt && strcmp(t[k].symbol, l[i].symbol) != 0)
			k++;
		if (k == nt)
			memcpy(t[nt++].symbol, l[i].symbol, FB_SYMBOL_LEN);
		double v = l[i].price * l[i].qty;
		if (strcmp(l[i].side, "SELL") == 0)
			t[k].longs += v, all_l += v;
		else
			t[k].shorts += v, all_s += v;
		t[k].orders++;
	}
	qsort(t, (size_t)nt, sizeof *t, by_total);
	char a[16], b[16], line[256];
	ui_fmt(a, sizeof a, F_MONEY, all_l);
	ui_fmt(b, sizeof b, F_MONEY, all_s);
	snprintf(line, sizeof line,
	         " last hour: longs liquidated $%s, shorts $%s, %d orders%s (SELL closes a long, "
	         "BUY a short)",
	         a, b, n, n == LIQ_MAX ? " (the newest 2000)" : "");
	mvaddnstr(1, 0, line, W);
	int trows = (H - 5) / 2 < nt ? (H - 5) / 2 : nt;
	attron(A_BOLD | A_UNDERLINE);
	mvprintw(2, 0, "%-12s %12s %12s %7s", "SYMBOL", "LONGS LIQ$", "SHORTS LIQ$", "ORDERS");
	attroff(A_BOLD | A_UNDERLINE);
	for (int k = 0; k < trows; k++) {
		ui_fmt(a, sizeof a, F_MONEY, t[k].longs);
		ui_fmt(b, sizeof b, F_MONEY, t[k].shorts);
		mvprintw(3 + k, 0, "%-12s %12s %12s %7d", t[k].symbol, a, b, t[k].orders);
	}
	free(t);
	int y0 = 4 + trows, rows = H - 1 - (y0 + 1);
	attron(A_BOLD | A_UNDERLINE);
	mvprintw(y0, 0, "%-19s %-12s %-6s %14s %14s %12s", "TIME (UTC)", "SYMBOL", "CLOSED",
	         "PRICE", "QTY", "NOTIONAL$");
	attroff(A_BOLD | A_UNDERLINE);
	u->qscroll = ui_list_scroll(u->qscroll, &u->qscroll, n, 1);
	if (u->qscroll > n - rows)
		u->qscroll = n - rows > 0 ? n - rows : 0;
	for (int i = u->qscroll; i < n && y0 + 1 + i - u->qscroll < H - 1; i++) {
		char ts[32], px[40], v[16];
		fb_time_format(l[i].ts, ts, sizeof ts);
		ui_fmt_price(px, sizeof px, l[i].price, price_dp(s, l[i].symbol, l[i].price));
		ui_fmt(v, sizeof v, F_MONEY, l[i].price * l[i].qty);
		int longs = strcmp(l[i].side, "SELL") == 0;
		if (u->color)
			attron(COLOR_PAIR(longs ? P_DOWN : P_UP));
		mvprintw(y0 + 1 + i - u->qscroll, 0, "%.10s %.8s %-12s %-6s %14s %14.10g %12s", ts,
		         ts + 11, l[i].symbol, longs ? "long" : "short", px, l[i].qty, v);
		if (u->color)
			attroff(COLOR_PAIR(longs ? P_DOWN : P_UP));
	}
	ui_hint(u, H, W, " j k PgUp PgDn scroll the tape  Esc back", u->qscroll + 1, n);
}

void ui_liq_free(Ui *u)
{
	free(u->liq);
	u->liq = NULL;
}
