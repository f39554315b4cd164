/* Helpers shared by the unit tests: temporary folders and files. */
#ifndef FB_TESTS_TESTUTIL_H
#define FB_TESTS_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <stdio.h>

#include <cmocka.h>

#include "store/store.h"

/* A new empty folder under $TMPDIR (or /tmp); caller frees the string and may call
 * tu_rmdir_all. */
char *tu_mkdtemp(void);
/* Removes a folder and everything in it. */
void tu_rmdir_all(const char *path);
/* Writes text to folder/name and returns the new path (caller frees). */
char *tu_write_file(const char *folder, const char *name, const char *text);
/* Reads a whole file; caller frees; NULL if it cannot. */
char *tu_read_file(const char *path, size_t *len);

/* The test group's temporary folder, made by tu_group_setup and removed with everything in
 * it by tu_group_teardown (both usable as cmocka group fixtures). */
extern char *dir;
int tu_group_setup(void **state);
int tu_group_teardown(void **state);
/* Opens (creating) the database dir/name; NULL with the reason on stderr. */
Store *tu_open_store(const char *name);

#endif
