/* Feed WebSocket client (client only, no listening socket). libwebsockets gives the event
 * loop, the connections (raw sockets, TLS for wss://) and the timers; the WebSocket layer on
 * them is wsframe.c (and wstls.c for TLS): the upgrade is sent and checked here, frames are read where they lie in
 * the read buffer, pings answered, a close echoed. A 250 ms timer drives connection attempts,
 * staleness checks and the proactive reconnect; everything runs on the ws thread. */
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
#include "feed/exchange.h"
#include "feed/wsframe.h"
#include "feed/wstls.h"

#define WS_EVENTS_PER_MSG 64
/* Streams named in the connection URL (the exchange's url_streams); the rest are sent as
 * subscribe messages of at most the exchange's sub_batch streams, one every WS_SUB_PACE_MS
 * (Binance allows 10 messages a second and advises staying near 4). */
#define WS_SUB_PACE_MS 250
#define WS_MAX_MESSAGE (8u << 20) /* a longer message is counted malformed and skipped */
#define WS_UPGRADE_MS  10000      /* the 101 must come this long after the TCP connect */
#define WS_READ_BYTES  (256 * 1024)
#define WS_STEADY_MS                                                                               \
	5000 /* a connection up this long, with data, is retried at once */ /* one read takes what a busy millisecond brought */

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
	int route;            /* the exchange's route (0 or 1) */
	void *parser;         /* the exchange's stream parser (state of this connection) */
	int64_t ping_at;      /* mono ms: the next text heartbeat is due */
	int ping_due;
	int last_stream;   /* index of the stream the last message was for */
	StrIndex names;    /* stream name -> streams[] */
	int indexed;       /* index is of the current streams (reset when they change) */
	char (*unsub)[64]; /* streams to UNSUBSCRIBE (they are out of the list already) */
	int nunsub;
	int64_t next_attempt, connected_at, last_msg, healthy_since, next_sub_at;
	int64_t down_since; /* mono ms the connection was lost, 0: up or never connected */
	uint64_t reconnects;
	char last_error[96];
	int64_t last_error_ms; /* wall clock */
	/* a fragmented message being put together */
	char *rx;
	size_t rxlen, rxcap;
	int frag, frag_drop;
	/* the WebSocket layer over the raw connection */
	int req_sent, upgraded, closing;
	char key[25];
	int64_t upgrade_by; /* mono ms, 0: not waiting */
	unsigned char *in;  /* the start of a frame (or of the upgrade answer) not all here yet */
	size_t inlen, incap;
	uint64_t skip; /* bytes of an oversized frame still to pass over */
	unsigned char pong[125], close_body[2];
	int pong_len, pong_due, close_due, close_len;
	WsTls *tls;          /* wss://: the session over the raw connection */
	int tls_ready;       /* its handshake is done */
	char close_why[192]; /* why the connection ended, for the retry's log and health */
} Conn;

struct FeedWs {
	FeedWsOptions o;
	const Exchange *ex;
	char host[256], scheme[8];
	int port, ssl;
	char *url, *exchange;
	Conn **conns; /* pointers: a Conn's address is the wsi's user data and must not move */
	int nconns, cap_conns;
	/* subscription changes asked for by other threads; lock */
	char (*pend_add)[64], (*pend_del)[64];
	int npend_add, npend_del;
	struct lws_context *ctx;
	WsTlsCtx *tls;        /* wss:// */
	unsigned char *plain; /* what TLS decrypted, for on_bytes */
	lws_sorted_usec_list_t tick;
	int64_t status_at; /* ws thread: mono ms of the last on_status */
	pthread_t thread;
	atomic_int stop;
	Rng rng;
	pthread_mutex_t lock;
	FeedWsStats stats; /* lock */
	/* this pass's counts, ws thread; added to stats at the pass's end */
	uint64_t pass_messages, pass_malformed, pass_events;
	int64_t malformed_logged_at; /* ws thread: mono ms of the last such log line */
	uint64_t malformed_quiet;    /* ws thread: malformed messages not logged since */
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

static void schedule_retry(FeedWs *w, Conn *c, const char *why);
static void schedule_now(FeedWs *w, Conn *c, const char *why);

/* The reason shown in health (cut to fit, cleaned) */
static void set_error(Conn *c, const char *why)
{
	snprintf(c->last_error, sizeof c->last_error, "%.*s", (int)sizeof c->last_error - 1,
	         why ? why : "");
	fb_ascii_clean(c->last_error);
	c->last_error_ms = fb_now_ms();
}

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
	ci.ssl_connection = 0; /* TLS is wstls.c's, over the raw connection */
	ci.method = "RAW";     /* the WebSocket layer is ours (wsframe.c) */
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
	set_error(c, why);
	int64_t d = backoff_ms[c->backoff < NBACKOFF ? c->backoff : NBACKOFF - 1];
	d += (int64_t)(rng_uniform(&w->rng) * (double)d * 0.3); /* jitter */
	c->next_attempt = fb_mono_ms() + d;
	if (c->backoff < NBACKOFF - 1)
		c->backoff++;
	log_warn("ws", "connection %d: %s; reconnecting in %lld ms", c->index, why, (long long)d);
}

/* A connection that had been up and delivering for a while dropped: the first attempt goes
 * at once (the backoff restarts, for the attempts after it). */
static void on_tick(lws_sorted_usec_list_t *sul);

static void schedule_now(FeedWs *w, Conn *c, const char *why)
{
	set_error(c, why);
	c->next_attempt = fb_mono_ms();
	c->backoff = 1;
	log_warn("ws", "connection %d: %s; reconnecting at once", c->index, why);
	if (!atomic_load(&w->stop)) /* the timer that connects: now, not in up to 250 ms */
		lws_sul_schedule(w->ctx, 0, &w->tick, on_tick, 1);
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
		if (!c->connected) {
			if (c->wsi && c->upgrade_by && now > c->upgrade_by) {
				snprintf(c->close_why, sizeof c->close_why,
				         "no upgrade answer within %d s", WS_UPGRADE_MS / 1000);
				c->upgrade_by = 0;
				lws_set_timeout(c->wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
			}
			continue;
		}
		connected++;
		if (now - c->last_msg > (int64_t)w->o.stale_s * 1000) {
			log_warn("ws", "connection %d: no message for %d s: treating it as dead",
			         c->index, w->o.stale_s);
			bump(w, &w->stats.stale, 1);
			snprintf(c->close_why, sizeof c->close_why, "no message for %d s",
			         w->o.stale_s);
			lws_set_timeout(c->wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
			continue;
		}
		if (now - c->connected_at > w->o.max_age_s * 1000) {
			log_info("ws", "connection %d: reconnecting before the 24 h limit",
			         c->index);
			snprintf(c->close_why, sizeof c->close_why,
			         "renewed before the 24 h limit");
			lws_set_timeout(c->wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
			continue;
		}
		if ((c->next_sub < c->nstreams || c->nunsub) && now >= c->next_sub_at)
			lws_callback_on_writable(c->wsi);
		if (w->ex->ping && c->upgraded && now >= c->ping_at) {
			c->ping_due = 1;
			c->ping_at = now + (int64_t)w->ex->ping_s * 1000;
			lws_callback_on_writable(c->wsi);
		}
		if (c->backoff && now - c->healthy_since > (int64_t)w->o.backoff_reset_s * 1000)
			c->backoff = 0; /* a healthy period resets the backoff */
	}
	/* A stream that never delivered, over however many connections, is subscribed but
	 * silent: on Binance, typically a stream sent to the wrong route. */
	for (int i = 0; i < w->nconns; i++) {
		Conn *c = w->conns[i];
		for (int k = 0; k < c->nstreams; k++) {
			Stream *st = &c->streams[k];
			/* liquidations come when they come: a quiet stream of them proves nothing */
			StreamInfo si;
			if (w->ex->stream_info(st->name, &si) == 0 &&
			    si.kind == STREAM_LIQUIDATIONS)
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
	int64_t last_ms = w->stats.last_message_ms;
	pthread_mutex_unlock(&w->lock);
	if (w->o.on_status && now - w->status_at >= 1000) {
		w->status_at = now;
		w->o.on_status(w->o.arg, connected, w->nconns, last_ms);
	}
	if (!atomic_load(&w->stop))
		lws_sul_schedule(w->ctx, 0, &w->tick, on_tick, 250 * LWS_US_PER_MS);
}

/* The stream a message is for, from its first bytes (the exchange knows where it says). */
static void mark_seen(const FeedWs *w, Conn *c, const char *msg, size_t len, int64_t now)
{
	size_t n = 0;
	const char *name = w->ex->message_stream(msg, len, &n);
	if (!name)
		return;
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
	mark_seen(w, c, msg, len, now);
	int64_t wall = fb_now_ms();
	int n = w->ex->parse(c->parser, msg, len, w->exchange, wall, ev, WS_EVENTS_PER_MSG, why,
	                     sizeof why);
	/* counted here, published once per pass (no lock per message) */
	w->pass_messages++;
	w->pass_last_ms = wall;
	if (n < 0)
		w->pass_malformed++;
	else
		w->pass_events += (uint64_t)n;
	if (n < 0) { /* logged, at most one line every 10 s (a flood must not fill the log) */
		if (now - w->malformed_logged_at >= 10000) {
			if (w->malformed_quiet)
				log_warn("ws",
				         "malformed message skipped: %s (and %llu more since the "
				         "last "
				         "such line)",
				         why, (unsigned long long)w->malformed_quiet);
			else
				log_warn("ws", "malformed message skipped: %s", why);
			w->malformed_logged_at = now;
			w->malformed_quiet = 0;
		} else
			w->malformed_quiet++;
		return;
	}
	for (int i = 0; i < n; i++)
		if (w->o.on_event)
			w->o.on_event(w->o.arg, &ev[i]);
}

static void apply_pending(FeedWs *w);

/* The 101 was checked: the connection is up. */
static void on_upgraded(FeedWs *w, Conn *c)
{
	int64_t now = fb_mono_ms();
	c->upgraded = c->connected = 1;
	c->upgrade_by = 0;
	c->connected_at = c->last_msg = c->healthy_since = now;
	c->nunsub = 0; /* a new connection has only what the URL and SUBSCRIBE give it */
	c->next_sub = c->nstreams < w->ex->url_streams ? c->nstreams : w->ex->url_streams;
	w->ex->parser_reset(c->parser); /* a state merged from deltas is the old connection's */
	c->ping_at = now + (int64_t)w->ex->ping_s * 1000;
	c->ping_due = 0;
	c->next_sub_at = now;
	for (int k = 0; k < c->next_sub; k++)
		if (!c->streams[k].subscribed_at)
			c->streams[k].subscribed_at = now;
	if (c->next_sub < c->nstreams)
		lws_callback_on_writable(c->wsi);
	bump(w, &w->stats.connects, 1);
	if (c->down_since) { /* what the streams without REST history lost while down */
		int n = 0;
		for (int k = 0; k < c->nstreams; k++) {
			StreamInfo si;
			n += w->ex->stream_info(c->streams[k].name, &si) != 0 ||
			     (si.kind != STREAM_KLINE && si.kind != STREAM_TRADES);
		}
		bump(w, &w->stats.stream_ms_lost, (uint64_t)(now - c->down_since) * (uint64_t)n);
		c->down_since = 0;
	}
	if (c->ever_connected) {
		c->reconnects++;
		bump(w, &w->stats.reconnects, 1);
		log_info("ws", "connection %d: reconnected (%d streams)", c->index, c->nstreams);
		if (w->o.on_reconnect) {
			const char **names = xmalloc((size_t)c->nstreams * sizeof *names);
			for (int k = 0; k < c->nstreams; k++)
				names[k] = c->streams[k].name;
			w->o.on_reconnect(w->o.arg, names, c->nstreams);
			free(names);
		}
	} else
		log_info("ws", "connection %d: connected (%d streams)", c->index, c->nstreams);
	c->ever_connected = 1;
}

static void frag_append(FeedWs *w, Conn *c, const unsigned char *p, size_t n)
{
	if (c->frag_drop)
		return;
	if (c->rxlen + n > WS_MAX_MESSAGE) {
		log_warn("ws", "connection %d: message over 8 MB dropped", c->index);
		bump(w, &w->stats.malformed, 1);
		c->frag_drop = 1;
		c->rxlen = 0;
		return;
	}
	if (c->rxlen + n > c->rxcap) {
		c->rxcap = (c->rxlen + n) * 2;
		c->rx = xrealloc(c->rx, c->rxcap);
	}
	memcpy(c->rx + c->rxlen, p, n);
	c->rxlen += n;
}

/* One whole frame. Returns -1 when the connection must end. */
static int on_frame(FeedWs *w, Conn *c, const WsFrame *f)
{
	if (c->closing)
		return 0; /* after a close frame nothing more is read */
	switch (f->opcode) {
	case WSF_TEXT:
	case WSF_BINARY:
		if (c->frag) {
			snprintf(c->close_why, sizeof c->close_why,
			         "protocol error: a new message inside a fragmented one");
			return -1;
		}
		if (f->fin) {
			on_message(w, c, (const char *)f->payload, (size_t)f->len);
			return 0;
		}
		c->frag = 1;
		c->frag_drop = 0;
		c->rxlen = 0;
		frag_append(w, c, f->payload, (size_t)f->len);
		return 0;
	case WSF_CONT:
		if (!c->frag) {
			snprintf(c->close_why, sizeof c->close_why,
			         "protocol error: a continuation with no message");
			return -1;
		}
		frag_append(w, c, f->payload, (size_t)f->len);
		if (f->fin) {
			if (!c->frag_drop)
				on_message(w, c, c->rx, c->rxlen);
			c->frag = c->frag_drop = 0;
			c->rxlen = 0;
		}
		return 0;
	case WSF_PING: /* answered with the same payload; a newer ping replaces an unsent one */
		memcpy(c->pong, f->payload, (size_t)f->len);
		c->pong_len = (int)f->len;
		c->pong_due = 1;
		lws_callback_on_writable(c->wsi);
		return 0;
	case WSF_PONG: return 0;
	case WSF_CLOSE: {
		int code = f->len >= 2 ? f->payload[0] << 8 | f->payload[1] : 1005;
		char reason[100] = "";
		if (f->len > 2) {
			size_t k = (size_t)f->len - 2 < sizeof reason - 1 ? (size_t)f->len - 2
			                                                  : sizeof reason - 1;
			memcpy(reason, f->payload + 2, k);
			reason[k] = '\0';
			fb_ascii_clean(reason);
		}
		snprintf(c->close_why, sizeof c->close_why, "closed by the server (%d%s%s)", code,
		         reason[0] ? " " : "", reason);
		/* echo the code (RFC 6455 5.5.1), then end the connection */
		c->close_len = f->len >= 2 ? 2 : 0;
		memcpy(c->close_body, f->payload, (size_t)c->close_len);
		c->close_due = c->closing = 1;
		lws_callback_on_writable(c->wsi);
		return 0;
	}
	default: return -1; /* wsframe_parse lets no other opcode through */
	}
}

/* Bytes read from the connection: the upgrade answer, then frames. A frame's payload is used
 * where it lies; only the start of a frame cut by the read's end is kept (in c->in) for the
 * next read. Returns -1 when the connection must end (c->close_why says why). */
static int on_bytes(FeedWs *w, Conn *c, const unsigned char *data, size_t len)
{
	if (c->skip) {
		size_t k = c->skip < len ? (size_t)c->skip : len;
		c->skip -= k;
		data += k;
		len -= k;
	}
	const unsigned char *buf = data;
	size_t n = len, off = 0;
	if (c->inlen) {
		if (c->inlen + len > c->incap) {
			c->incap = (c->inlen + len) * 2;
			c->in = xrealloc(c->in, c->incap);
		}
		memcpy(c->in + c->inlen, data, len);
		buf = c->in;
		n = c->inlen += len;
	}
	int rc = 0;
	while (off < n && rc == 0) {
		char err[160];
		if (!c->upgraded) {
			int r = wsframe_response((const char *)buf + off, n - off, c->key, err,
			                         sizeof err);
			if (r == 0)
				break;
			if (r < 0) {
				snprintf(c->close_why, sizeof c->close_why, "upgrade refused: %s",
				         err);
				rc = -1;
				break;
			}
			off += (size_t)r;
			on_upgraded(w, c);
			continue;
		}
		WsFrame f;
		int r = wsframe_parse(buf + off, n - off, &f, err, sizeof err);
		if (r < 0) {
			snprintf(c->close_why, sizeof c->close_why, "protocol error: %s", err);
			bump(w, &w->stats.malformed, 1);
			rc = -1;
			break;
		}
		if (f.header && f.len > WS_MAX_MESSAGE) { /* never buffered: passed over */
			log_warn("ws", "connection %d: message over 8 MB dropped", c->index);
			bump(w, &w->stats.malformed, 1);
			uint64_t here = n - off - f.header;
			c->skip = here < f.len ? f.len - here : 0;
			off += f.header + (size_t)(here < f.len ? here : f.len);
			if (f.opcode == WSF_CONT ||
			    !f.fin) { /* the message it belongs to goes too */
				c->frag = !f.fin;
				c->frag_drop = !f.fin;
				c->rxlen = 0;
			}
			continue;
		}
		if (r == 0)
			break;
		off += f.header + (size_t)f.len;
		rc = on_frame(w, c, &f);
	}
	size_t rest = n - off;
	if (rc == 0 && rest) {
		if (buf == c->in)
			memmove(c->in, c->in + off, rest);
		else {
			if (rest > c->incap) {
				c->incap = rest * 2 < 65536 ? 65536 : rest * 2;
				free(c->in);
				c->in = xmalloc(c->incap);
			}
			memcpy(c->in, buf + off, rest);
		}
	}
	c->inlen = rc == 0 ? rest : 0;
	return rc;
}

/* Bytes on the socket as they are (libwebsockets wants LWS_PRE bytes before them). */
static int raw_write(struct lws *wsi, const void *p, size_t n)
{
	unsigned char *buf = xmalloc(LWS_PRE + n);
	memcpy(buf + LWS_PRE, p, n);
	int wr = lws_write(wsi, buf + LWS_PRE, n, LWS_WRITE_RAW);
	free(buf);
	return wr < (int)n ? -1 : 0;
}

/* What TLS has to send (records of what was written, handshake records, alerts). */
static int tls_flush(Conn *c, struct lws *wsi)
{
	size_t k;
	while (c->tls && (k = wstls_out_pending(c->tls)) > 0) {
		unsigned char *buf = xmalloc(k);
		k = wstls_out(c->tls, buf, k);
		int rc = raw_write(wsi, buf, k);
		free(buf);
		if (rc)
			return -1;
	}
	return 0;
}

/* Bytes out on the connection: as they are, or through TLS. Returns -1 on failure. */
static int conn_write(Conn *c, struct lws *wsi, const void *p, size_t n)
{
	if (!c->tls)
		return raw_write(wsi, p, n);
	char err[160];
	if (wstls_write(c->tls, p, n, err, sizeof err)) {
		snprintf(c->close_why, sizeof c->close_why, "%s", err);
		return -1;
	}
	return tls_flush(c, wsi);
}

/* A masked frame out. */
static int send_frame(FeedWs *w, Conn *c, struct lws *wsi, int opcode, const void *p, size_t n)
{
	unsigned char *buf = xmalloc(WSF_MAX_HEADER + n);
	size_t k = wsframe_build(buf, opcode, p, n, (uint32_t)rng_next(&w->rng));
	int rc = conn_write(c, wsi, buf, k);
	free(buf);
	return rc;
}

/* Ciphertext in: the handshake driven, and what it decrypts read as WebSocket bytes. */
static int on_tls_bytes(FeedWs *w, Conn *c, struct lws *wsi, const void *in, size_t len)
{
	char err[160];
	if (wstls_in(c->tls, in, len, err, sizeof err))
		goto fail;
	if (!c->tls_ready) {
		int hs = wstls_handshake(c->tls, err, sizeof err);
		if (tls_flush(c, wsi))
			return -1;
		if (hs < 0)
			goto fail;
		if (hs == 0)
			return 0;
		c->tls_ready = 1;
		lws_callback_on_writable(wsi); /* the upgrade request */
	}
	for (;;) {
		long r = wstls_read(c->tls, w->plain, WS_READ_BYTES, err, sizeof err);
		if (r < 0)
			goto fail;
		if (r == 0)
			break;
		if (on_bytes(w, c, w->plain, (size_t)r))
			return -1;
	}
	return tls_flush(c, wsi);
fail:
	snprintf(c->close_why, sizeof c->close_why, "%s", err);
	return -1;
}

/* What the connection has to send, one thing per writable: the upgrade request, a close
 * echo, a pong, then the paced SUBSCRIBE and UNSUBSCRIBE messages. */
static int on_writable(FeedWs *w, Conn *c, struct lws *wsi)
{
	if (!c->req_sent) {
		if (c->tls && !c->tls_ready)
			return 0; /* the TLS handshake first */
		unsigned char nonce[16];
		for (int i = 0; i < 16; i += 8) {
			uint64_t r = rng_next(&w->rng);
			memcpy(nonce + i, &r, 8);
		}
		wsframe_key(nonce, c->key);
		size_t cap = sizeof c->path + 1024;
		char *buf = xmalloc(cap);
		int n = wsframe_request(buf, cap, w->host, w->port, w->ssl, c->path, c->key);
		int rc = n < 0 ? -1 : conn_write(c, wsi, buf, (size_t)n);
		free(buf);
		c->req_sent = 1;
		return rc;
	}
	if (c->close_due) {
		send_frame(w, c, wsi, WSF_CLOSE, c->close_body, (size_t)c->close_len);
		c->close_due = 0;
		return -1;
	}
	if (!c->upgraded || c->closing)
		return 0;
	if (c->pong_due) {
		c->pong_due = 0;
		if (send_frame(w, c, wsi, WSF_PONG, c->pong, (size_t)c->pong_len))
			return -1;
		if (c->next_sub < c->nstreams || c->nunsub)
			lws_callback_on_writable(wsi);
		return 0;
	}
	int64_t now = fb_mono_ms();
	if (c->ping_due) { /* the exchange's text heartbeat */
		c->ping_due = 0;
		if (send_frame(w, c, wsi, WSF_TEXT, w->ex->ping, strlen(w->ex->ping)))
			return -1;
		if (c->next_sub < c->nstreams || c->nunsub)
			lws_callback_on_writable(wsi);
		return 0;
	}
	if ((c->next_sub >= c->nstreams && !c->nunsub) || now < c->next_sub_at)
		return 0;
	int batch = w->ex->sub_batch;
	const char **names = xmalloc((size_t)batch * sizeof *names);
	int k = 0, sub = !c->nunsub;
	if (!sub)
		for (; k < batch && k < c->nunsub; k++)
			names[k] = c->unsub[k];
	else
		for (int i = c->next_sub; k < batch && i < c->nstreams; k++, i++)
			names[k] = c->streams[i].name;
	size_t cap = 128 + (size_t)batch * 72;
	char *msg = xmalloc(cap);
	int n = w->ex->sub_message(msg, cap, sub, names, k, ++c->sub_id);
	free(names);
	if (n < 0) {
		free(msg);
		snprintf(c->close_why, sizeof c->close_why, "a subscribe message did not fit");
		return -1;
	}
	if (!sub) {
		memmove(c->unsub, c->unsub + k, (size_t)(c->nunsub - k) * sizeof *c->unsub);
		c->nunsub -= k;
	} else
		for (int i = 0; i < k; i++, c->next_sub++)
			if (!c->streams[c->next_sub].subscribed_at)
				c->streams[c->next_sub].subscribed_at = now;
	int rc = send_frame(w, c, wsi, WSF_TEXT, msg, (size_t)n);
	free(msg);
	c->next_sub_at = now + WS_SUB_PACE_MS;
	return rc;
}

/* A connection ended, before or after the upgrade. */
static void on_closed(FeedWs *w, Conn *c)
{
	int was = c->connected;
	if (was)
		c->down_since = fb_mono_ms();
	c->wsi = NULL;
	wstls_free(c->tls);
	c->tls = NULL;
	c->tls_ready = 0;
	c->connected = c->upgraded = c->req_sent = c->closing = 0;
	c->close_due = c->pong_due = c->ping_due = 0;
	c->upgrade_by = 0;
	c->rxlen = c->inlen = 0;
	c->skip = 0;
	c->frag = c->frag_drop = 0;
	if (atomic_load(&w->stop))
		return;
	const char *why = c->close_why[0] ? c->close_why
	                  : was           ? "closed"
	                                  : "closed before the upgrade";
	int64_t now = fb_mono_ms();
	if (was && now - c->connected_at >= WS_STEADY_MS && c->last_msg > c->connected_at)
		schedule_now(w, c, why);
	else
		schedule_retry(w, c, why);
	c->close_why[0] = '\0';
}

static int callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                    size_t len)
{
	(void)user;
	Conn *c = lws_get_opaque_user_data(wsi);
	FeedWs *w = c ? c->owner : NULL;
	switch (reason) {
	case LWS_CALLBACK_RAW_CONNECTED:
		if (!c)
			return -1;
		c->req_sent = c->upgraded = c->closing = 0;
		c->inlen = 0;
		c->close_why[0] = '\0';
		c->upgrade_by = fb_mono_ms() + WS_UPGRADE_MS;
		if (w->tls) { /* the TLS handshake, then the upgrade */
			char err[160];
			wstls_free(c->tls);
			c->tls_ready = 0;
			c->tls = wstls_new(w->tls, w->host, err, sizeof err);
			if (!c->tls) {
				snprintf(c->close_why, sizeof c->close_why, "%s", err);
				return -1;
			}
			int hs = wstls_handshake(c->tls, err, sizeof err);
			if (hs < 0) {
				snprintf(c->close_why, sizeof c->close_why, "%s", err);
				return -1;
			}
			return tls_flush(c, wsi);
		}
		lws_callback_on_writable(wsi);
		return 0;
	case LWS_CALLBACK_RAW_RX:
		if (!c)
			return 0;
		return c->tls ? on_tls_bytes(w, c, wsi, in, len) : on_bytes(w, c, in, len);
	case LWS_CALLBACK_RAW_WRITEABLE: return c ? on_writable(w, c, wsi) : 0;
	case LWS_CALLBACK_EVENT_WAIT_CANCELLED:
		if (lws_get_context(wsi) && (w = lws_context_user(lws_get_context(wsi))) != NULL)
			apply_pending(w);
		return 0;
	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
		if (c) {
			c->wsi = NULL;
			c->connected = 0;
			wstls_free(c->tls);
			c->tls = NULL;
			c->tls_ready = 0;
			schedule_retry(w, c, in ? (const char *)in : "connection failed");
		}
		return 0;
	case LWS_CALLBACK_RAW_CLOSE:
		if (c)
			on_closed(w, c);
		return 0;
	default: break;
	}
	return lws_callback_http_dummy(wsi, reason, user, in, len);
}

static const struct lws_protocols protocols[] = {
        {"feed", callback, 0, 0, 0, NULL, 0},
        {NULL, NULL, 0, 0, 0, NULL, 0},
};

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
	c->route = pub;
	c->parser = w->ex->parser_new();
	c->streams = xcalloc((size_t)w->o.max_streams, sizeof *c->streams);
	w->conns[w->nconns++] = c;
	return c;
}

/* The connection URL: the route and the first streams (the rest are subscribed). */
static void conn_path(const FeedWs *w, Conn *c)
{
	int url = w->ex->url_streams;
	int n = snprintf(c->path, sizeof c->path, "%s%s", w->ex->routes[c->route],
	                 url && c->nstreams ? "?streams=" : "");
	for (int k = 0; k < c->nstreams && k < url; k++)
		n += snprintf(c->path + n, sizeof c->path - (size_t)n, "%s%s", k ? "/" : "",
		              c->streams[k].name);
}

/* Adds a stream to a connection on its route with room, or a new one. */
static void add_stream(FeedWs *w, const char *name)
{
	int pub = w->ex->stream_route(name) ? 1 : 0;
	for (int i = 0; i < w->nconns; i++)
		for (int k = 0; k < w->conns[i]->nstreams; k++)
			if (strcmp(w->conns[i]->streams[k].name, name) == 0)
				return; /* already there */
	Conn *c = NULL;
	for (int i = 0; i < w->nconns && !c; i++)
		if (w->conns[i]->route == pub && w->conns[i]->nstreams < w->o.max_streams)
			c = w->conns[i];
	if (!c)
		c = conn_new(w, pub);
	Stream *st = &c->streams[c->nstreams++];
	c->indexed = 0;
	memset(st, 0, sizeof *st);
	snprintf(st->name, sizeof st->name, "%s", name);
	conn_path(w, c);
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
			conn_path(w, c);
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
	w->ex = o->ex ? o->ex : &exchange_binance;
	if (w->o.stale_s <= 0)
		w->o.stale_s = 30;
	if (w->o.silent_stream_s <= 0)
		w->o.silent_stream_s = 60;
	if (w->o.max_streams <= 0 || w->o.max_streams > w->ex->max_streams)
		w->o.max_streams = w->ex->max_streams;
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
	info.options = 0; /* TLS is wstls.c's */
	info.fd_limit_per_thread = 64 + (unsigned)w->nconns;
	info.user = w;
	/* 200 streams in a URL come to about 5 KB */
	info.max_http_header_data = 16384;
	/* one recv takes what a busy millisecond brought (see ws_main) */
	info.pt_serv_buf_size = WS_READ_BYTES;
	char terr[200] = "";
	if (w->ssl) {
		w->tls = wstls_ctx_new(terr, sizeof terr);
		w->plain = xmalloc(WS_READ_BYTES);
	}
	if (!w->ssl || w->tls)
		w->ctx = lws_create_context(&info);
	if (!w->ctx || pthread_create(&w->thread, NULL, ws_main, w)) {
		snprintf(err, errlen, "cannot start the WebSocket client%s%s", terr[0] ? ": " : "",
		         terr);
		if (w->ctx)
			lws_context_destroy(w->ctx);
		wstls_ctx_free(w->tls);
		free(w->plain);
		for (int i = 0; i < w->nconns; i++) {
			free(w->conns[i]->streams);
			strindex_free(&w->conns[i]->names);
			w->ex->parser_free(w->conns[i]->parser);
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

void feed_ws_wake(FeedWs *w)
{
	lws_cancel_service(w->ctx);
}

void feed_ws_stop(FeedWs *w)
{
	if (!w)
		return;
	atomic_store(&w->stop, 1);
	lws_cancel_service(w->ctx);
	pthread_join(w->thread, NULL);
	lws_context_destroy(w->ctx); /* closes what is still open (callbacks run here, safely) */
	for (int i = 0; i < w->nconns; i++)
		wstls_free(w->conns[i]->tls); /* a connection lws dropped without a close */
	wstls_ctx_free(w->tls);
	free(w->plain);
	for (int i = 0; i < w->nconns; i++) {
		free(w->conns[i]->streams);
		free(w->conns[i]->rx);
		free(w->conns[i]->in);
		free(w->conns[i]->unsub);
		strindex_free(&w->conns[i]->names);
		w->ex->parser_free(w->conns[i]->parser);
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
