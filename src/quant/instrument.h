/* The same instrument on different exchanges: a symbol mapped to its base asset without a
 * multiplier, the multiplier, and the quote. Binance's 1000SHIBUSDT and Bybit's SHIB1000USDT
 * are both (SHIB, 1000, USDT); 10000SATSUSDT is (SATS, 10000, USDT); 1INCHUSDT stays (1INCH, 1,
 * USDT): only a power of ten from 1,000 up counts as a multiplier. Prices divided by the
 * multiplier, and quantities multiplied by it, are per one base unit, the way to compare or
 * add them across exchanges. Pure functions, any thread. */
#ifndef FB_QUANT_INSTRUMENT_H
#define FB_QUANT_INSTRUMENT_H

#include <stddef.h>

#define INSTRUMENT_KEY_LEN 40

typedef struct {
	char base[24];                /* without the multiplier: SHIB */
	char quote[8];                /* USDT, USDC, USD */
	double mult;                  /* base units per contract unit: 1000 for 1000SHIBUSDT */
	char key[INSTRUMENT_KEY_LEN]; /* "SHIB/USDT": equal keys are the same instrument */
} Instrument;

/* 0 with *out, or -1 for a symbol that does not end in a known quote. */
int instrument_of(const char *symbol, Instrument *out);

#endif
