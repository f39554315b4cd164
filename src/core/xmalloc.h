/* Allocation that never returns NULL: on exhaustion the terminal is restored, one line is
 * printed and the process aborts. Any thread. */
#ifndef FB_CORE_XMALLOC_H
#define FB_CORE_XMALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Formats into a new string; caller frees. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Called (once) before aborting on out-of-memory, e.g. to end curses mode. Main thread sets it
 * before starting other threads. */
void xmalloc_set_fatal_hook(void (*hook)(void));

#endif
