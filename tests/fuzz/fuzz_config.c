/* libFuzzer: the INI reader. Any bytes as a config file: a clean load or an error message that
 * names the file, never a crash. */
#include <stdlib.h>

/* Unlike assert(), never compiled out. */
#define CHECK(x) ((x) ? (void)0 : abort())
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/config.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	static char path[64];
	if (!path[0])
		snprintf(path, sizeof path, "/tmp/fuzz-config-%d.ini", (int)getpid());
	FILE *f = fopen(path, "wb");
	fwrite(data, 1, size, f);
	fclose(f);
	Config *cfg = config_new();
	char err[1024] = "";
	if (config_load_file(cfg, path, CONFIG_SRC_FILE, 0, err, sizeof err) != 0)
		CHECK(strncmp(err, path, strlen(path)) == 0);
	config_free(cfg);
	return 0;
}
