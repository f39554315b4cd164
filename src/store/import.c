/* CSV import: layout detection (header names or field count), per-line validation with a
 * reason for every rejection, and batched upserts. */
#include "store/import.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>
#include <strings.h>

#include "core/numparse.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"
#include "store/csv.h"
#include "store/internal.h"

/* Column roles. */
enum {
	C_OPEN_TIME,
	C_OPEN,
	C_HIGH,
	C_LOW,
	C_CLOSE,
	C_VOLUME,
	C_CLOSE_TIME,
	C_QUOTE_VOLUME,
	C_TRADES,
	C_TAKER_BASE,
	C_TAKER_QUOTE,
	C_FUNDING_TIME,
	C_FUNDING_RATE,
	C_MARK_PRICE,
	C_SYMBOL,
	C_EXCHANGE,
	C_INTERVAL,
	C_CLOSED,
	C_COUNT
};

/* In priority order: the first alias found in the header takes the role, so the epoch-ms
 * columns of futuresboard's own export win over their ISO-8601 neighbours. */
static const struct {
	int role;
	const char *name;
} aliases[] = {
        {C_OPEN_TIME, "open_time_ms"},
        {C_CLOSE_TIME, "close_time_ms"},
        {C_FUNDING_TIME, "funding_time_ms"},
        {C_EXCHANGE, "exchange"},
        {C_INTERVAL, "interval"},
        {C_CLOSED, "closed"},
        {C_OPEN_TIME, "open_time"},
        {C_OPEN_TIME, "opentime"},
        {C_OPEN_TIME, "timestamp"},
        {C_OPEN_TIME, "date"},
        {C_OPEN, "open"},
        {C_HIGH, "high"},
        {C_LOW, "low"},
        {C_CLOSE, "close"},
        {C_VOLUME, "volume"},
        {C_CLOSE_TIME, "close_time"},
        {C_CLOSE_TIME, "closetime"},
        {C_QUOTE_VOLUME, "quote_volume"},
        {C_QUOTE_VOLUME, "quote_asset_volume"},
        {C_TRADES, "count"},
        {C_TRADES, "trades"},
        {C_TRADES, "number_of_trades"},
        {C_TAKER_BASE, "taker_buy_volume"},
        {C_TAKER_BASE, "taker_buy_base_asset_volume"},
        {C_TAKER_BASE, "taker_buy_base_volume"},
        {C_TAKER_QUOTE, "taker_buy_quote_volume"},
        {C_TAKER_QUOTE, "taker_buy_quote_asset_volume"},
        {C_FUNDING_TIME, "calc_time"},
        {C_FUNDING_TIME, "fundingtime"},
        {C_FUNDING_TIME, "funding_time"},
        {C_FUNDING_RATE, "last_funding_rate"},
        {C_FUNDING_RATE, "fundingrate"},
        {C_FUNDING_RATE, "funding_rate"},
        {C_MARK_PRICE, "markprice"},
        {C_MARK_PRICE, "mark_price"},
        {C_SYMBOL, "symbol"},
};

static const char *const role_names[C_COUNT] = {"open_time",
                                                "open",
                                                "high",
                                                "low",
                                                "close",
                                                "volume",
                                                "close_time",
                                                "quote_volume",
                                                "trades",
                                                "taker_buy_volume",
                                                "taker_buy_quote_volume",
                                                "funding_time",
                                                "funding_rate",
                                                "mark_price",
                                                "symbol",
                                                "exchange",
                                                "interval",
                                                "closed"};

typedef struct {
	int col[C_COUNT]; /* field index of each role, -1 if absent */
	int nfields;      /* expected field count */
} Layout;

const char *import_kind_name(ImportKind kind)
{
	return kind == IMPORT_FUNDING  ? "funding"
	       : kind == IMPORT_KLINES ? "klines"
	       : kind == IMPORT_MARK   ? "mark"
	                               : "auto";
}

static void layout_fixed(Layout *l, int nfields)
{
	for (int i = 0; i < C_COUNT; i++)
		l->col[i] = -1;
	l->nfields = nfields;
	for (int i = 0; i < nfields && i <= C_TAKER_QUOTE; i++)
		l->col[i] =
		        i; /* roles C_OPEN_TIME..C_TAKER_QUOTE follow the Binance column order */
}

static int is_number(const char *s)
{
	if (*s == '-' || *s == '+')
		s++;
	return isdigit((unsigned char)*s) || (*s == '.' && isdigit((unsigned char)s[1]));
}

static int contains_nocase(const char *hay, const char *needle)
{
	size_t n = strlen(needle);
	for (; *hay; hay++)
		if (strncasecmp(hay, needle, n) == 0)
			return 1;
	return 0;
}

static void strip_suffix(char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	if (n > m && strcasecmp(s + n - m, suffix) == 0)
		s[n - m] = '\0';
}

int import_parse_name(const char *path, char *symbol, size_t symlen, char *interval, size_t intlen,
                      ImportKind *kind, char *err, size_t errlen)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	char name[256];
	snprintf(name, sizeof name, "%s", base);
	strip_suffix(name, ".gz");
	strip_suffix(name, ".csv");
	symbol[0] = interval[0] = '\0';
	*kind = IMPORT_AUTO;
	char *tok[8];
	int n = 0;
	for (char *save, *t = strtok_r(name, "-_", &save); t && n < 8;
	     t = strtok_r(NULL, "-_", &save))
		tok[n++] = t;
	if (n == 0)
		return 0;
	for (int i = 1; i < n; i++) {
		if (strcasecmp(tok[i], "indexPriceKlines") == 0 ||
		    strcasecmp(tok[i], "premiumIndexKlines") == 0) {
			snprintf(err, errlen,
			         "%s: %s files are not trade candles and are not imported as "
			         "candles",
			         path, tok[i]);
			return -1;
		}
	}
	int symbol_ok = strlen(tok[0]) >= 2;
	for (const char *p = tok[0]; *p; p++)
		if (!isupper((unsigned char)*p) && !isdigit((unsigned char)*p))
			symbol_ok = 0;
	if (symbol_ok)
		snprintf(symbol, symlen, "%s", tok[0]);
	for (int i = 1; i < n; i++) {
		if (strcasecmp(tok[i], "fundingRate") == 0)
			*kind = IMPORT_FUNDING;
		else if (strcasecmp(tok[i], "markPriceKlines") == 0)
			*kind = IMPORT_MARK;
		else if (strcasecmp(tok[i], "klines") == 0)
			*kind = IMPORT_KLINES;
		else if (!interval[0] && fb_interval_ms(tok[i]) > 0) {
			snprintf(interval, intlen, "%s", tok[i]);
			if (*kind == IMPORT_AUTO)
				*kind = IMPORT_KLINES;
		}
	}
	return 0;
}

/* Header: maps names to roles. Returns 0 or -1 with why. */
static int layout_from_header(Layout *l, char **f, int n, ImportKind kind, char *why, size_t whylen)
{
	for (int i = 0; i < C_COUNT; i++)
		l->col[i] = -1;
	l->nfields = n;
	for (size_t a = 0; a < sizeof aliases / sizeof aliases[0]; a++)
		for (int i = 0; i < n && l->col[aliases[a].role] < 0; i++)
			if (strcasecmp(aliases[a].name, f[i]) == 0)
				l->col[aliases[a].role] = i;
	static const int need_k[] = {C_OPEN_TIME, C_OPEN, C_HIGH, C_LOW, C_CLOSE, C_VOLUME};
	static const int need_f[] = {C_FUNDING_TIME, C_FUNDING_RATE};
	const int *need = kind == IMPORT_FUNDING ? need_f : need_k; /* mark: as klines */
	int nneed = kind == IMPORT_FUNDING ? 2 : 6;
	for (int i = 0; i < nneed; i++)
		if (l->col[need[i]] < 0) {
			snprintf(why, whylen, "the header has no %s column", role_names[need[i]]);
			return -1;
		}
	return 0;
}

/* Parses a whole field as a finite number. */
static int num(const char *s, double *out)
{
	return fb_parse_double(s, out);
}

static int timestamp(const char *s, int64_t *out)
{
	char *end;
	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (*end || errno)
		return -1;
	if (v >= 100000000000000LL) /* microseconds */
		v /= 1000;
	*out = v;
	return 0;
}

typedef struct {
	const Layout *l;
	char **f;
	char *why;
	size_t whylen;
} Row;

/* Optional numeric role: NAN when absent or empty. Returns -1 when malformed. */
static int opt_num(Row *r, int role, double *out)
{
	*out = NAN;
	int c = r->l->col[role];
	if (c < 0 || !*r->f[c])
		return 0;
	if (num(r->f[c], out)) {
		snprintf(r->why, r->whylen, "%s '%s' is not a number", role_names[role], r->f[c]);
		return -1;
	}
	return 0;
}

static int req_num(Row *r, int role, double *out)
{
	int c = r->l->col[role];
	if (num(r->f[c], out)) {
		snprintf(r->why, r->whylen, "%s '%s' is not a number", role_names[role], r->f[c]);
		return -1;
	}
	return 0;
}

static int parse_candle(Row *r, const ImportOptions *opt, const char *interval, Candle *c)
{
	const Layout *l = r->l;
	if (l->col[C_INTERVAL] >= 0)
		interval = r->f[l->col[C_INTERVAL]];
	int64_t ivl = fb_interval_ms(interval);
	if (ivl <= 0) {
		snprintf(r->why, r->whylen, "unsupported interval '%.20s'", interval);
		return -1;
	}
	records_copy_field(c->interval, sizeof c->interval, interval);
	if (timestamp(r->f[l->col[C_OPEN_TIME]], &c->open_time)) {
		snprintf(r->why, r->whylen, "open_time '%s' is not epoch milliseconds",
		         r->f[l->col[C_OPEN_TIME]]);
		return -1;
	}
	if (req_num(r, C_OPEN, &c->open) || req_num(r, C_HIGH, &c->high) ||
	    req_num(r, C_LOW, &c->low) || req_num(r, C_CLOSE, &c->close) ||
	    req_num(r, C_VOLUME, &c->volume) || opt_num(r, C_QUOTE_VOLUME, &c->quote_volume) ||
	    opt_num(r, C_TAKER_BASE, &c->taker_buy_volume) ||
	    opt_num(r, C_TAKER_QUOTE, &c->taker_buy_quote_volume))
		return -1;
	c->close_time = c->open_time + ivl - 1;
	int ct = l->col[C_CLOSE_TIME];
	if (ct >= 0 && *r->f[ct]) {
		int64_t v;
		if (timestamp(r->f[ct], &v)) {
			snprintf(r->why, r->whylen, "close_time '%s' is not epoch milliseconds",
			         r->f[ct]);
			return -1;
		}
		if (v != c->close_time) {
			snprintf(r->why, r->whylen,
			         "close_time %lld does not end the %s candle opening at %lld",
			         (long long)v, interval, (long long)c->open_time);
			return -1;
		}
	}
	c->trades = -1;
	int tc = l->col[C_TRADES];
	if (tc >= 0 && *r->f[tc]) {
		char *end;
		errno = 0;
		long long v = strtoll(r->f[tc], &end, 10);
		if (*end || errno || v < 0) {
			snprintf(r->why, r->whylen, "count '%s' is not a trade count", r->f[tc]);
			return -1;
		}
		c->trades = v;
	}
	if ((c->open_time - fb_interval_offset_ms(interval)) % ivl != 0) {
		snprintf(r->why, r->whylen, "open_time %lld is not on the %s grid",
		         (long long)c->open_time, interval);
		return -1;
	}
	if (c->open <= 0 || c->high <= 0 || c->low <= 0 || c->close <= 0) {
		snprintf(r->why, r->whylen, "prices must be positive");
		return -1;
	}
	if (c->high < c->low || c->high < c->open || c->high < c->close) {
		snprintf(r->why, r->whylen, "high %.15g is below %s", c->high,
		         c->high < c->low    ? "low"
		         : c->high < c->open ? "open"
		                             : "close");
		return -1;
	}
	if (c->low > c->open || c->low > c->close) {
		snprintf(r->why, r->whylen, "low %.15g is above %s", c->low,
		         c->low > c->open ? "open" : "close");
		return -1;
	}
	if (c->volume < 0 || c->quote_volume < 0 || c->taker_buy_volume < 0 ||
	    c->taker_buy_quote_volume < 0) {
		snprintf(r->why, r->whylen, "volumes must not be negative");
		return -1;
	}
	if (c->taker_buy_volume > c->volume * (1 + 1e-9)) {
		snprintf(r->why, r->whylen, "taker_buy_volume exceeds volume");
		return -1;
	}
	c->closed = c->close_time < opt->now_ms;
	int cc = l->col[C_CLOSED];
	if (cc >= 0 && *r->f[cc]) {
		if (strcmp(r->f[cc], "0") != 0 && strcmp(r->f[cc], "1") != 0) {
			snprintf(r->why, r->whylen, "closed '%.20s' is not 0 or 1", r->f[cc]);
			return -1;
		}
		c->closed = r->f[cc][0] == '1';
	}
	return 0;
}

static int parse_funding(Row *r, FundingRate *fr)
{
	const Layout *l = r->l;
	if (timestamp(r->f[l->col[C_FUNDING_TIME]], &fr->funding_time)) {
		snprintf(r->why, r->whylen, "funding time '%s' is not epoch milliseconds",
		         r->f[l->col[C_FUNDING_TIME]]);
		return -1;
	}
	if (req_num(r, C_FUNDING_RATE, &fr->funding_rate) ||
	    opt_num(r, C_MARK_PRICE, &fr->mark_price))
		return -1;
	if (fabs(fr->funding_rate) > 1) {
		snprintf(r->why, r->whylen, "funding rate %.15g is not a plausible fraction",
		         fr->funding_rate);
		return -1;
	}
	if (!isnan(fr->mark_price) && fr->mark_price <= 0) {
		snprintf(r->why, r->whylen, "mark price must be positive");
		return -1;
	}
	return 0;
}

static void reject(const ImportOptions *opt, ImportStats *s, const char *path, long lineno,
                   const char *why)
{
	s->rejected++;
	if (opt->reject_out && (opt->max_reported <= 0 || s->rejected <= opt->max_reported))
		fprintf(opt->reject_out, "%s:%ld: rejected: %s\n", path, lineno, why);
	else if (opt->reject_out && s->rejected == opt->max_reported + 1)
		fprintf(opt->reject_out, "%s: further rejected lines are counted, not listed\n",
		        path);
}

static int valid_exchange(const char *s)
{
	size_t n = strlen(s);
	if (n < 1 || n >= FB_EXCHANGE_LEN)
		return 0;
	for (; *s; s++)
		if (!islower((unsigned char)*s) && !isdigit((unsigned char)*s) && *s != '_')
			return 0;
	return 1;
}

/* Candles are written IMPORT_CHUNK at a time through the store's multi-row upsert. */
#define IMPORT_CHUNK 256

static int flush(Store *st, Candle *buf, size_t *n, StorePutCounts *bc)
{
	int rc = *n ? store_put_candles(st, buf, *n, bc) : 0;
	*n = 0;
	return rc;
}

/* A row's store_put_* result into the batch's counts. */
static void count_put(StorePutCounts *bc, int put)
{
	*(put == STORE_INSERTED  ? &bc->inserted
	  : put == STORE_UPDATED ? &bc->updated
	                         : &bc->unchanged) += 1;
}

static void add_counts(ImportStats *s, StorePutCounts *bc)
{
	s->inserted += (long)bc->inserted;
	s->updated += (long)bc->updated;
	s->unchanged += (long)bc->unchanged;
	bc->inserted = bc->updated = bc->unchanged = 0;
}

int import_file(Store *st, const char *path, const ImportOptions *opt, ImportStats *s, char *err,
                size_t errlen)
{
	memset(s, 0, sizeof *s);
	char nsym[FB_SYMBOL_LEN], nint[FB_INTERVAL_LEN];
	ImportKind nkind;
	if (import_parse_name(path, nsym, sizeof nsym, nint, sizeof nint, &nkind, err, errlen))
		return -1;
	s->kind = opt->kind != IMPORT_AUTO ? opt->kind : nkind;
	snprintf(s->symbol, sizeof s->symbol, "%s", opt->symbol ? opt->symbol : nsym);
	snprintf(s->interval, sizeof s->interval, "%s", opt->interval ? opt->interval : nint);
	const char *exchange = opt->exchange ? opt->exchange : "binance";

	CsvReader *rd = csv_open(path, err, errlen);
	if (!rd)
		return -1;
	int rc = -1, in_tx = 0, have_layout = 0;
	Layout layout;
	int checked_interval = 0;
	char *f[CSV_MAX_FIELDS], why[256];
	const char *line;
	long lineno, len;
	long pending = 0;
	StorePutCounts bc = {0, 0, 0}; /* this batch, not yet committed */
	Candle *buf = xmalloc(IMPORT_CHUNK * sizeof *buf);
	size_t nbuf = 0;
	while ((len = csv_next_line(rd, &line, &lineno, err, errlen)) != -1) {
		s->lines = lineno;
		if (len == -2)
			goto out;
		if (len == -3) {
			snprintf(why, sizeof why, "line is longer than %d characters",
			         CSV_MAX_LINE);
			reject(opt, s, path, lineno, why);
			continue;
		}
		if (len == 0)
			continue;
		char *mut = (char *)line;
		int n = csv_split(mut, f, CSV_MAX_FIELDS);
		if (n < 0) {
			s->read++;
			reject(opt, s, path, lineno,
			       "malformed CSV (bad quoting or too many fields)");
			continue;
		}
		if (!have_layout) {
			if (!is_number(f[0])) {
				if (s->kind == IMPORT_AUTO) {
					s->kind = IMPORT_KLINES;
					for (int i = 0; i < n; i++)
						if (contains_nocase(f[i], "funding"))
							s->kind = IMPORT_FUNDING;
				}
				if (layout_from_header(&layout, f, n, s->kind, why, sizeof why)) {
					snprintf(err, errlen, "%s:%ld: %s", path, lineno, why);
					goto out;
				}
				have_layout = 1;
				continue;
			}
			if (s->kind == IMPORT_AUTO)
				s->kind = IMPORT_KLINES;
			if (s->kind == IMPORT_FUNDING) {
				for (int i = 0; i < C_COUNT; i++)
					layout.col[i] = -1;
				layout.col[C_FUNDING_TIME] = 0;
				layout.col[C_FUNDING_RATE] = 1;
				layout.nfields = n == 3 ? 3 : 2;
			} else if (n == 12 || n == 6) {
				layout_fixed(&layout, n);
			} else {
				snprintf(err, errlen,
				         "%s:%ld: cannot tell the layout: %d fields and no header "
				         "(klines have "
				         "12 or 6)",
				         path, lineno, n);
				goto out;
			}
			have_layout = 1;
		}
		if (!checked_interval) {
			/* Checked once the layout is known, so a header error is reported first. */
			checked_interval = 1;
			if (s->kind != IMPORT_FUNDING && layout.col[C_INTERVAL] < 0 &&
			    fb_interval_ms(s->interval) < 0) {
				if (s->interval[0])
					snprintf(err, errlen,
					         "%s: unsupported interval '%s' (supported: %s)",
					         path, s->interval, fb_interval_list());
				else
					snprintf(err, errlen,
					         "%s: no interval: name the file like "
					         "BTCUSDT-5m-2025-01.csv or "
					         "pass --interval",
					         path);
				goto out;
			}
		}
		s->read++;
		if (n != layout.nfields) {
			snprintf(why, sizeof why, "expected %d fields, found %d", layout.nfields,
			         n);
			reject(opt, s, path, lineno, why);
			continue;
		}
		Row row = {&layout, f, why, sizeof why};
		const char *sym = s->symbol;
		if (layout.col[C_SYMBOL] >= 0)
			sym = f[layout.col[C_SYMBOL]];
		if (!records_symbol_valid(sym)) {
			if (!sym[0]) {
				snprintf(err, errlen,
				         "%s: no symbol: name the file like BTCUSDT-5m-2025-01.csv "
				         "or pass "
				         "--symbol",
				         path);
				goto out;
			}
			snprintf(why, sizeof why, "'%.40s' is not a symbol", sym);
			reject(opt, s, path, lineno, why);
			continue;
		}
		const char *exch = exchange;
		if (layout.col[C_EXCHANGE] >= 0)
			exch = f[layout.col[C_EXCHANGE]];
		if (!valid_exchange(exch)) {
			snprintf(why, sizeof why, "'%.20s' is not an exchange name", exch);
			reject(opt, s, path, lineno, why);
			continue;
		}
		if (!in_tx) {
			if (store_begin(st)) {
				snprintf(err, errlen, "%s:%ld: database error: %s", path, lineno,
				         store_errmsg(st));
				goto out;
			}
			in_tx = 1;
		}
		if (s->kind == IMPORT_MARK) {
			Candle c;
			if (parse_candle(&row, opt, s->interval, &c)) {
				reject(opt, s, path, lineno, why);
				continue;
			}
			records_copy_field(c.exchange, sizeof c.exchange, exch);
			records_copy_field(c.symbol, sizeof c.symbol, sym);
			int put = store_put_mark(st, &c);
			if (put < 0) {
				snprintf(err, errlen, "%s:%ld: database error: %s", path, lineno,
				         store_errmsg(st));
				goto out;
			}
			count_put(&bc, put);
		} else if (s->kind == IMPORT_KLINES) {
			Candle *c = &buf[nbuf];
			if (parse_candle(&row, opt, s->interval, c)) {
				reject(opt, s, path, lineno, why);
				continue;
			}
			records_copy_field(c->exchange, sizeof c->exchange, exch);
			records_copy_field(c->symbol, sizeof c->symbol, sym);
			if (c->open_time > s->last_open)
				s->last_open = c->open_time;
			if (!s->exchange[0])
				records_copy_field(s->exchange, sizeof s->exchange, exch);
			else if (strcmp(s->exchange, exch) || strcmp(sym, s->symbol))
				s->mixed = 1;
			if (++nbuf == IMPORT_CHUNK && flush(st, buf, &nbuf, &bc)) {
				snprintf(err, errlen, "%s:%ld: database error: %s", path, lineno,
				         store_errmsg(st));
				goto out;
			}
		} else {
			FundingRate fr;
			if (parse_funding(&row, &fr)) {
				reject(opt, s, path, lineno, why);
				continue;
			}
			records_copy_field(fr.exchange, sizeof fr.exchange, exch);
			records_copy_field(fr.symbol, sizeof fr.symbol, sym);
			int put = store_put_funding(st, &fr);
			if (put < 0) {
				snprintf(err, errlen, "%s:%ld: database error: %s", path, lineno,
				         store_errmsg(st));
				goto out;
			}
			count_put(&bc, put);
		}
		if (++pending >= IMPORT_BATCH) {
			if (flush(st, buf, &nbuf, &bc) || store_commit(st)) {
				snprintf(err, errlen, "%s:%ld: commit failed: %s", path, lineno,
				         store_errmsg(st));
				goto out;
			}
			in_tx = 0;
			add_counts(s, &bc);
			pending = 0;
		}
	}
	if (in_tx && (flush(st, buf, &nbuf, &bc) || store_commit(st))) {
		snprintf(err, errlen, "%s: commit failed: %s", path, store_errmsg(st));
		goto out;
	}
	in_tx = 0;
	add_counts(s, &bc);
	if (s->kind == IMPORT_AUTO)
		s->kind = IMPORT_KLINES;
	rc = 0;
out:
	if (in_tx)
		store_rollback(st); /* the batch in progress is not counted */
	free(buf);
	csv_close(rd);
	return rc;
}

long import_mark_open_tails(Store *st, const ImportStats *f, int n, char *err, size_t errlen)
{
	long marked = 0;
	for (int i = 0; i < n; i++) {
		if (f[i].kind != IMPORT_KLINES || f[i].mixed || !f[i].last_open)
			continue;
		int first = 1, others = 0;
		int64_t end = 0, finest = INT64_MAX;
		for (int k = 0; k < n; k++) {
			if (f[k].kind != IMPORT_KLINES || f[k].mixed || !f[k].last_open ||
			    strcmp(f[k].symbol, f[i].symbol) ||
			    strcmp(f[k].exchange, f[i].exchange))
				continue;
			if (k < i)
				first = 0; /* this symbol was done at its first file */
			others += strcmp(f[k].interval, f[i].interval) != 0;
			int64_t ivl = fb_interval_ms(f[k].interval);
			if (ivl < finest)
				finest = ivl, end = f[k].last_open + ivl;
		}
		if (!first || !others)
			continue; /* one interval alone cannot tell */
		for (int k = i; k < n; k++) {
			if (f[k].kind != IMPORT_KLINES || f[k].mixed || !f[k].last_open ||
			    strcmp(f[k].symbol, f[i].symbol) ||
			    strcmp(f[k].exchange, f[i].exchange))
				continue;
			if (fb_interval_ms(f[k].interval) == finest)
				continue; /* the finest file is the clock itself */
			sqlite3_stmt *s;
			if (sqlite3_prepare_v2(
			            store_db(st),
			            "UPDATE candles SET closed = 0 WHERE closed = 1 AND "
			            "series_id = (SELECT id FROM series WHERE exchange = ?1 "
			            "AND symbol = ?2 AND interval = ?3) AND close_time >= ?4 "
			            "AND open_time <= ?5",
			            -1, &s, NULL) != SQLITE_OK) {
				snprintf(err, errlen, "%s", sqlite3_errmsg(store_db(st)));
				return -1;
			}
			sqlite3_bind_text(s, 1, f[k].exchange, -1, SQLITE_STATIC);
			sqlite3_bind_text(s, 2, f[k].symbol, -1, SQLITE_STATIC);
			sqlite3_bind_text(s, 3, f[k].interval, -1, SQLITE_STATIC);
			sqlite3_bind_int64(s, 4, end);
			sqlite3_bind_int64(s, 5, f[k].last_open);
			int rc = sqlite3_step(s);
			marked += sqlite3_changes(store_db(st));
			sqlite3_finalize(s);
			if (rc != SQLITE_DONE) {
				snprintf(err, errlen, "%s", sqlite3_errmsg(store_db(st)));
				return -1;
			}
		}
	}
	return marked;
}
