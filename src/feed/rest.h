/* REST client for the exchange: libcurl with one reused connection, gzip, timeouts, TLS
 * verification on (curl's default, never turned off), the weight limiter in front of every
 * request, idempotent GETs retried with backoff on 5xx and network errors, Retry-After waited
 * out on 429, and every request held back during a ban (418 on Binance, 403 on Bybit).
 * Owner: one thread. */
#ifndef FB_FEED_REST_H
#define FB_FEED_REST_H

#include <stddef.h>
#include <stdint.h>

#include "feed/limiter.h"

typedef struct {
	uint64_t requests, retries, rate_limited, banned, errors;
	int64_t waited_ms; /* time spent held back by the limiter */
} RestStats;

typedef struct RestClient RestClient;

/* base_url without a trailing slash, e.g. https://fapi.binance.com. should_stop (may be NULL)
 * is polled during waits so a stop request is not delayed by a long Retry-After. */
RestClient *rest_new(const char *base_url, int weight_limit, int timeout_ms,
                     int (*should_stop)(void));
void rest_free(RestClient *c);
/* Before the first request: the exchange's limiter rules (weight_limit > 0 replaces their
 * budget) and how its bodies carry errors: body_error fills msg and returns 0 (no error), 1
 * (an error, even on a 2xx answer) or 2 (an error that means "too many requests": waited
 * out like a 429). Without it (the default), Binance's rules and {"code","msg"} bodies. */
void rest_set_rules(RestClient *c, const LimiterRules *r, int weight_limit,
                    int (*body_error)(const char *body, size_t len, char *msg, size_t msglen));

/* GET base_url + path_query (e.g. "/fapi/v1/klines?symbol=BTCUSDT&interval=1m"). weight is
 * the request's weight. Returns 0 with the 2xx body in *body (caller frees; NUL-terminated)
 * and its length, or -1 with err (the HTTP status and the exchange's message, or the network
 * error) after the retries are spent or a stop was asked. */
int rest_get(RestClient *c, const char *path_query, int weight, char **body, size_t *len, char *err,
             size_t errlen);
void rest_get_stats(const RestClient *c, RestStats *out);
const WeightLimiter *rest_limiter(const RestClient *c);
/* Any thread: until when requests are held back (epoch ms; 0 or past: not held), whether by
 * a 418 ban rather than a 429's Retry-After, and the request weight used this minute of the
 * limit, as of the last response. */
void rest_hold(RestClient *c, int64_t *until, int *banned, int *used, int *limit);
/* The owner's thread, before its first request: what an earlier process recorded (a ban or
 * a Retry-After still running, the weight it used this minute) is honoured. A hold further
 * than LIMITER_MAX_WAIT_MS ahead is cut to it. Returns the hold (epoch ms; 0: none). */
int64_t rest_restore(RestClient *c, int64_t not_before, int banned, int used, int64_t window);
/* The owner's thread: fn is called after every 429 or 418, with the limiter as it now holds
 * (to record it, for rest_restore in a later process). */
void rest_on_limit(RestClient *c, void (*fn)(void *arg, const WeightLimiter *l), void *arg);

#endif
