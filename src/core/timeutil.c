/* Time parsing/formatting and Binance interval arithmetic. Pure functions, any thread. */
#include "core/timeutil.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const struct {
	const char *name;
	int64_t ms;
} intervals[] = {
        {"1m", FB_MINUTE_MS},       {"3m", 3 * FB_MINUTE_MS},   {"5m", 5 * FB_MINUTE_MS},
        {"15m", 15 * FB_MINUTE_MS}, {"30m", 30 * FB_MINUTE_MS}, {"1h", FB_HOUR_MS},
        {"2h", 2 * FB_HOUR_MS},     {"4h", 4 * FB_HOUR_MS},     {"6h", 6 * FB_HOUR_MS},
        {"8h", 8 * FB_HOUR_MS},     {"12h", 12 * FB_HOUR_MS},   {"1d", FB_DAY_MS},
        {"1w", 7 * FB_DAY_MS},
};

int64_t fb_interval_ms(const char *interval)
{
	if (!interval)
		return -1;
	for (size_t i = 0; i < sizeof intervals / sizeof intervals[0]; i++)
		if (strcmp(intervals[i].name, interval) == 0)
			return intervals[i].ms;
	return -1;
}

int64_t fb_interval_offset_ms(const char *interval)
{
	/* 1970-01-01 was a Thursday; Binance weeks open on Monday. */
	return interval && strcmp(interval, "1w") == 0 ? 4 * FB_DAY_MS : 0;
}

const char *fb_interval_name(int k)
{
	return k >= 0 && (size_t)k < sizeof intervals / sizeof intervals[0] ? intervals[k].name
	                                                                    : NULL;
}

const char *fb_interval_list(void)
{
	return "1m 3m 5m 15m 30m 1h 2h 4h 6h 8h 12h 1d 1w";
}

int64_t fb_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	/* Howard Hinnant's days_from_civil. */
	y -= m <= 2;
	const int64_t era = (y >= 0 ? y : y - 399) / 400;
	const unsigned yoe = (unsigned)(y - era * 400);
	const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static int digits(const char **p, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)**p))
			return -1;
		v = v * 10 + (**p - '0');
		(*p)++;
	}
	*out = v;
	return 0;
}

static int days_in_month(int y, int m)
{
	static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return dm[m - 1];
}

int fb_time_parse(const char *s, int64_t *ms)
{
	if (!s || !*s)
		return -1;
	const char *p = s;
	int all_digits = 1;
	for (const char *q = s; *q; q++)
		if (!isdigit((unsigned char)*q))
			all_digits = 0;
	if (all_digits) {
		if (strlen(s) > 15)
			return -1;
		*ms = strtoll(s, NULL, 10);
		return 0;
	}
	int Y, M, D, h = 0, mi = 0, sec = 0, frac = 0;
	if (digits(&p, 4, &Y) || *p++ != '-' || digits(&p, 2, &M) || *p++ != '-' ||
	    digits(&p, 2, &D))
		return -1;
	if (M < 1 || M > 12 || D < 1 || D > days_in_month(Y, M))
		return -1;
	int64_t off_ms = 0;
	if (*p == 'T' || *p == 't' || *p == ' ') {
		p++;
		if (digits(&p, 2, &h) || *p++ != ':' || digits(&p, 2, &mi))
			return -1;
		if (*p == ':') {
			p++;
			if (digits(&p, 2, &sec))
				return -1;
			if (*p == '.') {
				p++;
				int n = 0;
				frac = 0;
				while (isdigit((unsigned char)*p)) {
					if (n < 3) {
						frac = frac * 10 + (*p - '0');
						n++;
					}
					p++;
				}
				if (n == 0)
					return -1;
				while (n++ < 3)
					frac *= 10;
			}
		}
		if (h > 23 || mi > 59 || sec > 60)
			return -1;
		if (*p == 'Z' || *p == 'z') {
			p++;
		} else if (*p == '+' || *p == '-') {
			int sign = *p++ == '-' ? -1 : 1, oh, om;
			if (digits(&p, 2, &oh))
				return -1;
			if (*p == ':')
				p++;
			if (digits(&p, 2, &om))
				return -1;
			off_ms = sign * ((int64_t)oh * FB_HOUR_MS + (int64_t)om * FB_MINUTE_MS);
		}
	}
	if (*p)
		return -1;
	*ms = fb_days_from_civil(Y, (unsigned)M, (unsigned)D) * FB_DAY_MS + h * FB_HOUR_MS +
	      mi * FB_MINUTE_MS + sec * INT64_C(1000) + frac - off_ms;
	return 0;
}

char *fb_time_format(int64_t ms, char *buf, size_t len)
{
	int64_t days = ms >= 0 ? ms / FB_DAY_MS : -((-ms + FB_DAY_MS - 1) / FB_DAY_MS);
	int64_t rem = ms - days * FB_DAY_MS;
	/* civil_from_days */
	int64_t z = days + 719468;
	const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	const unsigned doe = (unsigned)(z - era * 146097);
	const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t y = (int64_t)yoe + era * 400;
	const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	const unsigned mp = (5 * doy + 2) / 153;
	const unsigned d = doy - (153 * mp + 2) / 5 + 1;
	const unsigned m = mp < 10 ? mp + 3 : mp - 9;
	y += m <= 2;
	snprintf(buf, len, "%04lld-%02u-%02uT%02d:%02d:%02d.%03dZ", (long long)y, m, d,
	         (int)(rem / FB_HOUR_MS), (int)(rem / FB_MINUTE_MS % 60), (int)(rem / 1000 % 60),
	         (int)(rem % 1000));
	return buf;
}

int64_t fb_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t fb_mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void fb_sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

char *fb_age_format(int64_t ms, char *buf, size_t len)
{
	long long sec = ms > 0 ? (long long)(ms / 1000) : 0;
	if (sec < 60)
		snprintf(buf, len, "%llds", sec);
	else if (sec < 3600)
		snprintf(buf, len, "%lldm %02llds", sec / 60, sec % 60);
	else if (sec < 86400)
		snprintf(buf, len, "%lldh %02lldm", sec / 3600, sec % 3600 / 60);
	else
		snprintf(buf, len, "%lldd", sec / 86400);
	return buf;
}
