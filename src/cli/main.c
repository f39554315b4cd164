/* futuresboard: the program's entry point: the engine library plus the terminal UI. */
#include "cli/cli.h"
#include "dashboard.h"

extern char **environ;

int main(int argc, char **argv)
{
	cli_dashboard = dashboard_run;
	return cli_main(argc, argv, environ);
}
