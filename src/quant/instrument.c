/* Instrument mapping across exchanges. */
#include "quant/instrument.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

/* A power of ten from 1,000 to 1e9 spelt out: its value, else 0. */
static double multiplier(const char *s, size_t n)
{
	if (n < 4 || n > 10 || s[0] != '1')
		return 0;
	double m = 1;
	for (size_t i = 1; i < n; i++) {
		if (s[i] != '0')
			return 0;
		m *= 10;
	}
	return m;
}

int instrument_of(const char *symbol, Instrument *out)
{
	static const char *const quotes[] = {"USDT", "USDC", "USD"};
	memset(out, 0, sizeof *out);
	size_t len = strlen(symbol), ql = 0;
	for (size_t k = 0; k < sizeof quotes / sizeof *quotes && !ql; k++) {
		size_t l = strlen(quotes[k]);
		if (len > l && strcmp(symbol + len - l, quotes[k]) == 0) {
			ql = l;
			snprintf(out->quote, sizeof out->quote, "%s", quotes[k]);
		}
	}
	if (!ql)
		return -1;
	size_t bl = len - ql;
	const char *b = symbol;
	out->mult = 1;
	size_t lead = 0, trail = 0;
	while (lead < bl && isdigit((unsigned char)b[lead]))
		lead++;
	while (trail < bl && isdigit((unsigned char)b[bl - 1 - trail]))
		trail++;
	double m;
	if (lead < bl && (m = multiplier(b, lead)) > 0) { /* 1000SHIB */
		out->mult = m;
		b += lead;
		bl -= lead;
	} else if (trail < bl && (m = multiplier(b + bl - trail, trail)) > 0) { /* SHIB1000 */
		out->mult = m;
		bl -= trail;
	}
	if (bl == 0 || bl >= sizeof out->base || lead == len - ql) /* digits alone: no asset */
		return -1;
	memcpy(out->base, b, bl);
	out->base[bl] = '\0';
	snprintf(out->key, sizeof out->key, "%s/%s", out->base, out->quote);
	return 0;
}
