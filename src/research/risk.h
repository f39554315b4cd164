/* Historical risk of stored series: simple returns of closes at one interval, aligned on the
 * open times every symbol has.
 *
 * VaR and expected shortfall at a level (0.95, 0.99) are losses, positive numbers: with the n
 * returns sorted ascending and k = ceil(n x (1 - level)) (at least 1), VaR = -r(k) and ES =
 * -mean(r(1) .. r(k)). The portfolio's return is the weighted sum of the symbols' returns
 * (weights rebalanced every period). Volatility is annualised with sqrt(periods per 365
 * days); the suggested exposure for a volatility target is target / volatility (notional over
 * equity). */
#ifndef FB_RESEARCH_RISK_H
#define FB_RESEARCH_RISK_H

#include <stdint.h>

typedef struct {
	double var95, es95, var99, es99, vol, mean;
	int n;
} RiskFigures;

/* The figures of n returns; periods_per_year annualises the volatility. */
void risk_figures(const double *r, int n, double periods_per_year, RiskFigures *out);
/* Pearson correlation of two series of n returns (NAN when either is constant). */
double risk_correlation(const double *a, const double *b, int n);

#endif
