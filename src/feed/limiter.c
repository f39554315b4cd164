/* Request-weight limiter. */
#include "feed/limiter.h"

#include "core/timeutil.h"

void limiter_init(WeightLimiter *l, int limit)
{
	l->limit = limit > 0 ? limit : 2400;
	l->window = 0;
	l->used = 0;
	l->not_before = 0;
	l->banned = 0;
}

int64_t limiter_reserve(WeightLimiter *l, int w, int64_t now)
{
	if (now < l->not_before)
		return l->not_before - now;
	l->banned = 0;
	if (now / FB_MINUTE_MS != l->window) {
		l->window = now / FB_MINUTE_MS;
		l->used = 0;
	}
	if (l->used + w > l->limit && l->used > 0)
		return (l->window + 1) * FB_MINUTE_MS - now;
	l->used += w;
	return 0;
}

void limiter_update(WeightLimiter *l, int64_t now, int used_header, int status, int retry_after)
{
	if (used_header >= 0 && now / FB_MINUTE_MS == l->window && used_header > l->used)
		l->used = used_header; /* the exchange knows better (other clients on this IP) */
	if (status == 429 || status == 418) {
		/* Without Retry-After: a minute for 429, two for a ban (Binance's shortest). A
		 * Retry-After over LIMITER_MAX_WAIT_MS is cut to it: a wrong or hostile header
		 * (2147483647 s is 68 years) must not stop requests for good; the next answer
		 * says again how long, if the exchange still means it. */
		int64_t wait = retry_after >= 0 ? (int64_t)retry_after * 1000
		                                : (status == 418 ? 2 * FB_MINUTE_MS : FB_MINUTE_MS);
		if (wait > LIMITER_MAX_WAIT_MS)
			wait = LIMITER_MAX_WAIT_MS;
		if (now + wait > l->not_before)
			l->not_before = now + wait;
		l->banned = status == 418;
	}
}
