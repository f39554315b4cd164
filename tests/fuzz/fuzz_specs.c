/* libFuzzer: the small languages of the command line and of simex's files: --walk-forward
 * "train=90d,test=30d", --grid "name=v1,v2", sizes ("10M"), import file names, export table
 * names, and simex's --instruments list. Each is parsed or refused with a message; what is
 * parsed is in range. Also the backfill's window arithmetic on any three times (UBSan stops
 * at a signed overflow): refused, or a window on the grid inside the times. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/config.h"
#include "core/timeutil.h"
#include "feed/backfill.h"
#include "research/walkforward.h"
#include "simex/model.h"
#include "store/export.h"
#include "store/import.h"

/* Unlike assert(), never compiled out. */
#define CHECK(x) ((x) ? (void)0 : abort())

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	char *s = malloc(size + 1);
	memcpy(s, data, size);
	s[size] = '\0';
	char err[512];
	int64_t train, test;
	if (wf_parse_spec(s, &train, &test, err, sizeof err) == 0)
		CHECK(train > 0 && test > 0);
	for (int st = BT_EMA_CROSS; st <= BT_FUNDING_CARRY; st++) {
		WfGrid g;
		memset(&g, 0, sizeof g);
		if (wf_grid_add(&g, (BtStrategy)st, s, err, sizeof err) == 0)
			for (int k = 0; k < BT_MAX_PARAMS; k++)
				CHECK(g.nvalues[k] >= 0 && g.nvalues[k] <= WF_MAX_VALUES);
	}
	int64_t bytes;
	if (config_parse_size(s, &bytes) == 0)
		CHECK(bytes >= 0);
	char sym[32], ivl[16];
	ImportKind kind;
	if (import_parse_name(s, sym, sizeof sym, ivl, sizeof ivl, &kind, err, sizeof err) == 0)
		CHECK(strlen(sym) < sizeof sym && strlen(ivl) < sizeof ivl);
	ExportTable t;
	export_table_parse(s, &t);
	if (size >= 25) {
		static const char *const ivs[] = {"1m", "5m", "15m", "1h", "4h", "1d", "1w", "3m"};
		int64_t v[3];
		memcpy(v, data, sizeof v);
		const char *iv = ivs[data[24] % 8];
		int64_t first, last, step = fb_interval_ms(iv);
		if (backfill_window(iv, v[0], v[1], v[2], &first, &last, err, sizeof err) == 0) {
			CHECK(first >= v[0] && first - step < v[0]);
			CHECK(last + step <= v[1] && last + 2 * step > v[1] - 10000);
			CHECK((first - last) % step == 0);
		}
	}
	/* the instrument list, from a file as simex reads it */
	char path[] = "/tmp/fuzz_specs_XXXXXX";
	int fd = mkstemp(path);
	if (fd >= 0) {
		if (write(fd, data, size) == (ssize_t)size) {
			SimInstrument *in;
			int n = sim_instruments_load(path, &in, err, sizeof err);
			for (int i = 0; i < n; i++)
				CHECK(in[i].price > 0 && in[i].tick > 0 && in[i].symbol[0]);
			if (n > 0)
				free(in);
		}
		close(fd);
		unlink(path);
	}
	free(s);
	return 0;
}
