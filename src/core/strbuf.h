/* A growable text buffer for building answers (JSON, CSV, Prometheus text). Owner: the
 * thread that builds it. */
#ifndef FB_CORE_STRBUF_H
#define FB_CORE_STRBUF_H

#include <stddef.h>

typedef struct {
	char *p; /* NUL-terminated once anything was written; caller frees */
	size_t len, cap;
} StrBuf;

/* Replaces every byte that is not printable ASCII (control bytes, C1, UTF-8) with '?', in
 * place: text from outside made safe for a terminal or a log line. */
void fb_ascii_clean(char *s);
/* Text from outside (the network, a database, a file) made safe for a terminal or a log,
 * keeping what it says: valid UTF-8 passes, except C1 controls (U+0080-U+009F); control
 * bytes, DEL, C1 and bytes that are not valid UTF-8 become \xNN. out always ends in a NUL
 * (cut at a whole character or escape). Returns out. */
char *fb_escape_text(const char *in, char *out, size_t outlen);
void strbuf_printf(StrBuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Empties the buffer, keeping its memory. */
/* Appends n bytes (binary is fine; a NUL is kept after them). */
void strbuf_append(StrBuf *b, const void *data, size_t n);
void strbuf_reset(StrBuf *b);

#endif
