/* Aggregation with exact decimal sums. */
#include "quant/aggregate.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/timeutil.h"

#define MAX_SCALE 12

int agg_init(Aggregator *a, const char *target)
{
	memset(a, 0, sizeof *a);
	a->ms = fb_interval_ms(target);
	if (a->ms <= 0)
		return -1;
	snprintf(a->interval, sizeof a->interval, "%s", target);
	a->offset = fb_interval_offset_ms(target);
	return 0;
}

/* v as digits * 10^-scale, from its shortest decimal form. Returns -1 when it has none short
 * enough (then the sum is not exact and the field is reported unknown). */
static int decimal(double v, __int128 *digits, int *scale)
{
	char buf[64];
	for (int k = 0; k <= MAX_SCALE; k++) {
		int n = snprintf(buf, sizeof buf, "%.*f", k, v);
		if (n <= 0 || n >= (int)sizeof buf || strtod(buf, NULL) != v)
			continue;
		__int128 d = 0;
		int neg = 0;
		for (const char *p = buf; *p; p++) {
			if (*p == '-')
				neg = 1;
			else if (*p >= '0' && *p <= '9')
				d = d * 10 + (*p - '0');
		}
		*digits = neg ? -d : d;
		*scale = k;
		return 0;
	}
	return -1;
}

static __int128 pow10i(int k)
{
	__int128 p = 1;
	while (k-- > 0)
		p *= 10;
	return p;
}

static void add(Aggregator *a, int i, double v)
{
	__int128 d;
	int k;
	a->plain[i] += v;
	if (!isfinite(v))
		a->unknown[i] = 1;
	if (a->unknown[i] || a->inexact[i])
		return;
	if (decimal(v, &d, &k)) {
		a->inexact[i] = 1; /* not a short decimal: the plain sum is the best there is */
		return;
	}
	if (k > a->scale[i]) {
		a->sum[i] *= pow10i(k - a->scale[i]);
		a->scale[i] = k;
	} else
		d *= pow10i(a->scale[i] - k);
	a->sum[i] += d;
}

static double value(const Aggregator *a, int i)
{
	if (a->unknown[i])
		return NAN;
	if (a->inexact[i])
		return a->plain[i];
	char buf[64], *p = buf + sizeof buf;
	__int128 x = a->sum[i];
	int neg = x < 0, k = 0;
	if (neg)
		x = -x;
	*--p = '\0';
	do {
		if (k == a->scale[i] && k > 0)
			*--p = '.';
		*--p = (char)('0' + (int)(x % 10));
		x /= 10;
		k++;
	} while (x > 0 || k <= a->scale[i]);
	if (neg)
		*--p = '-';
	return strtod(p, NULL);
}

static void start(Aggregator *a, const Candle *c, int64_t open)
{
	a->cur = *c;
	snprintf(a->cur.interval, sizeof a->cur.interval, "%s", a->interval);
	a->cur.open_time = open;
	a->cur.close_time = open + a->ms - 1;
	a->cur.closed = 1;
	a->has = 1;
	a->parts = 0;
	a->lower_ms = c->close_time - c->open_time + 1;
	a->want = a->lower_ms > 0 ? (int)(a->ms / a->lower_ms) : 0;
	memset(a->sum, 0, sizeof a->sum);
	memset(a->scale, 0, sizeof a->scale);
	memset(a->unknown, 0, sizeof a->unknown);
	memset(a->inexact, 0, sizeof a->inexact);
	memset(a->plain, 0, sizeof a->plain);
	a->trades = 0;
	a->trades_unknown = 0;
}

int agg_push(Aggregator *a, const Candle *c, Candle *out)
{
	int64_t open = c->open_time - a->offset;
	open = (open >= 0 ? open / a->ms : -1 - (-open - 1) / a->ms) * a->ms + a->offset;
	if (a->has && open != a->cur.open_time) {
		if (a->parts < a->want)
			a->incomplete++;
		a->has = 0;
	}
	if (!a->has)
		start(a, c, open);
	else {
		if (c->high > a->cur.high)
			a->cur.high = c->high;
		if (c->low < a->cur.low)
			a->cur.low = c->low;
		a->cur.close = c->close;
	}
	add(a, 0, c->volume);
	add(a, 1, c->quote_volume);
	add(a, 2, c->taker_buy_volume);
	add(a, 3, c->taker_buy_quote_volume);
	if (c->trades < 0)
		a->trades_unknown = 1;
	else
		a->trades += c->trades;
	a->parts++;
	if (c->close_time < a->cur.close_time)
		return 0;
	/* the last part of the span */
	a->has = 0;
	if (a->parts != a->want || a->want == 0) {
		a->incomplete++;
		return 0;
	}
	*out = a->cur;
	out->volume = value(a, 0);
	out->quote_volume = value(a, 1);
	out->taker_buy_volume = value(a, 2);
	out->taker_buy_quote_volume = value(a, 3);
	out->trades = a->trades_unknown ? -1 : a->trades;
	return 1;
}
