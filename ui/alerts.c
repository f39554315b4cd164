/* Alerts on the dashboard: the ring the engine thread fills (dashboard_alert, any thread,
 * under its lock), the toasts at the top right, the alert log screen (a) and the count of the
 * last hour. The lock is held to copy alerts out, never while drawing. */
#include <curses.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "core/timeutil.h"
#include "dashboard.h"
#include "ui.h"

/* Alerts from the engine thread, newest last; the lock guards the ring. */
static pthread_mutex_t alert_lock = PTHREAD_MUTEX_INITIALIZER;
static AlertRecord alert_ring[UI_ALERT_RING];
static int64_t alert_seen_ms[UI_ALERT_RING]; /* monotonic ms when it arrived */
static uint64_t alert_total;                 /* ever received */
static int alert_bells;

void dashboard_alert(void *arg, const AlertRecord *a, int bell)
{
	(void)arg;
	pthread_mutex_lock(&alert_lock);
	alert_ring[alert_total % UI_ALERT_RING] = *a;
	alert_seen_ms[alert_total % UI_ALERT_RING] = fb_mono_ms();
	alert_total++;
	alert_bells += bell != 0;
	pthread_mutex_unlock(&alert_lock);
}

/* Copies up to max alerts, newest first, with the monotonic ms each arrived, out of the ring:
 * the lock is held for the copy only, never while drawing. Returns how many. */
static int alerts_copy(AlertRecord *out, int64_t *seen, int max)
{
	pthread_mutex_lock(&alert_lock);
	int n = 0;
	for (uint64_t k = 0; n < max && k < UI_ALERT_RING && k < alert_total; k++, n++) {
		uint64_t i = (alert_total - 1 - k) % UI_ALERT_RING;
		out[n] = alert_ring[i];
		seen[n] = alert_seen_ms[i];
	}
	pthread_mutex_unlock(&alert_lock);
	return n;
}

/* Toasts: the alerts of the last toast_s seconds, newest on top, at the top right. */
void ui_toasts(Ui *u, int W)
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

int ui_alerts_last_hour(void)
{
	pthread_mutex_lock(&alert_lock);
	int n = 0;
	int64_t now = fb_mono_ms();
	for (uint64_t k = 0; k < UI_ALERT_RING && k < alert_total; k++)
		if (now - alert_seen_ms[(alert_total - 1 - k) % UI_ALERT_RING] <= 3600 * 1000)
			n++;
	pthread_mutex_unlock(&alert_lock);
	return n;
}

void ui_alert_log(Ui *u, const QuantSnapshot *s, int H, int W)
{
	static AlertRecord log[UI_ALERT_RING]; /* main thread only */
	static int64_t seen[UI_ALERT_RING];
	erase();
	ui_header(u, s, W, "alert log");
	int n = alerts_copy(log, seen, UI_ALERT_RING);
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

void ui_alerts_take(int *bells, uint64_t *total)
{
	pthread_mutex_lock(&alert_lock);
	*bells = alert_bells;
	alert_bells = 0;
	*total = alert_total;
	pthread_mutex_unlock(&alert_lock);
}
