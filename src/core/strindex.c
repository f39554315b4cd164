/* String -> index map (see strindex.h). */
#include "core/strindex.h"

#include <stdlib.h>
#include <string.h>

#include "core/xmalloc.h"

static uint32_t hash(const char *s, size_t len)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

void strindex_build(StrIndex *x, const char *base, size_t stride, int n)
{
	free(x->slot);
	uint32_t cap = 8;
	while (cap < (uint32_t)n * 2 + 2)
		cap *= 2;
	x->base = base;
	x->stride = stride;
	x->n = n;
	x->mask = cap - 1;
	x->slot = xcalloc(cap, sizeof *x->slot);
	for (int i = 0; i < n; i++) {
		const char *k = base + (size_t)i * stride;
		uint32_t at = hash(k, strlen(k)) & x->mask;
		while (x->slot[at])
			at = (at + 1) & x->mask;
		x->slot[at] = (uint32_t)i + 1;
	}
}

int strindex_find(const StrIndex *x, const char *key, size_t len)
{
	if (!x->slot)
		return -1;
	for (uint32_t at = hash(key, len) & x->mask; x->slot[at]; at = (at + 1) & x->mask) {
		const char *k = x->base + (size_t)(x->slot[at] - 1) * x->stride;
		if (memcmp(k, key, len) == 0 && k[len] == '\0')
			return (int)x->slot[at] - 1;
	}
	return -1;
}

void strindex_free(StrIndex *x)
{
	free(x->slot);
	memset(x, 0, sizeof *x);
}
