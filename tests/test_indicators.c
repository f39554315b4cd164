/* Indicators: hand-computed known answers (TA-Lib conventions), edge cases, and the rolling
 * versions against plain batch computations over a long random series. */
#include "testutil.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "quant/indicators.h"

static int near(double a, double b)
{
	return fabs(a - b) < 1e-9 * fmax(1, fabs(b));
}
#define NEAR(a, b) assert_true(near((a), (b)))

static void test_ema_sma(void **state)
{
	(void)state;
	Ema e;
	ema_init(&e, 3);
	const double x[] = {2, 4, 6, 8, 4};
	const double want[] = {NAN, NAN, 4, 6, 5}; /* seed = SMA(2, 4, 6); k = 0.5 */
	for (int i = 0; i < 5; i++) {
		double v = ema_push(&e, x[i]);
		if (isnan(want[i]))
			assert_true(isnan(v));
		else
			NEAR(v, want[i]);
	}
	Window w;
	window_init(&w, 3);
	for (int i = 1; i <= 5; i++)
		window_push(&w, i);
	NEAR(window_mean(&w), 4);
	NEAR(window_std(&w), sqrt(2.0 / 3)); /* population: 3, 4, 5 */
}

static void test_rsi(void **state)
{
	(void)state;
	Rsi r;
	rsi_init(&r, 3);
	const double c[] = {10, 11, 10.5, 11.5, 11, 12};
	double v[6];
	for (int i = 0; i < 6; i++)
		v[i] = rsi_push(&r, c[i]);
	for (int i = 0; i < 3; i++)
		assert_true(isnan(v[i]));
	NEAR(v[3], 80);          /* gains 2/3, losses 1/6 */
	NEAR(v[4], 800.0 / 13);  /* Wilder: 4/9 and 5/18 */
	NEAR(v[5], 1700.0 / 22); /* 17/27 and 5/27 */
	Rsi flat;
	rsi_init(&flat, 3);
	double f = NAN;
	for (int i = 0; i < 6; i++)
		f = rsi_push(&flat, 5);
	NEAR(f, 0); /* no gain, no loss */
}

static void test_atr(void **state)
{
	(void)state;
	Atr a;
	atr_init(&a, 2);
	assert_true(isnan(atr_push(&a, 10, 8, 9)));
	assert_true(isnan(atr_push(&a, 11, 9, 10))); /* TR 2 */
	NEAR(atr_push(&a, 12, 9.5, 11), 2.25);       /* TR 2.5: mean of the first two */
	NEAR(atr_push(&a, 11.5, 10, 10.5), 1.875);   /* TR 1.5, Wilder */
}

static Candle candle(int64_t t, double h, double l, double c, double v)
{
	Candle k;
	memset(&k, 0, sizeof k);
	k.open_time = t;
	k.open = c;
	k.high = h;
	k.low = l;
	k.close = c;
	k.volume = v;
	k.closed = 1;
	return k;
}

static void test_bands_vwap_z(void **state)
{
	(void)state;
	IndicatorParams p;
	indicators_default_params(&p);
	p.boll = p.zscore = p.sma = 3;
	Indicators s;
	indicators_init(&s, &p);
	IndicatorValues o;
	const int64_t day = 86400000LL * 20000;
	Candle k1 = candle(day, 10, 8, 1, 1);
	indicators_update(&s, &k1, &o);
	/* a single candle: nothing but VWAP yet */
	assert_true(isnan(o.sma) && isnan(o.ema_fast) && isnan(o.rsi) && isnan(o.atr) &&
	            isnan(o.boll_mid) && isnan(o.zscore) && isnan(o.change));
	NEAR(o.vwap, (10 + 8 + 1) / 3.0);
	Candle k2 = candle(day + 60000, 11, 9, 2, 3);
	indicators_update(&s, &k2, &o);
	NEAR(o.vwap, ((19.0 / 3) * 1 + (22.0 / 3) * 3) / 4);
	NEAR(o.change, 1);
	Candle k3 = candle(day + 86400000LL, 12, 9.5, 3, 2); /* the next UTC day: VWAP restarts */
	indicators_update(&s, &k3, &o);
	NEAR(o.vwap, (12 + 9.5 + 3) / 3.0);
	NEAR(o.boll_mid, 2);
	NEAR(o.boll_up, 2 + 2 * sqrt(2.0 / 3));
	NEAR(o.boll_low, 2 - 2 * sqrt(2.0 / 3));
	NEAR(o.zscore, 1 / sqrt(2.0 / 3));
	/* flat series: zero deviation, z-score 0, bands collapse */
	Indicators f;
	indicators_init(&f, &p);
	for (int i = 0; i < 5; i++) {
		Candle k = candle(day + i * 60000, 5, 5, 5, 1);
		indicators_update(&f, &k, &o);
	}
	NEAR(o.zscore, 0);
	NEAR(o.boll_up, 5);
}

/* Plain batch versions, written the obvious way over whole arrays. */
static double batch_ema(const double *x, int i, int n)
{
	if (i < n - 1)
		return NAN;
	double e = 0;
	for (int j = 0; j < n; j++)
		e += x[j];
	e /= n;
	for (int j = n; j <= i; j++)
		e = e + 2.0 / (n + 1) * (x[j] - e);
	return e;
}

static double batch_std(const double *x, int i, int n)
{
	double m = 0, v = 0;
	for (int j = i - n + 1; j <= i; j++)
		m += x[j];
	m /= n;
	for (int j = i - n + 1; j <= i; j++)
		v += (x[j] - m) * (x[j] - m);
	return sqrt(v / n);
}

static void test_against_batch(void **state)
{
	(void)state;
	enum { N = 3000 };
	static double c[N], h[N], l[N];
	srand(3);
	double p = 100;
	for (int i = 0; i < N; i++) {
		p *= exp(0.01 * ((rand() / (double)RAND_MAX) - 0.5));
		c[i] = p;
		h[i] = p * (1 + 0.005 * rand() / (double)RAND_MAX);
		l[i] = p * (1 - 0.005 * rand() / (double)RAND_MAX);
	}
	IndicatorParams par;
	indicators_default_params(&par);
	Indicators s;
	indicators_init(&s, &par);
	double gain = 0, loss = 0, atr = 0;
	for (int i = 0; i < N; i++) {
		Candle k = candle(i * 60000LL, h[i], l[i], c[i], 1);
		IndicatorValues o;
		indicators_update(&s, &k, &o);
		double want = batch_ema(c, i, 12);
		if (i >= 11)
			NEAR(o.ema_fast, want);
		if (i >= 19) {
			double sd = batch_std(c, i, 20);
			assert_true(fabs(o.boll_up - (o.boll_mid + 2 * sd)) < 1e-7 * o.boll_mid);
		}
		/* Wilder RSI(14) and ATR(14), step by step */
		if (i >= 1) {
			double d = c[i] - c[i - 1], g = d > 0 ? d : 0, lo = d < 0 ? -d : 0;
			double tr = fmax(h[i] - l[i],
			                 fmax(fabs(h[i] - c[i - 1]), fabs(l[i] - c[i - 1])));
			if (i <= 14) {
				gain += g;
				loss += lo;
				atr += tr;
				if (i == 14) {
					gain /= 14;
					loss /= 14;
					atr /= 14;
				}
			} else {
				gain = (gain * 13 + g) / 14;
				loss = (loss * 13 + lo) / 14;
				atr = (atr * 13 + tr) / 14;
			}
			if (i >= 14) {
				NEAR(o.rsi, 100 * gain / (gain + loss));
				NEAR(o.atr, atr);
			} else
				assert_true(isnan(o.rsi) && isnan(o.atr));
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_ema_sma),       cmocka_unit_test(test_rsi),
	        cmocka_unit_test(test_atr),           cmocka_unit_test(test_bands_vwap_z),
	        cmocka_unit_test(test_against_batch),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
