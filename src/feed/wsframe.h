/* RFC 6455 for the feed's client, as plain functions over byte buffers: the opening
 * handshake (request, and the check of the server's answer) and frames (a header read in
 * place, masked frames built). No I/O and no allocation: ws.c owns the sockets (libwebsockets
 * raw connections, with or without TLS) and the buffers.
 *
 * Why not libwebsockets' own WebSocket client: its 4.1 client parser walks every payload
 * byte through a state machine, which was a third of the feed's CPU per message; here a
 * frame's payload is used where it lies in the read buffer. */
#ifndef FB_FEED_WSFRAME_H
#define FB_FEED_WSFRAME_H

#include <stddef.h>
#include <stdint.h>

enum {
	WSF_CONT = 0x0,
	WSF_TEXT = 0x1,
	WSF_BINARY = 0x2,
	WSF_CLOSE = 0x8,
	WSF_PING = 0x9,
	WSF_PONG = 0xA,
};

#define WSF_MAX_HEADER 14 /* 2 + 8 (length) + 4 (mask) */

typedef struct {
	int fin, opcode;
	size_t header;                /* bytes of the header */
	uint64_t len;                 /* payload bytes */
	const unsigned char *payload; /* in the buffer given (whole frames only) */
} WsFrame;

/* A frame at buf[0..n): 1 when all of it is there (f filled, its size is f->header +
 * f->len); 0 when more bytes are needed (f->header is non-zero once the header itself is
 * complete, so f->len is known); -1 for what a client must refuse (a masked frame, reserved
 * bits with no extension, an unknown opcode, a fragmented or long control frame), with err. */
int wsframe_parse(const unsigned char *buf, size_t n, WsFrame *f, char *err, size_t errlen);

/* A masked client frame with FIN set: header and payload XORed with mask, into out (room for
 * len + WSF_MAX_HEADER bytes). Returns its size. */
size_t wsframe_build(unsigned char *out, int opcode, const void *payload, size_t len,
                     uint32_t mask);

/* Sec-WebSocket-Key from 16 random bytes (24 characters and a NUL) and the
 * Sec-WebSocket-Accept a server must answer it with (28 and a NUL). */
void wsframe_key(const unsigned char nonce[16], char key[25]);
void wsframe_accept(const char *key, char accept[29]);

/* The upgrade request for path on host (port given in Host when not the scheme's default).
 * Returns its length, or -1 when it does not fit in cap. */
int wsframe_request(char *out, size_t cap, const char *host, int port, int ssl, const char *path,
                    const char *key);

/* The server's answer at buf[0..n): the length of its head (status line and headers, through
 * the blank line) when it is a valid 101 for key; 0 while the head is incomplete; -1 with err
 * when it is not an upgrade ("HTTP 404 Not Found", "bad Sec-WebSocket-Accept", a head over
 * 16 KB ...). Text from the server is cleaned of control characters before it reaches err. */
int wsframe_response(const char *buf, size_t n, const char *key, char *err, size_t errlen);

#endif
