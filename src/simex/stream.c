/* simex WebSocket streams, Binance's way:
 *  - routed paths: /market/stream for kline, aggTrade, markPrice, tickers and forceOrder;
 *    /public/stream for bookTicker and depth. A stream on the wrong path is acknowledged and
 *    then never delivers. /ws/<stream> and /stream?streams= are accepted as the old raw and
 *    combined endpoints.
 *  - streams in the URL (?streams=a/b/c) and live SUBSCRIBE / UNSUBSCRIBE /
 *    LIST_SUBSCRIPTIONS; at most 200 streams and 10 incoming messages per second per
 *    connection, or the connection is closed with 1008.
 *  - every 100 ms (real time) each connection gets what its streams produced: kline updates
 *    and every closed candle exactly once, mark prices, trades, book tops, tickers.
 *  - faults: connections dropped every N seconds, silences without a close, malformed and
 *    truncated frames, duplicated and out-of-order messages.
 * Simex thread only. */
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "core/log.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"
#include "simex/internal.h"

#define WS_MAX_STREAMS  200
#define WS_MAX_QUEUE    20000
#define WS_MAX_IN_PER_S 10

enum { ROUTE_ANY = 0, ROUTE_MARKET, ROUTE_PUBLIC };
enum {
	ST_KLINE = 1,
	ST_AGG,
	ST_MARK,
	ST_BOOK,
	ST_DEPTH,
	ST_FORCE,
	ST_ALL_MARK,
	ST_ALL_TICKER,
	ST_ALL_MINI,
	ST_ALL_FORCE,
	ST_ALL_BOOK,
	ST_CAPTURE,     /* served from the recorded traffic, /market */
	ST_CAPTURE_BOOK /* served from the recorded traffic, /public (book streams) */
};

typedef struct {
	char name[64];
	int type, sym, silent;
	int cap_id; /* ST_CAPTURE*: the stream's index in the capture */
	char interval[8];
	int64_t last_closed; /* kline: open time of the newest closed candle sent */
	int64_t trade_open;  /* aggTrade: the minute being traded, and its volume so far */
	double trade_v, trade_tbv;
	/* Bybit tickers: the fields last sent (a delta carries only those that changed) */
	char sent[8][32];
	int snapshot_sent;
} Sub;

struct WsConn {
	WsConn *next;
	struct lws *wsi;
	int route, combined;
	int bybit; /* /v5/public/linear: Bybit's topics, op messages and frames */
	Sub subs[WS_MAX_STREAMS];
	int nsubs;
	char **out;
	size_t head, count, cap;
	int64_t in_window, in_count;
	int close_code;
	char *rx; /* an incoming message being reassembled */
	size_t rxlen;
	unsigned char *wbuf; /* LWS_PRE + the frame being written */
	size_t wcap;
	/* recorded traffic: the next frame to look at, and the capture streams subscribed */
	size_t cap_pos;
	int cap_started;
	uint64_t cap_mask;
};

#define WS_WRITES_PER_CALL 256
#define WS_BATCH_BYTES     (256 * 1024) /* one send() of many frames (firehose, --rate max) */
#define WS_BATCH_FRAMES    4096
#define WS_TAIL_WAIT_MS    200 /* to finish a frame a send() cut */

static void enqueue(WsConn *c, char *msg)
{
	if (c->count == c->cap) {
		size_t ncap = c->cap ? c->cap * 2 : 64;
		char **n = xmalloc(ncap * sizeof *n);
		for (size_t i = 0; i < c->count; i++)
			n[i] = c->out[(c->head + i) % c->cap];
		free(c->out);
		c->out = n;
		c->head = 0;
		c->cap = ncap;
	}
	c->out[(c->head + c->count++) % c->cap] = msg;
}

/* Queues msg (taking ownership) with the configured faults applied. */
static void send_msg(Simex *s, WsConn *c, char *msg)
{
	if (c->count >= (s->opt.firehose ? WS_MAX_QUEUE * 50 : WS_MAX_QUEUE)) {
		/* a consumer this slow is cut off, as Binance does */
		free(msg);
		if (!c->close_code)
			c->close_code = LWS_CLOSE_STATUS_POLICY_VIOLATION;
		return;
	}
	const SimexOptions *o = &s->opt;
	if (o->malformed_rate > 0 && rng_uniform(&s->fault_rng) < o->malformed_rate) {
		size_t n = strlen(msg);
		if (rng_uniform(&s->fault_rng) < 0.5)
			msg[n / 2] = '\0'; /* truncated */
		else
			memcpy(msg, "{\"e\":", n < 5 ? n : 5); /* garbage */
	}
	if (o->duplicate_rate > 0 && rng_uniform(&s->fault_rng) < o->duplicate_rate)
		enqueue(c, xstrdup(msg));
	if (o->reorder_rate > 0 && c->count > 0 && rng_uniform(&s->fault_rng) < o->reorder_rate) {
		size_t last = (c->head + c->count - 1) % c->cap;
		char *prev = c->out[last];
		c->out[last] = msg;
		enqueue(c, prev);
		return;
	}
	enqueue(c, msg);
}

/* Benchmark modes (firehose, --rate max): the queued messages framed here (unmasked, as a
 * server's) into one buffer and written with one send(), instead of one lws_write() and one
 * system call per frame; that is what lets simex offer over a million messages a second.
 * A send() that takes part of a frame finishes that frame (waiting up to WS_TAIL_WAIT_MS for
 * the socket) before returning, so the stream is always at a frame boundary when
 * libwebsockets writes its own frames (a pong, the close). Frames not sent stay queued.
 * Returns -1 when the connection is gone. */
static int write_batch(WsConn *c, struct lws *wsi)
{
	size_t ends[WS_BATCH_FRAMES], pos = 0;
	int nf = 0;
	if (!c->wcap || c->wcap < WS_BATCH_BYTES + 65536) {
		c->wcap = WS_BATCH_BYTES + 65536;
		c->wbuf = xrealloc(c->wbuf, c->wcap);
	}
	while (nf < WS_BATCH_FRAMES && (size_t)nf < c->count && pos < WS_BATCH_BYTES) {
		const char *m = c->out[(c->head + (size_t)nf) % c->cap];
		size_t n = strlen(m);
		if (pos + n + 10 > c->wcap) {
			if (nf)
				break;
			c->wcap = pos + n + 10;
			c->wbuf = xrealloc(c->wbuf, c->wcap);
		}
		unsigned char *h = c->wbuf + pos;
		h[0] = 0x81; /* FIN, text */
		if (n < 126) {
			h[1] = (unsigned char)n;
			pos += 2;
		} else if (n <= 0xffff) {
			h[1] = 126;
			h[2] = (unsigned char)(n >> 8);
			h[3] = (unsigned char)n;
			pos += 4;
		} else {
			h[1] = 127;
			for (int i = 0; i < 8; i++)
				h[2 + i] = (unsigned char)((uint64_t)n >> (8 * (7 - i)));
			pos += 10;
		}
		memcpy(c->wbuf + pos, m, n);
		pos += n;
		ends[nf++] = pos;
	}
	if (!nf)
		return 0;
	int fd = lws_get_socket_fd(wsi);
	ssize_t w = send(fd, c->wbuf, pos, MSG_NOSIGNAL | MSG_DONTWAIT);
	if (w < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return 0;
		return -1;
	}
	size_t sent = (size_t)w;
	int done = 0;
	while (done < nf && ends[done] <= sent)
		done++;
	size_t start = done ? ends[done - 1] : 0;
	if (done < nf && sent > start) { /* a frame cut: its tail now */
		int64_t until = fb_mono_ms() + WS_TAIL_WAIT_MS;
		while (sent < ends[done]) {
			struct pollfd pf = {fd, POLLOUT, 0};
			int64_t left = until - fb_mono_ms();
			if (left <= 0 || poll(&pf, 1, (int)left) <= 0 || (pf.revents & ~POLLOUT))
				return -1; /* a client that stopped reading mid-frame */
			w = send(fd, c->wbuf + sent, ends[done] - sent,
			         MSG_NOSIGNAL | MSG_DONTWAIT);
			if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
				return -1;
			if (w > 0)
				sent += (size_t)w;
		}
		done++;
	}
	for (int k = 0; k < done; k++) {
		free(c->out[c->head]);
		c->head = (c->head + 1) % c->cap;
		c->count--;
	}
	return 0;
}

static char *wrap(const WsConn *c, const Sub *sub, StrBuf *data)
{
	char *m = c->combined ? xasprintf("{\"stream\":\"%s\",\"data\":%s}", sub->name, data->p)
	                      : xstrdup(data->p);
	strbuf_reset(data);
	return m;
}

/* Bybit's topics: kline.{1,5,15,60,240,D}.SYMBOL, tickers., publicTrade., orderbook.1.,
 * allLiquidation. Returns 0, or -1 for a topic simex does not know. */
static int parse_topic(Simex *s, const char *name, Sub *sub)
{
	memset(sub, 0, sizeof *sub);
	if (strlen(name) >= sizeof sub->name)
		return -1;
	snprintf(sub->name, sizeof sub->name, "%s", name);
	const char *dot = strchr(name, '.'), *sym = strrchr(name, '.');
	if (!dot)
		return -1;
	if ((sub->sym = simex_bybit_find(s, sym + 1)) < 0)
		return -1;
	size_t kl = (size_t)(dot - name);
	if (kl == 5 && strncmp(name, "kline", 5) == 0) {
		static const struct {
			const char *theirs, *ours;
		} ivs[] = {{"1", "1m"},   {"3", "3m"},    {"5", "5m"},   {"15", "15m"},
		           {"30", "30m"}, {"60", "1h"},   {"120", "2h"}, {"240", "4h"},
		           {"360", "6h"}, {"720", "12h"}, {"D", "1d"}};
		size_t il = (size_t)(sym - dot - 1);
		for (size_t k = 0; k < sizeof ivs / sizeof *ivs; k++)
			if (strlen(ivs[k].theirs) == il && strncmp(dot + 1, ivs[k].theirs, il) == 0)
				snprintf(sub->interval, sizeof sub->interval, "%s", ivs[k].ours);
		if (!sub->interval[0])
			return -1;
		sub->type = ST_KLINE;
		int64_t ivl = fb_interval_ms(sub->interval),
		        off = fb_interval_offset_ms(sub->interval);
		int64_t now = clock_now(&s->clock);
		sub->last_closed = now - ((now - off) % ivl + ivl) % ivl - ivl;
	} else if (sym == dot && kl == 7 && strncmp(name, "tickers", 7) == 0)
		sub->type = ST_MARK;
	else if (sym == dot && kl == 11 && strncmp(name, "publicTrade", 11) == 0)
		sub->type = ST_AGG;
	else if (kl == 9 && strncmp(name, "orderbook", 9) == 0 && strncmp(dot, ".1.", 3) == 0)
		sub->type = ST_BOOK;
	else if (sym == dot && kl == 14 && strncmp(name, "allLiquidation", 14) == 0)
		sub->type = ST_FORCE;
	else
		return -1;
	return 0;
}

/* Parses "btcusdt@kline_1m" and friends. Returns 0, or -1 for a name simex does not know. */
static int parse_stream(Simex *s, const char *name, Sub *sub)
{
	memset(sub, 0, sizeof *sub);
	if (strlen(name) >= sizeof sub->name)
		return -1;
	snprintf(sub->name, sizeof sub->name, "%s", name);
	if (s->cap.n && (sub->cap_id = sim_capture_find(&s->cap, name)) >= 0) {
		sub->type = strstr(name, "@bookTicker") || strstr(name, "@depth") ? ST_CAPTURE_BOOK
		                                                                  : ST_CAPTURE;
		sub->sym = -1;
		return 0;
	}
	static const struct {
		const char *name;
		int type;
	} all[] = {{"!markPrice@arr", ST_ALL_MARK},   {"!markPrice@arr@1s", ST_ALL_MARK},
	           {"!ticker@arr", ST_ALL_TICKER},    {"!miniTicker@arr", ST_ALL_MINI},
	           {"!forceOrder@arr", ST_ALL_FORCE}, {"!bookTicker", ST_ALL_BOOK}};
	for (size_t i = 0; i < sizeof all / sizeof *all; i++)
		if (strcmp(name, all[i].name) == 0) {
			sub->type = all[i].type;
			sub->sym = -1;
			return 0;
		}
	const char *at = strchr(name, '@');
	if (!at || at == name || at - name >= FB_SYMBOL_LEN)
		return -1;
	char sym[FB_SYMBOL_LEN];
	for (int i = 0; i < at - name; i++) {
		char ch = name[i];
		if (ch >= 'a' && ch <= 'z')
			ch = (char)(ch - 'a' + 'A');
		else if (!(ch >= '0' && ch <= '9'))
			return -1;
		sym[i] = ch;
	}
	sym[at - name] = '\0';
	if ((sub->sym = sim_model_find(s->model, sym)) < 0)
		return -1;
	const char *t = at + 1;
	if (strncmp(t, "kline_", 6) == 0 && fb_interval_ms(t + 6) > 0) {
		sub->type = ST_KLINE;
		snprintf(sub->interval, sizeof sub->interval, "%s", t + 6);
		int64_t ivl = fb_interval_ms(sub->interval),
		        off = fb_interval_offset_ms(sub->interval);
		int64_t now = clock_now(&s->clock);
		sub->last_closed = now - ((now - off) % ivl + ivl) % ivl - ivl;
	} else if (strcmp(t, "aggTrade") == 0)
		sub->type = ST_AGG;
	else if (strcmp(t, "markPrice") == 0 || strcmp(t, "markPrice@1s") == 0)
		sub->type = ST_MARK;
	else if (strcmp(t, "bookTicker") == 0)
		sub->type = ST_BOOK;
	else if (strncmp(t, "depth5", 6) == 0)
		sub->type = ST_DEPTH;
	else if (strcmp(t, "forceOrder") == 0)
		sub->type = ST_FORCE;
	else
		return -1;
	return 0;
}

/* The route a stream type is served on; --reroute-book moves the book streams to /market,
 * as an exchange-side change would, so clients that follow the documented routes get them
 * acknowledged and silent. */
static int route_of(const Simex *s, int type)
{
	int book = type == ST_BOOK || type == ST_DEPTH || type == ST_ALL_BOOK ||
	           type == ST_CAPTURE_BOOK;
	return book && !s->opt.reroute_book ? ROUTE_PUBLIC : ROUTE_MARKET;
}

static void cap_mask(WsConn *c);

/* Adds a stream; returns 0, 1 if it was there already, -1 unknown, -2 over the limit. */
static int subscribe(Simex *s, WsConn *c, const char *name)
{
	for (int i = 0; i < c->nsubs; i++)
		if (strcmp(c->subs[i].name, name) == 0)
			return 1;
	if (c->nsubs == WS_MAX_STREAMS)
		return -2;
	Sub sub;
	if (c->bybit ? parse_topic(s, name, &sub) : parse_stream(s, name, &sub))
		return -1;
	/* acknowledged either way; on the wrong route it just never delivers */
	sub.silent = !c->bybit && c->route != ROUTE_ANY && route_of(s, sub.type) != c->route;
	c->subs[c->nsubs++] = sub;
	cap_mask(c);
	return 0;
}

static void unsubscribe(WsConn *c, const char *name)
{
	for (int i = 0; i < c->nsubs; i++)
		if (strcmp(c->subs[i].name, name) == 0) {
			c->subs[i] = c->subs[--c->nsubs];
			cap_mask(c);
			return;
		}
}

/* ---- recorded traffic (--capture) ---- */

/* The capture streams a connection gets (subscribed, on the right route). */
static void cap_mask(WsConn *c)
{
	c->cap_mask = 0;
	for (int i = 0; i < c->nsubs; i++)
		if ((c->subs[i].type == ST_CAPTURE || c->subs[i].type == ST_CAPTURE_BOOK) &&
		    !c->subs[i].silent)
			c->cap_mask |= UINT64_C(1) << c->subs[i].cap_id;
}

double simex_capture_reached(Simex *s)
{
	if (!s->cap.n || !s->cap_t0_real)
		return 0;
	if (s->opt.capture_max)
		return (double)(s->cap.t_ns[s->cap.n - 1] - s->cap.t_ns[0]);
	double speed = s->opt.capture_speed > 0 ? s->opt.capture_speed : 1;
	return (double)(fb_mono_ms() - s->cap_t0_real) * 1e6 * speed;
}

/* Queues the capture's frames for c that are due: at the recorded pace (times
 * capture_speed) on one clock for every connection, started by the first subscriber, so a
 * connection that joins (or comes back) more than a second later gets what is sent from
 * then on, as from the exchange; or, with capture_max, as many as the client takes (each connection from the
 * start, kept about 4,096 frames ahead of the socket). */
static void capture_fill(Simex *s, WsConn *c)
{
	const SimCapture *k = &s->cap;
	if (!k->n || !c->cap_mask)
		return;
	int64_t real = fb_mono_ms();
	if (!s->cap_t0_real)
		s->cap_t0_real = real;
	double speed = s->opt.capture_speed > 0 ? s->opt.capture_speed : 1;
	/* the recorded time reached now, in ns since the capture's first frame */
	double reached = (double)(real - s->cap_t0_real) * 1e6 * speed;
	if (!c->cap_started) {
		c->cap_started = 1;
		/* join at the present; in the first second the client's connections (one per
		 * route) all get the capture from its start */
		if (!s->opt.capture_max && real - s->cap_t0_real > 1000)
			while (c->cap_pos < k->n &&
			       (double)(k->t_ns[c->cap_pos] - k->t_ns[0]) < reached)
				c->cap_pos++;
	}
	size_t limit = s->opt.capture_max ? 4096 : WS_MAX_QUEUE / 2;
	while (c->count < limit) {
		if (c->cap_pos == k->n) {
			if (!s->opt.capture_loop)
				return;
			c->cap_pos = 0;
			if (!s->opt.capture_max) {
				s->cap_t0_real = real; /* the clock starts over with the frames */
				reached = 0;
			}
		}
		size_t i = c->cap_pos;
		if (!(c->cap_mask >> k->stream[i] & 1)) {
			c->cap_pos++;
			continue;
		}
		if (!s->opt.capture_max && (double)(k->t_ns[i] - k->t_ns[0]) > reached)
			return; /* not yet */
		char *m = c->combined ? xstrdup(k->frame[i])
		                      : xstrndup(k->frame[i] + k->data[i], k->datlen[i]);
		send_msg(s, c, m);
		c->cap_pos++;
		s->cap_sent++;
	}
}

static void reply(Simex *s, WsConn *c, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void reply(Simex *s, WsConn *c, const char *fmt, ...)
{
	(void)s;
	va_list ap;
	va_start(ap, fmt);
	char buf[512];
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	enqueue(c, xstrdup(buf)); /* replies are never subject to faults */
}

/* Bybit: {"req_id":"s1","op":"subscribe","args":[...]}, unsubscribe, and {"op":"ping"} */
static void on_bybit_request(Simex *s, WsConn *c, const char *text, size_t len)
{
	json_error_t e;
	json_t *root = json_loadb(text, len, 0, &e);
	const char *op = json_string_value(json_object_get(root, "op"));
	const char *req = json_string_value(json_object_get(root, "req_id"));
	char rid[64] = "";
	if (req && strlen(req) < 40 && !strpbrk(req, "\"\\"))
		snprintf(rid, sizeof rid, ",\"req_id\":\"%s\"", req);
	if (!op) {
		reply(s, c,
		      "{\"success\":false,\"ret_msg\":\"error:invalid op\",\"conn_id\":"
		      "\"simex-%p\"%s}",
		      (void *)c, rid);
	} else if (strcmp(op, "ping") == 0) {
		reply(s, c,
		      "{\"success\":true,\"ret_msg\":\"pong\",\"conn_id\":\"simex-%p\"%s,"
		      "\"op\":\"ping\"}",
		      (void *)c, rid);
	} else if (strcmp(op, "subscribe") == 0 || strcmp(op, "unsubscribe") == 0) {
		json_t *args = json_object_get(root, "args"), *a;
		size_t i;
		char bad[96] = "";
		int sub = op[0] == 's';
		json_array_foreach(args, i, a)
		{
			const char *name = json_string_value(a);
			if (!name || strpbrk(name, "\"\\")) {
				snprintf(bad, sizeof bad, "?");
				continue;
			}
			if (!sub)
				unsubscribe(c, name);
			else {
				int rc = subscribe(s, c, name);
				if (rc == -2) {
					c->close_code = LWS_CLOSE_STATUS_POLICY_VIOLATION;
					break;
				}
				if (rc == -1)
					snprintf(bad, sizeof bad, "%.80s", name);
			}
		}
		if (bad[0] || !json_is_array(args))
			reply(s, c,
			      "{\"success\":false,\"ret_msg\":\"error:handler not found,topic:%s\","
			      "\"conn_id\":\"simex-%p\"%s,\"op\":\"%s\"}",
			      bad, (void *)c, rid, sub ? "subscribe" : "unsubscribe");
		else
			reply(s, c,
			      "{\"success\":true,\"ret_msg\":\"\",\"conn_id\":\"simex-%p\"%s,"
			      "\"op\":"
			      "\"%s\"}",
			      (void *)c, rid, sub ? "subscribe" : "unsubscribe");
	} else
		reply(s, c,
		      "{\"success\":false,\"ret_msg\":\"error:unknown op\",\"conn_id\":"
		      "\"simex-%p\"%s}",
		      (void *)c, rid);
	json_decref(root);
}

/* {"method":"SUBSCRIBE","params":[...],"id":1} */
static void on_request(Simex *s, WsConn *c, const char *text, size_t len)
{
	if (c->bybit) {
		on_bybit_request(s, c, text, len);
		return;
	}
	json_error_t e;
	json_t *root = json_loadb(text, len, 0, &e);
	const char *method = json_string_value(json_object_get(root, "method"));
	json_t *id = json_object_get(root, "id");
	long long idv = json_is_integer(id) ? (long long)json_integer_value(id) : 0;
	if (!root || !method || !json_is_integer(id)) {
		reply(s, c, "{\"error\":{\"code\":3,\"msg\":\"Invalid JSON\"},\"id\":null}");
		json_decref(root);
		return;
	}
	json_t *params = json_object_get(root, "params"), *p;
	size_t i;
	if (strcmp(method, "LIST_SUBSCRIPTIONS") == 0) {
		StrBuf b = {NULL, 0, 0};
		strbuf_printf(&b, "{\"result\":[");
		for (int k = 0; k < c->nsubs; k++)
			strbuf_printf(&b, "%s\"%s\"", k ? "," : "", c->subs[k].name);
		strbuf_printf(&b, "],\"id\":%lld}", idv);
		enqueue(c, b.p);
	} else if (strcmp(method, "SUBSCRIBE") == 0 || strcmp(method, "UNSUBSCRIBE") == 0) {
		int sub = method[0] == 'S', bad = !json_is_array(params);
		json_array_foreach(params, i, p)
		{
			const char *name = json_string_value(p);
			if (!name) {
				bad = 1;
				continue;
			}
			if (!sub)
				unsubscribe(c, name);
			else {
				int rc = subscribe(s, c, name);
				if (rc == -2) {
					c->close_code = LWS_CLOSE_STATUS_POLICY_VIOLATION;
					log_info("simex", "closing a connection over %d streams",
					         WS_MAX_STREAMS);
					break;
				}
				bad |= rc == -1;
			}
		}
		if (bad)
			reply(s, c,
			      "{\"error\":{\"code\":2,\"msg\":\"Invalid request: unknown stream\"},"
			      "\"id\":%lld}",
			      idv);
		else
			reply(s, c, "{\"result\":null,\"id\":%lld}", idv);
	} else {
		reply(s, c,
		      "{\"error\":{\"code\":2,\"msg\":\"Invalid request: unknown method\"},"
		      "\"id\":%lld}",
		      idv);
	}
	json_decref(root);
}

static void put_kline(StrBuf *b, const SimInstrument *in, const Candle *k, int64_t now)
{
	int pd = simex_decimals(in->tick), qd = simex_decimals(in->step);
	strbuf_printf(b,
	              "{\"e\":\"kline\",\"E\":%lld,\"s\":\"%s\",\"k\":{\"t\":%lld,\"T\":%lld,"
	              "\"s\":\"%s\",\"i\":\"%s\",\"f\":1,\"L\":2,\"o\":\"%.*f\",\"c\":\"%.*f\","
	              "\"h\":\"%.*f\",\"l\":\"%.*f\",\"v\":\"%.*f\",\"n\":%lld,\"x\":%s,"
	              "\"q\":\"%.8f\",\"V\":\"%.*f\",\"Q\":\"%.8f\",\"B\":\"0\"}}",
	              (long long)now, in->symbol, (long long)k->open_time, (long long)k->close_time,
	              in->symbol, k->interval, pd, k->open, pd, k->close, pd, k->high, pd, k->low,
	              qd, k->volume, (long long)k->trades, k->closed ? "true" : "false",
	              k->quote_volume, qd, k->taker_buy_volume, k->taker_buy_quote_volume);
}

static void put_mark(StrBuf *b, const SimInstrument *in, const SimState *st, int64_t now,
                     int coin_m)
{
	int pd = simex_decimals(in->tick) + 2;
	strbuf_printf(b,
	              "{\"e\":\"markPriceUpdate\",\"E\":%lld,\"s\":\"%s\",\"p\":\"%.*f\",\"i\":"
	              "\"%.*f\",\"P\":\"%.*f\",\"r\":\"%.8f\",\"T\":%lld,\"st\":%d}",
	              (long long)now, coin_m ? "BTCUSD_PERP" : in->symbol, pd, st->mark, pd,
	              st->index, pd, st->index, st->funding_rate, (long long)st->next_funding_time,
	              coin_m ? 2 : 1);
}

static void put_ticker(StrBuf *b, const SimInstrument *in, const SimState *st, int64_t now,
                       int mini)
{
	int pd = simex_decimals(in->tick), qd = simex_decimals(in->step);
	strbuf_printf(b,
	              "{\"e\":\"%s\",\"E\":%lld,\"s\":\"%s\",\"c\":\"%.*f\",\"o\":\"%.*f\","
	              "\"h\":\"%.*f\",\"l\":\"%.*f\",\"v\":\"%.*f\",\"q\":\"%.2f\"",
	              mini ? "24hrMiniTicker" : "24hrTicker", (long long)now, in->symbol, pd,
	              st->last, pd, st->open_24h, pd, st->high_24h, pd, st->low_24h, qd,
	              st->volume_24h, st->quote_volume_24h);
	if (!mini)
		strbuf_printf(b, ",\"P\":\"%.3f\",\"n\":%lld",
		              st->open_24h > 0 ? (st->last / st->open_24h - 1) * 100 : 0.0,
		              (long long)st->trades_24h);
	strbuf_printf(b, ",\"st\":1}");
}

static void put_book(StrBuf *b, const SimInstrument *in, const SimState *st, int64_t now, int64_t u,
                     int depth)
{
	int pd = simex_decimals(in->tick), qd = simex_decimals(in->step);
	if (!depth) {
		strbuf_printf(
		        b,
		        "{\"e\":\"bookTicker\",\"u\":%lld,\"E\":%lld,\"T\":%lld,\"s\":\"%s\","
		        "\"b\":\"%.*f\",\"B\":\"%.*f\",\"a\":\"%.*f\",\"A\":\"%.*f\",\"st\":1}",
		        (long long)u, (long long)now, (long long)now, in->symbol, pd, st->bid, qd,
		        st->bid_qty, pd, st->ask, qd, st->ask_qty);
		return;
	}
	strbuf_printf(b,
	              "{\"e\":\"depthUpdate\",\"E\":%lld,\"T\":%lld,\"s\":\"%s\",\"U\":%lld,"
	              "\"u\":%lld,\"pu\":%lld,\"b\":[",
	              (long long)now, (long long)now, in->symbol, (long long)u, (long long)u,
	              (long long)(u - 1));
	for (int k = 0; k < 5; k++)
		strbuf_printf(b, "%s[\"%.*f\",\"%.*f\"]", k ? "," : "", pd, st->bid - k * in->tick,
		              qd, st->bid_qty * (1 + 0.2 * k));
	strbuf_printf(b, "],\"a\":[");
	for (int k = 0; k < 5; k++)
		strbuf_printf(b, "%s[\"%.*f\",\"%.*f\"]", k ? "," : "", pd, st->ask + k * in->tick,
		              qd, st->ask_qty * (1 + 0.2 * k));
	strbuf_printf(b, "]}");
}

/* The frame in b, queued (faults applied). */
static void send_built(Simex *s, WsConn *c, StrBuf *b)
{
	send_msg(s, c, xstrdup(b->p));
	strbuf_reset(b);
}

static void put_bybit_kline(StrBuf *b, const Sub *sub, const char *name, const SimInstrument *in,
                            const Candle *k, int64_t now)
{
	int pd = simex_decimals(in->tick), qd = simex_decimals(in->step);
	const char *iv = strchr(sub->name, '.') + 1;
	strbuf_printf(b,
	              "{\"topic\":\"%s\",\"data\":[{\"start\":%lld,\"end\":%lld,\"interval\":"
	              "\"%.*s\",\"open\":\"%.*f\",\"close\":\"%.*f\",\"high\":\"%.*f\","
	              "\"low\":\"%.*f\",\"volume\":\"%.*f\",\"turnover\":\"%.4f\","
	              "\"confirm\":%s,\"timestamp\":%lld}],\"ts\":%lld,\"type\":\"snapshot\"}",
	              sub->name, (long long)k->open_time, (long long)k->close_time,
	              (int)(strchr(iv, '.') - iv), iv, pd, k->open, pd, k->close, pd, k->high, pd,
	              k->low, qd, k->volume, k->quote_volume, k->closed ? "true" : "false",
	              (long long)now, (long long)now);
	(void)name;
}

/* Bybit's frames for one subscription: klines as Binance's (every closed one once), tickers
 * as a snapshot and then deltas of the changed fields only, trades with UUID ids, the top of
 * the book, and liquidations whose S is the liquidated position's side. */
static void produce_bybit(Simex *s, WsConn *c, Sub *sub, int64_t now, StrBuf *b)
{
	const SimInstrument *in = sim_model_instrument(s->model, sub->sym);
	char name[FB_SYMBOL_LEN];
	simex_bybit_name(s, sub->sym, name);
	int pd = simex_decimals(in->tick), qd = simex_decimals(in->step);
	SimState st;
	switch (sub->type) {
	case ST_KLINE: {
		int64_t ivl = fb_interval_ms(sub->interval);
		Candle k;
		for (int64_t t = sub->last_closed + ivl; t + ivl <= now; t += ivl) {
			if (sim_model_candle(s->model, sub->sym, sub->interval, t, now, &k) == 0) {
				simex_bybit_candle(s, sub->sym, &k);
				put_bybit_kline(b, sub, name, in, &k, now);
				send_built(s, c, b);
			}
			sub->last_closed = t;
		}
		if (sim_model_candle(s->model, sub->sym, sub->interval, sub->last_closed + ivl, now,
		                     &k) == 0) {
			simex_bybit_candle(s, sub->sym, &k);
			put_bybit_kline(b, sub, name, in, &k, now);
			/* firehose (benchmarks): the same update many times over */
			for (int f = 0; f < s->opt.firehose; f++)
				send_msg(s, c, xstrdup(b->p));
			send_built(s, c, b);
		}
		return;
	}
	case ST_MARK: {
		sim_model_state(s->model, sub->sym, &st);
		simex_bybit_state(s, sub->sym, now, &st);
		static const char *const keys[8] = {"lastPrice",   "markPrice",       "indexPrice",
		                                    "fundingRate", "nextFundingTime", "turnover24h",
		                                    "volume24h",   "openInterest"};
		char v[8][32];
		snprintf(v[0], sizeof v[0], "%.*f", pd, st.last);
		snprintf(v[1], sizeof v[1], "%.*f", pd + 2, st.mark);
		snprintf(v[2], sizeof v[2], "%.*f", pd + 2, st.index);
		snprintf(v[3], sizeof v[3], "%.8f", st.funding_rate);
		snprintf(v[4], sizeof v[4], "%lld", (long long)st.next_funding_time);
		snprintf(v[5], sizeof v[5], "%.4f", st.quote_volume_24h);
		snprintf(v[6], sizeof v[6], "%.*f", qd, st.volume_24h);
		snprintf(v[7], sizeof v[7], "%.*f", qd, st.open_interest);
		int snap = !sub->snapshot_sent, n = 0;
		strbuf_printf(b, "{\"topic\":\"%s\",\"type\":\"%s\",\"data\":{\"symbol\":\"%s\"",
		              sub->name, snap ? "snapshot" : "delta", name);
		for (int k = 0; k < 8; k++)
			if (snap || strcmp(v[k], sub->sent[k]) != 0) { /* unchanged: omitted */
				strbuf_printf(b, ",\"%s\":\"%s\"", keys[k], v[k]);
				memcpy(sub->sent[k], v[k], sizeof v[k]);
				n++;
			}
		strbuf_printf(b, "},\"cs\":%lld,\"ts\":%lld}", (long long)now, (long long)now);
		sub->snapshot_sent = 1;
		if (n)
			send_built(s, c, b);
		else
			strbuf_reset(b);
		return;
	}
	case ST_AGG: {
		/* as Binance's aggTrade stream: each minute's trades add up to its candle */
		int64_t minute = now - now % FB_MINUTE_MS;
		Candle k;
		if (!sub->trade_open) {
			sub->trade_open = minute;
			if (sim_model_candle(s->model, sub->sym, "1m", minute, now, &k) == 0) {
				simex_bybit_candle(s, sub->sym, &k);
				sub->trade_v = k.volume;
				sub->trade_tbv = k.taker_buy_volume;
			}
			return;
		}
		for (int64_t t = sub->trade_open; t <= minute; t += FB_MINUTE_MS) {
			if (t != sub->trade_open)
				sub->trade_v = sub->trade_tbv = 0;
			if (sim_model_candle(s->model, sub->sym, "1m", t, now, &k))
				continue;
			simex_bybit_candle(s, sub->sym, &k);
			int64_t when = t < minute ? t + FB_MINUTE_MS - 1 : now;
			double buy = k.taker_buy_volume - sub->trade_tbv;
			double sell = (k.volume - sub->trade_v) - buy;
			const double part[2] = {buy, sell};
			int n = 0;
			strbuf_printf(b,
			              "{\"topic\":\"%s\",\"type\":\"snapshot\",\"ts\":%lld,"
			              "\"data\":[",
			              sub->name, (long long)now);
			for (int side = 0; side < 2; side++) {
				if (part[side] < in->step / 2)
					continue;
				long long id = ++s->trade_id[sub->sym];
				strbuf_printf(
				        b,
				        "%s{\"T\":%lld,\"s\":\"%s\",\"S\":\"%s\",\"v\":"
				        "\"%.*f\",\"p\":\"%.*f\",\"L\":\"ZeroPlusTick\","
				        "\"i\":\"%08llx-0000-4000-8000-%012llx\",\"BT\":false}",
				        n++ ? "," : "", (long long)when, name,
				        side ? "Sell" : "Buy", qd, part[side], pd, k.close,
				        (unsigned long long)sub->sym, (unsigned long long)id);
			}
			strbuf_printf(b, "]}");
			if (n)
				send_built(s, c, b);
			else
				strbuf_reset(b);
			sub->trade_v = k.volume;
			sub->trade_tbv = k.taker_buy_volume;
		}
		sub->trade_open = minute;
		return;
	}
	case ST_BOOK:
		sim_model_state(s->model, sub->sym, &st);
		simex_bybit_state(s, sub->sym, now, &st);
		strbuf_printf(b,
		              "{\"topic\":\"%s\",\"type\":\"snapshot\",\"ts\":%lld,\"data\":{\"s\":"
		              "\"%s\",\"b\":[[\"%.*f\",\"%.*f\"]],\"a\":[[\"%.*f\",\"%.*f\"]],"
		              "\"u\":%lld,\"seq\":%lld},\"cts\":%lld}",
		              sub->name, (long long)now, name, pd, st.bid, qd, st.bid_qty, pd,
		              st.ask, qd, st.ask_qty, (long long)(now / 10), (long long)(now / 10),
		              (long long)now);
		send_built(s, c, b);
		return;
	case ST_FORCE:
		if (rng_uniform(&s->fault_rng) > 0.02)
			return;
		sim_model_state(s->model, sub->sym, &st);
		simex_bybit_state(s, sub->sym, now, &st);
		strbuf_printf(b,
		              "{\"topic\":\"%s\",\"type\":\"snapshot\",\"ts\":%lld,\"data\":[{"
		              "\"T\":%lld,\"s\":\"%s\",\"S\":\"%s\",\"v\":\"%.*f\",\"p\":"
		              "\"%.*f\"}]}",
		              sub->name, (long long)now, (long long)now, name,
		              rng_uniform(&s->fault_rng) < 0.5 ? "Buy" : "Sell", qd, in->step * 10,
		              pd, st.last);
		send_built(s, c, b);
		return;
	default: return;
	}
}

/* What one subscription produced since the last tick. */
static void produce(Simex *s, WsConn *c, Sub *sub, int64_t now, int arr_due, StrBuf *b)
{
	if (c->bybit) {
		if (!sub->silent && sub->sym >= 0)
			produce_bybit(s, c, sub, now, b);
		return;
	}
	if (sub->silent || sub->type == ST_CAPTURE || sub->type == ST_CAPTURE_BOOK)
		return; /* the capture's (capture_fill) */
	SimState st;
	if (sub->sym >= 0) {
		const SimInstrument *in = sim_model_instrument(s->model, sub->sym);
		switch (sub->type) {
		case ST_KLINE: {
			int64_t ivl = fb_interval_ms(sub->interval);
			Candle k;
			/* every candle that closed since the last tick, once, oldest first */
			for (int64_t t = sub->last_closed + ivl; t + ivl <= now; t += ivl) {
				if (sim_model_candle(s->model, sub->sym, sub->interval, t, now,
				                     &k) == 0) {
					put_kline(b, in, &k, now);
					send_msg(s, c, wrap(c, sub, b));
				}
				sub->last_closed = t;
			}
			int64_t open = sub->last_closed + ivl;
			if (sim_model_candle(s->model, sub->sym, sub->interval, open, now, &k) ==
			    0) {
				put_kline(b, in, &k, now);
				char *m = wrap(c, sub, b);
				/* firehose (benchmarks): the same update many times over */
				for (int f = 0; f < s->opt.firehose; f++)
					send_msg(s, c, xstrdup(m));
				send_msg(s, c, m);
			}
			return;
		}
		case ST_MARK:
			sim_model_state(s->model, sub->sym, &st);
			put_mark(b, in, &st, now, 0);
			break;
		case ST_AGG: {
			/* Trades build the 1m candles: in each minute their quantities add up to the
			 * candle's volume, taker buys to its taker-buy volume. */
			int64_t minute = now - now % FB_MINUTE_MS;
			Candle k;
			if (!sub->trade_open) { /* joined mid-minute: earlier trades are not replayed */
				sub->trade_open = minute;
				if (sim_model_candle(s->model, sub->sym, "1m", minute, now, &k) ==
				    0) {
					sub->trade_v = k.volume;
					sub->trade_tbv = k.taker_buy_volume;
				}
				return;
			}
			for (int64_t t = sub->trade_open; t <= minute; t += FB_MINUTE_MS) {
				if (t != sub->trade_open)
					sub->trade_v = sub->trade_tbv = 0;
				if (sim_model_candle(s->model, sub->sym, "1m", t, now, &k))
					continue; /* missing at the source: no trades either */
				int64_t when = t < minute ? t + FB_MINUTE_MS - 1 : now;
				double buy = k.taker_buy_volume - sub->trade_tbv;
				double sell = (k.volume - sub->trade_v) - buy;
				const double part[2] = {buy, sell};
				for (int side = 0; side < 2; side++) {
					if (part[side] < in->step / 2)
						continue;
					strbuf_printf(
					        b,
					        "{\"e\":\"aggTrade\",\"E\":%lld,\"s\":\"%s\",\"a\":"
					        "%lld,"
					        "\"p\":\"%.*f\",\"q\":\"%.*f\",\"f\":1,\"l\":1,"
					        "\"T\":%lld,\"m\":%s}",
					        (long long)now, in->symbol,
					        (long long)++s->trade_id[sub->sym],
					        simex_decimals(in->tick), k.close,
					        simex_decimals(in->step), part[side],
					        (long long)when, side ? "true" : "false");
					send_msg(s, c, wrap(c, sub, b));
				}
				sub->trade_v = k.volume;
				sub->trade_tbv = k.taker_buy_volume;
			}
			sub->trade_open = minute;
			return;
		}
		case ST_BOOK:
		case ST_DEPTH:
			sim_model_state(s->model, sub->sym, &st);
			put_book(b, in, &st, now, now / 10, sub->type == ST_DEPTH);
			break;
		case ST_FORCE:
			if (rng_uniform(&s->fault_rng) > 0.02)
				return;
			sim_model_state(s->model, sub->sym, &st);
			strbuf_printf(
			        b,
			        "{\"e\":\"forceOrder\",\"E\":%lld,\"o\":{\"s\":\"%s\",\"S\":\"%s\","
			        "\"o\":\"LIMIT\",\"f\":\"IOC\",\"q\":\"%.*f\",\"p\":\"%.*f\","
			        "\"ap\":\"%.*f\",\"X\":\"FILLED\",\"T\":%lld}}",
			        (long long)now, in->symbol,
			        rng_uniform(&s->fault_rng) < 0.5 ? "SELL" : "BUY",
			        simex_decimals(in->step), in->step * 10, simex_decimals(in->tick),
			        st.last, simex_decimals(in->tick), st.last, (long long)now);
			break;
		default: return;
		}
		send_msg(s, c, wrap(c, sub, b));
		return;
	}
	if (!arr_due || sub->type == ST_ALL_FORCE || sub->type == ST_ALL_BOOK)
		return;
	strbuf_printf(b, "[");
	for (int i = 0; i < s->ninst; i++) {
		sim_model_state(s->model, i, &st);
		if (i)
			strbuf_printf(b, ",");
		if (sub->type == ST_ALL_MARK)
			put_mark(b, sim_model_instrument(s->model, i), &st, now, 0);
		else
			put_ticker(b, sim_model_instrument(s->model, i), &st, now,
			           sub->type == ST_ALL_MINI);
	}
	if (sub->type == ST_ALL_MARK) { /* a COIN-M entry the feed must filter out */
		strbuf_printf(b, ",");
		sim_model_state(s->model, 0, &st);
		put_mark(b, sim_model_instrument(s->model, 0), &st, now, 1);
	}
	strbuf_printf(b, "]");
	send_msg(s, c, wrap(c, sub, b));
}

void simex_ws_tick(Simex *s)
{
	int64_t real = fb_mono_ms(), now = clock_now(&s->clock);
	const SimexOptions *o = &s->opt;
	if (o->ws_drop_every_s > 0) {
		if (!s->next_drop)
			s->next_drop = real + o->ws_drop_every_s * 1000;
		if (real >= s->next_drop) {
			s->next_drop = real + o->ws_drop_every_s * 1000;
			for (WsConn *c = s->conns; c; c = c->next)
				c->close_code = LWS_CLOSE_STATUS_GOINGAWAY;
			log_info("simex", "fault: dropping every WebSocket connection");
		}
	}
	if (o->ws_silence_every_s > 0) {
		if (!s->next_silence)
			s->next_silence = real + o->ws_silence_every_s * 1000;
		if (real >= s->next_silence) {
			s->next_silence = real + o->ws_silence_every_s * 1000;
			s->silent_until = real + o->ws_silence_s * 1000;
			log_info("simex", "fault: silence for %d s", o->ws_silence_s);
		}
	}
	int arr_due = real >= s->next_arr;
	if (arr_due)
		s->next_arr = real + 1000;
	StrBuf b = {NULL, 0, 0};
	for (WsConn *c = s->conns; c; c = c->next) {
		if (real < s->silent_until) {
			/* silent: nothing is sent, and nothing is lost either: the kline positions do
			 * not move, so the candles closed meanwhile come out when it speaks again */
			continue;
		}
		for (int i = 0; i < c->nsubs; i++)
			produce(s, c, &c->subs[i], now, arr_due, &b);
		capture_fill(s, c);
		if (c->count || c->close_code)
			lws_callback_on_writable(c->wsi);
	}
	free(b.p);
}

void simex_ws_stats(Simex *s, int *connections, uint64_t *messages)
{
	int n = 0;
	for (WsConn *c = s->conns; c; c = c->next)
		n++;
	*connections = n;
	*messages = 0;
}

static WsConn *conn_new(Simex *s, struct lws *wsi)
{
	WsConn *c = xcalloc(1, sizeof *c);
	c->wsi = wsi;
	char uri[256] = "";
	lws_hdr_copy(wsi, uri, sizeof uri, WSI_TOKEN_GET_URI);
	c->combined = 1;
	if (strcmp(uri, "/v5/public/linear") == 0 && (s->opt.venues & SIMEX_BYBIT))
		c->bybit = 1;
	else if (strcmp(uri, "/market/stream") == 0)
		c->route = ROUTE_MARKET;
	else if (strcmp(uri, "/public/stream") == 0)
		c->route = ROUTE_PUBLIC;
	else if (strncmp(uri, "/ws/", 4) == 0) {
		c->combined = 0;
		subscribe(s, c, uri + 4);
	}
	char frag[4096];
	for (int k = 0;
	     lws_hdr_copy_fragment(wsi, frag, sizeof frag, WSI_TOKEN_HTTP_URI_ARGS, k) > 0; k++) {
		if (strncmp(frag, "streams=", 8) != 0)
			continue;
		for (char *save, *t = strtok_r(frag + 8, "/", &save); t;
		     t = strtok_r(NULL, "/", &save))
			if (subscribe(s, c, t) == -2)
				c->close_code = LWS_CLOSE_STATUS_POLICY_VIOLATION;
	}
	c->next = s->conns;
	s->conns = c;
	return c;
}

static void conn_free(Simex *s, WsConn *c)
{
	for (WsConn **p = &s->conns; *p; p = &(*p)->next)
		if (*p == c) {
			*p = c->next;
			break;
		}
	for (size_t i = 0; i < c->count; i++)
		free(c->out[(c->head + i) % c->cap]);
	free(c->out);
	free(c->rx);
	free(c->wbuf);
	free(c);
}

int simex_ws_callback(Simex *s, struct lws *wsi, enum lws_callback_reasons reason, void **slot,
                      void *in, size_t len)
{
	WsConn *c = *slot;
	switch (reason) {
	case LWS_CALLBACK_ESTABLISHED:
		*slot = conn_new(s, wsi);
		if (((WsConn *)*slot)->close_code)
			lws_callback_on_writable(wsi);
		return 0;
	case LWS_CALLBACK_RECEIVE: {
		if (!c)
			return -1;
		int64_t sec = fb_mono_ms() / 1000;
		if (sec != c->in_window) {
			c->in_window = sec;
			c->in_count = 0;
		}
		c->rx = xrealloc(c->rx, c->rxlen + len + 1);
		memcpy(c->rx + c->rxlen, in, len);
		c->rxlen += len;
		if (!lws_is_final_fragment(wsi))
			return 0;
		if (++c->in_count > WS_MAX_IN_PER_S) {
			log_info("simex", "closing a connection sending over %d messages a second",
			         WS_MAX_IN_PER_S);
			c->close_code = LWS_CLOSE_STATUS_POLICY_VIOLATION;
		} else
			on_request(s, c, c->rx, c->rxlen);
		c->rxlen = 0;
		lws_callback_on_writable(wsi);
		return 0;
	}
	case LWS_CALLBACK_SERVER_WRITEABLE: {
		if (!c)
			return 0;
		if (c->count == 0 && c->close_code) {
			lws_close_reason(wsi, (enum lws_close_status)c->close_code, NULL, 0);
			return -1;
		}
		if (c->count == 0)
			return 0;
		if (s->opt.firehose || s->opt.capture_max) {
			if (write_batch(c, wsi))
				return -1;
			if (s->opt.capture_max && c->count < 1024)
				capture_fill(s, c);
			if (c->count || c->close_code)
				lws_callback_on_writable(wsi);
			return 0;
		}
		/* as many frames as the socket takes now (up to WS_WRITES_PER_CALL), one buffer
		 * for all, so a fast client is not held to one frame per poll */
		for (int k = 0; k < WS_WRITES_PER_CALL && c->count; k++) {
			if (k && lws_send_pipe_choked(wsi))
				break;
			char *m = c->out[c->head];
			c->head = (c->head + 1) % c->cap;
			c->count--;
			size_t n = strlen(m);
			if (LWS_PRE + n > c->wcap) {
				c->wcap = (LWS_PRE + n) * 2;
				c->wbuf = xrealloc(c->wbuf, c->wcap);
			}
			memcpy(c->wbuf + LWS_PRE, m, n);
			int w = lws_write(wsi, c->wbuf + LWS_PRE, n, LWS_WRITE_TEXT);
			free(m);
			if (w < (int)n)
				return -1;
		}
		if (s->opt.capture_max && c->count < 1024)
			capture_fill(s, c); /* as fast as the client takes them */
		if (c->count || c->close_code)
			lws_callback_on_writable(wsi);
		return 0;
	}
	case LWS_CALLBACK_CLOSED:
		if (c) {
			conn_free(s, c);
			*slot = NULL;
		}
		return 0;
	default: return 0;
	}
}
