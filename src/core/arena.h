/* A per-thread bump allocator for short-lived parse trees. jansson allocates every node of a
 * parsed message; with arena_begin() active on a thread, those allocations come from one
 * block that arena_end() resets, instead of a malloc and a free per node. Allocations made
 * while no arena is active, or too large for it, go to malloc as usual.
 * Install once (arena_install_jansson) before any thread parses JSON. */
#ifndef FB_CORE_ARENA_H
#define FB_CORE_ARENA_H

#include <stddef.h>

/* Routes jansson's allocations through the arena when one is active on the calling thread. */
void arena_install_jansson(void);
/* Starts an arena on this thread (its block is kept between uses). */
void arena_begin(void);
/* Ends it: every arena allocation since arena_begin() is released at once. Everything parsed
 * in between must be finished with (json_decref'd or no longer used). */
void arena_end(void);

#endif
