/* Stress test speed: 10,000 paths of one year (365 days) of daily returns, by block bootstrap
 * and by the regime-switching model, with black swans on, on 1 thread and on every CPU.
 * The history is 730 seeded Student-t days (the data's shape does not change the cost).
 * Usage: bench_stress */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "core/rng.h"
#include "research/stress.h"

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(void)
{
	enum { N = 730 };
	double d[N];
	Rng r;
	rng_seed(&r, 7);
	for (int i = 0; i < N; i++)
		d[i] = 0.0005 + 0.02 * rng_student(&r, 5);
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	printf("%-18s %8s %8s %10s\n", "method", "threads", "paths", "seconds");
	for (int m = STRESS_BOOTSTRAP; m <= STRESS_REGIME; m++)
		for (int t = 1; t <= (cpus > 1 ? 2 : 1); t++) {
			StressOptions o;
			stress_default_options(&o);
			o.method = m;
			o.threads = t == 1 ? 1 : (int)cpus;
			o.swan_rate = 1;
			o.exposure = 2;
			StressResult res;
			char err[128];
			double best = 1e9;
			for (int k = 0; k < 3; k++) {
				double t0 = now_s();
				if (stress_run(d, N, &o, &res, err, sizeof err)) {
					fprintf(stderr, "%s\n", err);
					return 1;
				}
				double s = now_s() - t0;
				best = s < best ? s : best;
				stress_result_free(&res);
			}
			printf("%-18s %8d %8d %10.3f\n",
			       m == STRESS_BOOTSTRAP ? "block bootstrap" : "regime switching",
			       o.threads, o.paths, best);
		}
	return 0;
}
