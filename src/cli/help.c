/* Per-command help: every option of a command on its own line with its default, as
 * `futuresboard COMMAND --help` and `futuresboard help COMMAND` print it; and "did you mean"
 * for a mistyped command. Main thread. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/suggest.h"

typedef struct {
	const char *command;
	const char *options; /* one "  --option ARG   what (default)" a line */
} CliHelp;

static const CliHelp helps[] = {
        {"live",
         "  --health-port N      the health server's port; 0 turns it off, -1 any free port\n"
         "                       (default: health.port, 8787)\n"},
        {"attach",
         "  --exchange E         the exchange to show (default: the collector's, from the\n"
         "                       database; its timeframes too)\n"},
        {"replay",
         "  --from T             start of the replay, ISO-8601 UTC or epoch ms (default: the\n"
         "                       first stored candle)\n"
         "  --to T               end of the replay (default: the last stored candle)\n"
         "  --speed X            starting speed, 1 to 10000 times real time (default 60)\n"
         "  --exchange E         the exchange to replay (default: binance.label)\n"},
        {"demo",
         "  --speed X            the simulated market's speed, above 0 to 10000 (default 10)\n"
         "  --plain              print the top table as text instead of the dashboard\n"
         "  --seconds N          stop after N seconds (plain text; default: until Ctrl-C)\n"},
        {"import",
         "  --symbol S           the symbol (default: from the file name)\n"
         "  --interval I         the interval (default: from the file name)\n"
         "  --exchange E         the exchange label stored (default: binance.label)\n"
         "  --kind K             klines, funding or mark (mark-price candles; default: from\n"
         "                       the file name)\n"
         "  --max-rejects N      rejected lines listed per file (default: all)\n"
         "  FILE|-               CSV files, plain or gzip; - reads standard input\n"},
        {"export",
         "  candles|funding|metrics|alerts|features   what to write (default candles)\n"
         "  --symbol S[,S...]    symbols (default: all; features needs one)\n"
         "  --interval I         the interval (default: all; features needs one)\n"
         "  --metric M           a metric name (metrics only; default: all)\n"
         "  --exchange E         the exchange (default: binance.label)\n"
         "  --from T, --to T     the time range, ISO-8601 UTC or epoch ms (default: all)\n"
         "  -o FILE              write to FILE, atomically (default: standard output)\n"},
        {"db",
         "  check                gaps, off-grid open times and bad OHLC per series (exit 1 on\n"
         "                       findings)\n"
         "    --symbol S         one symbol (default: all)\n"
         "    --interval I       one interval (default: all)\n"
         "    --max-listed N     gaps listed per series (default 10)\n"
         "    --cross            also compare each interval of the exchange's with the same\n"
         "                       built from a lower one, candle by candle\n"
         "  stats                rows and spans per series, funding, metrics, alerts\n"
         "  migrate              open for writing, which brings the schema up to date\n"
         "  aggregate            build higher intervals from the lowest stored one\n"
         "    --to I[,I...]      the intervals to build (required)\n"
         "    --from I           the interval to build from (default: the lowest stored)\n"
         "    --symbol S         one symbol (default: all)\n"
         "    --exchange E       one exchange (default: all)\n"},
        {"backfill",
         "  --symbol S[,S...]    symbols (default: the top N by 24h quote volume)\n"
         "  --interval I[,I...]  intervals (default: feed.intervals)\n"
         "  --since T            from this time, ISO-8601 UTC or epoch ms (default: the\n"
         "                       lookback of feed.lookback candles)\n"
         "  --top N              how many top symbols (default: feed.top_n, 20)\n"
         "  --exchange E         binance or bybit (default: the first of exchanges.enabled)\n"},
        {"backtest",
         "  --strategy NAME      ema-cross, rsi-reversion, zscore-reversion, donchian or\n"
         "                       funding-carry (required)\n"
         "  --symbol S           the symbol (required)\n"
         "  --interval I         the candles' interval (required)\n"
         "  --from T, --to T     the range, ISO-8601 UTC or epoch ms (default: all stored)\n"
         "  --param K=V          a strategy parameter, again for more (default: the\n"
         "                       strategy's, see the man page)\n"
         "  --fee-bps X          fee per fill in basis points of notional (default 4)\n"
         "  --slippage-bps X     slippage per fill against the trader (default 1)\n"
         "  --funding on|off     pay and receive funding (default on)\n"
         "  --leverage X         leverage, 1 or more (default 1)\n"
         "  --fraction X         share of equity as margin per position (default 1)\n"
         "  --sizing fixed|vol   fixed fraction or volatility target (default fixed)\n"
         "  --target-vol X       annualised volatility target for --sizing vol (default 0.5)\n"
         "  --no-short           long only (default: long and short)\n"
         "  --initial X          starting equity (default 10000)\n"
         "  --liquidation-fee-bps X  clearance fee of a liquidation on notional (default 50)\n"
         "  --allow-cold         run even when fewer bars than the strategy's lookback are\n"
         "                       stored before --from (default: refused)\n"
         "  --exchange E         the exchange (default: binance.label)\n"
         "  --json               the report as JSON (default: text)\n"
         "  --export DIR         write run-ID-equity.csv and run-ID-trades.csv to DIR\n"
         "  --walk-forward train=90d,test=30d   walk-forward windows instead of one run\n"
         "  --grid K=V1,V2,...   parameter values to choose from per window, again for more\n"
         "  --objective F        sharpe, sortino, calmar, cagr, total_return, profit_factor,\n"
         "                       expectancy or sqn (default sharpe)\n"},
        {"runs",
         "  list [--limit N]     the newest runs (default 50)\n"
         "  show ID [--json]     a run's inputs, version, candle hash and report\n"
         "  compare ID ID...     runs side by side, and whether their candles match\n"
         "  export ID [--dir D]  a run's equity and trades as CSV (default: this folder)\n"},
        {"risk",
         "  --symbol S[,S...]    symbols (default: every symbol stored at the interval)\n"
         "  --interval I         the returns' interval (default 1d)\n"
         "  --from T, --to T     the range (default: the candles all symbols share)\n"
         "  --exchange E         the exchange (default: binance.label)\n"
         "  --weights S=W,...    portfolio weights (default: equal)\n"
         "  --target-vol X       annualised volatility target for the exposure (default 0.5)\n"
         "  --json               as JSON (default: text)\n"},
        {"stress", "  --run ID             a stored run's daily returns (or the backtest options)\n"
                   "  --method M           bootstrap or regime (default bootstrap)\n"
                   "  --paths N            simulated paths (default 10000)\n"
                   "  --horizon DAYS       days per path (default 365)\n"
                   "  --block L            bootstrap block length in days (default 5)\n"
                   "  --seed N             the generator's seed (default 1)\n"
                   "  --threads N          threads; any count gives the same numbers (default 1)\n"
                   "  --vol-scale on|off   scale to the last 30 days' volatility (default on)\n"
                   "  --swans PER_YEAR     black swans a year (default 0)\n"
                   "  --swan-gap X         a swan's gap against the position (default 0.2)\n"
                   "  --swan-vol X         a swan's volatility multiple (default 3)\n"
                   "  --swan-days N        a swan's length in days (default 5)\n"
                   "  --swan-slippage-bps X  slippage during a swan (default 50)\n"
                   "  --swan-funding X     funding per period during a swan (default 0.003)\n"
                   "  --ruin X             the loss that is ruin (default 0.5)\n"
                   "  --bands FILE         write the 5/50/95% equity bands per day as CSV\n"
                   "  --json               as JSON (default: text)\n"},
        {"collect",
         "  --health-port N      the health server's port; 0 turns it off, -1 any free port\n"
         "                       (default: health.port, 8787)\n"},
        {"health",
         "  --port N             the collector's health port (default: health.port, 8787)\n"
         "  --json               the raw /health document (default: text for people)\n"},
        {"simex",
         "  --port N             the port on 127.0.0.1; 0 any free one (default 0)\n"
         "  --exchange E[,E]     binance, bybit or binance,bybit: the protocols served on\n"
         "                       the port, from one market model (default binance)\n"
         "  --bybit-limit N      Bybit requests per 5 s before a 403 ban (default 600)\n"
         "  --bybit-funding-switch SYMBOL:MINUTES   Bybit's funding interval of SYMBOL goes\n"
         "                       from 8 h to 4 h this many minutes after the start (before\n"
         "                       it when negative); up to 4 times (default ETHUSDT:30)\n"
         "  --bybit-oi-both      Bybit's open interest as both sides only, without\n"
         "                       singleOpenInterest\n"
         "  --seed N             the market model's seed (default 1)\n"
         "  --speed X            simulated time per real second (default 1)\n"
         "  --start T            the market's start time (default: now)\n"
         "  --history-minutes N  history served before the start (default 4320)\n"
         "  --history DB         replay stored candles instead of the model\n"
         "  --instruments FILE   the instrument list (default: the installed one)\n"
         "  --missing-rate P     share of 1m candles missing at the source (default 0)\n"
         "  --bad-rows P         share of REST kline rows sent with a negative high (default 0)\n"
         "  --weight-limit N     REST weight per window (default 2400)\n"
         "  --weight-window S    the weight window in seconds (default 60)\n"
         "  --ban-seconds N      the 418 ban's length (default 120)\n"
         "  --ws-drop-every S    drop WebSocket connections every S seconds (default: never)\n"
         "  --ws-silence-every S --ws-silence S   go silent every S seconds, for S seconds\n"
         "  --malformed-rate P   share of malformed messages (default 0)\n"
         "  --duplicate-rate P   share of duplicated messages (default 0)\n"
         "  --reorder-rate P     share of reordered messages (default 0)\n"
         "  --reroute-book       serve the book stream on the wrong route (a fault)\n"
         "  --slow-ms N          delay every REST answer (default 0)\n"
         "  --burst-every S --burst S   bursts of messages every S seconds, for S seconds\n"
         "  --churn X            the ranking's churn (default 1)\n"
         "  --firehose N         extra kline updates per stream per 100 ms (benchmarks)\n"
         "  --capture FILE       serve the streams of recorded traffic from FILE (again for\n"
         "                       more files), in the recorded order (default: none)\n"
         "  --rate R             recorded (the recorded pace), Nx (N times it) or max (as\n"
         "                       fast as the client takes them) (default recorded)\n"
         "  --loop               start the capture over at its end (default: stop)\n"
         "  --truth FILE         write the ground truth (candles) to FILE\n"
         "  --truth-intervals LIST   its intervals (default: 1m 5m 15m 1h 4h 1d)\n"},
        {"config", "  (no options) the effective configuration and where each value came from\n"},
        {"keys", "  (no options) every key of the dashboard, by screen\n"},
        {NULL, NULL},
};

int cli_help(const char *command)
{
	const CliCommand *c = NULL;
	for (const CliCommand *k = cli_commands; k->name; k++)
		if (strcmp(k->name, command) == 0)
			c = k;
	if (!c) {
		cli_unknown_command(command);
		return CLI_USAGE;
	}
	printf("usage: futuresboard [global options] %s %s\n\n%s.\n\noptions:\n", c->name, c->usage,
	       c->summary);
	for (const CliHelp *h = helps; h->command; h++)
		if (strcmp(h->command, command) == 0)
			fputs(h->options, stdout);
	printf("\nglobal options: futuresboard --help; more in futuresboard(1).\n");
	return CLI_OK;
}

void cli_unknown_command(const char *name)
{
	const char *best = NULL;
	size_t bd = 99;
	for (const CliCommand *c = cli_commands; c->name; c++) {
		size_t d = fb_edit_distance(name, c->name);
		if (d < bd) {
			bd = d;
			best = c->name;
		}
	}
	if (best && bd <= 2 && bd < strlen(name))
		cli_error(
		        "unknown command '%s'; did you mean '%s'? (futuresboard --help lists them)",
		        name, best);
	else
		cli_error("unknown command '%s' (try 'futuresboard --help')", name);
}
