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

/* A REST request's query and its answer. */
typedef struct {
	char key[32], val[96];
} Arg;

typedef struct {
	Arg a[16];
	int n;
} Args;

typedef struct {
	int status;
	StrBuf body;
	int retry_after; /* seconds, 0: none */
	int html;        /* the body is an HTML page (Bybit's 403) */
	int bybit;       /* a Bybit answer: no Binance weight header */
} Reply;

/* The value of ?key=, or NULL; as an integer, or def when absent. */
const char *simex_arg(const Args *q, const char *key);
int64_t simex_arg_int(const Args *q, const char *key, int64_t def);

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
	/* Bybit's: requests in the current window, a 403 ban (simex thread) */
	int64_t by_window, by_ban_until;
	int by_used;
	/* Bybit: the symbols whose funding interval goes from 8 h to 4 h (-1: none), and when
	 * (sim ms) */
	int by_switch_i[SIMEX_MAX_SWITCHES];
	int64_t by_switch_t[SIMEX_MAX_SWITCHES];
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

/* bybit.c: Bybit V5 on the same model. Prices differ from Binance's by a few basis points
 * per symbol (a constant factor), volumes and open interest are a share of the model's, the
 * funding rate leans a little, 1000SHIBUSDT is named SHIB1000USDT, and one symbol's funding
 * interval goes from 8 h to 4 h at by_switch_t (a few may). */
#define SIMEX_BYBIT_VOLUME 0.45 /* Bybit's share of the model's volume */
#define SIMEX_BYBIT_OI     0.6  /* ... and of its open interest (one side) */
/* Answers a /v5/ request (rate limits and faults included). */
void simex_bybit_handle(Simex *s, const char *path, const Args *q, Reply *r);
/* Bybit's name of instrument i into out (FB_SYMBOL_LEN). */
void simex_bybit_name(const Simex *s, int i, char *out);
/* The instrument of a Bybit name, or -1. */
int simex_bybit_find(const Simex *s, const char *name);
/* Bybit's view of a candle or of the state of instrument i. */
void simex_bybit_candle(const Simex *s, int i, Candle *c);
void simex_bybit_state(const Simex *s, int i, int64_t now, SimState *st);
/* Bybit's funding interval of instrument i at t, in minutes (480 or 240). */
int simex_bybit_funding_interval(const Simex *s, int i, int64_t t);
/* Bybit's realised funding events of instrument i up to now, ascending (*out allocated).
 * Returns the count. */
size_t simex_bybit_funding(const Simex *s, int i, int64_t now, SimFunding **out);

/* stream.c: the WebSocket side, called from server.c's protocol callback and timer. */
int simex_ws_callback(Simex *s, struct lws *wsi, enum lws_callback_reasons reason, void **slot,
                      void *in, size_t len);
void simex_ws_tick(Simex *s);
void simex_ws_stats(Simex *s, int *connections, uint64_t *messages);
/* The capture's clock: recorded ns since its first frame reached now (0 before the first
 * subscriber; every frame with --rate max). */
double simex_capture_reached(Simex *s);

#endif
