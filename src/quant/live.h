/* The engine thread of live mode. The feed pushes events; this thread alone applies them to
 * its QuantEngine, publishes a snapshot and refreshes quant_summary every cycle, and carries
 * out alerts (stored, logged, an optional shell command with the alert in FB_ALERT_*
 * variables, and the owner's callback for toasts and the bell).
 *
 * Warm-up: nothing is applied until quant_live_warm(): then the store is replayed (from the
 * first stored candle of every series of the given symbols, alerts held back) and the queued
 * events follow; what the replay already covered is ignored by the engine. After a backfill
 * has repaired a series, quant_live_rewarm() rebuilds that symbol from the store the same way,
 * so live values stay equal to a replay of the store.
 *
 * Back-pressure: closed candles, funding, open interest, ratios and liquidations wait for
 * room; open candles, marks, trades and book updates are dropped when the queue is full, and
 * counted. */
#ifndef FB_QUANT_LIVE_H
#define FB_QUANT_LIVE_H

#include <stddef.h>
#include <stdint.h>

#include "quant/alerts.h"
#include "quant/engine.h"
#include "store/writer.h"

typedef struct {
	QuantOptions q; /* its on_alert is replaced; use on_alert below */
	const char *db_path;
	StoreWriter *writer; /* alerts and quant_summary rows go here (NULL: not stored) */
	int cycle_ms;        /* publish period (default 1000) */
	size_t queue_capacity;
	/* engine thread: an alert that fired live (not during a warm-up) */
	void (*on_alert)(void *arg, const AlertRecord *a, int bell);
	void *arg;
} QuantLiveOptions;

typedef struct {
	uint64_t applied, dropped, alerts, commands, generation, warmups;
	size_t queue_depth;
	int warm;
} QuantLiveStats;

typedef struct QuantLive QuantLive;

/* Takes ownership of rules (may be NULL). Returns NULL with err. */
QuantLive *quant_live_start(const QuantLiveOptions *o, AlertRules *rules, char *err, size_t errlen);
/* Any thread. */
void quant_live_push(QuantLive *l, const Event *ev);
/* As quant_live_push for n events under one lock, waking the engine once. */
void quant_live_push_batch(QuantLive *l, const Event *ev, size_t n);
/* Any thread: replay the store for these symbols, then go live. */
void quant_live_warm(QuantLive *l, const char (*symbols)[FB_SYMBOL_LEN], int n);
/* Any thread: rebuild one symbol from the store. */
void quant_live_rewarm(QuantLive *l, const char *symbol);
/* Any thread: forget every symbol not in this list (after a re-rank). */
void quant_live_track(QuantLive *l, const char (*symbols)[FB_SYMBOL_LEN], int n);
/* Any thread: the watchlist, shown above the ranked rows (see quant_set_watch). */
void quant_live_watch(QuantLive *l, const char (*symbols)[FB_SYMBOL_LEN], int n);
/* Any thread: pin another engine's values (attach: the collector's quant_summary rows); the
 * engine thread applies the newest set before its next publish (see quant_pin). */
void quant_live_pin(QuantLive *l, const QuantPin *pins, int n);
/* Any thread: install a new rule set (ownership passes; cooldowns of kept rules stay). */
void quant_live_set_rules(QuantLive *l, AlertRules *rules);
/* Any thread: the latest snapshot (NULL before the first), held until released. */
QuantSnapshot *quant_live_acquire(QuantLive *l);
void quant_live_release(QuantLive *l, QuantSnapshot *s);
void quant_live_get_stats(QuantLive *l, QuantLiveStats *out);
/* Applies what is queued, publishes and writes a last quant_summary, joins. NULL: nothing. */
void quant_live_stop(QuantLive *l);

#endif
