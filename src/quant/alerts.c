/* Alert expressions: a recursive-descent parser into a flat node array, evaluated by a short
 * recursion. Errors carry the column of the token that is wrong. */
#include "quant/alerts.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/suggest.h"
#include "core/timeutil.h"
#include "core/strbuf.h"
#include "core/xmalloc.h"

typedef enum { N_NUM, N_VAR, N_NEG, N_CMP, N_AND, N_OR, N_NOT } NodeKind;
typedef enum { OP_GT, OP_GE, OP_LT, OP_LE, OP_EQ, OP_NE } CmpOp;

typedef struct {
	NodeKind kind;
	int op, a, b; /* children: node indexes */
	double num;
	int var;
} Node;

struct AlertExpr {
	Node *n;
	int count, cap, root;
};

static const struct {
	const char *name;
	int id;
} gauges[] = {
        {"change_24h", ALERT_M_CHANGE_24H},   {"quote_volume_24h", ALERT_M_QUOTE_VOLUME_24H},
        {"taker_ratio", ALERT_M_TAKER_RATIO}, {"liq_buy_1h", ALERT_M_LIQ_BUY_1H},
        {"liq_sell_1h", ALERT_M_LIQ_SELL_1H}, {"funding_interval_h", ALERT_M_FUNDING_INTERVAL_H},
};
#define NGAUGES (int)(sizeof gauges / sizeof gauges[0])

const char *alert_metric_name(int id)
{
	if (id >= 0 && id < quant_ncolumns)
		return quant_columns[id].name;
	for (int i = 0; i < NGAUGES; i++)
		if (gauges[i].id == id)
			return gauges[i].name;
	return "?";
}

static int metric_id(const char *name)
{
	if (strcmp(name, "price") == 0)
		name = "close";
	else if (strcmp(name, "funding_rate") == 0)
		name = "funding";
	int c = quant_column_find(name);
	if (c >= 0 && quant_columns[c].kind != QC_TIME)
		return c;
	for (int i = 0; i < NGAUGES; i++)
		if (strcmp(gauges[i].name, name) == 0)
			return gauges[i].id;
	return -1;
}

static const char *closest_metric(const char *name)
{
	const char *best = NULL;
	size_t bd = strlen(name) > 4 ? 3 : 2;
	for (int i = 0; i < quant_ncolumns + NGAUGES; i++) {
		const char *cand = i < quant_ncolumns ? quant_columns[i].name
		                                      : gauges[i - quant_ncolumns].name;
		size_t d = fb_edit_distance(name, cand);
		if (d < bd)
			bd = d, best = cand;
	}
	return best;
}

/* Tokens */
typedef enum { T_END, T_NUM, T_NAME, T_LP, T_RP, T_MINUS, T_CMP, T_AND, T_OR, T_NOT, T_BAD } Tok;

typedef struct {
	const char *s;
	size_t pos;  /* next character */
	Tok tok;     /* current token */
	size_t tpos; /* its column - 1 */
	size_t tlen;
	double num;
	int op;
	char name[64];
	AlertExpr *e;
	int err_col;
	char *msg;
	size_t msglen;
	int depth;
} P;

static void next(P *p)
{
	const char *s = p->s;
	while (s[p->pos] == ' ' || s[p->pos] == '\t')
		p->pos++;
	p->tpos = p->pos;
	char c = s[p->pos];
	if (!c) {
		p->tok = T_END;
		p->tlen = 0;
		return;
	}
	if (isdigit((unsigned char)c) || (c == '.' && isdigit((unsigned char)s[p->pos + 1]))) {
		char *end;
		p->num = strtod(s + p->pos, &end);
		p->pos = (size_t)(end - s);
		if (s[p->pos] == '%') {
			p->num /= 100;
			p->pos++;
		}
		p->tok = T_NUM;
		while (isalnum((unsigned char)s[p->pos]) || s[p->pos] == '_' || s[p->pos] == '.') {
			p->tok = T_BAD; /* such as 2.5x */
			p->pos++;
		}
		p->tlen = p->pos - p->tpos;
		return;
	}
	if (isalpha((unsigned char)c) || c == '_') {
		size_t n = 0;
		while (isalnum((unsigned char)s[p->pos]) || s[p->pos] == '_') {
			if (n < sizeof p->name - 1)
				p->name[n++] = (char)tolower((unsigned char)s[p->pos]);
			p->pos++;
		}
		p->name[n] = '\0';
		p->tlen = p->pos - p->tpos;
		p->tok = strcmp(p->name, "and") == 0   ? T_AND
		         : strcmp(p->name, "or") == 0  ? T_OR
		         : strcmp(p->name, "not") == 0 ? T_NOT
		                                       : T_NAME;
		return;
	}
	p->pos++;
	p->tlen = 1;
	switch (c) {
	case '(': p->tok = T_LP; return;
	case ')': p->tok = T_RP; return;
	case '-': p->tok = T_MINUS; return;
	case '>':
	case '<':
		p->tok = T_CMP;
		p->op = c == '>' ? OP_GT : OP_LT;
		if (s[p->pos] == '=') {
			p->op = c == '>' ? OP_GE : OP_LE;
			p->pos++;
			p->tlen = 2;
		}
		return;
	case '=':
	case '!':
		if (s[p->pos] == '=') {
			p->tok = T_CMP;
			p->op = c == '=' ? OP_EQ : OP_NE;
			p->pos++;
			p->tlen = 2;
			return;
		}
		break;
	case '&':
	case '|':
		if (s[p->pos] == c) {
			p->tok = c == '&' ? T_AND : T_OR;
			p->pos++;
			p->tlen = 2;
			return;
		}
		break;
	default: break;
	}
	p->tok = T_BAD;
}

__attribute__((format(printf, 3, 4))) static int fail(P *p, size_t col0, const char *fmt, ...)
{
	if (!p->err_col) {
		va_list ap;
		va_start(ap, fmt);
		p->err_col = (int)col0 + 1;
		vsnprintf(p->msg, p->msglen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static const char *tok_text(P *p, char *buf, size_t len)
{
	if (p->tok == T_END)
		return "the end";
	char raw[48], safe[200]; /* the text as typed, its control bytes shown as \xNN */
	snprintf(raw, sizeof raw, "%.*s", (int)(p->tlen < 40 ? p->tlen : 40), p->s + p->tpos);
	snprintf(buf, len, "'%s'", fb_escape_text(raw, safe, sizeof safe));
	return buf;
}

static int add(P *p, Node n)
{
	AlertExpr *e = p->e;
	if (e->count == e->cap)
		e->n = xrealloc(e->n, (size_t)(e->cap = e->cap ? e->cap * 2 : 16) * sizeof *e->n);
	e->n[e->count] = n;
	return e->count++;
}

static int parse_or(P *p);

/* value := number | metric | "-" value | "(" value ")"; on "(" an expression may follow, so
 * the caller handles parentheses (see compare). */
static int parse_value(P *p)
{
	char buf[208];
	if (++p->depth > 64)
		return fail(p, p->tpos, "%s", "expression nested too deeply");
	int r;
	switch (p->tok) {
	case T_NUM:
		r = add(p, (Node){.kind = N_NUM, .num = p->num});
		next(p);
		break;
	case T_NAME: {
		int id = metric_id(p->name);
		if (id < 0) {
			const char *dym = closest_metric(p->name);
			if (!p->err_col) {
				p->err_col = (int)p->tpos + 1;
				snprintf(p->msg, p->msglen, "unknown metric '%s'%s%s%s", p->name,
				         dym ? " (did you mean " : "", dym ? dym : "",
				         dym ? "?)" : "");
			}
			return -1;
		}
		r = add(p, (Node){.kind = N_VAR, .var = id});
		next(p);
		break;
	}
	case T_MINUS: {
		next(p);
		int a = parse_value(p);
		if (a < 0)
			return -1;
		r = add(p, (Node){.kind = N_NEG, .a = a});
		break;
	}
	case T_LP: {
		next(p);
		r = parse_value(p);
		if (r < 0)
			return -1;
		if (p->tok != T_RP)
			return fail(p, p->tpos, "expected ')' but found %s",
			            tok_text(p, buf, sizeof buf));
		next(p);
		break;
	}
	case T_BAD: return fail(p, p->tpos, "unexpected %s", tok_text(p, buf, sizeof buf));
	default:
		return fail(p, p->tpos, "expected a number or a metric but found %s",
		            tok_text(p, buf, sizeof buf));
	}
	p->depth--;
	return r;
}

/* Is the "(" at the current token the start of a boolean group? Looks for a comparison or a
 * keyword at the same depth before the matching ")". */
static int paren_is_bool(const P *p)
{
	int depth = 0;
	for (size_t i = p->tpos; p->s[i]; i++) {
		char c = p->s[i];
		if (c == '(')
			depth++;
		else if (c == ')' && --depth == 0)
			return 0;
		else if (depth >= 1 &&
		         (c == '<' || c == '>' || c == '=' || c == '!' || c == '&' || c == '|'))
			return 1;
		else if (depth >= 1 && isalpha((unsigned char)c) &&
		         (i == 0 || !(isalnum((unsigned char)p->s[i - 1]) || p->s[i - 1] == '_'))) {
			size_t n = 0;
			while (isalnum((unsigned char)p->s[i + n]) || p->s[i + n] == '_')
				n++;
			if ((n == 3 && strncasecmp(p->s + i, "and", 3) == 0) ||
			    (n == 2 && strncasecmp(p->s + i, "or", 2) == 0) ||
			    (n == 3 && strncasecmp(p->s + i, "not", 3) == 0))
				return 1;
			i += n - 1;
		}
	}
	return 0;
}

static int parse_compare(P *p)
{
	char buf[208];
	if (p->tok == T_LP && paren_is_bool(p)) {
		next(p);
		if (++p->depth > 64)
			return fail(p, p->tpos, "%s", "expression nested too deeply");
		int r = parse_or(p);
		if (r < 0)
			return -1;
		if (p->tok != T_RP)
			return fail(p, p->tpos, "expected ')' but found %s",
			            tok_text(p, buf, sizeof buf));
		p->depth--;
		next(p);
		return r;
	}
	size_t start = p->tpos;
	int a = parse_value(p);
	if (a < 0)
		return -1;
	if (p->tok != T_CMP) {
		if (p->tok == T_END || p->tok == T_AND || p->tok == T_OR || p->tok == T_RP) {
			char what[80];
			snprintf(what, sizeof what, "%.*s", (int)(p->tpos - start), p->s + start);
			for (size_t n = strlen(what); n && what[n - 1] == ' ';)
				what[--n] = '\0';
			return fail(p, p->tpos,
			            "expected a comparison (>, >=, <, <=, ==, !=) after '%s'",
			            what);
		}
		if (p->tok == T_BAD && p->s[p->tpos] == '=')
			return fail(p, p->tpos, "%s", "'=' is not a comparison: use '=='");
		return fail(p, p->tpos, "expected a comparison but found %s",
		            tok_text(p, buf, sizeof buf));
	}
	int op = p->op;
	next(p);
	int b = parse_value(p);
	if (b < 0)
		return -1;
	if (p->tok == T_CMP)
		return fail(p, p->tpos, "%s",
		            "comparisons do not chain; join them with 'and' (a < x and x < b)");
	return add(p, (Node){.kind = N_CMP, .op = op, .a = a, .b = b});
}

static int parse_not(P *p)
{
	if (p->tok == T_NOT) {
		next(p);
		if (++p->depth > 64)
			return fail(p, p->tpos, "%s", "expression nested too deeply");
		int a = parse_not(p);
		p->depth--;
		return a < 0 ? -1 : add(p, (Node){.kind = N_NOT, .a = a});
	}
	return parse_compare(p);
}

static int parse_and(P *p)
{
	int a = parse_not(p);
	while (a >= 0 && p->tok == T_AND) {
		next(p);
		int b = parse_not(p);
		a = b < 0 ? -1 : add(p, (Node){.kind = N_AND, .a = a, .b = b});
	}
	return a;
}

static int parse_or(P *p)
{
	int a = parse_and(p);
	while (a >= 0 && p->tok == T_OR) {
		next(p);
		int b = parse_and(p);
		a = b < 0 ? -1 : add(p, (Node){.kind = N_OR, .a = a, .b = b});
	}
	return a;
}

AlertExpr *alert_expr_compile(const char *text, int *col, char *msg, size_t msglen)
{
	char buf[208];
	P p = {.s = text, .msg = msg, .msglen = msglen};
	p.e = xcalloc(1, sizeof *p.e);
	next(&p);
	if (p.tok == T_END)
		fail(&p, 0, "%s", "empty condition");
	else {
		p.e->root = parse_or(&p);
		if (p.e->root >= 0 && p.tok == T_RP)
			fail(&p, p.tpos, "unmatched %s", tok_text(&p, buf, sizeof buf));
		else if (p.e->root >= 0 && p.tok != T_END)
			fail(&p, p.tpos, "expected 'and', 'or' or the end but found %s",
			     tok_text(&p, buf, sizeof buf));
	}
	if (p.err_col) {
		*col = p.err_col;
		alert_expr_free(p.e);
		return NULL;
	}
	return p.e;
}

void alert_expr_free(AlertExpr *e)
{
	if (!e)
		return;
	free(e->n);
	free(e);
}

static double num(const AlertExpr *e, int i, double (*value)(int, void *), void *arg)
{
	const Node *n = &e->n[i];
	switch (n->kind) {
	case N_NUM: return n->num;
	case N_VAR: return value(n->var, arg);
	case N_NEG: return -num(e, n->a, value, arg);
	default: return NAN;
	}
}

static int truth(const AlertExpr *e, int i, double (*value)(int, void *), void *arg)
{
	const Node *n = &e->n[i];
	switch (n->kind) {
	case N_AND: return truth(e, n->a, value, arg) && truth(e, n->b, value, arg);
	case N_OR: return truth(e, n->a, value, arg) || truth(e, n->b, value, arg);
	case N_NOT: return !truth(e, n->a, value, arg);
	case N_CMP: {
		double x = num(e, n->a, value, arg), y = num(e, n->b, value, arg);
		if (isnan(x) || isnan(y))
			return 0;
		switch (n->op) {
		case OP_GT: return x > y;
		case OP_GE: return x >= y;
		case OP_LT: return x < y;
		case OP_LE: return x <= y;
		case OP_EQ: return x == y;
		default: return x != y;
		}
	}
	default: return 0;
	}
}

int alert_expr_eval(const AlertExpr *e, double (*value)(int id, void *arg), void *arg)
{
	return truth(e, e->root, value, arg);
}

int alert_expr_metrics(const AlertExpr *e, int *ids, int max)
{
	int n = 0;
	/* nodes are added children first, so the order of the array is the order of the text */
	for (int i = 0; i < e->count; i++) {
		if (e->n[i].kind != N_VAR)
			continue;
		int seen = 0;
		for (int j = 0; j < n && !seen; j++)
			seen = ids[j] == e->n[i].var;
		if (!seen && n < max)
			ids[n++] = e->n[i].var;
	}
	return n;
}

AlertRules *alert_rules_from_config(const Config *cfg, char *err, size_t errlen)
{
	AlertRules *r = xcalloc(1, sizeof *r);
	int n = config_alert_count(cfg);
	r->rule = xcalloc((size_t)n + 1, sizeof *r->rule);
	char first[1][CONFIG_INTERVAL_LEN] = {"5m"};
	config_get_intervals(cfg, first, 1);
	for (int i = 0; i < n; i++) {
		const ConfigAlert *a = config_alert(cfg, i);
		AlertRule *ru = &r->rule[r->n];
		char msg[256];
		int col = 0;
		const char *when = config_alert_get(a, "when");
		ru->when = alert_expr_compile(when, &col, msg, sizeof msg);
		if (!ru->when) {
			snprintf(err, errlen, "%s:%d:%d: [alert %s] when: %s", a->file,
			         a->when_line, a->when_col + col - 1, a->name, msg);
			alert_rules_free(r);
			return NULL;
		}
		r->n++;
		snprintf(ru->name, sizeof ru->name, "%s", a->name);
		ru->when_text = xstrdup(when);
		const char *iv = config_alert_get(a, "interval");
		snprintf(ru->interval, sizeof ru->interval, "%s", iv ? iv : first[0]);
		ru->cooldown_ms = strtoll(config_alert_get(a, "cooldown"), NULL, 10) * 1000;
		snprintf(ru->severity, sizeof ru->severity, "%s", config_alert_get(a, "severity"));
		const char *cmd = config_alert_get(a, "command");
		ru->command = cmd && *cmd ? xstrdup(cmd) : NULL;
		config_parse_bool(config_alert_get(a, "bell"), &ru->bell); /* validated when read */
	}
	return r;
}

void alert_rules_free(AlertRules *r)
{
	if (!r)
		return;
	for (int i = 0; i < r->n; i++) {
		alert_expr_free(r->rule[i].when);
		free(r->rule[i].when_text);
		free(r->rule[i].command);
	}
	free(r->rule);
	free(r);
}
