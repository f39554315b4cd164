/* futuresboard: the program's entry point: the engine library plus the terminal UI. */
#include "cli/cli.h"
#include "dashboard.h"
#include "ui.h"

extern char **environ;

int main(int argc, char **argv)
{
	cli_dashboard = dashboard_run;
	cli_alert_sink = dashboard_alert;
	cli_keys = ui_print_keys;
	return cli_main(argc, argv, environ);
}
