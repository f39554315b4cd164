/* Backtest speed: EMA crossover (periods 12 and 26 computed inside the loop with the engine's
 * EMA code; 4 bp fees, 1 bp slippage, funding off, fixed sizing at 1x) over the bars of CSV
 * files (open_time,open,high,low,close,...), repeated until a second has passed; prints bars/s
 * and writes the trades of one pass for bench/backtest_numpy.py to compare.
 * Usage: bench_backtest TRADES_OUT FILE.csv... */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <time.h>

#include "core/timeutil.h"
#include "core/xmalloc.h"
#include "research/backtest.h"

static int64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static BtBar *load(const char *path, int *n)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		perror(path);
		exit(1);
	}
	char line[512];
	size_t cap = 0;
	BtBar *b = NULL;
	*n = 0;
	while (fgets(line, sizeof line, f)) {
		long long t;
		double o, h, l, c;
		if (sscanf(line, "%lld,%lf,%lf,%lf,%lf", &t, &o, &h, &l, &c) != 5)
			continue; /* the header */
		if ((size_t)*n == cap) {
			cap = cap ? cap * 2 : 65536;
			b = xrealloc(b, cap * sizeof *b);
		}
		b[(*n)++] = (BtBar){.open_time = t, .open = o, .high = h, .low = l, .close = c};
	}
	fclose(f);
	return b;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: bench_backtest TRADES_OUT FILE.csv...\n");
		return 2;
	}
	FILE *out = fopen(argv[1], "w");
	if (!out) {
		perror(argv[1]);
		return 1;
	}
	BtConfig c;
	bt_default_config(&c, BT_EMA_CROSS);
	c.p[0] = 12, c.p[1] = 26;
	c.funding = 0;
	c.interval_ms = 300000;
	long long total = 0;
	double seconds = 0;
	for (int fi = 2; fi < argc; fi++) {
		int n;
		BtBar *b = load(argv[fi], &n);
		BtResult r;
		char err[128];
		if (bt_run(&c, b, n, NULL, 0, &r, err, sizeof err)) {
			fprintf(stderr, "%s: %s\n", argv[fi], err);
			return 1;
		}
		fprintf(out, "# %s %d bars final %.17g\n", argv[fi], n, r.equity[n - 1]);
		for (int i = 0; i < r.ntrades; i++)
			fprintf(out, "%d,%lld,%.17g,%lld,%.17g,%.17g\n", r.trades[i].side,
			        (long long)r.trades[i].entry_time, r.trades[i].entry,
			        (long long)r.trades[i].exit_time, r.trades[i].exit,
			        r.trades[i].pnl);
		bt_result_free(&r);
		/* timed: whole runs, allocation of the results included */
		int64_t t0 = mono_ns(), t1;
		long runs = 0;
		do {
			bt_run(&c, b, n, NULL, 0, &r, err, sizeof err);
			bt_result_free(&r);
			runs++;
			t1 = mono_ns();
		} while (t1 - t0 < 1000000000LL / (argc - 2));
		total += (long long)runs * n;
		seconds += (double)(t1 - t0) / 1e9;
		free(b);
	}
	fclose(out);
	printf("C: %lld bars in %.3f s: %.1f million bars/s\n", total, seconds,
	       (double)total / seconds / 1e6);
	return 0;
}
