/* The follower (see follow.h). */
#include "quant/follow.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
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
	case EV_VENUE: { /* another exchange's rows of one instant: which, and what they say */
		const VenueEvent *v = &ev->u.venue;
		for (const char *p = v->venue; *p; p++)
			h = mix(h, (unsigned char)*p);
		const double x[] = {v->mark, v->funding_rate, v->funding_interval_h,
		                    v->oi,   v->liq_buy,      v->liq_sell};
		for (size_t i = 0; i < sizeof x / sizeof *x; i++)
			h = mix(h, dbl_bits(x[i]));
		break;
	}
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

/* The collector's top table: symbols of the latest quant_summary rows (or, before it wrote
 * any, every stored symbol) with their 24h tickers pushed as events. Tracks, warms and drops
 * symbols as the set changes. */
static void follow_summary(Follower *f, int first)
{
	char syms[MAX_SYMS][FB_SYMBOL_LEN];
	int n = 0;
	int64_t newest;
	if (store_summary_newest(f->st, f->exchange, sizeof f->exchange, &newest))
		return;
	if (newest > 0) {
		StoreTicker *tk = xmalloc(MAX_SYMS * sizeof *tk);
		int nt = store_summary_tickers(f->st, f->exchange, newest - 10 * FB_MINUTE_MS, tk,
		                               MAX_SYMS);
		for (int i = 0; i < nt; i++) {
			records_copy_field(syms[n++], FB_SYMBOL_LEN, tk[i].symbol);
			if (tk[i].updated_ms <= f->summary_ms)
				continue;
			Event ev = {.type = EV_TICKER_24H, .ts = tk[i].updated_ms};
			records_copy_field(ev.symbol, sizeof ev.symbol, tk[i].symbol);
			ev.u.ticker.last = tk[i].last_price;
			ev.u.ticker.change_pct = tk[i].change_24h * 100;
			ev.u.ticker.quote_volume = tk[i].quote_volume_24h;
			ev.u.ticker.volume = NAN;
			quant_live_push(f->o.live, &ev);
		}
		free(tk);
		if (nt < 0)
			return;
		f->summary_ms = newest;
	} else if (first) {
		StoreQuery q = store_query_all(SR_SERIES);
		q.exchange = f->exchange;
		char err[256];
		StoreCursor *c = store_query(store_reader(f->st), &q, err, sizeof err);
		if (!c)
			return;
		StoreRow row;
		while (store_next(c, &row, err, sizeof err) == 1 && n < MAX_SYMS)
			if (!n || strcmp(syms[n - 1], row.u.series.symbol) != 0)
				records_copy_field(syms[n++], FB_SYMBOL_LEN, row.u.series.symbol);
		store_cursor_close(c);
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

static void alert_to_viewer(void *arg, const AlertRecord *a)
{
	Follower *f = arg;
	if (f->o.on_alert)
		f->o.on_alert(f->o.arg, a);
}

static void follow_alerts(Follower *f)
{
	long n = store_alerts_after(f->st, f->alert_id, &f->alert_id, alert_to_viewer, f);
	pthread_mutex_lock(&f->lock);
	if (n > 0)
		f->stats.alerts += (uint64_t)n;
	pthread_mutex_unlock(&f->lock);
}

typedef struct {
	QuantPin *pins;
	int n, cap;
	const int *cols;
	int ncols;
} Pins;

static int add_pin(void *arg, const StoreSummaryRow *r, const double *v)
{
	Pins *ps = arg;
	if (ps->n >= 4096)
		return 1;
	if (ps->n == ps->cap)
		ps->pins = xrealloc(ps->pins, (size_t)(ps->cap = ps->cap ? ps->cap * 2 : 64) *
		                                      sizeof *ps->pins);
	QuantPin *p = &ps->pins[ps->n++];
	memset(p, 0, sizeof *p);
	records_copy_field(p->symbol, sizeof p->symbol, r->symbol);
	records_copy_field(p->interval, sizeof p->interval, r->timeframe);
	p->updated_ms = r->updated_ms > 0 ? r->updated_ms : 1;
	p->last = r->last_price;
	p->change_24h = r->change_24h;
	p->quote_volume_24h = r->quote_volume_24h;
	p->v.open_time = r->open_time;
	for (int k = TREND_NA; k <= TREND_RANGE; k++)
		if (strcmp(r->trend, quant_trend_name(k)) == 0)
			p->v.trend = k;
	for (int k = VOLR_NA; k <= VOLR_HIGH; k++)
		if (strcmp(r->vol_regime, quant_volr_name(k)) == 0)
			p->v.vol_regime = k;
	for (int c = 0; c < ps->ncols; c++)
		memcpy((char *)&p->v + quant_columns[ps->cols[c]].offset, &v[c], sizeof v[c]);
	return 0;
}

/* The collector's own values, its quant_summary rows of the last ten minutes, pinned in the
 * viewer's engine: the viewer shows the numbers the collector's engine published, whatever
 * its own replay of the store holds (gauges from streams the store keeps per minute). */
static void follow_pins(Follower *f)
{
	const char *names[64];
	int cols[64], ncols = 0;
	for (int i = 0; i < quant_ncolumns && ncols < 64; i++)
		if (quant_columns[i].kind == QC_NUM) {
			names[ncols] = quant_columns[i].name;
			cols[ncols++] = i;
		}
	int64_t newest;
	if (store_summary_newest(f->st, f->exchange, sizeof f->exchange, &newest) || newest < 0)
		return;
	Pins ps = {NULL, 0, 0, cols, ncols};
	store_summary_rows(f->st, f->exchange, newest - 600000, names, ncols, add_pin, &ps);
	if (ps.n)
		quant_live_pin(f->o.live, ps.pins, ps.n);
	free(ps.pins);
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
	                 .to_ms = INT64_MAX,
	                 .venues = 1};
	char err[512];
	StoreReader *rd = store_reader(f->st);
	ReplayReader *r = store_snapshot_begin(rd, err, sizeof err) == 0
	                          ? replay_open(rd, &sp, err, sizeof err)
	                          : NULL;
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
	store_snapshot_end(rd);
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
		int64_t v = store_data_version(f->st);
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
	StoreReader *rd = store_reader(st);
	StoreQuery q = store_query_all(SR_SERIES);
	StoreCursor *c;
	StoreRow row;
	int rc = 0;
	if (!exchange[0]) { /* the collector's (newest summary), else the only one stored */
		char names[512] = "";
		int n = 0;
		int64_t newest;
		if (store_summary_newest(st, exchange, len, &newest))
			exchange[0] = '\0';
		if (!exchange[0] && (c = store_query(rd, &q, err, errlen))) {
			while (store_next(c, &row, err, errlen) == 1) {
				const char *e = row.u.series.exchange;
				if (n && strcmp(exchange, e) == 0)
					continue;
				size_t used = strlen(names);
				snprintf(names + used, sizeof names - used, "%s%s", n ? ", " : "",
				         e);
				if (n++ == 0)
					records_copy_field(exchange, len, e);
			}
			store_cursor_close(c);
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
	q.exchange = exchange;
	if (rc == 0 && (c = store_query(rd, &q, err, errlen))) {
		while (store_next(c, &row, err, errlen) == 1 && n < max) {
			const char *iv = row.u.series.interval;
			if (fb_interval_ms(iv) <= 0)
				continue;
			int dup = 0;
			for (int k = 0; k < n && !dup; k++)
				dup = strcmp(intervals[k], iv) == 0;
			if (dup)
				continue;
			int at = n++; /* insertion by duration */
			while (at > 0 && fb_interval_ms(intervals[at - 1]) > fb_interval_ms(iv)) {
				memcpy(intervals[at], intervals[at - 1], FB_INTERVAL_LEN);
				at--;
			}
			records_copy_field(intervals[at], FB_INTERVAL_LEN, iv);
		}
		store_cursor_close(c);
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
	StoreQuery q = store_query_all(SR_SERIES);
	q.exchange = f->exchange;
	StoreCursor *c = store_query(store_reader(f->st), &q, err, errlen);
	StoreRow row;
	int has = c && store_next(c, &row, err, errlen) == 1;
	store_cursor_close(c);
	if (!has) {
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
	f->data_version = store_data_version(f->st);
	store_alerts_max_id(f->st, f->exchange, &f->alert_id);
	StoreQuery cq = store_query_all(SR_CANDLES);
	cq.exchange = f->exchange, cq.by_close = 1;
	if (store_newest(store_reader(f->st), &cq, &f->cursor, err, errlen) || f->cursor < 0)
		f->cursor = 0;
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
