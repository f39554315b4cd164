/* Feed WebSocket client against simex in this process, on 127.0.0.1: streams split at 200 per
 * connection, live SUBSCRIBE/UNSUBSCRIBE, events parsed from real frames. */
#include "testutil.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/timeutil.h"
#include "core/xmalloc.h"
#include "feed/ws.h"
#include "simex/simex.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static long btc, eth, candles;

static void on_event(void *arg, const Event *ev)
{
	(void)arg;
	pthread_mutex_lock(&lock);
	if (strcmp(ev->symbol, "BTCUSDT") == 0)
		btc++;
	if (strcmp(ev->symbol, "ETHUSDT") == 0)
		eth++;
	if (ev->type == EV_CANDLE)
		candles++;
	pthread_mutex_unlock(&lock);
}

static void counts(long *b, long *e)
{
	pthread_mutex_lock(&lock);
	*b = btc;
	*e = eth;
	pthread_mutex_unlock(&lock);
}

/* simex at 60x on a free port; url receives its WebSocket address */
static Simex *start_simex(int history_minutes, char *url, size_t urllen)
{
	char err[512];
	SimexOptions so;
	simex_options_default(&so);
	so.instruments = FB_SOURCE_DIR "/data/instruments.csv";
	so.speed = 60;
	so.history_minutes = history_minutes;
	Simex *sx = simex_start(&so, err, sizeof err);
	assert_non_null(sx);
	snprintf(url, urllen, "ws://127.0.0.1:%d", simex_port(sx));
	return sx;
}

static void test_subscribe_live(void **state)
{
	(void)state;
	char err[512], url[64];
	Simex *sx = start_simex(60, url, sizeof url);

	/* six kline streams for each of 37 symbols, plus BTC's: over 200, so two connections */
	char *streams[400];
	int n = 0;
	streams[n++] = xstrdup("btcusdt@kline_1m");
	const char *ivs[] = {"1m", "5m", "15m", "1h", "4h", "1d"};
	const char *syms[] = {
	        "solusdt",  "xrpusdt",  "dogeusdt", "bnbusdt",    "suiusdt", "adausdt",  "linkusdt",
	        "avaxusdt", "trxusdt",  "ltcusdt",  "dotusdt",    "bchusdt", "wifusdt",  "enausdt",
	        "hbarusdt", "nearusdt", "uniusdt",  "aaveusdt",   "aptusdt", "arbusdt",  "opusdt",
	        "filusdt",  "atomusdt", "etcusdt",  "injusdt",    "tiausdt", "seiusdt",  "wldusdt",
	        "ondousdt", "taousdt",  "fetusdt",  "renderusdt", "jupusdt", "ordiusdt", "stxusdt",
	        "algousdt", "xlmusdt"};
	for (size_t s = 0; s < sizeof syms / sizeof *syms; s++)
		for (int i = 0; i < 6; i++)
			streams[n++] = xasprintf("%s@kline_%s", syms[s], ivs[i]);
	assert_true(n > 200);
	FeedWsOptions o = {.url = url, .exchange = "simex", .on_event = on_event};
	FeedWs *w = feed_ws_start(&o, streams, n, err, sizeof err);
	assert_non_null(w);
	long b0, e0, b1, e1;
	for (int t = 0; t < 100 && (counts(&b0, &e0), b0 == 0); t++)
		fb_sleep_ms(50);
	FeedWsStats st;
	feed_ws_get_stats(w, &st);
	assert_int_equal(st.connections, 2); /* at most 200 streams each */
	assert_true(b0 > 0);
	assert_int_equal(e0, 0);

	char *add[] = {"ethusdt@kline_1m"}, *del[] = {"btcusdt@kline_1m"};
	assert_int_equal(feed_ws_subscribe(w, add, 1, del, 1), 0);
	fb_sleep_ms(800); /* the change goes out within a few 250 ms ticks */
	counts(&b0, &e0);
	fb_sleep_ms(1200);
	counts(&b1, &e1);
	assert_true(e1 > e0);     /* ETH flows now */
	assert_int_equal(b1, b0); /* and BTC has stopped */
	feed_ws_get_stats(w, &st);
	assert_int_equal(st.malformed, 0);
	assert_true(st.connected == 2);
	feed_ws_stop(w);
	simex_stop(sx);
	for (int i = 0; i < n; i++)
		free(streams[i]);
	pthread_mutex_lock(&lock);
	assert_true(candles > 0);
	pthread_mutex_unlock(&lock);
}

/* trades per minute against the closed 1m candles */
#define MINUTES 64
static double traded[MINUTES], bought[MINUTES], vol[MINUTES], tbv[MINUTES];
static int64_t base_minute, first_trade_slot = -1;

static void on_trade_event(void *arg, const Event *ev)
{
	(void)arg;
	pthread_mutex_lock(&lock);
	if (!base_minute)
		base_minute = ev->ts - ev->ts % 60000;
	int64_t slot = (ev->ts - ev->ts % 60000 - base_minute) / 60000;
	if (slot >= 0 && slot < MINUTES) {
		if (ev->type == EV_AGG_TRADE) {
			if (first_trade_slot < 0)
				first_trade_slot = slot;
			traded[slot] += ev->u.trade.qty;
			if (!ev->u.trade.buyer_is_maker)
				bought[slot] += ev->u.trade.qty;
		} else if (ev->type == EV_CANDLE && ev->u.candle.closed) {
			vol[slot] = ev->u.candle.volume;
			tbv[slot] = ev->u.candle.taker_buy_volume;
		}
	}
	pthread_mutex_unlock(&lock);
}

static void test_trades_build_candles(void **state)
{
	(void)state;
	char err[512], url[64];
	Simex *sx = start_simex(30, url, sizeof url);
	char *streams[] = {"ethusdt@aggTrade", "ethusdt@kline_1m"};
	FeedWsOptions o = {.url = url, .exchange = "simex", .on_event = on_trade_event};
	FeedWs *w = feed_ws_start(&o, streams, 2, err, sizeof err);
	assert_non_null(w);
	fb_sleep_ms(5000);
	feed_ws_stop(w);
	simex_stop(sx);
	/* the minute of the first trade was joined part way; every later closed one adds up */
	int checked = 0;
	assert_true(first_trade_slot >= 0);
	for (int i = (int)first_trade_slot + 1; i < MINUTES; i++) {
		if (vol[i] <= 0)
			continue;
		if (fabs(traded[i] - vol[i]) > 1e-9 * vol[i] ||
		    fabs(bought[i] - tbv[i]) > 1e-9 * vol[i]) {
			print_error("minute %d: trades %.6f (buys %.6f), candle %.6f (taker buys "
			            "%.6f)\n",
			            i, traded[i], bought[i], vol[i], tbv[i]);
			fail();
		}
		checked++;
	}
	assert_true(checked >= 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_subscribe_live),
	        cmocka_unit_test(test_trades_build_candles),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
