#!/bin/sh
# The store's boundary: SQLite is used only inside src/store/. Everything else reads through
# the reader interface (store/reader.h) or the store's typed functions (store/store.h), so a
# second store (ClickHouse) can stand behind the same calls.
# usage: store_boundary.sh SOURCE_DIR
set -eu
src=${1:?source dir}
cd "$src"
bad=$(grep -rlE 'sqlite3|store_db\(|store/internal\.h' src ui | grep -v '^src/store/' || true)
if [ -n "$bad" ]; then
	echo "FAIL: SQLite used outside src/store/:"
	grep -rnE 'sqlite3|store_db\(|store/internal\.h' $bad | head -20
	exit 1
fi
# and the store's public headers do not leak it
leak=$(grep -lE 'sqlite3' src/store/*.h | grep -v 'src/store/internal.h' || true)
if [ -n "$leak" ]; then
	echo "FAIL: a public store header names SQLite: $leak"
	exit 1
fi
echo "ok: SQLite only inside src/store/ ($(grep -rlE 'sqlite3' src/store/*.c | wc -l) files)"
