/* A string -> index map over an array the caller owns (fixed-stride records whose first or
 * given field is a NUL-terminated string): open addressing with FNV-1a, rebuilt when the
 * array changes. Replaces scanning a list with strcmp on hot paths. Owner: the thread that
 * owns the array. */
#ifndef FB_CORE_STRINDEX_H
#define FB_CORE_STRINDEX_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
	const char *base; /* the first record's string */
	size_t stride;    /* bytes from one record's string to the next */
	int n;
	uint32_t *slot; /* record index + 1, 0: empty */
	uint32_t mask;
} StrIndex;

/* Indexes n records: the string of record i is at base + i * stride. */
void strindex_build(StrIndex *x, const char *base, size_t stride, int n);
/* The record whose string is key[0 .. len) (no NUL needed), or -1. */
int strindex_find(const StrIndex *x, const char *key, size_t len);
void strindex_free(StrIndex *x);

#endif
