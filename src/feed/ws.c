/* Feed WebSocket client on libwebsockets (client only, no listening socket). A 250 ms timer
 * drives connection attempts, staleness checks and the proactive reconnect; everything runs
 * on the ws thread. */
#include "feed/ws.h"

#include <libwebsockets.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "core/rng.h"
#include "core/strbuf.h"
#include "core/strindex.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"
#include "feed/binance.h"

#define WS_EVENTS_PER_MSG 64
/* Streams named in the connection URL; the rest are sent as SUBSCRIBE messages of at most
 * WS_SUB_BATCH streams, one every WS_SUB_PACE_MS (Binance allows 10 messages a second and
 * advises staying near 4). */
#define WS_URL_STREAMS 20
#define WS_SUB_BATCH   50
#define WS_SUB_PACE_MS 250

static const int64_t backoff_ms[] = {500, 1000, 2000, 4000, 8000, 16000, 30000};
#define NBACKOFF (int)(sizeof backoff_ms / sizeof backoff_ms[0])

typedef struct {
	char name[64];
	int64_t subscribed_at; /* mono ms of the first connection that asked for it */
	int64_t last_seen;     /* mono ms, 0: never; kept across reconnects */
	int flagged;
} Stream;

typedef struct {
	FeedWs *owner;
	int index;
	char path[2048];
	Stream *streams;
	int nstreams;
	struct lws *wsi;
	int connected, ever_connected, backoff;
	int next_sub, sub_id; /* next stream to SUBSCRIBE, request id */
	int public_route;
	int last_stream;   /* index of the stream the last message was for */
	StrIndex names;    /* stream name -> streams[] */
	int indexed;       /* index is of the current streams (reset when they change) */
	char (*unsub)[64]; /* streams to UNSUBSCRIBE (they are out of the list already) */
	int nunsub;
	int64_t next_attempt, connected_at, last_msg, healthy_since, next_sub_at;
	uint64_t reconnects;
	char last_error[96];
	int64_t last_error_ms; /* wall clock */
	char *rx;
	size_t rxlen, rxcap;
} Conn;

struct FeedWs {
	FeedWsOptions o;
	char host[256], scheme[8];
	int port, ssl;
	char *url, *exchange;
	Conn **conns; /* pointers: a Conn's address is the wsi's user data and must not move */
	int nconns, cap_conns;
	/* subscription changes asked for by other threads; lock */
	char (*pend_add)[64], (*pend_del)[64];
	int npend_add, npend_del;
	struct lws_context *ctx;
	lws_sorted_usec_list_t tick;
	pthread_t thread;
	atomic_int stop;
	Rng rng;
	pthread_mutex_t lock;
	FeedWsStats stats; /* lock */
	/* this pass's counts, ws thread; added to stats at the pass's end */
	uint64_t pass_messages, pass_malformed, pass_events;
	int64_t pass_last_ms;
};

static void bump(FeedWs *w, uint64_t *field, uint64_t n)
{
	pthread_mutex_lock(&w->lock);
	*field += n;
	pthread_mutex_unlock(&w->lock);
}

static int parse_url(FeedWs *w, const char *url, char *err, size_t errlen)
{
	const char *p = strstr(url, "://");
	if (!p || (strncmp(url, "ws", 2) != 0)) {
		snprintf(err, errlen, "%s: expected ws://host[:port] or wss://host[:port]", url);
		return -1;
	}
	snprintf(w->scheme, sizeof w->scheme, "%.*s", (int)(p - url), url);
	w->ssl = strcmp(w->scheme, "wss") == 0;
	if (!w->ssl && strcmp(w->scheme, "ws") != 0) {
		snprintf(err, errlen, "%s: unknown scheme %s", url, w->scheme);
		return -1;
	}
	p += 3;
	size_t hl = strcspn(p, ":/");
	if (!hl || hl >= sizeof w->host) {
		snprintf(err, errlen, "%s: no host", url);
		return -1;
	}
	snprintf(w->host, sizeof w->host, "%.*s", (int)hl, p);
	w->port = w->ssl ? 443 : 80;
	if (p[hl] == ':')
		w->port = atoi(p + hl + 1);
	return 0;
}

static int is_public(const char *stream)
{
	return strstr(stream, "@bookTicker") || strstr(stream, "@depth") ||
	       strcmp(stream, "!bookTicker") == 0;
}

static void schedule_retry(FeedWs *w, Conn *c, const char *why);

static void connect_one(FeedWs *w, Conn *c)
{
	struct lws_client_connect_info ci;
	memset(&ci, 0, sizeof ci);
	ci.context = w->ctx;
	ci.address = w->host;
	ci.port = w->port;
	ci.path = c->path;
	ci.host = w->host;
	ci.origin = w->host;
	ci.ssl_connection = w->ssl ? LCCSCF_USE_SSL : 0;
	ci.protocol = NULL;
	ci.local_protocol_name = "feed";
	ci.pwsi = &c->wsi;
	ci.opaque_user_data = c;
	if (!lws_client_connect_via_info(&ci)) {
		c->wsi = NULL;
		schedule_retry(w, c, "cannot start a connection");
	}
}

/* Schedules the next attempt after a failure or a close. */
static void schedule_retry(FeedWs *w, Conn *c, const char *why)
{
	snprintf(c->last_error, sizeof c->last_error, "%s", why ? why : "");
	fb_ascii_clean(c->last_error);
	c->last_error_ms = fb_now_ms();
	int64_t d = backoff_ms[c->backoff < NBACKOFF ? c->backoff : NBACKOFF - 1];
	d += (int64_t)(rng_uniform(&w->rng) * (double)d * 0.3); /* jitter */
	c->next_attempt = fb_mono_ms() + d;
	if (c->backoff < NBACKOFF - 1)
		c->backoff++;
	log_warn("ws", "connection %d: %s; reconnecting in %lld ms", c->index, why, (long long)d);
}

static void on_tick(lws_sorted_usec_list_t *sul)
{
	FeedWs *w = lws_container_of(sul, FeedWs, tick);
	int64_t now = fb_mono_ms();
	int connected = 0;
	for (int i = 0; i < w->nconns; i++) {
		Conn *c = w->conns[i];
		if (!c->wsi && !c->connected && now >= c->next_attempt && !atomic_load(&w->stop)) {
			c->next_attempt = now + 3600 * 1000; /* until the attempt reports back */
			connect_one(w, c);
			continue;
		}
		if (!c->connected)
			continue;
		connected++;
		if (now - c->last_msg > (int64_t)w->o.stale_s * 1000) {
			log_warn("ws", "connection %d: no message for %d s: treating it as dead",
			         c->index, w->o.stale_s);
			bump(w, &w->stats.stale, 1);
			lws_set_timeout(c->wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
			continue;
		}
		if (now - c->connected_at > w->o.max_age_s * 1000) {
			log_info("ws", "connection %d: reconnecting before the 24 h limit",
			         c->index);
			lws_set_timeout(c->wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
			continue;
		}
		if ((c->next_sub < c->nstreams || c->nunsub) && now >= c->next_sub_at)
			lws_callback_on_writable(c->wsi);
		if (c->backoff && now - c->healthy_since > (int64_t)w->o.backoff_reset_s * 1000)
			c->backoff = 0; /* a healthy period resets the backoff */
	}
	/* A stream that never delivered, over however many connections, is subscribed but
	 * silent: on Binance, typically a stream sent to the wrong route. */
	for (int i = 0; i < w->nconns; i++) {
		Conn *c = w->conns[i];
		for (int k = 0; k < c->nstreams; k++) {
			Stream *st = &c->streams[k];
			/* liquidations come when they come: a quiet forceOrder stream proves nothing */
			if (strstr(st->name, "forceOrder"))
				continue;
			if (st->subscribed_at && !st->last_seen && !st->flagged &&
			    now - st->subscribed_at > (int64_t)w->o.silent_stream_s * 1000) {
				st->flagged = 1;
				bump(w, &w->stats.silent_streams, 1);
				log_warn("ws",
				         "stream %s: subscribed but silent for %d s (wrong route?)",
				         st->name, w->o.silent_stream_s);
			}
		}
	}
	pthread_mutex_lock(&w->lock);
	w->stats.connected = connected;
	w->stats.nconn = w->nconns < FEED_WS_MAX_CONN_STATS ? w->nconns : FEED_WS_MAX_CONN_STATS;
	for (int i = 0; i < w->stats.nconn; i++) {
		const Conn *c = w->conns[i];
		FeedWsConnStats *cs = &w->stats.conn[i];
		cs->connected = c->connected;
		cs->streams = c->nstreams;
		cs->last_message_age_ms = c->last_msg ? now - c->last_msg : -1;
		cs->reconnects = c->reconnects;
		memcpy(cs->last_error, c->last_error, sizeof cs->last_error);
		cs->last_error_ms = c->last_error_ms;
	}
	pthread_mutex_unlock(&w->lock);
	if (!atomic_load(&w->stop))
		lws_sul_schedule(w->ctx, 0, &w->tick, on_tick, 250 * LWS_US_PER_MS);
}

/* The stream name of a combined message, from its first bytes. */
static void mark_seen(Conn *c, const char *msg, size_t len, int64_t now)
{
	static const char key[] = "{\"stream\":\"";
	if (len < sizeof key || memcmp(msg, key, sizeof key - 1) != 0)
		return;
	const char *name = msg + sizeof key - 1, *end = memchr(name, '"', len - (sizeof key - 1));
	if (!end)
		return;
	size_t n = (size_t)(end - name);
	/* a stream's messages come in runs: try the last one first, then the index */
	int last = c->last_stream;
	if (last < c->nstreams && strncmp(c->streams[last].name, name, n) == 0 &&
	    c->streams[last].name[n] == '\0') {
		c->streams[last].last_seen = now;
		return;
	}
	if (!c->indexed) {
		strindex_build(&c->names, c->streams[0].name, sizeof *c->streams, c->nstreams);
		c->indexed = 1;
	}
	int k = strindex_find(&c->names, name, n);
	if (k >= 0) {
		c->streams[k].last_seen = now;
		c->last_stream = k;
	}
}

static void on_message(FeedWs *w, Conn *c, const char *msg, size_t len)
{
	Event ev[WS_EVENTS_PER_MSG];
	char why[256];
	int64_t now = fb_mono_ms();
	c->last_msg = now;
	mark_seen(c, msg, len, now);
	int64_t wall = fb_now_ms();
	int n = binance_parse_ws(msg, len, w->exchange, wall, ev, WS_EVENTS_PER_MSG, why,
	                         sizeof why);
	/* counted here, published once per pass (no lock per message) */
	w->pass_messages++;
	w->pass_last_ms = wall;
	if (n < 0)
		w->pass_malformed++;
	else
		w->pass_events += (uint64_t)n;
	if (n < 0) {
		log_debug("ws", "malformed message skipped: %s", why);
		return;
	}
	for (int i = 0; i < n; i++)
		if (w->o.on_event)
			w->o.on_event(w->o.arg, &ev[i]);
}

static void apply_pending(FeedWs *w);

static int callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                    size_t len)
{
	(void)user;
	Conn *c = lws_get_opaque_user_data(wsi);
	FeedWs *w = c ? c->owner : NULL;
	switch (reason) {
	case LWS_CALLBACK_CLIENT_ESTABLISHED: {
		int64_t now = fb_mono_ms();
		c->connected = 1;
		c->connected_at = c->last_msg = c->healthy_since = now;
		c->nunsub = 0; /* a new connection has only what the URL and SUBSCRIBE give it */
		c->next_sub = c->nstreams < WS_URL_STREAMS ? c->nstreams : WS_URL_STREAMS;
		c->next_sub_at = now;
		for (int k = 0; k < c->next_sub; k++)
			if (!c->streams[k].subscribed_at)
				c->streams[k].subscribed_at = now;
		if (c->next_sub < c->nstreams)
			lws_callback_on_writable(wsi);
		bump(w, &w->stats.connects, 1);
		if (c->ever_connected) {
			c->reconnects++;
			bump(w, &w->stats.reconnects, 1);
			log_info("ws", "connection %d: reconnected (%d streams)", c->index,
			         c->nstreams);
			if (w->o.on_reconnect) {
				const char **names = xmalloc((size_t)c->nstreams * sizeof *names);
				for (int k = 0; k < c->nstreams; k++)
					names[k] = c->streams[k].name;
				w->o.on_reconnect(w->o.arg, names, c->nstreams);
				free(names);
			}
		} else
			log_info("ws", "connection %d: connected (%d streams)", c->index,
			         c->nstreams);
		c->ever_connected = 1;
		return 0;
	}
	case LWS_CALLBACK_CLIENT_RECEIVE:
		if (!c)
			return 0;
		if (c->rxlen + len + 1 > c->rxcap) {
			if (c->rxlen + len > (8u << 20)) { /* never grow without bound */
				log_warn("ws", "connection %d: message over 8 MB dropped",
				         c->index);
				c->rxlen = 0;
				bump(w, &w->stats.malformed, 1);
				return 0;
			}
			c->rxcap = (c->rxlen + len + 1) * 2;
			c->rx = xrealloc(c->rx, c->rxcap);
		}
		memcpy(c->rx + c->rxlen, in, len);
		c->rxlen += len;
		if (lws_is_final_fragment(wsi)) {
			on_message(w, c, c->rx, c->rxlen);
			c->rxlen = 0;
		}
		return 0;
	case LWS_CALLBACK_CLIENT_WRITEABLE: {
		if (!c || !c->connected || (c->next_sub >= c->nstreams && !c->nunsub) ||
		    fb_mono_ms() < c->next_sub_at)
			return 0;
		char *msg = xmalloc(LWS_PRE + 96 + WS_SUB_BATCH * 68), *p = msg + LWS_PRE;
		int64_t now = fb_mono_ms();
		int n;
		if (c->nunsub) {
			n = sprintf(p, "{\"method\":\"UNSUBSCRIBE\",\"params\":[");
			int k = 0;
			for (; k < WS_SUB_BATCH && k < c->nunsub; k++)
				n += sprintf(p + n, "%s\"%s\"", k ? "," : "", c->unsub[k]);
			memmove(c->unsub, c->unsub + k, (size_t)(c->nunsub - k) * sizeof *c->unsub);
			c->nunsub -= k;
			n += sprintf(p + n, "],\"id\":%d}", ++c->sub_id);
			int wr = lws_write(wsi, (unsigned char *)p, (size_t)n, LWS_WRITE_TEXT);
			free(msg);
			c->next_sub_at = now + WS_SUB_PACE_MS;
			return wr < n ? -1 : 0;
		}
		n = sprintf(p, "{\"method\":\"SUBSCRIBE\",\"params\":[");
		for (int k = 0; k < WS_SUB_BATCH && c->next_sub < c->nstreams; k++, c->next_sub++) {
			Stream *st = &c->streams[c->next_sub];
			n += sprintf(p + n, "%s\"%s\"", k ? "," : "", st->name);
			if (!st->subscribed_at)
				st->subscribed_at = now;
		}
		n += sprintf(p + n, "],\"id\":%d}", ++c->sub_id);
		int wr = lws_write(wsi, (unsigned char *)p, (size_t)n, LWS_WRITE_TEXT);
		free(msg);
		c->next_sub_at = now + WS_SUB_PACE_MS;
		return wr < n ? -1 : 0;
	}
	case LWS_CALLBACK_EVENT_WAIT_CANCELLED:
		if (lws_get_context(wsi) && (w = lws_context_user(lws_get_context(wsi))) != NULL)
			apply_pending(w);
		return 0;
	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
		if (c) {
			c->wsi = NULL;
			c->connected = 0;
			schedule_retry(w, c, in ? (const char *)in : "connection failed");
		}
		return 0;
	case LWS_CALLBACK_CLIENT_CLOSED:
		if (c) {
			c->wsi = NULL;
			c->connected = 0;
			c->rxlen = 0;
			if (!atomic_load(&w->stop))
				schedule_retry(w, c, "closed");
		}
		return 0;
	default: break;
	}
	return lws_callback_http_dummy(wsi, reason, user, in, len);
}

static const struct lws_protocols protocols[] = {
        {"feed", callback, 0, 0, 0, NULL, 0},
        {NULL, NULL, 0, 0, 0, NULL, 0},
};

#define WS_READ_BYTES   (256 * 1024)
#define WS_GATHER_BELOW 64       /* a pass with fewer messages (and some) gathers */
#define WS_GATHER_NS    1000000L /* 1 ms */

/* ws thread: the pass's counts published, its events handed on in one batch */
static void end_pass(FeedWs *w)
{
	if (w->pass_messages) {
		pthread_mutex_lock(&w->lock);
		w->stats.messages += w->pass_messages;
		w->stats.malformed += w->pass_malformed;
		w->stats.events += w->pass_events;
		w->stats.last_message_ms = w->pass_last_ms;
		w->stats.passes++;
		pthread_mutex_unlock(&w->lock);
		w->pass_messages = w->pass_malformed = w->pass_events = 0;
	}
	if (w->o.on_pass)
		w->o.on_pass(w->o.arg);
}

static void *ws_main(void *arg)
{
	FeedWs *w = arg;
	lws_sul_schedule(w->ctx, 0, &w->tick, on_tick, 1);
	while (!atomic_load(&w->stop)) {
		if (lws_service(w->ctx, 0) < 0)
			break;
		/* a feed that trickles in fast (a few frames a pass): let a millisecond of frames
		 * gather in the socket, so the next pass takes them with one poll and one recv
		 * instead of one each per frame or two (bounded: at most 1 ms later); a pass that
		 * brought many is followed at once */
		int gather = w->pass_messages >= 1 && w->pass_messages < WS_GATHER_BELOW;
		end_pass(w);
		if (gather) {
			struct timespec ts = {0, WS_GATHER_NS};
			nanosleep(&ts, NULL);
		}
	}
	end_pass(w);
	return NULL;
}

static Conn *conn_new(FeedWs *w, int pub)
{
	if (w->nconns == w->cap_conns)
		w->conns = xrealloc(w->conns,
		                    (size_t)(w->cap_conns = w->cap_conns ? w->cap_conns * 2 : 4) *
		                            sizeof *w->conns);
	Conn *c = xcalloc(1, sizeof *c);
	c->owner = w;
	c->index = w->nconns;
	c->public_route = pub;
	c->streams = xcalloc((size_t)w->o.max_streams, sizeof *c->streams);
	w->conns[w->nconns++] = c;
	return c;
}

/* The connection URL: the route and the first streams (the rest are SUBSCRIBEd). */
static void conn_path(Conn *c)
{
	int n = snprintf(c->path, sizeof c->path,
	                 "/%s/stream?streams=", c->public_route ? "public" : "market");
	for (int k = 0; k < c->nstreams && k < WS_URL_STREAMS; k++)
		n += snprintf(c->path + n, sizeof c->path - (size_t)n, "%s%s", k ? "/" : "",
		              c->streams[k].name);
}

/* Adds a stream to a connection on its route with room, or a new one. */
static void add_stream(FeedWs *w, const char *name)
{
	int pub = is_public(name);
	for (int i = 0; i < w->nconns; i++)
		for (int k = 0; k < w->conns[i]->nstreams; k++)
			if (strcmp(w->conns[i]->streams[k].name, name) == 0)
				return; /* already there */
	Conn *c = NULL;
	for (int i = 0; i < w->nconns && !c; i++)
		if (w->conns[i]->public_route == pub && w->conns[i]->nstreams < w->o.max_streams)
			c = w->conns[i];
	if (!c)
		c = conn_new(w, pub);
	Stream *st = &c->streams[c->nstreams++];
	c->indexed = 0;
	memset(st, 0, sizeof *st);
	snprintf(st->name, sizeof st->name, "%s", name);
	conn_path(c);
}

/* Takes a stream out; a connected connection UNSUBSCRIBEs it. */
static void remove_stream(FeedWs *w, const char *name)
{
	for (int i = 0; i < w->nconns; i++) {
		Conn *c = w->conns[i];
		for (int k = 0; k < c->nstreams; k++) {
			if (strcmp(c->streams[k].name, name) != 0)
				continue;
			if (c->connected && k < c->next_sub) {
				c->unsub = xrealloc(c->unsub,
				                    (size_t)(c->nunsub + 1) * sizeof *c->unsub);
				snprintf(c->unsub[c->nunsub++], 64, "%s", name);
			}
			memmove(&c->streams[k], &c->streams[k + 1],
			        (size_t)(c->nstreams - k - 1) * sizeof *c->streams);
			c->nstreams--;
			c->indexed = 0;
			if (k < c->next_sub)
				c->next_sub--;
			conn_path(c);
			return;
		}
	}
}

/* ws thread: applies what feed_ws_subscribe() asked for. */
static void apply_pending(FeedWs *w)
{
	pthread_mutex_lock(&w->lock);
	for (int i = 0; i < w->npend_del; i++)
		remove_stream(w, w->pend_del[i]);
	for (int i = 0; i < w->npend_add; i++)
		add_stream(w, w->pend_add[i]);
	if (w->npend_add || w->npend_del)
		log_info("ws", "subscriptions: %d added, %d removed", w->npend_add, w->npend_del);
	w->npend_add = w->npend_del = 0;
	w->stats.connections = w->nconns;
	pthread_mutex_unlock(&w->lock);
}

int feed_ws_subscribe(FeedWs *w, char *const *add, int nadd, char *const *del, int ndel)
{
	pthread_mutex_lock(&w->lock);
	w->pend_add =
	        xrealloc(w->pend_add, (size_t)(w->npend_add + nadd + 1) * sizeof *w->pend_add);
	w->pend_del =
	        xrealloc(w->pend_del, (size_t)(w->npend_del + ndel + 1) * sizeof *w->pend_del);
	for (int i = 0; i < nadd; i++)
		snprintf(w->pend_add[w->npend_add++], 64, "%s", add[i]);
	for (int i = 0; i < ndel; i++)
		snprintf(w->pend_del[w->npend_del++], 64, "%s", del[i]);
	pthread_mutex_unlock(&w->lock);
	lws_cancel_service(w->ctx);
	return 0;
}

/* Builds the first connections: streams grouped by route, at most max_streams each. */
static void plan(FeedWs *w, char *const *streams, int n)
{
	for (int i = 0; i < n; i++)
		add_stream(w, streams[i]);
}

FeedWs *feed_ws_start(const FeedWsOptions *o, char *const *streams, int n, char *err, size_t errlen)
{
	FeedWs *w = xcalloc(1, sizeof *w);
	w->o = *o;
	if (w->o.stale_s <= 0)
		w->o.stale_s = 30;
	if (w->o.silent_stream_s <= 0)
		w->o.silent_stream_s = 60;
	if (w->o.max_streams <= 0 || w->o.max_streams > 200)
		w->o.max_streams = 200;
	if (w->o.max_age_s <= 0)
		w->o.max_age_s = 23 * 3600;
	if (w->o.backoff_reset_s <= 0)
		w->o.backoff_reset_s = 60;
	if (parse_url(w, o->url, err, errlen)) {
		free(w);
		return NULL;
	}
	w->url = xstrdup(o->url);
	w->exchange = xstrdup(o->exchange);
	w->o.url = w->url;
	w->o.exchange = w->exchange;
	rng_seed(&w->rng, (uint64_t)fb_now_ms());
	pthread_mutex_init(&w->lock, NULL);
	plan(w, streams, n);
	w->stats.connections = w->nconns;
	struct lws_context_creation_info info;
	memset(&info, 0, sizeof info);
	info.port = CONTEXT_PORT_NO_LISTEN;
	info.protocols = protocols;
	info.options = w->ssl ? LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT : 0;
	info.fd_limit_per_thread = 64 + (unsigned)w->nconns;
	info.user = w;
	/* 200 streams in a URL come to about 5 KB */
	info.max_http_header_data = 16384;
	/* one recv takes what a busy millisecond brought (see ws_main) */
	info.pt_serv_buf_size = WS_READ_BYTES;
	w->ctx = lws_create_context(&info);
	if (!w->ctx || pthread_create(&w->thread, NULL, ws_main, w)) {
		snprintf(err, errlen, "cannot start the WebSocket client");
		if (w->ctx)
			lws_context_destroy(w->ctx);
		for (int i = 0; i < w->nconns; i++) {
			free(w->conns[i]->streams);
			strindex_free(&w->conns[i]->names);
			free(w->conns[i]);
		}
		free(w->conns);
		free(w->url);
		free(w->exchange);
		free(w);
		return NULL;
	}
	return w;
}

void feed_ws_get_stats(FeedWs *w, FeedWsStats *out)
{
	pthread_mutex_lock(&w->lock);
	*out = w->stats;
	pthread_mutex_unlock(&w->lock);
}

void feed_ws_stop(FeedWs *w)
{
	if (!w)
		return;
	atomic_store(&w->stop, 1);
	lws_cancel_service(w->ctx);
	pthread_join(w->thread, NULL);
	lws_context_destroy(w->ctx); /* closes what is still open (callbacks run here, safely) */
	for (int i = 0; i < w->nconns; i++) {
		free(w->conns[i]->streams);
		free(w->conns[i]->rx);
		free(w->conns[i]->unsub);
		strindex_free(&w->conns[i]->names);
		free(w->conns[i]);
	}
	free(w->conns);
	free(w->pend_add);
	free(w->pend_del);
	free(w->url);
	free(w->exchange);
	pthread_mutex_destroy(&w->lock);
	free(w);
}
