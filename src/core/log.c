/* Logging. Rotation follows logrotate's numbering: file → file.1 → … → file.N (oldest
 * dropped), done under the lock when a write would pass max_bytes. Any thread. */
#include "core/log.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/strbuf.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static FILE *log_file;        /* log_lock */
static char *log_path;        /* log_lock */
static int64_t log_size;      /* log_lock */
static int64_t log_max_bytes; /* log_lock */
static int log_max_files = 5; /* log_lock */
static atomic_int log_level = LOG_INFO;
static atomic_int log_stderr_level = LOG_WARN;

static const char *const level_names[] = {"error", "warn", "info", "debug"};

int log_level_parse(const char *s)
{
	for (int i = 0; i < 4; i++)
		if (strcmp(s, level_names[i]) == 0)
			return i;
	return -1;
}

const char *log_level_name(LogLevel level)
{
	return level >= LOG_ERROR && level <= LOG_DEBUG ? level_names[level] : "?";
}

void log_set_level(LogLevel level)
{
	atomic_store(&log_level, (int)level);
}
LogLevel log_get_level(void)
{
	return (LogLevel)atomic_load(&log_level);
}
void log_set_stderr(int level)
{
	atomic_store(&log_stderr_level, level);
}

int log_open(const char *path, int64_t max_bytes, int max_files, char *err, size_t errlen)
{
	FILE *f = NULL;
	struct stat st;
	if (path && *path) {
		f = fopen(path, "a");
		if (!f) {
			snprintf(err, errlen, "cannot open log file %s: %s", path, strerror(errno));
			return -1;
		}
	}
	pthread_mutex_lock(&log_lock);
	if (log_file)
		fclose(log_file);
	free(log_path);
	log_file = f;
	log_path = f ? xstrdup(path) : NULL;
	log_size = f && fstat(fileno(f), &st) == 0 ? (int64_t)st.st_size : 0;
	log_max_bytes = max_bytes;
	log_max_files = max_files < 1 ? 1 : max_files;
	pthread_mutex_unlock(&log_lock);
	return 0;
}

void log_close(void)
{
	pthread_mutex_lock(&log_lock);
	if (log_file)
		fclose(log_file);
	log_file = NULL;
	free(log_path);
	log_path = NULL;
	pthread_mutex_unlock(&log_lock);
}

/* log_lock held. */
static void rotate(void)
{
	char from[4096], to[4096];
	fclose(log_file);
	log_file = NULL;
	for (int i = log_max_files - 1; i >= 1; i--) {
		snprintf(from, sizeof from, "%s.%d", log_path, i);
		snprintf(to, sizeof to, "%s.%d", log_path, i + 1);
		rename(from, to);
	}
	snprintf(to, sizeof to, "%s.1", log_path);
	rename(log_path, to);
	log_file = fopen(log_path, "a");
	log_size = 0;
}

void log_msg(LogLevel level, const char *module, const char *fmt, ...)
{
	int stderr_level = atomic_load(&log_stderr_level);
	if ((int)level > atomic_load(&log_level) && (int)level > stderr_level)
		return;
	char msg[2048], ts[32];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	/* Messages may quote network, database or file text: control bytes, C1 controls and
	 * invalid UTF-8 are written as \xNN escapes, never passed on. */
	char raw[2048];
	memcpy(raw, msg, sizeof raw);
	fb_escape_text(raw, msg, sizeof msg);
	fb_time_format(fb_now_ms(), ts, sizeof ts);

	pthread_mutex_lock(&log_lock);
	if (log_file && (int)level <= atomic_load(&log_level)) {
		int n = fprintf(log_file, "%s %-5s %s: %s\n", ts, level_names[level], module, msg);
		fflush(log_file);
		if (n > 0)
			log_size += n;
		if (log_max_bytes > 0 && log_size >= log_max_bytes)
			rotate();
	}
	if ((int)level <= stderr_level)
		fprintf(stderr, "futuresboard: %s: %s%s%s\n", module,
		        level <= LOG_WARN ? level_names[level] : "", level <= LOG_WARN ? ": " : "",
		        msg);
	pthread_mutex_unlock(&log_lock);
}
