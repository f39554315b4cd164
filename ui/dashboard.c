/* The dashboard (see dashboard.h): the terminal (checked, set up, restored on exit, crash and
 * hangup), the main loop (a snapshot per frame, drawn only when something changed), the keys
 * every screen shares (timeframes, replay, quit, back, help, export), and the table of
 * screens (each one's draw, keys and entry) that takes the rest. The screens themselves are
 * in table.c, screens.c, alerts.c, liq.c, runs.c and keys.c. Main thread only. */
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
	snprintf(u->toast, sizeof u->toast, fmt, (int)(sizeof u->toast - 80), arg);
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
		if (u->prompt == 'w' && n > 0)
			ui_watch_toggle(u, u->input);
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
	if (u->prompt == 'f')
		ui_search(u);
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

/* Back to the table; the column chooser saves a changed choice. */
static void go_back(Ui *u)
{
	if (u->screen == SCREEN_COLUMNS && u->cols_changed)
		ui_columns_save(u);
	u->screen = SCREEN_TABLE;
}

/* Each screen's own keys: 1 taken, 0 not its own, -1 back to the table. */
static int is_enter(int ch)
{
	return ch == '\n' || ch == '\r' || ch == KEY_ENTER;
}

static int table_keys(Ui *u, const QuantSnapshot *s, int ch, int page)
{
	(void)page;
	ui_table_key(u, s, ch);
	return 1;
}

static int columns_keys(Ui *u, const QuantSnapshot *s, int ch, int page)
{
	(void)s;
	if (ch == ' ' || is_enter(ch)) {
		u->show[u->ccur + 1] = !u->show[u->ccur + 1];
		u->cols_changed = 1;
		return 1;
	}
	if (ch == 'C')
		return -1;
	return ui_list_key(ch, &u->ccur, NCOLS - 1, page);
}

static int runs_keys(Ui *u, const QuantSnapshot *s, int ch, int page)
{
	(void)s;
	return ui_runs_key(u, ch) || (!u->rview && ui_list_key(ch, &u->rcur, u->nruns, page));
}

static int detail_keys(Ui *u, const QuantSnapshot *s, int ch, int page)
{
	(void)s, (void)page;
	if (is_enter(ch))
		return -1;
	return ui_detail_key(u, ch);
}

static int corr_keys(Ui *u, const QuantSnapshot *s, int ch, int page)
{
	int n = s ? s->nrows : 0;
	if (ch == KEY_LEFT || ch == 'h')
		u->cx = u->cx > 0 ? u->cx - 1 : 0;
	else if (ch == KEY_RIGHT || ch == 'l')
		u->cx = u->cx + 1 < n ? u->cx + 1 : u->cx;
	else
		return ui_list_key(ch, &u->cy, n, page);
	return 1;
}

static int health_keys(Ui *u, const QuantSnapshot *s, int ch, int page)
{
	(void)s;
	return ui_list_key(ch, &u->hscroll, 1000, page);
}

static int help_keys(Ui *u, const QuantSnapshot *s, int ch, int page)
{
	(void)s;
	return ui_list_key(ch, &u->hrows, ui_help_lines(), page);
}

static int alerts_keys(Ui *u, const QuantSnapshot *s, int ch, int page)
{
	(void)s;
	return ui_list_key(ch, &u->lcur, UI_ALERT_RING, page);
}

static int menu_keys(Ui *u, const QuantSnapshot *s, int ch, int page)
{
	if (!is_enter(ch))
		return ui_list_key(ch, &u->mcur, u->menu == 's' ? NCOLS - 1 : 6, page);
	if (u->menu == 's') {
		u->invert = u->sort_col == u->mcur ? !u->invert : 0;
		u->sort_col = u->mcur;
		u->hold_until = 0;
	} else
		ui_timeframe_key(u, s, u->mcur);
	return -1;
}

static int liq_keys(Ui *u, const QuantSnapshot *s, int ch, int page)
{
	(void)s;
	return ui_list_key(ch, &u->qscroll, u->nliq, page);
}

static int venues_keys(Ui *u, const QuantSnapshot *s, int ch, int page)
{
	int lines = 0;
	for (int r = 0; s && r < s->nrows; r++)
		lines += 2 + s->rows[r].nvenues;
	return ui_list_key(ch, &u->vscroll, lines, page);
}

static int movers_keys(Ui *u, const QuantSnapshot *s, int ch, int page)
{
	return ui_list_key(ch, &u->mscroll, s ? s->nrows : 0, page);
}

static void table_draw(Ui *u, const QuantSnapshot *s, int H, int W)
{
	(void)H, (void)W;
	ui_table(u, s);
}

static void enter_reset(Ui *u)
{
	u->lcur = u->lscroll = u->mscroll = u->hscroll = u->hrows = u->qscroll = u->vscroll = 0;
	u->liq_loaded_ms = 0;
}

/* The screens: how each is drawn, takes its keys and is entered. A screen with a key opens
 * with it from the table and the other shared screens, and closes with it again; a modal one
 * takes every key first (its keys may be the shared ones: j k in the detail). */
typedef struct {
	int key;   /* opens and closes it; 0: opened otherwise (Enter, C, >, t) */
	int modal; /* its keys before the shared ones */
	void (*draw)(Ui *u, const QuantSnapshot *s, int H, int W);
	int (*keys)(Ui *u, const QuantSnapshot *s, int ch, int page);
	void (*enter)(Ui *u);
} Screen;

static const Screen screens[] = {
        [SCREEN_TABLE] = {0, 0, table_draw, table_keys, NULL},
        [SCREEN_HELP] = {'?', 1, ui_help, help_keys, enter_reset},
        [SCREEN_ALERTS] = {'a', 0, ui_alert_log, alerts_keys, enter_reset},
        [SCREEN_DETAIL] = {0, 1, ui_detail, detail_keys, NULL},
        [SCREEN_CORR] = {'c', 1, ui_corr, corr_keys, NULL},
        [SCREEN_MOVERS] = {'m', 0, ui_movers, movers_keys, enter_reset},
        [SCREEN_HEALTH] = {'h', 0, ui_health, health_keys, enter_reset},
        [SCREEN_COLUMNS] = {0, 1, ui_columns, columns_keys, NULL},
        [SCREEN_RUNS] = {'R', 1, ui_runs, runs_keys, ui_runs_load},
        [SCREEN_MENU] = {0, 1, ui_menu, menu_keys, NULL},
        [SCREEN_LIQ] = {'L', 0, ui_liq, liq_keys, enter_reset},
        [SCREEN_VENUES] = {'v', 0, ui_venues, venues_keys, enter_reset},
};

/* A key after the shared ones (timeframes, replay, quit, back, help, export): the open
 * screen's own keys, the keys that open screens, pause, and the table's keys. */
static void screen_key(Ui *u, const QuantSnapshot *s, int ch, int H)
{
	int page = H - 6 > 1 ? H - 6 : 1;
	const Screen *sc = &screens[u->screen];
	int r = sc->modal ? sc->keys(u, s, ch, page) : 0;
	if (!r && sc->key && ch == sc->key)
		r = -1;
	for (size_t k = 0; !r && k < sizeof screens / sizeof *screens; k++)
		if (screens[k].key && screens[k].key == ch) {
			u->screen = (int)k;
			if (screens[k].enter)
				screens[k].enter(u);
			r = 1;
		}
	if (!r && ch == 'p' && !u->d->player) {
		/* pause the view on this frame's snapshot (the feed goes on); on resume it is the
		 * frame's snapshot still, which the end of the frame gives back */
		u->held = u->held ? NULL : (QuantSnapshot *)s;
		r = 1;
	}
	if (!r && !sc->modal)
		r = sc->keys(u, s, ch, page);
	if (r < 0)
		go_back(u);
}

int dashboard_run(const CliDashboard *d)
{
	setlocale(LC_ALL, "");
	if (ui_terminal_usable() != 0)
		return -1;
	Ui u = {.d = d, .tf = 0, .sort_col = C_VOLUME, .candles = 1};
	u.utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
	ui_columns_choose(&u, d->columns);
	char wl[CONFIG_MAX_SYMBOLS * FB_SYMBOL_LEN];
	snprintf(wl, sizeof wl, "%s", d->watchlist ? d->watchlist : "");
	for (char *save, *t = strtok_r(wl, " ,", &save); t && u.nwatch < CONFIG_MAX_SYMBOLS;
	     t = strtok_r(NULL, " ,", &save))
		snprintf(u.watch[u.nwatch++], FB_SYMBOL_LEN, "%s", t);
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
		int bells;
		uint64_t total;
		ui_alerts_take(&bells, &total);
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
			screens[u.screen].draw(&u, s, H, W);
			if (u.screen != SCREEN_TABLE)
				ui_toasts(&u, W);
			refresh();
			u.drawn_gen = s ? s->generation : 0;
			drawn_second = second;
			dirty = 0;
		}
		if (export_now && s) {
			char path[512];
			int rc = u.screen == SCREEN_DETAIL
			                 ? ui_detail_export(&u, path, sizeof path)
			                 : ui_table_export(&u, s, path, sizeof path);
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
			ui_timeframe_key(&u, s, ch - '1');
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
			else if (u.screen != SCREEN_RUNS || !ui_runs_key(&u, ch))
				go_back(&u); /* (a run's open curve closes first) */
		} else if (ch == KEY_F(1))
			screen_key(&u, s, '?', H);
		else if (ch == 'e' && (u.screen == SCREEN_TABLE || u.screen == SCREEN_DETAIL))
			export_now = 1;
		else
			screen_key(&u, s, ch, H);
		keep(&u, s);
	}
	if (u.held)
		release(&u, u.held);
	free(u.hist);
	venue_history_free(u.vh, u.nvh);
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
	ui_columns_choose(&u, NULL);
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
		ui_table(&u, s);
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
