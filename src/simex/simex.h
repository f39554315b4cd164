/* simex: a local exchange speaking Binance USD-M futures and Bybit V5 linear (REST and
 * WebSocket) on 127.0.0.1, both served from the one market model. One thread (the simex thread) owns the lws context and the model; other
 * threads only start and stop it.
 *
 * Rate limits as Binance: every request has a weight, the response carries
 * X-MBX-USED-WEIGHT-1M for the current real-time minute, a request that would pass the limit
 * gets 429 with Retry-After (seconds to the next minute), and any request inside a Retry-After
 * window gets 418 with a ban (ban_s, extended by every further request). Such requests are
 * counted as violations: a well-behaved client causes none. */
#ifndef FB_SIMEX_SIMEX_H
#define FB_SIMEX_SIMEX_H

#include <stdint.h>

#define SIMEX_MAX_SWITCHES 4

typedef struct {
	int port; /* 0: any free port */
	uint64_t seed;
	double speed;            /* simulated ms per real ms */
	int64_t start_ms;        /* simulated time at start; 0: now */
	int history_minutes;     /* market generated before the start */
	const char *instruments; /* data/instruments.csv */
	const char *history_db;  /* play the candles stored here instead of the model (NULL: no) */
	double missing_rate;     /* share of 1m candles missing at the source */
	double bad_rows_rate;    /* share of REST kline rows sent with a value no market has */
	int weight_limit;        /* per window (Binance: 2400 per minute) */
	int weight_window_s;     /* the window in real seconds (Binance: 60) */
	int ban_s;               /* 418 ban length */
	int burst_every_s;       /* every this many seconds, ... */
	int burst_s;             /* ... answer everything with 429 for this long (0: never) */
	int slow_ms;             /* delay every REST answer by this much */
	/* WebSocket faults */
	int ws_drop_every_s;    /* close every connection this often (0: never) */
	int ws_silence_every_s; /* go silent, without closing, this often ... */
	int ws_silence_s;       /* ... for this long */
	double malformed_rate;  /* share of messages sent garbled or truncated */
	double duplicate_rate;  /* share of messages sent twice */
	double reorder_rate;    /* share of messages swapped with the one before */
	double churn;           /* ranking churn speed (1: normal) */
	int firehose;           /* benchmark: extra kline updates per stream per 100 ms */
	/* recorded traffic (simex/capture.h): streams it holds are served from it, in the
	 * recorded order, at the recorded pace times capture_speed, or as fast as the client
	 * takes them (capture_max); capture_loop starts it over at the end */
	const char *capture[8];
	int ncapture;
	double capture_speed;
	int capture_max, capture_loop;
	int reroute_book; /* serve the book streams on /market instead of /public */
	/* venues served on the one port: SIMEX_BINANCE (/fapi, /futures/data, /market and
	 * /public streams) and SIMEX_BYBIT (/v5/market, /v5/public/linear) */
	int venues;
	int bybit_limit;    /* Bybit: requests per window (600) ... */
	int bybit_window_s; /* ... of this many real seconds (5); then a 403 ban */
	/* symbols whose Bybit funding interval goes from 8 h to 4 h ... */
	const char *bybit_switch_symbol[SIMEX_MAX_SWITCHES];
	int bybit_switch_minutes[SIMEX_MAX_SWITCHES]; /* ... this many simulated minutes after
	                                                  the start */
	int nbybit_switch;
	int bybit_oi_both;           /* open interest as both sides only (no single side) */
	const char *truth_path;      /* write every closed candle here on stop (NULL: no) */
	const char *truth_intervals; /* e.g. "1m 5m 1h" */
} SimexOptions;

#define SIMEX_BINANCE 1
#define SIMEX_BYBIT   2

typedef struct {
	uint64_t requests, weight_used, rate_limited, banned, violations, errors;
} SimexStats;

typedef struct Simex Simex;

void simex_options_default(SimexOptions *o);
/* Builds the model, binds the port and starts the simex thread. NULL with err. */
Simex *simex_start(const SimexOptions *o, char *err, size_t errlen);
/* The port it listens on. */
int simex_port(const Simex *s);
void simex_get_stats(Simex *s, SimexStats *out);
/* Stops the thread, writes the ground truth if asked, frees. Returns 0, or -1 if the truth
 * file could not be written (logged). */
int simex_stop(Simex *s);

#endif
