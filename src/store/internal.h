/* What src/store/ shares inside itself: the SQLite connection behind a Store. Nothing outside
 * src/store/ includes this or sqlite3.h (tests/store_boundary.sh checks it). */
#ifndef FB_STORE_INTERNAL_H
#define FB_STORE_INTERNAL_H

#include <sqlite3.h>

#include "store/reader.h"
#include "store/store.h"

/* The connection, borrowed; same thread as the Store. */
sqlite3 *store_db(Store *st);

extern const StoreReaderOps store_sqlite_reader_ops;

/* The row of table t from a statement's columns o, o + 1, ... in the reader's column order
 * (read_sqlite.c's SELECTs). */
void store_sqlite_row(sqlite3_stmt *s, int o, StoreTable t, StoreRow *row);

#endif
