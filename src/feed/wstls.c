/* TLS over memory BIOs (see wstls.h). */
#include "feed/wstls.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <string.h>

#include "core/xmalloc.h"

struct WsTlsCtx {
	SSL_CTX *ctx;
};

struct WsTls {
	SSL *ssl;
	BIO *rbio, *wbio; /* owned by ssl */
};

/* OpenSSL's reason for the last failure, and the certificate check's, into err */
static void why(SSL *ssl, const char *what, char *err, size_t errlen)
{
	unsigned long e = ERR_get_error();
	long v = ssl ? SSL_get_verify_result(ssl) : X509_V_OK;
	if (v != X509_V_OK)
		snprintf(err, errlen, "TLS %s: certificate: %s", what,
		         X509_verify_cert_error_string(v));
	else if (e) {
		char buf[200];
		ERR_error_string_n(e, buf, sizeof buf);
		snprintf(err, errlen, "TLS %s: %s", what, buf);
	} else
		snprintf(err, errlen, "TLS %s failed", what);
	ERR_clear_error();
}

WsTlsCtx *wstls_ctx_new(char *err, size_t errlen)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	if (!ctx) {
		why(NULL, "set-up", err, errlen);
		return NULL;
	}
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	if (SSL_CTX_set_default_verify_paths(ctx) != 1) {
		why(NULL, "trust store", err, errlen);
		SSL_CTX_free(ctx);
		return NULL;
	}
	WsTlsCtx *x = xcalloc(1, sizeof *x);
	x->ctx = ctx;
	return x;
}

void wstls_ctx_free(WsTlsCtx *x)
{
	if (!x)
		return;
	SSL_CTX_free(x->ctx);
	free(x);
}

WsTls *wstls_new(WsTlsCtx *x, const char *host, char *err, size_t errlen)
{
	SSL *ssl = SSL_new(x->ctx);
	BIO *r = BIO_new(BIO_s_mem()), *w = BIO_new(BIO_s_mem());
	if (!ssl || !r || !w) {
		why(NULL, "session", err, errlen);
		SSL_free(ssl);
		BIO_free(r);
		BIO_free(w);
		return NULL;
	}
	SSL_set_bio(ssl, r, w);
	SSL_set_connect_state(ssl);
	SSL_set_tlsext_host_name(ssl, host); /* SNI */
	SSL_set1_host(ssl, host);            /* the certificate must name it */
	SSL_set_hostflags(ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
	WsTls *t = xcalloc(1, sizeof *t);
	t->ssl = ssl;
	t->rbio = r;
	t->wbio = w;
	return t;
}

void wstls_free(WsTls *t)
{
	if (!t)
		return;
	SSL_free(t->ssl);
	free(t);
}

int wstls_in(WsTls *t, const void *p, size_t n, char *err, size_t errlen)
{
	if (n && BIO_write(t->rbio, p, (int)n) != (int)n) {
		why(NULL, "input", err, errlen);
		return -1;
	}
	return 0;
}

int wstls_handshake(WsTls *t, char *err, size_t errlen)
{
	if (SSL_is_init_finished(t->ssl))
		return 1;
	int r = SSL_do_handshake(t->ssl);
	if (r == 1)
		return 1;
	int e = SSL_get_error(t->ssl, r);
	if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
		return 0;
	why(t->ssl, "handshake", err, errlen);
	return -1;
}

long wstls_read(WsTls *t, void *buf, size_t cap, char *err, size_t errlen)
{
	int r = SSL_read(t->ssl, buf, cap > 1u << 30 ? 1 << 30 : (int)cap);
	if (r > 0)
		return r;
	int e = SSL_get_error(t->ssl, r);
	if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
		return 0;
	if (e == SSL_ERROR_ZERO_RETURN) {
		snprintf(err, errlen, "TLS closed by the server");
		return -1;
	}
	why(t->ssl, "read", err, errlen);
	return -1;
}

int wstls_write(WsTls *t, const void *p, size_t n, char *err, size_t errlen)
{
	if (!n)
		return 0;
	/* memory BIOs take everything: a write is whole or fails */
	int r = SSL_write(t->ssl, p, (int)n);
	if (r == (int)n)
		return 0;
	why(t->ssl, "write", err, errlen);
	return -1;
}

size_t wstls_out_pending(WsTls *t)
{
	return BIO_ctrl_pending(t->wbio);
}

size_t wstls_out(WsTls *t, void *buf, size_t cap)
{
	int r = BIO_read(t->wbio, buf, cap > 1u << 30 ? 1 << 30 : (int)cap);
	return r > 0 ? (size_t)r : 0;
}
