/* The dashboard's keys, one table: the ? screen is drawn from it, `futuresboard keys` prints
 * it, and the test of the man page checks that the page's KEYS list has every row, so the
 * three cannot drift apart. The dispatch in dashboard.c follows the same groups. */
#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "ui.h"

const UiKey ui_keys[] = {
        {"every screen", "1 2 3 4 5 6",
         "timeframe 1m 5m 15m 1h 4h 1d (a missing one says what is stored)"},
        {"every screen", "Tab", "the next timeframe collected"},
        {"every screen", "? F1", "this list of keys"},
        {"every screen", "Esc", "back to the table (on the table: clear the filter)"},
        {"every screen", "q F10", "quit (q on the table; F10 anywhere); q elsewhere goes back"},
        {"every screen", "j k, arrows", "move the cursor"},
        {"every screen", "PgUp PgDn, Ctrl-B Ctrl-F", "a page up or down"},
        {"every screen", "g G, Home End", "the first or last row"},
        {"every screen", "wheel", "scroll"},
        {"every screen", "p", "pause the view (live, demo, attach); the feed keeps collecting"},
        {"table", "Enter", "the detail charts of the symbol under the cursor"},
        {"table", "< , .", "move the sort column left or right"},
        {"table", "> F6", "a menu of every column to sort by"},
        {"table", "t F5", "a menu of the timeframes"},
        {"table", "I i", "invert the sort"},
        {"table", "s P % d V o O f l b r z n",
         "sort by symbol, price, change, 24h change, volume, OI, OI change, funding, LS, "
         "imbalance, RSI, z, next funding (again: invert)"},
        {"table", "click", "a click on a column title sorts by it"},
        {"table", "/ F4", "filter the symbols as you type (Enter keeps, Esc clears)"},
        {"table", "F3", "search: the cursor jumps to a symbol as you type"},
        {"table", "C", "choose the columns (saved to the user config)"},
        {"table", "w", "watch or unwatch any symbol: collected, shown first, saved"},
        {"table", "e", "export the table as shown to CSV, at full precision"},
        {"table", "c", "the correlation heatmap"},
        {"table", "m", "the movers"},
        {"table", "a", "the alert log"},
        {"table", "h", "the feed's health"},
        {"table", "L", "liquidations: the last hour's forced orders as a tape and totals"},
        {"table", "v", "venues: each symbol's mark, OI, funding and volume by exchange"},
        {"table", "R", "the backtest runs; Enter: a run's equity and drawdown"},
        {"detail", "h l, arrows", "move the cursor through the candles"},
        {"detail", "H L", "the first or the newest candle"},
        {"detail", "t", "candles, or a line with Bollinger bands"},
        {"detail", "j k", "the previous or next symbol"},
        {"detail", "e", "export the series (every feature column) to CSV"},
        {"heatmap", "h j k l, arrows", "move the cell cursor (rows and columns scroll)"},
        {"replay", "space", "play or pause"},
        {"replay", "+ -", "double or halve the speed (1x to 10000x)"},
        {"replay", "[ ], arrows", "one candle of the timeframe back or forward"},
        {"replay", "g", "jump to a time: 2025-01-31 12:00, -3d, +2h"},
};
const int ui_nkeys = (int)(sizeof ui_keys / sizeof ui_keys[0]);

void ui_print_keys(FILE *out)
{
	for (int i = 0; i < ui_nkeys; i++)
		fprintf(out, "%-13s %-26s %s\n", ui_keys[i].screen, ui_keys[i].keys,
		        ui_keys[i].what);
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

int ui_help_lines(void)
{
	char buf[8];
	int n = 0;
	while (help_line(n, buf, sizeof buf))
		n++;
	return n;
}

void ui_help(Ui *u, const QuantSnapshot *s, int H, int W)
{
	int n = ui_help_lines(), rows = H - 3 > 0 ? H - 3 : 1;
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
