/* CSV export of stored tables, the format people script against. RFC 4180: a header row,
 * CRLF line ends, fields quoted only when they hold a comma, quote or line break. Times as
 * ISO-8601 UTC with milliseconds plus the epoch-ms value; NULL as an empty field; numbers in
 * the shortest form that reads back to the same double. Column names are stable (see the
 * man page). Reads through a StoreReader (the store or the cluster). */
#ifndef FB_STORE_EXPORT_H
#define FB_STORE_EXPORT_H

#include <stdint.h>
#include <stdio.h>

#include "store/reader.h"

typedef enum { EXPORT_CANDLES, EXPORT_FUNDING, EXPORT_METRICS, EXPORT_ALERTS } ExportTable;

typedef struct {
	const char *exchange;       /* NULL: all */
	const char *const *symbols; /* NULL or nsymbols == 0: all */
	int nsymbols;
	const char *interval; /* candles (and alerts): NULL for all */
	const char *metric;   /* metrics: NULL for all */
	int64_t from_ms;      /* inclusive; INT64_MIN for no bound */
	int64_t to_ms;        /* exclusive; INT64_MAX for no bound */
} ExportFilter;

/* Parses a table name: candles, funding, metrics, alerts. Returns 0 or -1. */
int export_table_parse(const char *name, ExportTable *out);
/* The header line of a table (without line end), for documentation and tests. */
const char *export_header(ExportTable t);
/* Writes the rows matching filter as CSV. Returns the number of rows written, or -1 with err
 * (a database error or a write error such as a full disk). */
long export_csv(StoreReader *rd, ExportTable t, const ExportFilter *filter, FILE *out, char *err,
                size_t errlen);
/* Formats v in the shortest %g form that round-trips; returns buf. */
char *export_format_double(double v, char *buf, size_t len);

#endif
