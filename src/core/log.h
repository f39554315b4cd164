/* Levelled logging to a size-rotated file and, unless a full-screen UI is up, to stderr.
 * Any thread: one mutex serialises writes. */
#ifndef FB_CORE_LOG_H
#define FB_CORE_LOG_H

#include <stddef.h>
#include <stdint.h>

typedef enum { LOG_ERROR = 0, LOG_WARN, LOG_INFO, LOG_DEBUG } LogLevel;

/* Opens (appending) the log file; path NULL or "" logs to no file. max_bytes 0 disables
 * rotation. Returns 0, or -1 with err filled when the file cannot be opened. */
int log_open(const char *path, int64_t max_bytes, int max_files, char *err, size_t errlen);
void log_close(void);
void log_set_level(LogLevel level);
LogLevel log_get_level(void);
/* The most verbose level also written to stderr (default LOG_WARN); -1 writes nothing there.
 * The UI sets -1 while curses owns the terminal. */
void log_set_stderr(int level);
/* "error", "warn", "info", "debug"; returns -1 for anything else. */
int log_level_parse(const char *s);
const char *log_level_name(LogLevel level);

void log_msg(LogLevel level, const char *module, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

#define log_error(mod, ...) log_msg(LOG_ERROR, mod, __VA_ARGS__)
#define log_warn(mod, ...)  log_msg(LOG_WARN, mod, __VA_ARGS__)
#define log_info(mod, ...)  log_msg(LOG_INFO, mod, __VA_ARGS__)
#define log_debug(mod, ...) log_msg(LOG_DEBUG, mod, __VA_ARGS__)

#endif
