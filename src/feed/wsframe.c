/* RFC 6455 client framing and handshake (see wsframe.h). */
#include "feed/wsframe.h"

#include <libwebsockets.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/strbuf.h"

#define WSF_MAX_HEAD 16384

static int fail(char *err, size_t errlen, const char *why)
{
	if (err && errlen)
		snprintf(err, errlen, "%s", why);
	return -1;
}

int wsframe_parse(const unsigned char *buf, size_t n, WsFrame *f, char *err, size_t errlen)
{
	memset(f, 0, sizeof *f);
	if (n < 2)
		return 0;
	unsigned b0 = buf[0], b1 = buf[1];
	f->fin = (b0 & 0x80) != 0;
	f->opcode = (int)(b0 & 0x0f);
	if (b0 & 0x70)
		return fail(err, errlen, "frame with reserved bits set (no extension was agreed)");
	if (b1 & 0x80)
		return fail(err, errlen, "masked frame from the server");
	switch (f->opcode) {
	case WSF_CONT:
	case WSF_TEXT:
	case WSF_BINARY: break;
	case WSF_CLOSE:
	case WSF_PING:
	case WSF_PONG:
		if (!f->fin || (b1 & 0x7f) > 125)
			return fail(err, errlen, "fragmented or long control frame");
		break;
	default: return fail(err, errlen, "unknown frame opcode");
	}
	uint64_t len = b1 & 0x7f;
	size_t h = 2;
	if (len == 126) {
		if (n < 4)
			return 0;
		len = (uint64_t)buf[2] << 8 | buf[3];
		h = 4;
	} else if (len == 127) {
		if (n < 10)
			return 0;
		len = 0;
		for (int i = 0; i < 8; i++)
			len = len << 8 | buf[2 + i];
		if (len >> 63)
			return fail(err, errlen, "frame length with the top bit set");
		h = 10;
	}
	f->header = h;
	f->len = len;
	if ((uint64_t)(n - h) < len)
		return 0;
	f->payload = buf + h;
	return 1;
}

size_t wsframe_build(unsigned char *out, int opcode, const void *payload, size_t len, uint32_t mask)
{
	size_t h = 0;
	out[h++] = (unsigned char)(0x80 | (opcode & 0x0f));
	if (len < 126)
		out[h++] = (unsigned char)(0x80 | len);
	else if (len <= 0xffff) {
		out[h++] = 0x80 | 126;
		out[h++] = (unsigned char)(len >> 8);
		out[h++] = (unsigned char)len;
	} else {
		out[h++] = 0x80 | 127;
		for (int i = 7; i >= 0; i--)
			out[h++] = (unsigned char)((uint64_t)len >> (8 * i));
	}
	unsigned char m[4] = {(unsigned char)(mask >> 24), (unsigned char)(mask >> 16),
	                      (unsigned char)(mask >> 8), (unsigned char)mask};
	memcpy(out + h, m, 4);
	h += 4;
	const unsigned char *p = payload;
	for (size_t i = 0; i < len; i++)
		out[h + i] = p[i] ^ m[i & 3];
	return h + len;
}

void wsframe_key(const unsigned char nonce[16], char key[25])
{
	char out[64];
	int n = lws_b64_encode_string((const char *)nonce, 16, out, sizeof out);
	snprintf(key, 25, "%.*s", n > 0 ? n : 0, out); /* its output is not always terminated */
}

void wsframe_accept(const char *key, char accept[29])
{
	char buf[128];
	int n = snprintf(buf, sizeof buf, "%s258EAFA5-E914-47DA-95CA-C5AB0DC85B11", key);
	unsigned char md[20];
	lws_SHA1((const unsigned char *)buf, (size_t)n, md);
	char out[64];
	n = lws_b64_encode_string((const char *)md, 20, out, sizeof out);
	snprintf(accept, 29, "%.*s", n > 0 ? n : 0, out);
}

int wsframe_request(char *out, size_t cap, const char *host, int port, int ssl, const char *path,
                    const char *key)
{
	char hostport[300];
	if (port == (ssl ? 443 : 80))
		snprintf(hostport, sizeof hostport, "%s", host);
	else
		snprintf(hostport, sizeof hostport, "%s:%d", host, port);
	int n = snprintf(out, cap,
	                 "GET %s HTTP/1.1\r\n"
	                 "Host: %s\r\n"
	                 "Upgrade: websocket\r\n"
	                 "Connection: Upgrade\r\n"
	                 "Sec-WebSocket-Key: %s\r\n"
	                 "Sec-WebSocket-Version: 13\r\n"
	                 "User-Agent: futuresboard\r\n"
	                 "\r\n",
	                 path && *path ? path : "/", hostport, key);
	return n < 0 || (size_t)n >= cap ? -1 : n;
}

/* the value of header name in the head (lines after the status line), trimmed; 0 if absent */
static int header(const char *head, size_t n, const char *name, char *val, size_t vallen)
{
	size_t nl = strlen(name);
	const char *p = memchr(head, '\n', n), *end = head + n;
	while (p && p + 1 < end) {
		const char *line = p + 1, *eol = memchr(line, '\n', (size_t)(end - line));
		if (!eol)
			break;
		if ((size_t)(eol - line) > nl && strncasecmp(line, name, nl) == 0 &&
		    line[nl] == ':') {
			const char *v = line + nl + 1, *e = eol;
			while (v < e && (*v == ' ' || *v == '\t'))
				v++;
			while (e > v && (e[-1] == '\r' || e[-1] == ' ' || e[-1] == '\t'))
				e--;
			size_t k = (size_t)(e - v) < vallen - 1 ? (size_t)(e - v) : vallen - 1;
			memcpy(val, v, k);
			val[k] = '\0';
			return 1;
		}
		p = eol;
	}
	return 0;
}

int wsframe_response(const char *buf, size_t n, const char *key, char *err, size_t errlen)
{
	const char *end = NULL;
	for (size_t i = 3; i < n; i++)
		if (buf[i] == '\n' && buf[i - 1] == '\r' && buf[i - 2] == '\n' &&
		    buf[i - 3] == '\r') {
			end = buf + i + 1;
			break;
		}
	if (!end)
		return n > WSF_MAX_HEAD ? fail(err, errlen, "upgrade answer over 16 KB") : 0;
	size_t hn = (size_t)(end - buf);
	/* the status line, cleaned, for the error */
	char status[96];
	const char *eol = memchr(buf, '\r', hn);
	size_t sl =
	        (size_t)(eol - buf) < sizeof status - 1 ? (size_t)(eol - buf) : sizeof status - 1;
	memcpy(status, buf, sl);
	status[sl] = '\0';
	fb_ascii_clean(status);
	if (strncmp(status, "HTTP/1.1 ", 9) != 0 && strncmp(status, "HTTP/1.0 ", 9) != 0) {
		if (err && errlen)
			snprintf(err, errlen, "not an HTTP answer: %.60s", status);
		return -1;
	}
	if (strncmp(status + 9, "101", 3) != 0 || (status[12] && status[12] != ' ')) {
		if (err && errlen)
			snprintf(err, errlen, "HTTP %s (not a WebSocket upgrade)", status + 9);
		return -1;
	}
	char v[128];
	if (!header(buf, hn, "Upgrade", v, sizeof v) || strcasecmp(v, "websocket") != 0)
		return fail(err, errlen, "101 without Upgrade: websocket");
	if (!header(buf, hn, "Connection", v, sizeof v))
		return fail(err, errlen, "101 without Connection: Upgrade");
	for (char *q = v; *q; q++)
		*q = (char)(*q >= 'A' && *q <= 'Z' ? *q + 32 : *q);
	if (!strstr(v, "upgrade"))
		return fail(err, errlen, "101 without Connection: Upgrade");
	char want[29];
	wsframe_accept(key, want);
	if (!header(buf, hn, "Sec-WebSocket-Accept", v, sizeof v) || strcmp(v, want) != 0)
		return fail(err, errlen, "bad Sec-WebSocket-Accept");
	if (header(buf, hn, "Sec-WebSocket-Extensions", v, sizeof v) && v[0])
		return fail(err, errlen, "server chose an extension that was not asked for");
	return (int)hn;
}
