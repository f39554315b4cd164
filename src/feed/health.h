/* The collector's health server on 127.0.0.1: /live (the process answers), /ready (200 once
 * the initial backfill is done and the streams are up, 503 before), /health (JSON) and
 * /metrics (Prometheus text). Its own thread owns its lws context. */
#ifndef FB_FEED_HEALTH_H
#define FB_FEED_HEALTH_H

#include <stddef.h>

typedef struct Health Health;
typedef struct Collector Collector;

/* port 0: any free port. Returns NULL with err. */
Health *health_start(int port, Collector *c, char *err, size_t errlen);
int health_port(const Health *h);
/* Joins the thread. NULL does nothing. */
void health_stop(Health *h);

#endif
