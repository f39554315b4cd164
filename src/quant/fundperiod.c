/* See fundperiod.h. */
#include "quant/fundperiod.h"

#include "core/timeutil.h"

int64_t funding_period_learn(int64_t *next, int64_t *every, int64_t nt, int64_t ts)
{
	if (nt <= 0)
		return 0;
	int64_t prev = *next;
	*next = nt;
	if (prev <= 0 || nt == prev)
		return 0;
	int64_t d;
	if (nt > prev && ts >= prev - FB_MINUTE_MS) { /* a settlement passed */
		if (ts > prev + FB_HOUR_MS)
			return 0; /* long after it: others may have passed unseen */
		d = nt - prev;
	} else if (*every > 0) /* moved before the settlement: a new schedule */
		d = nt - (prev - *every);
	else
		return 0;
	int64_t h = (d + FB_HOUR_MS / 2) / FB_HOUR_MS * FB_HOUR_MS; /* on the hour, give or take */
	if (d < h - 5 * FB_MINUTE_MS || d > h + 5 * FB_MINUTE_MS)
		return 0;
	if (h < FB_HOUR_MS || h > FB_DAY_MS || h == *every)
		return 0;
	d = h;
	*every = d;
	return d;
}
