/* "Did you mean": the Levenshtein distance of two short words, ignoring case (99 for words
 * longer than 64 characters). Pure, any thread. */
#ifndef FB_CORE_SUGGEST_H
#define FB_CORE_SUGGEST_H

#include <stddef.h>

size_t fb_edit_distance(const char *a, const char *b);

#endif
