/* A bounded multi-producer, single-consumer queue of fixed-size items (copied in and out).
 * Producers block when it is full (back-pressure) or give up at once with try_push; the
 * consumer takes up to a whole batch per lock. Any thread; the queue owns its storage. */
#ifndef FB_CORE_QUEUE_H
#define FB_CORE_QUEUE_H

#include <stddef.h>
#include <stdint.h>

typedef struct Queue Queue;

/* Returns a queue of capacity items of item_size bytes; never NULL. */
Queue *queue_new(size_t capacity, size_t item_size);
void queue_free(Queue *q);

/* Copies item in, waiting while the queue is full. Returns 0, -1 once the queue is closed, 1
 * when it is full and set not to wait (queue_set_nowait). */
int queue_push(Queue *q, const void *item);
/* As queue_push without waiting: returns 1 if the queue was full, -1 if closed. */
int queue_try_push(Queue *q, const void *item);
/* Copies n items in under one lock, waking the consumer at most once: item i waits for room
 * when must_wait(items + i) says so (back-pressure), otherwise it is dropped when the queue is
 * full. Returns the number dropped, or -1 once the queue is closed (the rest is not queued).
 * An item that must wait on a queue set not to wait is refused and counted in *refused (may
 * be NULL). */
long queue_push_batch(Queue *q, const void *items, size_t n, int (*must_wait)(const void *),
                      long *refused);
/* Copies up to max items into out, waiting up to timeout_ms (-1: forever) for the first one.
 * Returns the number taken: 0 on timeout or when the queue is closed and empty. */
size_t queue_pop_batch(Queue *q, void *out, size_t max, int timeout_ms);
/* As queue_pop_batch, but an empty queue is first given linger_ms to fill without the
 * consumer registering as waiting, so producers pushing meanwhile make no wake-up call: a
 * busy consumer wakes at most once per linger_ms. A queue_wake or close cuts it short. */
size_t queue_pop_batch_linger(Queue *q, void *out, size_t max, int timeout_ms, int linger_ms);
/* From now on a push that would wait for room is refused at once (and producers waiting now
 * give up): for a consumer that cannot take anything any more (a store on a full disk) at a
 * stop, which must not hang. */
void queue_set_nowait(Queue *q);
/* After close, pushes fail and pop_batch drains what is left without waiting. */
void queue_close(Queue *q);
size_t queue_depth(Queue *q);
/* Wakes a waiting consumer without an item (e.g. to look at a flush request). */
void queue_wake(Queue *q);

#endif
