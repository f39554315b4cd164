/* Benchmark: the engine's cost of another exchange's values (EV_VENUE: a mark and funding, or
 * an open interest, of the same instrument on Bybit) beside the first exchange's own mark
 * (EV_MARK), for 20 and 200 tracked symbols, on one core: ns per event. A venue's event
 * finds its symbol by instrument (base asset without multiplier, quote), then its exchange;
 * an open interest also recomputes the sums across exchanges. Usage: bench_venues [EVENTS].
 * Needs no recorded data. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/xmalloc.h"
#include "quant/engine.h"

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ns per event of n events over nsym symbols, best of 3; kind 0 own mark, 1 venue mark,
 * 2 venue open interest, 3 venue mark under another name (1000AAAAUSDT on the first
 * exchange, AAAA1000USDT on the other, as 1000SHIBUSDT is Bybit's SHIB1000USDT) */
static double run(int nsym, long n, int kind, double *check)
{
	QuantOptions qo;
	quant_default_options(&qo);
	qo.nintervals = 6;
	const char *ivl[] = {"1m", "5m", "15m", "1h", "4h", "1d"};
	for (int i = 0; i < 6; i++)
		snprintf(qo.intervals[i], sizeof qo.intervals[i], "%s", ivl[i]);
	qo.top_n = nsym;
	char(*sym)[FB_SYMBOL_LEN] = xcalloc((size_t)nsym, FB_SYMBOL_LEN);
	char(*there)[FB_SYMBOL_LEN] = xcalloc((size_t)nsym, FB_SYMBOL_LEN);
	for (int i = 0; i < nsym; i++) { /* AAAAUSDT, AAABUSDT, ...: distinct bases */
		char base[8];
		snprintf(base, sizeof base, "%c%c%c%c", 'A' + i / 676 % 26, 'A' + i / 26 % 26,
		         'A' + i % 26, 'A' + i % 7);
		snprintf(sym[i], FB_SYMBOL_LEN, "%s%sUSDT", kind == 3 ? "1000" : "", base);
		snprintf(there[i], FB_SYMBOL_LEN, "%s%sUSDT", base, kind == 3 ? "1000" : "");
	}
	double best = 1e30;
	for (int pass = 0; pass < 3; pass++) {
		QuantEngine *q = quant_new(&qo);
		const int64_t t0ms = 1700000000000LL;
		Event ev;
		for (int i = 0; i < nsym; i++) { /* each symbol known, with its own mark and OI */
			memset(&ev, 0, sizeof ev);
			ev.type = EV_MARK;
			ev.ts = t0ms;
			memcpy(ev.symbol, sym[i], FB_SYMBOL_LEN);
			ev.u.mark.mark = ev.u.mark.index = 100 + i;
			ev.u.mark.funding_rate = 0.0001;
			quant_apply(q, &ev);
			memset(&ev, 0, sizeof ev);
			ev.type = EV_OPEN_INTEREST;
			ev.ts = t0ms;
			memcpy(ev.symbol, sym[i], FB_SYMBOL_LEN);
			ev.u.oi.contracts = 1e6;
			ev.u.oi.value = NAN;
			quant_apply(q, &ev);
		}
		double t0 = now_s();
		for (long k = 0; k < n; k++) {
			int i = (int)(k % nsym);
			memset(&ev, 0, sizeof ev);
			ev.ts = t0ms + k;
			memcpy(ev.symbol, kind ? there[i] : sym[i], FB_SYMBOL_LEN);
			if (kind == 0) {
				ev.type = EV_MARK;
				ev.u.mark.mark = ev.u.mark.index = 100 + i + (double)(k & 7) / 100;
				ev.u.mark.funding_rate = 0.0001;
			} else {
				ev.type = EV_VENUE;
				VenueEvent *v = &ev.u.venue;
				snprintf(v->venue, sizeof v->venue, "bybit");
				v->mark = v->funding_rate = v->funding_interval_h = v->oi =
				        v->quote_volume_24h = NAN;
				if (kind != 2) {
					v->mark = 100 + i + (double)(k & 7) / 100;
					v->funding_rate = 0.0001;
				} else {
					v->oi = 5e5 + (double)(k & 7);
				}
			}
			quant_apply(q, &ev);
		}
		double el = now_s() - t0;
		if (el < best)
			best = el;
		quant_publish(q);
		QuantSnapshot *s = quant_snapshot_acquire(q);
		for (int r = 0; s && r < s->nrows; r++)
			*check += s->rows[r].nvenues + (isfinite(s->rows[r].oi_all) ? 1 : 0);
		quant_snapshot_release(q, s);
		quant_free(q);
	}
	free(sym);
	free(there);
	return best / (double)n * 1e9;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 2000000;
	if (n < 1000)
		n = 1000;
	double check = 0;
	printf("engine, one core, %ld events each, best of 3, 6 intervals:\n", n);
	printf("%8s %12s %14s %14s %22s\n", "symbols", "own mark ns", "venue mark ns",
	       "venue OI ns", "venue mark, renamed ns");
	for (int nsym = 20; nsym <= 200; nsym *= 10) {
		double own = run(nsym, n, 0, &check);
		double vm = run(nsym, n, 1, &check);
		double vo = run(nsym, n, 2, &check);
		double vr = run(nsym, n, 3, &check);
		printf("%8d %12.1f %14.1f %14.1f %22.1f\n", nsym, own, vm, vo, vr);
	}
	printf("(checksum %.6g)\n", check);
	return 0;
}
