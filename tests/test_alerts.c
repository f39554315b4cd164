/* Alert rules: the expression language (values, precedence, errors at the right column),
 * [alert NAME] sections in config files with file:line:column errors, cooldown in exchange
 * time, and a reload that keeps the cooldowns of rules that stay. */
#include "testutil.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/timeutil.h"
#include "quant/alerts.h"
#include "quant/engine.h"

static double vals[2048];

static double lookup(int id, void *arg)
{
	(void)arg;
	return id >= 0 && id < 2048 ? vals[id] : NAN;
}

static int eval(const char *text)
{
	int col;
	char msg[256];
	AlertExpr *e = alert_expr_compile(text, &col, msg, sizeof msg);
	if (!e)
		fail_msg("%s: column %d: %s", text, col, msg);
	int r = alert_expr_eval(e, lookup, NULL);
	alert_expr_free(e);
	return r;
}

static void expect_error(const char *text, int want_col, const char *want_msg)
{
	int col = 0;
	char msg[256] = "";
	AlertExpr *e = alert_expr_compile(text, &col, msg, sizeof msg);
	if (e || col != want_col || !strstr(msg, want_msg))
		fail_msg("'%s': got column %d '%s', wanted column %d '%s'", text, col, msg,
		         want_col, want_msg);
}

static void test_expressions(void **state)
{
	(void)state;
	for (int i = 0; i < 2048; i++)
		vals[i] = NAN;
	vals[quant_column_find("ls_ratio")] = 2.3;
	vals[quant_column_find("imbalance")] = 0.04;
	vals[quant_column_find("funding")] = 0.00012;
	vals[quant_column_find("oi_z")] = 1.0;
	vals[quant_column_find("close")] = 100;
	vals[ALERT_M_CHANGE_24H] = -0.05;
	assert_true(eval("ls_ratio > 2 and imbalance > 3% and funding > 0.01%"));
	assert_false(eval("ls_ratio > 2 and imbalance > 5%"));
	assert_true(eval("oi_z > 2.5 or ls_ratio >= 2.3"));
	assert_true(eval("not oi_z > 2.5"));
	assert_true(eval("(oi_z > 2.5 or imbalance > 3%) and not (funding < 0)"));
	assert_true(eval("price == 100 and price != 99 and price <= 100 and price < 100.5"));
	assert_true(eval("change_24h < -4% AND ls_ratio > (2)"));
	assert_true(eval("-oi_z < 0 && change_24h > -10%"));
	/* and binds tighter than or */
	assert_true(eval("oi_z > 5 and oi_z > 6 or ls_ratio > 2"));
	assert_false(eval("oi_z > 5 and (oi_z > 6 or ls_ratio > 2)"));
	/* an unknown value makes a comparison false, both ways */
	assert_false(eval("rsi > 50"));
	assert_false(eval("rsi <= 50"));
	assert_true(eval("not rsi > 50"));

	expect_error("ls_ratoi > 2", 1, "unknown metric 'ls_ratoi' (did you mean ls_ratio?)");
	expect_error("ls_ratio > 2 and imbalance >", 29, "expected a number or a metric");
	expect_error("ls_ratio > 2 and", 17, "expected a number or a metric");
	expect_error("ls_ratio 2", 10, "expected a comparison");
	expect_error("ls_ratio > 2 and oi_z", 22, "expected a comparison");
	expect_error("(ls_ratio > 2", 14, "expected ')'");
	expect_error("ls_ratio > 2)", 13, "unmatched ')'");
	expect_error("1 < oi_z < 3", 10, "do not chain");
	expect_error("oi_z > 2.5x", 8, "unexpected '2.5x'");
	expect_error("oi_z = 2", 6, "'=' is not a comparison: use '=='");
	expect_error("", 1, "empty condition");
	expect_error("oi_z > 2 ls_ratio > 1", 10, "expected 'and', 'or' or the end");
	/* control bytes in the text are shown escaped, never echoed (a found one, fuzzed) */
	expect_error("oi_z > 2\x1b[2J", 9, "but found '\\x1B'");
	expect_error("oi_z > 2\n", 9, "but found '\\x0A'");

	int ids[8], col;
	char msg[64];
	AlertExpr *e = alert_expr_compile("imbalance > 1 and ls_ratio > 2 or imbalance < 0", &col,
	                                  msg, sizeof msg);
	assert_int_equal(alert_expr_metrics(e, ids, 8), 2);
	assert_string_equal(alert_metric_name(ids[0]), "imbalance");
	assert_string_equal(alert_metric_name(ids[1]), "ls_ratio");
	alert_expr_free(e);
}

static Config *load(const char *text, char *err, size_t errlen)
{
	char *path = tu_write_file(dir, "alerts.ini", text);
	Config *cfg = config_new();
	if (config_load_file(cfg, path, CONFIG_SRC_FILE, 0, err, errlen)) {
		config_free(cfg);
		cfg = NULL;
	}
	free(path);
	return cfg;
}

static void test_config_rules(void **state)
{
	(void)state;
	char err[512];
	Config *cfg = load("[feed]\nintervals = 5m 1h\n\n[alert squeeze]\n"
	                   "when = ls_ratio > 2 and imbalance > 3% and funding > 0.01%\n"
	                   "severity = crit\ncooldown = 600\nbell = yes\n"
	                   "command = echo \"$FB_ALERT_RULE\"\n\n"
	                   "[alert oi_spike]\nwhen = oi_z > 2.5\ninterval = 1h\n",
	                   err, sizeof err);
	assert_non_null(cfg);
	AlertRules *r = alert_rules_from_config(cfg, err, sizeof err);
	assert_non_null(r);
	assert_int_equal(r->n, 2);
	assert_string_equal(r->rule[0].name, "squeeze");
	assert_string_equal(r->rule[0].severity, "crit");
	assert_string_equal(r->rule[0].interval, "5m"); /* the first collected interval */
	assert_int_equal(r->rule[0].cooldown_ms, 600000);
	assert_int_equal(r->rule[0].bell, 1);
	assert_string_equal(r->rule[0].command, "echo \"$FB_ALERT_RULE\"");
	assert_string_equal(r->rule[1].interval, "1h");
	assert_string_equal(r->rule[1].severity, "warn");
	assert_int_equal(r->rule[1].cooldown_ms, 300000);
	assert_int_equal(r->rule[1].bell, 0);
	assert_null(r->rule[1].command);
	alert_rules_free(r);
	config_free(cfg);

	/* an expression error names file:line:column of the mistake in the file */
	cfg = load("[alert squeeze]\nseverity = warn\nwhen   =  ls_ratio > 2 and imbalnce > 3%\n",
	           err, sizeof err);
	assert_non_null(cfg);
	assert_null(alert_rules_from_config(cfg, err, sizeof err));
	assert_non_null(strstr(err, "alerts.ini:3:28: [alert squeeze] when: unknown metric "
	                            "'imbalnce' (did you mean imbalance?)"));
	config_free(cfg);

	const struct {
		const char *text, *want;
	} bad[] = {
	        {"[alert x]\nseverity = loud\nwhen = oi_z > 1\n",
	         "alerts.ini:2: [alert x] severity: 'loud' is not one of: info warn crit"},
	        {"[alert x]\nwhen = oi_z > 1\ncooldwn = 5\n",
	         "alerts.ini:3: unknown key 'cooldwn' in [alert x] (did you mean 'cooldown'?)"},
	        {"[alert x]\nseverity = info\n", "alerts.ini:1: [alert x] has no 'when = ...'"},
	        {"[alert x]\nwhen = oi_z > 1\n[alert x]\nwhen = oi_z > 2\n",
	         "alerts.ini:3: [alert x] is already defined at"},
	        {"[alert bad name!]\nwhen = oi_z > 1\n", "alerts.ini:1: alert name 'bad name!'"},
	        {"[alert x]\nwhen = oi_z > 1\ninterval = 7m\n", "alerts.ini:3: [alert x] interval"},
	        {"[alert x]\nwhen = oi_z > 1\ncooldown = -1\n", "alerts.ini:3: [alert x] cooldown"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		cfg = load(bad[i].text, err, sizeof err);
		if (cfg || !strstr(err, bad[i].want))
			fail_msg("case %zu: got '%s', wanted '%s'", i, cfg ? "(loaded)" : err,
			         bad[i].want);
	}
}

typedef struct {
	int n;
	AlertRecord last;
	int bell;
	char command[64];
} Fired;

static void on_alert(void *arg, const AlertRecord *a, const char *command, int bell)
{
	Fired *f = arg;
	f->n++;
	f->last = *a;
	f->bell = bell;
	snprintf(f->command, sizeof f->command, "%s", command ? command : "");
}

static void feed(QuantEngine *q, int minute, double close)
{
	Event ev = {.type = EV_CANDLE};
	Candle *c = &ev.u.candle;
	snprintf(ev.symbol, sizeof ev.symbol, "BTCUSDT");
	snprintf(c->symbol, sizeof c->symbol, "BTCUSDT");
	snprintf(c->interval, sizeof c->interval, "1m");
	c->open_time = INT64_C(1735689600000) + minute * FB_MINUTE_MS;
	c->close_time = c->open_time + FB_MINUTE_MS - 1;
	ev.ts = c->close_time;
	c->open = c->high = c->low = c->close = close;
	c->volume = 1;
	c->quote_volume = close;
	c->trades = 1;
	c->taker_buy_volume = c->taker_buy_quote_volume = NAN;
	c->closed = 1;
	quant_apply(q, &ev);
}

static AlertRules *rules(const char *ini)
{
	char err[512];
	Config *cfg = load(ini, err, sizeof err);
	assert_non_null(cfg);
	AlertRules *r = alert_rules_from_config(cfg, err, sizeof err);
	assert_non_null(r);
	config_free(cfg);
	return r;
}

static void test_cooldown_and_reload(void **state)
{
	(void)state;
	Fired f = {0};
	QuantOptions o;
	quant_default_options(&o);
	o.nintervals = 1;
	snprintf(o.intervals[0], sizeof o.intervals[0], "1m");
	o.on_alert = on_alert;
	o.alert_arg = &f;
	QuantEngine *q = quant_new(&o);
	quant_set_rules(q, rules("[alert up]\nwhen = change > 1%\ninterval = 1m\ncooldown = 300\n"
	                         "severity = crit\nbell = yes\ncommand = true\n"));
	double px = 100;
	feed(q, 0, px);
	feed(q, 1, px *= 1.02); /* fires */
	assert_int_equal(f.n, 1);
	assert_string_equal(f.last.rule, "up");
	assert_string_equal(f.last.symbol, "BTCUSDT");
	assert_string_equal(f.last.interval, "1m");
	assert_string_equal(f.last.severity, "crit");
	assert_int_equal(f.last.ts, INT64_C(1735689600000) + 2 * FB_MINUTE_MS);
	assert_true(fabs(f.last.value - 0.02) < 1e-12);
	assert_non_null(strstr(f.last.message, "change=0.02"));
	assert_int_equal(f.bell, 1);
	assert_string_equal(f.command, "true");
	feed(q, 2, px *= 1.02); /* within 5 minutes: held back */
	feed(q, 3, px *= 1.02);
	feed(q, 4, px *= 0.99);
	assert_int_equal(f.n, 1);
	feed(q, 6, px *= 1.02); /* 300 s after the first: fires again */
	assert_int_equal(f.n, 2);
	/* reload: the same rule keeps its cooldown; a new rule starts fresh */
	quant_set_rules(q, rules("[alert up]\nwhen = change > 1%\ninterval = 1m\ncooldown = 300\n"
	                         "[alert down]\nwhen = change < -1%\ninterval = 1m\n"));
	feed(q, 7, px *= 1.02);
	assert_int_equal(f.n, 2);
	feed(q, 8, px *= 0.98);
	assert_int_equal(f.n, 3);
	assert_string_equal(f.last.rule, "down");
	assert_string_equal(f.last.severity, "warn");
	/* reload without rules: nothing fires */
	quant_set_rules(q, NULL);
	feed(q, 20, px *= 1.5);
	assert_int_equal(f.n, 3);
	quant_free(q);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_expressions),
	        cmocka_unit_test(test_config_rules),
	        cmocka_unit_test(test_cooldown_and_reload),
	};
	return cmocka_run_group_tests(tests, tu_group_setup, tu_group_teardown);
}
