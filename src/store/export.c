/* CSV export: one SELECT per table with the filter bound as parameters, rows streamed to the
 * output through stdio. */
#include "store/export.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/strbuf.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"

static const char *const headers[] = {
        [EXPORT_CANDLES] = "exchange,symbol,interval,open_time,open_time_ms,close_time_ms,open,"
                           "high,low,close,volume,quote_volume,trades,taker_buy_volume,"
                           "taker_buy_quote_volume,closed",
        [EXPORT_FUNDING] = "exchange,symbol,funding_time,funding_time_ms,funding_rate,mark_price",
        [EXPORT_METRICS] = "exchange,symbol,metric,time,time_ms,value",
        [EXPORT_ALERTS] = "id,time,time_ms,exchange,symbol,interval,rule,severity,value,message",
};

int export_table_parse(const char *name, ExportTable *out)
{
	static const char *const names[] = {"candles", "funding", "metrics", "alerts"};
	for (int i = 0; i < 4; i++)
		if (strcmp(name, names[i]) == 0) {
			*out = (ExportTable)i;
			return 0;
		}
	return -1;
}

const char *export_header(ExportTable t)
{
	return headers[t];
}

char *export_format_double(double v, char *buf, size_t len)
{
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(buf, len, "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			break;
	}
	return buf;
}

/* A text field: the data kept, but never a control byte (control bytes, C1 and bytes that are
 * not UTF-8 written as \xNN, as on the terminal); quoted when it holds a comma or a quote. */
static void put_text(FILE *out, const char *raw)
{
	char safe[1024];
	const char *s = raw ? fb_escape_text(raw, safe, sizeof safe) : "";
	if (!strpbrk(s, ",\"")) {
		fputs(s, out);
		return;
	}
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', out);
		fputc(*s, out);
	}
	fputc('"', out);
}

/* A number field: empty for NULL (NAN). */
static void put_real(FILE *out, double v)
{
	char buf[64];
	fputc(',', out);
	if (!isnan(v))
		fputs(export_format_double(v, buf, sizeof buf), out);
}

/* A time field: ISO-8601 and epoch ms. */
static void put_time(FILE *out, int64_t ms)
{
	char buf[64];
	fprintf(out, ",%s,%lld", fb_time_format(ms, buf, sizeof buf), (long long)ms);
}

static void put_texts(FILE *out, const char *a, const char *b, const char *c)
{
	put_text(out, a);
	fputc(',', out);
	put_text(out, b);
	if (c) {
		fputc(',', out);
		put_text(out, c);
	}
}

static void put_row(FILE *out, const StoreRow *row)
{
	switch (row->table) {
	case SR_CANDLES: {
		const Candle *c = &row->u.candle;
		put_texts(out, c->exchange, c->symbol, c->interval);
		put_time(out, c->open_time);
		fprintf(out, ",%lld", (long long)c->close_time);
		put_real(out, c->open);
		put_real(out, c->high);
		put_real(out, c->low);
		put_real(out, c->close);
		put_real(out, c->volume);
		put_real(out, c->quote_volume);
		fputc(',', out);
		if (c->trades >= 0)
			fprintf(out, "%lld", (long long)c->trades);
		put_real(out, c->taker_buy_volume);
		put_real(out, c->taker_buy_quote_volume);
		fprintf(out, ",%d", c->closed);
		break;
	}
	case SR_FUNDING:
		put_texts(out, row->u.funding.exchange, row->u.funding.symbol, NULL);
		put_time(out, row->u.funding.funding_time);
		put_real(out, row->u.funding.funding_rate);
		put_real(out, row->u.funding.mark_price);
		break;
	case SR_METRICS:
		put_texts(out, row->u.metric.exchange, row->u.metric.symbol, row->u.metric.metric);
		put_time(out, row->u.metric.ts);
		put_real(out, row->u.metric.value);
		break;
	default: {
		const AlertRecord *a = &row->u.alert.a;
		fprintf(out, "%lld", (long long)row->u.alert.id);
		put_time(out, a->ts);
		fputc(',', out);
		put_texts(out, a->exchange, a->symbol, a->interval);
		fputc(',', out);
		put_texts(out, a->rule, a->severity, NULL);
		put_real(out, a->value);
		fputc(',', out);
		put_text(out, a->message);
		break;
	}
	}
	fputs("\r\n", out);
}

long export_csv(StoreReader *rd, ExportTable t, const ExportFilter *flt, FILE *out, char *err,
                size_t errlen)
{
	static const StoreTable table[] = {[EXPORT_CANDLES] = SR_CANDLES,
	                                   [EXPORT_FUNDING] = SR_FUNDING,
	                                   [EXPORT_METRICS] = SR_METRICS,
	                                   [EXPORT_ALERTS] = SR_ALERTS};
	const char *ivs[1] = {flt->interval};
	StoreQuery q = store_query_all(table[t]);
	q.exchange = flt->exchange;
	q.symbols = flt->symbols, q.nsymbols = flt->nsymbols;
	q.intervals = flt->interval ? ivs : NULL, q.nintervals = flt->interval ? 1 : 0;
	q.metric = flt->metric;
	q.from_ms = flt->from_ms, q.to_ms = flt->to_ms;
	StoreCursor *c = store_query(rd, &q, err, errlen);
	if (!c)
		return -1;
	fputs(headers[t], out);
	fputs("\r\n", out);
	long rows = 0;
	int rc;
	StoreRow row;
	while ((rc = store_next(c, &row, err, errlen)) == 1) {
		put_row(out, &row);
		rows++;
	}
	store_cursor_close(c);
	if (rc < 0)
		return -1;
	if (fflush(out) != 0 || ferror(out)) {
		snprintf(err, errlen, "write error: %s", strerror(errno));
		return -1;
	}
	return rows;
}
