/* What every screen shares: the header (mode, exchange, timeframe, clock and the feed's real
 * state, STALE with its age), the replay banner, the prompt line, the time the view shows,
 * and the CSV files of exports (written under a temporary name, renamed into place). Main
 * thread. */
#include <curses.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/timeutil.h"
#include "ui.h"

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
		fb_age_format(age, age_s, sizeof age_s);
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

void ui_prompt_line(Ui *u, int H, int W)
{
	char line[128];
	snprintf(line, sizeof line, "%s%s_",
	         u->prompt == '/'   ? " filter symbols: "
	         : u->prompt == 'w' ? " watch or unwatch (Enter; Esc cancels): "
	         : u->prompt == 'f' ? " search symbol (Enter or Esc ends): "
	                            : " jump to (2025-01-31 12:00, -3d, +2h, Esc cancels): ",
	         u->input);
	move(H - 1, 0);
	clrtoeol();
	attron(A_BOLD);
	mvaddnstr(H - 1, 0, line, W);
	attroff(A_BOLD);
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
