/* Universe ranking. */
#include "feed/universe.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"
#include "feed/binance.h"

static int by_volume(const void *a, const void *b)
{
	const UniverseEntry *x = a, *y = b;
	if (x->quote_volume != y->quote_volume)
		return x->quote_volume < y->quote_volume ? 1 : -1;
	return strcmp(x->symbol, y->symbol);
}

long universe_top(RestClient *rc, int top_n, const char (*watch)[FB_SYMBOL_LEN], int nwatch,
                  UniverseEntry **out, char *err, size_t errlen)
{
	char *body = NULL, why[256];
	size_t len;
	long bad;
	BinanceSymbol *syms = NULL;
	BinanceTicker *tick = NULL;
	long nsym = -1, ntick = -1;
	if (rest_get(rc, "/fapi/v1/exchangeInfo", 1, &body, &len, err, errlen))
		return -1;
	nsym = binance_parse_exchange_info(body, len, &syms, &bad, why, sizeof why);
	free(body);
	if (nsym < 0) {
		snprintf(err, errlen, "exchangeInfo: %s", why);
		return -1;
	}
	if (bad)
		log_warn("universe", "exchangeInfo: %ld malformed symbols skipped", bad);
	if (rest_get(rc, "/fapi/v1/ticker/24hr", 40, &body, &len, err, errlen)) {
		free(syms);
		return -1;
	}
	ntick = binance_parse_tickers(body, len, &tick, &bad, why, sizeof why);
	free(body);
	if (ntick < 0) {
		snprintf(err, errlen, "ticker/24hr: %s", why);
		free(syms);
		return -1;
	}
	if (bad)
		log_warn("universe", "ticker/24hr: %ld malformed tickers skipped", bad);
	UniverseEntry *v = xcalloc((size_t)(nsym ? nsym : 1), sizeof *v);
	long n = 0;
	for (long i = 0; i < nsym; i++) {
		const BinanceSymbol *s = &syms[i];
		if (!s->perpetual || !s->trading || strcmp(s->quote, "USDT") != 0)
			continue;
		for (long j = 0; j < ntick; j++)
			if (strcmp(tick[j].symbol, s->symbol) == 0) {
				memcpy(v[n].symbol, s->symbol, sizeof v[n].symbol);
				v[n].quote_volume = tick[j].quote_volume;
				v[n].tick_size = s->tick_size;
				v[n].step_size = s->step_size;
				v[n].last = tick[j].last;
				v[n].change_pct = tick[j].change_pct;
				v[n].trades = tick[j].trades;
				v[n].close_time = tick[j].close_time;
				n++;
				break;
			}
	}
	free(syms);
	free(tick);
	qsort(v, (size_t)n, sizeof *v, by_volume);
	long keep = n < top_n ? n : top_n;
	for (long i = keep; i < n; i++) /* watched symbols below the top stay, in rank order */
		for (int w = 0; w < nwatch; w++)
			if (strcmp(v[i].symbol, watch[w]) == 0) {
				v[keep++] = v[i];
				break;
			}
	*out = v;
	return keep;
}

int64_t universe_server_time(RestClient *rc, char *err, size_t errlen)
{
	char *body;
	size_t len;
	if (rest_get(rc, "/fapi/v1/time", 1, &body, &len, err, errlen))
		return -1;
	char why[128];
	int64_t v = binance_parse_server_time(body, len, fb_now_ms(), why, sizeof why);
	free(body);
	if (v < 0)
		snprintf(err, errlen, "/fapi/v1/time: %s", why);
	return v;
}
