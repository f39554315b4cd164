/* simex internals shared by its modules (server.c: REST and lifecycle; stream.c: WebSocket
 * streams). Everything here belongs to the simex thread unless marked. */
#ifndef FB_SIMEX_INTERNAL_H
#define FB_SIMEX_INTERNAL_H

#include <libwebsockets.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "core/clock.h"
#include "core/rng.h"
#include "core/strbuf.h"
#include "simex/capture.h"
#include "simex/model.h"
#include "simex/simex.h"

/* Decimals shown for a tick or step size (0.01 -> 2, 1 -> 0). */
int simex_decimals(double step);

typedef struct WsConn WsConn;

struct Simex {
	SimexOptions opt;
	SimInstrument *inst;
	int ninst;
	SimModel *model; /* simex thread (after start) */
	Clock clock;
	struct lws_context *ctx;
	lws_sorted_usec_list_t tick;
	int port;
	pthread_t thread;
	atomic_int stop;
	/* rate limiting, simex thread */
	int64_t window, retry_until, ban_until, started_real;
	int used;
	/* stats */
	pthread_mutex_t lock;
	SimexStats stats; /* lock */
	/* start-up hand-shake */
	pthread_mutex_t start_lock;
	pthread_cond_t start_cond;
	int started; /* start_lock: 1 ok, -1 failed */
	char start_err[256];
	/* WebSocket streams (stream.c) */
	WsConn *conns;
	Rng fault_rng;
	int64_t next_drop, silent_until, next_silence, next_arr;
	int64_t *trade_id;   /* per instrument: aggTrade ids run per symbol, as on Binance */
	SimCapture cap;      /* recorded traffic (opt.capture), cap.n == 0: none */
	int64_t cap_t0_real; /* mono ms when the capture's clock started (0: not yet) */
	uint64_t cap_sent;
};

/* stream.c: the WebSocket side, called from server.c's protocol callback and timer. */
int simex_ws_callback(Simex *s, struct lws *wsi, enum lws_callback_reasons reason, void **slot,
                      void *in, size_t len);
void simex_ws_tick(Simex *s);
void simex_ws_stats(Simex *s, int *connections, uint64_t *messages);
/* The capture's clock: recorded ns since its first frame reached now (0 before the first
 * subscriber; every frame with --rate max). */
double simex_capture_reached(Simex *s);

#endif
