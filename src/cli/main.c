/* futuresboard: the program's entry point; everything else is in the engine library. */
#include "cli/cli.h"

extern char **environ;

int main(int argc, char **argv)
{
	return cli_main(argc, argv, environ);
}
