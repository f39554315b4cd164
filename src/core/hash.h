/* FNV-1a, 64 bits: symbol shards, a run's data fingerprint, string trade ids. Pure, any
 * thread. */
#ifndef FB_CORE_HASH_H
#define FB_CORE_HASH_H

#include <stddef.h>
#include <stdint.h>

#define FB_FNV_OFFSET UINT64_C(14695981039346656037)
#define FB_FNV_PRIME  UINT64_C(1099511628211)

/* h (FB_FNV_OFFSET to start) carried over the n bytes at p. */
static inline uint64_t fb_fnv1a64(uint64_t h, const void *p, size_t n)
{
	const unsigned char *c = p;
	for (size_t k = 0; k < n; k++)
		h = (h ^ c[k]) * FB_FNV_PRIME;
	return h;
}

#endif
