/* The engine thread of live mode (see live.h). */
#include "quant/live.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <spawn.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/log.h"
#include "core/queue.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"
#include "quant/replay.h"
#include "store/store.h"

extern char **environ;

#define BATCH        256
#define MAX_CHILDREN 32

struct QuantLive {
	QuantLiveOptions o;
	char *db_path;
	char exchange[FB_EXCHANGE_LEN];
	QuantEngine *q; /* engine thread */
	Queue *queue;
	pthread_t thread;
	atomic_int stop;
	int replaying; /* engine thread: alerts held back */
	/* requests from other threads; lock */
	pthread_mutex_t lock;
	char (*warm_syms)[FB_SYMBOL_LEN];
	int nwarm, want_warm, warm;
	char (*rewarm)[FB_SYMBOL_LEN];
	int nrewarm;
	char (*track)[FB_SYMBOL_LEN];
	int ntrack, want_track;
	AlertRules *new_rules;
	int rules_pending;
	QuantPin *pins; /* the newest set from quant_live_pin, not yet applied */
	int npins;
	char (*watch)[FB_SYMBOL_LEN]; /* a new watchlist, not yet applied */
	int nwatch, want_watch;
	/* children of alert commands; engine thread */
	pid_t children[MAX_CHILDREN];
	int nchildren;
	atomic_uint_fast64_t applied, dropped, alerts, commands, generation, warmups;
};

/* The numeric feature columns of quant_summary (all but open_time, trend, vol_regime). */
static const char *summary_names[64];
static int summary_cols[64], nsummary;
static pthread_once_t summary_once = PTHREAD_ONCE_INIT;

static void summary_init(void)
{
	for (int i = 0; i < quant_ncolumns && nsummary < 64; i++)
		if (quant_columns[i].kind == QC_NUM) {
			summary_names[nsummary] = quant_columns[i].name;
			summary_cols[nsummary++] = i;
		}
}

static void reap(QuantLive *l)
{
	for (int i = 0; i < l->nchildren;) {
		int status;
		pid_t r = waitpid(l->children[i], &status, WNOHANG);
		if (r == l->children[i] || (r < 0 && errno == ECHILD)) {
			if (r > 0 && WIFEXITED(status) && WEXITSTATUS(status) != 0)
				log_warn("alert", "command exited with status %d",
				         WEXITSTATUS(status));
			l->children[i] = l->children[--l->nchildren];
		} else
			i++;
	}
}

static void run_command(QuantLive *l, const AlertRecord *a, const char *command)
{
	reap(l);
	if (l->nchildren == MAX_CHILDREN) {
		log_warn("alert", "%s: %d alert commands still running; not starting another",
		         a->rule, MAX_CHILDREN);
		return;
	}
	char t[32], value[40], vars[8][256];
	fb_time_format(a->ts, t, sizeof t);
	snprintf(value, sizeof value, "%.17g", a->value);
	snprintf(vars[0], sizeof vars[0], "FB_ALERT_RULE=%s", a->rule);
	snprintf(vars[1], sizeof vars[1], "FB_ALERT_SYMBOL=%s", a->symbol);
	snprintf(vars[2], sizeof vars[2], "FB_ALERT_INTERVAL=%s", a->interval);
	snprintf(vars[3], sizeof vars[3], "FB_ALERT_SEVERITY=%s", a->severity);
	snprintf(vars[4], sizeof vars[4], "FB_ALERT_VALUE=%s", value);
	snprintf(vars[5], sizeof vars[5], "FB_ALERT_TIME=%s", t);
	snprintf(vars[6], sizeof vars[6], "FB_ALERT_MESSAGE=%s", a->message);
	snprintf(vars[7], sizeof vars[7], "FB_ALERT_EXCHANGE=%s", a->exchange);
	size_t n = 0;
	while (environ && environ[n])
		n++;
	char **env = xcalloc(n + 9, sizeof *env);
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (strncmp(environ[i], "FB_ALERT_", 9) != 0)
			env[k++] = environ[i];
	for (int i = 0; i < 8; i++)
		env[k++] = vars[i];
	char *argv[] = {"/bin/sh", "-c", (char *)command, NULL};
	pid_t pid;
	int rc = posix_spawn(&pid, "/bin/sh", NULL, NULL, argv, env);
	free(env);
	if (rc != 0) {
		log_warn("alert", "%s: cannot run its command: %s", a->rule, strerror(rc));
		return;
	}
	l->children[l->nchildren++] = pid;
	atomic_fetch_add(&l->commands, 1);
}

static void on_alert(void *arg, const AlertRecord *a, const char *command, int bell)
{
	QuantLive *l = arg;
	if (l->replaying)
		return;
	atomic_fetch_add(&l->alerts, 1);
	log_warn("alert", "%s %s %s [%s] %s", a->rule, a->symbol, a->interval, a->severity,
	         a->message);
	if (l->o.writer) {
		StoreRecord r = {.type = STORE_REC_ALERT};
		r.u.alert = xmalloc(sizeof *r.u.alert);
		*r.u.alert = *a;
		if (store_writer_put(l->o.writer, &r))
			free(r.u.alert); /* the writer is stopping */
	}
	if (command)
		run_command(l, a, command);
	if (l->o.on_alert)
		l->o.on_alert(l->o.arg, a, bell);
}

/* Replays the store for the given symbols (all intervals of the engine). */
static void replay_symbols(QuantLive *l, const char (*syms)[FB_SYMBOL_LEN], int n)
{
	if (n <= 0)
		return;
	/* what was queued for the store is in it; bounded: a writer that cannot commit (a full
	 * disk) must not hold the engine, and so a stop, for ever */
	if (l->o.writer && store_writer_sync(l->o.writer, 10000))
		log_warn("quant", "warm-up: the store did not take what was queued within 10 s; "
		                  "warming up from what it holds");
	char err[512];
	Store *st = store_open(l->db_path, STORE_READONLY, 5000, err, sizeof err);
	if (!st) {
		log_error("quant", "warm-up: %s", err);
		return;
	}
	const char **names = xcalloc((size_t)n, sizeof *names);
	for (int i = 0; i < n; i++) {
		names[i] = syms[i];
		quant_reset_symbol(l->q, syms[i]);
	}
	const char *ivs[QUANT_MAX_INTERVALS];
	for (int i = 0; i < l->o.q.nintervals; i++)
		ivs[i] = l->o.q.intervals[i];
	ReplaySpec sp = {.exchange = l->exchange,
	                 .symbols = names,
	                 .nsymbols = n,
	                 .intervals = ivs,
	                 .nintervals = l->o.q.nintervals,
	                 .to_ms = INT64_MAX,
	                 .venues = 1};
	int64_t t0 = fb_mono_ms();
	long events = 0;
	StoreReader *rd = store_reader(st);
	ReplayReader *r = store_snapshot_begin(rd, err, sizeof err) == 0
	                          ? replay_open(rd, &sp, err, sizeof err)
	                          : NULL;
	Event ev;
	int rc = r ? 0 : -1;
	l->replaying = 1;
	while (r && (rc = replay_next(r, &ev, err, sizeof err)) == 1) {
		quant_apply(l->q, &ev);
		events++;
	}
	l->replaying = 0;
	if (rc < 0)
		log_error("quant", "warm-up: %s", err);
	replay_close(r);
	store_snapshot_end(rd);
	store_close(st);
	free(names);
	atomic_fetch_add(&l->warmups, 1);
	log_info("quant", "replayed %ld stored events of %d symbol%s in %lld ms", events, n,
	         n == 1 ? "" : "s", (long long)(fb_mono_ms() - t0));
}

static void write_summary(QuantLive *l)
{
	QuantSnapshot *s = quant_snapshot_acquire(l->q);
	if (!s || !l->o.writer) {
		quant_snapshot_release(l->q, s);
		return;
	}
	for (int r = 0; r < s->nrows; r++) {
		const QuantTopRow *row = &s->rows[r];
		for (int i = 0; i < s->nintervals; i++) {
			const QuantValues *v = &row->tf[i];
			StoreRecord rec = {.type = STORE_REC_SUMMARY};
			SummaryRecord *m = &rec.u.summary;
			records_copy_field(m->exchange, sizeof m->exchange, l->exchange);
			records_copy_field(m->symbol, sizeof m->symbol, row->symbol);
			records_copy_field(m->timeframe, sizeof m->timeframe, s->intervals[i]);
			m->updated_ms = row->updated_ms;
			m->open_time = v->open_time;
			m->rank = r + 1;
			records_copy_field(m->trend, sizeof m->trend,
			                   quant_trend_name((int)v->trend));
			records_copy_field(m->vol_regime, sizeof m->vol_regime,
			                   quant_volr_name((int)v->vol_regime));
			m->last_price = row->last;
			m->change_24h = row->change_24h;
			m->quote_volume_24h = row->quote_volume_24h;
			m->names = summary_names;
			m->n = nsummary;
			m->v = xmalloc((size_t)nsummary * sizeof *m->v);
			for (int c = 0; c < nsummary; c++)
				m->v[c] = quant_column_value(v, summary_cols[c]);
			if (store_writer_put(l->o.writer, &rec))
				free(m->v);
		}
	}
	quant_snapshot_release(l->q, s);
}

static void publish(QuantLive *l)
{
	atomic_store(&l->generation, quant_publish(l->q));
	write_summary(l);
}

/* Requests from other threads. */
static void take_requests(QuantLive *l)
{
	pthread_mutex_lock(&l->lock);
	int warm_now = l->want_warm;
	l->want_warm = 0;
	char(*warm)[FB_SYMBOL_LEN] = warm_now ? l->warm_syms : NULL;
	int nwarm = l->nwarm;
	if (warm_now) {
		l->warm_syms = NULL;
		l->nwarm = 0;
	}
	char(*rew)[FB_SYMBOL_LEN] = l->warm ? l->rewarm : NULL;
	int nrew = l->warm ? l->nrewarm : 0;
	if (l->warm) {
		l->rewarm = NULL;
		l->nrewarm = 0;
	}
	char(*track)[FB_SYMBOL_LEN] = l->want_track ? l->track : NULL;
	int ntrack = l->ntrack;
	if (l->want_track) {
		l->track = NULL;
		l->ntrack = l->want_track = 0;
	}
	AlertRules *rules = l->new_rules;
	int rules_pending = l->rules_pending;
	l->new_rules = NULL;
	l->rules_pending = 0;
	QuantPin *pins = l->pins;
	int npins = l->npins;
	l->pins = NULL;
	l->npins = 0;
	char(*watch)[FB_SYMBOL_LEN] = l->want_watch ? l->watch : NULL;
	int nwatch = l->nwatch, want_watch = l->want_watch;
	if (want_watch) {
		l->watch = NULL;
		l->nwatch = l->want_watch = 0;
	}
	pthread_mutex_unlock(&l->lock);
	if (want_watch) {
		quant_set_watch(l->q, (const char(*)[FB_SYMBOL_LEN])watch, nwatch);
		free(watch);
	}
	if (rules_pending)
		quant_set_rules(l->q, rules);
	if (track) {
		int n = quant_symbols(l->q, NULL, 0);
		char(*have)[FB_SYMBOL_LEN] = xcalloc((size_t)n + 1, FB_SYMBOL_LEN);
		quant_symbols(l->q, have, n);
		for (int i = 0; i < n; i++) {
			int keep = 0;
			for (int j = 0; j < ntrack && !keep; j++)
				keep = strcmp(have[i], track[j]) == 0;
			if (!keep)
				quant_drop_symbol(l->q, have[i]);
		}
		free(have);
		free(track);
	}
	if (warm_now) {
		replay_symbols(l, (const char(*)[FB_SYMBOL_LEN])warm, nwarm);
		free(warm);
		pthread_mutex_lock(&l->lock);
		l->warm = 1;
		pthread_mutex_unlock(&l->lock);
	}
	if (nrew) {
		replay_symbols(l, (const char(*)[FB_SYMBOL_LEN])rew, nrew);
	}
	free(rew);
	for (int i = 0; i < npins; i++) /* after any rebuild, which forgets pins */
		quant_pin(l->q, &pins[i]);
	free(pins);
}

static int is_warm(QuantLive *l)
{
	pthread_mutex_lock(&l->lock);
	int w = l->warm;
	pthread_mutex_unlock(&l->lock);
	return w;
}

static int rewarm_pending(QuantLive *l)
{
	pthread_mutex_lock(&l->lock);
	int n = l->warm ? l->nrewarm : 0;
	pthread_mutex_unlock(&l->lock);
	return n > 0;
}

static void *live_main(void *arg)
{
	QuantLive *l = arg;
	Event *batch = xmalloc(BATCH * sizeof *batch);
	int64_t next_publish = fb_mono_ms();
	for (;;) {
		take_requests(l);
		int stopping = atomic_load(&l->stop);
		if (is_warm(l) || stopping) {
			size_t n;
			/* a busy feed: woken at most every millisecond (see core/queue.c) */
			while ((n = queue_pop_batch_linger(l->queue, batch, BATCH,
			                                   stopping ? 0 : 50, stopping ? 0 : 1)) >
			       0) {
				for (size_t i = 0; i < n; i++)
					quant_apply(l->q, &batch[i]);
				atomic_fetch_add(&l->applied, n);
				if (fb_mono_ms() >= next_publish || !stopping)
					break;
			}
		} else
			fb_sleep_ms(20);
		if (fb_mono_ms() >= next_publish || stopping) {
			next_publish = fb_mono_ms() + l->o.cycle_ms;
			publish(l);
			reap(l);
		}
		/* a stop ends once the queue is applied and every rewarm asked for is done (the
		 * collector's last gap pass asks for them, one symbol at a time, while a replay may
		 * be running): the summary then holds what a replay of the store gives */
		if (stopping && queue_depth(l->queue) == 0 && !rewarm_pending(l))
			break;
	}
	free(batch);
	return NULL;
}

QuantLive *quant_live_start(const QuantLiveOptions *o, AlertRules *rules, char *err, size_t errlen)
{
	pthread_once(&summary_once, summary_init);
	QuantLive *l = xcalloc(1, sizeof *l);
	l->o = *o;
	if (l->o.cycle_ms <= 0)
		l->o.cycle_ms = 1000;
	if (!l->o.queue_capacity) /* 2 MiB */
		l->o.queue_capacity = ((size_t)2 << 20) / sizeof(Event);
	l->db_path = xstrdup(o->db_path);
	records_copy_field(l->exchange, sizeof l->exchange,
	                   o->q.exchange ? o->q.exchange : "binance");
	QuantOptions qo = o->q;
	qo.exchange = l->exchange;
	qo.on_alert = on_alert;
	qo.alert_arg = l;
	l->q = quant_new(&qo);
	quant_set_rules(l->q, rules);
	l->queue = queue_new(l->o.queue_capacity, sizeof(Event));
	pthread_mutex_init(&l->lock, NULL);
	if (pthread_create(&l->thread, NULL, live_main, l) != 0) {
		snprintf(err, errlen, "cannot start the engine thread");
		queue_free(l->queue);
		quant_free(l->q);
		free(l->db_path);
		free(l);
		return NULL;
	}
	return l;
}

/* Events the engine must see (they wait for room); the others are dropped on a full queue. */
static int event_critical(const void *p)
{
	const Event *ev = p;
	return (ev->type == EV_CANDLE && ev->u.candle.closed) || ev->type == EV_FUNDING ||
	       ev->type == EV_OPEN_INTEREST || ev->type == EV_RATIO || ev->type == EV_LIQUIDATION ||
	       ev->type == EV_TICKER_24H;
}

void quant_live_push_batch(QuantLive *l, const Event *ev, size_t n)
{
	long dropped = queue_push_batch(l->queue, ev, n, event_critical, NULL);
	if (dropped > 0)
		atomic_fetch_add(&l->dropped, (uint64_t)dropped);
}

void quant_live_push(QuantLive *l, const Event *ev)
{
	int critical = event_critical(ev);
	if (critical)
		queue_push(l->queue, ev);
	else if (queue_try_push(l->queue, ev) == 1)
		atomic_fetch_add(&l->dropped, 1);
}

/* A copy of a symbol list (lock held), replacing *dst. */
static void set_syms(char (**dst)[FB_SYMBOL_LEN], int *ndst, const char (*src)[FB_SYMBOL_LEN],
                     int n)
{
	free(*dst);
	*dst = xcalloc((size_t)n + 1, FB_SYMBOL_LEN);
	memcpy(*dst, src, (size_t)n * FB_SYMBOL_LEN);
	*ndst = n;
}

void quant_live_warm(QuantLive *l, const char (*symbols)[FB_SYMBOL_LEN], int n)
{
	pthread_mutex_lock(&l->lock);
	set_syms(&l->warm_syms, &l->nwarm, symbols, n);
	l->want_warm = 1;
	pthread_mutex_unlock(&l->lock);
	queue_wake(l->queue);
}

void quant_live_rewarm(QuantLive *l, const char *symbol)
{
	pthread_mutex_lock(&l->lock);
	int seen = 0;
	for (int i = 0; i < l->nrewarm && !seen; i++)
		seen = strcmp(l->rewarm[i], symbol) == 0;
	if (!seen) {
		l->rewarm = xrealloc(l->rewarm, (size_t)(l->nrewarm + 1) * FB_SYMBOL_LEN);
		records_copy_field(l->rewarm[l->nrewarm++], FB_SYMBOL_LEN, symbol);
	}
	pthread_mutex_unlock(&l->lock);
	queue_wake(l->queue);
}

void quant_live_track(QuantLive *l, const char (*symbols)[FB_SYMBOL_LEN], int n)
{
	pthread_mutex_lock(&l->lock);
	set_syms(&l->track, &l->ntrack, symbols, n);
	l->want_track = 1;
	pthread_mutex_unlock(&l->lock);
	queue_wake(l->queue);
}

void quant_live_watch(QuantLive *l, const char (*symbols)[FB_SYMBOL_LEN], int n)
{
	pthread_mutex_lock(&l->lock);
	set_syms(&l->watch, &l->nwatch, symbols, n);
	l->want_watch = 1;
	pthread_mutex_unlock(&l->lock);
	queue_wake(l->queue);
}

void quant_live_pin(QuantLive *l, const QuantPin *pins, int n)
{
	QuantPin *copy = n > 0 ? xmalloc((size_t)n * sizeof *copy) : NULL;
	if (copy)
		memcpy(copy, pins, (size_t)n * sizeof *copy);
	pthread_mutex_lock(&l->lock);
	free(l->pins);
	l->pins = copy;
	l->npins = copy ? n : 0;
	pthread_mutex_unlock(&l->lock);
	queue_wake(l->queue);
}

void quant_live_set_rules(QuantLive *l, AlertRules *rules)
{
	pthread_mutex_lock(&l->lock);
	alert_rules_free(l->new_rules);
	l->new_rules = rules;
	l->rules_pending = 1;
	pthread_mutex_unlock(&l->lock);
	queue_wake(l->queue);
}

QuantSnapshot *quant_live_acquire(QuantLive *l)
{
	return quant_snapshot_acquire(l->q);
}

void quant_live_release(QuantLive *l, QuantSnapshot *s)
{
	quant_snapshot_release(l->q, s);
}

void quant_live_get_stats(QuantLive *l, QuantLiveStats *out)
{
	out->applied = atomic_load(&l->applied);
	out->dropped = atomic_load(&l->dropped);
	out->alerts = atomic_load(&l->alerts);
	out->commands = atomic_load(&l->commands);
	out->generation = atomic_load(&l->generation);
	out->warmups = atomic_load(&l->warmups);
	out->queue_depth = queue_depth(l->queue);
	out->warm = is_warm(l);
}

void quant_live_stop(QuantLive *l)
{
	if (!l)
		return;
	atomic_store(&l->stop, 1);
	queue_wake(l->queue);
	pthread_join(l->thread, NULL);
	for (int i = 0; i < l->nchildren; i++) /* commands keep running; do not leave zombies */
		waitpid(l->children[i], NULL, WNOHANG);
	queue_free(l->queue);
	quant_free(l->q);
	alert_rules_free(l->new_rules);
	free(l->warm_syms);
	free(l->rewarm);
	free(l->track);
	free(l->pins);
	free(l->watch);
	pthread_mutex_destroy(&l->lock);
	free(l->db_path);
	free(l);
}
