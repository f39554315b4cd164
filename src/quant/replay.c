/* Replay: a merge of four ordered cursors (candles, metrics, funding, liquidations). */
#include "quant/replay.h"

#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/strbuf.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"

enum { C_CANDLE, C_METRIC, C_FUNDING, C_LIQ, NCURSORS };

#define PENDING_MAX 16

struct ReplayReader {
	sqlite3 *db;
	sqlite3_stmt *st[NCURSORS];
	int live[NCURSORS]; /* a row is ready */
	Event pending[PENDING_MAX];
	int npending, next_pending;
	char exchange[FB_EXCHANGE_LEN];
};

static void in_list(StrBuf *b, const char *col, int n)
{
	if (n <= 0)
		return;
	strbuf_printf(b, " AND %s IN (", col);
	for (int i = 0; i < n; i++)
		strbuf_printf(b, "%s?", i ? "," : "");
	strbuf_printf(b, ")");
}

static sqlite3_stmt *prepare(ReplayReader *r, const ReplaySpec *sp, const char *head,
                             const char *symcol, const char *ivcol, const char *tail, char *err,
                             size_t errlen)
{
	StrBuf b = {0};
	strbuf_printf(&b, "%s", head);
	in_list(&b, symcol, sp->symbols ? sp->nsymbols : 0);
	if (ivcol)
		in_list(&b, ivcol, sp->intervals ? sp->nintervals : 0);
	strbuf_printf(&b, "%s", tail);
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v2(r->db, b.p, -1, &s, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "replay: %s", sqlite3_errmsg(r->db));
		free(b.p);
		return NULL;
	}
	free(b.p);
	int k = 1;
	sqlite3_bind_text(s, k++, sp->exchange, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, k++, sp->to_ms);
	sqlite3_bind_int64(s, k++, sp->from_ms);
	for (int i = 0; sp->symbols && i < sp->nsymbols; i++)
		sqlite3_bind_text(s, k++, sp->symbols[i], -1, SQLITE_TRANSIENT);
	for (int i = 0; ivcol && sp->intervals && i < sp->nintervals; i++)
		sqlite3_bind_text(s, k++, sp->intervals[i], -1, SQLITE_TRANSIENT);
	return s;
}

static int step(ReplayReader *r, int c, char *err, size_t errlen)
{
	if (!r->st[c]) {
		r->live[c] = 0;
		return 0;
	}
	int rc = sqlite3_step(r->st[c]);
	if (rc == SQLITE_ROW) {
		r->live[c] = 1;
		return 0;
	}
	r->live[c] = 0;
	if (rc == SQLITE_DONE)
		return 0;
	snprintf(err, errlen, "replay: %s", sqlite3_errmsg(r->db));
	return -1;
}

ReplayReader *replay_open(Store *st, const ReplaySpec *sp, char *err, size_t errlen)
{
	ReplayReader *r = xcalloc(1, sizeof *r);
	r->db = store_db(st);
	records_copy_field(r->exchange, sizeof r->exchange, sp->exchange);
	r->st[C_CANDLE] = prepare(
	        r, sp,
	        "SELECT s.symbol, s.interval, c.open_time, c.close_time, c.open, c.high, c.low, "
	        "c.close, c.volume, c.quote_volume, c.trades, c.taker_buy_volume, "
	        "c.taker_buy_quote_volume FROM candles AS c JOIN series AS s ON s.id = c.series_id "
	        "WHERE s.exchange = ?1 AND c.closed = 1 AND c.close_time <= ?2 "
	        "AND c.close_time > ?3",
	        "s.symbol", "s.interval", " ORDER BY c.close_time, s.id", err, errlen);
	if (!r->st[C_CANDLE])
		goto fail;
	if (!sp->candles_only) {
		r->st[C_METRIC] =
		        prepare(r, sp,
		                "SELECT symbol, metric, ts, value FROM market_metrics "
		                "WHERE exchange = ?1 AND ts <= ?2 AND ts > ?3",
		                "symbol", NULL, " ORDER BY ts, symbol, metric", err, errlen);
		r->st[C_FUNDING] = r->st[C_METRIC]
		                           ? prepare(r, sp,
		                                     "SELECT symbol, funding_time, funding_rate, "
		                                     "mark_price FROM funding WHERE exchange = ?1 "
		                                     "AND funding_time <= ?2 AND funding_time > ?3",
		                                     "symbol", NULL,
		                                     " ORDER BY funding_time, symbol", err, errlen)
		                           : NULL;
		r->st[C_LIQ] =
		        r->st[C_FUNDING]
		                ? prepare(r, sp,
		                          "SELECT symbol, ts, side, price, qty FROM liquidations "
		                          "WHERE exchange = ?1 AND ts <= ?2 AND ts > ?3",
		                          "symbol", NULL, " ORDER BY ts, symbol", err, errlen)
		                : NULL;
		if (!r->st[C_LIQ])
			goto fail;
	}
	for (int c = 0; c < NCURSORS; c++)
		if (step(r, c, err, errlen))
			goto fail;
	return r;
fail:
	replay_close(r);
	return NULL;
}

void replay_close(ReplayReader *r)
{
	if (!r)
		return;
	for (int c = 0; c < NCURSORS; c++)
		sqlite3_finalize(r->st[c]);
	free(r);
}

static double col_double(sqlite3_stmt *s, int i)
{
	return sqlite3_column_type(s, i) == SQLITE_NULL ? NAN : sqlite3_column_double(s, i);
}

static void col_text(sqlite3_stmt *s, int i, char *dst, size_t len)
{
	const char *t = (const char *)sqlite3_column_text(s, i);
	records_copy_field(dst, len, t ? t : "");
}

static int64_t row_ts(ReplayReader *r, int c)
{
	static const int tcol[NCURSORS] = {3, 2, 1, 1};
	return sqlite3_column_int64(r->st[c], tcol[c]);
}

static void candle_event(ReplayReader *r, Event *ev)
{
	sqlite3_stmt *s = r->st[C_CANDLE];
	memset(ev, 0, sizeof *ev);
	ev->type = EV_CANDLE;
	Candle *c = &ev->u.candle;
	records_copy_field(c->exchange, sizeof c->exchange, r->exchange);
	col_text(s, 0, c->symbol, sizeof c->symbol);
	memcpy(ev->symbol, c->symbol, sizeof ev->symbol);
	col_text(s, 1, c->interval, sizeof c->interval);
	c->open_time = sqlite3_column_int64(s, 2);
	c->close_time = sqlite3_column_int64(s, 3);
	ev->ts = c->close_time;
	c->open = col_double(s, 4);
	c->high = col_double(s, 5);
	c->low = col_double(s, 6);
	c->close = col_double(s, 7);
	c->volume = col_double(s, 8);
	c->quote_volume = col_double(s, 9);
	c->trades = sqlite3_column_type(s, 10) == SQLITE_NULL ? -1 : sqlite3_column_int64(s, 10);
	c->taker_buy_volume = col_double(s, 11);
	c->taker_buy_quote_volume = col_double(s, 12);
	c->closed = 1;
}

static Event *pend(ReplayReader *r, EventType type, const char *symbol, int64_t ts)
{
	Event *ev = &r->pending[r->npending++];
	memset(ev, 0, sizeof *ev);
	ev->type = type;
	ev->ts = ts;
	records_copy_field(ev->symbol, sizeof ev->symbol, symbol);
	return ev;
}

/* Reads every metric row of one (ts, symbol) into pending events. */
static int metric_events(ReplayReader *r, char *err, size_t errlen)
{
	sqlite3_stmt *s = r->st[C_METRIC];
	char symbol[FB_SYMBOL_LEN];
	col_text(s, 0, symbol, sizeof symbol);
	int64_t ts = sqlite3_column_int64(s, 2);
	Event *mark = NULL;
	r->npending = r->next_pending = 0;
	while (r->live[C_METRIC] && sqlite3_column_int64(s, 2) == ts &&
	       strcmp((const char *)sqlite3_column_text(s, 0), symbol) == 0) {
		const char *m = (const char *)sqlite3_column_text(s, 1);
		double v = col_double(s, 3);
		static const struct {
			const char *name;
			RatioKind kind;
		} ratios[] = {{"ls_ratio_global", RATIO_LS_GLOBAL},
		              {"ls_ratio_top_accounts", RATIO_LS_TOP_ACCOUNTS},
		              {"ls_ratio_top_positions", RATIO_LS_TOP_POSITIONS},
		              {"taker_buy_sell_ratio", RATIO_TAKER_BUY_SELL}};
		if (r->npending >= PENDING_MAX - 1)
			break; /* the rest of this instant comes as the next group */
		if (strcmp(m, "mark_price") == 0 || strcmp(m, "index_price") == 0 ||
		    strcmp(m, "funding_rate_est") == 0) {
			if (!mark) {
				mark = pend(r, EV_MARK, symbol, ts);
				mark->u.mark.mark = mark->u.mark.index = mark->u.mark.settle =
				        mark->u.mark.funding_rate = NAN;
			}
			if (m[0] == 'm')
				mark->u.mark.mark = v;
			else if (m[0] == 'i')
				mark->u.mark.index = v;
			else
				mark->u.mark.funding_rate = v;
		} else if (strcmp(m, "open_interest") == 0) {
			Event *e = pend(r, EV_OPEN_INTEREST, symbol, ts);
			e->u.oi.contracts = v;
			e->u.oi.value = NAN;
		} else if (strcmp(m, "open_interest_value") == 0) {
			Event *e = pend(r, EV_OPEN_INTEREST, symbol, ts);
			e->u.oi.contracts = NAN;
			e->u.oi.value = v;
		} else if (strcmp(m, "book_imbalance") == 0) {
			Event *e = pend(r, EV_BOOK_TOP, symbol, ts);
			e->u.book.bid = e->u.book.ask = e->u.book.bid_qty = e->u.book.ask_qty = NAN;
			e->u.book.imbalance = v;
		} else {
			for (size_t i = 0; i < sizeof ratios / sizeof *ratios; i++)
				if (strcmp(m, ratios[i].name) == 0) {
					Event *e = pend(r, EV_RATIO, symbol, ts);
					e->u.ratio.kind = ratios[i].kind;
					e->u.ratio.ratio = v;
				}
		}
		if (step(r, C_METRIC, err, errlen))
			return -1;
	}
	return 0;
}

int replay_next(ReplayReader *r, Event *ev, char *err, size_t errlen)
{
	for (;;) {
		if (r->next_pending < r->npending) {
			*ev = r->pending[r->next_pending++];
			return 1;
		}
		int best = -1;
		int64_t bt = 0;
		/* at equal times: metrics, funding, liquidations, then the candle */
		static const int order[NCURSORS] = {C_METRIC, C_FUNDING, C_LIQ, C_CANDLE};
		for (int k = 0; k < NCURSORS; k++) {
			int c = order[k];
			if (r->live[c] && (best < 0 || row_ts(r, c) < bt)) {
				best = c;
				bt = row_ts(r, c);
			}
		}
		if (best < 0)
			return 0;
		sqlite3_stmt *s = r->st[best];
		switch (best) {
		case C_CANDLE: candle_event(r, ev); return step(r, best, err, errlen) ? -1 : 1;
		case C_METRIC:
			if (metric_events(r, err, errlen))
				return -1;
			continue;
		case C_FUNDING: {
			char symbol[FB_SYMBOL_LEN];
			col_text(s, 0, symbol, sizeof symbol);
			memset(ev, 0, sizeof *ev);
			ev->type = EV_FUNDING;
			ev->ts = sqlite3_column_int64(s, 1);
			memcpy(ev->symbol, symbol, sizeof symbol);
			ev->u.funding.rate = col_double(s, 2);
			ev->u.funding.mark = col_double(s, 3);
			return step(r, best, err, errlen) ? -1 : 1;
		}
		default: {
			memset(ev, 0, sizeof *ev);
			ev->type = EV_LIQUIDATION;
			col_text(s, 0, ev->symbol, sizeof ev->symbol);
			ev->ts = sqlite3_column_int64(s, 1);
			col_text(s, 2, ev->u.liq.side, sizeof ev->u.liq.side);
			ev->u.liq.price = col_double(s, 3);
			ev->u.liq.qty = col_double(s, 4);
			return step(r, best, err, errlen) ? -1 : 1;
		}
		}
	}
}
