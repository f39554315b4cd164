/* db check and db stats. Gaps come from one ordered scan of each series' open times (the
 * primary key makes it an index walk); sanity violations from one filtered query. */
#include "store/check.h"

#include <stdlib.h>
#include <string.h>

#include "core/strbuf.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"
#include "store/internal.h"

typedef struct {
	int64_t id;
	char *exchange, *symbol, *interval;
	char built[16]; /* the lower interval it was built from, "" for the exchange's own */
	long rows;
} Series;

/* Database text for the terminal: escaped (a symbol once carried an ESC sequence that
 * cleared the screen through db stats); one call's result lives until the next call. */
static const char *safe_text(const unsigned char *t)
{
	static _Thread_local char buf[512];
	return t ? fb_escape_text((const char *)t, buf, sizeof buf) : "";
}

static int db_fail(Store *st, char *err, size_t errlen)
{
	snprintf(err, errlen, "%s: %s", store_path(st), sqlite3_errmsg(store_db(st)));
	return -1;
}

/* Lists the series matching opt; caller frees with free_series. */
static int list_series(Store *st, const CheckOptions *opt, Series **out, long *n, char *err,
                       size_t errlen)
{
	sqlite3_stmt *s;
	const char *sql =
	        "SELECT s.id, s.exchange, s.symbol, s.interval, "
	        "(SELECT count(*) FROM candles WHERE series_id = s.id) AS n, s.derived_from "
	        "FROM series AS s "
	        "WHERE (?1 IS NULL OR symbol = ?1) AND (?2 IS NULL OR interval = ?2) AND n > 0 "
	        "ORDER BY exchange, symbol, interval";
	if (sqlite3_prepare_v2(store_db(st), sql, -1, &s, NULL) != SQLITE_OK)
		return db_fail(st, err, errlen);
	if (opt->symbol)
		sqlite3_bind_text(s, 1, opt->symbol, -1, SQLITE_STATIC);
	if (opt->interval)
		sqlite3_bind_text(s, 2, opt->interval, -1, SQLITE_STATIC);
	long cap = 16, count = 0;
	Series *v = xmalloc((size_t)cap * sizeof *v);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (count == cap)
			v = xrealloc(v, (size_t)(cap *= 2) * sizeof *v);
		v[count].id = sqlite3_column_int64(s, 0);
		v[count].exchange = xstrdup(safe_text(sqlite3_column_text(s, 1)));
		v[count].symbol = xstrdup(safe_text(sqlite3_column_text(s, 2)));
		v[count].interval = xstrdup(safe_text(sqlite3_column_text(s, 3)));
		v[count].rows = (long)sqlite3_column_int64(s, 4);
		const unsigned char *b = sqlite3_column_text(s, 5);
		snprintf(v[count].built, sizeof v[count].built, "%s", safe_text(b));
		count++;
	}
	sqlite3_finalize(s);
	*out = v;
	*n = count;
	if (rc != SQLITE_DONE)
		return db_fail(st, err, errlen);
	return 0;
}

static void free_series(Series *v, long n)
{
	for (long i = 0; i < n; i++) {
		free(v[i].exchange);
		free(v[i].symbol);
		free(v[i].interval);
	}
	free(v);
}

static int check_one(Store *st, const Series *se, const CheckOptions *opt, FILE *out,
                     CheckReport *rep, char *err, size_t errlen)
{
	char t1[32], t2[32];
	int64_t ivl = fb_interval_ms(se->interval), off = fb_interval_offset_ms(se->interval);
	int listed = opt->max_listed > 0 ? opt->max_listed : 10;
	if (ivl <= 0) {
		fprintf(out, "%s %s %s: interval not checked (supported: %s)\n", se->exchange,
		        se->symbol, se->interval, fb_interval_list());
		rep->unknown_interval++;
		return 0;
	}
	sqlite3_stmt *s;
	const char *sql = "SELECT open_time, close_time, open, high, low, close, volume, "
	                  "quote_volume, taker_buy_volume, closed FROM candles "
	                  "WHERE series_id = ?1 ORDER BY open_time";
	if (sqlite3_prepare_v2(store_db(st), sql, -1, &s, NULL) != SQLITE_OK)
		return db_fail(st, err, errlen);
	sqlite3_bind_int64(s, 1, se->id);
	/* Ranges the exchange itself lacks (recorded by backfill) are named, not counted. */
	int64_t(*src)[2] = NULL;
	size_t nsrc = 0;
	sqlite3_stmt *g;
	if (sqlite3_prepare_v2(store_db(st),
	                       "SELECT from_time, to_time FROM source_gaps WHERE series_id = ?1",
	                       -1, &g, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(g, 1, se->id);
		while (sqlite3_step(g) == SQLITE_ROW) {
			src = xrealloc(src, (nsrc + 1) * sizeof *src);
			src[nsrc][0] = sqlite3_column_int64(g, 0);
			src[nsrc][1] = sqlite3_column_int64(g, 1);
			nsrc++;
		}
		sqlite3_finalize(g);
	}
	long gaps = 0, missing = 0, misaligned = 0, bad = 0, listed_gaps = 0, listed_bad = 0;
	long source = 0, incomplete = 0;
	int64_t now = fb_now_ms();
	int64_t prev = 0, first = 0, last = 0;
	int have_prev = 0, rc;
	char head[200];
	snprintf(head, sizeof head, "%s %s %s%s%s%s", se->exchange, se->symbol, se->interval,
	         se->built[0] ? " (built from " : "", se->built, se->built[0] ? ")" : "");
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t ot = sqlite3_column_int64(s, 0), ct = sqlite3_column_int64(s, 1);
		double o = sqlite3_column_double(s, 2), h = sqlite3_column_double(s, 3),
		       l = sqlite3_column_double(s, 4), c = sqlite3_column_double(s, 5),
		       v = sqlite3_column_double(s, 6), qv = sqlite3_column_double(s, 7),
		       tb = sqlite3_column_double(s, 8);
		/* a candle stored while forming whose period is over: its final values were never
		 * stored (the collector's sweeps fetch it again); not a present candle */
		if (sqlite3_column_int(s, 9) == 0 && ct < now) {
			incomplete++;
			if (listed_bad++ < listed)
				fprintf(out, "%s: candle %s is incomplete (stored while forming)\n",
				        head, fb_time_format(ot, t1, sizeof t1));
		}
		if (!have_prev)
			first = ot;
		last = ot;
		int aligned = (ot - off) % ivl == 0;
		if (!aligned) {
			misaligned++;
			if (listed_bad++ < listed)
				fprintf(out, "%s: open time %s is not on the %s grid\n", head,
				        fb_time_format(ot, t1, sizeof t1), se->interval);
		}
		if (have_prev && aligned && ot - prev > ivl) {
			long miss = (long)((ot - prev) / ivl) - ((ot - prev) % ivl == 0);
			int at_source = 0;
			for (size_t k = 0; k < nsrc && !at_source; k++)
				at_source = src[k][0] <= prev + ivl && src[k][1] >= ot - ivl;
			if (at_source) {
				source += miss;
			} else {
				gaps++;
				missing += miss;
			}
			if (listed_gaps++ < listed)
				fprintf(out, "%s: gap of %ld candle%s, %s to %s%s\n", head, miss,
				        miss == 1 ? "" : "s",
				        fb_time_format(prev + ivl, t1, sizeof t1),
				        fb_time_format(ot - ivl, t2, sizeof t2),
				        at_source ? ": missing at the source (not a problem)" : "");
		}
		const char *why = NULL;
		if (o <= 0 || h <= 0 || l <= 0 || c <= 0)
			why = "a price is not positive";
		else if (h < l || h < o || h < c)
			why = "high is not the highest price";
		else if (l > o || l > c)
			why = "low is not the lowest price";
		else if (v < 0 || qv < 0 || tb < 0)
			why = "a volume is negative";
		else if (ct != ot + ivl - 1)
			why = "close_time is not open_time + interval - 1";
		if (why) {
			bad++;
			if (listed_bad++ < listed)
				fprintf(out, "%s: candle %s: %s\n", head,
				        fb_time_format(ot, t1, sizeof t1), why);
		}
		if (aligned) {
			prev = ot;
			have_prev = 1;
		}
	}
	sqlite3_finalize(s);
	free(src);
	if (rc != SQLITE_DONE)
		return db_fail(st, err, errlen);
	if (source)
		fprintf(out, "%s: %ld candles missing at the source\n", head, source);
	if (listed_gaps > listed)
		fprintf(out, "%s: %ld more gaps not listed\n", head, listed_gaps - listed);
	if (listed_bad > listed)
		fprintf(out, "%s: %ld more bad candles not listed\n", head, listed_bad - listed);
	fprintf(out, "%s: %ld candles %s .. %s: %s", head, se->rows,
	        fb_time_format(first, t1, sizeof t1), fb_time_format(last, t2, sizeof t2),
	        gaps || misaligned || bad || incomplete ? "" : "ok\n");
	if (gaps || misaligned || bad || incomplete)
		fprintf(out,
		        "%ld gaps (%ld candles missing), %ld incomplete, %ld misaligned, %ld bad "
		        "OHLC\n",
		        gaps, missing, incomplete, misaligned, bad);
	if (se->rows && last + ivl - 1 > rep->newest_close)
		rep->newest_close = last + ivl - 1;
	rep->series++;
	rep->candles += se->rows;
	rep->gaps += gaps;
	rep->missing += missing;
	rep->misaligned += misaligned;
	rep->bad_ohlc += bad;
	rep->incomplete += incomplete;
	return 0;
}

int check_candles(Store *st, const CheckOptions *opt, FILE *out, CheckReport *rep, char *err,
                  size_t errlen)
{
	memset(rep, 0, sizeof *rep);
	Series *v;
	long n;
	if (list_series(st, opt, &v, &n, err, errlen))
		return -1;
	int rc = 0;
	for (long i = 0; i < n && rc == 0; i++)
		rc = check_one(st, &v[i], opt, out, rep, err, errlen);
	free_series(v, n);
	if (rc)
		return -1;
	fprintf(out,
	        "checked %ld series, %ld candles: %ld gaps (%ld candles missing), %ld incomplete, "
	        "%ld misaligned, %ld bad OHLC\n",
	        rep->series, rep->candles, rep->gaps, rep->missing, rep->incomplete,
	        rep->misaligned, rep->bad_ohlc);
	/* gaps are looked for between stored candles: a store that stopped growing has none
	 * after its end, so say how old that end is */
	if (rep->newest_close) {
		char t[32];
		int64_t age = (fb_now_ms() - rep->newest_close) / 60000;
		fprintf(out, "newest candle closed %s, ",
		        fb_time_format(rep->newest_close + 1, t, sizeof t));
		if (age < -1)
			fprintf(out, "ahead of this machine's clock\n");
		else if (age < 1)
			fprintf(out, "under a minute ago\n");
		else if (age < 120)
			fprintf(out, "%lld min ago\n", (long long)age);
		else {
			if (age < 48 * 60)
				fprintf(out, "%lld h %lld min ago", (long long)(age / 60),
				        (long long)(age % 60));
			else
				fprintf(out, "%lld days ago", (long long)(age / 1440));
			fprintf(out,
			        ": nothing newer is stored, and gaps are only looked for before "
			        "it\n");
		}
	}
	return rep->gaps || rep->misaligned || rep->bad_ohlc || rep->incomplete ? 1 : 0;
}

/* Prints one grouped span query: key columns, count, min and max time. */
static int stats_query(Store *st, FILE *out, const char *title, const char *sql, int nkeys,
                       int64_t (*expected)(const char *interval, int64_t span), char *err,
                       size_t errlen)
{
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(store_db(st), sql, -1, &s, NULL) != SQLITE_OK)
		return db_fail(st, err, errlen);
	int rc, any = 0;
	char t1[32], t2[32];
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (!any++)
			fprintf(out, "%s\n", title);
		char key[160] = "";
		size_t used = 0;
		for (int k = 0; k < nkeys; k++)
			used += (size_t)snprintf(key + used, sizeof key - used, "%s%s",
			                         k ? " " : "",
			                         safe_text(sqlite3_column_text(s, k)));
		long long rows = sqlite3_column_int64(s, nkeys);
		int64_t lo = sqlite3_column_int64(s, nkeys + 1),
		        hi = sqlite3_column_int64(s, nkeys + 2);
		fprintf(out, "  %-34s %10lld rows  %s .. %s", key, rows,
		        fb_time_format(lo, t1, sizeof t1), fb_time_format(hi, t2, sizeof t2));
		if (expected) {
			int64_t want =
			        expected((const char *)sqlite3_column_text(s, nkeys - 1), hi - lo);
			if (want > 0)
				fprintf(out, "  %.2f%% coverage",
				        100.0 * (double)rows / (double)want);
		}
		fputc('\n', out);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return db_fail(st, err, errlen);
	if (!any)
		fprintf(out, "%s\n  (none)\n", title);
	return 0;
}

static int64_t expected_candles(const char *interval, int64_t span)
{
	int64_t ivl = fb_interval_ms(interval);
	return ivl > 0 ? span / ivl + 1 : 0;
}

int check_stats(Store *st, FILE *out, char *err, size_t errlen)
{
	if (stats_query(st, out, "candles (exchange symbol interval):",
	                "SELECT s.exchange, s.symbol, s.interval, count(*), min(c.open_time), "
	                "max(c.open_time) FROM series AS s JOIN candles AS c ON c.series_id = s.id "
	                "GROUP BY s.id ORDER BY 1, 2, 3",
	                3, expected_candles, err, errlen) ||
	    stats_query(st, out, "funding (exchange symbol):",
	                "SELECT exchange, symbol, count(*), min(funding_time), max(funding_time) "
	                "FROM funding GROUP BY 1, 2 ORDER BY 1, 2",
	                2, NULL, err, errlen) ||
	    stats_query(st, out, "market metrics (exchange symbol metric):",
	                "SELECT exchange, symbol, metric, count(*), min(ts), max(ts) "
	                "FROM market_metrics GROUP BY 1, 2, 3 ORDER BY 1, 2, 3",
	                3, NULL, err, errlen) ||
	    stats_query(st, out, "alerts (exchange rule):",
	                "SELECT exchange, rule, count(*), min(ts), max(ts) FROM alerts "
	                "GROUP BY 1, 2 ORDER BY 1, 2",
	                2, NULL, err, errlen))
		return -1;
	return 0;
}
