/* The collector: feed and store without a screen. Threads, started in this order and joined
 * in reverse:
 *   store writer  - the only thread that writes the database;
 *   rest thread   - ranks the universe, starts the WebSocket side, backfills the lookback,
 *                   then polls open interest, long/short and taker ratios and premium, and
 *                   backfills whatever a reconnect may have missed;
 *   ws thread     - (feed/ws.c) streams; turns events into records for the writer;
 *   engine thread - (quant/live.c) applies the events of both to the quant engine,
 *                   publishes snapshots, writes quant_summary and carries out alerts;
 *   health thread - serves /live, /ready, /health and /metrics on 127.0.0.1.
 * The main thread starts it, waits for a signal and stops it. */
#ifndef FB_FEED_COLLECTOR_H
#define FB_FEED_COLLECTOR_H

#include <stdint.h>

#include "core/config.h"
#include "core/strbuf.h"
#include "quant/live.h"
#include "store/shipper.h"
#include "store/writer.h"

#define COLLECTOR_MAX_INTERVALS 16

struct Exchange;

/* An exchange collected besides the first: its own rest and ws threads, limiter and
 * backoff; its rows go through the same writer under its label. The engine follows the
 * first exchange only. */
typedef struct {
	const struct Exchange *ex;
	const char *rest_url, *ws_url, *label;
	int weight_limit, timeout_ms; /* 0: the exchange's rules */
} CollectorVenue;

#define COLLECTOR_MAX_VENUES 3

typedef struct {
	const char *db_path;
	const struct Exchange *ex;                   /* the first exchange (NULL: Binance) */
	CollectorVenue venues[COLLECTOR_MAX_VENUES]; /* more exchanges */
	int nvenues;
	const char *rest_url, *ws_url, *exchange; /* exchange: the label stored with the data */
	int top_n;
	char intervals[COLLECTOR_MAX_INTERVALS][8];
	int nintervals;
	int lookback;
	int weight_limit, timeout_ms;
	int stale_s, silent_stream_s, backoff_reset_s;
	int poll_s;      /* open interest, ratios, premium (default 300) */
	int gap_check_s; /* backfill sweep over every series (default 60) */
	int rank_s;      /* re-rank the universe; subscriptions follow (default 300) */
	int health_port; /* 0: no health server; -1: any free port */
	char watch[CONFIG_MAX_SYMBOLS][FB_SYMBOL_LEN]; /* followed whatever their rank */
	int nwatch;
	int shard_k, shard_n;   /* keep the symbols of share k of n (feed.shard; 0/0: all) */
	int raw_trades;         /* the trade stream instead of aggTrade (feed.trades) */
	int final_pass_ms;      /* at a stop: one last gap pass, at most this long (0: none) */
	int64_t flow_sample_ms; /* book imbalance and CVD stored this often (0: a minute) */
	StoreWriterOptions writer;
	const ShipperOptions *ship;   /* ship what is committed to a cluster store (NULL: none) */
	size_t engine_queue_capacity; /* events (0: the engine's default) */
	/* the engine thread: intervals, top_n and exchange are taken from above */
	QuantOptions quant;
	int engine_cycle_ms;
	AlertRules *rules; /* ownership passes to the collector (NULL: none) */
	void (*on_alert)(void *arg, const AlertRecord *a, int bell); /* engine thread */
	void *alert_arg;
} CollectorOptions;

typedef struct Collector Collector;

/* Starts everything. Returns NULL with err. */
/* The share (0 .. n - 1) a symbol falls to: FNV-1a of its name, modulo n. */
int collector_shard_of(const char *symbol, int n);
Collector *collector_start(const CollectorOptions *o, char *err, size_t errlen);
/* The health server's port, or 0 when it is off. */
int collector_health_port(const Collector *c);
/* 1 once the initial backfill is done and the streams are up. */
int collector_ready(Collector *c);
/* How many exchanges it collects (1 + venues), and the feed state of the i-th (0: the first)
 * with its name, as collector_feed_state gives it. */
int collector_exchanges(const Collector *c);
int collector_exchange_state(Collector *c, int i, char *name, size_t namelen, char *out,
                             size_t len);
/* The /health document (JSON). */
void collector_health_json(Collector *c, StrBuf *out);
/* Any thread: the feed's state in a few words for a status line: "connecting", "live",
 * "reconnecting (n)", "throttled until hh:mm:ss", "banned until hh:mm:ss" or "error: <short
 * reason>". Returns 0 when live, 1 while it waits or reconnects, 2 on an error or a ban. */
int collector_feed_state(Collector *c, char *out, size_t len);
/* The /metrics document (Prometheus text format). */
void collector_metrics(Collector *c, StrBuf *out);
/* Any thread: follow these symbols whatever their rank (the watchlist); the rest thread
 * re-ranks at once, subscribing and backfilling what joins. */
void collector_watch(Collector *c, const char (*symbols)[FB_SYMBOL_LEN], int n);
/* The engine thread (snapshots, rules). */
QuantLive *collector_engine(Collector *c);
/* Stops every thread (the writer flushes first). Returns the number of records that could not
 * be written (0 on a clean stop). */
uint64_t collector_stop(Collector *c);

#endif
