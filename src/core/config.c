/* Configuration: the table of every key the program knows (type, default, range, whether it
 * may change live), an INI reader that reports file:line and key for every mistake, and the
 * layering of defaults, files, environment and flags. Main thread only. */
#include "core/config.h"

#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/fsutil.h"
#include "core/log.h"
#include "core/suggest.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"

typedef enum {
	T_STRING,
	T_INT,
	T_DOUBLE,
	T_BOOL,
	T_ENUM,
	T_SIZE,
	T_INTERVALS,
	T_LIST,
	T_SYMBOLS,
	T_SHARD
} KeyType;

typedef struct {
	const char *section;
	const char *key;
	KeyType type;
	const char *def;
	double min, max;     /* T_INT, T_DOUBLE, T_SIZE */
	const char *choices; /* T_ENUM: space separated */
	int live;            /* may change on SIGHUP */
} KeyDef;

/* Keep in step with config.ini and man/futuresboard.1. */
static const KeyDef keys[] = {
        {"store", "database", T_STRING, "~/.local/share/futuresboard/futuresboard.db", 0, 0, NULL,
         0},
        {"store", "batch_size", T_INT, "2000", 1, 1000000, NULL, 0},
        {"store", "queue_bytes", T_INT, "2097152", 65536, 1073741824, NULL, 0},
        {"store", "flush_ms", T_INT, "250", 1, 60000, NULL, 1},
        {"store", "busy_timeout_ms", T_INT, "5000", 0, 600000, NULL, 0},
        {"store", "read", T_ENUM, "sqlite", 0, 0, "sqlite clickhouse", 0},
        {"clickhouse", "url", T_STRING, "", 0, 0, NULL, 0},
        {"clickhouse", "database", T_STRING, "futuresboard", 0, 0, NULL, 0},
        {"clickhouse", "user", T_STRING, "default", 0, 0, NULL, 0},
        {"clickhouse", "password_file", T_STRING, "", 0, 0, NULL, 0},
        {"clickhouse", "cluster", T_STRING, "", 0, 0, NULL, 0},
        {"clickhouse", "gzip", T_BOOL, "no", 0, 0, NULL, 0},
        {"clickhouse", "batch_rows", T_INT, "50000", 1, 10000000, NULL, 0},
        {"clickhouse", "flush_ms", T_INT, "1000", 10, 600000, NULL, 0},
        {"clickhouse", "timeout_ms", T_INT, "30000", 100, 3600000, NULL, 0},
        {"log", "level", T_ENUM, "info", 0, 0, "error warn info debug", 1},
        {"log", "file", T_STRING, "~/.local/state/futuresboard/futuresboard.log", 0, 0, NULL, 0},
        {"log", "max_size", T_SIZE, "10M", 0, 1099511627776.0, NULL, 1},
        {"log", "max_files", T_INT, "5", 1, 100, NULL, 1},
        {"binance", "rest_url", T_STRING, "https://fapi.binance.com", 0, 0, NULL, 0},
        {"binance", "ws_url", T_STRING, "wss://fstream.binance.com", 0, 0, NULL, 0},
        {"binance", "label", T_ENUM, "binance", 0, 0, "binance simex", 0},
        {"binance", "weight_limit", T_INT, "2400", 1, 100000, NULL, 0},
        {"binance", "timeout_ms", T_INT, "10000", 100, 120000, NULL, 0},
        {"exchanges", "enabled", T_LIST, "binance", 0, 0, "binance bybit", 0},
        {"bybit", "rest_url", T_STRING, "https://api.bybit.com", 0, 0, NULL, 0},
        {"bybit", "ws_url", T_STRING, "wss://stream.bybit.com", 0, 0, NULL, 0},
        {"bybit", "label", T_ENUM, "bybit", 0, 0, "bybit simex-bybit", 0},
        {"bybit", "weight_limit", T_INT, "600", 1, 100000, NULL, 0},
        {"bybit", "timeout_ms", T_INT, "10000", 100, 120000, NULL, 0},
        {"feed", "top_n", T_INT, "20", 1, 200, NULL, 0},
        {"feed", "intervals", T_INTERVALS, "1m 5m 15m 1h 4h 1d", 0, 0, NULL, 0},
        {"feed", "lookback", T_INT, "1000", 1, 100000, NULL, 0},
        {"feed", "stale_s", T_INT, "30", 2, 3600, NULL, 0},
        {"feed", "silent_stream_s", T_INT, "60", 2, 3600, NULL, 0},
        {"feed", "backoff_reset_s", T_INT, "60", 1, 3600, NULL, 0},
        {"feed", "poll_s", T_INT, "300", 5, 86400, NULL, 0},
        {"feed", "gap_check_s", T_INT, "60", 5, 86400, NULL, 0},
        {"feed", "rank_s", T_INT, "300", 5, 86400, NULL, 0},
        {"feed", "watchlist", T_SYMBOLS, "", 0, 0, NULL, 1},
        {"feed", "shard", T_SHARD, "1/1", 0, 0, NULL, 0},
        {"feed", "trades", T_ENUM, "aggTrade", 0, 0, "aggTrade trade", 0},
        {"feed", "flow_sample_s", T_INT, "60", 1, 3600, NULL, 0},
        {"health", "port", T_INT, "8787", 0, 65535, NULL, 0},
        {"quant", "ema_fast", T_INT, "12", 1, 512, NULL, 0},
        {"quant", "ema_slow", T_INT, "26", 1, 512, NULL, 0},
        {"quant", "rv_window", T_INT, "30", 2, 512, NULL, 0},
        {"quant", "z_window", T_INT, "30", 2, 512, NULL, 0},
        {"quant", "corr_window", T_INT, "100", 3, 255, NULL, 0},
        {"quant", "cycle_ms", T_INT, "1000", 50, 60000, NULL, 0},
        {"quant", "queue_bytes", T_INT, "2097152", 65536, 1073741824, NULL, 0},
        {"ui", "refresh_ms", T_INT, "1000", 50, 60000, NULL, 1},
        {"ui", "color", T_ENUM, "auto", 0, 0, "auto 256 16 none", 1},
        {"ui", "toast_s", T_INT, "8", 1, 3600, NULL, 1},
        {"ui", "columns", T_LIST, CONFIG_UI_COLUMNS, 0, 0, CONFIG_UI_COLUMNS_ALL, 1},
};
#define NKEYS (sizeof keys / sizeof keys[0])

typedef struct {
	char *value;
	ConfigSource src;
	char *origin; /* "file:line", "FUTURESBOARD_X_Y", "--set a.b" or NULL for defaults */
} Entry;

/* The keys of an [alert NAME] section, in ConfigAlert.value order. */
static const KeyDef alert_keys[CONFIG_ALERT_NKEYS] = {
        {"alert", "when", T_STRING, NULL, 0, 0, NULL, 1},
        {"alert", "interval", T_INTERVALS, NULL, 0, 0, NULL, 1},
        {"alert", "cooldown", T_INT, "300", 0, 604800, NULL, 1},
        {"alert", "severity", T_ENUM, "warn", 0, 0, "info warn crit", 1},
        {"alert", "command", T_STRING, NULL, 0, 0, NULL, 1},
        {"alert", "bell", T_BOOL, "no", 0, 0, NULL, 1},
};

struct Config {
	Entry e[NKEYS];
	ConfigAlert *alerts;
	int nalerts, capalerts;
	uint32_t *aslot; /* alert name -> index + 1 (open addressing), so loading is linear */
	uint32_t amask;
};

static const char *const source_names[] = {"default", "user file", "--config", "environment",
                                           "command line"};

static int find_key(const char *section, const char *key)
{
	for (size_t i = 0; i < NKEYS; i++)
		if (strcmp(keys[i].section, section) == 0 && strcmp(keys[i].key, key) == 0)
			return (int)i;
	return -1;
}

static int section_known(const char *section)
{
	for (size_t i = 0; i < NKEYS; i++)
		if (strcmp(keys[i].section, section) == 0)
			return 1;
	return 0;
}

/* The closest known section (section == NULL) or key of section to word, or NULL. */
static const char *did_you_mean(const char *section, const char *word)
{
	const char *best = NULL;
	size_t best_d = 99;
	for (size_t i = 0; i < NKEYS; i++) {
		const char *cand = section ? keys[i].key : keys[i].section;
		if (section && strcmp(keys[i].section, section) != 0)
			continue;
		size_t d = fb_edit_distance(word, cand);
		if (d < best_d) {
			best_d = d;
			best = cand;
		}
	}
	size_t len = strlen(word);
	return best && best_d <= (len < 5 ? 1 : len < 9 ? 2 : 3) ? best : NULL;
}

int config_parse_size(const char *s, int64_t *out)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (end == s || errno || v < 0 || !isfinite(v))
		return -1;
	double mul = 1;
	switch (toupper((unsigned char)*end)) {
	case 'K':
		mul = 1024.0;
		end++;
		break;
	case 'M':
		mul = 1024.0 * 1024;
		end++;
		break;
	case 'G':
		mul = 1024.0 * 1024 * 1024;
		end++;
		break;
	default: break;
	}
	if (toupper((unsigned char)*end) == 'B')
		end++;
	if (*end || v * mul >= 9.2e18) /* beyond int64 */
		return -1;
	*out = (int64_t)(v * mul);
	return 0;
}

int config_parse_bool(const char *s, int *out)
{
	static const char *const yes[] = {"1", "true", "yes", "on"};
	static const char *const no[] = {"0", "false", "no", "off"};
	for (int i = 0; i < 4; i++) {
		if (strcasecmp(s, yes[i]) == 0)
			return *out = 1, 0;
		if (strcasecmp(s, no[i]) == 0)
			return *out = 0, 0;
	}
	return -1;
}

/* Checks value against def; on failure writes the reason (without location) into why. */
static int validate(const KeyDef *def, const char *value, char *why, size_t whylen)
{
	char *end;
	switch (def->type) {
	case T_STRING:
		/* empty means "none" for a log file and for keys whose default is empty */
		if (!*value && strcmp(def->key, "file") != 0 && (!def->def || *def->def)) {
			snprintf(why, whylen, "must not be empty");
			return -1;
		}
		return 0;
	case T_INT: {
		errno = 0;
		long long v = strtoll(value, &end, 10);
		if (end == value || *end || errno) {
			snprintf(why, whylen, "expected a whole number, got '%s'", value);
			return -1;
		}
		if (v < def->min || v > def->max) {
			snprintf(why, whylen, "%lld is out of range (%.0f to %.0f)", v, def->min,
			         def->max);
			return -1;
		}
		return 0;
	}
	case T_DOUBLE: {
		errno = 0;
		double v = strtod(value, &end);
		if (end == value || *end || errno || !isfinite(v)) {
			snprintf(why, whylen, "expected a number, got '%s'", value);
			return -1;
		}
		if (v < def->min || v > def->max) {
			snprintf(why, whylen, "%g is out of range (%g to %g)", v, def->min,
			         def->max);
			return -1;
		}
		return 0;
	}
	case T_BOOL: {
		int b;
		if (config_parse_bool(value, &b)) {
			snprintf(why, whylen, "expected true or false, got '%s'", value);
			return -1;
		}
		return 0;
	}
	case T_ENUM: {
		size_t n = strlen(value);
		for (const char *p = def->choices; *p;) {
			size_t len = strcspn(p, " ");
			if (len == n && strncmp(p, value, n) == 0)
				return 0;
			p += len;
			p += *p == ' ';
		}
		snprintf(why, whylen, "'%s' is not one of: %s", value, def->choices);
		return -1;
	}
	case T_SIZE: {
		int64_t v;
		if (config_parse_size(value, &v)) {
			snprintf(why, whylen, "expected a size such as 10M, 512K or 4096, got '%s'",
			         value);
			return -1;
		}
		if (v < def->min || v > def->max) {
			snprintf(why, whylen, "%s is out of range", value);
			return -1;
		}
		return 0;
	}
	case T_SYMBOLS: { /* exchange symbols: capital letters and digits, at most 32 */
		int count = 0;
		char buf[1024];
		snprintf(buf, sizeof buf, "%s", value);
		for (char *save, *tok = strtok_r(buf, " ,", &save); tok;
		     tok = strtok_r(NULL, " ,", &save)) {
			size_t n = strspn(tok, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789");
			if (n != strlen(tok) || n < 2 || n >= CONFIG_SYMBOL_LEN) {
				snprintf(why, whylen,
				         "'%s' is not a symbol (capital letters and digits, as "
				         "BTCUSDT)",
				         tok);
				return -1;
			}
			if (++count > CONFIG_MAX_SYMBOLS) {
				snprintf(why, whylen, "at most %d symbols", CONFIG_MAX_SYMBOLS);
				return -1;
			}
		}
		return 0;
	}
	case T_INTERVALS: {
		int count = 0;
		char buf[256];
		snprintf(buf, sizeof buf, "%s", value);
		for (char *save, *tok = strtok_r(buf, " ,", &save); tok;
		     tok = strtok_r(NULL, " ,", &save)) {
			if (fb_interval_ms(tok) < 0) {
				snprintf(why, whylen, "unknown interval '%s' (known: %s)", tok,
				         fb_interval_list());
				return -1;
			}
			count++;
		}
		if (!count) {
			snprintf(why, whylen, "needs at least one interval");
			return -1;
		}
		return 0;
	}
	case T_SHARD: { /* K/N: this process's share of N */
		int k, n;
		if (config_parse_shard(value, &k, &n)) {
			snprintf(why, whylen,
			         "'%s': expected K/N, 1 <= K <= N <= 1024 (2/3: the second of "
			         "three)",
			         value);
			return -1;
		}
		return 0;
	}
	case T_LIST: { /* words from choices, any order, at most once each */
		char buf[512];
		snprintf(buf, sizeof buf, "%s", value);
		if (strcmp(def->section, "exchanges") == 0 &&
		    strspn(value, " ,") == strlen(value)) {
			snprintf(why, whylen, "no exchange named (choose from: %s)", def->choices);
			return -1;
		}
		for (char *save, *tok = strtok_r(buf, " ,", &save); tok;
		     tok = strtok_r(NULL, " ,", &save)) {
			KeyDef one = *def;
			one.type = T_ENUM;
			if (validate(&one, tok, why, whylen))
				return -1;
		}
		return 0;
	}
	}
	return -1;
}

int config_parse_shard(const char *s, int *k, int *n)
{
	char *end;
	long a = strtol(s, &end, 10);
	if (end == s || *end != '/')
		return -1;
	const char *b = end + 1;
	long c = strtol(b, &end, 10);
	if (end == b || *end || a < 1 || c < 1 || a > c || c > 1024)
		return -1;
	*k = (int)a, *n = (int)c;
	return 0;
}

static void entry_set(Entry *e, const char *value, ConfigSource src, const char *origin)
{
	free(e->value);
	free(e->origin);
	e->value = xstrdup(value);
	e->src = src;
	e->origin = origin ? xstrdup(origin) : NULL;
}

static void alert_clear(ConfigAlert *a)
{
	free(a->name);
	free(a->where);
	free(a->file);
	for (int k = 0; k < CONFIG_ALERT_NKEYS; k++)
		free(a->value[k]);
	memset(a, 0, sizeof *a);
}

static void alerts_free(ConfigAlert *a, int n)
{
	for (int i = 0; i < n; i++)
		alert_clear(&a[i]);
	free(a);
}

static void alert_copy(ConfigAlert *dst, const ConfigAlert *src)
{
	*dst = *src;
	dst->name = xstrdup(src->name);
	dst->where = xstrdup(src->where);
	dst->file = xstrdup(src->file);
	for (int k = 0; k < CONFIG_ALERT_NKEYS; k++)
		dst->value[k] = src->value[k] ? xstrdup(src->value[k]) : NULL;
}

int config_alert_count(const Config *cfg)
{
	return cfg->nalerts;
}

const ConfigAlert *config_alert(const Config *cfg, int i)
{
	return i >= 0 && i < cfg->nalerts ? &cfg->alerts[i] : NULL;
}

const char *config_alert_key(int k)
{
	return k >= 0 && k < CONFIG_ALERT_NKEYS ? alert_keys[k].key : NULL;
}

const char *config_alert_get(const ConfigAlert *a, const char *key)
{
	for (int k = 0; k < CONFIG_ALERT_NKEYS; k++)
		if (strcmp(alert_keys[k].key, key) == 0)
			return a->value[k] ? a->value[k] : alert_keys[k].def;
	return NULL;
}

static uint32_t name_hash(const char *s)
{
	uint32_t h = 2166136261u;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* Indexes the first n alerts' names, with room to grow to twice as many. */
static void alert_index(Config *cfg)
{
	uint32_t cap = 16;
	while (cap < (uint32_t)cfg->nalerts * 4)
		cap *= 2;
	free(cfg->aslot);
	cfg->aslot = xcalloc(cap, sizeof *cfg->aslot);
	cfg->amask = cap - 1;
	for (int i = 0; i < cfg->nalerts; i++) {
		uint32_t at = name_hash(cfg->alerts[i].name) & cfg->amask;
		while (cfg->aslot[at])
			at = (at + 1) & cfg->amask;
		cfg->aslot[at] = (uint32_t)i + 1;
	}
}

/* The index of the alert called name, or nalerts. */
static int alert_find(const Config *cfg, const char *name)
{
	if (!cfg->aslot)
		return cfg->nalerts;
	for (uint32_t at = name_hash(name) & cfg->amask; cfg->aslot[at]; at = (at + 1) & cfg->amask)
		if (strcmp(cfg->alerts[cfg->aslot[at] - 1].name, name) == 0)
			return (int)cfg->aslot[at] - 1;
	return cfg->nalerts;
}

/* "[alert NAME]": starts (or, from a higher layer, replaces) the rule NAME. Returns its index,
 * or -1 with err. */
static int alert_section(Config *cfg, const char *name, const char *path, int lineno,
                         ConfigSource src, const char *where, char *err, size_t errlen)
{
	size_t n = strlen(name);
	if (!n || n >= 48 ||
	    strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	                 "0123456789_-.") != n) {
		snprintf(err, errlen,
		         "%s: alert name '%s' must be 1 to 47 letters, digits, '_', '-' or '.'",
		         where, name);
		return -1;
	}
	int i = alert_find(cfg, name);
	if (i < cfg->nalerts && cfg->alerts[i].src == src &&
	    strcmp(cfg->alerts[i].file, path) == 0) {
		snprintf(err, errlen, "%s: [alert %s] is already defined at %s", where, name,
		         cfg->alerts[i].where);
		return -1;
	}
	int added = i == cfg->nalerts;
	if (added) {
		if (cfg->nalerts == cfg->capalerts) {
			cfg->capalerts = cfg->capalerts ? cfg->capalerts * 2 : 8;
			cfg->alerts =
			        xrealloc(cfg->alerts, (size_t)cfg->capalerts * sizeof *cfg->alerts);
		}
		cfg->nalerts++;
	} else
		alert_clear(&cfg->alerts[i]);
	ConfigAlert *a = &cfg->alerts[i];
	memset(a, 0, sizeof *a);
	a->name = xstrdup(name);
	a->where = xstrdup(where);
	a->file = xstrdup(path);
	a->line = lineno;
	a->src = src;
	if (added) {
		if ((uint32_t)cfg->nalerts * 2 > cfg->amask)
			alert_index(cfg);
		else {
			uint32_t at = name_hash(a->name) & cfg->amask;
			while (cfg->aslot[at])
				at = (at + 1) & cfg->amask;
			cfg->aslot[at] = (uint32_t)i + 1;
		}
	}
	return i;
}

static int alert_key(ConfigAlert *a, const char *key, const char *value, int lineno, int col,
                     const char *where, char *err, size_t errlen)
{
	for (int k = 0; k < CONFIG_ALERT_NKEYS; k++) {
		if (strcmp(alert_keys[k].key, key) != 0)
			continue;
		char why[512];
		if (!*value && k != 4) {
			snprintf(err, errlen, "%s: [alert %s] %s: must not be empty", where,
			         a->name, key);
			return -1;
		}
		if (*value && validate(&alert_keys[k], value, why, sizeof why)) {
			snprintf(err, errlen, "%s: [alert %s] %s: %s", where, a->name, key, why);
			return -1;
		}
		if (k == 1 && strpbrk(value, " ,")) {
			snprintf(err, errlen, "%s: [alert %s] interval: one interval, got '%s'",
			         where, a->name, value);
			return -1;
		}
		free(a->value[k]);
		a->value[k] = xstrdup(value);
		if (k == 0) {
			a->when_line = lineno;
			a->when_col = col;
		}
		return 0;
	}
	const char *best = NULL;
	size_t bd = 3;
	for (int k = 0; k < CONFIG_ALERT_NKEYS; k++) {
		size_t d = fb_edit_distance(key, alert_keys[k].key);
		if (d < bd)
			bd = d, best = alert_keys[k].key;
	}
	snprintf(err, errlen,
	         "%s: unknown key '%s' in [alert %s]%s%s%s (keys: when, interval, "
	         "cooldown, severity, command, bell)",
	         where, key, a->name, best ? " (did you mean '" : "", best ? best : "",
	         best ? "'?)" : "");
	return -1;
}

Config *config_new(void)
{
	Config *cfg = xcalloc(1, sizeof *cfg);
	for (size_t i = 0; i < NKEYS; i++)
		entry_set(&cfg->e[i], keys[i].def, CONFIG_SRC_DEFAULT, NULL);
	/* XDG base directories move the default paths. */
	const char *data = getenv("XDG_DATA_HOME"), *state = getenv("XDG_STATE_HOME");
	if (data && *data == '/') {
		char *p = xasprintf("%s/futuresboard/futuresboard.db", data);
		entry_set(&cfg->e[find_key("store", "database")], p, CONFIG_SRC_DEFAULT, NULL);
		free(p);
	}
	if (state && *state == '/') {
		char *p = xasprintf("%s/futuresboard/futuresboard.log", state);
		entry_set(&cfg->e[find_key("log", "file")], p, CONFIG_SRC_DEFAULT, NULL);
		free(p);
	}
	return cfg;
}

void config_free(Config *cfg)
{
	if (!cfg)
		return;
	for (size_t i = 0; i < NKEYS; i++) {
		free(cfg->e[i].value);
		free(cfg->e[i].origin);
	}
	alerts_free(cfg->alerts, cfg->nalerts);
	free(cfg->aslot);
	free(cfg);
}

char *config_user_path(void)
{
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	if (xdg && *xdg == '/')
		return xasprintf("%s/futuresboard/config.ini", xdg);
	return xasprintf("%s/.config/futuresboard/config.ini", home && *home ? home : ".");
}

static char *trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	char *end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

/* Sets key in section from a location (for messages) after validation. */
static int set_checked(Config *cfg, const char *section, const char *key, const char *value,
                       ConfigSource src, const char *where, char *err, size_t errlen)
{
	char why[512];
	if (!section_known(section)) {
		const char *dym = did_you_mean(NULL, section);
		snprintf(err, errlen, "%s: unknown section [%s]%s%s%s", where, section,
		         dym ? " (did you mean [" : "", dym ? dym : "", dym ? "]?)" : "");
		return -1;
	}
	int i = find_key(section, key);
	if (i < 0) {
		const char *dym = did_you_mean(section, key);
		snprintf(err, errlen, "%s: unknown key '%s' in [%s]%s%s%s", where, key, section,
		         dym ? " (did you mean '" : "", dym ? dym : "", dym ? "'?)" : "");
		return -1;
	}
	if (validate(&keys[i], value, why, sizeof why)) {
		snprintf(err, errlen, "%s: [%s] %s: %s", where, section, key, why);
		return -1;
	}
	entry_set(&cfg->e[i], value, src, where);
	return 0;
}

int config_load_file(Config *cfg, const char *path, ConfigSource src, int missing_ok, char *err,
                     size_t errlen)
{
	/* a regular file only: /dev/zero would be read for ever, a FIFO would block, and a
	 * directory says no more than "read error" */
	struct stat sb;
	if (stat(path, &sb) == 0 && !S_ISREG(sb.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file (%s)", path,
		         S_ISDIR(sb.st_mode) ? "a directory" : "a device, pipe or socket");
		return -1;
	}
	FILE *f = fopen(path, "r");
	if (!f) {
		if (missing_ok && errno == ENOENT)
			return 0;
		snprintf(err, errlen, "%s: cannot read config file: %s", path, strerror(errno));
		return -1;
	}
	char *linebuf = NULL, *line, section[128] = "", where[4200];
	size_t linecap = 0;
	ssize_t got;
	int lineno = 0, rc = 0, alert = -1;
	while ((got = getline(&linebuf, &linecap, f)) >= 0) {
		line = linebuf;
		lineno++;
		snprintf(where, sizeof where, "%s:%d", path, lineno);
		if (got > 4095) {
			snprintf(err, errlen, "%s: line is longer than %d characters", where, 4094);
			rc = -1;
			break;
		}
		if (memchr(line, '\0', (size_t)got)) { /* it would cut the value short, unseen */
			snprintf(err, errlen, "%s: a NUL byte in the line", where);
			rc = -1;
			break;
		}
		char *s = trim(line);
		if (!*s || *s == '#' || *s == ';')
			continue;
		if (*s == '[') {
			char *close = strchr(s, ']');
			if (!close || *trim(close + 1)) {
				snprintf(err, errlen,
				         "%s: malformed section header '%s' (expected [name])",
				         where, s);
				rc = -1;
				break;
			}
			*close = '\0';
			char *name = trim(s + 1);
			alert = -1;
			if (strncmp(name, "alert", 5) == 0 && isspace((unsigned char)name[5])) {
				alert = alert_section(cfg, trim(name + 6), path, lineno, src, where,
				                      err, errlen);
				if (alert < 0) {
					rc = -1;
					break;
				}
				snprintf(section, sizeof section, "alert");
				continue;
			}
			if (!section_known(name)) {
				const char *dym = did_you_mean(NULL, name);
				snprintf(err, errlen, "%s: unknown section [%s]%s%s%s", where, name,
				         dym ? " (did you mean [" : "", dym ? dym : "",
				         dym ? "]?)" : "");
				rc = -1;
				break;
			}
			snprintf(section, sizeof section, "%s", name);
			continue;
		}
		char *eq = strchr(s, '=');
		if (!eq) {
			snprintf(err, errlen, "%s: expected 'key = value', got '%s'", where, s);
			rc = -1;
			break;
		}
		*eq = '\0';
		char *key = trim(s), *value = trim(eq + 1);
		if (!*section) {
			snprintf(err, errlen, "%s: key '%s' appears before any [section]", where,
			         key);
			rc = -1;
			break;
		}
		/* Inline comments need whitespace before the marker, so URLs with '#' survive. */
		for (char *c = value; *c; c++)
			if ((*c == '#' || *c == ';') && c > value &&
			    isspace((unsigned char)c[-1])) {
				*c = '\0';
				value = trim(value);
				break;
			}
		size_t vlen = strlen(value);
		if (vlen >= 2 && value[0] == '"' && value[vlen - 1] == '"') {
			value[vlen - 1] = '\0';
			value++;
		}
		if (alert >= 0) {
			if (alert_key(&cfg->alerts[alert], key, value, lineno,
			              (int)(value - line) + 1, where, err, errlen)) {
				rc = -1;
				break;
			}
			continue;
		}
		if (set_checked(cfg, section, key, value, src, where, err, errlen)) {
			rc = -1;
			break;
		}
	}
	if (rc == 0 && ferror(f)) {
		snprintf(err, errlen, "%s: read error: %s", path, strerror(errno));
		rc = -1;
	}
	free(linebuf);
	for (int i = 0; rc == 0 && i < cfg->nalerts; i++)
		if (cfg->alerts[i].src == src && strcmp(cfg->alerts[i].file, path) == 0 &&
		    !cfg->alerts[i].value[0]) {
			snprintf(err, errlen, "%s: [alert %s] has no 'when = ...' condition",
			         cfg->alerts[i].where, cfg->alerts[i].name);
			rc = -1;
		}
	fclose(f);
	return rc;
}

int config_load_env(Config *cfg, char *const *envp, char *err, size_t errlen)
{
	static const char prefix[] = "FUTURESBOARD_";
	for (; envp && *envp; envp++) {
		if (strncmp(*envp, prefix, sizeof prefix - 1) != 0)
			continue;
		const char *eq = strchr(*envp, '=');
		if (!eq)
			continue;
		char name[256];
		snprintf(name, sizeof name, "%.*s", (int)(eq - *envp), *envp);
		/* not a setting: the ClickHouse password, which no file may hold, is read from
		 * the environment by the store itself (store/clickhouse.h) */
		if (strcmp(name, "FUTURESBOARD_CLICKHOUSE_PASSWORD") == 0)
			continue;
		const char *rest = name + sizeof prefix - 1;
		/* Sections have no underscore, so the first one splits section and key. */
		int matched = 0;
		for (size_t i = 0; i < NKEYS && !matched; i++) {
			size_t sl = strlen(keys[i].section);
			if (strncasecmp(rest, keys[i].section, sl) != 0 || rest[sl] != '_')
				continue;
			if (strcasecmp(rest + sl + 1, keys[i].key) != 0)
				continue;
			matched = 1;
			char where[300];
			snprintf(where, sizeof where, "environment %s", name);
			if (set_checked(cfg, keys[i].section, keys[i].key, eq + 1, CONFIG_SRC_ENV,
			                where, err, errlen))
				return -1;
		}
		if (!matched) {
			char sec[128] = "", *us = strchr(rest, '_');
			snprintf(sec, sizeof sec, "%.*s", us ? (int)(us - rest) : (int)strlen(rest),
			         rest);
			for (char *p = sec; *p; p++)
				*p = (char)tolower((unsigned char)*p);
			char key[128] = "";
			if (us)
				snprintf(key, sizeof key, "%s", us + 1);
			for (char *p = key; *p; p++)
				*p = (char)tolower((unsigned char)*p);
			const char *dym = section_known(sec) ? did_you_mean(sec, key) : NULL;
			char hint[512] = "";
			if (dym) {
				char up[128];
				snprintf(up, sizeof up, "%.60s_%.60s", sec, dym);
				for (char *p = up; *p; p++)
					*p = (char)toupper((unsigned char)*p);
				snprintf(hint, sizeof hint, " (did you mean FUTURESBOARD_%s?)", up);
			}
			snprintf(err, errlen,
			         "environment %s: no such setting; variables are "
			         "FUTURESBOARD_<SECTION>_<KEY>%s",
			         name, hint);
			return -1;
		}
	}
	return 0;
}

int config_set(Config *cfg, const char *dotted_key, const char *value, ConfigSource src,
               const char *origin, char *err, size_t errlen)
{
	const char *dot = strchr(dotted_key, '.');
	if (!dot) {
		snprintf(err, errlen, "%s: expected section.key=value, got '%s'", origin,
		         dotted_key);
		return -1;
	}
	char section[128];
	snprintf(section, sizeof section, "%.*s", (int)(dot - dotted_key), dotted_key);
	return set_checked(cfg, section, dot + 1, value, src, origin, err, errlen);
}

Config *config_build(const char *file, char *const *envp, char *const *flags, int nflags, char *err,
                     size_t errlen)
{
	Config *cfg = config_new();
	char *user = config_user_path();
	int rc = config_load_file(cfg, user, CONFIG_SRC_USER, 1, err, errlen);
	free(user);
	if (rc == 0 && file)
		rc = config_load_file(cfg, file, CONFIG_SRC_FILE, 0, err, errlen);
	if (rc == 0)
		rc = config_load_env(cfg, envp, err, errlen);
	for (int i = 0; rc == 0 && i < nflags; i++) {
		char *kv = xstrdup(flags[i]), *eq = strchr(kv, '=');
		char origin[300];
		snprintf(origin, sizeof origin, "--set %.*s", eq ? (int)(eq - kv) : (int)strlen(kv),
		         kv);
		if (!eq) {
			snprintf(err, errlen, "%s: expected section.key=value", origin);
			rc = -1;
		} else {
			*eq = '\0';
			rc = config_set(cfg, kv, eq + 1, CONFIG_SRC_FLAG, origin, err, errlen);
		}
		free(kv);
	}
	if (rc) {
		config_free(cfg);
		return NULL;
	}
	return cfg;
}

static const Entry *get(const Config *cfg, const char *section, const char *key, KeyType *type)
{
	int i = find_key(section, key);
	assert(i >= 0 && "undeclared config key");
	if (type)
		*type = keys[i].type;
	return &cfg->e[i];
}

const char *config_get_str(const Config *cfg, const char *section, const char *key)
{
	return get(cfg, section, key, NULL)->value;
}

int64_t config_get_int(const Config *cfg, const char *section, const char *key)
{
	KeyType t;
	const Entry *e = get(cfg, section, key, &t);
	if (t == T_SIZE) {
		int64_t v = 0;
		config_parse_size(e->value, &v);
		return v;
	}
	return strtoll(e->value, NULL, 10);
}

double config_get_double(const Config *cfg, const char *section, const char *key)
{
	return strtod(get(cfg, section, key, NULL)->value, NULL);
}

int config_get_bool(const Config *cfg, const char *section, const char *key)
{
	int b = 0;
	config_parse_bool(get(cfg, section, key, NULL)->value, &b);
	return b;
}

char *config_get_path(const Config *cfg, const char *section, const char *key)
{
	const char *v = config_get_str(cfg, section, key), *home = getenv("HOME");
	if (v[0] == '~' && v[1] == '/')
		return xasprintf("%s%s", home && *home ? home : ".", v + 1);
	return xstrdup(v);
}

ConfigSource config_get_source(const Config *cfg, const char *section, const char *key)
{
	return get(cfg, section, key, NULL)->src;
}

void config_print(const Config *cfg, FILE *out)
{
	const char *section = "";
	for (size_t i = 0; i < NKEYS; i++) {
		if (strcmp(section, keys[i].section) != 0) {
			section = keys[i].section;
			fprintf(out, "%s[%s]\n", i ? "\n" : "", section);
		}
		const Entry *e = &cfg->e[i];
		char lhs[512];
		snprintf(lhs, sizeof lhs, "%s = %s", keys[i].key, e->value);
		fprintf(out, "%-50s # %s%s%s%s\n", lhs, source_names[e->src], e->origin ? " (" : "",
		        e->origin ? e->origin : "", e->origin ? ")" : "");
	}
	for (int i = 0; i < cfg->nalerts; i++) {
		const ConfigAlert *a = &cfg->alerts[i];
		int pad = 42 - (int)strlen(a->name);
		fprintf(out, "\n[alert %s]%*s # %s (%s)\n", a->name, pad > 0 ? pad : 0, "",
		        source_names[a->src], a->where);
		for (int k = 0; k < CONFIG_ALERT_NKEYS; k++)
			if (a->value[k])
				fprintf(out, "%s = %s\n", alert_keys[k].key, a->value[k]);
	}
}

int config_apply_live(Config *cfg, const Config *fresh, char *msg, size_t msglen)
{
	int changed = 0;
	size_t used = 0;
	if (msglen)
		msg[0] = '\0';
	for (size_t i = 0; i < NKEYS; i++) {
		if (strcmp(cfg->e[i].value, fresh->e[i].value) == 0)
			continue;
		int n;
		if (keys[i].live) {
			n = snprintf(msg + used, msglen - used, "[%s] %s = %s (was %s)\n",
			             keys[i].section, keys[i].key, fresh->e[i].value,
			             cfg->e[i].value);
			entry_set(&cfg->e[i], fresh->e[i].value, fresh->e[i].src,
			          fresh->e[i].origin);
			changed++;
		} else {
			n = snprintf(msg + used, msglen - used,
			             "[%s] %s changed to %s: takes effect after a restart\n",
			             keys[i].section, keys[i].key, fresh->e[i].value);
		}
		if (n > 0 && used + (size_t)n < msglen)
			used += (size_t)n;
	}
	int same = cfg->nalerts == fresh->nalerts;
	for (int i = 0; same && i < cfg->nalerts; i++) {
		same = strcmp(cfg->alerts[i].name, fresh->alerts[i].name) == 0;
		for (int k = 0; same && k < CONFIG_ALERT_NKEYS; k++) {
			const char *x = cfg->alerts[i].value[k], *y = fresh->alerts[i].value[k];
			same = (!x && !y) || (x && y && strcmp(x, y) == 0);
		}
	}
	if (!same) {
		int n = snprintf(msg + used, msglen - used, "alert rules: %d (were %d)\n",
		                 fresh->nalerts, cfg->nalerts);
		if (n > 0 && used + (size_t)n < msglen)
			used += (size_t)n;
		alerts_free(cfg->alerts, cfg->nalerts);
		cfg->alerts = xcalloc((size_t)fresh->nalerts + 1, sizeof *cfg->alerts);
		for (int i = 0; i < fresh->nalerts; i++)
			alert_copy(&cfg->alerts[i], &fresh->alerts[i]);
		cfg->nalerts = cfg->capalerts = fresh->nalerts;
		alert_index(cfg);
		changed++;
	}
	return changed;
}

int config_get_intervals(const Config *cfg, char (*out)[CONFIG_INTERVAL_LEN], int max)
{
	char buf[256];
	snprintf(buf, sizeof buf, "%s", config_get_str(cfg, "feed", "intervals"));
	int n = 0;
	for (char *save, *t = strtok_r(buf, ", ", &save); t && n < max;
	     t = strtok_r(NULL, ", ", &save))
		snprintf(out[n++], CONFIG_INTERVAL_LEN, "%s", t);
	return n;
}

int config_get_symbols(const Config *cfg, const char *section, const char *key,
                       char (*out)[CONFIG_SYMBOL_LEN], int max)
{
	char buf[1024];
	snprintf(buf, sizeof buf, "%s", config_get_str(cfg, section, key));
	int n = 0;
	for (char *save, *t = strtok_r(buf, ", ", &save); t && n < max;
	     t = strtok_r(NULL, ", ", &save)) {
		int seen = 0;
		for (int i = 0; i < n && !seen; i++)
			seen = strcmp(out[i], t) == 0;
		if (!seen)
			snprintf(out[n++], CONFIG_SYMBOL_LEN, "%s", t);
	}
	return n;
}

static char *read_all(FILE *f)
{
	size_t len = 0, cap = 4096;
	char *buf = xmalloc(cap);
	size_t n;
	while ((n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
		len += n;
		if (cap - len < 2)
			buf = xrealloc(buf, cap *= 2);
	}
	buf[len] = '\0';
	return buf;
}

/* Rewrites path with "key = value" in [section]: the key's line is replaced where it stands,
 * or added at the end of the section, or a new section is added; comments and every other line
 * stay. Written to a temporary file and renamed over the old one. */
int config_save_key(const char *path, const char *section, const char *key, const char *value,
                    char *err, size_t errlen)
{
	char *text = NULL;
	FILE *in = fopen(path, "r");
	if (in) {
		text = read_all(in);
		fclose(in);
	} else if (errno != ENOENT) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fb_mkdir_parents(path)) {
		snprintf(err, errlen, "%s: cannot create its folder: %s", path, strerror(errno));
		free(text);
		return -1;
	}
	char *tmp = xasprintf("%s.tmp", path);
	FILE *out = fopen(tmp, "w");
	if (!out) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		free(tmp);
		free(text);
		return -1;
	}
	int in_section = 0, done = 0;
	const char *p = text ? text : "";
	while (*p) {
		size_t n = strcspn(p, "\n");
		const char *line = p, *q = line;
		p += n + (p[n] == '\n');
		while (q < line + n && (*q == ' ' || *q == '\t'))
			q++;
		if (*q == '[') {
			if (in_section && !done) {
				fprintf(out, "%s = %s\n", key, value);
				done = 1;
			}
			size_t sl = strlen(section);
			in_section = strncmp(q + 1, section, sl) == 0 && q[1 + sl] == ']';
		} else if (in_section && !done && strncmp(q, key, strlen(key)) == 0) {
			const char *r = q + strlen(key);
			while (*r == ' ' || *r == '\t')
				r++;
			if (*r == '=') {
				fprintf(out, "%s = %s\n", key, value);
				done = 1;
				continue;
			}
		}
		fprintf(out, "%.*s\n", (int)n, line);
	}
	if (!done)
		fprintf(out, in_section ? "%s = %s\n" : "\n[%s]\n%s = %s\n",
		        in_section ? key : section, in_section ? value : key, value);
	int bad = ferror(out);
	if (fclose(out) != 0 || bad || rename(tmp, path) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		unlink(tmp);
		free(tmp);
		free(text);
		return -1;
	}
	free(tmp);
	free(text);
	return 0;
}
