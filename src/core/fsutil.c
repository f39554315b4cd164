/* File-system helpers. */
#include "core/fsutil.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "core/xmalloc.h"

int fb_mkdir_parents(const char *path)
{
	char *dir = xstrdup(path);
	for (char *p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0755) && errno != EEXIST) {
			int saved = errno;
			free(dir);
			errno = saved;
			return -1;
		}
		*p = '/';
	}
	free(dir);
	return 0;
}
