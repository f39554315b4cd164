/* Alert rules: a small expression language over the engine's metrics, and rule sets built
 * from the [alert NAME] sections of the configuration.
 *
 * Grammar (keywords are case-insensitive):
 *   expr    := or
 *   or      := and { "or" and }
 *   and     := not { "and" not }
 *   not     := "not" not | compare
 *   compare := value ( ">" | ">=" | "<" | "<=" | "==" | "!=" ) value | "(" expr ")"
 *   value   := number [ "%" ] | metric | "-" value | "(" value ")"
 * "3%" is 0.03. Metrics are the feature columns (quant_columns) and the symbol's gauges
 * (change_24h, quote_volume_24h, taker_ratio, liq_buy_1h, liq_sell_1h, funding_interval_h);
 * "price" means close and "funding_rate" means funding. A comparison with an unknown value
 * (NAN) is false. */
#ifndef FB_QUANT_ALERTS_H
#define FB_QUANT_ALERTS_H

#include <stddef.h>
#include <stdint.h>

#include "core/config.h"
#include "quant/engine.h"

/* Metric ids: 0 .. quant_ncolumns - 1 are feature columns, then these. */
enum {
	ALERT_M_CHANGE_24H = 1000,
	ALERT_M_QUOTE_VOLUME_24H,
	ALERT_M_TAKER_RATIO,
	ALERT_M_LIQ_BUY_1H,
	ALERT_M_LIQ_SELL_1H,
	ALERT_M_FUNDING_INTERVAL_H,
};

typedef struct AlertExpr AlertExpr;

/* Compiles text. Returns NULL on an error, with *col the 1-based column of the mistake and
 * msg what is wrong. */
AlertExpr *alert_expr_compile(const char *text, int *col, char *msg, size_t msglen);
void alert_expr_free(AlertExpr *e);
/* 1 when the expression holds for the metrics value(id, arg) gives, else 0. */
int alert_expr_eval(const AlertExpr *e, double (*value)(int id, void *arg), void *arg);
/* The metric ids the expression reads, in order of first use; returns how many (<= max). */
int alert_expr_metrics(const AlertExpr *e, int *ids, int max);
/* The name of a metric id. */
const char *alert_metric_name(int id);

typedef struct {
	char name[48];
	char *when_text;
	AlertExpr *when;
	char interval[FB_INTERVAL_LEN]; /* evaluated at each closed candle of this interval */
	int64_t cooldown_ms;            /* per symbol, in exchange time */
	char severity[8];               /* info, warn, crit */
	char *command;                  /* NULL: none */
	int bell;
} AlertRule;

struct AlertRules {
	AlertRule *rule;
	int n;
};
typedef struct AlertRules AlertRules;

/* Compiles every [alert NAME] section of cfg. Returns NULL with err naming the file, line and
 * column of the mistake. An empty rule set is not an error. */
AlertRules *alert_rules_from_config(const Config *cfg, char *err, size_t errlen);
void alert_rules_free(AlertRules *r);

#endif
