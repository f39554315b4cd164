/* The 64-bit keys seen lately (from the last 1,024 to the last 2,048 added): two generations
 * of open-addressed tables, the older dropped whole when the newer fills, so a lookup and an
 * insertion cost a probe or two and nothing is ever deleted one by one. For ids that have no
 * order to check duplicates against (Bybit's trade UUIDs, hashed). Owner: one thread. */
#ifndef FB_CORE_RECENT_H
#define FB_CORE_RECENT_H

#include <stdint.h>

#define RECENT_GENERATION 1024 /* keys per generation */

typedef struct {
	uint64_t *slot[2]; /* 2 * RECENT_GENERATION slots each (0: empty); NULL until used */
	int n[2];
	int cur; /* the generation added to */
} RecentSet;

/* 1 when key is among the keys seen lately (nothing changes), else 0 with key added. Key 0
 * counts as 1. */
int recent_seen(RecentSet *r, uint64_t key);
void recent_free(RecentSet *r);

#endif
