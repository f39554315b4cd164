/* Series built from a lower interval (see derive.h). */
#include "quant/derive.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "core/timeutil.h"
#include "core/xmalloc.h"
#include "quant/aggregate.h"
#include "store/export.h"

static int db_error(Store *st, char *err, size_t errlen)
{
	snprintf(err, errlen, "%s", sqlite3_errmsg(store_db(st)));
	return -1;
}

int derive_kind(Store *st, const char *exchange, const char *symbol, const char *interval,
                char *from, size_t fromlen)
{
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(store_db(st),
	                       "SELECT derived_from FROM series AS s WHERE exchange = ?1 AND "
	                       "symbol = ?2 AND interval = ?3 AND EXISTS (SELECT 1 FROM candles "
	                       "WHERE series_id = s.id AND closed = 1)",
	                       -1, &s, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(s, 1, exchange, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, symbol, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, interval, -1, SQLITE_STATIC);
	int rc = sqlite3_step(s), kind = DERIVE_NONE;
	if (from && fromlen)
		from[0] = '\0';
	if (rc == SQLITE_ROW) {
		const unsigned char *d = sqlite3_column_text(s, 0);
		kind = d ? DERIVE_BUILT : DERIVE_EXCHANGE;
		if (d && from)
			snprintf(from, fromlen, "%s", (const char *)d);
	}
	sqlite3_finalize(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? kind : -1;
}

int derive_source(Store *st, const char *exchange, const char *symbol, const char *target,
                  char *from, size_t fromlen)
{
	int64_t want = fb_interval_ms(target), best = 0;
	sqlite3_stmt *s;
	if (want <= 0 ||
	    sqlite3_prepare_v2(store_db(st),
	                       "SELECT interval FROM series AS s WHERE exchange = ?1 AND symbol = "
	                       "?2 AND derived_from IS NULL AND EXISTS (SELECT 1 FROM candles "
	                       "WHERE series_id = s.id AND closed = 1)",
	                       -1, &s, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(s, 1, exchange, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, symbol, -1, SQLITE_STATIC);
	while (sqlite3_step(s) == SQLITE_ROW) {
		const char *iv = (const char *)sqlite3_column_text(s, 0);
		int64_t ms = iv ? fb_interval_ms(iv) : -1;
		if (ms > 0 && ms < want && want % ms == 0 &&
		    fb_interval_offset_ms(iv) % ms == fb_interval_offset_ms(target) % ms &&
		    (!best || ms < best)) {
			best = ms;
			snprintf(from, fromlen, "%s", iv);
		}
	}
	sqlite3_finalize(s);
	return best ? 0 : -1;
}

/* The closed candles of one series in time order, one at a time. */
typedef struct {
	sqlite3_stmt *s;
	const char *exchange, *symbol, *interval;
} Reader;

static int reader_open(Store *st, Reader *r, const char *exchange, const char *symbol,
                       const char *interval)
{
	r->exchange = exchange, r->symbol = symbol, r->interval = interval;
	if (sqlite3_prepare_v2(store_db(st),
	                       "SELECT c.open_time, c.close_time, c.open, c.high, c.low, c.close, "
	                       "c.volume, c.quote_volume, c.trades, c.taker_buy_volume, "
	                       "c.taker_buy_quote_volume FROM candles AS c JOIN series AS s ON "
	                       "s.id = c.series_id WHERE s.exchange = ?1 AND s.symbol = ?2 AND "
	                       "s.interval = ?3 AND c.closed = 1 ORDER BY c.open_time",
	                       -1, &r->s, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(r->s, 1, exchange, -1, SQLITE_STATIC);
	sqlite3_bind_text(r->s, 2, symbol, -1, SQLITE_STATIC);
	sqlite3_bind_text(r->s, 3, interval, -1, SQLITE_STATIC);
	return 0;
}

static double col(sqlite3_stmt *s, int i)
{
	return sqlite3_column_type(s, i) == SQLITE_NULL ? NAN : sqlite3_column_double(s, i);
}

/* 1 with c, 0 at the end, -1 on an error. */
static int reader_next(Reader *r, Candle *c)
{
	int rc = sqlite3_step(r->s);
	if (rc != SQLITE_ROW)
		return rc == SQLITE_DONE ? 0 : -1;
	memset(c, 0, sizeof *c);
	records_copy_field(c->exchange, sizeof c->exchange, r->exchange);
	records_copy_field(c->symbol, sizeof c->symbol, r->symbol);
	records_copy_field(c->interval, sizeof c->interval, r->interval);
	c->open_time = sqlite3_column_int64(r->s, 0);
	c->close_time = sqlite3_column_int64(r->s, 1);
	c->open = col(r->s, 2), c->high = col(r->s, 3), c->low = col(r->s, 4);
	c->close = col(r->s, 5), c->volume = col(r->s, 6), c->quote_volume = col(r->s, 7);
	c->trades =
	        sqlite3_column_type(r->s, 8) == SQLITE_NULL ? -1 : sqlite3_column_int64(r->s, 8);
	c->taker_buy_volume = col(r->s, 9), c->taker_buy_quote_volume = col(r->s, 10);
	c->closed = 1;
	return 1;
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
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(store_db(st),
	                       "INSERT INTO series (exchange, symbol, interval, derived_from) "
	                       "VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO UPDATE SET derived_from = "
	                       "excluded.derived_from",
	                       -1, &s, NULL) != SQLITE_OK)
		goto dberr;
	sqlite3_bind_text(s, 1, exchange, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, symbol, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, target, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, from, -1, SQLITE_STATIC);
	int rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
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
	sqlite3_finalize(r.s);
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
		sqlite3_finalize(lo.s);
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
	sqlite3_finalize(lo.s);
	sqlite3_finalize(hi.s);
	return rc;
}
