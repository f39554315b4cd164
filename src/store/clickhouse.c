/* ClickHouse over its HTTP interface (see clickhouse.h). */
#include "store/clickhouse.h"

#include <curl/curl.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "core/strbuf.h"
#include "core/strindex.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"

struct ChClient {
	CURL *curl; /* statements: one reused connection */
	char url[256], db[64], user[64], password[256], cluster[64];
	char name[400];
	int timeout_ms;
	uint64_t version; /* the last version given to a row (next_version) */
	int gzip;         /* INSERT bodies gzip-compressed */
};

/* ---- the client ---- */

static int read_password(const char *path, char *out, size_t len, char *err, size_t errlen)
{
	struct stat sb;
	if (stat(path, &sb) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (sb.st_mode & 077) {
		snprintf(err, errlen,
		         "%s: the password file must be readable by its owner alone (chmod 600 %s)",
		         path, path);
		return -1;
	}
	FILE *f = fopen(path, "r");
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (!fgets(out, (int)len, f))
		out[0] = '\0';
	fclose(f);
	out[strcspn(out, "\r\n")] = '\0';
	return 0;
}

ChClient *ch_open(const ChOptions *o, char *err, size_t errlen)
{
	if (!o->url || !*o->url) {
		snprintf(err, errlen, "[clickhouse] url is not set");
		return NULL;
	}
	if (strncmp(o->url, "http://", 7) != 0 && strncmp(o->url, "https://", 8) != 0) {
		snprintf(err, errlen, "[clickhouse] url %s: expected http://HOST:PORT", o->url);
		return NULL;
	}
	const char *db = o->database && *o->database ? o->database : "futuresboard";
	for (const char *p = db; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '_')) {
			snprintf(err, errlen,
			         "[clickhouse] database %s: letters, digits and _ only", db);
			return NULL;
		}
	ChClient *c = xcalloc(1, sizeof *c);
	snprintf(c->url, sizeof c->url, "%s", o->url);
	size_t n = strlen(c->url);
	while (n && c->url[n - 1] == '/')
		c->url[--n] = '\0';
	snprintf(c->db, sizeof c->db, "%s", db);
	snprintf(c->user, sizeof c->user, "%s", o->user && *o->user ? o->user : "default");
	const char *env = getenv("FUTURESBOARD_CLICKHOUSE_PASSWORD");
	if (o->password_file && *o->password_file) {
		if (read_password(o->password_file, c->password, sizeof c->password, err, errlen)) {
			free(c);
			return NULL;
		}
	} else if (env)
		snprintf(c->password, sizeof c->password, "%s", env);
	if (o->cluster && *o->cluster) {
		for (const char *p = o->cluster; *p; p++)
			if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			      (*p >= '0' && *p <= '9') || *p == '_')) {
				snprintf(err, errlen,
				         "[clickhouse] cluster %s: letters, digits and _ only",
				         o->cluster);
				memset(c->password, 0, sizeof c->password);
				free(c);
				return NULL;
			}
		snprintf(c->cluster, sizeof c->cluster, "%s", o->cluster);
	}
	snprintf(c->name, sizeof c->name, "%s (database %s%s%s)", c->url, c->db,
	         c->cluster[0] ? ", cluster " : "", c->cluster);
	c->timeout_ms = o->timeout_ms > 0 ? o->timeout_ms : 30000;
	c->gzip = o->gzip;
	c->curl = curl_easy_init();
	if (!c->curl) {
		snprintf(err, errlen, "%s: cannot start libcurl", c->name);
		free(c);
		return NULL;
	}
	return c;
}

void ch_close(ChClient *c)
{
	if (!c)
		return;
	curl_easy_cleanup(c->curl);
	memset(c->password, 0, sizeof c->password);
	free(c);
}

const char *ch_name(const ChClient *c)
{
	return c->name;
}

static size_t collect(char *p, size_t size, size_t n, void *arg)
{
	StrBuf *b = arg;
	strbuf_append(b, p, size * n);
	return size * n;
}

/* The URL of a statement: the database and the query as parameters. */
static char *statement_url(ChClient *c, CURL *h, const char *db, const char *sql, int wait_end)
{
	char *q = curl_easy_escape(h, sql, 0);
	char *u = xasprintf("%s/?database=%s%s%s&query=%s", c->url, db,
	                    wait_end ? "&wait_end_of_query=1" : "",
	                    c->cluster[0] ? "&insert_distributed_sync=1" : "", q);
	curl_free(q);
	return u;
}

static void setup_handle(ChClient *c, CURL *h)
{
	curl_easy_setopt(h, CURLOPT_USERNAME, c->user);
	curl_easy_setopt(h, CURLOPT_PASSWORD, c->password);
	curl_easy_setopt(h, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
	curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
}

/* The server's message of a refused statement: its first line, without control bytes. */
static void server_error(const ChClient *c, long status, const char *body, char *err, size_t errlen)
{
	char line[400];
	size_t n = 0;
	for (const char *p = body ? body : ""; *p && *p != '\n' && n + 1 < sizeof line; p++)
		line[n++] = (unsigned char)*p < 0x20 ? ' ' : *p;
	line[n] = '\0';
	if (status == 401 || status == 403 || strstr(line, "Code: 193") ||
	    strstr(line, "Code: 516") || strstr(line, "Wrong password"))
		snprintf(err, errlen, "%s: user %s: authentication failed (HTTP %ld): %s", c->name,
		         c->user, status, line);
	else
		snprintf(err, errlen, "%s: HTTP %ld: %s", c->name, status, line);
}

/* body as one gzip member (RFC 1952), into out. 0, or -1. */
static int gzip_body(const void *body, size_t len, StrBuf *out)
{
	z_stream z;
	memset(&z, 0, sizeof z);
	if (deflateInit2(&z, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return -1;
	size_t cap = deflateBound(&z, (uLong)len) + 64;
	out->p = xmalloc(cap);
	out->cap = cap;
	z.next_in = (Bytef *)(uintptr_t)body;
	z.avail_in = (uInt)len;
	z.next_out = (Bytef *)out->p;
	z.avail_out = (uInt)cap;
	int rc = deflate(&z, Z_FINISH);
	out->len = z.total_out;
	deflateEnd(&z);
	return rc == Z_STREAM_END ? 0 : -1;
}

/* One statement, its body sent gzip-compressed when gz. */
static int exec_body(ChClient *c, const char *db, const char *sql, const void *body, size_t len,
                     int gz, char **out, char *err, size_t errlen)
{
	CURL *h = c->curl;
	curl_easy_reset(h);
	setup_handle(c, h);
	StrBuf packed = {0};
	struct curl_slist *headers = NULL;
	if (gz && body && len) {
		if (gzip_body(body, len, &packed)) {
			snprintf(err, errlen, "%s: cannot compress the rows", c->name);
			free(packed.p);
			return -1;
		}
		body = packed.p, len = packed.len;
		headers = curl_slist_append(NULL, "Content-Encoding: gzip");
		curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
	}
	char *url = statement_url(c, h, db, sql, 0);
	StrBuf resp = {0};
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_POST, 1L);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, body ? body : "");
	curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)(body ? len : 0));
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &resp);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)c->timeout_ms);
	CURLcode rc = curl_easy_perform(h);
	free(url);
	free(packed.p);
	curl_slist_free_all(headers);
	long status = 0;
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	if (rc != CURLE_OK) {
		snprintf(err, errlen, "%s: %s", c->name, curl_easy_strerror(rc));
		free(resp.p);
		return -1;
	}
	if (status != 200) {
		server_error(c, status, resp.p, err, errlen);
		free(resp.p);
		return -1;
	}
	if (out)
		*out = resp.p ? resp.p : xstrdup("");
	else
		free(resp.p);
	return 0;
}

int ch_exec(ChClient *c, const char *sql, const void *body, size_t len, char **out, char *err,
            size_t errlen)
{
	return exec_body(c, c->db, sql, body, len, 0, out, err, errlen);
}

/* A statement run in the server's default database: the schema's statements name their
 * database, which may not exist yet. */
static int exec_default(ChClient *c, const char *sql, char **out, char *err, size_t errlen)
{
	return exec_body(c, "default", sql, NULL, 0, 0, out, err, errlen);
}

int ch_ping(ChClient *c, char *err, size_t errlen)
{
	return ch_exec(c, "SELECT 1", NULL, 0, NULL, err, errlen);
}

/* ---- schema ---- */

static const char *const tables[] = {"candles", "mark_candles", "funding", "market_metrics",
                                     "liquidations"};
#define NTABLES (int)(sizeof tables / sizeof *tables)

/* One statement of the schema; with a cluster, a table is made as NAME_local, and NAME as a
 * Distributed table over the cluster's NAME_local tables. */
static int run_schema_statement(ChClient *c, const char *stmt, char *err, size_t errlen)
{
	static const char head[] = "CREATE TABLE IF NOT EXISTS ";
	const char *at = strstr(stmt, head);
	if (!c->cluster[0] || !at)
		return exec_default(c, stmt, NULL, err, errlen);
	const char *name = at + sizeof head - 1; /* db.table */
	size_t n = strcspn(name, " (\n");
	StrBuf local = {0};
	strbuf_append(&local, stmt, (size_t)(name - stmt) + n);
	strbuf_printf(&local, "_local%s", name + n);
	int rc = exec_default(c, local.p, NULL, err, errlen);
	free(local.p);
	if (rc)
		return -1;
	const char *dot = memchr(name, '.', n);
	const char *table = dot ? dot + 1 : name;
	int tn = (int)(n - (size_t)(table - name));
	int dn = dot ? (int)(dot - name) : 0; /* the statement's database */
	char *dist = xasprintf("%s%.*s AS %.*s_local ENGINE = Distributed(%s, %.*s, %.*s_local, "
	                       "cityHash64(symbol))",
	                       head, (int)n, name, (int)n, name, c->cluster, dn, name, tn, table);
	rc = exec_default(c, dist, NULL, err, errlen);
	free(dist);
	return rc;
}

int ch_init_schema(ChClient *c, char *err, size_t errlen)
{
	/* the statements, {db} replaced; CREATE DATABASE runs before the database exists */
	StrBuf all = {0};
	for (const char *p = store_clickhouse_schema_sql; *p;) {
		const char *at = strstr(p, "{db}");
		if (!at) {
			strbuf_printf(&all, "%s", p);
			break;
		}
		strbuf_append(&all, p, (size_t)(at - p));
		strbuf_printf(&all, "%s", c->db);
		p = at + 4;
	}
	int rc = 0;
	for (char *save, *stmt = strtok_r(all.p, "\n", &save); stmt && rc == 0;) {
		/* gather lines up to one holding only ";" */
		StrBuf one = {0};
		for (; stmt && strcmp(stmt, ";") != 0; stmt = strtok_r(NULL, "\n", &save))
			if (strncmp(stmt, "--", 2) != 0)
				strbuf_printf(&one, "%s\n", stmt);
		if (stmt)
			stmt = strtok_r(NULL, "\n", &save);
		if (one.p && strspn(one.p, " \n") < strlen(one.p))
			rc = run_schema_statement(c, one.p, err, errlen);
		free(one.p);
	}
	free(all.p);
	return rc ? -1 : ch_check_schema(c, err, errlen);
}

int ch_check_schema(ChClient *c, char *err, size_t errlen)
{
	char sql[256], *out = NULL;
	snprintf(sql, sizeof sql,
	         "SELECT name FROM system.tables WHERE database = '%s' FORMAT TabSeparated", c->db);
	if (exec_default(c, sql, &out, err, errlen)) /* whether the database exists or not */
		return -1;
	StrBuf missing = {0};
	for (int i = 0; i < NTABLES; i++) {
		int found = 0;
		for (const char *p = out; p && *p && !found;) {
			size_t n = strcspn(p, "\n");
			found = n == strlen(tables[i]) && strncmp(p, tables[i], n) == 0;
			p += n + (p[n] == '\n');
		}
		if (!found)
			strbuf_printf(&missing, "%s%s", missing.p ? ", " : "", tables[i]);
	}
	free(out);
	if (missing.p) {
		snprintf(err, errlen,
		         "%s: tables missing: %s (run 'futuresboard db init --clickhouse')",
		         c->name, missing.p);
		free(missing.p);
		return -1;
	}
	return 0;
}

/* ---- SQL of a query ---- */

typedef struct {
	const char *from;   /* table (FINAL added) */
	const char *select; /* RowBinary columns, in StoreRow order */
	const char *interval, *metric, *closed, *time, *close_time, *key;
} ChTable;

static const ChTable ch_tables[] = {
        [SR_SERIES] = {"candles", "exchange, symbol, tf, argMax(derived_from, version)", "tf", NULL,
                       NULL, NULL, NULL, "exchange, symbol, tf"},
        [SR_CANDLES] = {"candles",
                        "exchange, symbol, tf, open_time, close_time, open, high, low, close, "
                        "volume, quote_volume, trades, taker_buy_volume, "
                        "taker_buy_quote_volume, closed",
                        "tf", NULL, "closed", "open_time", "close_time", "exchange, symbol, tf"},
        [SR_MARK_CANDLES] = {"mark_candles",
                             "exchange, symbol, tf, open_time, open, high, low, close, closed",
                             "tf", NULL, "closed", "open_time", NULL, "exchange, symbol, tf"},
        [SR_FUNDING] = {"funding", "exchange, symbol, funding_time, funding_rate, mark_price", NULL,
                        NULL, NULL, "funding_time", NULL, "exchange, symbol"},
        [SR_METRICS] = {"market_metrics", "exchange, symbol, metric, ts, value", NULL, "metric",
                        NULL, "ts", NULL, "exchange, symbol, metric"},
        [SR_LIQUIDATIONS] = {"liquidations", "exchange, symbol, ts, side, price, qty", NULL, NULL,
                             NULL, "ts", NULL, "exchange, symbol"},
};

/* A string literal: quotes and backslashes escaped, control bytes refused by the caller's
 * validation (symbols, intervals and names come from the command line or the config). */
static void literal(StrBuf *b, const char *s)
{
	strbuf_printf(b, "'");
	for (; *s; s++) {
		if (*s == '\'' || *s == '\\')
			strbuf_printf(b, "\\");
		strbuf_append(b, s, 1);
	}
	strbuf_printf(b, "'");
}

static void in_list(StrBuf *b, const char *col, const char *const *v, int n)
{
	strbuf_printf(b, " AND %s IN (", col);
	for (int i = 0; i < n; i++) {
		if (i)
			strbuf_printf(b, ",");
		literal(b, v[i]);
	}
	strbuf_printf(b, ")");
}

static const char *ch_time_col(const StoreQuery *q, const ChTable *t)
{
	return q->by_close && t->close_time ? t->close_time : t->time;
}

static void ch_where(StrBuf *b, const StoreQuery *q, const ChTable *t)
{
	const char *tcol = ch_time_col(q, t);
	strbuf_printf(b, " WHERE 1");
	if (q->exchange) {
		strbuf_printf(b, " AND exchange = ");
		literal(b, q->exchange);
	}
	if (q->symbols && q->nsymbols > 0)
		in_list(b, "symbol", q->symbols, q->nsymbols);
	if (q->intervals && q->nintervals > 0 && t->interval)
		in_list(b, t->interval, q->intervals, q->nintervals);
	if (q->metric && t->metric) {
		strbuf_printf(b, " AND %s = ", t->metric);
		literal(b, q->metric);
	}
	if (q->closed_only && t->closed)
		strbuf_printf(b, " AND %s = 1", t->closed);
	if (tcol && q->from_ms != INT64_MIN)
		strbuf_printf(b, " AND %s >= %lld", tcol,
		              (long long)(q->from_ms < 0 ? 0 : q->from_ms));
	if (tcol && q->to_ms != INT64_MAX) {
		if (q->to_ms <= 0)
			strbuf_printf(b, " AND 0");
		else
			strbuf_printf(b, " AND %s < %lld", tcol, (long long)q->to_ms);
	}
}

static char *query_sql(ChClient *c, const StoreQuery *q)
{
	const ChTable *t = &ch_tables[q->table];
	StrBuf b = {0};
	if (q->table == SR_SERIES) {
		strbuf_printf(&b, "SELECT %s FROM %s.%s", t->select, c->db, t->from);
		ch_where(&b, q, t);
		strbuf_printf(&b, " GROUP BY %s", t->key);
		if (q->native_only)
			strbuf_printf(&b, " HAVING argMax(derived_from, version) = ''");
		strbuf_printf(&b, " ORDER BY %s FORMAT RowBinary", t->key);
		return b.p;
	}
	const char *tcol = ch_time_col(q, t);
	strbuf_printf(&b, "SELECT %s FROM %s.%s FINAL", t->select, c->db, t->from);
	ch_where(&b, q, t);
	if (q->order == SR_BY_TIME)
		strbuf_printf(&b, " ORDER BY %s, %s", tcol, t->key);
	else
		strbuf_printf(&b, " ORDER BY %s, %s", t->key, tcol);
	if (q->table == SR_LIQUIDATIONS)
		strbuf_printf(&b, ", side, price, qty");
	strbuf_printf(&b, " FORMAT RowBinary");
	return b.p;
}

/* ---- RowBinary ---- */

typedef struct {
	const unsigned char *p, *end;
	int short_; /* ran out of bytes: the row is not complete yet */
} Rd;

static int need(Rd *r, size_t n)
{
	if ((size_t)(r->end - r->p) < n) {
		r->short_ = 1;
		return 0;
	}
	return 1;
}

static uint64_t rd_u64(Rd *r)
{
	uint64_t v = 0;
	if (!need(r, 8))
		return 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | r->p[i];
	r->p += 8;
	return v;
}

static double rd_f64(Rd *r)
{
	uint64_t u = rd_u64(r);
	double d;
	memcpy(&d, &u, sizeof d);
	return d;
}

static int rd_u8(Rd *r)
{
	if (!need(r, 1))
		return 0;
	return *r->p++;
}

static void rd_str(Rd *r, char *dst, size_t len)
{
	uint64_t n = 0;
	int shift = 0;
	for (;;) {
		if (!need(r, 1))
			return;
		unsigned char b = *r->p++;
		n |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80))
			break;
		shift += 7;
		if (shift > 63) {
			r->short_ = 2; /* not RowBinary */
			return;
		}
	}
	if (!need(r, n))
		return;
	size_t k = n < len - 1 ? (size_t)n : len - 1;
	memcpy(dst, r->p, k);
	dst[k] = '\0';
	r->p += n;
}

static double rd_nf64(Rd *r)
{
	if (rd_u8(r))
		return NAN;
	return rd_f64(r);
}

/* One row of table t from r; 1, or 0 when the bytes end inside it. */
static int rd_row(Rd *r, StoreTable t, StoreRow *row)
{
	memset(row, 0, sizeof *row);
	row->table = t;
	switch (t) {
	case SR_SERIES: {
		StoreSeries *x = &row->u.series;
		rd_str(r, x->exchange, sizeof x->exchange);
		rd_str(r, x->symbol, sizeof x->symbol);
		rd_str(r, x->interval, sizeof x->interval);
		rd_str(r, x->derived_from, sizeof x->derived_from);
		break;
	}
	case SR_CANDLES: {
		Candle *x = &row->u.candle;
		rd_str(r, x->exchange, sizeof x->exchange);
		rd_str(r, x->symbol, sizeof x->symbol);
		rd_str(r, x->interval, sizeof x->interval);
		x->open_time = (int64_t)rd_u64(r);
		x->close_time = (int64_t)rd_u64(r);
		x->open = rd_f64(r);
		x->high = rd_f64(r);
		x->low = rd_f64(r);
		x->close = rd_f64(r);
		x->volume = rd_f64(r);
		x->quote_volume = rd_nf64(r);
		x->trades = rd_u8(r) ? -1 : (int64_t)rd_u64(r);
		x->taker_buy_volume = rd_nf64(r);
		x->taker_buy_quote_volume = rd_nf64(r);
		x->closed = rd_u8(r);
		break;
	}
	case SR_MARK_CANDLES: {
		Candle *x = &row->u.candle;
		rd_str(r, x->exchange, sizeof x->exchange);
		rd_str(r, x->symbol, sizeof x->symbol);
		rd_str(r, x->interval, sizeof x->interval);
		x->open_time = (int64_t)rd_u64(r);
		int64_t ivl = fb_interval_ms(x->interval);
		x->close_time = ivl > 0 ? x->open_time + ivl - 1 : x->open_time;
		x->open = rd_f64(r);
		x->high = rd_f64(r);
		x->low = rd_f64(r);
		x->close = rd_f64(r);
		x->volume = x->quote_volume = x->taker_buy_volume = x->taker_buy_quote_volume = NAN;
		x->trades = -1;
		x->closed = rd_u8(r);
		break;
	}
	case SR_FUNDING: {
		FundingRate *x = &row->u.funding;
		rd_str(r, x->exchange, sizeof x->exchange);
		rd_str(r, x->symbol, sizeof x->symbol);
		x->funding_time = (int64_t)rd_u64(r);
		x->funding_rate = rd_f64(r);
		x->mark_price = rd_nf64(r);
		break;
	}
	case SR_METRICS: {
		MarketMetric *x = &row->u.metric;
		rd_str(r, x->exchange, sizeof x->exchange);
		rd_str(r, x->symbol, sizeof x->symbol);
		rd_str(r, x->metric, sizeof x->metric);
		x->ts = (int64_t)rd_u64(r);
		x->value = rd_f64(r);
		break;
	}
	case SR_LIQUIDATIONS: {
		Liquidation *x = &row->u.liq;
		rd_str(r, x->exchange, sizeof x->exchange);
		rd_str(r, x->symbol, sizeof x->symbol);
		x->ts = (int64_t)rd_u64(r);
		rd_str(r, x->side, sizeof x->side);
		x->price = rd_f64(r);
		x->qty = rd_f64(r);
		break;
	}
	default: break;
	}
	return !r->short_;
}

/* ---- the reader: a streamed SELECT per cursor ---- */

typedef struct {
	StoreCursor base;
	ChClient *c;
	CURLM *multi;
	CURL *h;
	char *url;
	StrBuf buf;
	size_t pos;
	int done; /* the transfer ended */
	CURLcode rc;
	StoreTable table;
} ChCursor;

static StoreCursor *chr_query(StoreReader *rd, const StoreQuery *q, char *err, size_t errlen)
{
	ChClient *c = rd->impl;
	if (q->table == SR_ALERTS) {
		snprintf(err, errlen,
		         "%s: alerts are kept in the SQLite store only (read them with --source "
		         "sqlite)",
		         c->name);
		return NULL;
	}
	ChCursor *k = xcalloc(1, sizeof *k);
	k->base.r = rd;
	k->c = c;
	k->table = q->table;
	k->h = curl_easy_init();
	k->multi = curl_multi_init();
	if (!k->h || !k->multi) {
		snprintf(err, errlen, "%s: cannot start libcurl", c->name);
		curl_easy_cleanup(k->h);
		curl_multi_cleanup(k->multi);
		free(k);
		return NULL;
	}
	setup_handle(c, k->h);
	char *sql = query_sql(c, q);
	k->url = statement_url(c, k->h, c->db, sql, 1);
	free(sql);
	curl_easy_setopt(k->h, CURLOPT_URL, k->url);
	curl_easy_setopt(k->h, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(k->h, CURLOPT_WRITEDATA, &k->buf);
	curl_multi_add_handle(k->multi, k->h);
	return &k->base;
}

/* Drives the transfer until more bytes came or it ended. 0, or -1 with err. */
static int pump(ChCursor *k, char *err, size_t errlen)
{
	size_t before = k->buf.len;
	while (!k->done && k->buf.len == before) {
		int running = 0;
		CURLMcode mc = curl_multi_perform(k->multi, &running);
		if (mc != CURLM_OK) {
			snprintf(err, errlen, "%s: %s", k->c->name, curl_multi_strerror(mc));
			return -1;
		}
		CURLMsg *msg;
		int left;
		while ((msg = curl_multi_info_read(k->multi, &left)))
			if (msg->msg == CURLMSG_DONE) {
				k->done = 1;
				k->rc = msg->data.result;
			}
		if (!running)
			k->done = 1;
		if (!k->done && k->buf.len == before)
			curl_multi_poll(k->multi, NULL, 0, 1000, NULL);
	}
	if (k->done) {
		long status = 0;
		curl_easy_getinfo(k->h, CURLINFO_RESPONSE_CODE, &status);
		if (k->rc != CURLE_OK) {
			snprintf(err, errlen, "%s: %s", k->c->name, curl_easy_strerror(k->rc));
			return -1;
		}
		if (status != 200) {
			strbuf_append(&k->buf, "", 1);
			server_error(k->c, status, k->buf.p, err, errlen);
			return -1;
		}
	}
	return 0;
}

static int chr_next(StoreCursor *base, StoreRow *row, char *err, size_t errlen)
{
	ChCursor *k = (ChCursor *)base;
	for (;;) {
		if (k->pos < k->buf.len) {
			Rd r = {(const unsigned char *)k->buf.p + k->pos,
			        (const unsigned char *)k->buf.p + k->buf.len, 0};
			if (rd_row(&r, k->table, row)) {
				k->pos = (size_t)((const char *)r.p - k->buf.p);
				return 1;
			}
			if (r.short_ == 2 || k->done) {
				snprintf(err, errlen, "%s: the answer ended inside a row",
				         k->c->name);
				return -1;
			}
		} else if (k->done)
			return 0;
		if (k->pos > 0 && k->pos * 2 >= k->buf.len) { /* keep the buffer small */
			memmove(k->buf.p, k->buf.p + k->pos, k->buf.len - k->pos);
			k->buf.len -= k->pos;
			k->pos = 0;
		}
		if (pump(k, err, errlen))
			return -1;
	}
}

static void chr_close(StoreCursor *base)
{
	ChCursor *k = (ChCursor *)base;
	curl_multi_remove_handle(k->multi, k->h);
	curl_easy_cleanup(k->h);
	curl_multi_cleanup(k->multi);
	free(k->url);
	free(k->buf.p);
	free(k);
}

static int chr_bound(StoreReader *rd, const StoreQuery *q, int newest, int64_t *t, char *err,
                     size_t errlen)
{
	ChClient *c = rd->impl;
	const ChTable *tb = &ch_tables[q->table];
	const char *tcol = ch_time_col(q, tb);
	*t = -1;
	if (!tcol || q->table == SR_ALERTS) {
		snprintf(err, errlen, "%s: no time to bound", c->name);
		return -1;
	}
	StrBuf b = {0};
	strbuf_printf(&b, "SELECT %s(%s), count() FROM %s.%s FINAL", newest ? "max" : "min", tcol,
	              c->db, tb->from);
	ch_where(&b, q, tb);
	strbuf_printf(&b, " FORMAT TabSeparated");
	char *out = NULL;
	int rc = ch_exec(c, b.p, NULL, 0, &out, err, errlen);
	free(b.p);
	if (rc)
		return -1;
	long long v = 0, n = 0;
	if (sscanf(out, "%lld\t%lld", &v, &n) != 2) {
		snprintf(err, errlen, "%s: an unexpected answer", c->name);
		free(out);
		return -1;
	}
	free(out);
	if (n > 0)
		*t = v;
	return 0;
}

static int chr_snapshot(StoreReader *rd, int begin, char *err, size_t errlen)
{
	(void)rd, (void)begin, (void)err, (void)errlen;
	return 0; /* each SELECT reads the parts present when it started */
}

static void chr_free(StoreReader *rd)
{
	free(rd);
}

static const StoreReaderOps ch_ops = {chr_query, chr_next,     chr_close,
                                      chr_bound, chr_snapshot, chr_free};

StoreReader *ch_reader(ChClient *c)
{
	StoreReader *r = xcalloc(1, sizeof *r);
	r->ops = &ch_ops;
	r->impl = c;
	snprintf(r->name, sizeof r->name, "%s", c->name);
	return r;
}

/* ---- shipping SQLite rows ---- */

static void wr_u64(StrBuf *b, uint64_t v)
{
	unsigned char x[8];
	for (int i = 0; i < 8; i++)
		x[i] = (unsigned char)(v >> (8 * i));
	strbuf_append(b, (const char *)x, 8);
}

static void wr_u32(StrBuf *b, uint32_t v)
{
	unsigned char x[4];
	for (int i = 0; i < 4; i++)
		x[i] = (unsigned char)(v >> (8 * i));
	strbuf_append(b, (const char *)x, 4);
}

static void wr_u8(StrBuf *b, int v)
{
	char x = (char)v;
	strbuf_append(b, &x, 1);
}

static void wr_f64(StrBuf *b, double d)
{
	uint64_t u;
	memcpy(&u, &d, sizeof u);
	wr_u64(b, u);
}

static void wr_nf64(StrBuf *b, double d)
{
	wr_u8(b, isnan(d));
	if (!isnan(d))
		wr_f64(b, d);
}

static void wr_str(StrBuf *b, const char *s)
{
	size_t n = strlen(s);
	for (size_t v = n;; v >>= 7) {
		if (v < 0x80) {
			wr_u8(b, (int)v);
			break;
		}
		wr_u8(b, (int)((v & 0x7f) | 0x80));
	}
	strbuf_append(b, s, n);
}

/* The DateTime of an epoch-ms time (seconds, clamped to its range). */
static uint32_t secs(int64_t ms)
{
	int64_t s = ms / 1000;
	return s < 0 ? 0 : s > 4294967295LL ? 4294967295U : (uint32_t)s;
}

#define CLOSED_VERSION (UINT64_C(1) << 62)

/* Row versions only grow: the clock's ms times 65,536, or one more than the last, so a later
 * state of a key always wins in FINAL, even within one batch or one millisecond (and under
 * CLOSED_VERSION for about 2,200 years). */
static uint64_t next_version(ChClient *c)
{
	uint64_t v = (uint64_t)fb_now_ms() << 16;
	c->version = v > c->version ? v : c->version + 1;
	return c->version;
}

typedef struct {
	StoreTable table;
	const char *name, *cols;
} PushTable;

static const PushTable push_tables[] = {
        {SR_CANDLES, "candles",
         "exchange, symbol, tf, open_time, close_time, t, open, high, low, close, volume, "
         "quote_volume, trades, taker_buy_volume, taker_buy_quote_volume, closed, "
         "derived_from, version"},
        {SR_MARK_CANDLES, "mark_candles",
         "exchange, symbol, tf, open_time, t, open, high, low, close, closed, version"},
        {SR_FUNDING, "funding",
         "exchange, symbol, funding_time, t, funding_rate, mark_price, version"},
        {SR_METRICS, "market_metrics", "exchange, symbol, metric, ts, t, value, version"},
        {SR_LIQUIDATIONS, "liquidations", "exchange, symbol, ts, t, side, price, qty, version"},
};

typedef struct {
	char key[64]; /* exchange|symbol|interval */
	char derived_from[FB_INTERVAL_LEN];
} SeriesKey;

static int64_t row_time(const StoreRow *r)
{
	switch (r->table) {
	case SR_CANDLES:
	case SR_MARK_CANDLES: return r->u.candle.open_time;
	case SR_FUNDING: return r->u.funding.funding_time;
	case SR_METRICS: return r->u.metric.ts;
	default: return r->u.liq.ts;
	}
}

static void encode(StrBuf *b, const StoreRow *r, const char *derived_from, uint64_t version)
{
	switch (r->table) {
	case SR_CANDLES: {
		const Candle *x = &r->u.candle;
		wr_str(b, x->exchange);
		wr_str(b, x->symbol);
		wr_str(b, x->interval);
		wr_u64(b, (uint64_t)x->open_time);
		wr_u64(b, (uint64_t)x->close_time);
		wr_u32(b, secs(x->open_time));
		wr_f64(b, x->open);
		wr_f64(b, x->high);
		wr_f64(b, x->low);
		wr_f64(b, x->close);
		wr_f64(b, x->volume);
		wr_nf64(b, x->quote_volume);
		wr_u8(b, x->trades < 0);
		if (x->trades >= 0)
			wr_u64(b, (uint64_t)x->trades);
		wr_nf64(b, x->taker_buy_volume);
		wr_nf64(b, x->taker_buy_quote_volume);
		wr_u8(b, x->closed ? 1 : 0);
		wr_str(b, derived_from);
		wr_u64(b, version + (x->closed ? CLOSED_VERSION : 0));
		break;
	}
	case SR_MARK_CANDLES: {
		const Candle *x = &r->u.candle;
		wr_str(b, x->exchange);
		wr_str(b, x->symbol);
		wr_str(b, x->interval);
		wr_u64(b, (uint64_t)x->open_time);
		wr_u32(b, secs(x->open_time));
		wr_f64(b, x->open);
		wr_f64(b, x->high);
		wr_f64(b, x->low);
		wr_f64(b, x->close);
		wr_u8(b, x->closed ? 1 : 0);
		wr_u64(b, version + (x->closed ? CLOSED_VERSION : 0));
		break;
	}
	case SR_FUNDING: {
		const FundingRate *x = &r->u.funding;
		wr_str(b, x->exchange);
		wr_str(b, x->symbol);
		wr_u64(b, (uint64_t)x->funding_time);
		wr_u32(b, secs(x->funding_time));
		wr_f64(b, x->funding_rate);
		wr_nf64(b, x->mark_price);
		wr_u64(b, version);
		break;
	}
	case SR_METRICS: {
		const MarketMetric *x = &r->u.metric;
		wr_str(b, x->exchange);
		wr_str(b, x->symbol);
		wr_str(b, x->metric);
		wr_u64(b, (uint64_t)x->ts);
		wr_u32(b, secs(x->ts));
		wr_f64(b, x->value);
		wr_u64(b, version);
		break;
	}
	default: {
		const Liquidation *x = &r->u.liq;
		wr_str(b, x->exchange);
		wr_str(b, x->symbol);
		wr_u64(b, (uint64_t)x->ts);
		wr_u32(b, secs(x->ts));
		wr_str(b, x->side);
		wr_f64(b, x->price);
		wr_f64(b, x->qty);
		wr_u64(b, version);
		break;
	}
	}
}

/* The derived_from of every series, by "exchange|symbol|interval". */
static int series_keys(StoreReader *rd, SeriesKey **out, StrIndex *ix, char *err, size_t errlen)
{
	StoreQuery q = store_query_all(SR_SERIES);
	StoreCursor *cur = store_query(rd, &q, err, errlen);
	if (!cur)
		return -1;
	int n = 0, cap = 0, rc;
	StoreRow row;
	*out = NULL;
	while ((rc = store_next(cur, &row, err, errlen)) == 1) {
		if (n == cap)
			*out = xrealloc(*out, (size_t)(cap = cap ? cap * 2 : 64) * sizeof **out);
		snprintf((*out)[n].key, sizeof(*out)[n].key, "%s|%s|%s", row.u.series.exchange,
		         row.u.series.symbol, row.u.series.interval);
		snprintf((*out)[n].derived_from, sizeof(*out)[n].derived_from, "%s",
		         row.u.series.derived_from);
		n++;
	}
	store_cursor_close(cur);
	if (rc < 0)
		return -1;
	strindex_build(ix, n ? (*out)[0].key : "", sizeof **out, n);
	return n;
}

static int send_batch(ChClient *c, const PushTable *t, StrBuf *rows, char *err, size_t errlen)
{
	char sql[512];
	snprintf(sql, sizeof sql, "INSERT INTO %s.%s (%s) FORMAT RowBinary", c->db, t->name,
	         t->cols);
	int rc = exec_body(c, c->db, sql, rows->p, rows->len, c->gzip, NULL, err, errlen);
	rows->len = 0;
	return rc;
}

static int mark_shipped(Store *st, const PushTable *t, int64_t at, ChClient *c, char *err,
                        size_t errlen)
{
	if (store_put_ship_mark(st, c->name, t->name, at) == 0)
		return 0;
	snprintf(err, errlen, "%s: %s", store_path(st), store_errmsg(st));
	return -1;
}

long ch_push(ChClient *c, Store *st, int64_t from_ms, int batch_rows, ChProgress progress,
             void *arg, char *err, size_t errlen)
{
	StoreReader *rd = store_reader(st);
	if (batch_rows <= 0)
		batch_rows = 50000;
	SeriesKey *keys = NULL;
	StrIndex ix = {0};
	if (series_keys(rd, &keys, &ix, err, errlen) < 0)
		return -1;
	long total = 0;
	int failed = 0;
	for (size_t i = 0; i < sizeof push_tables / sizeof *push_tables && !failed; i++) {
		const PushTable *t = &push_tables[i];
		int64_t mark = -1;
		if (store_get_ship_mark(st, c->name, t->name, &mark)) {
			snprintf(err, errlen, "%s: %s", store_path(st), store_errmsg(st));
			failed = 1;
			break;
		}
		StoreQuery q = store_query_all(t->table);
		q.order = SR_BY_TIME;
		/* from the mark itself: rows of its instant after the last batch count once */
		q.from_ms = mark >= 0 ? mark : from_ms;
		if (from_ms != INT64_MIN && from_ms > q.from_ms)
			q.from_ms = from_ms;
		int64_t first = 0, last = 0;
		if (store_oldest(rd, &q, &first, err, errlen) ||
		    store_newest(rd, &q, &last, err, errlen)) {
			failed = 1;
			break;
		}
		if (first < 0)
			continue; /* nothing (new) to ship */
		StoreCursor *cur = store_query(rd, &q, err, errlen);
		if (!cur) {
			failed = 1;
			break;
		}
		StrBuf rows = {0};
		int n = 0, rc;
		long shipped = 0;
		int64_t at = first;
		StoreRow row;
		while ((rc = store_next(cur, &row, err, errlen)) == 1) {
			const char *derived = "";
			if (t->table == SR_CANDLES) {
				char key[64];
				int kl =
				        snprintf(key, sizeof key, "%s|%s|%s", row.u.candle.exchange,
				                 row.u.candle.symbol, row.u.candle.interval);
				int k = strindex_find(&ix, key, (size_t)kl);
				if (k >= 0)
					derived = keys[k].derived_from;
			}
			encode(&rows, &row, derived, next_version(c));
			at = row_time(&row);
			if (++n == batch_rows) {
				if (send_batch(c, t, &rows, err, errlen) ||
				    mark_shipped(st, t, at, c, err, errlen)) {
					rc = -1;
					break;
				}
				shipped += n;
				n = 0;
				if (progress)
					progress(arg, t->name, shipped,
					         last > first ? (double)(at - first) /
					                                (double)(last - first)
					                      : 1);
			}
		}
		store_cursor_close(cur);
		if (rc == 0 && n > 0) {
			if (send_batch(c, t, &rows, err, errlen) ||
			    mark_shipped(st, t, at, c, err, errlen))
				rc = -1;
			else
				shipped += n;
		}
		free(rows.p);
		if (rc == 0 && progress)
			progress(arg, t->name, shipped, 1);
		total += shipped;
		if (rc < 0)
			failed = 1;
	}
	strindex_free(&ix);
	free(keys);
	return failed ? -1 : total;
}

/* ---- shipping the outbox ---- */

typedef struct {
	ChClient *c;
	StrBuf rows;
	int64_t upto;
} OutboxBatch;

static void add_entry(void *arg, const StoreRow *row, const char *derived_from, int64_t seq)
{
	OutboxBatch *b = arg;
	encode(&b->rows, row, derived_from, next_version(b->c));
	b->upto = seq;
}

long ch_ship_outbox(ChClient *c, Store *st, StoreTable t, int64_t after, int max, int64_t *upto,
                    char *err, size_t errlen)
{
	const PushTable *pt = NULL;
	for (size_t i = 0; i < sizeof push_tables / sizeof *push_tables; i++)
		if (push_tables[i].table == t)
			pt = &push_tables[i];
	if (!pt) {
		snprintf(err, errlen, "no such table to ship");
		return -1;
	}
	OutboxBatch b = {c, {0}, after};
	long n = store_outbox_read(st, t, after, max, add_entry, &b);
	if (n < 0) {
		snprintf(err, errlen, "%s: %s", store_path(st), store_errmsg(st));
		free(b.rows.p);
		return -1;
	}
	if (n > 0 && send_batch(c, pt, &b.rows, err, errlen)) {
		free(b.rows.p);
		return -1;
	}
	free(b.rows.p);
	*upto = b.upto;
	return n;
}
