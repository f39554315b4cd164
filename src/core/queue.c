/* Bounded queue: a ring buffer under one mutex with two condition variables. Items are copied;
 * the consumer copies a whole batch out under the lock and works on it unlocked, so a lock is
 * held only for memcpy. A side is signalled only when it waits, so a busy queue costs no
 * system call per item. */
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
static void put_locked(Queue *q, const void *item)
{
	size_t tail = (q->head + q->count) % q->cap;
	memcpy(q->buf + tail * q->size, item, q->size);
	q->count++;
	if (q->consumer_waiting)
		pthread_cond_signal(&q->not_empty);
}

int queue_push(Queue *q, const void *item)
{
	pthread_mutex_lock(&q->lock);
	while (q->count == q->cap && !q->closed) {
		q->producers_waiting++;
		pthread_cond_wait(&q->not_full, &q->lock);
		q->producers_waiting--;
	}
	if (q->closed) {
		pthread_mutex_unlock(&q->lock);
		return -1;
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
