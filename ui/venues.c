/* The venue screen (v): each symbol's mark price, open interest, funding and 24h volume on
 * every exchange the collector follows, then the sums and spreads across them (the engine's
 * columns across exchanges). Marks, this exchange's too (not its last trade: the spread is of
 * marks), are each exchange's own (SHIB1000USDT quotes 1,000 SHIB), funding
 * per the exchange's own period with the period beside it. The "all" line: open interest and
 * 24h volume summed, funding per 8 h weighted by open interest, and the other exchanges'
 * spreads against this one: mark (in the MARK column, per base unit) and funding per 8 h
 * (fspread, in the SYMBOL column): every column holds what its title says or a spread of it.
 * An exchange's line whose part is not fresh (the engine's rule), this one's own too, is
 * dimmed, with the age of its older value at its end, and left out of the "all" line's sums.
 * From the snapshot alone. Main thread. */
#include <curses.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ui.h"

/* one line: exchange, symbol, mark, OI$, funding, its period, 24h volume */
static void line_of(char *out, size_t len, const char *ex, const char *sym, double px, int dp,
                    double oi, double fund, double per_h, double vol)
{
	char p[40], o[16], f[16], per[16] = "-", v[16];
	ui_fmt_price(p, sizeof p, px, dp);
	ui_fmt(o, sizeof o, F_MONEY, oi);
	ui_fmt(f, sizeof f, F_PCT, fund);
	if (isfinite(per_h) && per_h > 0)
		snprintf(per, sizeof per, "%gh", per_h);
	ui_fmt(v, sizeof v, F_MONEY, vol);
	snprintf(out, len, " %-12.12s %-14.14s %12s %8s %9s %4s %8s", ex, sym, p, o, f, per, v);
}

void ui_venues(Ui *u, const QuantSnapshot *s, int H, int W)
{
	erase();
	ui_header(u, s, W, "venues");
	int n = s ? s->nrows : 0, lines = 0;
	for (int r = 0; r < n; r++)
		lines += 2 + s->rows[r].nvenues;
	int rows = H - 4 > 1 ? H - 4 : 1;
	if (u->vscroll > lines - rows)
		u->vscroll = lines - rows > 0 ? lines - rows : 0;
	if (u->vscroll < 0)
		u->vscroll = 0;
	ui_hint(u, H, W, " j k PgUp PgDn scroll  Esc back", lines ? u->vscroll + 1 : 0, lines);
	if (!n) {
		mvaddnstr(2, 1, "no snapshot yet", W - 1);
		return;
	}
	int venues = 0;
	for (int r = 0; r < n; r++)
		venues |= s->rows[r].nvenues > 0;
	mvaddnstr(1, 0,
	          venues ? " all: sums, FUND% per 8 h by OI; MARK: its spread; fspread: funding/8h"
	                 : " one exchange: [exchanges] enabled = binance bybit collects both",
	          W);
	attron(A_BOLD | A_UNDERLINE);
	mvprintw(2, 0, " %-12s %-14s %12s %8s %9s %4s %8s", "EXCHANGE", "SYMBOL", "MARK", "OI$",
	         "FUND%", "PER", "VOL$");
	attroff(A_BOLD | A_UNDERLINE);
	char line[256];
	int y = 3, k = 0, stale = 0;
	for (int r = 0; r < n && y < H - 1; r++) {
		const QuantTopRow *t = &s->rows[r];
		for (int j = -1; j <= t->nvenues && y < H - 1; j++, k++) {
			if (k < u->vscroll)
				continue;
			if (j < t->nvenues) {
				/* this exchange's own row: open interest as the sum counts it,
				 * contracts times mark */
				const QuantVenueRow *v = j >= 0 ? &t->venue[j] : NULL;
				int64_t at;
				if (v) {
					line_of(line, sizeof line, v->venue, v->symbol, v->mark,
					        t->price_dp, v->oi_value, v->funding,
					        v->funding_interval_h, v->quote_volume_24h);
					at = v->updated_ms;
					stale = v->stale;
				} else {
					line_of(line, sizeof line, u->d->exchange, t->symbol,
					        t->mark, t->price_dp,
					        isfinite(t->oi * t->mark) ? t->oi * t->mark
					                                  : t->oi_value,
					        t->funding, t->funding_interval_h,
					        t->quote_volume_24h);
					at = t->own_ms;
					stale = t->own_stale && t->nvenues > 0;
				}
				int64_t age = (int64_t)t->updated_ms - at;
				if (stale && !at) { /* its volume, say, but no mark or OI yet */
					size_t len = strlen(line);
					snprintf(line + len, sizeof line - len, " waiting");
				} else if (stale) {
					long long m = (long long)(age / 60000);
					size_t len = strlen(line);
					snprintf(line + len, sizeof line - len, " %lld%s old",
					         m < 120    ? m
					         : m < 2880 ? m / 60
					                    : m / 1440,
					         m < 120    ? "m"
					         : m < 2880 ? "h"
					                    : "d");
				}
			} else { /* the sums, and the others' spreads against this exchange */
				char o[16], f[16], sp[16], ps[16], fs[24], vo[16];
				ui_fmt(o, sizeof o, F_MONEY, t->oi_all);
				ui_fmt(f, sizeof f, F_PCT, t->funding_all);
				ui_fmt(sp, sizeof sp, F_PCT, t->funding_spread);
				ui_fmt(ps, sizeof ps, F_PCT, t->price_spread);
				/* the volume too only while every part is known and fresh */
				double vol = t->own_stale ? NAN : t->quote_volume_24h;
				for (int i = 0; i < t->nvenues; i++)
					vol = t->venue[i].stale
					              ? NAN
					              : vol + t->venue[i].quote_volume_24h;
				ui_fmt(vo, sizeof vo, F_MONEY, vol);
				snprintf(fs, sizeof fs, "fspread %s", sp);
				snprintf(line, sizeof line, " %-12s %-14s %11s%% %8s %9s %4s %8s",
				         "all", fs, ps, o, f, "8h", vo);
			}
			ui_clean(line);
			int attr = stale   ? (u->color ? COLOR_PAIR(P_DIM) : A_DIM)
			           : j < 0 ? A_BOLD
			                   : 0;
			attron(attr);
			mvaddnstr(y++, 0, line, W);
			attroff(attr);
			stale = 0;
		}
	}
}
