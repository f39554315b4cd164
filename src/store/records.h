/* The rows the store keeps, as plain values. Doubles that the source did not carry are NAN
 * and stored as NULL; an unknown trade count is -1. */
#ifndef FB_STORE_RECORDS_H
#define FB_STORE_RECORDS_H

#include <stddef.h>
#include <stdint.h>

#define FB_EXCHANGE_LEN 16
#define FB_SYMBOL_LEN   32
#define FB_INTERVAL_LEN 8

typedef struct {
	char exchange[FB_EXCHANGE_LEN];
	char symbol[FB_SYMBOL_LEN];
	char interval[FB_INTERVAL_LEN];
	int64_t open_time, close_time;
	double open, high, low, close;
	double volume;                                   /* base asset */
	double quote_volume;                             /* quote asset; NAN when unknown */
	int64_t trades;                                  /* -1 when unknown */
	double taker_buy_volume, taker_buy_quote_volume; /* NAN when unknown */
	int closed;
} Candle;

typedef struct {
	char exchange[FB_EXCHANGE_LEN];
	char symbol[FB_SYMBOL_LEN];
	int64_t funding_time;
	double funding_rate;
	double mark_price; /* NAN when unknown */
} FundingRate;

typedef struct {
	char exchange[FB_EXCHANGE_LEN];
	char symbol[FB_SYMBOL_LEN];
	char metric[32];
	int64_t ts;
	double value;
} MarketMetric;

typedef struct {
	char exchange[FB_EXCHANGE_LEN];
	char symbol[FB_SYMBOL_LEN];
	int64_t ts;
	char side[8]; /* BUY or SELL */
	double price, qty;
} Liquidation;

typedef struct {
	int64_t ts;
	char exchange[FB_EXCHANGE_LEN];
	char symbol[FB_SYMBOL_LEN];
	char interval[FB_INTERVAL_LEN];
	char rule[48];
	char severity[8]; /* info, warn, crit */
	double value;     /* NAN when none */
	char message[160];
} AlertRecord;

/* A row of quant_summary: the engine's latest values of one series. v[i] goes to the column
 * names[i] (static strings); v is heap memory the store writer frees once written. */
typedef struct {
	char exchange[FB_EXCHANGE_LEN];
	char symbol[FB_SYMBOL_LEN];
	char timeframe[FB_INTERVAL_LEN];
	int64_t updated_ms, open_time; /* open_time 0: no closed candle yet */
	int rank;
	char trend[8], vol_regime[8];
	double last_price, change_24h, quote_volume_24h;
	const char *const *names;
	double *v;
	int n;
} SummaryRecord;

/* Candles the exchange itself does not have: open times from..to of one series. */
typedef struct {
	char exchange[FB_EXCHANGE_LEN];
	char symbol[FB_SYMBOL_LEN];
	char interval[FB_INTERVAL_LEN];
	int64_t from, to, found_ms;
} SourceGap;

/* An exchange's REST limiter as a process left it, so that the next one honours a ban or a
 * Retry-After it never saw (a restart loop once drew a 418 on every start). */
typedef struct {
	char exchange[FB_EXCHANGE_LEN];
	int64_t not_before; /* epoch ms: no request before this */
	int banned;         /* not_before comes from a 418 */
	int used;           /* request weight used in the minute `window` */
	int64_t window;     /* epoch ms / 60000 */
	int64_t updated;    /* epoch ms */
} LimiterState;

/* A symbol as exchanges spell it: 2 to FB_SYMBOL_LEN - 1 upper-case letters and digits. */
int records_symbol_valid(const char *s);

/* Copies src into a fixed field, truncating; always NUL-terminates. */
void records_copy_field(char *dst, size_t dstlen, const char *src);

#endif
