/* Growable text buffer. */
#include "core/strbuf.h"

#include <stdarg.h>
#include <stdio.h>

#include "core/xmalloc.h"

void strbuf_printf(StrBuf *b, const char *fmt, ...)
{
	for (;;) {
		va_list ap;
		va_start(ap, fmt);
		int n = vsnprintf(b->p ? b->p + b->len : NULL, b->p ? b->cap - b->len : 0, fmt, ap);
		va_end(ap);
		if (n >= 0 && b->p && (size_t)n < b->cap - b->len) {
			b->len += (size_t)n;
			return;
		}
		b->cap = (b->cap ? b->cap * 2 : 4096) + (size_t)(n > 0 ? n : 0);
		b->p = xrealloc(b->p, b->cap);
	}
}

void strbuf_reset(StrBuf *b)
{
	b->len = 0;
	if (b->p)
		b->p[0] = '\0';
}

void fb_ascii_clean(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 32 || (unsigned char)*s > 126)
			*s = '?';
}
