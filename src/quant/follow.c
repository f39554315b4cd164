/* The follower (see follow.h). */
#include "quant/follow.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"
#include "quant/replay.h"
#include "store/store.h"

#define MAX_SYMS 256

struct Follower {
	FollowOptions o;
	char db_path[1024];
	char exchange[FB_EXCHANGE_LEN];
	Store *st; /* follower thread */
	pthread_t thread;
	pthread_mutex_t lock; /* stop flag, condition and stats */
	pthread_cond_t cond;
	int stop;
	FollowStats stats;
	int64_t data_version;
	int64_t cursor;     /* newest event time seen */
	int64_t alert_id;   /* newest alerts row seen */
	int64_t summary_ms; /* newest quant_summary update seen */
	uint64_t *seen;     /* keys of non-candle events pushed in the window */
	size_t nseen, capseen;
	char syms[MAX_SYMS][FB_SYMBOL_LEN];
	int nsyms;
};

static uint64_t mix(uint64_t h, uint64_t x)
{
	h ^= x + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
	return h * 0xff51afd7ed558ccdULL;
}

static uint64_t dbl_bits(double d)
{
	uint64_t u;
	memcpy(&u, &d, sizeof u);
	return u;
}

static uint64_t event_key(const Event *ev)
{
	uint64_t h = mix((uint64_t)ev->type, (uint64_t)ev->ts);
	for (const char *p = ev->symbol; *p; p++)
		h = mix(h, (unsigned char)*p);
	switch (ev->type) {
	case EV_RATIO: h = mix(h, (uint64_t)ev->u.ratio.kind); break;
	case EV_LIQUIDATION:
		h = mix(h, (unsigned char)ev->u.liq.side[0]);
		h = mix(h, dbl_bits(ev->u.liq.price));
		h = mix(h, dbl_bits(ev->u.liq.qty));
		break;
	default: break;
	}
	return h | 1; /* 0 marks an empty slot */
}

/* Open addressing set of keys. */
static int set_has(const uint64_t *set, size_t cap, uint64_t k)
{
	if (!cap)
		return 0;
	for (size_t i = k & (cap - 1);; i = (i + 1) & (cap - 1)) {
		if (set[i] == k)
			return 1;
		if (!set[i])
			return 0;
	}
}

static void set_add(uint64_t **set, size_t *n, size_t *cap, uint64_t k)
{
	if ((*n + 1) * 2 > *cap) {
		size_t nc = *cap ? *cap * 2 : 1024;
		uint64_t *ns = xcalloc(nc, sizeof *ns);
		for (size_t i = 0; i < *cap; i++)
			if ((*set)[i])
				for (size_t j = (*set)[i] & (nc - 1);; j = (j + 1) & (nc - 1))
					if (!ns[j]) {
						ns[j] = (*set)[i];
						break;
					}
		free(*set);
		*set = ns;
		*cap = nc;
	}
	for (size_t i = k & (*cap - 1);; i = (i + 1) & (*cap - 1)) {
		if ((*set)[i] == k)
			return;
		if (!(*set)[i]) {
			(*set)[i] = k;
			(*n)++;
			return;
		}
	}
}

static int64_t data_version(Follower *f)
{
	sqlite3_stmt *s;
	int64_t v = -1;
	if (sqlite3_prepare_v2(store_db(f->st), "PRAGMA data_version", -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

static double column_num(sqlite3_stmt *s, int i)
{
	return sqlite3_column_type(s, i) == SQLITE_NULL ? NAN : sqlite3_column_double(s, i);
}

static int64_t scalar(Follower *f, const char *sql)
{
	sqlite3_stmt *s;
	int64_t v = 0;
	if (sqlite3_prepare_v2(store_db(f->st), sql, -1, &s, NULL) == SQLITE_OK) {
		sqlite3_bind_text(s, 1, f->exchange, -1, SQLITE_STATIC);
		if (sqlite3_step(s) == SQLITE_ROW)
			v = sqlite3_column_int64(s, 0);
	}
	sqlite3_finalize(s);
	return v;
}

/* The collector's top table: symbols of the latest quant_summary rows (or, before it wrote
 * any, every stored symbol) with their 24h tickers pushed as events. Tracks, warms and drops
 * symbols as the set changes. */
static void follow_summary(Follower *f, int first)
{
	sqlite3_stmt *s;
	char syms[MAX_SYMS][FB_SYMBOL_LEN];
	int n = 0;
	int64_t newest = scalar(f, "SELECT max(updated_ms) FROM quant_summary WHERE exchange = ?1");
	if (newest > 0) {
		if (sqlite3_prepare_v2(store_db(f->st),
		                       "SELECT symbol, max(updated_ms), last_price, change_24h, "
		                       "quote_volume_24h FROM quant_summary WHERE exchange = ?1 "
		                       "AND updated_ms >= ?2 GROUP BY symbol ORDER BY min(rank)",
		                       -1, &s, NULL) != SQLITE_OK)
			return;
		sqlite3_bind_text(s, 1, f->exchange, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 2, newest - 10 * FB_MINUTE_MS);
		while (sqlite3_step(s) == SQLITE_ROW && n < MAX_SYMS) {
			const char *sym = (const char *)sqlite3_column_text(s, 0);
			records_copy_field(syms[n++], FB_SYMBOL_LEN, sym);
			int64_t upd = sqlite3_column_int64(s, 1);
			if (upd <= f->summary_ms)
				continue;
			Event ev = {.type = EV_TICKER_24H, .ts = upd};
			records_copy_field(ev.symbol, sizeof ev.symbol, sym);
			ev.u.ticker.last = sqlite3_column_type(s, 2) == SQLITE_NULL
			                           ? NAN
			                           : sqlite3_column_double(s, 2);
			ev.u.ticker.change_pct = sqlite3_column_type(s, 3) == SQLITE_NULL
			                                 ? NAN
			                                 : sqlite3_column_double(s, 3) * 100;
			ev.u.ticker.quote_volume = sqlite3_column_type(s, 4) == SQLITE_NULL
			                                   ? NAN
			                                   : sqlite3_column_double(s, 4);
			ev.u.ticker.volume = NAN;
			quant_live_push(f->o.live, &ev);
		}
		sqlite3_finalize(s);
		f->summary_ms = newest;
	} else if (first) {
		if (sqlite3_prepare_v2(store_db(f->st),
		                       "SELECT DISTINCT symbol FROM series WHERE exchange = ?1 "
		                       "ORDER BY symbol",
		                       -1, &s, NULL) != SQLITE_OK)
			return;
		sqlite3_bind_text(s, 1, f->exchange, -1, SQLITE_STATIC);
		while (sqlite3_step(s) == SQLITE_ROW && n < MAX_SYMS)
			records_copy_field(syms[n++], FB_SYMBOL_LEN,
			                   (const char *)sqlite3_column_text(s, 0));
		sqlite3_finalize(s);
	} else
		return;
	if (first) {
		quant_live_warm(f->o.live, (const char(*)[FB_SYMBOL_LEN])syms, n);
	} else {
		int changed = n != f->nsyms;
		for (int i = 0; i < n; i++) {
			int known = 0;
			for (int j = 0; j < f->nsyms && !known; j++)
				known = strcmp(syms[i], f->syms[j]) == 0;
			if (!known) {
				quant_live_rewarm(f->o.live, syms[i]);
				changed = 1;
			}
		}
		if (changed)
			quant_live_track(f->o.live, (const char(*)[FB_SYMBOL_LEN])syms, n);
	}
	memcpy(f->syms, syms, sizeof syms[0] * (size_t)n);
	f->nsyms = n;
}

static void follow_alerts(Follower *f)
{
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(store_db(f->st),
	                       "SELECT id, ts, exchange, symbol, interval, rule, severity, value, "
	                       "message FROM alerts WHERE id > ?1 ORDER BY id",
	                       -1, &s, NULL) != SQLITE_OK)
		return;
	sqlite3_bind_int64(s, 1, f->alert_id);
	uint64_t n = 0;
	while (sqlite3_step(s) == SQLITE_ROW) {
		AlertRecord a = {0};
		f->alert_id = sqlite3_column_int64(s, 0);
		a.ts = sqlite3_column_int64(s, 1);
		records_copy_field(a.exchange, sizeof a.exchange,
		                   (const char *)sqlite3_column_text(s, 2));
		records_copy_field(a.symbol, sizeof a.symbol,
		                   (const char *)sqlite3_column_text(s, 3));
		records_copy_field(a.interval, sizeof a.interval,
		                   (const char *)sqlite3_column_text(s, 4));
		records_copy_field(a.rule, sizeof a.rule, (const char *)sqlite3_column_text(s, 5));
		records_copy_field(a.severity, sizeof a.severity,
		                   (const char *)sqlite3_column_text(s, 6));
		a.value = sqlite3_column_type(s, 7) == SQLITE_NULL ? NAN
		                                                   : sqlite3_column_double(s, 7);
		records_copy_field(a.message, sizeof a.message,
		                   (const char *)sqlite3_column_text(s, 8));
		if (f->o.on_alert)
			f->o.on_alert(f->o.arg, &a);
		n++;
	}
	sqlite3_finalize(s);
	pthread_mutex_lock(&f->lock);
	f->stats.alerts += n;
	pthread_mutex_unlock(&f->lock);
}

/* The collector's own values, its quant_summary rows of the last ten minutes, pinned in the
 * viewer's engine: the viewer shows the numbers the collector's engine published, whatever
 * its own replay of the store holds (gauges from streams the store keeps per minute). */
static void follow_pins(Follower *f)
{
	char sql[4096];
	int used = snprintf(sql, sizeof sql,
	                    "SELECT symbol, timeframe, updated_ms, last_price, change_24h, "
	                    "quote_volume_24h, open_time, trend, vol_regime");
	int cols[64], ncols = 0;
	for (int i = 0; i < quant_ncolumns && ncols < 64; i++)
		if (quant_columns[i].kind == QC_NUM) {
			cols[ncols++] = i;
			used += snprintf(sql + used, sizeof sql - (size_t)used, ", %s",
			                 quant_columns[i].name);
		}
	snprintf(sql + used, sizeof sql - (size_t)used,
	         " FROM quant_summary WHERE exchange = ?1 AND updated_ms >= (SELECT "
	         "max(updated_ms) FROM quant_summary WHERE exchange = ?1) - 600000");
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(store_db(f->st), sql, -1, &s, NULL) != SQLITE_OK)
		return;
	sqlite3_bind_text(s, 1, f->exchange, -1, SQLITE_STATIC);
	QuantPin *pins = NULL;
	int n = 0, cap = 0;
	while (sqlite3_step(s) == SQLITE_ROW && n < 4096) {
		if (n == cap)
			pins = xrealloc(pins, (size_t)(cap = cap ? cap * 2 : 64) * sizeof *pins);
		QuantPin *p = &pins[n++];
		memset(p, 0, sizeof *p);
		records_copy_field(p->symbol, sizeof p->symbol,
		                   (const char *)sqlite3_column_text(s, 0));
		records_copy_field(p->interval, sizeof p->interval,
		                   (const char *)sqlite3_column_text(s, 1));
		p->updated_ms = sqlite3_column_int64(s, 2);
		if (p->updated_ms <= 0)
			p->updated_ms = 1;
		p->last = column_num(s, 3);
		p->change_24h = column_num(s, 4);
		p->quote_volume_24h = column_num(s, 5);
		p->v.open_time = sqlite3_column_int64(s, 6);
		const char *trend = (const char *)sqlite3_column_text(s, 7);
		const char *volr = (const char *)sqlite3_column_text(s, 8);
		for (int k = TREND_NA; k <= TREND_RANGE; k++)
			if (trend && strcmp(trend, quant_trend_name(k)) == 0)
				p->v.trend = k;
		for (int k = VOLR_NA; k <= VOLR_HIGH; k++)
			if (volr && strcmp(volr, quant_volr_name(k)) == 0)
				p->v.vol_regime = k;
		for (int c = 0; c < ncols; c++) {
			double x = column_num(s, 9 + c);
			memcpy((char *)&p->v + quant_columns[cols[c]].offset, &x, sizeof x);
		}
	}
	sqlite3_finalize(s);
	if (n)
		quant_live_pin(f->o.live, pins, n);
	free(pins);
}

/* The stored events of the window, each pushed once; with push 0 they are only remembered
 * (at the start, when the warm-up replays them). */
static int follow_events(Follower *f, int push)
{
	if (!f->nsyms)
		return 0;
	const char *names[MAX_SYMS];
	for (int i = 0; i < f->nsyms; i++)
		names[i] = f->syms[i];
	ReplaySpec sp = {.exchange = f->exchange,
	                 .symbols = names,
	                 .nsymbols = f->nsyms,
	                 .from_ms = f->cursor - f->o.window_ms,
	                 .to_ms = INT64_MAX};
	char err[512];
	sqlite3_exec(store_db(f->st), "BEGIN", NULL, NULL, NULL);
	ReplayReader *r = replay_open(f->st, &sp, err, sizeof err);
	uint64_t *fresh = NULL;
	size_t nfresh = 0, capfresh = 0;
	uint64_t pushed = 0, dup = 0;
	Event ev;
	int rc = r ? 0 : -1;
	while (r && (rc = replay_next(r, &ev, err, sizeof err)) == 1) {
		if (ev.ts > f->cursor)
			f->cursor = ev.ts;
		if (ev.type != EV_CANDLE) {
			uint64_t k = event_key(&ev);
			set_add(&fresh, &nfresh, &capfresh, k);
			if (set_has(f->seen, f->capseen, k)) {
				dup++;
				continue;
			}
		}
		if (!push)
			continue;
		quant_live_push(f->o.live, &ev);
		pushed++;
	}
	replay_close(r);
	sqlite3_exec(store_db(f->st), "COMMIT", NULL, NULL, NULL);
	free(f->seen);
	f->seen = fresh;
	f->nseen = nfresh;
	f->capseen = capfresh;
	pthread_mutex_lock(&f->lock);
	f->stats.events += pushed;
	f->stats.duplicates += dup;
	f->stats.symbols = f->nsyms;
	if (rc < 0)
		f->stats.errors++;
	pthread_mutex_unlock(&f->lock);
	if (rc < 0)
		log_warn("attach", "%s", err);
	return rc;
}

static void *follow_main(void *arg)
{
	Follower *f = arg;
	for (;;) {
		pthread_mutex_lock(&f->lock);
		if (!f->stop) {
			struct timespec until;
			clock_gettime(CLOCK_REALTIME, &until);
			int64_t ns = until.tv_nsec + (int64_t)f->o.poll_ms * 1000000;
			until.tv_sec += ns / 1000000000;
			until.tv_nsec = ns % 1000000000;
			pthread_cond_timedwait(&f->cond, &f->lock, &until);
		}
		int stop = f->stop;
		f->stats.polls++;
		pthread_mutex_unlock(&f->lock);
		if (stop)
			break;
		int64_t v = data_version(f);
		if (v == f->data_version)
			continue;
		f->data_version = v;
		pthread_mutex_lock(&f->lock);
		f->stats.changes++;
		f->stats.last_change_ms = fb_now_ms();
		pthread_mutex_unlock(&f->lock);
		follow_summary(f, 0);
		follow_events(f, 1);
		follow_pins(f);
		follow_alerts(f);
	}
	return NULL;
}

int follow_pick(const char *db_path, char *exchange, size_t len, char (*intervals)[FB_INTERVAL_LEN],
                int max, char *err, size_t errlen)
{
	Store *st = store_open(db_path, STORE_READONLY, 5000, err, errlen);
	if (!st)
		return -1;
	sqlite3 *db = store_db(st);
	sqlite3_stmt *s;
	int rc = 0;
	if (!exchange[0]) { /* the collector's (newest summary), else the only one stored */
		char names[512] = "";
		int n = 0;
		if (sqlite3_prepare_v2(
		            db,
		            "SELECT exchange FROM quant_summary GROUP BY exchange ORDER BY "
		            "max(updated_ms) DESC LIMIT 1",
		            -1, &s, NULL) == SQLITE_OK &&
		    sqlite3_step(s) == SQLITE_ROW)
			records_copy_field(exchange, len, (const char *)sqlite3_column_text(s, 0));
		sqlite3_finalize(s);
		if (!exchange[0] &&
		    sqlite3_prepare_v2(db, "SELECT DISTINCT exchange FROM series ORDER BY 1", -1,
		                       &s, NULL) == SQLITE_OK) {
			while (sqlite3_step(s) == SQLITE_ROW) {
				const char *e = (const char *)sqlite3_column_text(s, 0);
				size_t used = strlen(names);
				snprintf(names + used, sizeof names - used, "%s%s", n ? ", " : "",
				         e ? e : "");
				if (n++ == 0)
					records_copy_field(exchange, len, e);
			}
			sqlite3_finalize(s);
		}
		if (n > 1) {
			snprintf(err, errlen,
			         "%s holds several exchanges (%s) and no collector's table: choose "
			         "one with --exchange",
			         db_path, names);
			rc = -1;
		} else if (!exchange[0]) {
			snprintf(err, errlen,
			         "%s holds no market data yet (is a collector writing it?)",
			         db_path);
			rc = -1;
		}
	}
	int n = 0;
	if (rc == 0 &&
	    sqlite3_prepare_v2(db, "SELECT DISTINCT interval FROM series WHERE exchange = ?1", -1,
	                       &s, NULL) == SQLITE_OK) {
		sqlite3_bind_text(s, 1, exchange, -1, SQLITE_TRANSIENT);
		while (sqlite3_step(s) == SQLITE_ROW && n < max) {
			const char *iv = (const char *)sqlite3_column_text(s, 0);
			if (!iv || fb_interval_ms(iv) <= 0)
				continue;
			int at = n++; /* insertion by duration */
			while (at > 0 && fb_interval_ms(intervals[at - 1]) > fb_interval_ms(iv)) {
				memcpy(intervals[at], intervals[at - 1], FB_INTERVAL_LEN);
				at--;
			}
			records_copy_field(intervals[at], FB_INTERVAL_LEN, iv);
		}
		sqlite3_finalize(s);
	}
	store_close(st);
	return rc < 0 ? -1 : n;
}

Follower *follow_start(const FollowOptions *o, char *err, size_t errlen)
{
	Follower *f = xcalloc(1, sizeof *f);
	f->o = *o;
	if (f->o.poll_ms <= 0)
		f->o.poll_ms = 500;
	if (f->o.window_ms <= 0)
		f->o.window_ms = 10 * FB_MINUTE_MS;
	snprintf(f->db_path, sizeof f->db_path, "%s", o->db_path);
	records_copy_field(f->exchange, sizeof f->exchange, o->exchange);
	f->st = store_open(f->db_path, STORE_READONLY, 5000, err, errlen);
	if (!f->st) {
		free(f);
		return NULL;
	}
	if (scalar(f, "SELECT count(*) FROM series WHERE exchange = ?1") == 0) {
		snprintf(err, errlen,
		         "%s holds nothing of exchange '%s' yet (is a collector writing it? "
		         "--exchange chooses another)",
		         f->db_path, f->exchange);
		store_close(f->st);
		free(f);
		return NULL;
	}
	pthread_mutex_init(&f->lock, NULL);
	pthread_cond_init(&f->cond, NULL);
	/* where the follower starts: what the warm-up replays is behind these */
	f->data_version = data_version(f);
	f->alert_id = scalar(f, "SELECT coalesce(max(id), 0) FROM alerts WHERE exchange = ?1");
	f->cursor = scalar(f, "SELECT coalesce(max(c.close_time), 0) FROM candles AS c JOIN series "
	                      "AS s ON s.id = c.series_id WHERE s.exchange = ?1");
	follow_summary(f, 1);
	follow_events(f, 0); /* the window's events are in the warm-up */
	follow_pins(f);
	if (pthread_create(&f->thread, NULL, follow_main, f) != 0) {
		snprintf(err, errlen, "cannot start the follower thread: %s", strerror(errno));
		store_close(f->st);
		free(f->seen);
		free(f);
		return NULL;
	}
	return f;
}

void follow_get_stats(Follower *f, FollowStats *out)
{
	pthread_mutex_lock(&f->lock);
	*out = f->stats;
	pthread_mutex_unlock(&f->lock);
}

void follow_stop(Follower *f)
{
	if (!f)
		return;
	pthread_mutex_lock(&f->lock);
	f->stop = 1;
	pthread_cond_signal(&f->cond);
	pthread_mutex_unlock(&f->lock);
	pthread_join(f->thread, NULL);
	pthread_cond_destroy(&f->cond);
	pthread_mutex_destroy(&f->lock);
	store_close(f->st);
	free(f->seen);
	free(f);
}
