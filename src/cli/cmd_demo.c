/* futuresboard demo: the offline demo. The exchange simulator and the dashboard it needs are
 * not built yet, so for now it opens the configured database, shows what is stored and says
 * plainly what is missing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/xmalloc.h"
#include "store/check.h"

int cmd_demo(CliContext *ctx, int argc, char **argv)
{
	(void)argv;
	if (argc > 1) {
		cli_error("demo: takes no arguments yet");
		return CLI_USAGE;
	}
	/* The demo keeps to its own database beside the default one, unless told otherwise. */
	if (config_get_source(ctx->cfg, "store", "database") == CONFIG_SRC_DEFAULT) {
		char *path = config_get_path(ctx->cfg, "store", "database"), err[512];
		char *slash = strrchr(path, '/');
		char *demo = xasprintf("%.*sdemo.db", slash ? (int)(slash - path + 1) : 0, path);
		config_set(ctx->cfg, "store.database", demo, CONFIG_SRC_DEFAULT, "demo", err,
		           sizeof err);
		free(demo);
		free(path);
	}
	Store *st = cli_open_store(ctx, 0);
	if (!st)
		return CLI_FAIL;
	char err[1024];
	printf("futuresboard %s: offline demo\n\n", FB_VERSION);
	printf("database: %s\n", store_path(st));
	int rc = check_stats(st, stdout, err, sizeof err);
	store_close(st);
	if (rc)
		cli_error("%s", err);
	printf("\nNot built yet: the exchange simulator (simex) and the live dashboard, so the\n"
	       "offline demo cannot stream a market. Working now:\n"
	       "  futuresboard import FILE...     kline and funding CSVs (plain or gzip)\n"
	       "  futuresboard export [TABLE]     candles, funding, metrics, alerts as CSV\n"
	       "  futuresboard db check | stats   gaps and bad candles; what is stored\n"
	       "  futuresboard config             effective configuration and its sources\n"
	       "See man/futuresboard.1.\n");
	return rc ? CLI_FAIL : CLI_OK;
}
