/* Per-thread bump arena behind jansson's allocation hooks. */
#include "core/arena.h"

#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>

#define ARENA_SIZE (256 * 1024)

static _Thread_local unsigned char *block;
static _Thread_local size_t used;
static _Thread_local int active;

static void *arena_malloc(size_t n)
{
	n = (n + 15) & ~(size_t)15;
	if (active && block && used + n <= ARENA_SIZE) {
		void *p = block + used;
		used += n;
		return p;
	}
	return malloc(n);
}

static void arena_free(void *p)
{
	if (block && (unsigned char *)p >= block && (unsigned char *)p < block + ARENA_SIZE)
		return; /* released by arena_end() */
	free(p);
}

void arena_install_jansson(void)
{
	json_set_alloc_funcs(arena_malloc, arena_free);
}

void arena_begin(void)
{
	if (!block)
		block = malloc(ARENA_SIZE);
	used = 0;
	active = block != NULL;
}

void arena_end(void)
{
	active = 0;
	used = 0;
}
