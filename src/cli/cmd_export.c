/* futuresboard export: stored rows as CSV to standard output or a file. With -o the file is
 * written beside its final name and renamed at the end, so a failed export never leaves a
 * truncated file behind. Main thread. */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"
#include "quant/features.h"
#include "store/export.h"

int cmd_export(CliContext *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
	        {"symbol", required_argument, NULL, 's'},
	        {"interval", required_argument, NULL, 'i'},
	        {"metric", required_argument, NULL, 'M'},
	        {"exchange", required_argument, NULL, 'x'},
	        {"from", required_argument, NULL, 'f'},
	        {"to", required_argument, NULL, 't'},
	        {"output", required_argument, NULL, 'o'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	ExportFilter flt = {.from_ms = INT64_MIN, .to_ms = INT64_MAX};
	const char *output = NULL;
	char **symbols = xcalloc((size_t)argc + 1, sizeof *symbols);
	int nsym = 0, c, rc = CLI_USAGE;
	while ((c = getopt_long(argc, argv, "s:i:M:x:f:t:o:h", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			for (char *save, *tok = strtok_r(optarg, ",", &save); tok;
			     tok = strtok_r(NULL, ",", &save)) {
				if (!records_symbol_valid(tok)) {
					cli_error("--symbol %s: a symbol is upper-case letters and "
					          "digits",
					          tok);
					goto out;
				}
				symbols = xrealloc(symbols, (size_t)(nsym + 1) * sizeof *symbols);
				symbols[nsym++] = tok;
			}
			break;
		case 'i':
			if (fb_interval_ms(optarg) < 0) {
				cli_error("--interval %s: unsupported (supported: %s)", optarg,
				          fb_interval_list());
				goto out;
			}
			flt.interval = optarg;
			break;
		case 'M': flt.metric = optarg; break;
		case 'x': flt.exchange = optarg; break;
		case 'f':
		case 't':
			if (fb_time_parse(optarg, c == 'f' ? &flt.from_ms : &flt.to_ms)) {
				cli_error(
				        "--%s %s: expected an ISO-8601 UTC date or time "
				        "(2025-01-31, 2025-01-31T12:00:00Z) or epoch milliseconds",
				        c == 'f' ? "from" : "to", optarg);
				goto out;
			}
			break;
		case 'o': output = optarg; break;
		case 'h': rc = cli_help("export"); goto out;
		default: cli_usage("export"); goto out;
		}
	}
	ExportTable table = EXPORT_CANDLES;
	int features = optind < argc && strcmp(argv[optind], "features") == 0;
	if (features)
		optind++;
	else if (optind < argc && export_table_parse(argv[optind++], &table)) {
		cli_error(
		        "export: unknown table '%s' (candles, funding, metrics, alerts, features)",
		        argv[optind - 1]);
		goto out;
	}
	if (features && (nsym != 1 || !flt.interval)) {
		cli_error("export features: needs one --symbol and an --interval");
		goto out;
	}
	if (optind < argc) {
		cli_error("export: unexpected argument '%s'", argv[optind]);
		goto out;
	}
	flt.symbols = (const char *const *)symbols;
	flt.nsymbols = nsym;
	rc = CLI_FAIL;
	/* the SQLite store, unless the data is read from the cluster */
	int from_cluster = cli_reads_cluster(ctx);
	Store *st = from_cluster ? NULL : cli_open_store_ro(ctx);
	CliReader src;
	if ((!from_cluster && !st) || cli_reader_open(ctx, st, "export", &src)) {
		store_close(st);
		goto out;
	}
	FILE *out = stdout;
	char *tmp = NULL, err[1024];
	if (output && strcmp(output, "-") != 0) {
		tmp = xasprintf("%s.tmp.%ld", output, (long)getpid());
		if (!(out = fopen(tmp, "w"))) {
			cli_error("%s: %s", output, strerror(errno));
			free(tmp);
			cli_reader_close(&src);
			store_close(st);
			goto out;
		}
	}
	/* a timeframe the exchange's candles lack is built from a lower one, and said so */
	if ((table == EXPORT_CANDLES || features) && !src.ch)
		for (int i = 0; i < nsym && flt.interval; i++)
			if (cli_build_interval(ctx, st, "export", flt.exchange, symbols[i],
			                       flt.interval)) {
				if (tmp) {
					fclose(out);
					unlink(tmp);
					free(tmp);
				}
				cli_reader_close(&src);
				store_close(st);
				goto out;
			}
	long rows;
	if (features) {
		QuantOptions qo;
		cli_quant_options(ctx, &qo);
		rows = features_export(src.rd, flt.exchange, symbols[0], flt.interval, &qo,
		                       flt.from_ms, flt.to_ms, out, err, sizeof err);
	} else
		rows = export_csv(src.rd, table, &flt, out, err, sizeof err);
	if (rows < 0)
		cli_error("export: %s", err);
	if (tmp) {
		if (fclose(out) != 0 && rows >= 0) {
			cli_error("%s: %s", output, strerror(errno));
			rows = -1;
		}
		if (rows >= 0 && rename(tmp, output) != 0) {
			cli_error("%s: %s", output, strerror(errno));
			rows = -1;
		}
		if (rows < 0)
			unlink(tmp);
		else
			fprintf(stderr, "futuresboard: wrote %ld rows to %s\n", rows, output);
		free(tmp);
	}
	cli_reader_close(&src);
	store_close(st);
	rc = rows < 0 ? CLI_FAIL : CLI_OK;
out:
	free(symbols);
	return rc;
}
