/* A funding period learnt from the next funding times an exchange announces (Binance's
 * markPrice "T", Bybit's tickers nextFundingTime), the moment it changes: when a settlement
 * passes, the next one is a period later; when the next time moves before the settlement
 * (a schedule changed from 8 h to 4 h), the new period runs from the last settlement, a
 * known period before the old next time. Periods are whole hours from 1 h to 24 h (within
 * 5 minutes). An update
 * that comes over an hour after the settlement it follows (a feed that was away) teaches
 * nothing: settlements may have been missed. Pure, any thread. */
#ifndef FB_QUANT_FUNDPERIOD_H
#define FB_QUANT_FUNDPERIOD_H

#include <stdint.h>

/* *next: the next funding time known (0: none yet), updated to nt; *every: the period known
 * (0: none). nt: the next funding time an update gives at exchange time ts. Returns the new
 * period in ms when one was learnt (and sets *every), else 0. */
int64_t funding_period_learn(int64_t *next, int64_t *every, int64_t nt, int64_t ts);

#endif
