/* An exchange, as the feed sees it: its REST endpoints (and their paging order), its
 * WebSocket routes, subscribe messages and heartbeat, its parsers from frames to events, and
 * its rate-limit rules. The collector, universe, backfill and WebSocket client use only this;
 * Binance USDⓈ-M (exchange_binance.c) and Bybit V5 linear (exchange_bybit.c) implement it.
 *
 * The REST operations run on the thread that owns the RestClient; every answer they return
 * is in this program's conventions whatever the exchange sends: candles ascending with the
 * still-open one marked, times in epoch ms, quantities per contract as the exchange counts
 * them, intervals named "1m" … "1d". A stream parser belongs to one WebSocket connection (ws
 * thread) and is reset whenever that connection is made again. */
#ifndef FB_FEED_EXCHANGE_H
#define FB_FEED_EXCHANGE_H

#include <stddef.h>
#include <stdint.h>

#include "feed/limiter.h"
#include "feed/rest.h"
#include "feed/universe.h"
#include "quant/event.h"
#include "quant/metricmap.h"
#include "store/records.h"

typedef enum {
	STREAM_OTHER,
	STREAM_KLINE,  /* REST gives its history back after a gap */
	STREAM_TRADES, /* REST gives (some of) it back */
	STREAM_MARK,   /* mark, index and funding estimate */
	STREAM_BOOK,   /* top of book */
	STREAM_LIQUIDATIONS,
	STREAM_TICKER
} StreamKind;

typedef struct {
	StreamKind kind;
	char symbol[FB_SYMBOL_LEN];
	char interval[8]; /* STREAM_KLINE: ours ("1m") */
} StreamInfo;

/* Which stream a message is for: the name's bytes inside msg, or NULL. */
typedef const char *(*ExchangeMessageStream)(const char *msg, size_t len, size_t *n);

typedef struct Exchange {
	const char *name; /* "binance", "bybit": the default label and the config section */
	const char *rest_url, *ws_url; /* production defaults */
	LimiterRules limits;

	/* REST. Each returns the count (*out allocated, caller frees), or with err: -1 when the
	 * request failed, -2 when the answer is malformed. Rows that fail the checks are
	 * skipped and counted in *bad. */
	/* USDT perpetuals that trade now, with their 24h quote volume (ranked by the caller) */
	long (*instruments)(RestClient *rc, UniverseEntry **out, long *bad, char *err,
	                    size_t errlen);
	/* the funding period of every perpetual (symbol and funding_interval_min only), read
	 * every minute; NULL where the exchange lists none (Binance: 8 h unless it says) */
	long (*funding_periods)(RestClient *rc, UniverseEntry **out, long *bad, char *err,
	                        size_t errlen);
	int64_t (*server_time)(RestClient *rc, char *err, size_t errlen);
	/* candles with open time in [from, to], at most limit (the range never holds more),
	 * ascending; the one not closed at now is marked open */
	int kline_page; /* the most one request gives */
	long (*klines)(RestClient *rc, const char *label, const char *symbol, const char *interval,
	               int64_t from, int64_t to, int limit, int64_t now, Candle **out, long *bad,
	               char *err, size_t errlen);
	/* 1m mark (index = 0) or index (index = 1) price candles from from, ascending */
	long (*price_klines)(RestClient *rc, const char *label, const char *symbol, int index,
	                     int64_t from, int limit, int64_t now, Candle **out, long *bad,
	                     char *err, size_t errlen);
	/* the open interest now, one side, in contracts: 0, or -1 / -2 with err; *sides says
	 * how the exchange counted it (1: one side; 2: both, halved here) */
	int (*open_interest)(RestClient *rc, const char *symbol, int64_t now, double *contracts,
	                     int64_t *ts, int *sides, char *err, size_t errlen);
	/* the 5-minute histories it serves, and the newest limit points of one, ascending, in
	 * v[] and ts[] (at most cap); for open interest, *sides as above (else 0) */
	const MetricId *metrics;
	int nmetrics;
	int metric_rows; /* the most one answer holds */
	long (*metric_history)(RestClient *rc, const char *symbol, MetricId metric, long limit,
	                       int64_t now, double *v, int64_t *ts, long cap, long *bad, int *sides,
	                       char *err, size_t errlen);
	/* realised funding after since (0: the latest few), ascending */
	long (*funding)(RestClient *rc, const char *label, const char *symbol, int64_t since,
	                FundingRate **out, long *bad, char *err, size_t errlen);
	/* trades after trade id after (agg: aggregated trades), ascending, as EV_AGG_TRADE; NULL
	 * when trade ids are not a sequence (a gap cannot be asked for) */
	long (*trades_after)(RestClient *rc, const char *symbol, int agg, int64_t after,
	                     Event **out, long *bad, char *err, size_t errlen);
	/* one light all-symbol request that shows the exchange answers (the premium job) */
	int (*premium)(RestClient *rc, char *err, size_t errlen);
	/* the error message of an answer body (any status; sanitised): 1 when the body is an
	 * error even with a 2xx status (Bybit's retCode), else 0 */
	int (*body_error)(const char *body, size_t len, char *msg, size_t msglen);

	/* WebSocket */
	/* the stream names of one symbol (each allocated) */
	int (*symbol_streams)(const char *symbol, const char (*intervals)[8], int nintervals,
	                      int raw_trades, char **out);
	int (*stream_info)(const char *name, StreamInfo *out); /* 0, or -1: not ours */
	/* the route (0 or 1) a stream must go to, and each route's path */
	int (*stream_route)(const char *name);
	const char *routes[2];
	int url_streams; /* streams named in the connection URL ("?streams=a/b"); 0: none */
	int max_streams; /* per connection */
	int sub_batch;   /* names per subscribe message */
	/* a (un)subscribe message into buf: its length */
	int (*sub_message)(char *buf, size_t cap, int subscribe, const char *const *names, int n,
	                   int id);
	const char *ping; /* a text heartbeat sent every ping_s (NULL: the server pings) */
	int ping_s;
	ExchangeMessageStream message_stream;
	void *(*parser_new)(void);
	void (*parser_free)(void *p);
	void (*parser_reset)(void *p); /* the connection was made again */
	/* one message into events: the count (0 for replies and pongs), or -1 with why */
	int (*parse)(void *p, const char *msg, size_t len, const char *label, int64_t now,
	             Event *out, int max, char *why, size_t whylen);
} Exchange;

extern const Exchange exchange_binance;
extern const Exchange exchange_bybit;

/* By name; NULL when there is none. */
const Exchange *exchange_find(const char *name);

#endif
