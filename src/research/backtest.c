/* The backtest loop (see backtest.h). */
#include "research/backtest.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/xmalloc.h"
#include "quant/indicators.h"

static const struct {
	BtStrategy s;
	const char *name;
	double p[BT_MAX_PARAMS];
	const char *pname[BT_MAX_PARAMS];
} strategies[] = {
        {BT_EMA_CROSS, "ema-cross", {NAN, NAN, NAN, NAN}, {"fast", "slow", NULL, NULL}},
        {BT_RSI_REVERSION, "rsi-reversion", {30, 70, NAN, NAN}, {"low", "high", NULL, NULL}},
        {BT_ZSCORE_REVERSION,
         "zscore-reversion",
         {2, 0.5, NAN, NAN},
         {"entry", "exit", NULL, NULL}},
        {BT_DONCHIAN, "donchian", {20, NAN, NAN, NAN}, {"n", NULL, NULL, NULL}},
        {BT_FUNDING_CARRY,
         "funding-carry",
         {0.0001, NAN, NAN, NAN},
         {"threshold", NULL, NULL, NULL}},
};
#define NSTRAT ((int)(sizeof strategies / sizeof *strategies))

const char *bt_strategy_name(BtStrategy s)
{
	for (int i = 0; i < NSTRAT; i++)
		if (strategies[i].s == s)
			return strategies[i].name;
	return "?";
}

BtStrategy bt_strategy_find(const char *name)
{
	for (int i = 0; i < NSTRAT; i++)
		if (strcmp(strategies[i].name, name) == 0)
			return strategies[i].s;
	return 0;
}

const char *bt_strategy_list(void)
{
	return "ema-cross, rsi-reversion, zscore-reversion, donchian, funding-carry";
}

const char *bt_param_name(BtStrategy s, int k)
{
	for (int i = 0; i < NSTRAT; i++)
		if (strategies[i].s == s && k >= 0 && k < BT_MAX_PARAMS)
			return strategies[i].pname[k];
	return NULL;
}

int bt_param_find(BtStrategy s, const char *name)
{
	for (int k = 0; k < BT_MAX_PARAMS && bt_param_name(s, k); k++)
		if (strcmp(bt_param_name(s, k), name) == 0)
			return k;
	return -1;
}

int bt_lookback(const BtConfig *c, int rsi, int ema_slow, int zscore)
{
	switch (c->strategy) {
	case BT_EMA_CROSS: return isfinite(c->p[1]) ? (int)fmax(c->p[0], c->p[1]) : ema_slow;
	case BT_RSI_REVERSION: return rsi + 1;
	case BT_ZSCORE_REVERSION: return zscore;
	case BT_DONCHIAN: return (int)c->p[0] + 1;
	case BT_FUNDING_CARRY: return 1;
	}
	return 1;
}

void bt_default_config(BtConfig *c, BtStrategy s)
{
	memset(c, 0, sizeof *c);
	c->strategy = s;
	for (int i = 0; i < NSTRAT; i++)
		if (strategies[i].s == s)
			memcpy(c->p, strategies[i].p, sizeof c->p);
	c->fee_bps = 4;
	c->slippage_bps = 1;
	c->leverage = 1;
	c->fraction = 1;
	c->maintenance = 0.004;
	c->liq_fee_bps = 50;
	c->funding = 1;
	c->initial = 10000;
	c->interval_ms = 60000;
	c->sizing = BT_SIZE_FIXED;
	c->target_vol = 0.5;
}

/* The position wanted after bar i closes, from bars 0..i only (fast and slow: the EMAs after
 * bar i). */
static int signal(const BtConfig *c, const BtBar *b, int i, int pos, double fast, double slow)
{
	const BtBar *x = &b[i];
	int want = pos;
	switch (c->strategy) {
	case BT_EMA_CROSS:
		if (isfinite(fast) && isfinite(slow))
			want = fast > slow ? 1 : fast < slow ? -1 : pos;
		break;
	case BT_RSI_REVERSION:
		if (!isfinite(x->rsi))
			break;
		if (x->rsi < c->p[0])
			want = 1;
		else if (x->rsi > c->p[1])
			want = -1;
		else if ((pos > 0 && x->rsi >= 50) || (pos < 0 && x->rsi <= 50))
			want = 0;
		break;
	case BT_ZSCORE_REVERSION:
		if (!isfinite(x->zscore))
			break;
		if (x->zscore < -c->p[0])
			want = 1;
		else if (x->zscore > c->p[0])
			want = -1;
		else if (fabs(x->zscore) < c->p[1])
			want = 0;
		break;
	case BT_DONCHIAN: {
		int n = (int)c->p[0];
		if (n < 1 || i < n)
			break;
		double hi = -INFINITY, lo = INFINITY;
		for (int k = i - n; k < i; k++)
			hi = fmax(hi, b[k].high), lo = fmin(lo, b[k].low);
		if (x->close > hi)
			want = 1;
		else if (x->close < lo)
			want = -1;
		break;
	}
	case BT_FUNDING_CARRY:
		if (!isfinite(x->funding))
			break;
		want = x->funding > c->p[0] ? -1 : x->funding < -c->p[0] ? 1 : 0;
		break;
	}
	if (want < 0 && c->no_short)
		want = 0;
	return want;
}

typedef struct {
	double cash; /* equity without the open position's unrealised result */
	int side;
	double qty, entry;
	double liq;    /* liquidation price, 0: none */
	double margin; /* the position's isolated margin */
	BtTrade cur;
} Book;

static void push_trade(BtResult *r, size_t *cap, const BtTrade *t)
{
	if ((size_t)r->ntrades == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		r->trades = xrealloc(r->trades, *cap * sizeof *r->trades);
	}
	r->trades[r->ntrades++] = *t;
}

static void close_at(const BtConfig *c, Book *k, BtResult *r, size_t *cap, double px, int64_t t,
                     int slip, int liquidated)
{
	if (!k->side)
		return;
	double fill = slip ? px * (1 - k->side * c->slippage_bps / 1e4) : px;
	double fee = fabs(k->qty * fill) * (liquidated ? c->liq_fee_bps : c->fee_bps) / 1e4;
	/* a liquidation takes the whole margin, whatever the price left of it */
	double gross = liquidated ? -k->margin : k->side * k->qty * (fill - k->entry);
	k->cash += gross - fee;
	r->fees += fee;
	k->cur.exit_time = t;
	k->cur.exit = fill;
	k->cur.fees += fee;
	k->cur.pnl += gross - fee;
	k->cur.liquidated = liquidated;
	r->liquidations += liquidated;
	push_trade(r, cap, &k->cur);
	k->side = 0;
	k->qty = 0;
}

/* mult: notional / equity for BT_SIZE_VOL */
static void open_at(const BtConfig *c, Book *k, BtResult *r, int side, double px, int64_t t,
                    double mult)
{
	double fill = px * (1 + side * c->slippage_bps / 1e4);
	double margin = c->sizing == BT_SIZE_VOL ? k->cash : k->cash * c->fraction;
	double lev = c->sizing == BT_SIZE_VOL ? mult : c->leverage;
	if (!(margin > 0) || !(fill > 0) || !(lev > 0))
		return;
	k->side = side;
	k->margin = margin;
	k->qty = margin * lev / fill;
	k->entry = fill;
	double dist = 1 / lev - c->maintenance;
	k->liq = lev > 1 && dist > 0 ? fill * (1 - side * dist) : 0;
	double fee = k->qty * fill * c->fee_bps / 1e4;
	k->cash -= fee;
	r->fees += fee;
	memset(&k->cur, 0, sizeof k->cur);
	k->cur.side = side;
	k->cur.entry_time = t;
	k->cur.entry = fill;
	k->cur.qty = k->qty;
	k->cur.fees = fee;
	k->cur.pnl = -fee;
}

/* One funding payment of the open position on its notional at price (>0: paid). */
static void pay_funding(const BtConfig *c, Book *k, BtResult *r, double price, double rate)
{
	if (!c->funding || !k->side)
		return;
	double pay = k->side * k->qty * price * rate;
	k->cash -= pay;
	r->funding += pay;
	k->cur.funding += pay;
	k->cur.pnl -= pay;
}

/* The strategy's own EMAs for c's periods, fed the closes of up to BT_WARM_BARS bars before
 * bar i; 0 when the strategy uses the engine's. */
static int start_ema(const BtConfig *c, Ema *ef, Ema *es, const BtBar *b, int i)
{
	if (!(c->strategy == BT_EMA_CROSS && isfinite(c->p[0]) && isfinite(c->p[1])))
		return 0;
	ema_init(ef, (int)c->p[0]);
	ema_init(es, (int)c->p[1]);
	for (int k = i > BT_WARM_BARS ? i - BT_WARM_BARS : 0; k < i; k++)
		ema_push(ef, b[k].close), ema_push(es, b[k].close);
	return 1;
}

int bt_run(const BtConfig *c, const BtBar *b, int n, const BtFunding *f, int nf, BtResult *r,
           char *err, size_t errlen)
{
	memset(r, 0, sizeof *r);
	if (n <= 0) {
		snprintf(err, errlen, "no bars");
		return -1;
	}
	if (c->nwarm > 0 && c->warm && c->warm[c->nwarm - 1].open_time < b[0].open_time) {
		/* the warm-up bars and the range as one series, trading only in the range; the
		 * result keeps the range (nothing is held or paid before it) */
		BtBar *all = xmalloc((size_t)(c->nwarm + n) * sizeof *all);
		memcpy(all, c->warm, (size_t)c->nwarm * sizeof *all);
		memcpy(all + c->nwarm, b, (size_t)n * sizeof *all);
		BtConfig cw = *c;
		cw.warm = NULL;
		cw.nwarm = 0;
		/* decisions start at the range's first close, as in a run that starts at the
		 * range: nothing fills at its first open */
		if (cw.trade_from_ms <= b[0].open_time)
			cw.trade_from_ms = b[0].open_time + 1;
		int rc = bt_run(&cw, all, c->nwarm + n, f, nf, r, err, errlen);
		free(all);
		if (rc == 0) {
			int skip = r->n - n;
			memmove(r->time, r->time + skip, (size_t)n * sizeof *r->time);
			memmove(r->equity, r->equity + skip, (size_t)n * sizeof *r->equity);
			memmove(r->position, r->position + skip, (size_t)n * sizeof *r->position);
			r->n = n;
		}
		return rc;
	}
	if (!(c->leverage >= 1) || !(c->fraction > 0) || c->fraction > 1 || c->interval_ms <= 0) {
		snprintf(err, errlen, "leverage must be at least 1 and the fraction in (0, 1]");
		return -1;
	}
	if (c->sizing == BT_SIZE_VOL && !(c->target_vol > 0)) {
		snprintf(err, errlen, "the volatility target must be above 0");
		return -1;
	}
	for (int k = 0; k < (c->nsched > 0 ? c->nsched : 1); k++) {
		const double *p = c->nsched > 0 ? c->sched[k].p : c->p;
		if (c->strategy == BT_EMA_CROSS && isfinite(p[0]) && isfinite(p[1]) &&
		    !(p[0] >= 1 && p[1] >= 1)) {
			snprintf(err, errlen, "EMA periods must be at least 1");
			return -1;
		}
	}
	BtConfig cur = *c; /* with the parameters in force */
	int si = 0;
	if (c->nsched > 0)
		memcpy(cur.p, c->sched[0].p, sizeof cur.p);
	int own_ema = 0;
	Ema ef, es;
	own_ema = start_ema(&cur, &ef, &es, b, 0);
	r->n = n;
	r->time = xmalloc((size_t)n * sizeof *r->time);
	r->equity = xmalloc((size_t)n * sizeof *r->equity);
	r->position = xmalloc((size_t)n * sizeof *r->position);
	size_t cap = 0;
	Book k = {.cash = c->initial};
	int want = 0, fi = 0;
	double mult = 0;
	for (int i = 0; i < n; i++) {
		const BtBar *x = &b[i];
		int64_t end = x->open_time + c->interval_ms;
		/* funding at the real times, on the notional at the open: one due at this very open
		 * is paid by the position held at that moment, before the fill (as on the exchange,
		 * where the position held at the funding timestamp pays) */
		while (fi < nf && f[fi].time < x->open_time)
			fi++;
		for (; fi < nf && f[fi].time == x->open_time; fi++)
			pay_funding(c, &k, r, x->open, f[fi].rate);
		/* the order decided at the previous close fills at this open */
		if (want != k.side) {
			close_at(c, &k, r, &cap, x->open, x->open_time, 1, 0);
			if (want)
				open_at(c, &k, r, want, x->open, x->open_time, mult);
		}
		r->position[i] = k.side;
		/* funding inside the rest of this bar */
		for (; fi < nf && f[fi].time < end; fi++)
			pay_funding(c, &k, r, x->open, f[fi].rate);
		/* liquidation at the bar's adverse extreme, of the mark price when stored */
		if (k.side && k.liq > 0) {
			int mark = x->mark_high > 0 && x->mark_low > 0; /* NAN or 0: none */
			double lo = mark ? x->mark_low : x->low, hi = mark ? x->mark_high : x->high;
			(*(mark ? &r->checked_mark : &r->checked_last))++;
			if ((k.side > 0 && lo <= k.liq) || (k.side < 0 && hi >= k.liq))
				close_at(c, &k, r, &cap, k.liq, x->open_time, 0, 1);
		}
		double unreal = k.side ? k.side * k.qty * (x->close - k.entry) : 0;
		r->time[i] = end;
		r->equity[i] = k.cash + unreal;
		if (r->equity[i] <= 0 && k.side) { /* ruined: nothing left to trade with */
			close_at(c, &k, r, &cap, x->close, end, 0, 0);
			r->equity[i] = k.cash;
		}
		double fast = x->ema_fast, slow = x->ema_slow;
		if (c->nsched > 0 && si + 1 < c->nsched && c->sched[si + 1].from_ms <= end) {
			while (si + 1 < c->nsched && c->sched[si + 1].from_ms <= end)
				si++;
			memcpy(cur.p, c->sched[si].p, sizeof cur.p);
			/* the new periods' EMAs, warm on the bars before this one */
			own_ema = start_ema(&cur, &ef, &es, b, i);
		}
		if (own_ema)
			fast = ema_push(&ef, x->close), slow = ema_push(&es, x->close);
		want = k.cash > 0 ? signal(&cur, b, i, k.side, fast, slow) : 0;
		if (i + 1 < n && b[i + 1].open_time < c->trade_from_ms)
			want = 0; /* still warming up: the next bar is not to be traded */
		if (want && want != k.side && c->sizing == BT_SIZE_VOL) {
			/* the size comes from what is known at this close */
			mult = x->rv > 0 ? fmin(c->leverage, c->target_vol / x->rv) : 0;
			if (!(mult > 0))
				want = 0; /* no volatility yet: no size */
		}
	}
	/* the last position closes at the last close */
	if (k.side) {
		close_at(c, &k, r, &cap, b[n - 1].close, r->time[n - 1], 1, 0);
		r->equity[n - 1] = k.cash;
	}
	return 0;
}

void bt_result_free(BtResult *r)
{
	free(r->time);
	free(r->equity);
	free(r->position);
	free(r->trades);
	memset(r, 0, sizeof *r);
}
