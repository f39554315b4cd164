/* libFuzzer: simex's request parsing, through its real server. Any request target (path and
 * query, bytes that may appear there) is answered with an HTTP status and never crashes or
 * hangs the simulator (Binance's paths and Bybit's /v5 ones): unknown paths, missing or absurd
 * symbols, intervals, limits, cursors and times,
 * repeated and empty parameters. The server runs in this process (its thread is what
 * AddressSanitizer watches), on 127.0.0.1, with no weight limit so nothing is banned. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "simex/simex.h"

/* Unlike assert(), never compiled out. */
#define CHECK(x) ((x) ? (void)0 : abort())

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static Simex *sx;
static int port;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	SimexOptions o;
	simex_options_default(&o);
	o.port = 0;
	o.seed = 3;
	o.history_minutes = 120;
	o.instruments = FB_SOURCE_DIR "/data/instruments.csv";
	o.weight_limit = 1 << 30;
	o.venues = SIMEX_BINANCE | SIMEX_BYBIT; /* and Bybit's /v5 paths */
	o.bybit_limit = 1 << 30;
	char err[512];
	sx = simex_start(&o, err, sizeof err);
	if (!sx) {
		fprintf(stderr, "fuzz_simex: %s\n", err);
		abort();
	}
	port = simex_port(sx);
	return 0;
}

/* Sends one request for target; the first bytes of the answer in head ("" for none). */
static void ask(const char *target, size_t tlen, char *head, size_t headlen)
{
	char req[1800];
	size_t n = (size_t)snprintf(req, sizeof req,
	                            "GET %.*s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
	                            "Connection: close\r\n\r\n",
	                            (int)tlen, target);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	CHECK(fd >= 0);
	struct timeval tv = {5, 0};
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	CHECK(connect(fd, (struct sockaddr *)&a, sizeof a) == 0);
	CHECK(write(fd, req, n) == (ssize_t)n);
	size_t got = 0;
	ssize_t r;
	char buf[65536];
	while ((r = read(fd, buf, sizeof buf)) > 0)
		for (ssize_t i = 0; i < r && got < headlen - 1; i++)
			head[got++] = buf[i];
	head[got] = '\0';
	close(fd);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	if (size > 1500)
		return 0;
	/* the target: the bytes as they are, except those that end a request line */
	char target[1600];
	size_t n = 0;
	target[n++] = '/';
	for (size_t i = 0; i < size; i++)
		target[n++] = data[i] == ' ' || data[i] == '\r' || data[i] == '\n' || !data[i]
		                      ? '_'
		                      : (char)data[i];
	char head[16];
	ask(target, n, head, sizeof head);
	/* an answer of any status (lws refuses some targets itself, in HTTP/1.0), or, for a
	 * target lws drops unanswered (a %00), a server that still answers the next request */
	if (!head[0]) {
		ask("/fapi/v1/time", 13, head, sizeof head);
		CHECK(strncmp(head, "HTTP/1.1 200", 12) == 0);
	} else
		CHECK(strncmp(head, "HTTP/1.", 7) == 0);
	return 0;
}
