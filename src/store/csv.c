/* CSV input. The reader pulls 256 KiB at a time through gzread (transparent for files that are
 * not compressed) and hands out lines in place, so a million-line file costs a few thousand
 * read calls and no per-line allocation. */
#include "store/csv.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "core/xmalloc.h"

#define CSV_BUF (256 * 1024)

struct CsvReader {
	gzFile gz;
	char *buf;
	size_t start, end; /* unread bytes are buf[start, end) */
	long lineno;
	int eof;
	char *path;
};

static int fill(CsvReader *r, char *err, size_t errlen);

/* The file (or "-": standard input) is opened once and read as a stream from its first byte,
 * so pipes and FIFOs work as files do: sniffing it first and opening it again lost the
 * sniffed bytes of a pipe, and hung on a FIFO. */
CsvReader *csv_open(const char *path, char *err, size_t errlen)
{
	int fd = strcmp(path, "-") == 0 ? dup(STDIN_FILENO) : open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	struct stat sb;
	if (fstat(fd, &sb) == 0 && S_ISDIR(sb.st_mode)) {
		snprintf(err, errlen, "%s: is a directory", path);
		close(fd);
		return NULL;
	}
	gzFile gz = gzdopen(fd, "rb");
	if (!gz) {
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		close(fd);
		return NULL;
	}
	gzbuffer(gz, 128 * 1024);
	CsvReader *r = xcalloc(1, sizeof *r);
	r->gz = gz;
	r->buf = xmalloc(CSV_BUF + 1);
	r->path = xstrdup(path);
	/* the first bytes, kept for the lines: a zip archive is named, not read as text */
	if (fill(r, err, errlen) < 0) {
		csv_close(r);
		return NULL;
	}
	if (r->end >= 4 && memcmp(r->buf, "PK\x03\x04", 4) == 0) {
		snprintf(err, errlen,
		         "%s: is a zip archive; unzip it first (import reads CSV, plain or gzip)",
		         path);
		csv_close(r);
		return NULL;
	}
	return r;
}

void csv_close(CsvReader *r)
{
	if (!r)
		return;
	gzclose(r->gz);
	free(r->buf);
	free(r->path);
	free(r);
}

/* Moves unread bytes to the front and reads more. Returns bytes read, 0 at EOF, -1 on error. */
static int fill(CsvReader *r, char *err, size_t errlen)
{
	if (r->eof)
		return 0;
	memmove(r->buf, r->buf + r->start, r->end - r->start);
	r->end -= r->start;
	r->start = 0;
	int n = gzread(r->gz, r->buf + r->end, (unsigned)(CSV_BUF - r->end));
	if (n < 0) {
		int zerr;
		const char *msg = gzerror(r->gz, &zerr);
		snprintf(err, errlen, "%s: read error: %s", r->path,
		         zerr == Z_ERRNO ? strerror(errno) : msg);
		return -1;
	}
	if (n == 0) {
		r->eof = 1;
		/* gzip data cut short reads as EOF; gzerror tells. */
		int zerr;
		const char *msg = gzerror(r->gz, &zerr);
		if (zerr != Z_OK && zerr != Z_STREAM_END) {
			snprintf(err, errlen, "%s: %s", r->path, msg);
			return -1;
		}
	}
	r->end += (size_t)n;
	return n;
}

long csv_next_line(CsvReader *r, const char **line, long *lineno, char *err, size_t errlen)
{
	int too_long = 0;
	for (;;) {
		char *nl = memchr(r->buf + r->start, '\n', r->end - r->start);
		if (!nl && r->end - r->start >= CSV_MAX_LINE) {
			/* Discard the long line's bytes seen so far and keep looking for its end. */
			too_long = 1;
			r->start = r->end;
			continue;
		}
		if (!nl) {
			int n = fill(r, err, errlen);
			if (n < 0)
				return -2;
			if (n > 0)
				continue;
			if (r->start == r->end)
				return too_long ? (*lineno = ++r->lineno, -3) : -1;
			nl = r->buf + r->end; /* last line without a newline */
			r->end++;             /* the buffer has one spare byte */
		}
		char *s = r->buf + r->start;
		size_t len = (size_t)(nl - s);
		r->start = (size_t)(nl - r->buf) + 1;
		*lineno = ++r->lineno;
		if (too_long || len >= CSV_MAX_LINE)
			return -3;
		if (len && s[len - 1] == '\r')
			len--;
		s[len] = '\0';
		*line = s;
		return (long)len;
	}
}

int csv_split(char *line, char **fields, int max)
{
	int n = 0;
	char *p = line;
	for (;;) {
		if (n == max)
			return -1;
		if (*p == '"') {
			char *out = ++p;
			fields[n++] = out;
			for (;;) {
				if (*p == '\0')
					return -1; /* unterminated quote */
				if (*p == '"') {
					if (p[1] == '"') {
						*out++ = '"';
						p += 2;
						continue;
					}
					p++;
					break;
				}
				*out++ = *p++;
			}
			*out = '\0';
			if (*p == ',') {
				p++;
				continue;
			}
			if (*p == '\0')
				return n;
			return -1; /* text after a closing quote */
		}
		fields[n++] = p;
		char *c = strchr(p, ',');
		if (!c)
			return n;
		*c = '\0';
		p = c + 1;
	}
}
