/* The run registry: every backtest stored with its inputs, the program version, the hash of
 * the candles it used, its report, its trades and its equity curve (tables backtest_runs,
 * backtest_trades, backtest_equity). Any thread with its own Store. */
#ifndef FB_RESEARCH_REGISTRY_H
#define FB_RESEARCH_REGISTRY_H

#include <jansson.h>
#include <stdint.h>

#include "research/backtest.h"
#include "store/store.h"

typedef struct {
	int64_t id, created_ms;
	char version[32], strategy[32], exchange[32], symbol[32], interval[8];
	int64_t from_ms, to_ms;
	char *params_json;  /* every setting of the run */
	char hash[40];      /* of the candles */
	char *summary_json; /* the report */
} BtRunInfo;

/* Stores a run in one transaction; returns its id, or -1 with err. */
int64_t registry_save(Store *st, const BtRunInfo *info, const BtResult *r, char *err,
                      size_t errlen);
/* The runs, newest first (at most limit; 0: all). Returns how many, or -1 with err. */
int registry_list(Store *st, int limit, BtRunInfo **out, char *err, size_t errlen);
/* One run; with r not NULL also its equity curve and trades. 0, 1 when there is no such run,
 * or -1 with err. */
int registry_get(Store *st, int64_t id, BtRunInfo *info, BtResult *r, char *err, size_t errlen);
/* One line of a runs list (id, created, strategy, series, range and headline figures), and
 * the header above such lines; both without a line end. */
const char *registry_row_header(void);
/* A number of a run's summary_json (as parsed by jansson); NAN when absent or null. */
double registry_summary_num(json_t *summary, const char *key);
void registry_row(const BtRunInfo *x, char *out, size_t len);
void registry_info_free(BtRunInfo *info);
void registry_list_free(BtRunInfo *v, int n);

#endif
