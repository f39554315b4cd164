/* futuresboard import: CSV files (or standard input) into the store. Main thread. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/log.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"
#include "store/import.h"

int cmd_import(CliContext *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
	        {"symbol", required_argument, NULL, 's'},
	        {"interval", required_argument, NULL, 'i'},
	        {"exchange", required_argument, NULL, 'x'},
	        {"kind", required_argument, NULL, 'k'},
	        {"max-rejects", required_argument, NULL, 'm'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	ImportOptions io = {.max_reported = 100, .reject_out = stderr, .now_ms = fb_now_ms()};
	int c;
	while ((c = getopt_long(argc, argv, "s:i:x:k:m:h", opts, NULL)) != -1) {
		switch (c) {
		case 's': io.symbol = optarg; break;
		case 'i':
			if (fb_interval_ms(optarg) < 0) {
				cli_error("--interval %s: unsupported (supported: %s)", optarg,
				          fb_interval_list());
				return CLI_USAGE;
			}
			io.interval = optarg;
			break;
		case 'x': io.exchange = optarg; break;
		case 'k':
			if (strcmp(optarg, "klines") == 0)
				io.kind = IMPORT_KLINES;
			else if (strcmp(optarg, "funding") == 0)
				io.kind = IMPORT_FUNDING;
			else if (strcmp(optarg, "mark") == 0)
				io.kind = IMPORT_MARK;
			else {
				cli_error("--kind %s: expected klines, funding or mark", optarg);
				return CLI_USAGE;
			}
			break;
		case 'm': io.max_reported = atol(optarg); break;
		case 'h': return cli_help("import");
		default: return cli_usage("import");
		}
	}
	if (optind >= argc) {
		cli_error("import: name at least one file, or - for standard input");
		return cli_usage("import");
	}
	Store *st = cli_open_store(ctx, 0);
	if (!st)
		return CLI_FAIL;
	int rc = CLI_OK, files = 0;
	ImportStats total = {0};
	ImportStats *each = xcalloc((size_t)(argc - optind), sizeof *each);
	char err[1024];
	for (int i = optind; i < argc; i++) {
		ImportStats s;
		if (import_file(st, argv[i], &io, &s, err, sizeof err)) {
			cli_error("%s", err);
			rc = CLI_FAIL;
			continue;
		}
		each[files++] = s;
		printf("%s: %s %s%s%s: %ld read, %ld inserted, %ld updated, %ld unchanged, %ld "
		       "rejected\n",
		       argv[i], import_kind_name(s.kind), s.symbol,
		       s.kind != IMPORT_FUNDING ? " " : "",
		       s.kind != IMPORT_FUNDING ? s.interval : "", s.read, s.inserted, s.updated,
		       s.unchanged, s.rejected);
		log_info("import",
		         "%s: %ld read, %ld inserted, %ld updated, %ld unchanged, %ld rejected",
		         argv[i], s.read, s.inserted, s.updated, s.unchanged, s.rejected);
		total.read += s.read;
		total.inserted += s.inserted;
		total.updated += s.updated;
		total.unchanged += s.unchanged;
		total.rejected += s.rejected;
		if (s.rejected)
			rc = CLI_FAIL;
	}
	/* one download's last candles may still have been open */
	long open_tail = import_mark_open_tails(st, each, files, err, sizeof err);
	if (open_tail < 0) {
		cli_error("import: %s", err);
		rc = CLI_FAIL;
	} else if (open_tail > 0)
		printf("%ld candles closing after the end of the finest file's data stored as not "
		       "closed (still open when downloaded)\n",
		       open_tail);
	free(each);
	if (files > 1)
		printf("total: %d files: %ld read, %ld inserted, %ld updated, %ld unchanged, %ld "
		       "rejected\n",
		       files, total.read, total.inserted, total.updated, total.unchanged,
		       total.rejected);
	store_close(st);
	return rc;
}
