/* The backtest options that backtest and stress share: parsed into BtArgs, turned into a
 * BtConfig, and the bars loaded with the insufficient-data explanation. Main thread. */
#ifndef FB_CLI_BACKTEST_ARGS_H
#define FB_CLI_BACKTEST_ARGS_H

#include <getopt.h>
#include <jansson.h>
#include <stdint.h>

#include "cli/cli.h"
#include "research/backtest.h"
#include "research/data.h"
#include "store/registry.h"
#include "research/report.h"

typedef struct {
	BtStrategy strategy;
	const char *symbol, *interval, *exchange;
	int64_t from_ms, to_ms;
	const char *params[BT_MAX_PARAMS * 2];
	int nparams;
	double p[BT_MAX_PARAMS];
	double fee_bps, slippage_bps, leverage, fraction, target_vol, initial,
	        liq_fee_bps; /* NAN: default */
	int funding, sizing; /* -1: default */
	int no_short;
	int allow_cold; /* run even when the history before --from is shorter than the lookback */
} BtArgs;

/* Copies the shared long options into out (at most max); returns how many. */
int bt_args_options(struct option *out, int max);
void bt_args_init(BtArgs *a);
/* Takes one getopt result: 0 taken, 1 not one of the shared options, -1 bad (printed). */
int bt_args_option(const char *cmd, int c, const char *arg, BtArgs *a);
/* The configuration; -1 after printing what is wrong. */
int bt_args_config(const char *cmd, const BtArgs *a, BtConfig *c);
/* Loads the bars; -1 after printing why (insufficient data explained, a cold start refused
 * without --allow-cold). lookback: the bars the strategy needs before its first signal (0:
 * bt_lookback's); kept in d->need_warm. */
int bt_args_load(CliContext *ctx, const char *cmd, const BtArgs *a, const BtConfig *c, int lookback,
                 Store *st, BtData *d);
/* The warm-up the run had, for people ("100 of 100 bars before the range ..."). */
void bt_warmup_text(const BtData *d, const BtArgs *a, char *out, size_t outlen);
/* The record of a run: inputs, version, the hash of d's candles and funding, report (caller
 * frees with registry_info_free). extra as for bt_params_json. */
void bt_run_info(BtRunInfo *info, const BtArgs *a, const BtConfig *c, const QuantOptions *qo,
                 const BtData *d, const BtReport *p, const char *extra_key, json_t *extra);
/* Every input of a run as JSON (caller frees), with the warm-up and the span hashed when d is
 * given; extra (stolen) goes under extra_key. */
char *bt_params_json(const BtConfig *c, const QuantOptions *qo, const BtData *d,
                     const char *extra_key, json_t *extra);

#endif
