/* Bounded queue: a ring buffer under one mutex with two condition variables. Items are copied;
 * the consumer copies a whole batch out under the lock and works on it unlocked, so a lock is
 * held only for memcpy. A side is signalled only when it waits, so a busy queue costs no
 * system call per item.
 *
 * The feed's hand-off, who wakes whom and when:
 *
 *   ws thread     one lws_service pass reads what the sockets hold (often dozens of frames);
 *                 each frame is parsed into events, which are staged in the collector's own
 *                 arrays (no lock, no system call). At the pass's end (FeedWsOptions.on_pass)
 *                 or when a stage is full (512 events, 256 records) the stage goes over in one
 *                 queue_push_batch to each consumer: one lock, at most one futex wake each.
 *                 Back-pressure stays: closed candles, funding, open interest, ratios,
 *                 liquidations and tickers wait for room inside the batch; open-candle and
 *                 book updates are dropped on a full queue and counted.
 *   engine thread waits on its queue with a timeout (its publish cycle); a wake takes every
 *                 queued event in one pop.
 *   writer thread waits up to flush_ms; once a record arrives it gathers for at most 50 ms
 *                 (or until batch_size) so that one transaction carries many records; a sync
 *                 request (queue_wake) or a stop ends the gathering at once.
 *
 * Queue slots are sized by the common record (StoreRecord 160 bytes: an alert goes by
 * pointer), and capacities are configured in bytes (store.queue_bytes, quant.queue_bytes). */
#include "core/queue.h"

#include <errno.h>
#include <stdlib.h>
#include <pthread.h>
#include <string.h>
#include <time.h>

#include "core/xmalloc.h"

struct Queue {
	pthread_mutex_t lock;
	pthread_cond_t not_empty, not_full;
	unsigned char *buf;
	size_t cap, size, head, count; /* lock */
	int closed, woken;             /* lock */
	int nowait;                    /* lock: a full queue refuses instead of waiting */
	int consumer_waiting;          /* lock: signal only then, no futex call per push */
	int producers_waiting;         /* lock */
};

Queue *queue_new(size_t capacity, size_t item_size)
{
	Queue *q = xcalloc(1, sizeof *q);
	pthread_mutex_init(&q->lock, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&q->not_empty, &ca);
	pthread_cond_init(&q->not_full, &ca);
	pthread_condattr_destroy(&ca);
	q->cap = capacity ? capacity : 1;
	q->size = item_size;
	q->buf = xmalloc(q->cap * item_size);
	return q;
}

void queue_free(Queue *q)
{
	if (!q)
		return;
	pthread_mutex_destroy(&q->lock);
	pthread_cond_destroy(&q->not_empty);
	pthread_cond_destroy(&q->not_full);
	free(q->buf);
	free(q);
}

/* lock held, room available */
static void copy_in(Queue *q, const void *item)
{
	size_t tail = (q->head + q->count) % q->cap;
	memcpy(q->buf + tail * q->size, item, q->size);
	q->count++;
}

static void put_locked(Queue *q, const void *item)
{
	copy_in(q, item);
	if (q->consumer_waiting)
		pthread_cond_signal(&q->not_empty);
}

long queue_push_batch(Queue *q, const void *items, size_t n, int (*must_wait)(const void *),
                      long *refused)
{
	long dropped = 0;
	const unsigned char *p = items;
	pthread_mutex_lock(&q->lock);
	for (size_t i = 0; i < n && !q->closed; i++, p += q->size) {
		if (q->count == q->cap) {
			if (!must_wait(p)) {
				dropped++;
				continue;
			}
			if (q->nowait) {
				if (refused)
					(*refused)++;
				continue;
			}
			/* hand over what is queued, then wait for room */
			if (q->consumer_waiting)
				pthread_cond_signal(&q->not_empty);
			while (q->count == q->cap && !q->closed && !q->nowait) {
				q->producers_waiting++;
				pthread_cond_wait(&q->not_full, &q->lock);
				q->producers_waiting--;
			}
			if (q->closed)
				break;
			if (q->count == q->cap) { /* no-wait set meanwhile */
				if (refused)
					(*refused)++;
				continue;
			}
		}
		copy_in(q, p);
	}
	int closed = q->closed;
	if (q->consumer_waiting && q->count)
		pthread_cond_signal(&q->not_empty); /* one wake for the whole batch */
	pthread_mutex_unlock(&q->lock);
	return closed ? -1 : dropped;
}

int queue_push(Queue *q, const void *item)
{
	pthread_mutex_lock(&q->lock);
	while (q->count == q->cap && !q->closed && !q->nowait) {
		q->producers_waiting++;
		pthread_cond_wait(&q->not_full, &q->lock);
		q->producers_waiting--;
	}
	if (q->closed) {
		pthread_mutex_unlock(&q->lock);
		return -1;
	}
	if (q->count == q->cap) { /* no-wait */
		pthread_mutex_unlock(&q->lock);
		return 1;
	}
	put_locked(q, item);
	pthread_mutex_unlock(&q->lock);
	return 0;
}

int queue_try_push(Queue *q, const void *item)
{
	int rc = 0;
	pthread_mutex_lock(&q->lock);
	if (q->closed)
		rc = -1;
	else if (q->count == q->cap)
		rc = 1;
	else
		put_locked(q, item);
	pthread_mutex_unlock(&q->lock);
	return rc;
}

size_t queue_pop_batch(Queue *q, void *out, size_t max, int timeout_ms)
{
	struct timespec deadline;
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	if (timeout_ms > 0) {
		deadline.tv_sec += timeout_ms / 1000;
		deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
		if (deadline.tv_nsec >= 1000000000L) {
			deadline.tv_sec++;
			deadline.tv_nsec -= 1000000000L;
		}
	}
	pthread_mutex_lock(&q->lock);
	while (q->count == 0 && !q->closed && !q->woken && timeout_ms != 0) {
		q->consumer_waiting = 1;
		int rc = timeout_ms < 0
		                 ? pthread_cond_wait(&q->not_empty, &q->lock)
		                 : pthread_cond_timedwait(&q->not_empty, &q->lock, &deadline);
		q->consumer_waiting = 0;
		if (rc == ETIMEDOUT)
			break;
	}
	q->woken = 0;
	size_t n = q->count < max ? q->count : max;
	for (size_t i = 0; i < n; i++) {
		memcpy((unsigned char *)out + i * q->size, q->buf + q->head * q->size, q->size);
		q->head = (q->head + 1) % q->cap;
	}
	q->count -= n;
	if (n && q->producers_waiting)
		pthread_cond_broadcast(&q->not_full);
	pthread_mutex_unlock(&q->lock);
	return n;
}

size_t queue_pop_batch_linger(Queue *q, void *out, size_t max, int timeout_ms, int linger_ms)
{
	if (linger_ms > 0 && timeout_ms != 0) {
		pthread_mutex_lock(&q->lock);
		int idle = q->count == 0 && !q->closed && !q->woken;
		pthread_mutex_unlock(&q->lock);
		if (idle) {
			/* not waiting on the condition: pushes meanwhile signal nobody */
			struct timespec ts = {linger_ms / 1000,
			                      (long)(linger_ms % 1000) * 1000000L};
			nanosleep(&ts, NULL);
			if (timeout_ms > 0)
				timeout_ms = timeout_ms > linger_ms ? timeout_ms - linger_ms : 1;
		}
	}
	return queue_pop_batch(q, out, max, timeout_ms);
}

void queue_set_nowait(Queue *q)
{
	pthread_mutex_lock(&q->lock);
	q->nowait = 1;
	pthread_cond_broadcast(&q->not_full); /* producers waiting for room give up */
	pthread_mutex_unlock(&q->lock);
}

void queue_close(Queue *q)
{
	pthread_mutex_lock(&q->lock);
	q->closed = 1;
	pthread_cond_broadcast(&q->not_empty);
	pthread_cond_broadcast(&q->not_full);
	pthread_mutex_unlock(&q->lock);
}

void queue_wake(Queue *q)
{
	pthread_mutex_lock(&q->lock);
	q->woken = 1;
	pthread_cond_signal(&q->not_empty);
	pthread_mutex_unlock(&q->lock);
}

size_t queue_depth(Queue *q)
{
	pthread_mutex_lock(&q->lock);
	size_t n = q->count;
	pthread_mutex_unlock(&q->lock);
	return n;
}
