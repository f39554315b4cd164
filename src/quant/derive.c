/* Series built from a lower interval (see derive.h). */
#include "quant/derive.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/timeutil.h"
#include "core/xmalloc.h"
#include "quant/aggregate.h"
#include "store/export.h"

static int db_error(Store *st, char *err, size_t errlen)
{
	snprintf(err, errlen, "%s", store_errmsg(st));
	return -1;
}

/* Whether a series has a closed candle: 1, 0, or -1 on a read error. */
static int has_closed(StoreReader *rd, const char *exchange, const char *symbol,
                      const char *interval)
{
	const char *syms[1] = {symbol}, *ivs[1] = {interval};
	StoreQuery q = store_query_all(SR_CANDLES);
	q.exchange = exchange, q.symbols = syms, q.nsymbols = 1;
	q.intervals = ivs, q.nintervals = 1, q.closed_only = 1;
	int64_t t;
	char err[256];
	if (store_newest(rd, &q, &t, err, sizeof err))
		return -1;
	return t >= 0;
}

/* The series of (exchange, symbol), of one interval or all (interval NULL): a cursor. */
static StoreCursor *series_of(StoreReader *rd, const char *exchange, const char *symbol,
                              const char *interval, int native_only)
{
	const char *syms[1] = {symbol}, *ivs[1] = {interval};
	StoreQuery q = store_query_all(SR_SERIES);
	q.exchange = exchange, q.symbols = syms, q.nsymbols = 1;
	q.intervals = interval ? ivs : NULL, q.nintervals = interval ? 1 : 0;
	q.native_only = native_only;
	char err[256];
	return store_query(rd, &q, err, sizeof err);
}

int derive_kind(Store *st, const char *exchange, const char *symbol, const char *interval,
                char *from, size_t fromlen)
{
	StoreReader *rd = store_reader(st);
	StoreCursor *c = series_of(rd, exchange, symbol, interval, 0);
	if (!c)
		return -1;
	StoreRow row;
	char err[256];
	int rc = store_next(c, &row, err, sizeof err), kind = DERIVE_NONE;
	store_cursor_close(c);
	if (from && fromlen)
		from[0] = '\0';
	if (rc == 1) {
		int has = has_closed(rd, exchange, symbol, interval);
		if (has < 0)
			return -1;
		const char *d = row.u.series.derived_from;
		if (has) {
			kind = *d ? DERIVE_BUILT : DERIVE_EXCHANGE;
			if (*d && from)
				snprintf(from, fromlen, "%s", d);
		}
	}
	return rc < 0 ? -1 : kind;
}

int derive_source(Store *st, const char *exchange, const char *symbol, const char *target,
                  char *from, size_t fromlen)
{
	int64_t want = fb_interval_ms(target), best = 0;
	StoreReader *rd = store_reader(st);
	StoreCursor *c = want > 0 ? series_of(rd, exchange, symbol, NULL, 1) : NULL;
	if (!c)
		return -1;
	StoreRow row;
	char err[256];
	while (store_next(c, &row, err, sizeof err) == 1) {
		const char *iv = row.u.series.interval;
		int64_t ms = fb_interval_ms(iv);
		if (ms > 0 && ms < want && want % ms == 0 &&
		    fb_interval_offset_ms(iv) % ms == fb_interval_offset_ms(target) % ms &&
		    (!best || ms < best) && has_closed(rd, exchange, symbol, iv) == 1) {
			best = ms;
			snprintf(from, fromlen, "%s", iv);
		}
	}
	store_cursor_close(c);
	return best ? 0 : -1;
}

/* The closed candles of one series in time order, one at a time. */
typedef struct {
	StoreCursor *c;
} Reader;

static int reader_open(Store *st, Reader *r, const char *exchange, const char *symbol,
                       const char *interval)
{
	const char *syms[1] = {symbol}, *ivs[1] = {interval};
	StoreQuery q = store_query_all(SR_CANDLES);
	q.exchange = exchange, q.symbols = syms, q.nsymbols = 1;
	q.intervals = ivs, q.nintervals = 1, q.closed_only = 1;
	char err[256];
	r->c = store_query(store_reader(st), &q, err, sizeof err);
	return r->c ? 0 : -1;
}

/* 1 with c, 0 at the end, -1 on an error. */
static int reader_next(Reader *r, Candle *c)
{
	StoreRow row;
	char err[256];
	int rc = store_next(r->c, &row, err, sizeof err);
	if (rc == 1)
		*c = row.u.candle;
	return rc;
}

static int check_pair(const char *from, const char *target, char *err, size_t errlen)
{
	int64_t f = fb_interval_ms(from), t = fb_interval_ms(target);
	if (f <= 0 || t <= 0 || f >= t || t % f) {
		snprintf(err, errlen, "%s cannot be built from %s: it is not a multiple of it",
		         target, from);
		return -1;
	}
	return 0;
}

int derive_build(Store *st, const char *exchange, const char *symbol, const char *from,
                 const char *target, DeriveCounts *c, char *err, size_t errlen)
{
	memset(c, 0, sizeof *c);
	if (check_pair(from, target, err, errlen))
		return -1;
	char was[FB_INTERVAL_LEN];
	int kind = derive_kind(st, exchange, symbol, target, was, sizeof was);
	if (kind < 0)
		return db_error(st, err, errlen);
	if (kind == DERIVE_EXCHANGE) {
		snprintf(err, errlen,
		         "%s %s %s: the exchange's own candles are stored, and are never "
		         "overwritten (db check --cross compares them with %s built from %s)",
		         exchange, symbol, target, target, from);
		return -1;
	}
	Aggregator a;
	if (agg_init(&a, target)) {
		snprintf(err, errlen, "%s: not an interval candles can be built for", target);
		return -1;
	}
	if (store_begin(st))
		return db_error(st, err, errlen);
	/* the series, marked as built (an empty exchange series row is taken over) */
	if (store_set_series_derived(st, exchange, symbol, target, from))
		goto dberr;
	store_set_derived_writer(st, 1);
	Reader r;
	if (reader_open(st, &r, exchange, symbol, from))
		goto dberr_writer;
	enum { CHUNK = 512 };
	Candle *buf = xmalloc(CHUNK * sizeof *buf), lower;
	size_t n = 0;
	StorePutCounts pc = {0, 0, 0};
	int got, bad = 0;
	while (!bad && (got = reader_next(&r, &lower)) == 1) {
		if (agg_push(&a, &lower, &buf[n]) == 1 && ++n == CHUNK) {
			bad = store_put_candles(st, buf, n, &pc) != 0;
			n = 0;
		}
	}
	if (got < 0)
		bad = 1;
	if (!bad && n)
		bad = store_put_candles(st, buf, n, &pc) != 0;
	store_cursor_close(r.c);
	free(buf);
	if (bad)
		goto dberr_writer;
	store_set_derived_writer(st, 0);
	if (store_commit(st))
		goto dberr;
	c->built = (long)(pc.inserted + pc.updated);
	c->unchanged = (long)pc.unchanged;
	/* the last bucket, when its span is not over yet, is incomplete too */
	c->incomplete = a.incomplete + (a.has ? 1 : 0);
	return 0;
dberr_writer:
	store_set_derived_writer(st, 0);
dberr:
	db_error(st, err, errlen);
	store_rollback(st);
	return -1;
}

static int same(double a, double b)
{
	return a == b || (isnan(a) && isnan(b));
}

int derive_cross(Store *st, const char *exchange, const char *symbol, const char *from,
                 const char *target, FILE *out, long max_listed, long *equal, long *differ,
                 char *err, size_t errlen)
{
	*equal = *differ = 0;
	if (check_pair(from, target, err, errlen))
		return -1;
	Aggregator a;
	if (agg_init(&a, target)) {
		snprintf(err, errlen, "%s: not an interval candles can be built for", target);
		return -1;
	}
	Reader lo, hi;
	if (reader_open(st, &lo, exchange, symbol, from))
		return db_error(st, err, errlen);
	if (reader_open(st, &hi, exchange, symbol, target)) {
		store_cursor_close(lo.c);
		return db_error(st, err, errlen);
	}
	Candle l, h, built;
	int gl = reader_next(&lo, &l), gh = reader_next(&hi, &h), rc = 0;
	while (gh == 1 && gl >= 0) {
		/* the next built candle */
		int have = 0;
		while (gl == 1 && !have) {
			have = agg_push(&a, &l, &built);
			gl = reader_next(&lo, &l);
			if (have && built.open_time < h.open_time)
				have = 0; /* before the exchange's candles */
		}
		if (!have)
			break;
		while (gh == 1 && h.open_time < built.open_time)
			gh = reader_next(&hi, &h);
		if (gh != 1 || h.open_time != built.open_time)
			continue; /* the exchange has no such candle */
		static const char *names[] = {"open",
		                              "high",
		                              "low",
		                              "close",
		                              "volume",
		                              "quote_volume",
		                              "trades",
		                              "taker_buy_volume",
		                              "taker_buy_quote_volume"};
		double x[9] = {h.open,
		               h.high,
		               h.low,
		               h.close,
		               h.volume,
		               h.quote_volume,
		               h.trades < 0 ? NAN : (double)h.trades,
		               h.taker_buy_volume,
		               h.taker_buy_quote_volume};
		double y[9] = {built.open,
		               built.high,
		               built.low,
		               built.close,
		               built.volume,
		               built.quote_volume,
		               built.trades < 0 ? NAN : (double)built.trades,
		               built.taker_buy_volume,
		               built.taker_buy_quote_volume};
		int bad = 0;
		for (int k = 0; k < 9; k++) {
			if (same(x[k], y[k]) || isnan(x[k]) || isnan(y[k]))
				continue; /* equal, or one side does not have it */
			if (!bad++ && (max_listed <= 0 || *differ < max_listed)) {
				char t[32];
				fprintf(out, "  %s %s %s %s:", exchange, symbol, target,
				        fb_time_format(h.open_time, t, sizeof t));
			}
			if (max_listed <= 0 || *differ < max_listed) {
				char p[40], q[40];
				fprintf(out, " %s %s (built from %s: %s)", names[k],
				        export_format_double(x[k], p, sizeof p), from,
				        export_format_double(y[k], q, sizeof q));
			}
		}
		if (bad && (max_listed <= 0 || *differ < max_listed))
			fputc('\n', out);
		*(bad ? differ : equal) += 1;
		gh = reader_next(&hi, &h);
	}
	if (gl < 0 || gh < 0)
		rc = db_error(st, err, errlen);
	store_cursor_close(lo.c);
	store_cursor_close(hi.c);
	return rc;
}
