/* Universe ranking. */
#include "feed/universe.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "feed/exchange.h"
#include "quant/instrument.h"

static int by_volume(const void *a, const void *b)
{
	const UniverseEntry *x = a, *y = b;
	if (x->quote_volume != y->quote_volume)
		return x->quote_volume < y->quote_volume ? 1 : -1;
	return strcmp(x->symbol, y->symbol);
}

long universe_top(const Exchange *ex, RestClient *rc, int top_n, const char (*watch)[FB_SYMBOL_LEN],
                  int nwatch, UniverseEntry **out, char *err, size_t errlen)
{
	UniverseEntry *v = NULL;
	long bad = 0;
	long n = ex->instruments(rc, &v, &bad, err, errlen);
	if (n < 0)
		return -1; /* the exchange's code logged what it skipped */
	qsort(v, (size_t)n, sizeof *v, by_volume);
	long keep = n < top_n ? n : top_n;
	/* watched symbols below the top stay, in rank order: by name, or by instrument (a
	 * watched 1000SHIBUSDT is Bybit's SHIB1000USDT) */
	for (long i = keep; i < n; i++) {
		Instrument a, b;
		int ia = instrument_of(v[i].symbol, &a) == 0;
		for (int w = 0; w < nwatch; w++)
			if (strcmp(v[i].symbol, watch[w]) == 0 ||
			    (ia && instrument_of(watch[w], &b) == 0 && strcmp(a.key, b.key) == 0)) {
				v[keep++] = v[i];
				break;
			}
	}
	*out = v;
	return keep;
}
