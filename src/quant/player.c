/* The replay player (see player.h): one engine, one replay reader, one pending event. */
#include "quant/player.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/timeutil.h"
#include "core/xmalloc.h"
#include "quant/alerts.h"
#include "quant/replay.h"
#include "store/clickhouse.h"
#include "store/store.h"

struct Player {
	PlayerOptions o;
	QuantOptions user; /* the caller's options, with its alert callback */
	char db_path[1024];
	char exchange[FB_EXCHANGE_LEN];
	Store *st;       /* the SQLite store, or */
	ChClient *ch;    /* the cluster store */
	StoreReader *rd; /* what the replay reads through: st's own, or ch's */
	QuantEngine *q;
	ReplayReader *r;
	Event next;
	int have_next, at_end;
	int64_t t, start, end;
	int64_t quiet_until; /* alerts at or before this time were shown already, or are warm-up */
};

static void on_alert(void *arg, const AlertRecord *a, const char *command, int bell)
{
	Player *p = arg;
	if (a->ts <= p->quiet_until || !p->user.on_alert)
		return;
	p->user.on_alert(p->user.alert_arg, a, command, bell);
}

/* min or max close time of the exchange's closed candles, of one interval or (NULL) all.
 * 0, or -1 when there are none or on a read error. */
static int close_time(StoreReader *rd, int newest, const char *exchange, const char *interval,
                      int64_t *out)
{
	const char *ivs[1] = {interval};
	StoreQuery q = store_query_all(SR_CANDLES);
	q.exchange = exchange, q.intervals = interval ? ivs : NULL, q.nintervals = interval ? 1 : 0;
	q.closed_only = 1, q.by_close = 1;
	char err[256];
	int64_t t;
	int rc = newest ? store_newest(rd, &q, &t, err, sizeof err)
	                : store_oldest(rd, &q, &t, err, sizeof err);
	if (rc || t < 0)
		return -1;
	*out = t;
	return 0;
}

static int cmp_interval(const void *a, const void *b)
{
	int64_t x = fb_interval_ms(a), y = fb_interval_ms(b);
	return x < y ? -1 : x > y;
}

/* Exchange, intervals and the clock's range from the store. */
static int describe(Player *p, char *err, size_t errlen)
{
	StoreReader *rd = p->rd;
	StoreQuery sq = store_query_all(SR_SERIES);
	StoreCursor *c;
	StoreRow row;
	if (!p->o.q.exchange) { /* the exchange with the most series (the first of equals) */
		if (!(c = store_query(rd, &sq, err, errlen)))
			return -1;
		int best = 0, run = 0, rc;
		char prev[FB_EXCHANGE_LEN] = "";
		while ((rc = store_next(c, &row, err, errlen)) == 1) {
			run = strcmp(prev, row.u.series.exchange) == 0 ? run + 1 : 1;
			records_copy_field(prev, sizeof prev, row.u.series.exchange);
			if (run > best) {
				best = run;
				records_copy_field(p->exchange, sizeof p->exchange, prev);
			}
		}
		store_cursor_close(c);
		if (rc < 0)
			return -1;
	} else
		records_copy_field(p->exchange, sizeof p->exchange, p->o.q.exchange);
	if (!p->exchange[0]) {
		snprintf(err, errlen,
		         "%s holds no candles to replay (fill it with collect, "
		         "backfill or import first)",
		         p->db_path);
		return -1;
	}
	if (p->o.q.nintervals == 0) {
		sq.exchange = p->exchange;
		if (!(c = store_query(rd, &sq, err, errlen)))
			return -1;
		QuantOptions *q = &p->o.q;
		int rc;
		while ((rc = store_next(c, &row, err, errlen)) == 1 &&
		       q->nintervals < QUANT_MAX_INTERVALS) {
			const char *iv = row.u.series.interval;
			int dup = 0;
			for (int k = 0; k < q->nintervals && !dup; k++)
				dup = strcmp(q->intervals[k], iv) == 0;
			if (!dup && fb_interval_ms(iv) > 0)
				records_copy_field(q->intervals[q->nintervals++], FB_INTERVAL_LEN,
				                   iv);
		}
		store_cursor_close(c);
		if (rc < 0)
			return -1;
		qsort(q->intervals, (size_t)q->nintervals, sizeof q->intervals[0], cmp_interval);
	}
	int64_t first = 0, last = 0;
	int none = close_time(rd, 0, p->exchange, NULL, &first);
	none |= close_time(rd, 1, p->exchange, NULL, &last);
	if (none || p->o.q.nintervals == 0) {
		snprintf(err, errlen, "%s holds no closed candles of %s to replay", p->db_path,
		         p->exchange);
		return -1;
	}
	/* the clock runs on whole candles of the shortest interval */
	int64_t iv = fb_interval_ms(p->o.q.intervals[0]);
	p->end = p->o.to_ms ? p->o.to_ms : (last / iv + 1) * iv;
	if (p->o.from_ms)
		p->start = p->o.from_ms;
	else { /* the last day, after a warm-up of 100 candles of the shortest interval */
		int64_t first_short = first;
		close_time(rd, 0, p->exchange, p->o.q.intervals[0], &first_short);
		p->start = p->end - FB_DAY_MS;
		int64_t warm = (first_short / iv + 100) * iv;
		if (p->start < warm)
			p->start = warm < p->end ? warm : p->end;
	}
	if (p->start < first - first % iv)
		p->start = first - first % iv;
	if (p->start > p->end) {
		char a[32], b[32];
		snprintf(err, errlen, "the replay starts at %s, after its end %s",
		         fb_time_format(p->start, a, sizeof a),
		         fb_time_format(p->end, b, sizeof b));
		return -1;
	}
	return 0;
}

/* A fresh engine and reader at the first stored event. */
static int rewind_all(Player *p, char *err, size_t errlen)
{
	replay_close(p->r);
	quant_free(p->q);
	QuantOptions q = p->o.q;
	q.exchange = p->exchange;
	q.on_alert = on_alert;
	q.alert_arg = p;
	p->q = quant_new(&q);
	if (p->o.rules) {
		AlertRules *rules = alert_rules_from_config(p->o.rules, err, errlen);
		if (!rules)
			return -1;
		quant_set_rules(p->q, rules);
	}
	const char *ivs[QUANT_MAX_INTERVALS];
	for (int i = 0; i < q.nintervals; i++)
		ivs[i] = p->o.q.intervals[i];
	ReplaySpec sp = {.exchange = p->exchange,
	                 .intervals = ivs,
	                 .nintervals = q.nintervals,
	                 .to_ms = p->end,
	                 .venues = 1};
	p->r = replay_open(p->rd, &sp, err, errlen);
	p->have_next = p->at_end = 0;
	p->t = INT64_MIN;
	return p->r ? 0 : -1;
}

static int advance(Player *p, int64_t t, char *err, size_t errlen)
{
	for (;;) {
		if (!p->have_next && !p->at_end) {
			int rc = replay_next(p->r, &p->next, err, errlen);
			if (rc < 0)
				return -1;
			p->have_next = rc == 1;
			p->at_end = rc == 0;
		}
		if (!p->have_next || p->next.ts > t)
			break;
		quant_apply(p->q, &p->next);
		p->have_next = 0;
	}
	p->t = t;
	quant_publish(p->q);
	return 0;
}

Player *player_open(const PlayerOptions *o, char *err, size_t errlen)
{
	Player *p = xcalloc(1, sizeof *p);
	p->o = *o;
	p->user = o->q;
	if (o->ch) { /* the cluster store; its name stands where the file's would */
		if ((p->ch = ch_open(o->ch, err, errlen)) &&
		    ch_check_schema(p->ch, err, errlen) == 0)
			p->rd = ch_reader(p->ch);
		if (p->ch)
			snprintf(p->db_path, sizeof p->db_path, "%s", ch_name(p->ch));
	} else {
		snprintf(p->db_path, sizeof p->db_path, "%s", o->db_path);
		if ((p->st = store_open(p->db_path, STORE_READONLY, 5000, err, errlen)))
			p->rd = store_reader(p->st);
	}
	if (!p->rd || describe(p, err, errlen) || rewind_all(p, err, errlen)) {
		player_close(p);
		return NULL;
	}
	p->quiet_until = p->start;
	if (advance(p, p->start, err, errlen)) {
		player_close(p);
		return NULL;
	}
	return p;
}

void player_close(Player *p)
{
	if (!p)
		return;
	replay_close(p->r);
	quant_free(p->q);
	if (p->ch) {
		store_reader_free(p->rd);
		ch_close(p->ch);
	}
	store_close(p->st);
	free(p);
}

int64_t player_time(const Player *p)
{
	return p->t;
}
int64_t player_start(const Player *p)
{
	return p->start;
}
int64_t player_end(const Player *p)
{
	return p->end;
}
const char *player_exchange(const Player *p)
{
	return p->exchange;
}
const char *player_db_path(const Player *p)
{
	return p->db_path;
}

StoreReader *player_reader(Player *p)
{
	return p->rd;
}
const QuantOptions *player_options(const Player *p)
{
	return &p->o.q;
}

int player_seek(Player *p, int64_t t, char *err, size_t errlen)
{
	if (t < p->start)
		t = p->start;
	if (t > p->end)
		t = p->end;
	if (t < p->t) {
		if (p->t > p->quiet_until)
			p->quiet_until = p->t;
		if (rewind_all(p, err, errlen))
			return -1;
	}
	return advance(p, t, err, errlen);
}

int64_t player_step_time(const Player *p, int64_t interval_ms, int dir)
{
	if (interval_ms <= 0)
		return p->t;
	int64_t base = p->t - p->t % interval_ms; /* times are positive */
	if (dir > 0)
		return base + interval_ms;
	return base == p->t ? base - interval_ms : base;
}

QuantSnapshot *player_acquire(Player *p)
{
	return quant_snapshot_acquire(p->q);
}
void player_release(Player *p, QuantSnapshot *s)
{
	quant_snapshot_release(p->q, s);
}
