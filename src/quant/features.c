/* export features: replay + engine + CSV. */
#include "quant/features.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/strbuf.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"
#include "quant/replay.h"
#include "store/export.h"

const char *features_header(void)
{
	static char header[2048];
	if (!header[0]) {
		size_t used = (size_t)snprintf(header, sizeof header, "time");
		for (int i = 0; i < quant_ncolumns && used < sizeof header; i++)
			used += (size_t)snprintf(header + used, sizeof header - used, ",%s",
			                         quant_columns[i].name);
	}
	return header;
}

int features_exchange(StoreReader *rd, const char *symbol, const char *interval, char *out,
                      size_t outlen, char *err, size_t errlen)
{
	const char *syms[1] = {symbol}, *ivs[1] = {interval};
	StoreQuery q = store_query_all(SR_SERIES);
	q.symbols = syms, q.nsymbols = 1, q.intervals = ivs, q.nintervals = 1;
	StoreCursor *c = store_query(rd, &q, err, errlen);
	if (!c)
		return -1;
	int n = 0, rc;
	StrBuf all = {0};
	StoreRow row;
	while ((rc = store_next(c, &row, err, errlen)) == 1) {
		if (!n)
			records_copy_field(out, outlen, row.u.series.exchange);
		strbuf_printf(&all, "%s%s", n ? ", " : "", row.u.series.exchange);
		n++;
	}
	store_cursor_close(c);
	if (rc < 0)
		n = -1;
	else if (n == 0)
		snprintf(err, errlen, "no stored candles for %s %s (see 'futuresboard db stats')",
		         symbol, interval);
	else if (n > 1)
		snprintf(err, errlen,
		         "%s %s is stored for several exchanges (%s): choose one with "
		         "--exchange",
		         symbol, interval, all.p);
	free(all.p);
	return n == 1 ? 0 : -1;
}

long features_replay(StoreReader *rd, const char *exchange, const char *symbol,
                     const char *interval, const QuantOptions *opt, int64_t from_ms, int64_t to_ms,
                     int (*each)(void *arg, const QuantValues *v, char *err, size_t errlen),
                     void *arg, char *err, size_t errlen)
{
	char ex[FB_EXCHANGE_LEN];
	if (exchange)
		records_copy_field(ex, sizeof ex, exchange);
	else if (features_exchange(rd, symbol, interval, ex, sizeof ex, err, errlen))
		return -1;
	QuantOptions o = *opt;
	o.exchange = ex;
	o.nintervals = 1;
	snprintf(o.intervals[0], sizeof o.intervals[0], "%s", interval);
	o.on_alert = NULL;
	const char *syms[1] = {symbol}, *ivs[1] = {interval};
	int64_t ivms = fb_interval_ms(interval);
	ReplaySpec sp = {.exchange = ex,
	                 .symbols = syms,
	                 .nsymbols = 1,
	                 .intervals = ivs,
	                 .nintervals = 1,
	                 .to_ms = to_ms == INT64_MAX ? INT64_MAX : to_ms - 1 + ivms - 1,
	                 .venues = 1};
	if (store_snapshot_begin(rd, err, errlen))
		return -1;
	ReplayReader *r = replay_open(rd, &sp, err, errlen);
	if (!r) {
		store_snapshot_end(rd);
		return -1;
	}
	QuantEngine *q = quant_new(&o);
	long rows = 0;
	Event ev;
	int rc;
	while ((rc = replay_next(r, &ev, err, errlen)) == 1) {
		quant_apply(q, &ev);
		if (ev.type != EV_CANDLE || ev.u.candle.open_time < from_ms ||
		    ev.u.candle.open_time >= to_ms)
			continue;
		const QuantValues *v = quant_values(q, symbol, interval);
		if (!v || v->open_time != ev.u.candle.open_time)
			continue;
		if (each(arg, v, err, errlen)) {
			rc = -1;
			break;
		}
		rows++;
	}
	quant_free(q);
	replay_close(r);
	store_snapshot_end(rd);
	return rc < 0 ? -1 : rows;
}

int features_write_row(FILE *out, const QuantValues *v)
{
	char t[32], num[40];
	fputs(fb_time_format(v->open_time, t, sizeof t), out);
	for (int i = 0; i < quant_ncolumns; i++) {
		double x = quant_column_value(v, i);
		switch (quant_columns[i].kind) {
		case QC_TIME: fprintf(out, ",%lld", (long long)v->open_time); break;
		case QC_TREND: fprintf(out, ",%s", quant_trend_name((int)x)); break;
		case QC_VOLR: fprintf(out, ",%s", quant_volr_name((int)x)); break;
		default:
			fprintf(out, ",%s",
			        isfinite(x) ? export_format_double(x, num, sizeof num) : "");
		}
	}
	fputs("\r\n", out);
	return ferror(out) ? -1 : 0;
}

static int write_row(void *arg, const QuantValues *v, char *err, size_t errlen)
{
	if (features_write_row(arg, v)) {
		snprintf(err, errlen, "write error: %s", strerror(errno));
		return -1;
	}
	return 0;
}

long features_export(StoreReader *rd, const char *exchange, const char *symbol,
                     const char *interval, const QuantOptions *opt, int64_t from_ms, int64_t to_ms,
                     FILE *out, char *err, size_t errlen)
{
	fprintf(out, "%s\r\n", features_header());
	return features_replay(rd, exchange, symbol, interval, opt, from_ms, to_ms, write_row, out,
	                       err, errlen);
}

typedef struct {
	QuantValues *out;
	int max, n;
	long seen;
} History;

static int keep_row(void *arg, const QuantValues *v, char *err, size_t errlen)
{
	(void)err, (void)errlen;
	History *h = arg;
	h->out[h->seen++ % h->max] = *v;
	return 0;
}

int features_history(StoreReader *rd, const char *exchange, const char *symbol,
                     const char *interval, const QuantOptions *opt, int64_t to_ms, QuantValues *out,
                     int max, char *err, size_t errlen)
{
	if (max <= 0)
		return 0;
	History h = {out, max, 0, 0};
	if (features_replay(rd, exchange, symbol, interval, opt, 0, to_ms, keep_row, &h, err,
	                    errlen) < 0)
		return -1;
	int n = h.seen < max ? (int)h.seen : max;
	if (h.seen > max) { /* rotate the ring so the oldest comes first */
		QuantValues *tmp = xmalloc((size_t)max * sizeof *tmp);
		int start = (int)(h.seen % max);
		for (int i = 0; i < max; i++)
			tmp[i] = out[(start + i) % max];
		memcpy(out, tmp, (size_t)max * sizeof *tmp);
		free(tmp);
	}
	return n;
}
