/* Growable text buffer. */
#include "core/strbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

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

void strbuf_append(StrBuf *b, const void *data, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->cap ? b->cap * 2 : 4096) + n;
		b->p = xrealloc(b->p, b->cap);
	}
	memcpy(b->p + b->len, data, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void strbuf_reset(StrBuf *b)
{
	b->len = 0;
	if (b->p)
		b->p[0] = '\0';
}

/* bytes of the valid UTF-8 character at s (1-4), 0 when it is not one; *cp its code point */
static int utf8_char(const unsigned char *s, unsigned *cp)
{
	unsigned c = s[0];
	int n = c < 0x80             ? 1
	        : (c & 0xe0) == 0xc0 ? 2
	        : (c & 0xf0) == 0xe0 ? 3
	        : (c & 0xf8) == 0xf0 ? 4
	                             : 0;
	if (!n)
		return 0;
	unsigned v = n == 1 ? c : c & (0x7f >> n);
	for (int i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		v = v << 6 | (s[i] & 0x3f);
	}
	static const unsigned min[] = {0, 0, 0x80, 0x800, 0x10000};
	if (v < min[n] || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 0; /* overlong, out of range, or a surrogate */
	*cp = v;
	return n;
}

char *fb_escape_text(const char *in, char *out, size_t outlen)
{
	size_t o = 0;
	if (!outlen)
		return out;
	const unsigned char *s = (const unsigned char *)in;
	while (*s) {
		unsigned cp = 0;
		int n = utf8_char(s, &cp);
		int safe = n > 0 && cp >= 0x20 && cp != 0x7f && !(cp >= 0x80 && cp <= 0x9f);
		if (safe) {
			if (o + (size_t)n >= outlen)
				break;
			memcpy(out + o, s, (size_t)n);
			o += (size_t)n;
			s += n;
			continue;
		}
		/* an escape for each byte of it (C1's two bytes, or the one bad byte) */
		int k = n > 0 ? n : 1;
		if (o + 4 * (size_t)k >= outlen)
			break;
		for (int i = 0; i < k; i++)
			o += (size_t)snprintf(out + o, outlen - o, "\\x%02X", s[i]);
		s += k;
	}
	out[o] = '\0';
	return out;
}

void fb_ascii_clean(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 32 || (unsigned char)*s > 126)
			*s = '?';
}
