/* Request-weight limiter for Binance's REQUEST_WEIGHT budget (per wall-clock minute).
 * It reserves weight before a request, resyncs from the X-MBX-USED-WEIGHT-1M header after
 * it, honours Retry-After on 429, and on 418 stops every request until the ban ends.
 * Pure logic over the times it is given, so tests drive it with made-up clocks. Owner: the
 * thread that makes the requests. */
#ifndef FB_FEED_LIMITER_H
#define FB_FEED_LIMITER_H

#include <stdint.h>

typedef struct {
	int limit;          /* weight per minute */
	int64_t window;     /* minute (epoch ms / 60000) the count belongs to */
	int used;           /* weight used in that minute, as far as we know */
	int64_t not_before; /* no request before this (epoch ms): Retry-After or a ban */
	int banned;         /* not_before comes from a 418 */
} WeightLimiter;

void limiter_init(WeightLimiter *l, int limit);
/* How long to wait (ms) before a request of weight w may go out at time now; 0 means go now
 * and the weight is counted. */
int64_t limiter_reserve(WeightLimiter *l, int w, int64_t now);
#define LIMITER_MAX_WAIT_MS (15 * 60 * 1000) /* the longest wait a Retry-After may ask for */
/* After a response: the used-weight header (-1 if absent), the HTTP status and Retry-After in
 * seconds (-1 if absent; capped at LIMITER_MAX_WAIT_MS). */
void limiter_update(WeightLimiter *l, int64_t now, int used_header, int status, int retry_after);

#endif
