/* futuresboard db check | stats | migrate. check and stats only read (a read-only file, or
 * another user's, will do); migrate opens the database for writing, which brings its schema
 * up to date. Main thread. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "store/check.h"

int cmd_db(CliContext *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
	        {"symbol", required_argument, NULL, 's'},
	        {"interval", required_argument, NULL, 'i'},
	        {"max-listed", required_argument, NULL, 'm'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	if (argc == 2 && strcmp(argv[1], "migrate") == 0) {
		Store *st = cli_open_store(ctx, 1);
		if (!st)
			return CLI_FAIL;
		printf("%s: schema version %d\n", store_path(st), store_schema_version());
		store_close(st);
		return CLI_OK;
	}
	if (argc < 2 || (strcmp(argv[1], "check") != 0 && strcmp(argv[1], "stats") != 0)) {
		if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
			return cli_help("db");
		}
		cli_error("db: expected 'check', 'stats' or 'migrate'");
		return cli_usage("db");
	}
	int is_check = strcmp(argv[1], "check") == 0;
	CheckOptions opt = {.max_listed = 10};
	int c;
	argc--, argv++;
	while ((c = getopt_long(argc, argv, "s:i:m:h", opts, NULL)) != -1) {
		switch (c) {
		case 's': opt.symbol = optarg; break;
		case 'i': opt.interval = optarg; break;
		case 'm': opt.max_listed = atoi(optarg); break;
		case 'h': return cli_help("db");
		default: return cli_usage("db");
		}
	}
	if (optind < argc || (!is_check && (opt.symbol || opt.interval))) {
		cli_error("db %s: unexpected argument", is_check ? "check" : "stats");
		return cli_usage("db");
	}
	Store *st = cli_open_store_ro(ctx);
	if (!st)
		return CLI_FAIL;
	char err[1024];
	int rc;
	if (is_check) {
		CheckReport rep;
		rc = check_candles(st, &opt, stdout, &rep, err, sizeof err);
		if (rc < 0)
			cli_error("db check: %s", err);
		rc = rc == 0 ? CLI_OK : CLI_FAIL;
	} else {
		printf("database: %s\n", store_path(st));
		rc = check_stats(st, stdout, err, sizeof err);
		if (rc < 0)
			cli_error("db stats: %s", err);
		rc = rc == 0 ? CLI_OK : CLI_FAIL;
	}
	store_close(st);
	return rc;
}
