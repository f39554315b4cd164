/* futuresboard health: asks a running collector for /health and prints it; exits 0 when it
 * is ready, 1 when not (or not reachable). Main thread. */
#include <curl/curl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

static size_t out_cb(char *p, size_t size, size_t n, void *arg)
{
	if (arg)
		strbuf_printf(arg, "%.*s", (int)(size * n), p);
	return size * n;
}

static long get(const char *url, StrBuf *out)
{
	CURL *c = curl_easy_init();
	long status = -1;
	if (!c)
		return -1;
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 3000L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, out_cb);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, out);
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(c);
	return status;
}

int cmd_health(CliContext *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
	        {"port", required_argument, NULL, 'p'},
	        {"json", no_argument, NULL, 'j'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	int port = (int)config_get_int(ctx->cfg, "health", "port"), c, json = 0;
	while ((c = getopt_long(argc, argv, "p:jh", opts, NULL)) != -1) {
		switch (c) {
		case 'p': port = atoi(optarg); break;
		case 'j': json = 1; break;
		case 'h': return cli_help("health");
		default: return cli_usage("health");
		}
	}
	if (port <= 0 || port > 65535) {
		cli_error("health: the health server is off (health.port = 0)");
		return CLI_USAGE;
	}
	char url[128];
	snprintf(url, sizeof url, "http://127.0.0.1:%d/health", port);
	StrBuf doc = {0};
	long status = get(url, &doc);
	if (status != 200) {
		free(doc.p);
		cli_error("health: no collector answers on 127.0.0.1:%d", port);
		return CLI_FAIL;
	}
	if (json)
		fputs(doc.p ? doc.p : "", stdout);
	else {
		StrBuf text = {0};
		cli_health_text(doc.p, &text);
		fputs(text.p ? text.p : "", stdout);
		free(text.p);
	}
	free(doc.p);
	snprintf(url, sizeof url, "http://127.0.0.1:%d/ready", port);
	status = get(url, NULL);
	if (status != 200) {
		cli_error("health: the collector is not ready");
		return CLI_FAIL;
	}
	return CLI_OK;
}
