/* Test helpers. */
#define _XOPEN_SOURCE 700
#include "testutil.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/xmalloc.h"

char *tu_mkdtemp(void)
{
	const char *tmp = getenv("TMPDIR");
	char *tmpl = xasprintf("%s/fbtest.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(tmpl)) {
		perror("mkdtemp");
		abort();
	}
	return tmpl;
}

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb, (void)flag, (void)ftw;
	return remove(path);
}

void tu_rmdir_all(const char *path)
{
	nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

char *tu_write_file(const char *folder, const char *name, const char *text)
{
	char *path = xasprintf("%s/%s", folder, name);
	FILE *f = fopen(path, "wb");
	if (!f) {
		perror(path);
		abort();
	}
	fputs(text, f);
	fclose(f);
	return path;
}

char *tu_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 4096, n = 0;
	char *buf = xmalloc(cap);
	size_t got;
	while ((got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
		n += got;
		if (cap - n - 1 == 0)
			buf = xrealloc(buf, cap *= 2);
	}
	fclose(f);
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

char *dir;

int tu_group_setup(void **state)
{
	(void)state;
	dir = tu_mkdtemp();
	return 0;
}

int tu_group_teardown(void **state)
{
	(void)state;
	tu_rmdir_all(dir);
	free(dir);
	dir = NULL;
	return 0;
}

Store *tu_open_store(const char *name)
{
	char *path = xasprintf("%s/%s", dir, name), err[512];
	Store *st = store_open(path, 0, 1000, err, sizeof err);
	if (!st)
		fprintf(stderr, "%s\n", err);
	free(path);
	return st;
}
