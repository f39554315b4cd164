/* One instrument's open interest and funding on every exchange the store holds, along the
 * candles of one series: what the detail screen draws per exchange. From stored rows only,
 * the same way for every exchange: open interest is the stored one-sided value
 * (open_interest) times the mark price (mark_price), both the newest at or before a candle's
 * close; funding is the stored estimate (funding_rate_est) per 8 h, by the exchange's stored
 * period (funding_interval_h, 8 h when none is stored). A value older than a candle's close by
 * more than twice the interval (at least 10 minutes) is unknown (NAN) at that candle, not
 * carried forward. Reads through a StoreReader, on the reader's thread. */
#ifndef FB_QUANT_VENUEHIST_H
#define FB_QUANT_VENUEHIST_H

#include <stddef.h>
#include <stdint.h>

#include "store/reader.h"

#define VENUE_HIST_MAX 4

typedef struct {
	char exchange[FB_EXCHANGE_LEN]; /* the stored label */
	char symbol[FB_SYMBOL_LEN];     /* as that exchange names the instrument */
	double *oi_usd;                 /* n values: one-sided open interest in quote notional */
	double *funding8;               /* n values: the funding rate per 8 h */
} VenueHist;

/* The instrument of symbol on exchange, then on every other exchange with a stored series of
 * it (the same base asset and quote, multipliers aside) by name; at most max. Values at the
 * n candles opening at open_times (ascending) of interval_ms. Returns how many exchanges (0
 * when exchange is NULL), or -1 with err. */
int venue_history(StoreReader *rd, const char *exchange, const char *symbol,
                  const int64_t *open_times, int n, int64_t interval_ms, VenueHist *out, int max,
                  char *err, size_t errlen);
void venue_history_free(VenueHist *v, int n);

/* Another exchange's names of some instruments. */
typedef struct {
	char exchange[FB_EXCHANGE_LEN];
	char (*symbols)[FB_SYMBOL_LEN];
	int nsymbols;
} VenueTwins;

/* The exchanges other than exchange with stored series of the instruments of symbols[0 ..
 * nsymbols) (every symbol they have when symbols is NULL), by name, at most max, each with
 * its names of them. Returns how many (0 when exchange is NULL), or -1 with err. */
int venue_twins(StoreReader *rd, const char *exchange, const char *const *symbols, int nsymbols,
                VenueTwins *out, int max, char *err, size_t errlen);
void venue_twins_free(VenueTwins *t, int n);

#endif
