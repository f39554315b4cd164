/* Benchmark: candle updates per second over the real 5m candles in ../shared/data/klines, on
 * one core, two ways: the indicator set alone (SMA, two EMAs, RSI, ATR, Bollinger, VWAP,
 * z-score), and the whole engine (quant_apply with a candle event: the indicators plus
 * realised volatility, vol-of-vol, regimes, CVD, gauges, the candle ring and the alert check
 * with no rules). Usage: bench_indicators [KLINES_DIR] [PASSES]. Skips (exit 0) without the
 * data. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/numparse.h"
#include "core/xmalloc.h"
#include "quant/engine.h"
#include "quant/indicators.h"
#include "store/csv.h"

static long load(const char *path, Candle **out)
{
	char err[256], *f[CSV_MAX_FIELDS];
	CsvReader *r = csv_open(path, err, sizeof err);
	if (!r)
		return -1;
	long n = 0, cap = 1 << 17, lineno;
	Candle *v = xmalloc((size_t)cap * sizeof *v);
	const char *line;
	long len;
	while ((len = csv_next_line(r, &line, &lineno, err, sizeof err)) >= 0) {
		if (lineno == 1 || len == 0)
			continue; /* header */
		if (csv_split((char *)line, f, CSV_MAX_FIELDS) < 6)
			continue;
		if (n == cap)
			v = xrealloc(v, (size_t)(cap *= 2) * sizeof *v);
		Candle *c = &v[n];
		memset(c, 0, sizeof *c);
		c->open_time = strtoll(f[0], NULL, 10);
		if (fb_parse_double(f[1], &c->open) || fb_parse_double(f[2], &c->high) ||
		    fb_parse_double(f[3], &c->low) || fb_parse_double(f[4], &c->close) ||
		    fb_parse_double(f[5], &c->volume))
			continue;
		c->closed = 1;
		c->close_time = c->open_time + 300000 - 1;
		c->quote_volume = c->taker_buy_volume = c->taker_buy_quote_volume = NAN;
		c->trades = -1;
		snprintf(c->interval, sizeof c->interval, "5m");
		n++;
	}
	csv_close(r);
	*out = v;
	return n;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : FB_SOURCE_DIR "/../shared/data/klines";
	int passes = argc > 2 ? atoi(argv[2]) : 5;
	static const char *syms[] = {"BTCUSDT", "ETHUSDT", "SOLUSDT",
	                             "BNBUSDT", "XRPUSDT", "DOGEUSDT"};
	Candle *data[6];
	long n[6], total = 0;
	for (int i = 0; i < 6; i++) {
		char path[1024];
		snprintf(path, sizeof path, "%s/%s-klines-5m.csv.gz", dir, syms[i]);
		if ((n[i] = load(path, &data[i])) < 0) {
			printf("bench_indicators: skipped: no real data at %s\n", dir);
			return 0;
		}
		total += n[i];
	}
	IndicatorParams p;
	indicators_default_params(&p);
	double best = 1e30, check = 0;
	for (int pass = 0; pass < passes; pass++) {
		double t0 = now_s();
		for (int i = 0; i < 6; i++) {
			Indicators s;
			indicators_init(&s, &p);
			IndicatorValues o;
			for (long k = 0; k < n[i]; k++) {
				indicators_update(&s, &data[i][k], &o);
				check += o.rsi == o.rsi ? o.rsi : 0;
			}
			check += o.ema_slow + o.atr + o.boll_up + o.vwap + o.zscore + o.sma;
		}
		double el = now_s() - t0;
		if (el < best)
			best = el;
	}
	printf("indicators: %ld real 5m candles (6 symbols), best of %d passes: %.3f s, "
	       "%.1f million candle-updates/s on one core (checksum %.6g)\n",
	       total, passes, best, (double)total / best / 1e6, check);
	/* the whole engine: one engine per pass, six symbols at 5m */
	QuantOptions qo;
	quant_default_options(&qo);
	qo.nintervals = 1;
	snprintf(qo.intervals[0], sizeof qo.intervals[0], "5m");
	Event *ev = xmalloc(sizeof *ev);
	double ebest = 1e30;
	check = 0;
	for (int pass = 0; pass < passes; pass++) {
		QuantEngine *q = quant_new(&qo);
		double t0 = now_s();
		for (int i = 0; i < 6; i++) {
			memset(ev, 0, sizeof *ev);
			ev->type = EV_CANDLE;
			snprintf(ev->symbol, sizeof ev->symbol, "%s", syms[i]);
			for (long k = 0; k < n[i]; k++) {
				ev->u.candle = data[i][k];
				ev->ts = data[i][k].close_time;
				quant_apply(q, ev);
			}
			const QuantValues *v = quant_values(q, syms[i], "5m");
			check += v->rsi + v->rv + v->vol_of_vol + v->ema_slow;
		}
		double el = now_s() - t0;
		if (el < ebest)
			ebest = el;
		quant_free(q);
	}
	free(ev);
	printf("engine: %ld real 5m candles (6 symbols) through quant_apply, best of %d passes: "
	       "%.3f s, %.1f million candle-updates/s on one core (checksum %.6g)\n",
	       total, passes, ebest, (double)total / ebest / 1e6, check);
	for (int i = 0; i < 6; i++)
		free(data[i]);
	return 0;
}
