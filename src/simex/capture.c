#define _GNU_SOURCE /* qsort_r */
/* Recorded traffic (see capture.h). */
#include "simex/capture.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "core/xmalloc.h"

/* The next line of gz (without its newline) in *buf; its length, or -1 at the end. */
static long next_line(gzFile gz, char **buf, size_t *cap)
{
	size_t len = 0;
	for (;;) {
		if (len + 2 >= *cap) {
			*cap = *cap ? *cap * 2 : 65536;
			*buf = xrealloc(*buf, *cap);
		}
		if (!gzgets(gz, *buf + len, (int)(*cap - len)))
			return len ? (long)len : -1;
		len += strlen(*buf + len);
		if (len && (*buf)[len - 1] == '\n') {
			(*buf)[--len] = '\0';
			if (len && (*buf)[len - 1] == '\r')
				(*buf)[--len] = '\0';
			return (long)len;
		}
	}
}

static int add_name(SimCapture *c, const char *name, size_t n)
{
	for (int i = 0; i < c->nnames; i++)
		if (strlen(c->names[i]) == n && memcmp(c->names[i], name, n) == 0)
			return i;
	if (c->nnames == CAPTURE_MAX_STREAMS || n >= sizeof c->names[0])
		return -1;
	memcpy(c->names[c->nnames], name, n);
	c->names[c->nnames][n] = '\0';
	return c->nnames++;
}

/* frame: {"stream":"NAME","data":{...}} (as Binance sends it); stream name and data span. */
static int split_frame(const char *f, size_t len, const char **name, size_t *nlen, size_t *data,
                       size_t *dlen)
{
	static const char key[] = "{\"stream\":\"";
	if (len < sizeof key || memcmp(f, key, sizeof key - 1) != 0)
		return -1;
	*name = f + sizeof key - 1;
	const char *q = memchr(*name, '"', len - (sizeof key - 1));
	if (!q)
		return -1;
	*nlen = (size_t)(q - *name);
	static const char dk[] = ",\"data\":";
	if ((size_t)(f + len - q) < sizeof dk + 1 || memcmp(q + 1, dk, sizeof dk - 1) != 0 ||
	    f[len - 1] != '}')
		return -1;
	*data = (size_t)(q + 1 + sizeof dk - 1 - f);
	*dlen = len - 1 - *data;
	return 0;
}

int sim_capture_load(const char *path, SimCapture *c, char *err, size_t errlen)
{
	size_t before = c->n;
	gzFile gz = gzopen(path, "rb");
	if (!gz) {
		snprintf(err, errlen, "%s: cannot open", path);
		return -1;
	}
	char *buf = NULL;
	size_t bcap = 0, cap = c->n;
	long len;
	while ((len = next_line(gz, &buf, &bcap)) >= 0) {
		char *frame = NULL;
		size_t flen = 0;
		int64_t t_ns = 0;
		if (len && buf[0] >= '0' && buf[0] <= '9') { /* <ns> <json> */
			char *sp = strchr(buf, ' ');
			if (sp) {
				t_ns = strtoll(buf, NULL, 10);
				flen = (size_t)(buf + len - (sp + 1));
				frame = xmalloc(flen + 1);
				memcpy(frame, sp + 1, flen + 1);
			}
		} else if (len && buf[0] == '{') { /* {"recv_ts": s, "msg": {...}} */
			json_error_t je;
			json_t *o = json_loadb(buf, (size_t)len, 0, &je);
			json_t *m = json_object_get(o, "msg");
			if (json_is_object(m)) {
				t_ns = (int64_t)(json_number_value(json_object_get(o, "recv_ts")) *
				                 1e9);
				frame = json_dumps(m, JSON_COMPACT | JSON_PRESERVE_ORDER);
				flen = frame ? strlen(frame) : 0;
			}
			json_decref(o);
		}
		const char *name;
		size_t nlen, data, dlen;
		int id;
		if (!frame || split_frame(frame, flen, &name, &nlen, &data, &dlen) ||
		    (id = add_name(c, name, nlen)) < 0) {
			if (frame && c->nnames == CAPTURE_MAX_STREAMS) {
				snprintf(err, errlen, "%s: more than %d streams", path,
				         CAPTURE_MAX_STREAMS);
				free(frame);
				free(buf);
				gzclose(gz);
				sim_capture_free(c);
				return -1;
			}
			free(frame);
			c->skipped++;
			continue;
		}
		if (c->n == cap) {
			cap = cap ? cap * 2 : 4096;
			c->t_ns = xrealloc(c->t_ns, cap * sizeof *c->t_ns);
			c->stream = xrealloc(c->stream, cap * sizeof *c->stream);
			c->frame = xrealloc(c->frame, cap * sizeof *c->frame);
			c->data = xrealloc(c->data, cap * sizeof *c->data);
			c->datlen = xrealloc(c->datlen, cap * sizeof *c->datlen);
		}
		c->t_ns[c->n] = t_ns;
		c->stream[c->n] = id;
		c->frame[c->n] = frame;
		c->data[c->n] = data;
		c->datlen[c->n] = dlen;
		c->n++;
	}
	free(buf);
	gzclose(gz);
	if (c->n == before) {
		snprintf(err, errlen, "%s: no stream frames in it", path);
		return -1;
	}
	return 0;
}

static int by_time(const void *a, const void *b, void *arg)
{
	const SimCapture *c = arg;
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	int64_t x = c->t_ns[i], y = c->t_ns[j];
	return x < y ? -1 : x > y ? 1 : i < j ? -1 : i > j;
}

void sim_capture_sort(SimCapture *c)
{
	size_t *order = xmalloc((c->n ? c->n : 1) * sizeof *order);
	for (size_t i = 0; i < c->n; i++)
		order[i] = i;
	qsort_r(order, c->n, sizeof *order, by_time, c);
	int64_t *t = xmalloc((c->n ? c->n : 1) * sizeof *t);
	int *st = xmalloc((c->n ? c->n : 1) * sizeof *st);
	char **fr = xmalloc((c->n ? c->n : 1) * sizeof *fr);
	size_t *da = xmalloc((c->n ? c->n : 1) * sizeof *da),
	       *dl = xmalloc((c->n ? c->n : 1) * sizeof *dl);
	for (size_t i = 0; i < c->n; i++) {
		size_t k = order[i];
		t[i] = c->t_ns[k], st[i] = c->stream[k], fr[i] = c->frame[k];
		da[i] = c->data[k], dl[i] = c->datlen[k];
	}
	free(c->t_ns), free(c->stream), free(c->frame), free(c->data), free(c->datlen);
	c->t_ns = t, c->stream = st, c->frame = fr, c->data = da, c->datlen = dl;
	free(order);
}

void sim_capture_free(SimCapture *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->frame[i]);
	free(c->t_ns);
	free(c->stream);
	free(c->frame);
	free(c->data);
	free(c->datlen);
	memset(c, 0, sizeof *c);
}

int sim_capture_find(const SimCapture *c, const char *name)
{
	for (int i = 0; i < c->nnames; i++)
		if (strcmp(c->names[i], name) == 0)
			return i;
	return -1;
}
