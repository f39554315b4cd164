/* Request-weight limiter. */
#include "feed/limiter.h"

#include "core/timeutil.h"

void limiter_init_rules(WeightLimiter *l, const LimiterRules *r, int limit)
{
	l->limit = limit > 0 ? limit : r->limit > 0 ? r->limit : 2400;
	l->window_ms = r->window_ms > 0 ? r->window_ms : FB_MINUTE_MS;
	l->ban_status = r->ban_status ? r->ban_status : 418;
	l->ban_ms = r->ban_ms > 0 ? r->ban_ms : 2 * FB_MINUTE_MS;
	l->limited_ms = r->limited_ms > 0 ? r->limited_ms : FB_MINUTE_MS;
	l->window = 0;
	l->used = 0;
	l->not_before = 0;
	l->banned = 0;
}

void limiter_init(WeightLimiter *l, int limit)
{
	static const LimiterRules binance = {2400, FB_MINUTE_MS, 418, 2 * FB_MINUTE_MS,
	                                     1,    FB_MINUTE_MS};
	limiter_init_rules(l, &binance, limit);
}

int64_t limiter_reserve(WeightLimiter *l, int w, int64_t now)
{
	if (now < l->not_before)
		return l->not_before - now;
	l->banned = 0;
	if (now / l->window_ms != l->window) {
		l->window = now / l->window_ms;
		l->used = 0;
	}
	if (l->used + w > l->limit && l->used > 0)
		return (l->window + 1) * l->window_ms - now;
	l->used += w;
	return 0;
}

void limiter_update(WeightLimiter *l, int64_t now, int used_header, int status, int retry_after)
{
	if (used_header >= 0 && now / l->window_ms == l->window && used_header > l->used)
		l->used = used_header; /* the exchange knows better (other clients on this IP) */
	if (status == 429 || status == l->ban_status) {
		/* Without Retry-After: the rules' limited_ms for 429 (Binance: a minute; Bybit's
		 * 10006 counts per second), their ban_ms for a ban (Binance's shortest is two
		 * minutes; Bybit asks for ten). A
		 * Retry-After over LIMITER_MAX_WAIT_MS is cut to it: a wrong or hostile header
		 * (2147483647 s is 68 years) must not stop requests for good; the next answer
		 * says again how long, if the exchange still means it. */
		int64_t wait = retry_after >= 0 ? (int64_t)retry_after * 1000
		                                : (status == 429 ? l->limited_ms : l->ban_ms);
		if (wait > LIMITER_MAX_WAIT_MS)
			wait = LIMITER_MAX_WAIT_MS;
		if (now + wait > l->not_before)
			l->not_before = now + wait;
		l->banned = status == l->ban_status;
	}
}
