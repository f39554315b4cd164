/* Decimal parsing with Clinger's fast path: when the digits fit in 53 bits and the power of
 * ten is at most 22, both are exact doubles and one IEEE multiplication or division rounds
 * correctly, giving the same result as strtod for a fraction of its cost. */
#include "core/numparse.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

static const double pow10_exact[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                     1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                     1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

static int slow(const char *s, double *out)
{
	/* Decimal notation only: strtod would also take hex, "infinity" and leading spaces. */
	for (const char *p = s; *p; p++)
		if (!((*p >= '0' && *p <= '9') || *p == '.' || *p == '-' || *p == '+' ||
		      *p == 'e' || *p == 'E'))
			return -1;
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (end == s || *end || errno == ERANGE || !isfinite(v))
		return -1;
	*out = v;
	return 0;
}

int fb_parse_double(const char *s, double *out)
{
	const char *p = s;
	int neg = 0;
	if (*p == '-' || *p == '+')
		neg = *p++ == '-';
	uint64_t mant = 0;
	int digits = 0, frac = 0, any = 0;
	while (*p == '0') { /* leading zeros carry no precision */
		p++;
		any = 1;
	}
	for (; *p >= '0' && *p <= '9'; p++, any = 1) {
		if (++digits > 19)
			return slow(s, out);
		mant = mant * 10 + (uint64_t)(*p - '0');
	}
	if (*p == '.') {
		p++;
		for (; *p >= '0' && *p <= '9'; p++, any = 1) {
			if (mant == 0 && *p == '0') { /* zeros right after the point */
				frac++;
				continue;
			}
			if (++digits > 19)
				return slow(s, out);
			mant = mant * 10 + (uint64_t)(*p - '0');
			frac++;
		}
	}
	if (!any)
		return -1;
	if (*p) /* exponents and anything unusual: let strtod decide */
		return slow(s, out);
	if (mant > (UINT64_C(1) << 53) || frac > 22)
		return slow(s, out);
	double v = (double)mant;
	if (frac)
		v /= pow10_exact[frac];
	*out = neg ? -v : v;
	return 0;
}
