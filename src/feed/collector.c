/* Collector: wiring of the rest thread, the ws thread, the store writer and the health
 * server, plus the small adapter that turns stream events into stored rows (until the quant
 * engine sits in between): candles as they come (a closed one is never dropped), and per
 * symbol and minute one row each of mark price, index price, funding estimate, book imbalance
 * and cumulative taker flow. */
#include "feed/collector.h"

#include <jansson.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/hash.h"
#include "core/log.h"
#include "core/recent.h"
#include "core/numparse.h"
#include "core/strbuf.h"
#include "core/strindex.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"
#include "feed/backfill.h"
#include "feed/exchange.h"
#include "feed/health.h"
#include "feed/rest.h"
#include "feed/universe.h"
#include "feed/ws.h"
#include "quant/fundperiod.h"
#include "quant/metricmap.h"
#include "store/store.h"

enum { JOB_UNIVERSE, JOB_BACKFILL, JOB_OPEN_INTEREST, JOB_RATIOS, JOB_PREMIUM, JOB_WS, NJOBS };
static const char *const job_names[NJOBS] = {"universe", "backfill", "open_interest",
                                             "ratios",   "premium",  "websocket"};

typedef struct {
	int64_t last_success_ms, last_attempt_ms;
	int consecutive_failures;
	int allowed_age_s;
	char last_error[160];
} Job;

/* Per-symbol minute state for the metric rows; ws thread only. */
typedef struct {
	char symbol[FB_SYMBOL_LEN];
	int64_t mark_minute, book_minute, cvd_minute;
	double cvd;
	/* trades: the ids applied (for duplicates), and a reconnect's gap being recovered */
	int64_t trade_max;   /* the highest trade id applied, 0: none yet */
	uint64_t trade_seen; /* bit k: trade_max - k was applied */
	int trade_check;     /* after a reconnect: the next trade shows whether ids were missed */
	int recovering;      /* trades held until the rest thread's answer */
	Event *held;
	size_t nheld, capheld;
	/* funding: the next time announced and the period (quant/fundperiod.h); 0: not known */
	int64_t funding_next, funding_every;
	int fund_gen;   /* of the list funding_every was read from */
	RecentSet uids; /* trades without ordered ids (Bybit): the ones applied lately */
} SymState;

/* A reconnect's gap in a symbol's trades, for the rest thread to fill over REST, and its
 * answer for the ws thread. */
typedef struct {
	char symbol[FB_SYMBOL_LEN];
	int64_t after; /* the last trade id applied before the gap */
} TradeGap;

typedef struct {
	char symbol[FB_SYMBOL_LEN];
	Event *ev; /* ascending ids */
	long n;
} TradeFill;

#define HELD_TRADES_MAX 100000 /* a recovery that takes longer gives up (counted) */

typedef struct {
	char symbol[FB_SYMBOL_LEN];
	char interval[8];
	int64_t due; /* mono ms: not before (the closes it must cover are past the grace) */
} BackfillRequest;

/* A reconnect's (or a leaving symbol's) backfill waits until every candle that closed before
 * the streams were live again is past the backfill's grace: the subscription (streams beyond
 * the URL's go in batches of 50 every 250 ms) plus the grace, plus a margin. */
#define BACKFILL_AFTER_MS 7000

struct Collector {
	CollectorOptions o;
	const Exchange *ex;
	Collector *primary;                     /* a venue: the collector it belongs to */
	Collector *venue[COLLECTOR_MAX_VENUES]; /* the first exchange's: the others */
	int nvenues;
	char *db_path, *rest_url, *ws_url, *exchange;
	StoreWriter *writer;
	Shipper *shipper; /* NULL: nothing is shipped */
	QuantLive *live;
	FeedWs *ws;
	Health *health;
	pthread_t rest_thread;
	RestClient *rc; /* lock: the rest thread's client while it runs, for collector_feed_state */
	atomic_int stop, ready;
	_Atomic int64_t final_until; /* mono ms: the last gap pass at a stop may run until then */
	/* jobs: rest and ws threads write, health thread reads */
	pthread_mutex_t lock;
	Job jobs[NJOBS];                     /* lock */
	BackfillRequest *requests;           /* lock: asked for by the ws thread after reconnects */
	size_t nrequests, rcap;              /* lock */
	atomic_uint_fast64_t records_queued; /* ws and rest threads add, health reads */
	char (*symbols)[FB_SYMBOL_LEN]; /* set by the rest thread before the ws thread starts */
	int nsymbols;
	SymState *sym;      /* ws thread */
	int nsym;           /* ws thread */
	StrIndex sym_index; /* ws thread: symbol -> sym[] */
	/* a new symbol set from a re-rank, for the ws thread to adopt; lock */
	char (*next_syms)[FB_SYMBOL_LEN];
	int nnext;
	atomic_int syms_changed;
	/* the funding periods a re-rank read (Bybit's instruments say them); lock */
	char (*fund_syms)[FB_SYMBOL_LEN];
	int64_t *fund_every;
	int nfund;
	atomic_int fund_gen; /* one more at each change of the list */
	int64_t started_ms;
	char (*watch)[FB_SYMBOL_LEN]; /* lock: the watchlist */
	int nwatch;                   /* lock */
	atomic_int rerank_now;        /* the watchlist changed */
	/* trade gaps asked for by the ws thread, and the rest thread's answers; lock */
	TradeGap *gaps;
	size_t ngaps, capgaps;
	TradeFill *fills;
	size_t nfills, capfills;
	atomic_int gaps_pending, fills_ready;
	/* ws thread writes, health reads */
	atomic_uint_fast64_t trades_recovered, trades_missing, trades_duplicate;
	/* ws thread: a pass's events and records, handed on in one batch each (on_pass) */
	Event *evb;
	size_t nevb;
	int64_t server_offset_ms; /* rest thread: the exchange's clock minus this machine's */
	StoreRecord *recb;
	size_t nrecb;
};

#define STAGE_EVENTS  512
#define STAGE_RECORDS 256

/* the collector (or venue) of this rest thread, for the REST client's should_stop */
static _Thread_local Collector *tl_owner;

static int should_stop(void)
{
	if (!tl_owner || !atomic_load(&tl_owner->stop))
		return 0;
	int64_t until = atomic_load(&tl_owner->final_until); /* the last pass, bounded */
	return !(until && fb_mono_ms() < until);
}

static void job_done(Collector *c, int j, const char *err)
{
	pthread_mutex_lock(&c->lock);
	Job *job = &c->jobs[j];
	job->last_attempt_ms = fb_now_ms();
	int first = 0, recovered = 0;
	if (err) {
		first = job->consecutive_failures++ == 0;
		snprintf(job->last_error, sizeof job->last_error, "%s", err);
	} else {
		recovered = job->consecutive_failures > 0;
		job->consecutive_failures = 0;
		job->last_success_ms = job->last_attempt_ms;
	}
	pthread_mutex_unlock(&c->lock);
	/* transitions only, so a job that keeps failing does not flood the log; a venue's say
	 * whose they are */
	const char *who = c->primary ? c->ex->name : "", *sep = c->primary ? " " : "";
	if (first)
		log_warn("collect", "%s%s%s: %s", who, sep, job_names[j], err);
	if (recovered)
		log_info("collect", "%s%s%s: working again", who, sep, job_names[j]);
}

static void put(Collector *c, const StoreRecord *r)
{
	if (store_writer_put(c->writer, r) == 0)
		atomic_fetch_add(&c->records_queued, 1);
}

/* An EV_VENUE of c's (a venue's) symbol at ts with no values yet (NAN; liquidations 0). */
static void venue_values(const Collector *c, const char *symbol, int64_t ts, Event *out)
{
	memset(out, 0, sizeof *out);
	out->type = EV_VENUE;
	out->ts = ts;
	records_copy_field(out->symbol, sizeof out->symbol, symbol);
	VenueEvent *v = &out->u.venue;
	records_copy_field(v->venue, sizeof v->venue, c->exchange);
	v->mark = v->funding_rate = v->funding_interval_h = v->oi = v->quote_volume_24h = NAN;
}

/* A venue's event as the first exchange's engine takes it: its values for the columns
 * across exchanges (EV_VENUE). 0 when it carries none. */
static int venue_event(const Collector *c, const Event *ev, Event *out)
{
	venue_values(c, ev->symbol, ev->ts, out);
	VenueEvent *v = &out->u.venue;
	switch (ev->type) {
	case EV_MARK:
		v->mark = ev->u.mark.mark;
		v->funding_rate = ev->u.mark.funding_rate;
		return 1;
	case EV_OPEN_INTEREST: v->oi = ev->u.oi.contracts; return isfinite(v->oi);
	case EV_LIQUIDATION: {
		double n = ev->u.liq.price * ev->u.liq.qty;
		*(strcmp(ev->u.liq.side, "BUY") == 0 ? &v->liq_buy : &v->liq_sell) = n;
		return 1;
	}
	default: return 0;
	}
}

/* any thread: an event to the engine: the first exchange's own, a venue's as EV_VENUE */
static void to_engine(Collector *c, const Event *ev)
{
	Event e;
	if (c->live)
		quant_live_push(c->live, ev);
	else if (c->primary && venue_event(c, ev, &e))
		quant_live_push(c->primary->live, &e);
}

/* ws thread: the staged events and records to the engine and the writer, one lock and at
 * most one wake-up each */
static void flush_stage(Collector *c)
{
	if (c->nevb) {
		if (c->live)
			quant_live_push_batch(c->live, c->evb, c->nevb);
		else if (c->primary) { /* a venue: what the columns across exchanges need */
			size_t k = 0;
			for (size_t i = 0; i < c->nevb; i++) {
				Event e;
				if (venue_event(c, &c->evb[i], &e))
					c->evb[k++] = e; /* k <= i: nothing unread is overwritten */
			}
			if (k)
				quant_live_push_batch(c->primary->live, c->evb, k);
		}
		c->nevb = 0;
	}
	if (c->nrecb) {
		if (store_writer_put_batch(c->writer, c->recb, c->nrecb) == 0)
			atomic_fetch_add(&c->records_queued, c->nrecb);
		c->nrecb = 0;
	}
}

static void take_fills(Collector *c);

/* ws thread, about once a second: the websocket job reports its own state, working while
 * every connection is up and messages arrive */
static void on_ws_status(void *arg, int connected, int connections, int64_t last_message_ms)
{
	Collector *c = arg;
	int64_t quiet = fb_now_ms() - last_message_ms;
	if (!last_message_ms && fb_now_ms() - c->started_ms < (int64_t)c->o.stale_s * 1000)
		return; /* still connecting */
	char err[96];
	if (connected < connections)
		snprintf(err, sizeof err, "%d of %d connections down", connections - connected,
		         connections);
	else if (!last_message_ms || quiet > (int64_t)c->o.stale_s * 1000)
		snprintf(err, sizeof err, "no message for %lld s",
		         (long long)(last_message_ms ? quiet / 1000 : 0));
	else
		err[0] = '\0';
	job_done(c, JOB_WS, err[0] ? err : NULL);
}

static void on_pass(void *arg)
{
	Collector *c = arg;
	if (atomic_load(&c->fills_ready))
		take_fills(c);
	flush_stage(c);
}

/* ws thread: staged until the pass ends (or the stage is full) */
static void stage_record(Collector *c, const StoreRecord *r)
{
	if (c->nrecb == STAGE_RECORDS)
		flush_stage(c);
	c->recb[c->nrecb++] = *r;
}

static void stage_event(Collector *c, const Event *ev)
{
	if (c->nevb == STAGE_EVENTS)
		flush_stage(c);
	c->evb[c->nevb++] = *ev;
}

static void metric_record(Collector *c, StoreRecord *r, const char *symbol, const char *metric,
                          int64_t ts, double v)
{
	memset(r, 0, sizeof *r);
	r->type = STORE_REC_METRIC;
	records_copy_field(r->u.metric.exchange, sizeof r->u.metric.exchange, c->exchange);
	records_copy_field(r->u.metric.symbol, sizeof r->u.metric.symbol, symbol);
	records_copy_field(r->u.metric.metric, sizeof r->u.metric.metric, metric);
	r->u.metric.ts = ts;
	r->u.metric.value = v;
}

/* rest thread */
static void put_metric(Collector *c, const char *symbol, const char *metric, int64_t ts, double v)
{
	if (!isfinite(v))
		return;
	StoreRecord r;
	metric_record(c, &r, symbol, metric, ts, v);
	put(c, &r);
}

/* ws thread */
static void stage_metric(Collector *c, const char *symbol, const char *metric, int64_t ts, double v)
{
	if (!isfinite(v))
		return;
	StoreRecord r;
	metric_record(c, &r, symbol, metric, ts, v);
	stage_record(c, &r);
}

/* ws thread: the metric rows an event is stored as (quant/metricmap.h) */
static void stage_event_rows(Collector *c, const Event *ev)
{
	MetricId ids[3];
	double vs[3];
	int n = metric_rows(ev, ids, vs);
	for (int i = 0; i < n; i++)
		stage_metric(c, ev->symbol, metric_name(ids[i]), ev->ts, vs[i]);
}

/* rest thread: the event a poll gave, stored as its rows and handed to the engine */
static void put_event(Collector *c, const Event *ev)
{
	MetricId ids[3];
	double vs[3];
	int n = metric_rows(ev, ids, vs);
	for (int i = 0; i < n; i++)
		put_metric(c, ev->symbol, metric_name(ids[i]), ev->ts, vs[i]);
	to_engine(c, ev);
}

/* rest thread: the funding periods an exchange said in a ranking, for the ws thread */
static void keep_funding_periods(Collector *c, const UniverseEntry *u, long n)
{
	pthread_mutex_lock(&c->lock);
	free(c->fund_syms);
	free(c->fund_every);
	c->fund_syms = xcalloc((size_t)n + 1, FB_SYMBOL_LEN);
	c->fund_every = xcalloc((size_t)n + 1, sizeof *c->fund_every);
	c->nfund = 0;
	for (long i = 0; i < n; i++)
		if (u[i].funding_interval_min > 0) {
			memcpy(c->fund_syms[c->nfund], u[i].symbol, FB_SYMBOL_LEN);
			c->fund_every[c->nfund++] =
			        (int64_t)u[i].funding_interval_min * FB_MINUTE_MS;
		}
	atomic_fetch_add(&c->fund_gen, 1);
	pthread_mutex_unlock(&c->lock);
}

/* rest thread: the 24h tickers of a ranking, for the engine's top table. */
static void push_tickers(Collector *c, const UniverseEntry *u, long n)
{
	for (long i = 0; i < n && !c->live && c->primary; i++) {
		/* a venue: its 24h volume and funding interval, for the columns across exchanges,
		 * and the interval stored when the exchange says (Bybit's changes per symbol) */
		Event ev; /* in the exchange's time, as every other value of it */
		venue_values(c, u[i].symbol, fb_now_ms() + c->server_offset_ms, &ev);
		VenueEvent *v = &ev.u.venue;
		v->quote_volume_24h = u[i].quote_volume;
		v->funding_interval_h =
		        u[i].funding_interval_min > 0 ? u[i].funding_interval_min / 60.0 : NAN;
		quant_live_push(c->primary->live, &ev);
	}
	int64_t ts = fb_now_ms() + c->server_offset_ms; /* the ranking's, in the exchange's time */
	for (long i = 0; i < n; i++) {
		if (u[i].funding_interval_min > 0) /* the interval, where the exchange gives one */
			put_metric(c, u[i].symbol, "funding_interval_h", ts,
			           u[i].funding_interval_min / 60.0);
		/* the 24h volume, as the ranking read it: a replay's venue screen shows it for
		 * every exchange (the first exchange's own is summed from its candles) */
		if (!isnan(u[i].last) && isfinite(u[i].quote_volume) && u[i].quote_volume >= 0)
			put_metric(c, u[i].symbol, "quote_volume_24h", ts, u[i].quote_volume);
	}
	for (long i = 0; i < n && c->live; i++) {
		if (isnan(u[i].last))
			continue; /* a stored universe: no ticker known */
		Event ev = {.type = EV_TICKER_24H, .ts = u[i].close_time};
		memcpy(ev.symbol, u[i].symbol, sizeof ev.symbol);
		ev.u.ticker.last = u[i].last;
		ev.u.ticker.change_pct = u[i].change_pct;
		ev.u.ticker.quote_volume = u[i].quote_volume;
		ev.u.ticker.volume = NAN;
		ev.u.ticker.trades = u[i].trades;
		ev.u.ticker.tick_size = isfinite(u[i].tick_size) ? u[i].tick_size : 0;
		quant_live_push(c->live, &ev);
	}
	keep_funding_periods(c, u, n);
}

/* ws thread: adopts the symbol set of a re-rank, keeping the state of symbols that stay. */
static void adopt_symbols(Collector *c)
{
	pthread_mutex_lock(&c->lock);
	SymState *ns = xcalloc((size_t)c->nnext + 1, sizeof *ns);
	for (int i = 0; i < c->nnext; i++) {
		memcpy(ns[i].symbol, c->next_syms[i], FB_SYMBOL_LEN);
		for (int j = 0; j < c->nsym; j++)
			if (strcmp(c->sym[j].symbol, ns[i].symbol) == 0) {
				ns[i] = c->sym[j];
				c->sym[j].held = NULL; /* moved */
				memset(&c->sym[j].uids, 0, sizeof c->sym[j].uids);
			}
	}
	for (int j = 0; j < c->nsym; j++) { /* a symbol that left: its held trades go with it */
		free(c->sym[j].held);
		recent_free(&c->sym[j].uids);
	}
	free(c->sym);
	c->sym = ns;
	c->nsym = c->nnext;
	strindex_build(&c->sym_index, c->sym[0].symbol, sizeof *c->sym, c->nsym);
	atomic_store(&c->syms_changed, 0);
	pthread_mutex_unlock(&c->lock);
}

static SymState *sym_state(Collector *c, const char *symbol)
{
	if (atomic_load(&c->syms_changed))
		adopt_symbols(c);
	int i = strindex_find(&c->sym_index, symbol, strlen(symbol));
	return i >= 0 ? &c->sym[i] : NULL; /* NULL: not tracked (an all-market stream) */
}

/* ws thread: a funding period learnt from the next funding times the stream announces, the
 * moment it changes (Bybit moves symbols from 8 h to 4 h): logged, stored as
 * funding_interval_h and, from a venue, given to the engine's columns across exchanges. The
 * period a re-rank read is the one known until then. */
static void learn_funding_period(Collector *c, SymState *s, const Event *ev)
{
	int64_t nt = ev->u.mark.next_funding_time;
	if (nt <= 0 || nt == s->funding_next)
		return;
	int gen = atomic_load(&c->fund_gen);
	if (!s->funding_every || s->fund_gen != gen) { /* as the exchange lists it */
		pthread_mutex_lock(&c->lock);
		for (int i = 0; i < c->nfund; i++)
			if (strcmp(c->fund_syms[i], s->symbol) == 0)
				s->funding_every = c->fund_every[i];
		pthread_mutex_unlock(&c->lock);
		s->fund_gen = gen;
	}
	int64_t was = s->funding_every;
	int64_t d = funding_period_learn(&s->funding_next, &s->funding_every, nt, ev->ts);
	if (!d)
		return;
	pthread_mutex_lock(&c->lock); /* known: the listed one then says nothing new */
	for (int i = 0; i < c->nfund; i++)
		if (strcmp(c->fund_syms[i], s->symbol) == 0)
			c->fund_every[i] = d;
	pthread_mutex_unlock(&c->lock);
	if (was)
		log_info("collect", "%s: %s: funding every %lld h now (was %lld h)", c->ex->name,
		         s->symbol, (long long)(d / FB_HOUR_MS), (long long)(was / FB_HOUR_MS));
	stage_metric(c, s->symbol, "funding_interval_h", ev->ts, (double)d / FB_HOUR_MS);
	if (c->primary) {
		Event e;
		venue_values(c, s->symbol, ev->ts, &e);
		e.u.venue.funding_interval_h = (double)d / FB_HOUR_MS;
		quant_live_push(c->primary->live, &e);
	}
}

/* ws thread: one trade applied once (a duplicate, within the last 64 ids, is counted and
 * skipped; an id out of order is still applied), to the engine and the CVD. */
static void apply_trade(Collector *c, SymState *s, const Event *ev)
{
	int64_t id = ev->u.trade.id;
	if (!id && ev->u.trade.uid) { /* a string id (Bybit's UUIDs): seen lately or not */
		if (recent_seen(&s->uids, ev->u.trade.uid)) {
			atomic_fetch_add(&c->trades_duplicate, 1);
			return;
		}
	} else if (s->trade_max && id <= s->trade_max) {
		int64_t back = s->trade_max - id;
		if (back >= 64 || (s->trade_seen >> back & 1)) {
			atomic_fetch_add(&c->trades_duplicate, 1);
			return;
		}
		s->trade_seen |= UINT64_C(1) << back;
	} else {
		int64_t fwd = s->trade_max ? id - s->trade_max : 64;
		s->trade_seen = fwd >= 64 ? 1 : s->trade_seen << fwd | 1;
		s->trade_max = id;
	}
	stage_event(c, ev);
	int64_t flow = c->o.flow_sample_ms > 0 ? c->o.flow_sample_ms : FB_MINUTE_MS;
	int64_t bucket = ev->ts - ev->ts % flow;
	s->cvd += (ev->u.trade.buyer_is_maker ? -1 : 1) * ev->u.trade.qty * ev->u.trade.price;
	if (bucket != s->cvd_minute) {
		s->cvd_minute = bucket;
		stage_metric(c, ev->symbol, metric_name(MET_CVD), ev->ts, s->cvd);
	}
}

static int by_trade_id(const void *a, const void *b)
{
	int64_t x = ((const Event *)a)->u.trade.id, y = ((const Event *)b)->u.trade.id;
	return x < y ? -1 : x > y;
}

/* ws thread: the gap's trades that came over REST (fill, may be NULL: none), then the held
 * ones, in id order; ids of the gap that neither gave are counted missing. */
static void end_recovery(Collector *c, SymState *s, const Event *fill, long nfill)
{
	qsort(s->held, s->nheld, sizeof *s->held, by_trade_id);
	int64_t after = s->trade_max, first = s->nheld ? s->held[0].u.trade.id : INT64_MAX;
	long got = 0;
	for (long i = 0; i < nfill; i++) {
		int64_t id = fill[i].u.trade.id;
		if (id > after && id < first) {
			apply_trade(c, s, &fill[i]);
			got++;
		}
	}
	int64_t want = first == INT64_MAX ? got : first - after - 1;
	atomic_fetch_add(&c->trades_recovered, (uint64_t)got);
	if (want > got)
		atomic_fetch_add(&c->trades_missing, (uint64_t)(want - got));
	log_info("collect", "%s: a reconnect's gap of %lld trade ids: %ld recovered over REST%s",
	         s->symbol, (long long)want, got, want > got ? ", the rest missing" : "");
	for (size_t i = 0; i < s->nheld; i++)
		apply_trade(c, s, &s->held[i]);
	free(s->held);
	s->held = NULL;
	s->nheld = s->capheld = 0;
	s->recovering = 0;
}

/* ws thread: a trade from the stream. The first after a reconnect shows whether ids were
 * missed; if so the symbol's trades are held while the rest thread asks REST for the gap. */
static void on_trade(Collector *c, SymState *s, const Event *ev)
{
	if (!s->recovering && s->trade_check && s->trade_max && ev->u.trade.id > s->trade_max + 1) {
		s->recovering = 1;
		pthread_mutex_lock(&c->lock);
		if (c->ngaps == c->capgaps)
			c->gaps =
			        xrealloc(c->gaps, (c->capgaps = c->capgaps ? c->capgaps * 2 : 16) *
			                                  sizeof *c->gaps);
		TradeGap *g = &c->gaps[c->ngaps++];
		memcpy(g->symbol, s->symbol, FB_SYMBOL_LEN);
		g->after = s->trade_max;
		pthread_mutex_unlock(&c->lock);
		atomic_store(&c->gaps_pending, 1);
	}
	s->trade_check = 0;
	if (!s->recovering) {
		apply_trade(c, s, ev);
		return;
	}
	if (s->nheld == s->capheld)
		s->held = xrealloc(s->held, (s->capheld = s->capheld ? s->capheld * 2 : 256) *
		                                    sizeof *s->held);
	s->held[s->nheld++] = *ev;
	if (s->nheld >= HELD_TRADES_MAX) {
		log_warn("collect", "%s: no answer for a trade gap while %d trades came: going on",
		         s->symbol, HELD_TRADES_MAX);
		end_recovery(c, s, NULL, 0);
	}
}

/* ws thread: the rest thread's answers. */
static void take_fills(Collector *c)
{
	pthread_mutex_lock(&c->lock);
	TradeFill *f = c->fills;
	size_t n = c->nfills;
	c->fills = NULL;
	c->nfills = c->capfills = 0;
	atomic_store(&c->fills_ready, 0);
	pthread_mutex_unlock(&c->lock);
	for (size_t i = 0; i < n; i++) {
		SymState *s = sym_state(c, f[i].symbol);
		if (s && s->recovering)
			end_recovery(c, s, f[i].ev, f[i].n);
		free(f[i].ev);
	}
	free(f);
}

/* ws thread */
static void on_event(void *arg, const Event *ev)
{
	Collector *c = arg;
	SymState *s = sym_state(c, ev->symbol);
	int64_t minute = ev->ts - ev->ts % FB_MINUTE_MS;
	/* book imbalance and CVD are sampled every flow_sample_ms (feed.flow_sample_s) */
	int64_t flow = c->o.flow_sample_ms > 0 ? c->o.flow_sample_ms : FB_MINUTE_MS;
	int64_t bucket = ev->ts - ev->ts % flow;
	if (ev->type == EV_AGG_TRADE) {
		if (s)
			on_trade(c, s, ev);
		return;
	}
	if (s)
		stage_event(c, ev);
	switch (ev->type) {
	case EV_CANDLE: {
		if (!s)
			return;
		StoreRecord r = {.type = STORE_REC_CANDLE};
		r.u.candle = ev->u.candle;
		stage_record(c, &r);
		return;
	}
	case EV_MARK:
		if (s)
			learn_funding_period(c, s, ev);
		if (!s || minute == s->mark_minute)
			return;
		s->mark_minute = minute;
		stage_event_rows(c, ev);
		return;
	case EV_BOOK_TOP: {
		const BookEvent *b = &ev->u.book;
		if (!s || bucket == s->book_minute || b->bid_qty + b->ask_qty <= 0)
			return;
		s->book_minute = bucket;
		stage_event_rows(c, ev);
		return;
	}
	case EV_LIQUIDATION: {
		StoreRecord r = {.type = STORE_REC_LIQUIDATION};
		Liquidation *l = &r.u.liquidation;
		records_copy_field(l->exchange, sizeof l->exchange, c->exchange);
		records_copy_field(l->symbol, sizeof l->symbol, ev->symbol);
		records_copy_field(l->side, sizeof l->side, ev->u.liq.side);
		l->ts = ev->ts;
		l->price = ev->u.liq.price;
		l->qty = ev->u.liq.qty;
		stage_record(c, &r);
		return;
	}
	default: return;
	}
}

/* any thread (lock taken): one series to backfill once due */
static void ask_backfill(Collector *c, const char *symbol, const char *interval, int64_t due)
{
	if (c->nrequests == c->rcap)
		c->requests = xrealloc(c->requests, (c->rcap = c->rcap ? c->rcap * 2 : 64) *
		                                            sizeof *c->requests);
	BackfillRequest *r = &c->requests[c->nrequests++];
	records_copy_field(r->symbol, sizeof r->symbol, symbol);
	records_copy_field(r->interval, sizeof r->interval, interval);
	r->due = due;
}

/* ws thread: after a reconnect, the rest thread fetches what the gap may have cost. */
static void on_reconnect(void *arg, const char *const *streams, int n)
{
	Collector *c = arg;
	StreamInfo si;
	for (int i = 0; i < n; i++) { /* trades: the next one shows whether any were missed */
		if (!c->ex->trades_after || c->ex->stream_info(streams[i], &si) ||
		    si.kind != STREAM_TRADES)
			continue;
		SymState *s = sym_state(c, si.symbol);
		if (s)
			s->trade_check = 1;
	}
	/* the subscription of streams beyond the URL's takes 250 ms per 50 */
	int64_t due = fb_mono_ms() + BACKFILL_AFTER_MS + (int64_t)(n / 50) * 250;
	pthread_mutex_lock(&c->lock);
	for (int i = 0; i < n; i++)
		if (c->ex->stream_info(streams[i], &si) == 0 && si.kind == STREAM_KLINE)
			ask_backfill(c, si.symbol, si.interval, due);
	pthread_mutex_unlock(&c->lock);
}

/* rest thread: backfills one series through the writer. */
static int backfill_one(Collector *c, RestClient *rc, Store *reader, const char *symbol,
                        const char *interval, int64_t now)
{
	char err[512];
	BackfillReport r = {0};
	BackfillTarget to = {reader, c->writer};
	int64_t since = now - (int64_t)c->o.lookback * fb_interval_ms(interval);
	if (backfill_series(c->ex, rc, &to, c->exchange, symbol, interval, since, now, &r, err,
	                    sizeof err)) {
		job_done(c, JOB_BACKFILL, err);
		return -1;
	}
	if (r.candles_added > 0 && atomic_load(&c->ready) && c->live)
		quant_live_rewarm(c->live, symbol); /* live values stay equal to a replay */
	if (r.gaps_found)
		log_info("collect",
		         "backfill %s %s: gaps_found=%ld gaps_fixed=%ld candles_added=%ld "
		         "gaps_unfillable=%ld",
		         symbol, interval, r.gaps_found, r.gaps_fixed, r.candles_added,
		         r.gaps_unfillable);
	return 0;
}

#define MARK_PAGE 1000 /* price candles per request (weight 5) */

/* rest thread: the 1m mark- or index-price candles of a symbol, from the newest stored one (or
 * the last MARK_PAGE minutes) to now, through the writer. The streams' per-second marks and
 * indexes are lost while a connection is down; these candles are what REST can give back, so
 * their history has no holes (mark_candles, which backtests read for liquidation checks, and
 * index_candles). */
static int backfill_prices(Collector *c, RestClient *rc, Store *reader, const char *symbol,
                           int64_t now, StorePrice kind)
{
	int64_t last;
	if (store_last_price_candle(reader, kind, c->exchange, symbol, "1m", &last))
		return -1;
	int64_t from = last >= 0 ? last + FB_MINUTE_MS
	                         : now - now % FB_MINUTE_MS - (int64_t)MARK_PAGE * FB_MINUTE_MS;
	const char *what = kind == STORE_INDEX ? "index-price candles" : "mark-price candles";
	long bad = 0;
	for (int page = 0; page < 50 && from + FB_MINUTE_MS <= now && !should_stop(); page++) {
		char err[512];
		Candle *k = NULL;
		long nbad = 0;
		long n = c->ex->price_klines(rc, c->exchange, symbol, kind == STORE_INDEX, from,
		                             MARK_PAGE, now, &k, &nbad, err, sizeof err);
		if (n == -1) {
			job_done(c, JOB_BACKFILL, err);
			return -1;
		}
		if (n < 0) {
			log_warn("collect", "%s: %s: %s", symbol, what, err);
			return -1;
		}
		bad += nbad;
		int64_t next = from;
		for (long i = 0; i < n; i++) {
			if (!k[i].closed || k[i].open_time < from)
				continue;
			StoreRecord r = {.type = kind == STORE_INDEX ? STORE_REC_INDEX
			                                             : STORE_REC_MARK};
			r.u.candle = k[i];
			put(c, &r);
			next = k[i].open_time + FB_MINUTE_MS;
		}
		free(k);
		if (n < MARK_PAGE || next == from)
			break;
		from = next;
	}
	if (bad)
		log_warn("collect", "%s: %s: %ld rows refused", symbol, what, bad);
	return 0;
}

static int backfill_marks(Collector *c, RestClient *rc, Store *reader, const char *symbol,
                          int64_t now)
{
	int a = backfill_prices(c, rc, reader, symbol, now, STORE_MARK);
	int b = backfill_prices(c, rc, reader, symbol, now, STORE_INDEX);
	return a || b ? -1 : 0;
}

/* A time from the exchange: between 2017 (before any USDⓈ-M market) and a day from now. */
/* rest thread: the polled metrics of one symbol. Values out of range are refused, counted as
 * a malformed answer of their job. */
/* rest thread: the exchange's time, and how far it is from this machine's clock (kept for
 * the polls, whose "since the newest stored point" is in the exchange's time) */
static int64_t server_time(Collector *c, RestClient *rc, char *err, size_t errlen)
{
	int64_t t = c->ex->server_time(rc, err, errlen);
	if (t > 0)
		c->server_offset_ms = t - fb_now_ms();
	return t;
}

#define RATIO_PERIOD_MS    (5 * FB_MINUTE_MS)
#define FUNDING_PERIODS_MS (60 * 1000) /* the listed funding periods read again (at most) */
#define RATIO_ROWS         500         /* the most a /futures/data answer holds */

static void poll_symbol(Collector *c, RestClient *rc, Store *reader, const char *symbol,
                        int64_t now)
{
	char err[512];
	double v;
	int64_t t;
	int sides = 0;
	int oi = c->ex->open_interest(rc, symbol, now, &v, &t, &sides, err, sizeof err);
	if (oi == 0) {
		Event ev;
		metric_event_init(&ev, EV_OPEN_INTEREST, symbol, t);
		metric_apply(&ev, MET_OPEN_INTEREST, v);
		put_event(c, &ev);
		if (sides > 0) /* how the exchange counted it: 1 one side, 2 both (halved) */
			put_metric(c, symbol, "open_interest_sides", t, sides);
		job_done(c, JOB_OPEN_INTEREST, NULL);
	} else {
		if (oi == -2)
			log_warn("collect", "%s: %s", symbol, err);
		job_done(c, JOB_OPEN_INTEREST, err);
	}
	long cap = c->ex->metric_rows < RATIO_ROWS ? c->ex->metric_rows : RATIO_ROWS;
	for (int i = 0; i < c->ex->nmetrics && !should_stop(); i++) {
		/* the 5m points since the newest stored one (after a REST hold or a stop), up to
		 * the exchange's most; the latest one otherwise */
		MetricId m = c->ex->metrics[i];
		int64_t last = -1;
		long limit = 1;
		const char *metric = metric_name(m);
		/* two more than the periods since the newest stored point: one for the
		 * rounding, one for a point the exchange adds while the request is on its way
		 * (at 60x, simex adds one every 5 s); the points already stored come back
		 * unchanged */
		if (store_last_metric(reader, c->exchange, symbol, metric, &last) == 0 &&
		    last > 0 && now > last)
			limit = (now - last) / RATIO_PERIOD_MS + 2 < cap
			                ? (long)((now - last) / RATIO_PERIOD_MS + 2)
			                : cap;
		double vs[RATIO_ROWS];
		int64_t ts[RATIO_ROWS];
		long bad = 0;
		int msides = 0;
		long got = c->ex->metric_history(rc, symbol, m, limit, now, vs, ts, cap, &bad,
		                                 &msides, err, sizeof err);
		for (long k = 0; k < got && msides > 0; k++)
			put_metric(c, symbol, "open_interest_sides", ts[k], msides);
		if (got == -1) { /* the request failed */
			job_done(c, JOB_RATIOS, err);
			continue;
		}
		for (long k = 0; k + 1 < got; k++) /* the earlier points: stored */
			put_metric(c, symbol, metric, ts[k], vs[k]);
		if (got > 0) { /* the latest: stored and to the engine */
			Event ev;
			metric_event_init(&ev, metric_event_of(m), symbol, ts[got - 1]);
			metric_apply(&ev, m, vs[got - 1]);
			put_event(c, &ev);
			job_done(c, JOB_RATIOS, NULL);
		}
		if (got < 0 || bad) {
			log_warn("collect", "%s: %s: malformed or out-of-range answer", symbol,
			         metric);
			job_done(c, JOB_RATIOS, "ratio: malformed answer");
		}
	}
	/* realised funding (ascending): the events since the newest stored one (after a long
	 * stop, all the exchange gives), or the latest few */
	int64_t lastf = -1;
	if (store_last_funding(reader, c->exchange, symbol, &lastf) != 0 || lastf < 0)
		lastf = 0;
	if (!should_stop()) {
		FundingRate *f = NULL;
		long bad = 0;
		long nf = c->ex->funding(rc, c->exchange, symbol, lastf, &f, &bad, err, sizeof err);
		for (long i = 0; i < nf; i++) {
			StoreRecord r = {.type = STORE_REC_FUNDING};
			r.u.funding = f[i];
			put(c, &r);
		}
		for (long i = 0; i < nf && c->live; i++) { /* oldest first, for the engine */
			Event ev = {.type = EV_FUNDING, .ts = f[i].funding_time};
			records_copy_field(ev.symbol, sizeof ev.symbol, symbol);
			ev.u.funding.rate = f[i].funding_rate;
			ev.u.funding.mark = f[i].mark_price;
			quant_live_push(c->live, &ev);
		}
		if (nf != -1) /* answered (a failed request is the next round's) */
			job_done(c, JOB_PREMIUM, nf < 0 ? err : NULL);
		free(f);
	}
}

/* The streams of one symbol (caller frees each and the array); returns how many. */
static int symbol_streams(const Collector *c, const char *symbol, char **out)
{
	return c->ex->symbol_streams(symbol, (const char(*)[8])c->o.intervals, c->o.nintervals,
	                             c->o.raw_trades, out);
}

static int has_symbol(char (*list)[FB_SYMBOL_LEN], int n, const char *s)
{
	for (int i = 0; i < n; i++)
		if (strcmp(list[i], s) == 0)
			return 1;
	return 0;
}

/* rest thread: ranks again; symbols that entered are subscribed and backfilled, those that
 * left are unsubscribed. */
/* rest thread: the top of the exchange and the watchlist */
static long top_and_watched(Collector *c, RestClient *rc, UniverseEntry **uni, char *err,
                            size_t errlen)
{
	pthread_mutex_lock(&c->lock);
	int nw = c->nwatch;
	char(*w)[FB_SYMBOL_LEN] = xcalloc((size_t)nw + 1, FB_SYMBOL_LEN);
	if (nw)
		memcpy(w, c->watch, (size_t)nw * FB_SYMBOL_LEN);
	pthread_mutex_unlock(&c->lock);
	long n = universe_top(c->ex, rc, c->o.top_n, (const char(*)[FB_SYMBOL_LEN])w, nw, uni, err,
	                      errlen);
	/* the exchange's clock after the list: what a ranking stores is stamped in its time, never
	 * before the exchange listed it */
	if (n >= 0) {
		char terr[256];
		server_time(c, rc, terr, sizeof terr);
	}
	if (n > 0 && c->o.shard_n > 1) { /* this collector's share of them */
		long kept = 0;
		for (long i = 0; i < n; i++)
			if (collector_shard_of((*uni)[i].symbol, c->o.shard_n) == c->o.shard_k - 1)
				(*uni)[kept++] = (*uni)[i];
		int wk = 0;
		for (int i = 0; i < nw; i++)
			if (collector_shard_of(w[i], c->o.shard_n) == c->o.shard_k - 1)
				memmove(w[wk++], w[i], FB_SYMBOL_LEN);
		nw = wk;
		n = kept;
	}
	if (n >= 0 && c->live) /* the engine shows the watched rows above the ranked ones */
		quant_live_watch(c->live, (const char(*)[FB_SYMBOL_LEN])w, nw);
	free(w);
	return n;
}

int collector_shard_of(const char *symbol, int n)
{
	uint64_t h = fb_fnv1a64(FB_FNV_OFFSET, symbol, strlen(symbol));
	return n > 1 ? (int)(h % (uint64_t)n) : 0;
}

void collector_watch(Collector *c, const char (*symbols)[FB_SYMBOL_LEN], int n)
{
	pthread_mutex_lock(&c->lock);
	free(c->watch);
	c->watch = xcalloc((size_t)n + 1, FB_SYMBOL_LEN);
	if (n)
		memcpy(c->watch, symbols, (size_t)n * FB_SYMBOL_LEN);
	c->nwatch = n;
	pthread_mutex_unlock(&c->lock);
	log_info("collect", "watchlist: %d symbol%s%s%s", n, n == 1 ? "" : "s", n ? ", first " : "",
	         n ? symbols[0] : "");
	atomic_store(&c->rerank_now, 1);
	for (int k = 0; k < c->nvenues; k++)
		collector_watch(c->venue[k], symbols, n);
}

/* rest thread: the funding periods the exchange lists, every minute or feed.poll_s when
 * shorter (Bybit changes them per symbol): a tracked symbol's change is logged, stored and given to the columns across
 * exchanges at once, without waiting for a ranking or a settlement. */
static void poll_funding_periods(Collector *c, RestClient *rc)
{
	char err[512];
	UniverseEntry *u;
	long bad;
	long n = c->ex->funding_periods(rc, &u, &bad, err, sizeof err);
	if (n < 0) {
		log_warn("collect", "%s: funding periods: %s", c->ex->name, err);
		return;
	}
	long k = 0; /* the tracked ones, in place, each with the period known before (ms) */
	int64_t *was = xcalloc((size_t)n + 1, sizeof *was);
	pthread_mutex_lock(&c->lock);
	for (long i = 0; i < n; i++) {
		if (!has_symbol(c->symbols, c->nsymbols, u[i].symbol))
			continue;
		u[k] = u[i];
		for (int j = 0; j < c->nfund; j++)
			if (strcmp(c->fund_syms[j], u[k].symbol) == 0)
				was[k] = c->fund_every[j];
		k++;
	}
	pthread_mutex_unlock(&c->lock);
	/* stamped with the exchange's clock read after the list: the offset kept from the last
	 * sweep drifts from an exchange whose clock runs fast (a simex at 60x), and would date a
	 * change before the list showed it */
	int64_t ts = 0;
	for (long i = 0; i < k; i++) {
		int64_t now = (int64_t)u[i].funding_interval_min * FB_MINUTE_MS;
		if (!was[i] || now <= 0 || now == was[i])
			continue;
		if (ts <= 0 && (ts = server_time(c, rc, err, sizeof err)) <= 0)
			ts = fb_now_ms() + c->server_offset_ms;
		double h = u[i].funding_interval_min / 60.0;
		log_info("collect", "%s: %s: funding every %g h now (was %g h), as listed",
		         c->ex->name, u[i].symbol, h, (double)was[i] / FB_HOUR_MS);
		put_metric(c, u[i].symbol, "funding_interval_h", ts, h);
		if (c->primary) {
			Event e;
			venue_values(c, u[i].symbol, ts, &e);
			e.u.venue.funding_interval_h = h;
			quant_live_push(c->primary->live, &e);
		}
	}
	keep_funding_periods(c, u, k);
	free(was);
	free(u);
}

static void rerank(Collector *c, RestClient *rc, Store *reader)
{
	char err[512];
	UniverseEntry *uni;
	long n = top_and_watched(c, rc, &uni, err, sizeof err);
	job_done(c, JOB_UNIVERSE, n < 0 ? err : NULL);
	if (n < 0)
		return;
	char(*now_syms)[FB_SYMBOL_LEN] = xcalloc((size_t)n + 1, FB_SYMBOL_LEN);
	for (long i = 0; i < n; i++)
		memcpy(now_syms[i], uni[i].symbol, FB_SYMBOL_LEN);
	push_tickers(c, uni, n);
	free(uni);
	int per = c->o.nintervals + 4, nadd = 0, ndel = 0;
	char **add = xcalloc((size_t)(n * per) + 1, sizeof *add);
	char **del = xcalloc((size_t)(c->nsymbols * per) + 1, sizeof *del);
	for (long i = 0; i < n; i++)
		if (!has_symbol(c->symbols, c->nsymbols, now_syms[i]))
			nadd += symbol_streams(c, now_syms[i], add + nadd);
	for (int i = 0; i < c->nsymbols; i++)
		if (!has_symbol(now_syms, (int)n, c->symbols[i]))
			ndel += symbol_streams(c, c->symbols[i], del + ndel);
	if (nadd || ndel) {
		log_info("collect", "re-ranked: %d symbols in, %d out", nadd / per, ndel / per);
		pthread_mutex_lock(&c->lock);
		free(c->next_syms);
		c->next_syms = xcalloc((size_t)n + 1, FB_SYMBOL_LEN);
		memcpy(c->next_syms, now_syms, (size_t)n * FB_SYMBOL_LEN);
		c->nnext = (int)n;
		atomic_store(&c->syms_changed, 1);
		pthread_mutex_unlock(&c->lock);
		feed_ws_subscribe(c->ws, add, nadd, del, ndel);
		if (c->live)
			quant_live_track(c->live, (const char(*)[FB_SYMBOL_LEN])now_syms, (int)n);
		int64_t t = server_time(c, rc, err, sizeof err);
		for (long i = 0; i < n && t > 0 && !should_stop(); i++)
			if (!has_symbol(c->symbols, c->nsymbols, now_syms[i]))
				for (int j = 0; j < c->o.nintervals; j++)
					backfill_one(c, rc, reader, now_syms[i], c->o.intervals[j],
					             t);
		/* a symbol that leaves: a last backfill once the candles that closed while it was
		 * still streamed are past the grace (the next sweep no longer looks at it) */
		pthread_mutex_lock(&c->lock);
		for (int i = 0; i < c->nsymbols; i++)
			if (!has_symbol(now_syms, (int)n, c->symbols[i]))
				for (int j = 0; j < c->o.nintervals; j++)
					ask_backfill(c, c->symbols[i], c->o.intervals[j],
					             fb_mono_ms() + BACKFILL_AFTER_MS);
		free(c->symbols); /* under the lock: the health thread reads the count */
		c->symbols = now_syms;
		c->nsymbols = (int)n;
		pthread_mutex_unlock(&c->lock);
	} else
		free(now_syms);
	for (int i = 0; i < nadd; i++)
		free(add[i]);
	for (int i = 0; i < ndel; i++)
		free(del[i]);
	free(add);
	free(del);
}

/* rest thread: asks REST for the trades of the reconnect gaps the ws thread found: by id
 * from the gap for aggTrade streams, the latest 1,000 for trade streams (Binance gives
 * older raw trades only with an API key). The answers go back to the ws thread. */
static void fill_gaps(Collector *c, RestClient *rc)
{
	if (!atomic_exchange(&c->gaps_pending, 0))
		return;
	pthread_mutex_lock(&c->lock);
	TradeGap *g = c->gaps;
	size_t n = c->ngaps;
	c->gaps = NULL;
	c->ngaps = c->capgaps = 0;
	pthread_mutex_unlock(&c->lock);
	for (size_t i = 0; i < n; i++) {
		char err[512];
		TradeFill f = {.ev = NULL, .n = 0};
		memcpy(f.symbol, g[i].symbol, FB_SYMBOL_LEN);
		long bad = 0;
		if (c->ex->trades_after)
			f.n = c->ex->trades_after(rc, g[i].symbol, !c->o.raw_trades, g[i].after,
			                          &f.ev, &bad, err, sizeof err);
		else
			snprintf(err, sizeof err, "%s gives no trades by id", c->ex->name);
		if (f.n < 0 || !c->ex->trades_after)
			log_warn("collect", "%s: trades for a gap: %s", g[i].symbol, err);
		if (f.n < 0)
			f.n = 0;
		pthread_mutex_lock(&c->lock);
		if (c->nfills == c->capfills)
			c->fills = xrealloc(c->fills,
			                    (c->capfills = c->capfills ? c->capfills * 2 : 16) *
			                            sizeof *c->fills);
		c->fills[c->nfills++] = f;
		atomic_store(&c->fills_ready, 1);
		pthread_mutex_unlock(&c->lock);
		feed_ws_wake(c->ws);
	}
	free(g);
}

/* rest thread: the limiter recorded through the writer (rest_limits), for the next process */
static void save_limits(Collector *c, int64_t not_before, int banned, int used, int64_t window)
{
	StoreRecord r = {.type = STORE_REC_LIMITER};
	LimiterState *l = &r.u.limiter;
	records_copy_field(l->exchange, sizeof l->exchange, c->exchange);
	l->not_before = not_before;
	l->banned = banned;
	l->used = used;
	l->window = window;
	l->updated = fb_now_ms();
	put(c, &r);
}

static void on_limit(void *arg, const WeightLimiter *l)
{
	save_limits(arg, l->not_before, l->banned, l->used, l->window);
}

static void *rest_main(void *arg)
{
	Collector *c = arg;
	char err[512];
	tl_owner = c;
	RestClient *rc = rest_new(c->rest_url, c->o.weight_limit, c->o.timeout_ms, should_stop);
	if (rc)
		rest_set_rules(rc, &c->ex->limits, c->o.weight_limit, c->ex->body_error);
	pthread_mutex_lock(&c->lock);
	c->rc = rc;
	pthread_mutex_unlock(&c->lock);
	Store *reader = store_open(c->db_path, STORE_READONLY, 5000, err, sizeof err);
	if (!rc || !reader) {
		log_error("collect", "rest thread: %s", rc ? err : "cannot start libcurl");
		job_done(c, JOB_UNIVERSE, rc ? err : "cannot start libcurl");
		goto out;
	}
	/* a ban or Retry-After an earlier process drew is honoured before the first request */
	LimiterState ls;
	if (store_get_limiter(reader, c->exchange, &ls) == 1) {
		int64_t hold = rest_restore(rc, ls.not_before, ls.banned, ls.used, ls.window);
		if (hold) {
			char t[32];
			log_warn("collect",
			         "an earlier run was %s by the exchange: no request before %s",
			         ls.banned ? "banned" : "rate-limited",
			         fb_time_format(hold, t, sizeof t));
		}
	}
	rest_on_limit(rc, on_limit, c);
	/* 1. the universe; while the exchange's REST is held back (a ban an earlier process
	 * drew), the symbols the store holds, so that the streams start anyway */
	UniverseEntry *uni = NULL;
	long n = -1;
	int64_t held_until;
	int hb, hu, hl;
	rest_hold(rc, &held_until, &hb, &hu, &hl);
	if (held_until > fb_now_ms() + 5000) {
		char(*syms)[FB_SYMBOL_LEN] = xcalloc((size_t)c->o.top_n + 1, FB_SYMBOL_LEN);
		long k = store_recent_symbols(reader, c->exchange, c->o.top_n, syms);
		if (k > 0) {
			uni = xcalloc((size_t)k, sizeof *uni);
			for (long i = 0; i < k; i++) {
				memcpy(uni[i].symbol, syms[i], FB_SYMBOL_LEN);
				uni[i].quote_volume = uni[i].last = uni[i].change_pct = NAN;
				uni[i].tick_size = uni[i].step_size = NAN;
			}
			n = k;
			log_warn("collect",
			         "REST is held back: streaming the %ld symbols the store holds "
			         "until "
			         "the exchange can be asked for its ranking",
			         k);
		}
		free(syms);
	}
	for (int delay = 1000; n < 0 && !should_stop(); delay = delay < 30000 ? delay * 2 : 30000) {
		n = top_and_watched(c, rc, &uni, err, sizeof err);
		job_done(c, JOB_UNIVERSE, n < 0 ? err : NULL);
		if (n < 0)
			for (int t = 0; t < delay && !should_stop(); t += 100)
				fb_sleep_ms(100);
	}
	if (n < 0)
		goto out;
	c->symbols = xcalloc((size_t)n + 1, sizeof *c->symbols);
	c->sym = xcalloc((size_t)n + 1, sizeof *c->sym);
	for (long i = 0; i < n; i++) {
		memcpy(c->symbols[i], uni[i].symbol, FB_SYMBOL_LEN);
		memcpy(c->sym[i].symbol, uni[i].symbol, FB_SYMBOL_LEN);
	}
	c->nsymbols = c->nsym = (int)n;
	strindex_build(&c->sym_index, c->sym[0].symbol, sizeof *c->sym, c->nsym);
	push_tickers(c, uni, n);
	free(uni);
	log_info("collect", "tracking the top %d symbols by 24h quote volume", c->nsymbols);

	/* 2. the streams (before the backfill, so nothing closes unseen in between) */
	int nstreams = 0;
	char **streams = xcalloc((size_t)c->nsymbols * (c->o.nintervals + 4) + 1, sizeof *streams);
	for (int i = 0; i < c->nsymbols; i++)
		nstreams += symbol_streams(c, c->symbols[i], streams + nstreams);
	FeedWsOptions wo = {.ex = c->ex,
	                    .url = c->ws_url,
	                    .exchange = c->exchange,
	                    .stale_s = c->o.stale_s,
	                    .silent_stream_s = c->o.silent_stream_s,
	                    .backoff_reset_s = c->o.backoff_reset_s,
	                    .on_event = on_event,
	                    .on_reconnect = on_reconnect,
	                    .on_pass = on_pass,
	                    .on_status = on_ws_status,
	                    .arg = c};
	c->ws = feed_ws_start(&wo, streams, nstreams, err, sizeof err);
	for (int i = 0; i < nstreams; i++)
		free(streams[i]);
	free(streams);
	if (!c->ws) {
		job_done(c, JOB_WS, err);
		goto out;
	}

	/* 3. the lookback */
	int64_t now = server_time(c, rc, err, sizeof err);
	if (now < 0)
		now = fb_now_ms();
	int failures = 0;
	for (int i = 0; i < c->nsymbols && !should_stop(); i++)
		for (int j = 0; j < c->o.nintervals && !should_stop(); j++)
			failures += backfill_one(c, rc, reader, c->symbols[i], c->o.intervals[j],
			                         now) != 0;
	if (!failures)
		job_done(c, JOB_BACKFILL, NULL);
	if (c->live)
		quant_live_warm(c->live, (const char(*)[FB_SYMBOL_LEN])c->symbols, c->nsymbols);
	atomic_store(&c->ready, 1);
	log_info("collect", "initial backfill done; ready");

	/* 4. polls, reconnect backfills and periodic sweeps */
	int64_t next_poll = 0, next_sweep = fb_mono_ms() + (int64_t)c->o.gap_check_s * 1000;
	int poll_at = 0, rounds = 0; /* the next symbol to poll; rounds done */
	int64_t next_rank = fb_mono_ms() + (int64_t)c->o.rank_s * 1000;
	int64_t periods_ms = (int64_t)c->o.poll_s * 1000 < FUNDING_PERIODS_MS
	                             ? (int64_t)c->o.poll_s * 1000
	                             : FUNDING_PERIODS_MS;
	int64_t next_periods = fb_mono_ms() + periods_ms;
	while (!should_stop()) {
		fill_gaps(c, rc);
		/* the backfills that are due; the others wait in the list */
		pthread_mutex_lock(&c->lock);
		int64_t mono = fb_mono_ms();
		size_t nreq = 0, keep = 0;
		BackfillRequest *req = xcalloc(c->nrequests + 1, sizeof *req);
		for (size_t i = 0; i < c->nrequests; i++)
			if (c->requests[i].due <= mono)
				req[nreq++] = c->requests[i];
			else
				c->requests[keep++] = c->requests[i];
		c->nrequests = keep;
		pthread_mutex_unlock(&c->lock);
		if (nreq) {
			now = server_time(c, rc, err, sizeof err);
			for (size_t i = 0; i < nreq && now > 0 && !should_stop(); i++)
				backfill_one(c, rc, reader, req[i].symbol, req[i].interval, now);
		}
		free(req);
		if (fb_mono_ms() >= next_rank || atomic_exchange(&c->rerank_now, 0)) {
			next_rank = fb_mono_ms() + (int64_t)c->o.rank_s * 1000;
			rerank(c, rc, reader);
		}
		if (c->ex->funding_periods && fb_mono_ms() >= next_periods) {
			next_periods = fb_mono_ms() + periods_ms;
			poll_funding_periods(c, rc);
		}
		if (fb_mono_ms() >= next_sweep) {
			next_sweep = fb_mono_ms() + (int64_t)c->o.gap_check_s * 1000;
			now = server_time(c, rc, err, sizeof err);
			failures = 0;
			for (int i = 0; i < c->nsymbols && now > 0 && !should_stop(); i++) {
				for (int j = 0; j < c->o.nintervals && !should_stop(); j++)
					failures += backfill_one(c, rc, reader, c->symbols[i],
					                         c->o.intervals[j], now) != 0;
				failures += backfill_marks(c, rc, reader, c->symbols[i], now) != 0;
			}
			if (now > 0 && !failures)
				job_done(c, JOB_BACKFILL, NULL);
		}
		/* The polls are spread over the round, one symbol at a time (six light requests
		 * each), so they never come as one burst that meets the weight limit and holds a
		 * backfill back. The first round, right after the start, takes at most 20 s. */
		while (fb_mono_ms() >= next_poll && !should_stop()) {
			if (poll_at >= c->nsymbols) {
				poll_at = 0;
				rounds++;
				if (c->ex->premium(rc, err, sizeof err) == 0)
					job_done(c, JOB_PREMIUM, NULL);
				else
					job_done(c, JOB_PREMIUM, err);
			}
			int64_t round_ms = (int64_t)c->o.poll_s * 1000;
			if (!rounds && round_ms > 20000)
				round_ms = 20000;
			next_poll = fb_mono_ms() + round_ms / (c->nsymbols > 0 ? c->nsymbols : 1);
			if (poll_at < c->nsymbols) {
				fill_gaps(
				        c,
				        rc); /* a gap's trades first: REST keeps only the latest */
				poll_symbol(c, rc, reader, c->symbols[poll_at],
				            fb_now_ms() + c->server_offset_ms);
				poll_at++;
			}
		}
		for (int t = 0; t < 10 && !should_stop() && !atomic_load(&c->gaps_pending); t++)
			fb_sleep_ms(50);
	}
	/* stopping: one last gap pass for what closed since the last sweep (the streams still
	 * run meanwhile), bounded; what it does not reach, the next start's backfill does */
	if (c->o.final_pass_ms > 0 && atomic_load(&c->ready)) {
		atomic_store(&c->final_until, fb_mono_ms() + c->o.final_pass_ms);
		now = server_time(c, rc, err, sizeof err);
		if (now <= 0)
			log_warn("collect", "last gap pass: %s", err);
		int done = 0, total = c->nsymbols * c->o.nintervals;
		for (int i = 0; i < c->nsymbols && now > 0 && !should_stop(); i++)
			for (int j = 0; j < c->o.nintervals && !should_stop(); j++, done++)
				backfill_one(c, rc, reader, c->symbols[i], c->o.intervals[j], now);
		for (int i = 0; i < c->nsymbols && now > 0 && !should_stop(); i++)
			backfill_marks(c, rc, reader, c->symbols[i], now);
		log_info("collect", "last gap pass before stopping: %d of %d series", done, total);
		atomic_store(&c->final_until, 0);
	}
out:
	if (rc) { /* the weight used this minute, for a process started right after this one */
		const WeightLimiter *l = rest_limiter(rc);
		save_limits(c, l->not_before, l->banned, l->used, l->window);
	}
	store_close(reader);
	pthread_mutex_lock(&c->lock);
	c->rc = NULL;
	pthread_mutex_unlock(&c->lock);
	rest_free(rc);
	return NULL;
}

/* A venue: an exchange of c's besides the first, sharing c's writer (and nothing else). */
static Collector *venue_new(Collector *c, const CollectorVenue *vo)
{
	Collector *v = xcalloc(1, sizeof *v);
	v->o = c->o;
	v->o.rules = NULL;
	v->o.ship = NULL;
	v->o.nvenues = 0;
	v->o.health_port = 0;
	v->ex = vo->ex;
	v->o.ex = vo->ex;
	v->o.weight_limit = vo->weight_limit;
	v->o.timeout_ms = vo->timeout_ms > 0 ? vo->timeout_ms : c->o.timeout_ms;
	v->primary = c;
	v->evb = xmalloc(STAGE_EVENTS * sizeof *v->evb);
	v->recb = xmalloc(STAGE_RECORDS * sizeof *v->recb);
	v->db_path = xstrdup(c->db_path);
	v->rest_url = xstrdup(vo->rest_url);
	v->ws_url = xstrdup(vo->ws_url);
	v->exchange = xstrdup(vo->label);
	v->o.rest_url = v->rest_url;
	v->o.ws_url = v->ws_url;
	v->o.exchange = v->exchange;
	v->writer = c->writer;
	pthread_mutex_init(&v->lock, NULL);
	for (int j = 0; j < NJOBS; j++)
		v->jobs[j].allowed_age_s = c->jobs[j].allowed_age_s;
	v->started_ms = c->started_ms;
	v->nwatch = c->nwatch;
	v->watch = xcalloc((size_t)c->nwatch + 1, FB_SYMBOL_LEN);
	if (c->nwatch)
		memcpy(v->watch, c->watch, (size_t)c->nwatch * FB_SYMBOL_LEN);
	return v;
}

static void collector_free(Collector *c)
{
	free(c->evb);
	free(c->recb);
	strindex_free(&c->sym_index);
	free(c->symbols);
	for (int i = 0; i < c->nsym; i++) {
		free(c->sym[i].held);
		recent_free(&c->sym[i].uids);
	}
	free(c->sym);
	free(c->gaps);
	for (size_t i = 0; i < c->nfills; i++)
		free(c->fills[i].ev);
	free(c->fills);
	free(c->next_syms);
	free(c->fund_syms);
	free(c->fund_every);
	free(c->watch);
	free(c->requests);
	free(c->db_path);
	free(c->rest_url);
	free(c->ws_url);
	free(c->exchange);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

Collector *collector_start(const CollectorOptions *o, char *err, size_t errlen)
{
	Collector *c = xcalloc(1, sizeof *c);
	c->o = *o;
	c->evb = xmalloc(STAGE_EVENTS * sizeof *c->evb);
	c->recb = xmalloc(STAGE_RECORDS * sizeof *c->recb);
	c->db_path = xstrdup(o->db_path);
	c->rest_url = xstrdup(o->rest_url);
	c->ws_url = xstrdup(o->ws_url);
	c->exchange = xstrdup(o->exchange);
	c->ex = o->ex ? o->ex : &exchange_binance;
	if (c->o.poll_s <= 0)
		c->o.poll_s = 300;
	if (c->o.gap_check_s <= 0)
		c->o.gap_check_s = 60;
	if (c->o.rank_s <= 0)
		c->o.rank_s = 300;
	pthread_mutex_init(&c->lock, NULL);
	static const int allowed[NJOBS] = {3600, 600, 900, 900, 900, 60};
	for (int j = 0; j < NJOBS; j++)
		c->jobs[j].allowed_age_s = allowed[j];
	c->started_ms = fb_now_ms();
	c->nwatch = o->nwatch;
	c->watch = xcalloc((size_t)o->nwatch + 1, FB_SYMBOL_LEN);
	if (o->nwatch)
		memcpy(c->watch, o->watch, (size_t)o->nwatch * FB_SYMBOL_LEN);
	StoreWriterOptions wo = o->writer;
	wo.outbox = o->ship != NULL; /* every commit logged for the shipper */
	c->writer = store_writer_start(o->db_path, &wo, err, errlen);
	if (!c->writer)
		goto fail;
	if (o->ship && !(c->shipper = shipper_start(o->ship, c->writer, err, errlen)))
		goto fail;
	QuantLiveOptions lo = {.q = o->quant,
	                       .db_path = o->db_path,
	                       .writer = c->writer,
	                       .cycle_ms = o->engine_cycle_ms,
	                       .queue_capacity = o->engine_queue_capacity,
	                       .on_alert = o->on_alert,
	                       .arg = o->alert_arg};
	if (!lo.q.top_n) /* not filled in: the defaults */
		quant_default_options(&lo.q);
	lo.q.exchange = c->exchange;
	lo.q.top_n = o->top_n;
	lo.q.nintervals = o->nintervals < QUANT_MAX_INTERVALS ? o->nintervals : QUANT_MAX_INTERVALS;
	for (int i = 0; i < lo.q.nintervals; i++)
		memcpy(lo.q.intervals[i], o->intervals[i], FB_INTERVAL_LEN);
	c->live = quant_live_start(&lo, o->rules, err, errlen);
	c->o.rules = NULL;
	if (!c->live)
		goto fail;
	if (o->health_port != 0) {
		c->health = health_start(o->health_port < 0 ? 0 : o->health_port, c, err, errlen);
		if (!c->health)
			goto fail;
	}
	if (pthread_create(&c->rest_thread, NULL, rest_main, c)) {
		snprintf(err, errlen, "cannot start the rest thread");
		goto fail;
	}
	for (int k = 0; k < o->nvenues && k < COLLECTOR_MAX_VENUES; k++) {
		Collector *v = venue_new(c, &o->venues[k]);
		if (pthread_create(&v->rest_thread, NULL, rest_main, v)) {
			log_error("collect", "%s: cannot start its rest thread", v->ex->name);
			collector_free(v);
			continue;
		}
		c->venue[c->nvenues++] = v;
		log_info("collect", "collecting %s too, as '%s'", v->ex->name, v->exchange);
	}
	return c;
fail:
	health_stop(c->health);
	quant_live_stop(c->live);
	shipper_stop(c->shipper);
	store_writer_stop(c->writer);
	free(c->evb);
	free(c->recb);
	free(c->db_path);
	free(c->rest_url);
	free(c->ws_url);
	free(c->exchange);
	free(c);
	return NULL;
}

QuantLive *collector_engine(Collector *c)
{
	return c->live;
}

int collector_health_port(const Collector *c)
{
	return c->health ? health_port(c->health) : 0;
}
#define STORE_FAILING_MS 10000 /* a writer failing this long makes the collector not ready */

int collector_ready(Collector *c)
{
	if (!atomic_load(&c->ready))
		return 0;
	for (int k = 0; k < c->nvenues; k++)
		if (!atomic_load(&c->venue[k]->ready))
			return 0;
	StoreWriterStats st;
	store_writer_get_stats(c->writer, &st);
	return !(st.held && fb_now_ms() - st.failing_since_ms >= STORE_FAILING_MS);
}

void collector_health_json(Collector *c, StrBuf *b)
{
	int64_t now = fb_now_ms();
	FeedWsStats ws = {0};
	if (atomic_load(&c->ready) && c->ws)
		feed_ws_get_stats(c->ws, &ws);
	StoreWriterStats st;
	store_writer_get_stats(c->writer, &st);
	strbuf_printf(b, "{\"ready\":%s,\"uptime_s\":%lld,\"jobs\":{",
	              collector_ready(c) ? "true" : "false",
	              (long long)((now - c->started_ms) / 1000));
	pthread_mutex_lock(&c->lock);
	for (int j = 0; j < NJOBS; j++) {
		const Job *job = &c->jobs[j];
		int64_t age = job->last_success_ms ? (now - job->last_success_ms) / 1000 : -1;
		int64_t stalled = age < 0 ? (now - c->started_ms) / 1000 - job->allowed_age_s
		                          : age - job->allowed_age_s;
		json_t *e = json_string(job->last_error); /* escapes whatever came from outside */
		char *esc = json_dumps(e, JSON_ENCODE_ANY);
		strbuf_printf(b,
		              "%s\"%s\":{\"last_success_ts\":%lld,\"last_error\":%s,"
		              "\"consecutive_failures\":%d,\"age_s\":%lld,\"allowed_age_s\":%d,"
		              "\"stalled_by_s\":%lld}",
		              j ? "," : "", job_names[j], (long long)job->last_success_ms,
		              esc ? esc : "\"\"", job->consecutive_failures, (long long)age,
		              job->allowed_age_s, (long long)(stalled > 0 ? stalled : 0));
		free(esc);
		json_decref(e);
	}
	pthread_mutex_unlock(&c->lock);
	uint64_t queued = atomic_load(&c->records_queued);
	strbuf_printf(
	        b,
	        "},\"websocket\":{\"connections\":%d,\"connected\":%d,\"messages\":%llu,"
	        "\"events\":%llu,\"malformed\":%llu,\"reconnects\":%llu,\"stale\":%llu,"
	        "\"silent_streams\":%llu,\"passes\":%llu,\"last_message_ms\":%lld,"
	        "\"stream_seconds_lost\":%.1f},"
	        "\"store\":{\"queue_depth\":%zu,\"records_queued\":%llu,\"rows_written\":%llu,"
	        "\"transactions\":%llu,\"open_dropped\":%llu,\"write_errors\":%llu,",
	        ws.connections, ws.connected, (unsigned long long)ws.messages,
	        (unsigned long long)ws.events, (unsigned long long)ws.malformed,
	        (unsigned long long)ws.reconnects, (unsigned long long)ws.stale,
	        (unsigned long long)ws.silent_streams, (unsigned long long)ws.passes,
	        (long long)ws.last_message_ms, (double)ws.stream_ms_lost / 1000, st.queue_depth,
	        (unsigned long long)queued, (unsigned long long)st.rows_written,
	        (unsigned long long)st.transactions, (unsigned long long)st.open_dropped,
	        (unsigned long long)st.write_errors);
	{ /* a writer that cannot commit: how many records it holds, since when, and why */
		json_t *e = json_string(st.last_error);
		char *esc = json_dumps(e, JSON_ENCODE_ANY);
		strbuf_printf(b, "\"held\":%zu,\"failing_since_ms\":%lld,\"last_error\":%s},",
		              st.held, (long long)st.failing_since_ms, esc ? esc : "\"\"");
		free(esc);
		json_decref(e);
	}
	if (c->shipper) { /* the cluster store: lag, last error, retries */
		ShipperStats ss;
		shipper_get_stats(c->shipper, &ss);
		json_t *e = json_string(ss.last_error), *t = json_string(ss.target);
		char *esc = json_dumps(e, JSON_ENCODE_ANY), *tesc = json_dumps(t, JSON_ENCODE_ANY);
		strbuf_printf(b,
		              "\"shipper\":{\"target\":%s,\"rows_shipped\":%llu,\"batches\":%llu,"
		              "\"retries\":%llu,\"lag_rows\":%lld,\"lag_s\":%.1f,"
		              "\"last_ship_ms\":%lld,\"failing\":%s,\"last_error\":%s},",
		              tesc ? tesc : "\"\"", (unsigned long long)ss.rows_shipped,
		              (unsigned long long)ss.batches, (unsigned long long)ss.retries,
		              (long long)ss.pending_rows, (double)ss.lag_ms / 1000,
		              (long long)ss.last_ship_ms, ss.failing ? "true" : "false",
		              esc ? esc : "\"\"");
		free(esc);
		free(tesc);
		json_decref(e);
		json_decref(t);
	}
	strbuf_printf(b, "\"trades\":{\"recovered\":%llu,\"missing\":%llu,\"duplicate\":%llu},",
	              (unsigned long long)atomic_load(&c->trades_recovered),
	              (unsigned long long)atomic_load(&c->trades_missing),
	              (unsigned long long)atomic_load(&c->trades_duplicate));
	strbuf_printf(b, "\"connections\":[");
	for (int i = 0; i < ws.nconn; i++) {
		const FeedWsConnStats *cs = &ws.conn[i];
		json_t *e = json_string(cs->last_error);
		char *esc = e ? json_dumps(e, JSON_ENCODE_ANY) : NULL;
		strbuf_printf(b,
		              "%s{\"connected\":%s,\"streams\":%d,\"last_message_age_ms\":%lld,"
		              "\"reconnects\":%llu,\"last_error\":%s,\"last_error_ts\":%lld}",
		              i ? "," : "", cs->connected ? "true" : "false", cs->streams,
		              (long long)cs->last_message_age_ms,
		              (unsigned long long)cs->reconnects, esc ? esc : "\"\"",
		              (long long)cs->last_error_ms);
		free(esc);
		json_decref(e);
	}
	strbuf_printf(b, "],");
	int64_t until = 0;
	int banned = 0, used = 0, limit = 0;
	pthread_mutex_lock(&c->lock);
	if (c->rc)
		rest_hold(c->rc, &until, &banned, &used, &limit);
	pthread_mutex_unlock(&c->lock);
	char state[96];
	collector_feed_state(c, state, sizeof state);
	json_t *js = json_string(state);
	char *jstate = js ? json_dumps(js, JSON_ENCODE_ANY) : NULL;
	strbuf_printf(b,
	              "\"rest\":{\"weight_used\":%d,\"weight_limit\":%d,\"held_until_ms\":%lld,"
	              "\"banned\":%s},\"state\":%s,",
	              used, limit, (long long)until, banned ? "true" : "false",
	              jstate ? jstate : "\"\"");
	free(jstate);
	json_decref(js);
	/* every exchange: its feed state, jobs and streams */
	strbuf_printf(b, "\"exchanges\":[");
	for (int k = 0; k <= c->nvenues; k++) {
		Collector *v = k ? c->venue[k - 1] : c;
		char vstate[96];
		collector_feed_state(v, vstate, sizeof vstate);
		FeedWsStats vw = {0};
		if (atomic_load(&v->ready) && v->ws)
			feed_ws_get_stats(v->ws, &vw);
		json_t *jv = json_string(vstate);
		char *jvs = jv ? json_dumps(jv, JSON_ENCODE_ANY) : NULL;
		pthread_mutex_lock(&v->lock);
		int nsyms = atomic_load(&v->ready) ? v->nsymbols : 0;
		pthread_mutex_unlock(&v->lock);
		strbuf_printf(
		        b,
		        "%s{\"name\":\"%s\",\"label\":\"%s\",\"ready\":%s,\"state\":%s,"
		        "\"symbols\":%d,\"websocket\":{\"connections\":%d,\"connected\":%d,"
		        "\"messages\":%llu,\"malformed\":%llu,\"reconnects\":%llu,"
		        "\"stale\":%llu,\"silent_streams\":%llu},\"trades\":{\"recovered\":%llu,"
		        "\"missing\":%llu,\"duplicate\":%llu},\"jobs\":{",
		        k ? "," : "", v->ex->name, v->exchange,
		        atomic_load(&v->ready) ? "true" : "false", jvs ? jvs : "\"\"", nsyms,
		        vw.connections, vw.connected, (unsigned long long)vw.messages,
		        (unsigned long long)vw.malformed, (unsigned long long)vw.reconnects,
		        (unsigned long long)vw.stale, (unsigned long long)vw.silent_streams,
		        (unsigned long long)atomic_load(&v->trades_recovered),
		        (unsigned long long)atomic_load(&v->trades_missing),
		        (unsigned long long)atomic_load(&v->trades_duplicate));
		free(jvs);
		json_decref(jv);
		pthread_mutex_lock(&v->lock);
		for (int j = 0; j < NJOBS; j++) {
			json_t *e = json_string(v->jobs[j].last_error);
			char *esc = json_dumps(e, JSON_ENCODE_ANY);
			strbuf_printf(b, "%s\"%s\":{\"consecutive_failures\":%d,\"last_error\":%s}",
			              j ? "," : "", job_names[j], v->jobs[j].consecutive_failures,
			              esc ? esc : "\"\"");
			free(esc);
			json_decref(e);
		}
		pthread_mutex_unlock(&v->lock);
		strbuf_printf(b, "}}");
	}
	strbuf_printf(b, "],");
	QuantLiveStats q;
	quant_live_get_stats(c->live, &q);
	strbuf_printf(b,
	              "\"engine\":{\"warm\":%s,\"events_applied\":%llu,\"events_dropped\":%llu,"
	              "\"queue_depth\":%zu,\"generation\":%llu,\"warmups\":%llu,\"alerts\":%llu,"
	              "\"alert_commands\":%llu}}",
	              q.warm ? "true" : "false", (unsigned long long)q.applied,
	              (unsigned long long)q.dropped, q.queue_depth,
	              (unsigned long long)q.generation, (unsigned long long)q.warmups,
	              (unsigned long long)q.alerts, (unsigned long long)q.commands);
}

int collector_exchanges(const Collector *c)
{
	return 1 + c->nvenues;
}

int collector_exchange_state(Collector *c, int i, char *name, size_t namelen, char *out, size_t len)
{
	Collector *v = i > 0 && i <= c->nvenues ? c->venue[i - 1] : c;
	snprintf(name, namelen, "%s", v->ex->name);
	return collector_feed_state(v, out, len);
}

int collector_feed_state(Collector *c, char *out, size_t len)
{
	int64_t now = fb_now_ms(), until = 0;
	int banned = 0, level = 0, used = 0, limit = 0;
	char err[160] = "", t[32];
	pthread_mutex_lock(&c->lock);
	if (c->rc)
		rest_hold(c->rc, &until, &banned, &used, &limit);
	const Job *failing = NULL;
	static const int watched[] = {JOB_UNIVERSE, JOB_WS, JOB_BACKFILL};
	for (size_t k = 0; k < sizeof watched / sizeof *watched && !failing; k++)
		if (c->jobs[watched[k]].consecutive_failures > 0)
			failing = &c->jobs[watched[k]];
	if (failing)
		snprintf(err, sizeof err, "%s", failing->last_error);
	pthread_mutex_unlock(&c->lock);
	FeedWsStats ws = {0};
	int ready = atomic_load(&c->ready);
	if (ready && c->ws)
		feed_ws_get_stats(c->ws, &ws);
	if (until > now) {
		fb_time_format(until, t, sizeof t);
		snprintf(out, len, "%s until %.8s", banned ? "banned" : "throttled", t + 11);
		return banned ? 2 : 1;
	}
	StoreWriterStats sw;
	store_writer_get_stats(c->writer, &sw);
	if (sw.held && now - sw.failing_since_ms >= STORE_FAILING_MS) {
		fb_ascii_clean(sw.last_error);
		snprintf(out, len, "store: %.40s (%zu held)", sw.last_error, sw.held);
		return 2;
	}
	if (failing && (!ready || failing != &c->jobs[JOB_BACKFILL])) {
		fb_ascii_clean(err);
		snprintf(out, len, "error: %.48s", err);
		return 2;
	}
	if (!ready)
		snprintf(out, len, "connecting");
	else if (ws.connected < ws.connections)
		snprintf(out, len, "reconnecting (%llu)", (unsigned long long)ws.reconnects);
	else
		snprintf(out, len, "live");
	level = strcmp(out, "live") != 0;
	return level;
}

void collector_metrics(Collector *c, StrBuf *b)
{
	FeedWsStats ws = {0};
	if (atomic_load(&c->ready) && c->ws)
		feed_ws_get_stats(c->ws, &ws);
	StoreWriterStats st;
	store_writer_get_stats(c->writer, &st);
	strbuf_printf(b,
	              "# HELP futuresboard_ready 1 when the collector is ready.\n"
	              "# TYPE futuresboard_ready gauge\nfuturesboard_ready %d\n"
	              "# HELP futuresboard_ws_messages_total WebSocket messages received.\n"
	              "# TYPE futuresboard_ws_messages_total counter\n"
	              "futuresboard_ws_messages_total %llu\n"
	              "# HELP futuresboard_ws_malformed_total Messages that failed to parse.\n"
	              "# TYPE futuresboard_ws_malformed_total counter\n"
	              "futuresboard_ws_malformed_total %llu\n"
	              "# HELP futuresboard_ws_reconnects_total WebSocket reconnects.\n"
	              "# TYPE futuresboard_ws_reconnects_total counter\n"
	              "futuresboard_ws_reconnects_total %llu\n"
	              "# HELP futuresboard_ws_connected Connections up.\n"
	              "# TYPE futuresboard_ws_connected gauge\nfuturesboard_ws_connected %d\n"
	              "# HELP futuresboard_store_queue_depth Records waiting for the writer.\n"
	              "# TYPE futuresboard_store_queue_depth gauge\n"
	              "futuresboard_store_queue_depth %zu\n"
	              "# HELP futuresboard_store_rows_written_total Rows inserted or updated.\n"
	              "# TYPE futuresboard_store_rows_written_total counter\n"
	              "futuresboard_store_rows_written_total %llu\n"
	              "# HELP futuresboard_store_open_dropped_total Open-candle updates dropped.\n"
	              "# TYPE futuresboard_store_open_dropped_total counter\n"
	              "futuresboard_store_open_dropped_total %llu\n",
	              atomic_load(&c->ready), (unsigned long long)ws.messages,
	              (unsigned long long)ws.malformed, (unsigned long long)ws.reconnects,
	              ws.connected, st.queue_depth, (unsigned long long)st.rows_written,
	              (unsigned long long)st.open_dropped);
	strbuf_printf(b,
	              "# HELP futuresboard_trades_recovered_total Trades of reconnect gaps "
	              "recovered over REST.\n"
	              "# TYPE futuresboard_trades_recovered_total counter\n"
	              "futuresboard_trades_recovered_total %llu\n"
	              "# HELP futuresboard_trades_missing_total Trade ids of reconnect gaps that "
	              "REST did not give.\n"
	              "# TYPE futuresboard_trades_missing_total counter\n"
	              "futuresboard_trades_missing_total %llu\n"
	              "# HELP futuresboard_trades_duplicate_total Trades received twice and "
	              "counted once.\n"
	              "# TYPE futuresboard_trades_duplicate_total counter\n"
	              "futuresboard_trades_duplicate_total %llu\n",
	              (unsigned long long)atomic_load(&c->trades_recovered),
	              (unsigned long long)atomic_load(&c->trades_missing),
	              (unsigned long long)atomic_load(&c->trades_duplicate));
	if (c->shipper) {
		ShipperStats ss;
		shipper_get_stats(c->shipper, &ss);
		strbuf_printf(
		        b,
		        "# HELP futuresboard_ship_rows_total Rows the cluster store acknowledged.\n"
		        "# TYPE futuresboard_ship_rows_total counter\n"
		        "futuresboard_ship_rows_total %llu\n"
		        "# HELP futuresboard_ship_retries_total Refused or failed INSERTs, "
		        "retried.\n"
		        "# TYPE futuresboard_ship_retries_total counter\n"
		        "futuresboard_ship_retries_total %llu\n"
		        "# HELP futuresboard_ship_lag_rows Committed rows not shipped yet.\n"
		        "# TYPE futuresboard_ship_lag_rows gauge\n"
		        "futuresboard_ship_lag_rows %lld\n"
		        "# HELP futuresboard_ship_lag_seconds Age of the oldest of them.\n"
		        "# TYPE futuresboard_ship_lag_seconds gauge\n"
		        "futuresboard_ship_lag_seconds %.1f\n"
		        "# HELP futuresboard_ship_failing 1 while the last attempt failed.\n"
		        "# TYPE futuresboard_ship_failing gauge\n"
		        "futuresboard_ship_failing %d\n",
		        (unsigned long long)ss.rows_shipped, (unsigned long long)ss.retries,
		        (long long)ss.pending_rows, (double)ss.lag_ms / 1000, ss.failing);
	}
	pthread_mutex_lock(&c->lock);
	for (int j = 0; j < NJOBS; j++)
		strbuf_printf(b, "futuresboard_job_consecutive_failures{job=\"%s\"} %d\n",
		              job_names[j], c->jobs[j].consecutive_failures);
	pthread_mutex_unlock(&c->lock);
}

uint64_t collector_stop(Collector *c)
{
	if (!c)
		return 0;
	atomic_store(&c->stop, 1);
	for (int k = 0; k < c->nvenues; k++)
		atomic_store(&c->venue[k]->stop, 1);
	store_writer_stop_soon(c->writer);  /* a store that cannot commit must not hold the stop */
	pthread_join(c->rest_thread, NULL); /* it started the ws thread */
	for (int k = 0; k < c->nvenues; k++)
		pthread_join(c->venue[k]->rest_thread, NULL);
	health_stop(c->health); /* it reads the ws threads' stats: first */
	for (int k = 0; k < c->nvenues; k++) {
		Collector *v = c->venue[k];
		feed_ws_stop(v->ws);
		for (int i = 0; i < v->nsym; i++)
			if (v->sym[i].recovering)
				end_recovery(v, &v->sym[i], NULL, 0);
		flush_stage(v);
		collector_free(v);
		c->venue[k] = NULL;
	}
	c->nvenues = 0;
	feed_ws_stop(c->ws);
	/* the ws thread is gone: trades held for a gap nobody will fill now are kept anyway */
	for (int i = 0; i < c->nsym; i++)
		if (c->sym[i].recovering)
			end_recovery(c, &c->sym[i], NULL, 0);
	flush_stage(c);
	quant_live_stop(c->live); /* its last quant_summary goes to the writer */
	if (c->shipper) { /* everything the others sent, committed, goes in the last round */
		store_writer_sync(c->writer, 5000);
		shipper_stop(c->shipper);
	}
	uint64_t lost = store_writer_stop(c->writer); /* last: it flushes what the others sent */
	collector_free(c);
	return lost;
}
