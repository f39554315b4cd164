/* What the dashboard's screens share (main thread only): the state of the UI, the columns of
 * the table, number formats and colours. */
#ifndef FB_UI_UI_H
#define FB_UI_UI_H

#include <curses.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

#include "cli/cli.h"
#include "quant/venuehist.h"
#include "research/backtest.h"

enum { F_PRICE, F_PCT, F_MONEY, F_RATIO, F_NUM1, F_SPARK, F_PCTU, F_WHEN };

typedef struct {
	const char *title;
	const char *name; /* in ui.columns */
	int width;        /* the full width; narrow terminals narrow columns to min first */
	int min;
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
	C_OIALL,
	C_OICHG,
	C_FUNDING,
	C_FSPREAD,
	C_LS,
	C_LSCHG,
	C_IMB,
	C_CVD,
	C_RSI,
	C_Z,
	C_RV,
	C_MARK,
	C_BASIS,
	C_NEXTFUND,
	C_LIQ,
	C_SPARK,
	NCOLS
};

extern const Column ui_cols[NCOLS];

enum {
	SCREEN_TABLE,
	SCREEN_HELP,
	SCREEN_ALERTS,
	SCREEN_DETAIL,
	SCREEN_CORR,
	SCREEN_MOVERS,
	SCREEN_HEALTH,
	SCREEN_COLUMNS,
	SCREEN_RUNS,
	SCREEN_MENU, /* a pick list: menu 's' sort column, 't' timeframe */
	SCREEN_LIQ,
	SCREEN_VENUES
};

/* Colour pairs. */
enum { P_UP = 1, P_DOWN, P_WARN, P_INFO, P_BANNER, P_DIM, P_HEAT0 = 10 };
#define HEAT_STEPS 11 /* pairs P_HEAT0 .. P_HEAT0 + 10: -1 .. +1 */

typedef struct {
	const CliDashboard *d;
	int screen;
	char toast[600]; /* a message of the UI itself (export, columns) */
	int64_t toast_until;
	int toast_s;
	int tf;       /* interval index */
	int sort_col; /* column */
	int invert;
	int cursor;
	int utf8, color, colors256;
	int show[NCOLS]; /* chosen columns */
	char sorted_sym[256][FB_SYMBOL_LEN];
	int nsorted;
	int64_t hold_until; /* no re-sort under the cursor until then (ms, monotonic) */
	uint64_t drawn_gen;
	/* the bottom line as a prompt: '/' filter, 'g' replay jump */
	int prompt;
	MEVENT mouse;        /* the last mouse event (KEY_MOUSE) */
	QuantSnapshot *held; /* p: the snapshot the view is paused on (NULL: live) */
	int64_t snap_ts;     /* the shown snapshot's exchange time */
	int menu, mcur;      /* SCREEN_MENU: which, and its cursor */
	char watch[CONFIG_MAX_SYMBOLS][FB_SYMBOL_LEN]; /* the watchlist */
	int nwatch;
	/* liquidations screen: the stored forced orders of the last hour, newest first */
	void *liq; /* Liquidation[] */
	int nliq, qscroll;
	int64_t liq_loaded_ms; /* monotonic */
	char liqerr[256];
	char input[40];
	char filter[32];
	/* where the header's columns are, for the mouse */
	int head_x[NCOLS], head_c[NCOLS], nhead;
	int table_rows;    /* rows drawn */
	int top;           /* the table's first row on screen */
	int lcur, lscroll; /* alert log cursor and first row */
	int mscroll;       /* movers: first row */
	int vscroll;       /* venues: first line */
	int hrows;         /* help: first line */
	/* detail screen */
	char dsym[FB_SYMBOL_LEN];
	QuantValues *hist;
	int nhist;
	int64_t hist_tried_ms; /* monotonic, last load */
	int hist_tf;           /* the interval index the history is of */
	int dcursor;           /* index into hist; -1: the newest */
	int candles;           /* price as candles (1) or a line (0) */
	char derr[600];
	char div[FB_INTERVAL_LEN];    /* the history's interval */
	VenueHist vh[VENUE_HIST_MAX]; /* the symbol on each exchange stored, along hist */
	int nvh;
	/* correlation cursor, health scroll, column chooser cursor */
	int cx, cy, cx0, cy0, hscroll, ccur, cols_changed;
	/* runs screen: the registry's runs (BtRunInfo), the cursor, the open run's curve */
	void *runs;
	int nruns, rcur, rview;
	BtResult *rcurve;
	char rerr[256];
	/* replay */
	int playing;
	double speed;
	double sim; /* the clock, fractional ms while playing */
	int64_t play_mark;
} Ui;

/* "-" for unknown values; never "-0". */
void ui_fmt(char *buf, size_t len, int kind, double x);
/* A price at dp decimals (the instrument's precision), never in scientific notation; "-" when
 * unknown. */
void ui_fmt_price(char *buf, size_t len, double x, int dp);
/* Makes a formatted price fit width columns without losing its digits where it can: a tiny
 * price's leading zeros as a subscript count (0.0₄179) in UTF-8. Returns its display width
 * (more than width when it cannot fit). */
int ui_fit_price(char *buf, size_t len, int width, int utf8);
double ui_value(const QuantTopRow *r, int tf, int c);
/* Replaces anything but printable ASCII with '?'. */
void ui_clean(char *s);
void ui_sign_attr(Ui *u, double x, int on);
/* A heatmap pair for a value in [-1, 1]. */
int ui_heat_pair(double x);
/* A CSV file futuresboard-NAME-TIME.csv in the current folder, written as NAME.tmp and
 * renamed into place by ui_csv_close (bad: a write failed). NULL or -1 with the reason in
 * path. */
FILE *ui_csv_open(const char *name, int64_t at, char *path, size_t len);
/* The time the view shows (ms): the replay clock, else now or the exchange time of the shown
 * snapshot when that runs ahead (a simulated market). */
int64_t ui_view_time(const Ui *u);
int ui_csv_close(FILE *f, int bad, char *path, size_t len);
/* The time left until when (epoch ms) from the view's time: 3h 12m, "due", "-". */
void ui_countdown(const Ui *u, char *out, size_t len, double when);
/* The header line (mode, exchange, timeframe, clock, feed state) and the replay banner. */
void ui_header(Ui *u, const QuantSnapshot *s, int W, const char *what);

/* alerts.c */
#define UI_ALERT_RING 256 /* alerts kept for the toasts and the log */
/* The alert toasts at the top right (the newest four of the last toast_s seconds) and the UI's
 * own message. */
void ui_toasts(Ui *u, int W);
int ui_alerts_last_hour(void);
void ui_alert_log(Ui *u, const QuantSnapshot *s, int H, int W);
/* Bells asked for since the last call (cleared), and alerts ever received. */
void ui_alerts_take(int *bells, uint64_t *total);

/* table.c */
/* The main screen: KPI strip, the sort and timeframe line, the table, the key hints. */
void ui_table(Ui *u, const QuantSnapshot *s);
void ui_table_key(Ui *u, const QuantSnapshot *s, int ch);
/* Writes the table as shown to a CSV file: 0 with the path, or -1 with the reason in path. */
int ui_table_export(Ui *u, const QuantSnapshot *s, char *path, size_t len);
/* Key 1-6 (k 0-5): 1m 5m 15m 1h 4h 1d, or a message naming what there is. */
void ui_timeframe_key(Ui *u, const QuantSnapshot *s, int k);
void ui_columns_choose(Ui *u, const char *list);
/* F3: puts the cursor on the first row whose symbol contains the prompt's text. */
void ui_search(Ui *u);
/* w: adds or removes a symbol of the watchlist, saves it to the user config (feed.watchlist)
 * and tells the mode (the collector follows it). */
void ui_watch_toggle(Ui *u, const char *symbol);
void ui_columns_save(Ui *u);
/* The sort-column or timeframe menu (u->menu 's' or 't'). */
void ui_menu(Ui *u, const QuantSnapshot *s, int H, int W);

/* keys.c: the ? screen, drawn from ui_keys */
void ui_help(Ui *u, const QuantSnapshot *s, int H, int W);
int ui_help_lines(void);

/* list.c */
/* Moves a list cursor for j k, arrows, PgUp PgDn (page rows), Ctrl-F Ctrl-B, g G, Home End
 * and the mouse wheel (KEY_SR up, KEY_SF down: the dashboard turns wheel events into these);
 * returns 1 when the key was one of those. */
int ui_list_key(int ch, int *cur, int n, int page);
/* Clamps the cursor to [0, n) and returns the first row to draw so that it shows in rows. */
int ui_list_scroll(int top, int *cur, int n, int rows);
/* The bottom line: the screen's keys as far as they fit (cut between keys), then the position
 * mark "pos/n" when n > 0 and "? help  q quit", always visible. While a prompt is open, the
 * prompt. */
void ui_hint(Ui *u, int H, int W, const char *keys, int pos, int n);
void ui_prompt_line(Ui *u, int H, int W);

/* keys.c */
typedef struct {
	const char *screen; /* "every screen", "table", "detail", ... */
	const char *keys;
	const char *what;
} UiKey;
extern const UiKey ui_keys[];
extern const int ui_nkeys;
/* Every key, one a line: screen, keys, what they do. */
void ui_print_keys(FILE *out);

/* term.c */
/* Refuses a terminal that cannot address the cursor (TERM=dumb, unknown or unset TERM): the
 * dashboard would be garbled there. Returns 0, or -1 after saying why on stderr. */
int ui_terminal_usable(void);

/* screens.c */
/* One column of an area chart in rows [y0, y0 + rows): level eighths filled from the bottom
 * (block characters, or . + # in ASCII). */
void ui_fill_column(Ui *u, int y0, int rows, int x, int level);
void ui_detail(Ui *u, const QuantSnapshot *s, int H, int W);
/* Loads the history of the detail screen when it is missing or behind. */
void ui_detail_load(Ui *u, const QuantSnapshot *s, int force);
int ui_detail_export(Ui *u, char *path, size_t len);
void ui_corr(Ui *u, const QuantSnapshot *s, int H, int W);
void ui_movers(Ui *u, const QuantSnapshot *s, int H, int W);
void ui_health(Ui *u, const QuantSnapshot *s, int H, int W);
void ui_columns(Ui *u, const QuantSnapshot *s, int H, int W);

/* liq.c */
/* Reads the last hour's forced orders up to the view's time, at most once a second. */
void ui_liq_load(Ui *u);
void ui_liq(Ui *u, const QuantSnapshot *s, int H, int W);
void ui_liq_free(Ui *u);
/* venues.c: every exchange's values of each symbol (v) */
void ui_venues(Ui *u, const QuantSnapshot *s, int H, int W);

/* runs.c */
void ui_runs(Ui *u, const QuantSnapshot *s, int H, int W);
void ui_runs_load(Ui *u);
void ui_runs_free(Ui *u);
int ui_runs_key(Ui *u, int ch);
/* screens.c: a key of the detail screen; 1 when it was one */
int ui_detail_key(Ui *u, int ch);

#endif
