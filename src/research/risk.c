/* Historical risk figures (see risk.h). */
#include "research/risk.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/xmalloc.h"

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static void tail(const double *sorted, int n, double level, double *var, double *es)
{
	int k = (int)ceil(n * (1 - level) - 1e-9);
	if (k < 1)
		k = 1;
	double sum = 0;
	for (int i = 0; i < k; i++)
		sum += sorted[i];
	*var = -sorted[k - 1];
	*es = -sum / k;
}

void risk_figures(const double *r, int n, double periods_per_year, RiskFigures *out)
{
	memset(out, 0, sizeof *out);
	out->n = n;
	if (n < 2) {
		out->var95 = out->es95 = out->var99 = out->es99 = out->vol = out->mean = NAN;
		return;
	}
	double *s = xmalloc((size_t)n * sizeof *s), sum = 0, ss = 0;
	memcpy(s, r, (size_t)n * sizeof *s);
	qsort(s, (size_t)n, sizeof *s, cmp_double);
	tail(s, n, 0.95, &out->var95, &out->es95);
	tail(s, n, 0.99, &out->var99, &out->es99);
	for (int i = 0; i < n; i++)
		sum += r[i];
	out->mean = sum / n;
	for (int i = 0; i < n; i++)
		ss += (r[i] - out->mean) * (r[i] - out->mean);
	out->vol = sqrt(ss / (n - 1)) * sqrt(periods_per_year);
	free(s);
}

double risk_correlation(const double *a, const double *b, int n)
{
	if (n < 2)
		return NAN;
	double ma = 0, mb = 0;
	for (int i = 0; i < n; i++)
		ma += a[i] / n, mb += b[i] / n;
	double sab = 0, saa = 0, sbb = 0;
	for (int i = 0; i < n; i++) {
		sab += (a[i] - ma) * (b[i] - mb);
		saa += (a[i] - ma) * (a[i] - ma);
		sbb += (b[i] - mb) * (b[i] - mb);
	}
	return saa > 0 && sbb > 0 ? sab / sqrt(saa * sbb) : NAN;
}
