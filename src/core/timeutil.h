/* Time and interval helpers. Inside the program every time is int64 epoch milliseconds UTC;
 * ISO-8601 appears only at the edges (CSV, screen, command line). Pure functions, any thread. */
#ifndef FB_CORE_TIMEUTIL_H
#define FB_CORE_TIMEUTIL_H

#include <stddef.h>
#include <stdint.h>

#define FB_MINUTE_MS INT64_C(60000)
#define FB_HOUR_MS   (60 * FB_MINUTE_MS)
#define FB_DAY_MS    (24 * FB_HOUR_MS)

/* Length of a Binance kline interval ("1m" … "1w") in ms; -1 for an unknown or
 * variable-length one ("3d", "1M" are not supported). */
int64_t fb_interval_ms(const char *interval);
/* Offset of the interval's grid from the epoch: weekly candles open on Monday 00:00 UTC. */
int64_t fb_interval_offset_ms(const char *interval);
/* The k-th supported interval, shortest first (NULL past the last). */
const char *fb_interval_name(int k);
/* The supported intervals, space separated, for messages. */
const char *fb_interval_list(void);

/* Parses "1700000000000" (epoch ms), "2025-01-31", "2025-01-31T12:00", "2025-01-31 12:00:05",
 * with optional ".sss" and "Z" or "+hh:mm"/"-hh:mm". Returns 0 and sets *ms, or -1. */
int fb_time_parse(const char *s, int64_t *ms);
/* Writes "2025-01-31T12:00:05.000Z" into buf (at least 25 bytes); returns buf. */
char *fb_time_format(int64_t ms, char *buf, size_t len);
/* A duration for people: 12s, 3m 12s, 5h 03m, 284d (negative counts as 0). Returns buf. */
char *fb_age_format(int64_t ms, char *buf, size_t len);
/* Days since 1970-01-01 of a civil date (proleptic Gregorian). */
int64_t fb_days_from_civil(int64_t y, unsigned m, unsigned d);

/* Wall-clock epoch ms (real time). Modules that model time take a Clock instead. */
int64_t fb_now_ms(void);
/* Sleeps ms milliseconds (the calling thread only). */
void fb_sleep_ms(int ms);

/* Monotonic ms, for timeouts and rates. */
int64_t fb_mono_ms(void);

#endif
