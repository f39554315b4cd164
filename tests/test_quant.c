/* The quant engine: hand-computed known answers for the derived metrics, edge cases (a single
 * candle, a flat series, a gap, a replayed candle), the snapshot, and live-vs-replay equality
 * through a real SQLite file. */
#include "testutil.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/rng.h"
#include "core/timeutil.h"
#include "feed/binance.h"
#include "quant/aggregate.h"
#include "quant/alerts.h"
#include "quant/engine.h"
#include "quant/fundperiod.h"
#include "quant/replay.h"
#include "quant/venuehist.h"

#define T0 INT64_C(1735689600000) /* 2025-01-01T00:00:00Z */

static int near(double a, double b)
{
	return fabs(a - b) < 1e-9 * fmax(1, fabs(b));
}
#define NEAR(a, b) assert_true(near((a), (b)))

static Event candle(const char *sym, const char *iv, int64_t open, double o, double h, double l,
                    double c, double qv, double tbq)
{
	Event ev = {.type = EV_CANDLE};
	Candle *k = &ev.u.candle;
	snprintf(ev.symbol, sizeof ev.symbol, "%s", sym);
	snprintf(k->symbol, sizeof k->symbol, "%s", sym);
	snprintf(k->exchange, sizeof k->exchange, "binance");
	snprintf(k->interval, sizeof k->interval, "%s", iv);
	k->open_time = open;
	k->close_time = open + fb_interval_ms(iv) - 1;
	ev.ts = k->close_time;
	k->open = o, k->high = h, k->low = l, k->close = c;
	k->volume = qv / c;
	k->quote_volume = qv;
	k->taker_buy_quote_volume = tbq;
	k->taker_buy_volume = tbq / c;
	k->trades = 10;
	k->closed = 1;
	return ev;
}

static Event simple(EventType t, const char *sym, int64_t ts)
{
	Event ev = {.type = t, .ts = ts};
	snprintf(ev.symbol, sizeof ev.symbol, "%s", sym);
	return ev;
}

static QuantEngine *engine(int rv, int z)
{
	QuantOptions o;
	quant_default_options(&o);
	o.rv_window = rv;
	o.z_window = z;
	o.ind.ema_fast = 2;
	o.ind.ema_slow = 3;
	o.nintervals = 1;
	snprintf(o.intervals[0], sizeof o.intervals[0], "1m");
	return quant_new(&o);
}

static double pstd(const double *x, int n)
{
	double m = 0, s = 0;
	for (int i = 0; i < n; i++)
		m += x[i] / n;
	for (int i = 0; i < n; i++)
		s += (x[i] - m) * (x[i] - m) / n;
	return sqrt(s);
}

static void test_candle_metrics(void **state)
{
	(void)state;
	QuantEngine *q = engine(3, 3);
	const double closes[] = {100, 110, 99, 108.9, 108.9, 119.79, 131.769};
	double rets[7], rvs[7];
	int nr = 0, nrv = 0;
	const double ann = sqrt(365.0 * 1440);
	double cvd = 0;
	for (int i = 0; i < 7; i++) {
		double qv = 1000 + 100 * i, tbq = i % 2 ? 300 + 10 * i : 700;
		Event ev = candle("BTCUSDT", "1m", T0 + i * 60000, closes[i], closes[i] + 1,
		                  closes[i] - 1, closes[i], qv, tbq);
		quant_apply(q, &ev);
		const QuantValues *v = quant_values(q, "BTCUSDT", "1m");
		assert_non_null(v);
		assert_int_equal(v->open_time, T0 + i * 60000);
		cvd += 2 * tbq - qv;
		NEAR(v->cvd_delta, 2 * tbq - qv);
		NEAR(v->cvd, cvd);
		if (i == 0) { /* a single candle: nothing that needs history */
			assert_true(isnan(v->change) && isnan(v->rv) && isnan(v->rsi));
			assert_int_equal((int)v->trend, TREND_NA);
			continue;
		}
		NEAR(v->change, closes[i] / closes[i - 1] - 1);
		rets[nr++] = log(closes[i] / closes[i - 1]);
		if (nr < 3) {
			assert_true(isnan(v->rv));
			continue;
		}
		double want = pstd(rets + nr - 3, 3) * ann;
		NEAR(v->rv, want);
		if (nrv >= 3) { /* regime against the previous three */
			double m = (rvs[nrv - 1] + rvs[nrv - 2] + rvs[nrv - 3]) / 3,
			       sd = pstd(rvs + nrv - 3, 3);
			int r = want > m + sd ? VOLR_HIGH : want < m - sd ? VOLR_LOW : VOLR_NORMAL;
			assert_int_equal((int)v->vol_regime, r);
		} else
			assert_int_equal((int)v->vol_regime, VOLR_NA);
		rvs[nrv++] = want;
		if (nrv >= 3)
			NEAR(v->vol_of_vol, pstd(rvs + nrv - 3, 3));
		else
			assert_true(isnan(v->vol_of_vol));
	}
	/* the last two closes rise 10 % each: fast EMA above slow, close above slow */
	assert_int_equal((int)quant_values(q, "BTCUSDT", "1m")->trend, TREND_UP);
	quant_free(q);
}

static void test_flat_gap_replayed(void **state)
{
	(void)state;
	QuantEngine *q = engine(3, 3);
	for (int i = 0; i < 25; i++) {
		Event ev = candle("ETHUSDT", "1m", T0 + i * 60000, 50, 50, 50, 50, 100, 50);
		quant_apply(q, &ev);
	}
	const QuantValues *v = quant_values(q, "ETHUSDT", "1m");
	NEAR(v->rv, 0);
	NEAR(v->zscore, 0); /* a flat window has no spread: z is 0, not a division by zero */
	NEAR(v->rsi, 0);
	NEAR(v->atr, 0);
	NEAR(v->change, 0);
	assert_int_equal((int)v->trend, TREND_RANGE);
	QuantValues before = *v;
	/* an older candle again (a replay of what was seen) changes nothing */
	Event old = candle("ETHUSDT", "1m", T0 + 3 * 60000, 70, 70, 70, 70, 100, 50);
	quant_apply(q, &old);
	assert_memory_equal(&before, quant_values(q, "ETHUSDT", "1m"), sizeof before);
	assert_int_equal(quant_gaps(q, "ETHUSDT", "1m"), 0);
	/* a hole of two minutes: counted, and the series goes on */
	Event late = candle("ETHUSDT", "1m", T0 + 27 * 60000, 50, 55, 50, 55, 100, 50);
	quant_apply(q, &late);
	assert_int_equal(quant_gaps(q, "ETHUSDT", "1m"), 1);
	NEAR(quant_values(q, "ETHUSDT", "1m")->change, 0.1);
	/* candles of intervals the engine was not given, and unknown symbols, are ignored */
	Event other = candle("ETHUSDT", "5m", T0, 1, 1, 1, 1, 1, 1);
	quant_apply(q, &other);
	assert_null(quant_values(q, "ETHUSDT", "5m"));
	assert_null(quant_values(q, "XRPUSDT", "1m"));
	quant_free(q);
}

static void test_gauges(void **state)
{
	(void)state;
	QuantEngine *q = engine(3, 3);
	/* open interest bucketed by the minute */
	const struct {
		int64_t dt;
		double oi;
	} ois[] = {{10000, 1000}, {50000, 1100}, {70000, 1210}, {130000, 1331}, {190000, 1000}};
	for (int i = 0; i < 5; i++) {
		Event ev = simple(EV_OPEN_INTEREST, "BTCUSDT", T0 + ois[i].dt);
		ev.u.oi.contracts = ois[i].oi;
		ev.u.oi.value = NAN;
		quant_apply(q, &ev);
		if (i == 2) {
			Event c = candle("BTCUSDT", "1m", T0, 1, 1, 1, 1, 1, 1);
			quant_apply(q, &c);
			const QuantValues *v = quant_values(q, "BTCUSDT", "1m");
			NEAR(v->oi, 1210);
			NEAR(v->oi_change,
			     0.1); /* against the close of the previous minute, 1100 */
			assert_true(isnan(v->oi_z));
		}
	}
	/* long/short ratio */
	Event ls = simple(EV_RATIO, "BTCUSDT", T0 + 150000);
	ls.u.ratio.kind = RATIO_LS_GLOBAL;
	ls.u.ratio.ratio = 2;
	quant_apply(q, &ls);
	ls.ts = T0 + 200000;
	ls.u.ratio.ratio = 2.5;
	quant_apply(q, &ls);
	/* funding every 4 h: the interval is learnt */
	for (int i = 0; i < 3; i++) {
		Event f = simple(EV_FUNDING, "BTCUSDT", T0 + i * 4 * FB_HOUR_MS);
		f.u.funding.rate = 0.0001 * (i + 1);
		f.u.funding.mark = NAN;
		quant_apply(q, &f);
	}
	Event m = simple(EV_MARK, "BTCUSDT", T0 + 210000);
	m.u.mark.mark = 101;
	m.u.mark.index = 100;
	m.u.mark.funding_rate = 0.0002;
	quant_apply(q, &m);
	Event b = simple(EV_BOOK_TOP, "BTCUSDT", T0 + 220000);
	b.u.book.bid_qty = 3;
	b.u.book.ask_qty = 1;
	b.u.book.imbalance = 0.5;
	quant_apply(q, &b);
	quant_publish(q);
	QuantSnapshot *s = quant_snapshot_acquire(q);
	assert_int_equal(s->nrows, 1);
	const QuantValues *v = &s->rows[0].tf[0];
	NEAR(v->oi, 1000);
	NEAR(v->oi_change, 1000 / 1331.0 - 1);
	const double closes[] = {1100, 1210, 1331};
	NEAR(v->oi_z, (1000 - (1100 + 1210 + 1331) / 3.0) / pstd(closes, 3));
	NEAR(v->ls_ratio, 2.5);
	NEAR(v->ls_change, 0.25);
	NEAR(s->rows[0].funding_interval_h, 4);
	NEAR(v->funding, 0.0002); /* the estimate from the mark stream */
	NEAR(v->funding_annual, 0.0002 * 365 * 6);
	const double rates[] = {0.0001, 0.0002, 0.0003};
	NEAR(v->funding_z, (0.0003 - 0.0002) / pstd(rates, 3));
	NEAR(v->basis, 0.01);
	NEAR(v->imbalance, 0.5);
	quant_snapshot_release(q, s);
	quant_free(q);
}

/* a rule's metric from a row's values */
static double venue_value(int id, void *arg)
{
	return id >= 0 && id < quant_ncolumns ? quant_column_value(arg, id) : NAN;
}

static Event venue(const char *venue_label, const char *sym, int64_t ts)
{
	Event ev = simple(EV_VENUE, sym, ts);
	VenueEvent *v = &ev.u.venue;
	snprintf(v->venue, sizeof v->venue, "%s", venue_label);
	v->mark = v->funding_rate = v->funding_interval_h = v->oi = v->quote_volume_24h = NAN;
	return ev;
}

/* Another exchange's values: mapped by instrument (SHIB1000USDT is 1000SHIBUSDT), summed and
 * compared per 8 h; nothing across exchanges before one reports */
static void test_venues(void **state)
{
	(void)state;
	QuantEngine *q = engine(3, 3);
	Event oi = simple(EV_OPEN_INTEREST, "1000SHIBUSDT", T0 + 1000);
	oi.u.oi.contracts = 1e6; /* of 1,000 SHIB each */
	oi.u.oi.value = NAN;
	quant_apply(q, &oi);
	Event m = simple(EV_MARK, "1000SHIBUSDT", T0 + 2000);
	m.u.mark.mark = 0.02;
	m.u.mark.index = 0.02;
	m.u.mark.funding_rate = 0.0001; /* per 8 h */
	quant_apply(q, &m);
	quant_publish(q);
	QuantSnapshot *s = quant_snapshot_acquire(q);
	assert_true(isnan(s->rows[0].oi_all) && isnan(s->rows[0].tf[0].funding_spread));
	assert_int_equal(s->rows[0].nvenues, 0);
	quant_snapshot_release(q, s);
	/* Bybit: 500,000 contracts at 0.0201, funding 0.0001 per 4 h; an unknown instrument is
	 * left out, and no symbol is made of it */
	Event v0 = venue("bybit", "SHIB1000USDT", T0 - 2 * FB_MINUTE_MS + 3000); /* a poll before */
	v0.u.venue.oi = 5e5;
	quant_apply(q, &v0);
	Event v = venue("bybit", "SHIB1000USDT", T0 + 3000);
	v.u.venue.oi = 5e5;
	v.u.venue.mark = 0.0201;
	v.u.venue.funding_rate = 0.0001;
	v.u.venue.funding_interval_h = 4;
	quant_apply(q, &v);
	Event l = venue("bybit", "SHIB1000USDT", T0 + 4000);
	l.u.venue.liq_sell = 250;
	quant_apply(q, &l);
	Event other = venue("bybit", "10000SATSUSDT", T0 + 4000);
	other.u.venue.oi = 7;
	quant_apply(q, &other);
	quant_publish(q);
	s = quant_snapshot_acquire(q);
	assert_int_equal(s->nrows, 1);
	const QuantTopRow *r = &s->rows[0];
	assert_string_equal(r->symbol, "1000SHIBUSDT");
	assert_int_equal(r->nvenues, 1);
	assert_string_equal(r->venue[0].symbol, "SHIB1000USDT");
	NEAR(r->venue[0].mult, 1000);
	double own = 1e6 * 0.02, theirs = 5e5 * 0.0201;
	NEAR(r->oi_all, own + theirs);
	NEAR(r->oi_share, own / (own + theirs));
	NEAR(r->funding_all, (own * 0.0001 + theirs * 0.0002) / (own + theirs));
	NEAR(r->funding_spread, 0.0002 - 0.0001); /* per 8 h */
	NEAR(r->price_spread, 0.0201 / 0.02 - 1);
	NEAR(r->liq_all_1h, 250);
	const QuantValues *tv = &r->tf[0];
	NEAR(tv->oi_all, own + theirs);
	NEAR(tv->funding_spread, 0.0001);
	/* the columns are in the rule language too: 0.02 % of funding spread per 8 h holds here
	 * (0.01 %), its double does not */
	assert_true(quant_column_find("oi_all_z") >= 0 && quant_column_find("funding_spread") >= 0);
	int col;
	char msg[128];
	AlertExpr *e = alert_expr_compile("oi_all > 1000 and funding_spread > 0.005%", &col, msg,
	                                  sizeof msg);
	assert_non_null(e);
	AlertExpr *e2 = alert_expr_compile("funding_spread > 0.02%", &col, msg, sizeof msg);
	assert_non_null(e2);
	assert_int_equal(alert_expr_eval(e, venue_value, (void *)tv), 1);
	assert_int_equal(alert_expr_eval(e2, venue_value, (void *)tv), 0);
	alert_expr_free(e);
	alert_expr_free(e2);
	quant_snapshot_release(q, s);
	/* twelve minutes on: Bybit's mark and funding came again, its open interest, polled
	 * every 2 minutes before, did not (stale after 5 + 2 x 2), and a ranking's volume makes
	 * nothing fresher; the sum is unknown, the spreads of the fresh mark stand, and the venue
	 * is as old as its open interest */
	Event m2 = m;
	m2.ts = T0 + 12 * FB_MINUTE_MS;
	quant_apply(q, &m2);
	Event v2 = venue("bybit", "SHIB1000USDT", T0 + 12 * FB_MINUTE_MS);
	v2.u.venue.mark = 0.0202;
	v2.u.venue.funding_rate = 0.0001;
	quant_apply(q, &v2);
	Event vol = venue("bybit", "SHIB1000USDT", T0 + 12 * FB_MINUTE_MS);
	vol.u.venue.quote_volume_24h = 3e7;
	quant_apply(q, &vol);
	oi.ts = T0 + 12 * FB_MINUTE_MS;
	quant_apply(q, &oi);
	quant_publish(q);
	s = quant_snapshot_acquire(q);
	r = &s->rows[0];
	assert_true(isnan(r->oi_all) && isnan(r->oi_share) && isnan(r->funding_all));
	NEAR(r->funding_spread, 0.0001);
	NEAR(r->price_spread, 0.0202 / 0.02 - 1);
	NEAR(r->venue[0].quote_volume_24h, 3e7);
	assert_true(r->venue[0].updated_ms == T0 + 3000);
	quant_snapshot_release(q, s);
	/* its open interest again: the whole is known again */
	Event v3 = venue("bybit", "SHIB1000USDT", T0 + 12 * FB_MINUTE_MS + 1000);
	v3.u.venue.oi = 5e5;
	quant_apply(q, &v3);
	quant_publish(q);
	s = quant_snapshot_acquire(q);
	r = &s->rows[0];
	NEAR(r->oi_all, own + 5e5 * 0.0202);
	assert_true(r->venue[0].updated_ms == T0 + 12 * FB_MINUTE_MS);
	quant_snapshot_release(q, s);
	quant_free(q);
}

/* This exchange's own open interest (contracts) and mark (index the same, funding 0.01 %) */
static void own_oi(QuantEngine *q, const char *sym, int64_t ts, double contracts)
{
	Event oi = simple(EV_OPEN_INTEREST, sym, ts);
	oi.u.oi.contracts = contracts;
	oi.u.oi.value = NAN;
	quant_apply(q, &oi);
}

static void own_mark(QuantEngine *q, const char *sym, int64_t ts, double mark)
{
	Event m = simple(EV_MARK, sym, ts);
	m.u.mark.mark = m.u.mark.index = mark;
	m.u.mark.funding_rate = 0.0001;
	quant_apply(q, &m);
}

/* A venue's open interest polled every 5 minutes stays in the sum between its polls (5 minutes
 * and twice its spacing); once the polls stop it drops out, though its mark goes on; an
 * earlier 5-minute point that comes after a newer value changes nothing */
static void test_venue_oi_cadence(void **state)
{
	(void)state;
	QuantEngine *q = engine(3, 3);
	const int64_t M = FB_MINUTE_MS;
	double oi_at[] = {1e6, 1.1e6, 1.2e6}; /* Bybit's, at 0, 5 and 10 minutes */
	for (int64_t t = 0; t <= 40; t++) {
		own_oi(q, "BTCUSDT", T0 + t * M, 1000);
		own_mark(q, "BTCUSDT", T0 + t * M, 100);
		Event v = venue("bybit", "BTCUSDT", T0 + t * M);
		v.u.venue.mark = 101;
		v.u.venue.funding_rate = 0.0001;
		if (t % 5 == 0 && t <= 10)
			v.u.venue.oi = oi_at[t / 5];
		quant_apply(q, &v);
		if (t == 10) { /* the 5-minute point before it, late */
			Event late = venue("bybit", "BTCUSDT", T0 + 5 * M);
			late.u.venue.oi = 1;
			quant_apply(q, &late);
		}
		quant_publish(q);
		QuantSnapshot *s = quant_snapshot_acquire(q);
		const QuantTopRow *r = &s->rows[0];
		/* the first value alone: its spacing unknown, not judged; then 5 + 2 x 5 after
		 * the last, at 10 */
		int fresh = t < 5 ? 1 : t <= 25;
		if (fresh) {
			NEAR(r->oi_all, 1000 * 100 + oi_at[t < 10 ? t / 5 : 2] * 101);
			assert_int_equal(r->venue[0].stale, 0);
		} else {
			assert_true(isnan(r->oi_all));
			assert_int_equal(r->venue[0].stale, 1);
			assert_true(r->venue[0].updated_ms == T0 + 10 * M); /* its OI's age shown */
		}
		NEAR(r->price_spread, 0.01); /* the mark goes on */
		quant_snapshot_release(q, s);
	}
	quant_free(q);
}

/* This exchange's own part too: its open interest polls stop (a REST ban, say) while its
 * streams go on: the sum is unknown once its open interest is stale; a reordered, older mark
 * changes nothing */
static void test_own_part_stale(void **state)
{
	(void)state;
	QuantEngine *q = engine(3, 3);
	const int64_t M = FB_MINUTE_MS;
	for (int64_t t = 0; t <= 11; t++) {
		if (t == 0 || t == 1) /* two polls, a minute apart, then none */
			own_oi(q, "BTCUSDT", T0 + t * M, 1000);
		own_mark(q, "BTCUSDT", T0 + t * M, 100);
		own_mark(q, "BTCUSDT", T0 + t * M - M / 2, 50); /* a reordered frame, before it */
		Event v = venue("bybit", "BTCUSDT", T0 + t * M);
		v.u.venue.mark = 100;
		v.u.venue.funding_rate = 0.0001;
		v.u.venue.oi = 500;
		quant_apply(q, &v);
		quant_publish(q);
		QuantSnapshot *s = quant_snapshot_acquire(q);
		const QuantTopRow *r = &s->rows[0];
		NEAR(r->mark, 100);
		if (t <= 8) /* 5 minutes and twice its 1-minute spacing after the last poll, at 1 */
			NEAR(r->oi_all, 1500 * 100);
		else
			assert_true(isnan(r->oi_all) && isnan(r->oi_share));
		assert_int_equal(r->venue[0].stale, 0); /* Bybit's part is fresh */
		/* the row's own open interest is told old as the sums leave it, with its time */
		assert_int_equal(r->oi_stale, t > 8);
		assert_int_equal(s->agg.oi_stale, t > 8); /* the total's part is old too */
		assert_int_equal(r->own_stale, t > 8);
		assert_int_equal(r->oi_ms, T0 + (t ? M : 0));
		assert_int_equal(r->own_ms, T0 + (t ? M : 0)); /* the older of mark and OI */
		NEAR(r->oi, 1000);                             /* still shown, as it was */
		quant_snapshot_release(q, s);
	}
	/* then the polls come back and the marks stop: the open interest is fresh again, the part
	 * (its mark) is not once the mark is over 5 minutes old */
	for (int64_t t = 12; t <= 18; t++) {
		own_oi(q, "BTCUSDT", T0 + t * M, 1000);
		quant_publish(q);
		QuantSnapshot *s = quant_snapshot_acquire(q);
		const QuantTopRow *r = &s->rows[0];
		assert_int_equal(r->oi_stale, 0);
		assert_int_equal(r->oi_ms, T0 + t * M);
		assert_int_equal(r->own_stale, t > 11 + 5);
		assert_int_equal(r->own_ms, T0 + 11 * M);
		quant_snapshot_release(q, s);
	}
	quant_free(q);
}

static void test_snapshot(void **state)
{
	(void)state;
	QuantOptions o;
	quant_default_options(&o);
	o.nintervals = 1;
	snprintf(o.intervals[0], sizeof o.intervals[0], "1m");
	o.top_n = 2;
	QuantEngine *q = quant_new(&o);
	assert_null(quant_snapshot_acquire(q));
	const char *syms[] = {"AAAUSDT", "BBBUSDT", "CCCUSDT"};
	const double qv[] = {5e6, 9e6, 1e6}, ch[] = {1.5, -2, 0.5};
	Rng r;
	rng_seed(&r, 7);
	double pa = 100, pc = 100;
	for (int i = 0; i < 3; i++) {
		Event t = simple(EV_TICKER_24H, syms[i], T0);
		t.u.ticker.quote_volume = qv[i];
		t.u.ticker.change_pct = ch[i];
		t.u.ticker.last = 10;
		quant_apply(q, &t);
		Event oi = simple(EV_OPEN_INTEREST, syms[i], T0);
		oi.u.oi.contracts = 10;
		oi.u.oi.value = 1000.0 * (i + 1);
		quant_apply(q, &oi);
		Event mk = simple(EV_MARK, syms[i], T0);
		mk.u.mark.mark = mk.u.mark.index = 10;
		mk.u.mark.funding_rate = 0.0001 * (i + 1);
		quant_apply(q, &mk);
	}
	for (int i = 0; i < 50; i++) { /* AAA and BBB move together, in opposite directions */
		double x = (rng_uniform(&r) - 0.5) / 50;
		pa *= 1 + x;
		pc *= 1 - x;
		Event a = candle("AAAUSDT", "1m", T0 + i * 60000, pa, pa, pa, pa, 1, 1);
		Event c = candle("BBBUSDT", "1m", T0 + i * 60000, pc, pc, pc, pc, 1, 1);
		quant_apply(q, &a);
		quant_apply(q, &c);
	}
	assert_int_equal(quant_publish(q), 1);
	QuantSnapshot *s = quant_snapshot_acquire(q);
	assert_int_equal(quant_publish(q), 2); /* the held snapshot stays valid */
	assert_int_equal(s->generation, 1);
	assert_int_equal(s->nrows, 2); /* top 2 by 24h quote volume */
	assert_string_equal(s->rows[0].symbol, "BBBUSDT");
	assert_string_equal(s->rows[1].symbol, "AAAUSDT");
	NEAR(s->corr[0][0], 1);
	assert_true(s->corr[0][1] < -0.99 && s->corr[0][1] == s->corr[0][2]);
	NEAR(s->agg.total_oi_value, 3000);
	NEAR(s->agg.oi_weighted_funding, (2000 * 0.0002 + 1000 * 0.0001) / 3000);
	assert_int_equal(s->agg.up, 1);
	assert_int_equal(s->agg.down, 1);
	NEAR(s->rows[0].change_24h, -0.02);
	NEAR(s->rows[1].spark[0][QUANT_SPARK - 1], pa);
	assert_true(isnan(s->rows[1].spark[0][0])); /* 50 closes: the first 14 are padding */
	assert_false(isnan(s->rows[1].spark[0][QUANT_SPARK - 50]));
	quant_snapshot_release(q, s);
	QuantSnapshot *s2 = quant_snapshot_acquire(q);
	assert_int_equal(s2->generation, 2);
	quant_snapshot_release(q, s2);
	quant_free(q);
}

/* Live vs replay: events applied as they come and written to a real database, then the
 * database replayed through a fresh engine: every value after every candle is bit-for-bit the
 * same. */
typedef struct {
	char key[48]; /* symbol interval */
	QuantValues v;
} Seen;

static void put_metric(Store *st, const char *sym, const char *name, int64_t ts, double v)
{
	MarketMetric m = {.ts = ts, .value = v};
	snprintf(m.exchange, sizeof m.exchange, "binance");
	snprintf(m.symbol, sizeof m.symbol, "%s", sym);
	snprintf(m.metric, sizeof m.metric, "%s", name);
	assert_true(store_put_metric(st, &m) >= 0);
}

static void test_live_vs_replay(void **state)
{
	(void)state;
	Store *st = tu_open_store("replay.db");
	assert_non_null(st);
	QuantOptions o;
	quant_default_options(&o);
	o.nintervals = 2;
	snprintf(o.intervals[0], sizeof o.intervals[0], "1m");
	snprintf(o.intervals[1], sizeof o.intervals[1], "5m");
	QuantEngine *live = quant_new(&o);
	const char *syms[] = {"BTCUSDT", "ETHUSDT"};
	enum { MINUTES = 600 };
	Seen *seen = calloc(2 * MINUTES * 2, sizeof *seen);
	int nseen = 0;
	Rng r;
	rng_seed(&r, 42);
	double px[2] = {50000, 3000};
	Aggregator agg[2];
	agg_init(&agg[0], "5m");
	agg_init(&agg[1], "5m");
	assert_int_equal(store_begin(st), 0);
	for (int m = 0; m < MINUTES; m++) {
		for (int k = 0; k < 2; k++) {
			int64_t t = T0 + m * 60000;
			/* gauges inside the minute, stored as the collector stores them */
			if (m % 5 == 2) {
				Event oi = simple(EV_OPEN_INTEREST, syms[k], t + 17000);
				oi.u.oi.contracts = 1e5 * (1 + rng_uniform(&r));
				oi.u.oi.value = NAN;
				quant_apply(live, &oi);
				put_metric(st, syms[k], "open_interest", oi.ts, oi.u.oi.contracts);
				Event ls = simple(EV_RATIO, syms[k], t + 18000);
				ls.u.ratio.kind = RATIO_LS_GLOBAL;
				ls.u.ratio.ratio = 1 + rng_uniform(&r);
				quant_apply(live, &ls);
				put_metric(st, syms[k], "ls_ratio_global", ls.ts, ls.u.ratio.ratio);
			}
			Event mk = simple(EV_MARK, syms[k], t + 1000);
			mk.u.mark.mark = px[k] * 1.0001;
			mk.u.mark.index = px[k];
			mk.u.mark.funding_rate = (rng_uniform(&r) - 0.3) / 1e4;
			quant_apply(live, &mk);
			put_metric(st, syms[k], "mark_price", mk.ts, mk.u.mark.mark);
			put_metric(st, syms[k], "index_price", mk.ts, mk.u.mark.index);
			put_metric(st, syms[k], "funding_rate_est", mk.ts, mk.u.mark.funding_rate);
			if (m % 480 == 0) {
				Event f = simple(EV_FUNDING, syms[k], t);
				f.u.funding.rate = mk.u.mark.funding_rate;
				f.u.funding.mark = NAN;
				quant_apply(live, &f);
				FundingRate fr = {.funding_time = t,
				                  .funding_rate = f.u.funding.rate,
				                  .mark_price = NAN};
				snprintf(fr.exchange, sizeof fr.exchange, "binance");
				snprintf(fr.symbol, sizeof fr.symbol, "%s", syms[k]);
				assert_true(store_put_funding(st, &fr) >= 0);
			}
			double o_ = px[k];
			px[k] *= exp((rng_uniform(&r) - 0.5) / 100);
			double hi = fmax(o_, px[k]) * 1.001, lo = fmin(o_, px[k]) * 0.999;
			Event c = candle(syms[k], "1m", t, o_, hi, lo, px[k], 1e6 * rng_uniform(&r),
			                 5e5 * rng_uniform(&r));
			quant_apply(live, &c);
			assert_true(store_put_candle(st, &c.u.candle) >= 0);
			snprintf(seen[nseen].key, sizeof seen[nseen].key, "%s 1m", syms[k]);
			seen[nseen++].v = *quant_values(live, syms[k], "1m");
			Candle up;
			if (agg_push(&agg[k], &c.u.candle, &up)) {
				Event ev = {.type = EV_CANDLE, .ts = up.close_time};
				memcpy(ev.symbol, up.symbol, sizeof ev.symbol);
				ev.u.candle = up;
				quant_apply(live, &ev);
				assert_true(store_put_candle(st, &up) >= 0);
				snprintf(seen[nseen].key, sizeof seen[nseen].key, "%s 5m", syms[k]);
				seen[nseen++].v = *quant_values(live, syms[k], "5m");
			}
		}
	}
	assert_int_equal(store_commit(st), 0);
	/* replay */
	char err[256];
	ReplaySpec sp = {.exchange = "binance", .to_ms = INT64_MAX};
	ReplayReader *rd = replay_open(store_reader(st), &sp, err, sizeof err);
	assert_non_null(rd);
	QuantEngine *rep = quant_new(&o);
	Event ev;
	int rc, i = 0, mismatches = 0;
	while ((rc = replay_next(rd, &ev, err, sizeof err)) == 1) {
		quant_apply(rep, &ev);
		if (ev.type != EV_CANDLE)
			continue;
		const QuantValues *v = quant_values(rep, ev.symbol, ev.u.candle.interval);
		assert_true(i < nseen);
		/* candles of equal close time may come in another order: find ours nearby */
		char key[48];
		snprintf(key, sizeof key, "%s %s", ev.symbol, ev.u.candle.interval);
		int found = -1;
		for (int j = i > 8 ? i - 8 : 0; j < nseen && j < i + 8 && found < 0; j++)
			if (strcmp(seen[j].key, key) == 0 && seen[j].v.open_time == v->open_time)
				found = j;
		if (found < 0 || memcmp(&seen[found].v, v, sizeof *v) != 0)
			mismatches++;
		i++;
	}
	assert_int_equal(rc, 0);
	assert_int_equal(mismatches, 0);
	assert_int_equal(i, nseen);
	replay_close(rd);
	quant_free(rep);
	quant_free(live);
	free(seen);
	store_close(st);
}

/* The watchlist: a symbol below the top N is in the snapshot after the ranked rows, marked;
 * the exchange's tick size sets the price precision. */
static void test_watchlist(void **state)
{
	(void)state;
	QuantOptions o;
	quant_default_options(&o);
	o.nintervals = 1;
	snprintf(o.intervals[0], sizeof o.intervals[0], "1m");
	o.top_n = 2;
	QuantEngine *q = quant_new(&o);
	const char *syms[] = {"AAAUSDT", "BBBUSDT", "CCCUSDT"};
	for (int i = 0; i < 3; i++) {
		Event t = simple(EV_TICKER_24H, syms[i], T0);
		t.u.ticker.quote_volume = 3e6 - i * 1e6;
		t.u.ticker.last = 1.5;
		t.u.ticker.tick_size = i == 0 ? 0.0001 : 0;
		quant_apply(q, &t);
	}
	quant_publish(q);
	QuantSnapshot *s = quant_snapshot_acquire(q);
	assert_int_equal(s->nrows, 2);
	assert_int_equal(s->rows[0].price_dp, 4); /* 0.0001 */
	assert_int_equal(s->rows[1].price_dp, 0); /* 1.5 from a ticker is not a traded price */
	quant_snapshot_release(q, s);
	char w[1][FB_SYMBOL_LEN] = {"CCCUSDT"};
	quant_set_watch(q, (const char(*)[FB_SYMBOL_LEN])w, 1);
	quant_publish(q);
	s = quant_snapshot_acquire(q);
	assert_int_equal(s->nrows, 3);
	assert_string_equal(s->rows[2].symbol, "CCCUSDT");
	assert_int_equal(s->rows[2].watched, 1);
	assert_int_equal(s->rows[0].watched, 0);
	quant_snapshot_release(q, s);
	quant_free(q);
}

/* One convention for a candle event's time: a closed kline from the WebSocket and the same
 * candle read back from the store are both events of its close time; a forming kline is one
 * of the message's time. */
static void test_candle_time_convention(void **state)
{
	(void)state;
	const char *closed =
	        "{\"stream\":\"btcusdt@kline_1m\",\"data\":{\"e\":\"kline\",\"E\":1638747720005,"
	        "\"s\":\"BTCUSDT\",\"k\":{\"t\":1638747660000,\"T\":1638747719999,\"s\":"
	        "\"BTCUSDT\",\"i\":\"1m\",\"o\":\"50000.1\",\"c\":\"50010.5\",\"h\":\"50020\","
	        "\"l\":\"49990\",\"v\":\"12.5\",\"n\":100,\"x\":true,\"q\":\"625100\",\"V\":"
	        "\"6\",\"Q\":\"300050\"}}}";
	char why[256];
	Event live[2], back;
	assert_int_equal(binance_parse_ws(closed, strlen(closed), "binance", 1638747720010LL, live,
	                                  2, why, sizeof why),
	                 1);
	assert_int_equal(live[0].ts, 1638747719999LL);
	Store *st = tu_open_store("convention.db");
	assert_non_null(st);
	assert_true(store_put_candle(st, &live[0].u.candle) >= 0);
	char err[256];
	ReplaySpec sp = {.exchange = "binance", .to_ms = INT64_MAX};
	ReplayReader *rd = replay_open(store_reader(st), &sp, err, sizeof err);
	assert_non_null(rd);
	assert_int_equal(replay_next(rd, &back, err, sizeof err), 1);
	assert_int_equal(back.type, EV_CANDLE);
	assert_int_equal(back.ts, live[0].ts);
	replay_close(rd);
	store_close(st);
	/* forming: the message's time */
	const char *forming =
	        "{\"stream\":\"btcusdt@kline_1m\",\"data\":{\"e\":\"kline\",\"E\":1638747690000,"
	        "\"s\":\"BTCUSDT\",\"k\":{\"t\":1638747660000,\"T\":1638747719999,\"s\":"
	        "\"BTCUSDT\",\"i\":\"1m\",\"o\":\"50000.1\",\"c\":\"50010.5\",\"h\":\"50020\","
	        "\"l\":\"49990\",\"v\":\"12.5\",\"n\":100,\"x\":false,\"q\":\"625100\",\"V\":"
	        "\"6\",\"Q\":\"300050\"}}}";
	assert_int_equal(binance_parse_ws(forming, strlen(forming), "binance", 1638747690010LL,
	                                  live, 2, why, sizeof why),
	                 1);
	assert_int_equal(live[0].u.candle.closed, 0);
	assert_int_equal(live[0].ts, 1638747690000LL);
}

/* A funding period learnt from the next funding times announced: a settlement passing, a
 * schedule moved before the settlement (both ways), and what teaches nothing. */
static void test_funding_period(void **state)
{
	(void)state;
	const int64_t H = FB_HOUR_MS;
	int64_t next = 0, every = 0;
	assert_int_equal(funding_period_learn(&next, &every, T0 + 8 * H, T0 + H), 0); /* first */
	assert_int_equal(next, T0 + 8 * H);
	assert_int_equal(funding_period_learn(&next, &every, T0 + 8 * H, T0 + 2 * H), 0);
	/* the settlement at 08:00 passes: the next is 8 h later */
	assert_int_equal(funding_period_learn(&next, &every, T0 + 16 * H, T0 + 8 * H + 500), 8 * H);
	assert_int_equal(every, 8 * H);
	/* 8 h to 4 h at 09:30: the next moves back from 16:00 to 12:00, 4 h after 08:00 */
	assert_int_equal(funding_period_learn(&next, &every, T0 + 12 * H, T0 + 9 * H + 1800000),
	                 4 * H);
	assert_int_equal(every, 4 * H);
	/* the 4 h rhythm then confirms it: nothing new */
	assert_int_equal(funding_period_learn(&next, &every, T0 + 16 * H, T0 + 12 * H + 10), 0);
	/* 4 h to 8 h at 17:00: the next moves on from 20:00 to 24:00, 8 h after 16:00 */
	assert_int_equal(funding_period_learn(&next, &every, T0 + 24 * H, T0 + 17 * H), 8 * H);
	/* a feed away over two settlements: a 16 h step is not a period */
	assert_int_equal(funding_period_learn(&next, &every, T0 + 48 * H, T0 + 40 * H + 10), 0);
	assert_int_equal(every, 8 * H);
	assert_int_equal(next, T0 + 48 * H);
	/* nothing from a moved time while no period is known, nor from out of range steps */
	int64_t n2 = T0 + 8 * H, e2 = 0;
	assert_int_equal(funding_period_learn(&n2, &e2, T0 + 4 * H, T0 + H), 0);
	assert_int_equal(e2, 0);
	assert_int_equal(funding_period_learn(&n2, &e2, T0 + 4 * H + 30 * 60000, T0 + 4 * H), 0);
	assert_int_equal(funding_period_learn(&n2, &e2, T0 + 40 * H, T0 + 4 * H + 60000), 0);
	assert_int_equal(funding_period_learn(&n2, &e2, 0, T0 + 5 * H), 0);
	assert_int_equal(n2, T0 + 40 * H);
}

static void put_row(Store *st, const char *ex, const char *sym, const char *name, int64_t ts,
                    double v)
{
	MarketMetric m = {.ts = ts, .value = v};
	snprintf(m.exchange, sizeof m.exchange, "%s", ex);
	snprintf(m.symbol, sizeof m.symbol, "%s", sym);
	snprintf(m.metric, sizeof m.metric, "%s", name);
	assert_true(store_put_metric(st, &m) >= 0);
}

static void put_series(Store *st, const char *ex, const char *sym, const char *iv, int64_t t,
                       int mark)
{
	Candle c = {.open_time = t,
	            .close_time = t + fb_interval_ms(iv) - 1,
	            .open = 1,
	            .high = 1,
	            .low = 1,
	            .close = 1,
	            .volume = 1,
	            .quote_volume = 1,
	            .trades = 1,
	            .taker_buy_volume = NAN,
	            .taker_buy_quote_volume = NAN,
	            .closed = 1};
	snprintf(c.exchange, sizeof c.exchange, "%s", ex);
	snprintf(c.symbol, sizeof c.symbol, "%s", sym);
	snprintf(c.interval, sizeof c.interval, "%s", iv);
	if (mark) {
		c.close = mark == 1 ? 0.0125 : 12.5;
		assert_true(store_put_price_candle(st, STORE_MARK, &c) >= 0);
	} else
		assert_true(store_put_candle(st, &c) >= 0);
}

/* One instrument on every exchange stored, along the candles of one series: mapped across
 * names, open interest times mark (the live mark, else the mark candles), funding per 8 h by
 * each exchange's period (the estimate, else the settled rate while its period lasts), and
 * nothing carried past its age. */
static void test_venue_history(void **state)
{
	(void)state;
	const int64_t M = FB_MINUTE_MS, H = FB_HOUR_MS;
	Store *st = tu_open_store("venuehist.db");
	assert_non_null(st);
	assert_int_equal(store_begin(st), 0);
	/* the series: Binance's 1000SHIBUSDT, Bybit's SHIB1000USDT, a third exchange's, and
	 * names that are not the instrument or not another exchange's */
	put_series(st, "binance", "1000SHIBUSDT", "5m", T0, 0);
	put_series(st, "bybit", "SHIB1000USDT", "1m", T0, 0);
	put_series(st, "okx", "SHIBUSDT", "1m", T0, 0);
	put_series(st, "binance", "SHIBUSDC", "5m", T0, 0);
	put_series(st, "binance", "1000PEPEUSDT", "5m", T0, 0);
	/* Binance: open interest at 2 and 12 minutes, marks every minute until 29 */
	put_row(st, "binance", "1000SHIBUSDT", "open_interest", T0 + 2 * M, 1e9);
	put_row(st, "binance", "1000SHIBUSDT", "open_interest", T0 + 12 * M, 2e9);
	for (int m = 0; m < 30; m++)
		put_row(st, "binance", "1000SHIBUSDT", "mark_price", T0 + m * M + 500,
		        0.012 + m * 1e-5);
	put_row(st, "binance", "1000SHIBUSDT", "funding_rate_est", T0 + 3 * M, 0.0001);
	/* Bybit: one open interest at 1 minute, no live mark but mark candles; a 4 h period
	 * said, an estimate at 4 minutes; settled funding 4 h apart before the window */
	put_row(st, "bybit", "SHIB1000USDT", "open_interest", T0 + 1 * M, 5e8);
	for (int m = 0; m < 30; m++)
		put_series(st, "bybit", "SHIB1000USDT", "1m", T0 + m * M, 1);
	put_row(st, "bybit", "SHIB1000USDT", "funding_interval_h", T0 - 5 * H, 4);
	put_row(st, "bybit", "SHIB1000USDT", "funding_rate_est", T0 + 4 * M, 0.00005);
	/* okx: settled funding only, 8 h apart, the last at T0 - 1 h */
	const int64_t settled[] = {T0 - 17 * H, T0 - 9 * H, T0 - H};
	for (int k = 0; k < 3; k++) {
		FundingRate f = {.funding_time = settled[k],
		                 .funding_rate = 0.0003 * (k + 1),
		                 .mark_price = NAN};
		snprintf(f.exchange, sizeof f.exchange, "okx");
		snprintf(f.symbol, sizeof f.symbol, "SHIBUSDT");
		assert_true(store_put_funding(st, &f) >= 0);
	}
	assert_int_equal(store_commit(st), 0);

	/* 5m candles at T0 .. T0 + 35 m, and one at 8 h */
	int64_t t[8] = {T0,          T0 + 5 * M,  T0 + 10 * M, T0 + 15 * M,
	                T0 + 20 * M, T0 + 25 * M, T0 + 35 * M, T0 + 8 * H};
	VenueHist v[VENUE_HIST_MAX];
	char err[256];
	int n = venue_history(store_reader(st), "binance", "1000SHIBUSDT", t, 8, 5 * M, v,
	                      VENUE_HIST_MAX, err, sizeof err);
	assert_int_equal(n, 3);
	assert_string_equal(v[0].exchange, "binance");
	assert_string_equal(v[0].symbol, "1000SHIBUSDT");
	assert_string_equal(v[1].exchange, "bybit");
	assert_string_equal(v[1].symbol, "SHIB1000USDT");
	assert_string_equal(v[2].exchange, "okx");
	assert_string_equal(v[2].symbol, "SHIBUSDT");
	/* Binance: the OI before each close times the mark before it. The OI of 12 m is 18
	 * minutes old at 30 m, over the 10 but within twice its rows' 10-minute spacing: kept;
	 * at 40 m it is 28 minutes old: gone */
	NEAR(v[0].oi_usd[0], 1e9 * (0.012 + 4e-5));
	NEAR(v[0].oi_usd[1], 1e9 * (0.012 + 9e-5));
	NEAR(v[0].oi_usd[2], 2e9 * (0.012 + 14e-5));
	NEAR(v[0].oi_usd[4], 2e9 * (0.012 + 24e-5));
	NEAR(v[0].oi_usd[5], 2e9 * (0.012 + 29e-5));
	assert_true(isnan(v[0].oi_usd[6]));
	assert_true(isnan(v[0].oi_usd[7]));
	/* its estimate, per 8 h on the usual 8 h, until it is 10 minutes old */
	NEAR(v[0].funding8[0], 0.0001);
	NEAR(v[0].funding8[1], 0.0001);
	assert_true(isnan(v[0].funding8[2]));
	/* Bybit: the mark candles' close (0.0125) until its OI is 10 minutes old; the estimate
	 * per its 4 h period, doubled */
	NEAR(v[1].oi_usd[0], 5e8 * 0.0125);
	NEAR(v[1].oi_usd[1], 5e8 * 0.0125);
	assert_true(isnan(v[1].oi_usd[2]));
	NEAR(v[1].funding8[0], 0.0001);
	NEAR(v[1].funding8[1], 0.0001);
	assert_true(isnan(v[1].funding8[2]));
	/* okx: no open interest; the rate settled at T0 - 1 h while its 8 h period lasts (and
	 * an hour's slack), per 8 h as settled */
	assert_true(isnan(v[2].oi_usd[0]));
	NEAR(v[2].funding8[0], 0.0009);
	NEAR(v[2].funding8[6], 0.0009);
	assert_true(isnan(v[2].funding8[7]));
	venue_history_free(v, n);

	/* Bybit's own view: itself first; and a symbol stored on one exchange only */
	n = venue_history(store_reader(st), "bybit", "SHIB1000USDT", t, 8, 5 * M, v, VENUE_HIST_MAX,
	                  err, sizeof err);
	assert_int_equal(n, 3);
	assert_string_equal(v[0].exchange, "bybit");
	assert_string_equal(v[1].exchange, "binance");
	venue_history_free(v, n);
	n = venue_history(store_reader(st), "binance", "1000PEPEUSDT", t, 8, 5 * M, v,
	                  VENUE_HIST_MAX, err, sizeof err);
	assert_int_equal(n, 1);
	venue_history_free(v, n);
	/* a symbol not stored: itself, with nothing known */
	n = venue_history(store_reader(st), "binance", "ETHUSDT", t, 8, 5 * M, v, VENUE_HIST_MAX,
	                  err, sizeof err);
	assert_int_equal(n, 1);
	assert_true(isnan(v[0].oi_usd[0]) && isnan(v[0].funding8[0]));
	venue_history_free(v, n);
	/* every other exchange's names of two instruments, and of all */
	VenueTwins tw[VENUE_HIST_MAX];
	const char *two[] = {"1000SHIBUSDT", "1000PEPEUSDT"};
	n = venue_twins(store_reader(st), "binance", two, 2, tw, VENUE_HIST_MAX, err, sizeof err);
	assert_int_equal(n, 2);
	assert_string_equal(tw[0].exchange, "bybit");
	assert_int_equal(tw[0].nsymbols, 1);
	assert_string_equal(tw[0].symbols[0], "SHIB1000USDT");
	assert_string_equal(tw[1].exchange, "okx");
	venue_twins_free(tw, n);
	n = venue_twins(store_reader(st), "bybit", NULL, 0, tw, VENUE_HIST_MAX, err, sizeof err);
	assert_int_equal(n, 2);
	assert_string_equal(tw[0].exchange, "binance");
	assert_int_equal(tw[0].nsymbols, 3); /* 1000SHIBUSDT SHIBUSDC 1000PEPEUSDT */
	venue_twins_free(tw, n);
	store_close(st);
}

/* A replay with venues gives the engine the other exchanges' stored rows of the same
 * instruments as EV_VENUE, so the columns across exchanges come back after a restart, in a
 * replay and in an export: the same values as live (test_venues); without venues, none. */
static void test_replay_venues(void **state)
{
	(void)state;
	Store *st = tu_open_store("replayvenues.db");
	assert_non_null(st);
	assert_int_equal(store_begin(st), 0);
	for (int m = 0; m < 3; m++)
		put_series(st, "binance", "1000SHIBUSDT", "1m", T0 + m * FB_MINUTE_MS, 0);
	put_series(st, "bybit", "SHIB1000USDT", "1m", T0, 0);
	put_series(st, "bybit", "10000SATSUSDT", "1m", T0, 0);
	put_row(st, "binance", "1000SHIBUSDT", "open_interest", T0 + 1000, 1e6);
	put_row(st, "binance", "1000SHIBUSDT", "mark_price", T0 + 2000, 0.02);
	put_row(st, "binance", "1000SHIBUSDT", "index_price", T0 + 2000, 0.02);
	put_row(st, "binance", "1000SHIBUSDT", "funding_rate_est", T0 + 2000, 0.0001);
	put_row(st, "bybit", "SHIB1000USDT", "open_interest", T0 + 3000, 5e5);
	put_row(st, "bybit", "SHIB1000USDT", "mark_price", T0 + 3000, 0.0201);
	put_row(st, "bybit", "SHIB1000USDT", "funding_rate_est", T0 + 3000, 0.0001);
	put_row(st, "bybit", "SHIB1000USDT", "funding_interval_h", T0 + 3000, 4);
	put_row(st, "bybit", "SHIB1000USDT", "quote_volume_24h", T0 + 3000, 3e7);
	put_row(st, "bybit", "SHIB1000USDT", "ls_ratio_global", T0 + 3500, 1.2); /* not used */
	put_row(st, "bybit", "10000SATSUSDT", "open_interest", T0 + 3000, 7);
	Liquidation l = {.ts = T0 + 4000, .price = 0.025, .qty = 10000};
	snprintf(l.exchange, sizeof l.exchange, "bybit");
	snprintf(l.symbol, sizeof l.symbol, "SHIB1000USDT");
	snprintf(l.side, sizeof l.side, "SELL");
	assert_true(store_put_liquidation(st, &l) >= 0);
	assert_int_equal(store_commit(st), 0);
	const char *syms[] = {"1000SHIBUSDT"};
	for (int venues = 0; venues <= 1; venues++) {
		ReplaySpec sp = {.exchange = "binance",
		                 .symbols = syms,
		                 .nsymbols = 1,
		                 .to_ms = INT64_MAX,
		                 .venues = venues};
		char err[256];
		ReplayReader *rd = replay_open(store_reader(st), &sp, err, sizeof err);
		assert_non_null(rd);
		QuantEngine *q = engine(3, 3);
		Event ev;
		int nvenue = 0, rc;
		int64_t last = INT64_MIN;
		while ((rc = replay_next(rd, &ev, err, sizeof err)) == 1) {
			assert_true(ev.ts >= last); /* one time order across every source */
			last = ev.ts;
			if (ev.type == EV_VENUE) {
				nvenue++;
				assert_string_equal(ev.u.venue.venue, "bybit");
				assert_string_equal(ev.symbol, "SHIB1000USDT");
			}
			quant_apply(q, &ev);
		}
		assert_int_equal(rc, 0);
		replay_close(rd);
		/* the metric rows of one instant, and the forced order */
		assert_int_equal(nvenue, venues ? 2 : 0);
		quant_publish(q);
		QuantSnapshot *s = quant_snapshot_acquire(q);
		assert_int_equal(s->nrows, 1);
		const QuantTopRow *r = &s->rows[0];
		if (!venues) {
			assert_int_equal(r->nvenues, 0);
			assert_true(isnan(r->oi_all));
		} else {
			double own = 1e6 * 0.02, theirs = 5e5 * 0.0201;
			assert_int_equal(r->nvenues, 1);
			NEAR(r->venue[0].funding_interval_h, 4);
			NEAR(r->venue[0].quote_volume_24h, 3e7); /* as the ranking read it */
			NEAR(r->oi_all, own + theirs);
			NEAR(r->funding_spread, 0.0002 - 0.0001);
			NEAR(r->liq_all_1h, 250);
		}
		quant_snapshot_release(q, s);
		/* five minutes on, Bybit's values are stale: no sum passes for the whole, no
		 * spread against them */
		Event later = candle("1000SHIBUSDT", "1m", T0 + 9 * FB_MINUTE_MS, 0.02, 0.02, 0.02,
		                     0.02, 1e3, 5e2);
		quant_apply(q, &later);
		quant_publish(q);
		s = quant_snapshot_acquire(q);
		r = &s->rows[0];
		assert_int_equal(r->nvenues, venues);
		assert_true(isnan(r->oi_all) && isnan(r->funding_all) && isnan(r->liq_all_1h));
		assert_true(isnan(r->funding_spread) && isnan(r->price_spread));
		quant_snapshot_release(q, s);
		quant_free(q);
	}
	store_close(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_candle_metrics),
	        cmocka_unit_test(test_flat_gap_replayed),
	        cmocka_unit_test(test_gauges),
	        cmocka_unit_test(test_venues),
	        cmocka_unit_test(test_venue_oi_cadence),
	        cmocka_unit_test(test_own_part_stale),
	        cmocka_unit_test(test_snapshot),
	        cmocka_unit_test(test_live_vs_replay),
	        cmocka_unit_test(test_candle_time_convention),
	        cmocka_unit_test(test_watchlist),
	        cmocka_unit_test(test_funding_period),
	        cmocka_unit_test(test_venue_history),
	        cmocka_unit_test(test_replay_venues),
	};
	return cmocka_run_group_tests(tests, tu_group_setup, tu_group_teardown);
}
