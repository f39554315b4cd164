/* futuresboard config: the effective configuration with the source of every value. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"

int cmd_config(CliContext *ctx, int argc, char **argv)
{
	(void)argv;
	if (argc > 1) {
		if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
			return cli_help("config");
		cli_error("config: unexpected argument '%s'", argv[1]);
		return cli_usage("config");
	}
	char *user = config_user_path();
	printf("# user file: %s (%s)\n", user, access(user, R_OK) == 0 ? "read" : "not present");
	if (ctx->config_file)
		printf("# --config: %s\n", ctx->config_file);
	printf("# precedence: default < user file < --config < environment < command line\n\n");
	free(user);
	config_print(ctx->cfg, stdout);
	AlertRules *rules = cli_alert_rules(ctx); /* the conditions compile, or say where not */
	if (!rules)
		return CLI_USAGE;
	alert_rules_free(rules);
	return CLI_OK;
}
