/* RFC 6455 client framing: the RFC's own handshake example, the upgrade answers a client must
 * refuse, frame headers of every length form, frames cut at every byte, the frames a client
 * must refuse, and masked frames read back. */
#include "testutil.h"

#include <stdio.h>
#include <string.h>

#include "feed/wsframe.h"

static void test_handshake(void **state)
{
	(void)state;
	char acc[29], key[25], err[160];
	/* RFC 6455 section 1.3 */
	wsframe_accept("dGhlIHNhbXBsZSBub25jZQ==", acc);
	assert_string_equal(acc, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
	const unsigned char nonce[16] = "the sample nonce";
	wsframe_key(nonce, key);
	assert_string_equal(key, "dGhlIHNhbXBsZSBub25jZQ==");

	char req[512];
	assert_true(wsframe_request(req, sizeof req, "fstream.binance.com", 443, 1,
	                            "/market/stream?streams=btcusdt@kline_1m", key) > 0);
	assert_non_null(strstr(req, "GET /market/stream?streams=btcusdt@kline_1m HTTP/1.1\r\n"));
	assert_non_null(strstr(req, "Host: fstream.binance.com\r\n"));
	assert_non_null(strstr(req, "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"));
	assert_true(wsframe_request(req, sizeof req, "127.0.0.1", 8787, 0, "/x", key) > 0);
	assert_non_null(strstr(req, "Host: 127.0.0.1:8787\r\n"));
	assert_int_equal(wsframe_request(req, 40, "127.0.0.1", 8787, 0, "/x", key), -1);

	const char *ok = "HTTP/1.1 101 Switching Protocols\r\n"
	                 "upgrade: WebSocket\r\n"
	                 "Connection: keep-alive, Upgrade\r\n"
	                 "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
	                 "\r\n"
	                 "\x81\x02hi";
	size_t head = strlen(ok) - 4;
	assert_int_equal(wsframe_response(ok, strlen(ok), key, err, sizeof err), (int)head);
	/* incomplete at every cut before the blank line */
	for (size_t k = 0; k < head; k++)
		assert_int_equal(wsframe_response(ok, k, key, err, sizeof err), 0);

	struct {
		const char *answer, *why;
	} bad[] = {
	        {"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n", "HTTP 404 Not Found"},
	        {"HTTP/1.1 451 \x1b[2JUnavailable\r\n\r\n", "HTTP 451 ?[2JUnavailable"},
	        {"SSH-2.0-OpenSSH\r\n\r\n", "not an HTTP answer"},
	        {"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: "
	         "Upgrade\r\nSec-WebSocket-Accept: AAAAAAAAAAAAAAAAAAAAAAAAAAA=\r\n\r\n",
	         "bad Sec-WebSocket-Accept"},
	        {"HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\n"
	         "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n",
	         "without Upgrade"},
	        {"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: "
	         "Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
	         "Sec-WebSocket-Extensions: permessage-deflate\r\n\r\n",
	         "extension"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		err[0] = '\0';
		assert_int_equal(wsframe_response(bad[i].answer, strlen(bad[i].answer), key, err,
		                                  sizeof err),
		                 -1);
		if (!strstr(err, bad[i].why))
			fail_msg("answer %zu: \"%s\" does not say \"%s\"", i, err, bad[i].why);
		for (const char *p = err; *p; p++)
			assert_true(*p >= 0x20 &&
			            *p < 0x7f); /* nothing from the server drawn raw */
	}
	/* a head that never ends is refused, not buffered for ever */
	static char big[17000];
	memset(big, 'x', sizeof big);
	memcpy(big, "HTTP/1.1 101 OK\r\n", 17);
	assert_int_equal(wsframe_response(big, sizeof big, key, err, sizeof err), -1);
}

/* an unmasked (server) frame */
static size_t server_frame(unsigned char *out, int b0, const unsigned char *p, size_t n)
{
	size_t h = 0;
	out[h++] = (unsigned char)b0;
	if (n < 126)
		out[h++] = (unsigned char)n;
	else if (n <= 0xffff) {
		out[h++] = 126;
		out[h++] = (unsigned char)(n >> 8);
		out[h++] = (unsigned char)n;
	} else {
		out[h++] = 127;
		for (int i = 7; i >= 0; i--)
			out[h++] = (unsigned char)((unsigned long long)n >> (8 * i));
	}
	memcpy(out + h, p, n);
	return h + n;
}

static void test_frames(void **state)
{
	(void)state;
	static unsigned char payload[70000], buf[70100];
	for (size_t i = 0; i < sizeof payload; i++)
		payload[i] = (unsigned char)(i * 7 + 3);
	size_t sizes[] = {0, 1, 125, 126, 127, 65535, 65536, 70000};
	char err[96];
	for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
		size_t n = sizes[s];
		size_t total = server_frame(buf, 0x81, payload, n);
		WsFrame f;
		assert_int_equal(wsframe_parse(buf, total, &f, err, sizeof err), 1);
		assert_int_equal(f.fin, 1);
		assert_int_equal(f.opcode, WSF_TEXT);
		assert_int_equal(f.len, n);
		assert_int_equal(f.header + f.len, total);
		if (n)
			assert_memory_equal(f.payload, payload, n);
		/* cut anywhere: more needed; once the header is there its length is known */
		for (size_t k = 0; k < total; k += (total > 300 ? 997 : 1)) {
			assert_int_equal(wsframe_parse(buf, k, &f, err, sizeof err), 0);
			if (f.header) {
				assert_true(k >= f.header);
				assert_int_equal(f.len, n);
			}
		}
	}
	/* a fragment, then a continuation */
	size_t a = server_frame(buf, 0x01, payload, 10);
	WsFrame f;
	assert_int_equal(wsframe_parse(buf, a, &f, err, sizeof err), 1);
	assert_int_equal(f.fin, 0);
	assert_int_equal(f.opcode, WSF_TEXT);
	a = server_frame(buf, 0x80, payload, 3);
	assert_int_equal(wsframe_parse(buf, a, &f, err, sizeof err), 1);
	assert_int_equal(f.opcode, WSF_CONT);
	/* control frames */
	a = server_frame(buf, 0x89, (const unsigned char *)"abc", 3);
	assert_int_equal(wsframe_parse(buf, a, &f, err, sizeof err), 1);
	assert_int_equal(f.opcode, WSF_PING);

	/* what a client refuses */
	struct {
		unsigned char b[12];
		size_t n;
		const char *why;
	} bad[] = {
	        {{0x81, 0x81, 1, 2, 3, 4, 'x'}, 7, "masked"},
	        {{0xC1, 0x01, 'x'}, 3, "reserved"},
	        {{0x83, 0x01, 'x'}, 3, "opcode"},
	        {{0x09, 0x00}, 2, "control"},        /* a ping without FIN */
	        {{0x89, 126, 0, 200}, 4, "control"}, /* a 200-byte ping */
	        {{0x82, 127, 0x80, 0, 0, 0, 0, 0, 0, 1}, 10, "top bit"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		err[0] = '\0';
		assert_int_equal(wsframe_parse(bad[i].b, bad[i].n, &f, err, sizeof err), -1);
		if (!strstr(err, bad[i].why))
			fail_msg("frame %zu: \"%s\" does not say \"%s\"", i, err, bad[i].why);
	}
}

static void test_build(void **state)
{
	(void)state;
	static unsigned char out[70100], back[70000];
	const char *sub = "{\"method\":\"SUBSCRIBE\",\"params\":[\"btcusdt@kline_1m\"],\"id\":1}";
	size_t sizes[] = {0, strlen(sub), 126, 65536};
	for (size_t s = 0; s < 4; s++) {
		size_t n = sizes[s];
		static unsigned char in[70000];
		for (size_t i = 0; i < n; i++)
			in[i] = s == 1 ? (unsigned char)sub[i] : (unsigned char)(i * 13);
		uint32_t mask = 0xA1B2C3D4u;
		size_t k = wsframe_build(out, WSF_TEXT, in, n, mask);
		assert_int_equal(out[0], 0x81);
		assert_true(out[1] & 0x80); /* masked */
		/* the parser refuses a masked frame (a client never receives one); read it by hand */
		size_t h = n < 126 ? 2 : n <= 0xffff ? 4 : 10;
		assert_int_equal(k, h + 4 + n);
		const unsigned char *m = out + h;
		assert_memory_equal(m, "\xA1\xB2\xC3\xD4", 4);
		for (size_t i = 0; i < n; i++)
			back[i] = out[h + 4 + i] ^ m[i & 3];
		if (n)
			assert_memory_equal(back, in, n);
		if (n >= 126 && n <= 0xffff)
			assert_int_equal(out[2] << 8 | out[3], n);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_handshake),
	        cmocka_unit_test(test_frames),
	        cmocka_unit_test(test_build),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
