/* Number and text formats of the dashboard: values with "-" for unknown and never "-0",
 * prices at their precision, ages and countdowns, colours by sign, text from outside cleaned
 * to printable ASCII. Main thread (curses attributes). */
#include <curses.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/strbuf.h"
#include "core/timeutil.h"
#include "ui.h"

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
	fb_ascii_clean(s);
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

void ui_countdown(const Ui *u, char *out, size_t len, double when)
{
	int64_t now = ui_view_time(u);
	if (!(when > 0))
		snprintf(out, len, "-");
	else if ((int64_t)when <= now)
		snprintf(out, len, "due");
	else
		fb_age_format((int64_t)when - now, out, len);
}
