/* Request-weight limiter for an exchange's budget per wall-clock window: Binance's
 * REQUEST_WEIGHT per minute (resynced from the X-MBX-USED-WEIGHT-1M header after each
 * answer; 418 is a ban), Bybit's 600 requests per 5 s (every request weighs 1; 403 is a ban of
 * at least 10 minutes). It reserves weight before a request, honours Retry-After on 429, and
 * on a ban stops every request until it ends.
 * Pure logic over the times it is given, so tests drive it with made-up clocks. Owner: the
 * thread that makes the requests. */
#ifndef FB_FEED_LIMITER_H
#define FB_FEED_LIMITER_H

#include <stdint.h>

/* An exchange's rules. */
typedef struct {
	int limit;          /* weight per window */
	int64_t window_ms;  /* the window: a minute (Binance), 5 s (Bybit) */
	int ban_status;     /* the HTTP status of a ban: 418 (Binance), 403 (Bybit) */
	int64_t ban_ms;     /* a ban's wait when the answer names none */
	int weight_header;  /* the answers carry X-MBX-USED-WEIGHT-1M */
	int64_t limited_ms; /* a 429's wait when the answer names none (Binance: a minute) */
} LimiterRules;

typedef struct {
	int limit;          /* weight per window */
	int64_t window_ms;  /* the window's length */
	int ban_status;     /* 418 or 403 */
	int64_t ban_ms;     /* a ban's wait without Retry-After */
	int64_t limited_ms; /* a 429's wait without Retry-After */
	int64_t window;     /* window (epoch ms / window_ms) the count belongs to */
	int used;           /* weight used in that minute, as far as we know */
	int64_t not_before; /* no request before this (epoch ms): Retry-After or a ban */
	int banned;         /* not_before comes from a ban */
} WeightLimiter;

/* Binance's rules with this weight limit per minute (<= 0: 2400). */
void limiter_init(WeightLimiter *l, int limit);
/* An exchange's rules; limit > 0 replaces theirs. */
void limiter_init_rules(WeightLimiter *l, const LimiterRules *r, int limit);
/* How long to wait (ms) before a request of weight w may go out at time now; 0 means go now
 * and the weight is counted. */
int64_t limiter_reserve(WeightLimiter *l, int w, int64_t now);
#define LIMITER_MAX_WAIT_MS (15 * 60 * 1000) /* the longest wait a Retry-After may ask for */
/* After a response: the used-weight header (-1 if absent), the HTTP status and Retry-After in
 * seconds (-1 if absent; capped at LIMITER_MAX_WAIT_MS). The ban status holds every request
 * for Retry-After or the rules' ban_ms, 429 for Retry-After or the rules' limited_ms. */
void limiter_update(WeightLimiter *l, int64_t now, int used_header, int status, int retry_after);

#endif
