/* Layered configuration. Precedence, lowest first: built-in defaults < the user file
 * ($XDG_CONFIG_HOME/futuresboard/config.ini) < --config FILE < environment
 * FUTURESBOARD_<SECTION>_<KEY> < command-line flags (--set section.key=value and the
 * dedicated flags). Every value remembers where it came from.
 *
 * Threads: a Config is built by the main thread and then read-only; a reload builds a new
 * Config and the main thread swaps what may change live. */
#ifndef FB_CORE_CONFIG_H
#define FB_CORE_CONFIG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef enum {
	CONFIG_SRC_DEFAULT = 0,
	CONFIG_SRC_USER, /* $XDG_CONFIG_HOME/futuresboard/config.ini */
	CONFIG_SRC_FILE, /* --config FILE */
	CONFIG_SRC_ENV,  /* FUTURESBOARD_<SECTION>_<KEY> */
	CONFIG_SRC_FLAG, /* command line */
} ConfigSource;

typedef struct Config Config;

/* A config holding only the built-in defaults; never NULL. */
Config *config_new(void);
void config_free(Config *cfg);

/* Where the user file lives ($XDG_CONFIG_HOME or ~/.config); caller frees. */
char *config_user_path(void);

/* Reads an INI file into cfg at the given source level. A missing file is an error except
 * when missing_ok. Returns 0, or -1 with err naming "file:line: [section] key: problem". */
int config_load_file(Config *cfg, const char *path, ConfigSource src, int missing_ok, char *err,
                     size_t errlen);
/* Applies FUTURESBOARD_* variables from envp (NULL-terminated, as environ). Returns 0 or -1. */
int config_load_env(Config *cfg, char *const *envp, char *err, size_t errlen);
/* Sets "section.key" to value as a command-line flag (origin names the flag for messages).
 * Returns 0 or -1. */
int config_set(Config *cfg, const char *dotted_key, const char *value, ConfigSource src,
               const char *origin, char *err, size_t errlen);

/* The whole stack: defaults, user file (if present), file (if not NULL), environment, then
 * the flags ("section.key=value" strings). Returns a new Config, or NULL with err. */
Config *config_build(const char *file, char *const *envp, char *const *flags, int nflags, char *err,
                     size_t errlen);

/* Accessors for keys declared in config.c; asking for an undeclared key is a program bug
 * (assert). Strings are borrowed for the Config's lifetime. */
const char *config_get_str(const Config *cfg, const char *section, const char *key);
int64_t config_get_int(const Config *cfg, const char *section, const char *key);
double config_get_double(const Config *cfg, const char *section, const char *key);
int config_get_bool(const Config *cfg, const char *section, const char *key);
/* feed.intervals as a list (validated when it was set); returns how many (<= max). */
#define CONFIG_INTERVAL_LEN 8
int config_get_intervals(const Config *cfg, char (*out)[CONFIG_INTERVAL_LEN], int max);
/* A list of symbols (feed.watchlist), each once, at most max. Returns how many. */
#define CONFIG_SYMBOL_LEN  32 /* as FB_SYMBOL_LEN */
#define CONFIG_MAX_SYMBOLS 64
int config_get_symbols(const Config *cfg, const char *section, const char *key,
                       char (*out)[CONFIG_SYMBOL_LEN], int max);
/* feed.shard: "K/N" with 1 <= K <= N <= 1024. Returns 0, or -1. */
int config_parse_shard(const char *s, int *k, int *n);
/* "yes", "true", "on", "1" and their opposites, any case. Returns 0, or -1 for anything else. */
int config_parse_bool(const char *s, int *out);
/* A path with "~/" expanded; caller frees. */
char *config_get_path(const Config *cfg, const char *section, const char *key);
ConfigSource config_get_source(const Config *cfg, const char *section, const char *key);

/* An [alert NAME] section. Sections come from the files (the user file and --config); a
 * section in --config replaces the user file's section of the same name. Values are NULL when
 * not set; config_alert_get() falls back to the defaults (cooldown 300 s, severity warn,
 * bell no; when, interval and command have none). */
#define CONFIG_ALERT_NKEYS 6 /* when interval cooldown severity command bell */
typedef struct {
	char *name;
	char *file, *where; /* where = "file:line" of the section header */
	int line;
	ConfigSource src;
	char *value[CONFIG_ALERT_NKEYS];
	int when_line, when_col; /* where the condition's text starts, for its errors */
} ConfigAlert;

int config_alert_count(const Config *cfg);
const ConfigAlert *config_alert(const Config *cfg, int i);
const char *config_alert_key(int k);
const char *config_alert_get(const ConfigAlert *a, const char *key);

/* Prints the effective configuration, each value with where it came from. */
void config_print(const Config *cfg, FILE *out);

/* Reload: copies from fresh every value of a key that may change live (and the alert
 * sections), and reports in
 * msg (one line per key) what changed and what needs a restart. Returns the number of
 * values changed live. */
int config_apply_live(Config *cfg, const Config *fresh, char *msg, size_t msglen);

/* Parses sizes like "10M", "512K", "1G", "4096" (binary units). Returns 0 or -1. */
int config_parse_size(const char *s, int64_t *out);

/* The columns of the dashboard's table, in screen order: ui.columns's default, and its
 * choices (the columns across exchanges are chosen in the dashboard or the config). */
#define CONFIG_UI_COLUMNS                                                                          \
	"price change change_24h volume oi oi_change funding ls ls_change imbalance cvd rsi z rv " \
	"mark basis next_funding liq spark"
#define CONFIG_UI_COLUMNS_ALL CONFIG_UI_COLUMNS " oi_all funding_spread"

/* Sets "key = value" in [section] of the file at path (created when missing), keeping every
 * other line. 0, or -1 with err. */
int config_save_key(const char *path, const char *section, const char *key, const char *value,
                    char *err, size_t errlen);

#endif
