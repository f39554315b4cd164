/* CSV input: a buffered line reader over plain or gzip files (zlib reads both), and an
 * RFC 4180 field splitter. Used by import; single-threaded per reader. */
#ifndef FB_STORE_CSV_H
#define FB_STORE_CSV_H

#include <stddef.h>

#define CSV_MAX_LINE   8192
#define CSV_MAX_FIELDS 32

typedef struct CsvReader CsvReader;

/* Opens path, or standard input for "-". Returns NULL with err ("path: reason"). A zip
 * archive is refused with a message saying to unzip it first. */
CsvReader *csv_open(const char *path, char *err, size_t errlen);
void csv_close(CsvReader *r);
/* Next line without its line ending, borrowed until the next call; *lineno is 1-based.
 * Returns its length, -1 at end of input, -2 on a read error (err filled), or -3 for a line
 * longer than CSV_MAX_LINE (skipped; the reader goes on with the next line). */
long csv_next_line(CsvReader *r, const char **line, long *lineno, char *err, size_t errlen);

/* Splits line (modified in place) into at most max fields; quoted fields are unquoted.
 * Returns the number of fields, or -1 for a malformed quote or more than max fields. */
int csv_split(char *line, char **fields, int max);

#endif
