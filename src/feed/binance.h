/* Binance USD-M futures payloads: parsers for REST answers and WebSocket messages into
 * records and events. Pure functions over text (jansson), any thread.
 *
 * Every field is checked: numbers arrive as strings and must parse whole, symbols must be
 * upper-case letters and digits, times must be positive integers (some endpoints send them as
 * strings). A payload that fails is counted as malformed and skipped, never fatal; the
 * reason is left in a caller's buffer for the log. Nothing from the network is passed on with
 * control characters in it. */
#ifndef FB_FEED_BINANCE_H
#define FB_FEED_BINANCE_H

#include <stddef.h>
#include <stdint.h>

#include "quant/event.h"
#include "store/records.h"

typedef struct {
	char symbol[FB_SYMBOL_LEN];
	char base[16], quote[16];
	int perpetual, trading;
	double tick_size, step_size;
} BinanceSymbol;

typedef struct {
	char symbol[FB_SYMBOL_LEN];
	double last, change_pct, volume, quote_volume;
	int64_t trades, close_time;
} BinanceTicker;

/* REST /fapi/v1/klines rows into candles of exchange/symbol/interval. A candle whose close
 * time is not before now is marked open. Returns the number of candles (*out allocated,
 * caller frees), or -1 with why. Rows that fail are skipped and counted in *bad. */
long binance_parse_klines(const char *json, size_t len, const char *exchange, const char *symbol,
                          const char *interval, int64_t now, Candle **out, long *bad, char *why,
                          size_t whylen);
/* /fapi/v1/exchangeInfo symbols. Returns the count (*out allocated) or -1. */
long binance_parse_exchange_info(const char *json, size_t len, BinanceSymbol **out, long *bad,
                                 char *why, size_t whylen);
/* /fapi/v1/ticker/24hr (array or one object). Returns the count (*out allocated) or -1. */
long binance_parse_tickers(const char *json, size_t len, BinanceTicker **out, long *bad, char *why,
                           size_t whylen);
/* /fapi/v1/fundingRate. Returns the count (*out allocated) or -1. */
long binance_parse_funding(const char *json, size_t len, const char *exchange, FundingRate **out,
                           long *bad, char *why, size_t whylen);
/* /fapi/v1/trades (agg = 0: id, price, qty, time, isBuyerMaker) or /fapi/v1/aggTrades (agg =
 * 1: a, p, q, T, m) of symbol into EV_AGG_TRADE events, in the order given. Returns the count
 * (*out allocated) or -1; rows that fail are counted in *bad. */
long binance_parse_trades(const char *json, size_t len, const char *symbol, int agg, Event **out,
                          long *bad, char *why, size_t whylen);
/* The error body {"code":-1121,"msg":"..."}: fills msg (sanitised) and returns the code, or 0
 * with msg empty when the text is not such a body. */
int binance_parse_error(const char *json, size_t len, char *msg, size_t msglen);

/* A time from the exchange is plausible: from 2017 (before any USDⓈ-M market) to a day past
 * now (epoch ms). Checked before any arithmetic on it. */
int binance_time_ok(int64_t t, int64_t now);
/* /fapi/v1/time: the serverTime, or -1 with why (absent, or not a plausible time). */
int64_t binance_parse_server_time(const char *json, size_t len, int64_t now, char *why,
                                  size_t whylen);
/* /fapi/v1/openInterest {"openInterest":"…","time":…}: 0 with the contracts (0 to 1e15) and
 * the time, or -1 (malformed or out of range). */
int binance_parse_open_interest(const char *json, size_t len, int64_t now, double *contracts,
                                int64_t *ts);
/* /futures/data/… [{FIELD:"…","timestamp":…}, …] (oldest first): each row's FIELD, 0 to max,
 * and time, into v[] and ts[] (at most cap). Returns the rows taken (0 for an empty list),
 * with rows that are malformed or out of range skipped and counted in *bad; -1 when the answer
 * is not a list. */
long binance_parse_ratios(const char *json, size_t len, const char *field, double max, int64_t now,
                          double *v, int64_t *ts, long cap, long *bad);

/* One WebSocket message, combined ({"stream":..,"data":..}) or raw, into events. Arrays (the
 * all-market streams) give several; entries with st other than 1 (COIN-M) are left out.
 * Returns the number of events written (0 for replies such as {"result":null,"id":1}), or -1
 * for a malformed message (why says what). */
int binance_parse_ws(const char *msg, size_t len, const char *exchange, int64_t now, Event *out,
                     int max, char *why, size_t whylen);

#endif
