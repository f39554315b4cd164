/* Store writer thread.
 *
 * Design: one thread owns the only writing connection. It takes up to batch_size records from
 * the queue at a time (one lock, one copy) and writes them in one transaction. A failed
 * transaction (disk full, a lock held too long) is rolled back and retried with a growing
 * pause, so the database is never left half-written and no record is lost while the program
 * runs. Sync requests carry a ticket: the thread answers a ticket once every record queued
 * before it has been committed. */
#include "store/writer.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "core/queue.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"
#include "store/store.h"

struct StoreWriter {
	Queue *q;
	Store *st; /* writer thread only */
	StoreWriterOptions opt;
	pthread_t thread;
	atomic_int stopping, stop_soon;
	int gave_up; /* writer thread: a batch was given up at a stop; later failures are too */
	/* a batch that cannot be committed: how many records, since when; its reason (lock) */
	atomic_size_t held;
	_Atomic int64_t failing_since_ms;
	pthread_mutex_t err_lock;
	char last_error[128]; /* err_lock */
	atomic_uint_fast64_t rows_written, rows_unchanged, transactions, open_dropped, write_errors,
	        lost;
	/* sync tickets */
	pthread_mutex_t sync_lock;
	pthread_cond_t sync_cond;
	uint64_t sync_requested, sync_done; /* sync_lock */
	int finished;                       /* sync_lock */
};

static int write_one(Store *st, const StoreRecord *r)
{
	switch (r->type) {
	case STORE_REC_CANDLE: return store_put_candle(st, &r->u.candle);
	case STORE_REC_FUNDING: return store_put_funding(st, &r->u.funding);
	case STORE_REC_METRIC: return store_put_metric(st, &r->u.metric);
	case STORE_REC_LIQUIDATION: return store_put_liquidation(st, &r->u.liquidation);
	case STORE_REC_ALERT: return store_put_alert(st, r->u.alert);
	case STORE_REC_SOURCE_GAP: return store_put_source_gap(st, &r->u.gap);
	case STORE_REC_SUMMARY: return store_put_summary(st, &r->u.summary);
	case STORE_REC_LIMITER: return store_put_limiter(st, &r->u.limiter);
	case STORE_REC_MARK: return store_put_mark(st, &r->u.candle);
	case STORE_REC_INDEX: return store_put_price_candle(st, STORE_INDEX, &r->u.candle);
	case STORE_REC_SHIPPED:
		return store_outbox_done(st, r->u.shipped.table, r->u.shipped.upto) ? -1
		                                                                    : STORE_UPDATED;
	}
	return -1;
}

/* 1 if a later record of the batch updates the same still-open candle, so this one's state
 * would be overwritten anyway. Looks a short way ahead: updates of one candle come in runs. */
static int superseded(const StoreRecord *recs, size_t n, size_t i)
{
	const Candle *c = &recs[i].u.candle;
	if (recs[i].type != STORE_REC_CANDLE || c->closed)
		return 0;
	for (size_t j = i + 1; j < n && j < i + 64; j++) {
		const Candle *d = &recs[j].u.candle;
		if (recs[j].type == STORE_REC_CANDLE && d->open_time == c->open_time &&
		    strcmp(d->symbol, c->symbol) == 0 && strcmp(d->interval, c->interval) == 0 &&
		    strcmp(d->exchange, c->exchange) == 0)
			return 1;
	}
	return 0;
}

/* The store's reason for a failure, logged and kept for health. */
static void note_error(StoreWriter *w, const char *what)
{
	log_error("store", "%s failed: %s", what, store_errmsg(w->st));
	pthread_mutex_lock(&w->err_lock);
	snprintf(w->last_error, sizeof w->last_error, "%s", store_errmsg(w->st));
	pthread_mutex_unlock(&w->err_lock);
}

/* Writes a batch in one transaction; returns 0 or -1 (rolled back). */
static int write_batch(StoreWriter *w, const StoreRecord *recs, size_t n)
{
	uint64_t written = 0, unchanged = 0;
	if (store_begin(w->st)) {
		note_error(w, "begin");
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		if (superseded(recs, n, i)) {
			unchanged++;
			continue;
		}
		int rc = write_one(w->st, &recs[i]);
		if (rc < 0) {
			note_error(w, "write");
			store_rollback(w->st);
			return -1;
		}
		if (rc == STORE_UNCHANGED)
			unchanged++;
		else
			written++;
	}
	if (store_commit(w->st)) {
		note_error(w, "commit");
		store_rollback(w->st);
		return -1;
	}
	atomic_fetch_add(&w->rows_written, written);
	atomic_fetch_add(&w->rows_unchanged, unchanged);
	atomic_fetch_add(&w->transactions, 1);
	return 0;
}

#define WRITER_LINGER_MS 50

static void *writer_main(void *arg)
{
	StoreWriter *w = arg;
	StoreRecord *batch = xmalloc(w->opt.batch_size * sizeof *batch);
	for (;;) {
		pthread_mutex_lock(&w->sync_lock);
		uint64_t ticket = w->sync_requested;
		pthread_mutex_unlock(&w->sync_lock);

		size_t n = queue_pop_batch(w->q, batch, w->opt.batch_size, w->opt.flush_ms);
		/* a busy feed hands over small batches: gather for a short while (bounded by
		 * flush_ms and WRITER_LINGER_MS) so a transaction, with its file locks and WAL
		 * frames, carries many records; a sync request or a stop ends the wait at once */
		int linger =
		        w->opt.flush_ms < WRITER_LINGER_MS ? w->opt.flush_ms : WRITER_LINGER_MS;
		int64_t until = fb_mono_ms() + linger;
		while (n && n < w->opt.batch_size && !atomic_load(&w->stopping)) {
			int64_t left = until - fb_mono_ms();
			if (left <= 0)
				break;
			size_t m = queue_pop_batch_linger(w->q, batch + n, w->opt.batch_size - n,
			                                  (int)left, left < 5 ? (int)left : 5);
			if (!m)
				break; /* the time is up, a sync asked, or the queue closed */
			n += m;
		}
		int pause = 50, given_up = 0;
		int64_t tried_since_stop = 0;
		while (n && write_batch(w, batch, n)) {
			atomic_fetch_add(&w->write_errors, 1);
			if (!atomic_load(&w->held)) {
				atomic_store(&w->failing_since_ms, fb_now_ms());
				atomic_store(&w->held, n);
			}
			if (atomic_load(&w->stopping) || atomic_load(&w->stop_soon)) {
				/* a stop is near: producers no longer wait for room (they would wait
				 * for ever), two more seconds of retries, then the batch is lost
				 * (counted), and so is every later batch that fails: never a stop that
				 * hangs on a full disk */
				queue_set_nowait(w->q);
				if (!tried_since_stop)
					tried_since_stop = fb_mono_ms();
				else if (w->gave_up || fb_mono_ms() - tried_since_stop >= 2000) {
					w->gave_up = 1;
					log_error("store", "giving up on %zu records at shutdown",
					          n);
					atomic_fetch_add(&w->lost, n);
					given_up = 1;
					break;
				}
				pause = 200;
			}
			fb_sleep_ms(pause);
			pause = pause < 5000 ? pause * 2 : 5000;
		}
		if (n && !given_up && atomic_load(&w->held))
			log_info("store", "writing again after %lld s of failures",
			         (long long)((fb_now_ms() - atomic_load(&w->failing_since_ms)) /
			                     1000));
		atomic_store(&w->held, 0);
		atomic_store(&w->failing_since_ms, 0);
		for (size_t i = 0; i < n; i++)
			if (batch[i].type == STORE_REC_SUMMARY)
				free(batch[i].u.summary.v);
			else if (batch[i].type == STORE_REC_ALERT)
				free(batch[i].u.alert);
		if (n == 0 || queue_depth(w->q) == 0) {
			pthread_mutex_lock(&w->sync_lock);
			if (queue_depth(w->q) == 0 && ticket > w->sync_done) {
				w->sync_done = ticket;
				pthread_cond_broadcast(&w->sync_cond);
			}
			pthread_mutex_unlock(&w->sync_lock);
		}
		if (n == 0 && atomic_load(&w->stopping) && queue_depth(w->q) == 0)
			break;
	}
	free(batch);
	pthread_mutex_lock(&w->sync_lock);
	w->finished = 1;
	pthread_cond_broadcast(&w->sync_cond);
	pthread_mutex_unlock(&w->sync_lock);
	return NULL;
}

StoreWriter *store_writer_start(const char *path, const StoreWriterOptions *opt, char *err,
                                size_t errlen)
{
	Store *st = store_open(path, 0, opt->busy_timeout_ms, err, errlen);
	if (!st)
		return NULL;
	if (opt->outbox && store_outbox_enable(st)) {
		snprintf(err, errlen, "%s: the outbox: %s", path, store_errmsg(st));
		store_close(st);
		return NULL;
	}
	StoreWriter *w = xcalloc(1, sizeof *w);
	w->opt = *opt;
	if (w->opt.batch_size == 0)
		w->opt.batch_size = 1;
	if (w->opt.flush_ms <= 0)
		w->opt.flush_ms = 250;
	w->st = st;
	w->q = queue_new(opt->queue_capacity, sizeof(StoreRecord));
	pthread_mutex_init(&w->sync_lock, NULL);
	pthread_mutex_init(&w->err_lock, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&w->sync_cond, &ca);
	pthread_condattr_destroy(&ca);
	if (pthread_create(&w->thread, NULL, writer_main, w) != 0) {
		snprintf(err, errlen, "%s: cannot start the writer thread", path);
		queue_free(w->q);
		store_close(st);
		free(w);
		return NULL;
	}
	return w;
}

int store_writer_put(StoreWriter *w, const StoreRecord *rec)
{
	if (rec->type == STORE_REC_CANDLE && !rec->u.candle.closed) {
		int rc = queue_try_push(w->q, rec);
		if (rc == 1) {
			atomic_fetch_add(&w->open_dropped, 1);
			return 0;
		}
		return rc;
	}
	int rc = queue_push(w->q, rec);
	if (rc == 1) { /* refused: the store cannot take anything and a stop is on */
		atomic_fetch_add(&w->lost, 1);
		return -1;
	}
	return rc;
}

static int record_must_wait(const void *p)
{
	const StoreRecord *r = p;
	return !(r->type == STORE_REC_CANDLE && !r->u.candle.closed);
}

int store_writer_put_batch(StoreWriter *w, const StoreRecord *recs, size_t n)
{
	long refused = 0;
	long dropped = queue_push_batch(w->q, recs, n, record_must_wait, &refused);
	if (refused) /* the store cannot take anything and a stop is on */
		atomic_fetch_add(&w->lost, (uint64_t)refused);
	if (dropped < 0)
		return -1;
	if (dropped)
		atomic_fetch_add(&w->open_dropped, (uint64_t)dropped);
	return 0;
}

int store_writer_sync(StoreWriter *w, int timeout_ms)
{
	struct timespec until;
	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += timeout_ms / 1000;
	until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&w->sync_lock);
	uint64_t ticket = ++w->sync_requested;
	queue_wake(w->q);
	while (w->sync_done < ticket && !w->finished)
		if (timeout_ms < 0)
			pthread_cond_wait(&w->sync_cond, &w->sync_lock);
		else if (pthread_cond_timedwait(&w->sync_cond, &w->sync_lock, &until) != 0)
			break; /* the time ran out */
	int rc = w->sync_done >= ticket ? 0 : -1;
	pthread_mutex_unlock(&w->sync_lock);
	return rc;
}

void store_writer_stop_soon(StoreWriter *w)
{
	if (w)
		atomic_store(&w->stop_soon, 1);
}

void store_writer_get_stats(StoreWriter *w, StoreWriterStats *out)
{
	out->rows_written = atomic_load(&w->rows_written);
	out->rows_unchanged = atomic_load(&w->rows_unchanged);
	out->transactions = atomic_load(&w->transactions);
	out->open_dropped = atomic_load(&w->open_dropped);
	out->write_errors = atomic_load(&w->write_errors);
	out->queue_depth = queue_depth(w->q);
	out->held = atomic_load(&w->held);
	out->failing_since_ms = atomic_load(&w->failing_since_ms);
	pthread_mutex_lock(&w->err_lock);
	memcpy(out->last_error, w->last_error, sizeof out->last_error);
	pthread_mutex_unlock(&w->err_lock);
	if (!out->held)
		out->last_error[0] = '\0';
}

uint64_t store_writer_stop(StoreWriter *w)
{
	if (!w)
		return 0;
	atomic_store(&w->stopping, 1);
	queue_close(w->q);
	pthread_join(w->thread, NULL);
	uint64_t lost = atomic_load(&w->lost);
	store_close(w->st);
	queue_free(w->q);
	pthread_mutex_destroy(&w->sync_lock);
	pthread_mutex_destroy(&w->err_lock);
	pthread_cond_destroy(&w->sync_cond);
	free(w);
	return lost;
}
