/* TLS for the feed's raw connections, with OpenSSL memory BIOs: ciphertext goes in and out
 * as bytes (libwebsockets carries them on a plain TCP connection), plaintext comes out for
 * wsframe.c. libwebsockets 4.1.6 cannot start TLS itself on a raw client connection (it
 * does so before the socket exists), hence this. Peer certificates are verified against the
 * system's trust store (or SSL_CERT_FILE / SSL_CERT_DIR), and the host name checked. One
 * WsTls per connection, used by one thread. */
#ifndef FB_FEED_WSTLS_H
#define FB_FEED_WSTLS_H

#include <stddef.h>

typedef struct WsTlsCtx WsTlsCtx;
typedef struct WsTls WsTls;

WsTlsCtx *wstls_ctx_new(char *err, size_t errlen);
void wstls_ctx_free(WsTlsCtx *x);

/* A client session for host (SNI and the name the certificate must carry). */
WsTls *wstls_new(WsTlsCtx *x, const char *host, char *err, size_t errlen);
void wstls_free(WsTls *t);

/* Ciphertext read from the socket. 0, or -1 with err. */
int wstls_in(WsTls *t, const void *p, size_t n, char *err, size_t errlen);
/* Drives the handshake: 1 done, 0 more bytes needed, -1 failed (err says why: a certificate
 * that does not verify, a name that does not match ...). */
int wstls_handshake(WsTls *t, char *err, size_t errlen);
/* Plaintext that came in: bytes (> 0), 0 when none is ready, -1 when the peer closed or the
 * session failed (err). */
long wstls_read(WsTls *t, void *buf, size_t cap, char *err, size_t errlen);
/* Plaintext to send (encrypted into the outgoing bytes). 0, or -1 with err. */
int wstls_write(WsTls *t, const void *p, size_t n, char *err, size_t errlen);
/* Ciphertext waiting for the socket, and taking it. */
size_t wstls_out_pending(WsTls *t);
size_t wstls_out(WsTls *t, void *buf, size_t cap);

#endif
