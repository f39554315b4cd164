/* Backfill of one series.
 *
 * 1. The expected open times run from since (rounded up to the grid) to the last candle closed
 *    at least BACKFILL_GRACE_MS before now.
 * 2. Missing = expected, minus closed candles already stored, minus ranges recorded in
 *    source_gaps. Consecutive missing times form a gap.
 * 3. Each gap is fetched in pages of up to 1000 candles (the exchange's page, if smaller).
 *    Inside the requested
 *    window, every time the exchange did not return is a hole: missing at the source —
 *    except a tail younger than BACKFILL_SETTLE_MS with nothing after it, which may simply not
 *    be published yet; it is asked for again at the next pass instead of being given up. */
#include "feed/backfill.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"
#include "feed/exchange.h"
#include "store/writer.h"

#define BACKFILL_PAGE      1000
#define BACKFILL_GRACE_MS  5000
#define BACKFILL_SETTLE_MS (15 * 60 * 1000)

typedef struct {
	int64_t from, to; /* open times, inclusive */
} Range;

typedef struct {
	Range *v;
	size_t n, cap;
} Ranges;

static void ranges_add(Ranges *r, int64_t from, int64_t to, int64_t ivl)
{
	if (r->n && r->v[r->n - 1].to + ivl == from) {
		r->v[r->n - 1].to = to;
		return;
	}
	if (r->n == r->cap)
		r->v = xrealloc(r->v, (r->cap = r->cap ? r->cap * 2 : 16) * sizeof *r->v);
	r->v[r->n++] = (Range){from, to};
}

static int64_t align_up(int64_t t, int64_t ivl, int64_t off)
{
	int64_t r = ((t - off) % ivl + ivl) % ivl;
	return r ? t - r + ivl : t;
}

static int db_err(Store *st, char *err, size_t errlen)
{
	snprintf(err, errlen, "%s: %s", store_path(st), store_errmsg(st));
	return -1;
}

static void add_missing(void *arg, int64_t t, int64_t ivl)
{
	ranges_add(arg, t, t, ivl);
}

/* The missing runs of [first, last]. */
static int find_missing(Store *st, int64_t series, int64_t first, int64_t last, int64_t ivl,
                        Ranges *missing, long *known, char *err, size_t errlen)
{
	if (store_missing_candles(st, series, first, last, ivl, add_missing, missing, known))
		return db_err(st, err, errlen);
	return 0;
}

/* Where backfilled rows go: straight into the Store (the backfill command) or through the
 * store writer (the collector, whose writer thread is the only one that writes). */
static int record_hole(const BackfillTarget *to, const char *exchange, const char *symbol,
                       const char *interval, int64_t from, int64_t upto, int64_t now)
{
	StoreRecord r = {.type = STORE_REC_SOURCE_GAP};
	records_copy_field(r.u.gap.exchange, sizeof r.u.gap.exchange, exchange);
	records_copy_field(r.u.gap.symbol, sizeof r.u.gap.symbol, symbol);
	records_copy_field(r.u.gap.interval, sizeof r.u.gap.interval, interval);
	r.u.gap.from = from;
	r.u.gap.to = upto;
	r.u.gap.found_ms = now;
	if (to->writer)
		return store_writer_put(to->writer, &r);
	return store_put_source_gap(to->st, &r.u.gap) < 0 ? -1 : 0;
}

static int put_candles(const BackfillTarget *to, Candle *c, long k, StorePutCounts *pc)
{
	if (to->writer) {
		for (long i = 0; i < k; i++) {
			StoreRecord r = {.type = STORE_REC_CANDLE};
			r.u.candle = c[i];
			if (store_writer_put(to->writer, &r))
				return -1;
		}
		pc->inserted += (size_t)k; /* queued; the writer tells new from updated */
		return 0;
	}
	if (store_begin(to->st) || store_put_candles(to->st, c, (size_t)k, pc) ||
	    store_commit(to->st)) {
		store_rollback(to->st);
		return -1;
	}
	return 0;
}

/* Fetches one gap page by page, each page a window of at most BACKFILL_PAGE open times (the
 * exchange answers a window in full or up to its end; newest-first exchanges are turned
 * around by the exchange's code). Returns 0 or -1. */
static int fill_gap(const Exchange *ex, RestClient *rc, const BackfillTarget *to,
                    const char *exchange, const char *symbol, const char *interval, Range gap,
                    int64_t ivl, int64_t now, BackfillReport *rep, char *err, size_t errlen)
{
	int64_t cur = gap.from;
	long holes = 0, pending = 0;
	int page_max = ex->kline_page < BACKFILL_PAGE ? ex->kline_page : BACKFILL_PAGE;
	while (cur <= gap.to) {
		int64_t want = (gap.to - cur) / ivl + 1;
		int limit = want < page_max ? (int)want : page_max;
		int64_t page_to = cur + (int64_t)(limit - 1) * ivl;
		char why[256];
		Candle *c = NULL;
		long bad = 0, n = 0;
		/* A page with rows the parser refused is asked for once more at once (a garbled
		 * answer is seldom garbled twice): the last pass before a stop has no next pass. */
		for (int attempt = 0; attempt < 2 && (attempt == 0 || bad); attempt++) {
			free(c);
			c = NULL;
			n = ex->klines(rc, exchange, symbol, interval, cur, page_to, limit, now, &c,
			               &bad, why, sizeof why);
			if (n < 0) {
				snprintf(err, errlen, "%s", why);
				return -1;
			}
			rep->malformed += bad;
			if (bad && attempt == 0)
				log_warn("backfill",
				         "%s %s: %ld rows of an answer refused: asking again",
				         symbol, interval, bad);
		}
		/* Rows the parser refused are not rows the exchange lacks: a page with any is no
		 * evidence of a hole at the source; its gaps stay gaps, asked for again by the next
		 * pass (the sweep), never recorded in source_gaps. */
		if (bad)
			log_warn(
			        "backfill",
			        "%s %s: %ld rows of an answer refused again: their candles will be "
			        "asked for again",
			        symbol, interval, bad);
		/* keep rows inside the window, in order; anything else is the exchange's noise */
		long k = 0;
		for (long i = 0; i < n; i++)
			if (c[i].open_time >= cur && c[i].open_time <= page_to && c[i].closed &&
			    (k == 0 || c[i].open_time > c[k - 1].open_time))
				c[k++] = c[i];
		StorePutCounts pc = {0, 0, 0};
		if (k && put_candles(to, c, k, &pc)) {
			free(c);
			snprintf(err, errlen, "storing candles failed%s%s", to->writer ? "" : ": ",
			         to->writer ? " (the writer is stopping)" : store_errmsg(to->st));
			return -1;
		}
		int64_t t = cur;
		int unpublished = 0;
		for (long i = 0; i <= k; i++) {
			/* the page's end: the exchange sent what it had up to page_to */
			int64_t next = i < k ? c[i].open_time : (n < limit ? page_to + ivl : t);
			int tail = i == k && next > t;
			if (tail && next > now - BACKFILL_SETTLE_MS) {
				rep->candles_pending += (long)((next - t) / ivl);
				pending = unpublished = 1;
				break; /* not published yet, perhaps: the next pass asks again */
			}
			if (next > t && bad) {
				pending =
				        1; /* not the source's hole: the refused rows were there */
			} else if (next > t) {
				int64_t hole_to = next - ivl;
				if (record_hole(to, exchange, symbol, interval, t, hole_to, now)) {
					free(c);
					snprintf(err, errlen, "recording a source gap failed");
					return -1;
				}
				holes++;
				rep->candles_unfillable += (long)((hole_to - t) / ivl + 1);
				log_info("backfill",
				         "%s %s: no candles at the source from %lld to %lld",
				         symbol, interval, (long long)t, (long long)hole_to);
			}
			if (i < k)
				t = c[i].open_time + ivl;
		}
		rep->candles_added += (long)pc.inserted;
		rep->candles_updated += (long)pc.updated;
		free(c);
		if (unpublished || (k == 0 && n >= limit))
			break;   /* not published yet, or only rows outside the window (noise) */
		if (n < limit) { /* the exchange has nothing more in this page */
			if (page_to >= gap.to)
				break;
			cur = page_to + ivl;
		} else
			cur = t;
	}
	rep->gaps_unfillable += holes;
	if (!holes && !pending)
		rep->gaps_fixed++;
	return 0;
}

int backfill_window(const char *interval, int64_t since, int64_t now, int64_t clock, int64_t *first,
                    int64_t *last, char *err, size_t errlen)
{
	int64_t ivl = fb_interval_ms(interval), off = fb_interval_offset_ms(interval);
	if (ivl <= 0) {
		snprintf(err, errlen, "unsupported interval '%s'", interval);
		return -1;
	}
	/* times checked before any arithmetic: a wild one (a serverTime near INT64_MAX) would make
	 * the gaps, and the backfill's loops, endless */
	if (now < 1483228800000LL || now - FB_DAY_MS > clock || since < 0 || since > now) {
		snprintf(err, errlen, "backfill: implausible time range %lld .. %lld",
		         (long long)since, (long long)now);
		return -1;
	}
	*first = align_up(since, ivl, off);
	/* last: the newest candle that closed at least the grace period ago */
	*last = align_up(now - BACKFILL_GRACE_MS - ivl + 1, ivl, off);
	while (*last + ivl > now - BACKFILL_GRACE_MS)
		*last -= ivl;
	return 0;
}

int backfill_series(const Exchange *ex, RestClient *rc, const BackfillTarget *to,
                    const char *exchange, const char *symbol, const char *interval, int64_t since,
                    int64_t now, BackfillReport *rep, char *err, size_t errlen)
{
	int64_t ivl = fb_interval_ms(interval), first, last;
	if (backfill_window(interval, since, now, fb_now_ms(), &first, &last, err, errlen))
		return -1;
	rep->series++;
	if (first > last)
		return 0;
	/* through a writer, to->st is a reader: a series it does not know yet has nothing */
	int64_t series = store_series_id(to->st, exchange, symbol, interval, !to->writer);
	if (series < 0 || (series == 0 && !to->writer))
		return db_err(to->st, err, errlen);
	Ranges missing = {NULL, 0, 0};
	int status = find_missing(to->st, series, first, last, ivl, &missing,
	                          &rep->known_unfillable, err, errlen);
	if (status == 0)
		rep->gaps_found += (long)missing.n;
	for (size_t i = 0; status == 0 && i < missing.n; i++)
		status = fill_gap(ex, rc, to, exchange, symbol, interval, missing.v[i], ivl, now,
		                  rep, err, errlen);
	free(missing.v);
	return status;
}
