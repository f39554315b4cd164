/* The feed's WebSocket side: streams split over connections of at most the exchange's
 * streams each, each on its routed path (Binance: /public/stream for book streams,
 * /market/stream for the rest; Bybit: /v5/public/linear); the first streams go in the URL
 * where the exchange allows it, the others follow as paced subscribe messages, and a text
 * heartbeat goes out where the exchange asks for one (Bybit's {"op":"ping"} every 20 s).
 * Reconnects with exponential backoff and jitter (reset after a minute of health), treats a
 * connection with no message for stale_s as dead, flags streams that were subscribed but
 * never delivered, and reconnects before a connection's 24 hours are up.
 *
 * Threads: the ws thread owns the lws context and every connection; the on_event and
 * on_reconnect callbacks run on it. Other threads call only feed_ws_stop() and
 * feed_ws_get_stats() (which take a lock). */
#ifndef FB_FEED_WS_H
#define FB_FEED_WS_H

#include <stdint.h>

#include "quant/event.h"

struct Exchange;

typedef struct {
	const struct Exchange *ex; /* routes, subscribe messages, heartbeat, parser */
	const char *url;           /* ws://127.0.0.1:PORT or wss://fstream.binance.com */
	const char *exchange;      /* label stored with the data */
	int stale_s;               /* no message for this long: reconnect (default 30) */
	int silent_stream_s;       /* a stream silent this long after subscribing is flagged (60) */
	int max_streams;           /* per connection, at most 200 */
	int64_t max_age_s;         /* reconnect before this (default 23 h) */
	int backoff_reset_s;       /* this long connected resets the backoff (default 60) */
	void (*on_event)(void *arg, const Event *ev);
	/* after a reconnect, with the connection's streams, so the owner can fetch what was
	 * missed */
	void (*on_reconnect)(void *arg, const char *const *streams, int n);
	/* after each service-loop pass, whose events on_event saw: hand them on as one batch */
	void (*on_pass)(void *arg);
	/* about once a second: how many connections are up, and the last message's wall time
	 * (0: none yet), so the owner's health hears it from the ws thread itself */
	void (*on_status)(void *arg, int connected, int connections, int64_t last_message_ms);
	void *arg;
} FeedWsOptions;

#define FEED_WS_MAX_CONN_STATS 16

/* One connection, for the health screen. */
typedef struct {
	int connected, streams;
	int64_t last_message_age_ms; /* -1: none yet */
	uint64_t reconnects;
	char last_error[96];   /* "" none; printable ASCII */
	int64_t last_error_ms; /* wall clock, 0: none */
} FeedWsConnStats;

typedef struct {
	uint64_t messages, events, malformed, connects, reconnects, stale, silent_streams;
	uint64_t passes; /* service-loop passes that received messages (one hand-off each) */
	/* stream-milliseconds of the streams REST cannot fill again (all but klines and trades:
	 * mark price, book top, liquidations ...) lost while their connection was down */
	uint64_t stream_ms_lost;
	int connections, connected;
	int64_t last_message_ms;                      /* wall clock */
	FeedWsConnStats conn[FEED_WS_MAX_CONN_STATS]; /* the first connections */
	int nconn;
} FeedWsStats;

typedef struct FeedWs FeedWs;

/* Starts the ws thread with these stream names (copied). Returns NULL with err. */
FeedWs *feed_ws_start(const FeedWsOptions *o, char *const *streams, int n, char *err,
                      size_t errlen);
void feed_ws_get_stats(FeedWs *w, FeedWsStats *out);
/* Any thread: subscribe to add[] and unsubscribe from del[] (names copied). The ws thread
 * applies it at once: SUBSCRIBE/UNSUBSCRIBE on live connections (paced), new connections
 * when the others are full. Returns 0. */
int feed_ws_subscribe(FeedWs *w, char *const *add, int nadd, char *const *del, int ndel);
/* Closes every connection and joins the thread. NULL does nothing. */
/* Any thread: the ws thread runs a pass (and its on_pass) soon. */
void feed_ws_wake(FeedWs *w);
void feed_ws_stop(FeedWs *w);

#endif
