/* libFuzzer: CSV import. Any bytes, as a kline file and as a funding file: import must not
 * crash, must account for every line, and must leave only valid candles in the store. */
#include <stdlib.h>

/* Unlike assert(), never compiled out. */
#define CHECK(x) ((x) ? (void)0 : abort())
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "store/import.h"
#include "store/internal.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	static Store *st;
	static char path[64];
	char err[512];
	if (!st) {
		st = store_open(":memory:", 0, 0, err, sizeof err);
		snprintf(path, sizeof path, "/tmp/FUZZUSDT-1m-%d.csv", (int)getpid());
	}
	FILE *f = fopen(path, "wb");
	fwrite(data, 1, size, f);
	fclose(f);
	for (int kind = IMPORT_KLINES; kind <= IMPORT_FUNDING; kind++) {
		ImportOptions o = {.kind = (ImportKind)kind, .now_ms = 4102444800000LL};
		ImportStats s;
		if (import_file(st, path, &o, &s, err, sizeof err) == 0)
			CHECK(s.inserted + s.updated + s.unchanged + s.rejected == s.read);
	}
	sqlite3_stmt *q;
	sqlite3_prepare_v2(store_db(st),
	                   "SELECT count(*) FROM candles WHERE high < low OR high < open OR "
	                   "high < close OR low > open OR low > close OR volume < 0",
	                   -1, &q, NULL);
	sqlite3_step(q);
	CHECK(sqlite3_column_int(q, 0) == 0);
	sqlite3_finalize(q);
	return 0;
}
