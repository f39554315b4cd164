/* Bybit V5 linear (USDT perpetual) payloads: parsers for REST answers and public WebSocket
 * messages into the same records and events as Binance's. Pure functions over text, any
 * thread; a stream parser (BybitParser) belongs to one connection.
 *
 * Bybit's ways, turned into ours here:
 *   - every REST answer is {"retCode":0,"retMsg":"OK","result":{...}}: retCode != 0 is an
 *     error even with HTTP 200; numbers come as strings;
 *   - lists come newest first (klines, open interest, funding, ratios): returned ascending;
 *     REST klines carry no "closed" flag: a candle whose close is not before now is open;
 *   - open-interest history's openInterest is both sides; singleOpenInterest (when given) is
 *     one side, as Binance's: the one side is returned, with which definition it came from;
 *   - ticker deltas omit every field that did not change: the parser keeps a state per symbol
 *     and merges (reset with the connection);
 *   - allLiquidation's S is the liquidated position's side ("Buy": a long was liquidated):
 *     turned into the liquidation order's side, as Binance's forceOrder gives it ("SELL").
 * A payload that fails a check is counted as malformed and skipped; nothing from the network
 * is passed on with control characters in it. */
#ifndef FB_FEED_BYBIT_H
#define FB_FEED_BYBIT_H

#include <stddef.h>
#include <stdint.h>

#include "quant/event.h"
#include "store/records.h"

typedef struct {
	char symbol[FB_SYMBOL_LEN];
	char base[16], quote[16];
	double tick_size, step_size;
	int funding_interval_min; /* 480: 8 h; per symbol, and it changes */
} BybitInstrument;

typedef struct {
	char symbol[FB_SYMBOL_LEN];
	double last, mark, index, change_pct, turnover, volume, open_interest, funding_rate;
	int64_t next_funding_time;
} BybitTicker;

/* Our interval ("1m" … "1d") as Bybit names it ("1" … "D"), or NULL when it has none. */
const char *bybit_interval(const char *ours);
/* Bybit's interval name as ours, or NULL. */
const char *bybit_interval_ours(const char *theirs);

/* An answer body's error: 0 when it is a retCode 0 envelope, 1 for any other error (msg says
 * what: "retCode 10001: …", or "an HTML page" for a CloudFront 403), 2 for a rate-limit
 * error (retCode 10006, 10018). msg is sanitised. */
int bybit_body_error(const char *body, size_t len, char *msg, size_t msglen);

/* /v5/market/instruments-info?category=linear: the USDT linear perpetuals that trade (others
 * are skipped, not counted), *out allocated; the next page's cursor in cursor ("" for the
 * last page). Returns the count or -1 with why. */
long bybit_parse_instruments(const char *json, size_t len, BybitInstrument **out, char *cursor,
                             size_t cursorlen, long *bad, char *why, size_t whylen);
/* /v5/market/tickers?category=linear. Returns the count (*out allocated) or -1; *time (when
 * not NULL) is the answer's time in the exchange's clock, or 0 when it has no plausible one. */
long bybit_parse_tickers(const char *json, size_t len, int64_t now, int64_t *time,
                         BybitTicker **out, long *bad, char *why, size_t whylen);
/* /v5/market/kline (and mark-price-kline, index-price-kline, whose rows have no volume):
 * ascending candles of exchange/symbol/interval. Returns the count or -1. */
long bybit_parse_klines(const char *json, size_t len, const char *exchange, const char *symbol,
                        const char *interval, int64_t now, Candle **out, long *bad, char *why,
                        size_t whylen);
/* /v5/market/funding/history: ascending. Returns the count or -1. */
long bybit_parse_funding(const char *json, size_t len, const char *exchange, FundingRate **out,
                         long *bad, char *why, size_t whylen);
/* /v5/market/open-interest: ascending, one side in contracts (base coin) into v[] and ts[]
 * (at most cap); *both is set to 1 when the rows gave only openInterest (both sides, halved
 * here), 0 when singleOpenInterest was there. The next page's cursor in cursor. Returns the
 * count or -1. */
long bybit_parse_open_interest(const char *json, size_t len, int64_t now, double *v, int64_t *ts,
                               long cap, int *both, char *cursor, size_t cursorlen, long *bad,
                               char *why, size_t whylen);
/* /v5/market/account-ratio: ascending buyRatio / sellRatio (long/short accounts). Returns the
 * count or -1. */
long bybit_parse_account_ratio(const char *json, size_t len, int64_t now, double *v, int64_t *ts,
                               long cap, long *bad, char *why, size_t whylen);
/* /v5/market/time: the server's time (ms), or -1 with why. */
int64_t bybit_parse_server_time(const char *json, size_t len, int64_t now, char *why,
                                size_t whylen);

/* The public linear WebSocket. */
typedef struct BybitParser BybitParser;
BybitParser *bybit_parser_new(void);
void bybit_parser_free(BybitParser *p);
/* The connection was made again: the merged ticker states and book tops are dropped. */
void bybit_parser_reset(BybitParser *p);
/* One message into events: the count (0 for acks, pongs and deltas that change nothing we
 * keep), or -1 with why (malformed, or a refused subscription). */
int bybit_parse_ws(BybitParser *p, const char *msg, size_t len, const char *exchange, int64_t now,
                   Event *out, int max, char *why, size_t whylen);
/* The topic of a data message, from its first bytes ({"topic":"…"): the name's bytes in msg
 * and their count, or NULL. */
const char *bybit_message_topic(const char *msg, size_t len, size_t *n);

#endif
