/* The tracked universe: USDT perpetuals in TRADING status, ranked by 24h quote volume (ties by
 * symbol, so the order is stable). Owner: the thread that owns the RestClient. */
#ifndef FB_FEED_UNIVERSE_H
#define FB_FEED_UNIVERSE_H

#include "feed/rest.h"
#include "store/records.h"

typedef struct {
	char symbol[FB_SYMBOL_LEN];
	char base[16], quote[16]; /* as the exchange names them (Bybit's SHIB1000USDT: SHIB1000) */
	double quote_volume;
	double tick_size, step_size;
	double last, change_pct;    /* the 24h ticker: last price, change in percent */
	int64_t trades, close_time; /* trades -1: the exchange counts none */
	int funding_interval_min;   /* 0: the exchange's usual (Binance: 8 h) */
} UniverseEntry;

struct Exchange;

/* Fetches the exchange's instruments and 24h tickers and returns the top_n (or fewer)
 * entries, best first, then the watched symbols that are not among them (a watched symbol
 * the exchange does not trade is left out) (*out allocated, caller frees), or -1 with err. */
long universe_top(const struct Exchange *ex, RestClient *rc, int top_n,
                  const char (*watch)[FB_SYMBOL_LEN], int nwatch, UniverseEntry **out, char *err,
                  size_t errlen);

#endif
