/* The replay player on a real SQLite file: the clock's defaults, steps of one candle, seeking
 * back gives the same values as going forward, alerts after the start only and never twice,
 * the detail history equals the player's values, errors for an empty store. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#include "core/config.h"
#include "core/timeutil.h"
#include "quant/features.h"
#include "quant/player.h"

#define T0   INT64_C(1700006400000) /* 2023-11-15 00:00 UTC */
#define DAYS 3

static const char *syms[2] = {"AAAUSDT", "BBBUSDT"};

static Candle candle(const char *sym, const char *iv, int64_t open, double o, double c)
{
	Candle k = {0};
	snprintf(k.symbol, sizeof k.symbol, "%s", sym);
	snprintf(k.exchange, sizeof k.exchange, "binance");
	snprintf(k.interval, sizeof k.interval, "%s", iv);
	k.open_time = open;
	k.close_time = open + fb_interval_ms(iv) - 1;
	k.open = o, k.close = c;
	k.high = fmax(o, c) * 1.001, k.low = fmin(o, c) * 0.999;
	k.quote_volume = 1e6 + fmod(open / 60000.0, 7) * 1e5;
	k.volume = k.quote_volume / c;
	k.taker_buy_quote_volume = k.quote_volume * 0.55;
	k.taker_buy_volume = k.taker_buy_quote_volume / c;
	k.trades = 10;
	k.closed = 1;
	return k;
}

/* Two symbols, 1m and 5m candles for three days. */
static char *make_db(void)
{
	Store *st = tu_open_store("player.db");
	assert_non_null(st);
	assert_int_equal(store_begin(st), 0);
	for (int k = 0; k < 2; k++) {
		double px = k ? 2000 : 100, o5 = px;
		for (int m = 0; m < DAYS * 1440; m++) {
			double o = px;
			px *= 1 + 0.002 * sin(m * (0.05 + 0.03 * k)) + 0.0003 * cos(m * 0.7);
			Candle c = candle(syms[k], "1m", T0 + m * 60000, o, px);
			assert_true(store_put_candle(st, &c) >= 0);
			if (m % 5 == 4) {
				Candle c5 = candle(syms[k], "5m", T0 + (m - 4) * 60000, o5, px);
				assert_true(store_put_candle(st, &c5) >= 0);
				o5 = px;
			}
		}
	}
	assert_int_equal(store_commit(st), 0);
	store_close(st);
	char *path = malloc(strlen(dir) + 16);
	sprintf(path, "%s/player.db", dir);
	return path;
}

static char *db;

static int alerts;
static int64_t last_alert_ts;
static void count_alert(void *arg, const AlertRecord *a, const char *command, int bell)
{
	(void)arg, (void)command, (void)bell;
	alerts++;
	assert_true(a->ts > last_alert_ts - 5 * 60000); /* in clock order, roughly */
	last_alert_ts = a->ts;
}

static Player *open_player(const Config *rules)
{
	PlayerOptions o = {0};
	quant_default_options(&o.q);
	o.q.on_alert = count_alert;
	o.q.nintervals = 0; /* those stored */
	o.q.exchange = NULL;
	o.db_path = db;
	o.rules = rules;
	char err[512];
	Player *p = player_open(&o, err, sizeof err);
	if (!p)
		fail_msg("%s", err);
	return p;
}

static QuantValues values(Player *p, const char *sym, int iv)
{
	QuantSnapshot *s = player_acquire(p);
	assert_non_null(s);
	QuantValues v = {0};
	for (int r = 0; r < s->nrows; r++)
		if (strcmp(s->rows[r].symbol, sym) == 0)
			v = s->rows[r].tf[iv];
	player_release(p, s);
	return v;
}

static void test_defaults_and_steps(void **state)
{
	(void)state;
	Player *p = open_player(NULL);
	int64_t end = T0 + DAYS * FB_DAY_MS;
	assert_string_equal(player_exchange(p), "binance");
	assert_int_equal(player_options(p)->nintervals, 2);
	assert_string_equal(player_options(p)->intervals[0], "1m");
	assert_string_equal(player_options(p)->intervals[1], "5m");
	assert_int_equal(player_end(p), end);
	assert_int_equal(player_start(p), end - FB_DAY_MS);
	assert_int_equal(player_time(p), player_start(p));
	/* at the start, the candle that closed just before it is the newest */
	QuantValues v = values(p, "AAAUSDT", 0);
	assert_int_equal(v.open_time, player_start(p) - 60000);
	char err[256];
	/* one 1m step moves the clock and the newest candle by one minute */
	int64_t t = player_step_time(p, 60000, 1);
	assert_int_equal(t, player_start(p) + 60000);
	assert_int_equal(player_seek(p, t, err, sizeof err), 0);
	assert_int_equal(values(p, "AAAUSDT", 0).open_time, v.open_time + 60000);
	/* 5m steps go to the grid: from +1m forward to +5m, back to +0 */
	assert_int_equal(player_step_time(p, 300000, 1), player_start(p) + 300000);
	assert_int_equal(player_step_time(p, 300000, -1), player_start(p));
	assert_int_equal(player_seek(p, player_step_time(p, 300000, 1), err, sizeof err), 0);
	assert_int_equal(values(p, "AAAUSDT", 1).open_time, player_start(p));
	assert_int_equal(values(p, "AAAUSDT", 0).open_time, player_start(p) + 240000);
	/* the clock stays inside [start, end] */
	assert_int_equal(player_seek(p, end + FB_DAY_MS, err, sizeof err), 0);
	assert_int_equal(player_time(p), end);
	assert_int_equal(values(p, "BBBUSDT", 0).open_time, end - 60000);
	assert_int_equal(player_seek(p, 0, err, sizeof err), 0);
	assert_int_equal(player_time(p), player_start(p));
	player_close(p);
}

static void test_back_equals_forward(void **state)
{
	(void)state;
	Player *p = open_player(NULL);
	char err[256];
	int64_t t = player_start(p) + 7 * FB_HOUR_MS + 3 * 60000;
	assert_int_equal(player_seek(p, t, err, sizeof err), 0);
	QuantValues fa = values(p, "AAAUSDT", 0), fb = values(p, "BBBUSDT", 1);
	assert_int_equal(player_seek(p, t + 5 * FB_HOUR_MS, err, sizeof err), 0);
	assert_true(values(p, "AAAUSDT", 0).open_time > fa.open_time);
	assert_int_equal(player_seek(p, t, err, sizeof err), 0);
	QuantValues ba = values(p, "AAAUSDT", 0), bb = values(p, "BBBUSDT", 1);
	assert_memory_equal(&fa, &ba, sizeof fa);
	assert_memory_equal(&fb, &bb, sizeof fb);
	/* the detail history of the same series ends with the same candle and values */
	Store *st = store_open(db, STORE_READONLY, 1000, err, sizeof err);
	assert_non_null(st);
	QuantValues h[50];
	QuantOptions qo;
	quant_default_options(&qo);
	int n = features_history(store_reader(st), "binance", "AAAUSDT", "1m", &qo, t, h, 50, err,
	                         sizeof err);
	assert_int_equal(n, 50);
	assert_int_equal(h[49].open_time, fa.open_time);
	assert_int_equal(h[0].open_time, fa.open_time - 49 * 60000);
	assert_true(h[49].close == fa.close && h[49].rsi == fa.rsi &&
	            h[49].ema_slow == fa.ema_slow);
	store_close(st);
	player_close(p);
}

static void test_alerts_once(void **state)
{
	(void)state;
	char err[512];
	char *path = tu_write_file(dir, "rules.ini",
	                           "[alert every]\nwhen = close > 0\ninterval = 5m\n"
	                           "cooldown = 0\n");
	Config *cfg = config_new();
	assert_int_equal(config_load_file(cfg, path, CONFIG_SRC_FILE, 0, err, sizeof err), 0);
	alerts = 0;
	last_alert_ts = 0;
	Player *p = open_player(cfg);
	assert_int_equal(alerts, 0); /* none from the warm-up */
	int64_t s = player_start(p);
	assert_int_equal(player_seek(p, s + FB_HOUR_MS, err, sizeof err), 0);
	assert_int_equal(alerts, 2 * 12); /* two symbols, twelve 5m candles */
	assert_int_equal(player_seek(p, s + 30 * 60000, err, sizeof err), 0);
	assert_int_equal(player_seek(p, s + FB_HOUR_MS, err, sizeof err), 0);
	assert_int_equal(alerts, 2 * 12); /* shown already */
	last_alert_ts = 0;
	assert_int_equal(player_seek(p, s + 2 * FB_HOUR_MS, err, sizeof err), 0);
	assert_int_equal(alerts, 2 * 24);
	player_close(p);
	config_free(cfg);
	free(path);
}

static void test_errors(void **state)
{
	(void)state;
	Store *st = tu_open_store("empty.db");
	assert_non_null(st);
	store_close(st);
	char path[1024], err[512];
	snprintf(path, sizeof path, "%s/empty.db", dir);
	PlayerOptions o = {0};
	quant_default_options(&o.q);
	o.q.nintervals = 0;
	o.q.exchange = NULL;
	o.db_path = path;
	assert_null(player_open(&o, err, sizeof err));
	assert_non_null(strstr(err, "no candles to replay"));
	o.db_path = db;
	o.from_ms = T0 + 10 * FB_DAY_MS;
	assert_null(player_open(&o, err, sizeof err));
	assert_non_null(strstr(err, "after its end"));
	snprintf(path, sizeof path, "%s/missing.db", dir);
	o.db_path = path;
	assert_null(player_open(&o, err, sizeof err));
}

static int setup(void **state)
{
	tu_group_setup(state);
	db = make_db();
	return 0;
}

static int teardown(void **state)
{
	free(db);
	return tu_group_teardown(state);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_defaults_and_steps),
	        cmocka_unit_test(test_back_equals_forward),
	        cmocka_unit_test(test_alerts_once),
	        cmocka_unit_test(test_errors),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
