/* Health server: a small lws HTTP server in its own thread. The documents come from the
 * collector, which takes its own locks; nothing here holds a lock across a write. */
#include "feed/health.h"

#include <libwebsockets.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/strbuf.h"
#include "core/xmalloc.h"
#include "feed/collector.h"

#define HEALTH_MAX_FDS 64 /* the health server's connections, with its listening socket */

struct Health {
	Collector *c;
	struct lws_context *ctx;
	pthread_t thread;
	atomic_int stop;
	int port;
};

typedef struct {
	StrBuf body;
	size_t sent;
	int status;
} Pss;

static int callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                    size_t len)
{
	Pss *pss = user;
	Health *h = lws_context_user(lws_get_context(wsi));
	switch (reason) {
	case LWS_CALLBACK_HTTP: {
		const char *path = in, *type = "application/json";
		memset(pss, 0, sizeof *pss);
		pss->status = 200;
		if (strcmp(path, "/live") == 0)
			strbuf_printf(&pss->body, "{\"live\":true}\n");
		else if (strcmp(path, "/ready") == 0) {
			int ready = collector_ready(h->c);
			pss->status = ready ? 200 : 503;
			strbuf_printf(&pss->body, "{\"ready\":%s}\n", ready ? "true" : "false");
		} else if (strcmp(path, "/health") == 0) {
			collector_health_json(h->c, &pss->body);
			strbuf_printf(&pss->body, "\n");
		} else if (strcmp(path, "/metrics") == 0) {
			type = "text/plain; version=0.0.4";
			collector_metrics(h->c, &pss->body);
		} else {
			pss->status = 404;
			strbuf_printf(&pss->body, "{\"error\":\"not found\"}\n");
		}
		unsigned char buf[LWS_PRE + 512], *start = buf + LWS_PRE, *p = start,
		                                  *end = buf + sizeof buf - 1;
		if (lws_add_http_common_headers(wsi, (unsigned int)pss->status, type, pss->body.len,
		                                &p, end) ||
		    lws_finalize_write_http_header(wsi, start, &p, end))
			return 1;
		lws_callback_on_writable(wsi);
		return 0;
	}
	case LWS_CALLBACK_HTTP_WRITEABLE: {
		if (!pss || !pss->body.p)
			return 0;
		size_t left = pss->body.len - pss->sent, n = left < 8192 ? left : 8192;
		unsigned char *buf = xmalloc(LWS_PRE + n + 1);
		memcpy(buf + LWS_PRE, pss->body.p + pss->sent, n);
		int final = n == left;
		int w = lws_write(wsi, buf + LWS_PRE, n,
		                  final ? LWS_WRITE_HTTP_FINAL : LWS_WRITE_HTTP);
		free(buf);
		if (w != (int)n)
			return -1;
		pss->sent += n;
		if (!final) {
			lws_callback_on_writable(wsi);
			return 0;
		}
		free(pss->body.p);
		pss->body.p = NULL;
		return lws_http_transaction_completed(wsi) ? -1 : 0;
	}
	case LWS_CALLBACK_CLOSED_HTTP:
		if (pss) {
			free(pss->body.p);
			pss->body.p = NULL;
		}
		break;
	default: break;
	}
	return lws_callback_http_dummy(wsi, reason, user, in, len);
}

static const struct lws_protocols protocols[] = {
        {"health", callback, sizeof(Pss), 0, 0, NULL, 0},
        {NULL, NULL, 0, 0, 0, NULL, 0},
};

static void *health_main(void *arg)
{
	Health *h = arg;
	while (!atomic_load(&h->stop))
		if (lws_service(h->ctx, 0) < 0)
			break;
	return NULL;
}

Health *health_start(int port, Collector *c, char *err, size_t errlen)
{
	Health *h = xcalloc(1, sizeof *h);
	h->c = c;
	struct lws_context_creation_info info;
	memset(&info, 0, sizeof info);
	info.port = port;
	info.iface = "127.0.0.1";
	info.protocols = protocols;
	info.user = h;
	info.options = LWS_SERVER_OPTION_DISABLE_IPV6;
	/* a flood of (half-open) connections takes at most these descriptors, and lws stops
	 * accepting while they are in use, so the store and the feed keep theirs; an idle or
	 * half-sent request is dropped after the timeout */
	info.fd_limit_per_thread = HEALTH_MAX_FDS;
	info.timeout_secs = 5;
	h->ctx = lws_create_context(&info);
	if (!h->ctx) {
		snprintf(err, errlen, "health server: cannot listen on 127.0.0.1:%d", port);
		free(h);
		return NULL;
	}
	h->port = lws_get_vhost_listen_port(lws_get_vhost_by_name(h->ctx, "default"));
	if (pthread_create(&h->thread, NULL, health_main, h)) {
		snprintf(err, errlen, "health server: cannot start its thread");
		lws_context_destroy(h->ctx);
		free(h);
		return NULL;
	}
	return h;
}

int health_port(const Health *h)
{
	return h->port;
}

void health_stop(Health *h)
{
	if (!h)
		return;
	atomic_store(&h->stop, 1);
	lws_cancel_service(h->ctx);
	pthread_join(h->thread, NULL);
	lws_context_destroy(h->ctx);
	free(h);
}
