/* See recent.h. */
#include "core/recent.h"

#include <stdlib.h>
#include <string.h>

#include "core/xmalloc.h"

#define SLOTS (2 * RECENT_GENERATION)

static uint64_t *find(uint64_t *t, uint64_t key)
{
	size_t i = (size_t)(key ^ key >> 29) & (SLOTS - 1);
	while (t[i] && t[i] != key)
		i = (i + 1) & (SLOTS - 1);
	return &t[i];
}

int recent_seen(RecentSet *r, uint64_t key)
{
	if (!key)
		key = 1;
	if (!r->slot[0]) {
		r->slot[0] = xcalloc(SLOTS, sizeof *r->slot[0]);
		r->slot[1] = xcalloc(SLOTS, sizeof *r->slot[1]);
	}
	if (*find(r->slot[r->cur ^ 1], key) == key)
		return 1;
	uint64_t *s = find(r->slot[r->cur], key);
	if (*s == key)
		return 1;
	if (r->n[r->cur] == RECENT_GENERATION) { /* the older generation goes */
		r->cur ^= 1;
		memset(r->slot[r->cur], 0, SLOTS * sizeof *r->slot[r->cur]);
		r->n[r->cur] = 0;
		s = find(r->slot[r->cur], key);
	}
	*s = key;
	r->n[r->cur]++;
	return 0;
}

void recent_free(RecentSet *r)
{
	free(r->slot[0]);
	free(r->slot[1]);
	memset(r, 0, sizeof *r);
}
