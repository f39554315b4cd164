/* REST client on libcurl. One easy handle is kept, so the connection is reused between
 * requests. Waits are sliced into 100 ms sleeps that look at should_stop. */
#include "feed/rest.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/log.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"
#include "feed/binance.h"

#define REST_MAX_BODY (64u << 20)
#define REST_ATTEMPTS 5

struct RestClient {
	CURL *curl;
	char *base;
	int timeout_ms;
	int (*should_stop)(void);
	WeightLimiter lim;
	_Atomic int64_t hold_until; /* lim.not_before, lim.banned, lim.used: for other threads */
	atomic_int hold_banned, weight_used;
	RestStats stats;
	int weight_header; /* the answers carry X-MBX-USED-WEIGHT-1M */
	int (*body_error)(const char *body, size_t len, char *msg, size_t msglen);
	void (*on_limit)(void *arg, const WeightLimiter *l); /* after a 429 or a ban */
	void *on_limit_arg;
	/* the response being received */
	char *body;
	size_t len, cap;
	int used_header, retry_after, too_big;
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static void curl_init_once(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
	RestClient *c = arg;
	size_t k = size * n;
	if (c->len + k + 1 > REST_MAX_BODY) {
		c->too_big = 1;
		return 0; /* curl aborts the transfer */
	}
	if (c->len + k + 1 > c->cap) {
		c->cap = (c->len + k + 1) * 2;
		c->body = xrealloc(c->body, c->cap);
	}
	memcpy(c->body + c->len, p, k);
	c->len += k;
	c->body[c->len] = '\0';
	return k;
}

static size_t on_header(char *p, size_t size, size_t n, void *arg)
{
	RestClient *c = arg;
	size_t k = size * n;
	static const char used[] = "x-mbx-used-weight-1m:", retry[] = "retry-after:";
	if (k > sizeof used - 1 && strncasecmp(p, used, sizeof used - 1) == 0)
		c->used_header = atoi(p + sizeof used - 1);
	else if (k > sizeof retry - 1 && strncasecmp(p, retry, sizeof retry - 1) == 0)
		c->retry_after = atoi(p + sizeof retry - 1);
	return k;
}

/* Aborts a transfer in flight when a stop is asked, so stopping never waits for a timeout. */
static int on_progress(void *arg, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
	(void)dt, (void)dn, (void)ut, (void)un;
	RestClient *c = arg;
	return c->should_stop && c->should_stop() ? 1 : 0;
}

RestClient *rest_new(const char *base_url, int weight_limit, int timeout_ms,
                     int (*should_stop)(void))
{
	pthread_once(&curl_once, curl_init_once);
	RestClient *c = xcalloc(1, sizeof *c);
	c->curl = curl_easy_init();
	if (!c->curl) {
		free(c);
		return NULL;
	}
	c->base = xstrdup(base_url);
	size_t bl = strlen(c->base);
	if (bl && c->base[bl - 1] == '/')
		c->base[bl - 1] = '\0';
	c->timeout_ms = timeout_ms > 0 ? timeout_ms : 10000;
	c->should_stop = should_stop;
	limiter_init(&c->lim, weight_limit);
	c->weight_header = 1;
	curl_easy_setopt(c->curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c->curl, CURLOPT_WRITEDATA, c);
	curl_easy_setopt(c->curl, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c->curl, CURLOPT_HEADERDATA, c);
	curl_easy_setopt(c->curl, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(c->curl, CURLOPT_TIMEOUT_MS, (long)c->timeout_ms);
	curl_easy_setopt(c->curl, CURLOPT_CONNECTTIMEOUT_MS,
	                 (long)(c->timeout_ms < 5000 ? c->timeout_ms : 5000));
	curl_easy_setopt(c->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c->curl, CURLOPT_USERAGENT, "futuresboard/" FB_VERSION);
	curl_easy_setopt(c->curl, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(c->curl, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(c->curl, CURLOPT_XFERINFODATA, c);
	curl_easy_setopt(c->curl, CURLOPT_NOPROGRESS, 0L);
	return c;
}

void rest_set_rules(RestClient *c, const LimiterRules *r, int weight_limit,
                    int (*body_error)(const char *body, size_t len, char *msg, size_t msglen))
{
	limiter_init_rules(&c->lim, r, weight_limit);
	c->weight_header = r->weight_header;
	c->body_error = body_error;
}

void rest_free(RestClient *c)
{
	if (!c)
		return;
	curl_easy_cleanup(c->curl);
	free(c->base);
	free(c->body);
	free(c);
}

/* Sleeps ms in slices; returns -1 if a stop was asked meanwhile. */
static int wait_ms(RestClient *c, int64_t ms)
{
	c->stats.waited_ms += ms;
	while (ms > 0) {
		if (c->should_stop && c->should_stop())
			return -1;
		int64_t slice = ms < 100 ? ms : 100;
		struct timespec ts = {(time_t)(slice / 1000), (long)(slice % 1000) * 1000000L};
		nanosleep(&ts, NULL);
		ms -= slice;
	}
	return c->should_stop && c->should_stop() ? -1 : 0;
}

int rest_get(RestClient *c, const char *path_query, int weight, char **body, size_t *len, char *err,
             size_t errlen)
{
	char url[2048];
	snprintf(url, sizeof url, "%s%s", c->base, path_query);
	int64_t backoff = 250;
	for (int attempt = 1;; attempt++) {
		int64_t wait;
		while ((wait = limiter_reserve(&c->lim, weight, fb_now_ms())) > 0) {
			if (c->lim.banned)
				log_warn("rest",
				         "banned by the exchange (%d): holding every request for "
				         "%lld s",
				         c->lim.ban_status, (long long)(wait + 999) / 1000);
			else if (wait >= 1000) /* never a silent wait of a second or more */
				log_warn("rest",
				         "request weight: %d of %d used this %s; waiting %lld s",
				         c->lim.used, c->lim.limit,
				         c->lim.window_ms == FB_MINUTE_MS ? "minute" : "window",
				         (long long)(wait + 999) / 1000);
			if (wait_ms(c, wait)) {
				snprintf(err, errlen, "%s: stopped", path_query);
				return -1;
			}
		}
		c->len = 0;
		c->too_big = 0;
		c->used_header = c->retry_after = -1;
		if (c->body)
			c->body[0] = '\0';
		curl_easy_setopt(c->curl, CURLOPT_URL, url);
		c->stats.requests++;
		CURLcode cc = curl_easy_perform(c->curl);
		long status = 0;
		curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &status);
		char msg[256] = "";
		int body_err = 0;
		if (cc == CURLE_OK && c->len) {
			if (c->body_error)
				body_err = c->body_error(c->body, c->len, msg, sizeof msg);
			else
				binance_parse_error(c->body, c->len, msg, sizeof msg);
		}
		/* a 2xx whose body says "too many requests" counts as a 429 */
		if (status >= 200 && status < 300 && body_err == 2)
			status = 429;
		limiter_update(&c->lim, fb_now_ms(), c->weight_header ? c->used_header : -1,
		               (int)status, c->retry_after);
		atomic_store(&c->hold_until, c->lim.not_before);
		atomic_store(&c->hold_banned, c->lim.banned);
		atomic_store(&c->weight_used, c->lim.used);
		int limited = status == 429 || status == c->lim.ban_status;
		if (limited && c->on_limit)
			c->on_limit(c->on_limit_arg, &c->lim);
		if (cc == CURLE_OK && status >= 200 && status < 300 && !body_err) {
			*body = c->body ? c->body : xstrdup("");
			*len = c->len;
			c->body = NULL;
			c->cap = c->len = 0;
			return 0;
		}
		if (cc != CURLE_OK)
			snprintf(err, errlen, "%s: %s", path_query,
			         c->too_big ? "answer too large" : curl_easy_strerror(cc));
		else
			snprintf(err, errlen, "%s: HTTP %ld%s%s", path_query, status,
			         msg[0] ? ": " : "", msg);
		if (limited) {
			*(status == 429 ? &c->stats.rate_limited : &c->stats.banned) += 1;
			log_warn("rest", "%s (Retry-After %d s)", err, c->retry_after);
			if (attempt < REST_ATTEMPTS * 4)
				continue; /* the limiter now holds the next try back */
		}
		/* 5xx and network errors: retry with backoff; other 4xx: the request is wrong */
		int retry = (cc != CURLE_OK && !c->too_big) || (status >= 500 && status < 600);
		c->stats.errors++;
		if (!retry || attempt >= REST_ATTEMPTS)
			return -1;
		c->stats.retries++;
		log_info("rest", "%s; retry %d in %lld ms", err, attempt, (long long)backoff);
		if (wait_ms(c, backoff + fb_mono_ms() % 100)) /* jitter */
			return -1;
		backoff = backoff < 8000 ? backoff * 2 : 8000;
	}
}

void rest_get_stats(const RestClient *c, RestStats *out)
{
	*out = c->stats;
}
void rest_hold(RestClient *c, int64_t *until, int *banned, int *used, int *limit)
{
	*until = atomic_load(&c->hold_until);
	*banned = atomic_load(&c->hold_banned);
	*used = atomic_load(&c->weight_used);
	*limit = c->lim.limit; /* set once by rest_new */
}

void rest_on_limit(RestClient *c, void (*fn)(void *arg, const WeightLimiter *l), void *arg)
{
	c->on_limit = fn;
	c->on_limit_arg = arg;
}

int64_t rest_restore(RestClient *c, int64_t not_before, int banned, int used, int64_t window)
{
	int64_t now = fb_now_ms();
	if (not_before > now + LIMITER_MAX_WAIT_MS)
		not_before = now + LIMITER_MAX_WAIT_MS;
	if (not_before > now && not_before > c->lim.not_before) {
		c->lim.not_before = not_before;
		c->lim.banned = banned != 0;
	}
	if (window == now / c->lim.window_ms && used > c->lim.used && used <= c->lim.limit * 4) {
		c->lim.window = window;
		c->lim.used = used;
	}
	atomic_store(&c->hold_until, c->lim.not_before);
	atomic_store(&c->hold_banned, c->lim.banned);
	atomic_store(&c->weight_used, c->lim.used);
	return c->lim.not_before > now ? c->lim.not_before : 0;
}

const WeightLimiter *rest_limiter(const RestClient *c)
{
	return &c->lim;
}
