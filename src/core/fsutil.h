/* File-system helpers. Any thread. */
#ifndef FB_CORE_FSUTIL_H
#define FB_CORE_FSUTIL_H

/* Creates the folders leading to path (not path itself), like mkdir -p on its dirname.
 * Returns 0, or -1 with errno set. */
int fb_mkdir_parents(const char *path);

#endif
