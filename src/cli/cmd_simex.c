/* futuresboard simex: run the local exchange until SIGINT or SIGTERM. Prints its address on
 * standard output once it listens, so scripts can wait for that line. Main thread. */
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/log.h"
#include "core/numparse.h"
#include "core/signals.h"
#include "core/timeutil.h"
#include "simex/simex.h"

int cmd_simex(CliContext *ctx, int argc, char **argv)
{
	(void)ctx;
	static const struct option opts[] = {
	        {"port", required_argument, NULL, 'p'},
	        {"seed", required_argument, NULL, 's'},
	        {"speed", required_argument, NULL, 'x'},
	        {"start", required_argument, NULL, 'S'},
	        {"history-minutes", required_argument, NULL, 'H'},
	        {"instruments", required_argument, NULL, 'I'},
	        {"missing-rate", required_argument, NULL, 'm'},
	        {"bad-rows", required_argument, NULL, 'j'},
	        {"weight-limit", required_argument, NULL, 'w'},
	        {"weight-window", required_argument, NULL, 'W'},
	        {"ban-seconds", required_argument, NULL, 'b'},
	        {"slow-ms", required_argument, NULL, 'l'},
	        {"ws-drop-every", required_argument, NULL, 'D'},
	        {"ws-silence-every", required_argument, NULL, 'E'},
	        {"ws-silence", required_argument, NULL, 'Q'},
	        {"malformed-rate", required_argument, NULL, 'M'},
	        {"duplicate-rate", required_argument, NULL, 'U'},
	        {"reorder-rate", required_argument, NULL, 'R'},
	        {"reroute-book", no_argument, NULL, 'B'},
	        {"history", required_argument, NULL, 'Y'},
	        {"burst-every", required_argument, NULL, 'G'},
	        {"burst", required_argument, NULL, 'g'},
	        {"churn", required_argument, NULL, 'C'},
	        {"firehose", required_argument, NULL, 'F'},
	        {"capture", required_argument, NULL, 'K'},
	        {"rate", required_argument, NULL, 'k'},
	        {"loop", no_argument, NULL, 'L'},
	        {"truth", required_argument, NULL, 't'},
	        {"truth-intervals", required_argument, NULL, 'T'},
	        {"exchange", required_argument, NULL, 'X'},
	        {"bybit-limit", required_argument, NULL, 1001},
	        {"bybit-funding-switch", required_argument, NULL, 1002},
	        {"bybit-oi-both", no_argument, NULL, 1003},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	SimexOptions o;
	simex_options_default(&o);
	char instruments[4096];
	o.instruments = cli_data_file("instruments.csv", instruments, sizeof instruments);
	int c;
	double d;
	while ((c = getopt_long(argc, argv,
	                        "p:s:x:S:H:I:m:j:w:W:b:l:D:E:Q:M:U:R:BY:G:g:C:F:K:k:Lt:T:X:h", opts,
	                        NULL)) != -1) {
		switch (c) {
		case 'p': o.port = atoi(optarg); break;
		case 's': o.seed = strtoull(optarg, NULL, 10); break;
		case 'x':
			if (fb_parse_double(optarg, &d) || d <= 0 || d > 100000) {
				cli_error("--speed %s: expected a number from 0 to 100000", optarg);
				return CLI_USAGE;
			}
			o.speed = d;
			break;
		case 'S':
			if (fb_time_parse(optarg, &o.start_ms)) {
				cli_error("--start %s: expected ISO-8601 UTC or epoch ms", optarg);
				return CLI_USAGE;
			}
			break;
		case 'H': o.history_minutes = atoi(optarg); break;
		case 'I': o.instruments = optarg; break;
		case 'm':
			if (fb_parse_double(optarg, &d) || d < 0 || d >= 1) {
				cli_error("--missing-rate %s: expected a fraction below 1", optarg);
				return CLI_USAGE;
			}
			o.missing_rate = d;
			break;
		case 'j':
			if (fb_parse_double(optarg, &d) || d < 0 || d >= 1) {
				cli_error("--bad-rows %s: expected a fraction below 1", optarg);
				return CLI_USAGE;
			}
			o.bad_rows_rate = d;
			break;
		case 'w': o.weight_limit = atoi(optarg); break;
		case 'W': o.weight_window_s = atoi(optarg); break;
		case 'b': o.ban_s = atoi(optarg); break;
		case 'l': o.slow_ms = atoi(optarg); break;
		case 'D': o.ws_drop_every_s = atoi(optarg); break;
		case 'E': o.ws_silence_every_s = atoi(optarg); break;
		case 'Q': o.ws_silence_s = atoi(optarg); break;
		case 'M':
		case 'U':
		case 'R':
			if (fb_parse_double(optarg, &d) || d < 0 || d >= 1) {
				cli_error("simex: fault rates are fractions below 1, got '%s'",
				          optarg);
				return CLI_USAGE;
			}
			*(c == 'M'   ? &o.malformed_rate
			  : c == 'U' ? &o.duplicate_rate
			             : &o.reorder_rate) = d;
			break;
		case 'B': o.reroute_book = 1; break;
		case 'Y': o.history_db = optarg; break;
		case 'G': o.burst_every_s = atoi(optarg); break;
		case 'g': o.burst_s = atoi(optarg); break;
		case 'C':
			if (fb_parse_double(optarg, &d) || d <= 0 || d > 1000) {
				cli_error("simex: --churn %s: expected a number from 0 to 1000",
				          optarg);
				return CLI_USAGE;
			}
			o.churn = d;
			break;
		case 'F': o.firehose = atoi(optarg); break;
		case 'K':
			if (o.ncapture == (int)(sizeof o.capture / sizeof *o.capture)) {
				cli_error("simex: at most %d --capture files",
				          (int)(sizeof o.capture / sizeof *o.capture));
				return CLI_USAGE;
			}
			o.capture[o.ncapture++] = optarg;
			break;
		case 'k': {
			size_t n = strlen(optarg);
			if (strcmp(optarg, "recorded") == 0)
				o.capture_speed = 1, o.capture_max = 0;
			else if (strcmp(optarg, "max") == 0)
				o.capture_max = 1;
			else if (n > 1 && optarg[n - 1] == 'x' && sscanf(optarg, "%lf", &d) == 1 &&
			         d > 0 && d <= 1e6)
				o.capture_speed = d, o.capture_max = 0;
			else {
				cli_error("simex: --rate %s: recorded, max or a speed such as 10x",
				          optarg);
				return CLI_USAGE;
			}
			break;
		}
		case 'L': o.capture_loop = 1; break;
		case 't': o.truth_path = optarg; break;
		case 'T': o.truth_intervals = optarg; break;
		case 'X': { /* binance, bybit, or both: "binance,bybit" */
			char buf[64];
			snprintf(buf, sizeof buf, "%s", optarg);
			o.venues = 0;
			for (char *save, *t = strtok_r(buf, ", ", &save); t;
			     t = strtok_r(NULL, ", ", &save)) {
				if (strcmp(t, "binance") == 0)
					o.venues |= SIMEX_BINANCE;
				else if (strcmp(t, "bybit") == 0)
					o.venues |= SIMEX_BYBIT;
				else {
					cli_error(
					        "simex: --exchange %s: expected binance, bybit or "
					        "binance,bybit",
					        optarg);
					return CLI_USAGE;
				}
			}
			if (!o.venues) {
				cli_error("simex: --exchange: no exchange named");
				return CLI_USAGE;
			}
			break;
		}
		case 1001: o.bybit_limit = atoi(optarg); break;
		case 1002: { /* SYMBOL:MINUTES, up to SIMEX_MAX_SWITCHES times */
			static char sym[SIMEX_MAX_SWITCHES][32];
			static int given;
			const char *colon = strchr(optarg, ':');
			if (!colon || colon == optarg ||
			    (size_t)(colon - optarg) >= sizeof sym[0]) {
				cli_error(
				        "simex: --bybit-funding-switch %s: expected SYMBOL:MINUTES",
				        optarg);
				return CLI_USAGE;
			}
			if (given == SIMEX_MAX_SWITCHES) {
				cli_error("simex: --bybit-funding-switch: at most %d",
				          SIMEX_MAX_SWITCHES);
				return CLI_USAGE;
			}
			snprintf(sym[given], sizeof sym[given], "%.*s", (int)(colon - optarg),
			         optarg);
			o.bybit_switch_symbol[given] =
			        sym[given]; /* the first replaces the default */
			o.bybit_switch_minutes[given] = atoi(colon + 1);
			o.nbybit_switch = ++given;
			break;
		}
		case 1003: o.bybit_oi_both = 1; break;
		case 'h': return cli_help("simex");
		default: return cli_usage("simex");
		}
	}
	if (optind < argc) {
		cli_error("simex: unexpected argument '%s'", argv[optind]);
		return cli_usage("simex");
	}
	if (o.port < 0 || o.port > 65535 || o.history_minutes < 0 || o.weight_limit < 1 ||
	    o.weight_window_s < 1 || o.bybit_limit < 1) {
		cli_error(
		        "simex: --port, --history-minutes, --weight-limit and --weight-window must "
		        "be in range");
		return CLI_USAGE;
	}
	char err[512];
	if (signals_install()) {
		cli_error("simex: cannot install signal handlers");
		return CLI_FAIL;
	}
	Simex *s = simex_start(&o, err, sizeof err);
	if (!s) {
		cli_error("%s", err);
		return CLI_FAIL;
	}
	printf("simex listening on http://127.0.0.1:%d (%s)\n", simex_port(s),
	       o.venues == (SIMEX_BINANCE | SIMEX_BYBIT) ? "binance, bybit"
	       : o.venues == SIMEX_BYBIT                 ? "bybit"
	                                                 : "binance");
	fflush(stdout);
	while (!signals_stop_requested()) {
		struct pollfd p = {.fd = signals_fd(), .events = POLLIN};
		poll(&p, 1, 1000);
		signals_drain();
	}
	SimexStats st;
	simex_get_stats(s, &st);
	log_info("simex",
	         "stopping: %llu requests, %llu rate-limited, %llu banned, %llu violations",
	         (unsigned long long)st.requests, (unsigned long long)st.rate_limited,
	         (unsigned long long)st.banned, (unsigned long long)st.violations);
	return simex_stop(s) ? CLI_FAIL : CLI_OK;
}
