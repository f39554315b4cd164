#!/bin/sh
# Research commands end to end on a real SQLite file: backtest (report, registry, JSON, CSV
# export, determinism, explained insufficient data, bad input), walk-forward, runs list, show,
# compare and export, risk and stress.
# Usage: research.sh BINARY WORKDIR
set -u
FB=$1 WORK=$2
rm -rf "$WORK" && mkdir -p "$WORK" || exit 1
. "$(dirname "$0")/lib.sh"
DB="$WORK/r.db"
F="$FB --db $DB"

# 120 days of hourly candles for two symbols from a seeded random walk with slow cycles, and
# funding every 8 hours
for s in AAAUSDT BBBUSDT; do
	awk -v seed="$([ $s = AAAUSDT ] && echo 7 || echo 11)" 'BEGIN {
		print "open_time,open,high,low,close,volume"
		x = seed; p = 100; t = 1735689600000
		for (i = 0; i < 2880; i++) {
			x = (x * 1103515245 + 12345) % 2147483648; u = x / 2147483648 - 0.5
			o = p; p = p * (1 + 0.012 * u + 0.002 * sin(i / 40))
			h = (o > p ? o : p) * 1.002; l = (o < p ? o : p) * 0.998
			printf "%.0f,%.4f,%.4f,%.4f,%.4f,%.3f\n", t + i * 3600000, o, h, l, p, 100 + 50 * (u + 0.5)
		}
	}' >"$WORK/$s-1h.csv"
	awk 'BEGIN { print "fundingTime,fundingRate"
		for (i = 0; i < 360; i++) printf "%.0f,%.6f\n", 1735689600000 + i * 28800000, 0.0002 * sin(i / 9) }' >"$WORK/$s-funding.csv"
	$F import --symbol $s --interval 1h "$WORK/$s-1h.csv" >/dev/null 2>&1 || bad "import $s"
	$F import --kind funding --symbol $s "$WORK/$s-funding.csv" >/dev/null 2>&1 || bad "import funding $s"
done

# a backtest: report, stored run
$F backtest --strategy ema-cross --symbol AAAUSDT --interval 1h --param fast=8 --param slow=30 \
	>"$WORK/bt1.out" 2>&1 && ok || bad "backtest exit $?: $(cat "$WORK/bt1.out")"
for k in total_return cagr ann_vol sharpe sortino calmar max_drawdown time_under_water \
	win_rate profit_factor expectancy sqn exposure fees funding "per regime" "stored as run 1"; do
	has "$WORK/bt1.out" "$k" "report line $k"
done
# the same inputs give the same run
$F backtest --strategy ema-cross --symbol AAAUSDT --interval 1h --param fast=8 --param slow=30 \
	--json >"$WORK/bt2.json" 2>&1 && ok || bad "backtest --json"
has "$WORK/bt2.json" '"id": 2' "json id"
has "$WORK/bt2.json" '"candles_hash": "fnv1a64:' "json hash"
$F runs compare 1 2 >"$WORK/cmp.out" 2>&1 && ok || bad "runs compare"
has "$WORK/cmp.out" "same candles" "same hash"
[ "$(grep '^sharpe' "$WORK/cmp.out" | awk '{print ($2 == $3)}')" = 1 ] && ok || bad "two runs differ: $(cat "$WORK/cmp.out")"
[ "$(sqlite3 "$DB" "SELECT count(*) FROM backtest_runs")" = 2 ] && ok || bad "runs stored"
t1=$(sqlite3 "$DB" "SELECT count(*) FROM backtest_trades WHERE run_id = 1")
[ "$t1" -gt 5 ] && ok || bad "trades stored: $t1"
[ "$(sqlite3 "$DB" "SELECT count(*) FROM backtest_equity WHERE run_id = 1")" = 2880 ] && ok || bad "equity curve stored"
# no trades, no fees: a threshold no funding reaches
$F backtest --strategy funding-carry --symbol AAAUSDT --interval 1h --param threshold=1 >"$WORK/flat.out" 2>&1 && ok || bad "flat run"
grep -Eq "fees +0.0000" "$WORK/flat.out" && ok || bad "fees without trades: $(cat "$WORK/flat.out")"
has "$WORK/flat.out" "10000.00 -> 10000.00" "flat equity"

$F runs list >"$WORK/list.out" 2>&1 && ok || bad "runs list"
[ "$(grep -c 'AAAUSDT' "$WORK/list.out")" = 3 ] && ok || bad "runs list rows: $(cat "$WORK/list.out")"
$F runs show 1 >"$WORK/show.out" 2>&1 && ok || bad "runs show"
has "$WORK/show.out" "candles fnv1a64:" "show hash"
has "$WORK/show.out" '"fast":8' "show inputs"
$F runs export 1 --dir "$WORK/csv" >/dev/null 2>&1 && ok || bad "runs export"
[ "$(wc -l <"$WORK/csv/run-1-equity.csv")" = 2881 ] && ok || bad "equity csv rows"
[ "$(($(wc -l <"$WORK/csv/run-1-trades.csv") - 1))" = "$t1" ] && ok || bad "trades csv rows"
$F runs show 99 >"$WORK/none.out" 2>&1 && bad "run 99 shown" || ok
has "$WORK/none.out" "no run 99" "unknown run"

# insufficient data is explained
$F backtest --strategy ema-cross --symbol AAAUSDT --interval 1h --from 2025-04-30T00:00 >"$WORK/short.out" 2>&1
[ $? = 1 ] && ok || bad "short range exit"
has "$WORK/short.out" "not enough candles for ema-cross on AAAUSDT 1h: 76 required (a lookback of 26" "required and lookback"
has "$WORK/short.out" "24 received in the range from 2025-04-30" "received"
has "$WORK/short.out" "to the latest at 2025-04-30T23:00" "latest"
has "$WORK/short.out" "start earlier: --from 2025-04-28T22:00" "suggested start"
# with --to: the real latest stored candle, and a fix that works (a later end), not a backfill
$F backtest --strategy ema-cross --symbol AAAUSDT --interval 1h --from 2025-03-01 --to 2025-03-02 >"$WORK/short2.out" 2>&1
[ $? = 1 ] && ok || bad "short range with --to exit"
has "$WORK/short2.out" "to the latest at 2025-04-30T23:00" "latest with --to"
has "$WORK/short2.out" "end later: --to 2025-03-03T02:00" "later end suggested"
grep -q "backfill" "$WORK/short2.out" && bad "backfill suggested with history stored: $(cat "$WORK/short2.out")" || ok
# a range whose indicators would start cold is refused unless --allow-cold
$F backtest --strategy ema-cross --symbol AAAUSDT --interval 1h --from 2025-01-01T10:00 >"$WORK/cold.out" 2>&1
[ $? = 1 ] && ok || bad "cold start accepted"
has "$WORK/cold.out" "warm-up: 10 of 26 bars available before 2025-01-01T10:00" "warm-up shortfall"
has "$WORK/cold.out" "--from 2025-01-02T02:00" "warm start suggested"
$F backtest --strategy ema-cross --symbol AAAUSDT --interval 1h --from 2025-01-01T10:00 --allow-cold >"$WORK/cold2.out" 2>&1 && ok || bad "--allow-cold: $(cat "$WORK/cold2.out")"
has "$WORK/cold2.out" "warm-up            10 of 26 bars available before 2025-01-01T10:00:00.000Z (--allow-cold" "cold run says so"
$F backtest --strategy ema-cross --symbol AAAUSDT --interval 1h --from 2025-02-01 >"$WORK/warm.out" 2>&1 && ok || bad "warm run"
has "$WORK/warm.out" "warm-up            26 of 26 bars available before 2025-02-01" "warm run says so"
# the hash covers the warm-up: a close before --from changes it, and the run records its span
$F backtest --strategy ema-cross --symbol AAAUSDT --interval 1h --from 2025-02-01 --json >"$WORK/h1.json" 2>&1 || bad "hash run 1"
sqlite3 "$DB" "UPDATE candles SET close = close * 1.01 WHERE open_time = 1736002800000" || bad "edit a warm-up close"
$F backtest --strategy ema-cross --symbol AAAUSDT --interval 1h --from 2025-02-01 --json >"$WORK/h2.json" 2>&1 || bad "hash run 2"
h1=$(grep -o '"candles_hash": "[^"]*"' "$WORK/h1.json") h2=$(grep -o '"candles_hash": "[^"]*"' "$WORK/h2.json")
[ -n "$h1" ] && [ "$h1" != "$h2" ] && ok || bad "a warm-up candle changed and the hash did not: $h1"
has "$WORK/h1.json" '"first_open": "2025-01-01T00:00:00.000Z"' "hashed span recorded"
has "$WORK/h1.json" '"warmup": {' "warm-up recorded"
sqlite3 "$DB" "UPDATE candles SET close = close / 1.01 WHERE open_time = 1736002800000"
$F backtest --strategy ema-cross --symbol CCCUSDT --interval 1h >"$WORK/nosym.out" 2>&1
[ $? = 1 ] && ok || bad "missing series exit"
has "$WORK/nosym.out" "no stored candles for CCCUSDT 1h" "missing series"
# bad input: exit 2 with the reason
$F backtest --strategy ema-cross --symbol AAAUSDT --interval 1h --param nope=1 >"$WORK/bad.out" 2>&1
[ $? = 2 ] && ok || bad "bad param exit"
has "$WORK/bad.out" "ema-cross has fast, slow" "param names"
$F backtest --strategy magic --symbol AAAUSDT --interval 1h >"$WORK/bad2.out" 2>&1
[ $? = 2 ] && ok || bad "bad strategy exit"
has "$WORK/bad2.out" "unknown (ema-cross, rsi-reversion" "strategy names"

# walk-forward: windows chosen in sample, scored out of sample
$F backtest --strategy donchian --symbol AAAUSDT --interval 1h --walk-forward train=30d,test=15d \
	--grid n=10,20,40 >"$WORK/wf.out" 2>&1 && ok || bad "walk-forward: $(cat "$WORK/wf.out")"
has "$WORK/wf.out" "walk-forward: 6 windows, 3 combinations each, objective sharpe" "windows"
has "$WORK/wf.out" "mean sharpe: in-sample" "is vs oos"
[ "$(grep -cE '^    2025-.* n=(10|20|40) ' "$WORK/wf.out")" = 6 ] && ok || bad "window rows"
grep -q 'walk_forward' "$WORK/wf.out" && bad "inputs printed" || ok
has "$WORK/wf.out" "every window warmed on the bars before it" "walk-forward warm-up said"
has "$WORK/wf.out" "carried over the boundary (" "boundaries said"
[ "$(sqlite3 "$DB" "SELECT count(*) FROM backtest_runs WHERE params_json LIKE '%walk_forward%'")" = 1 ] && ok || bad "walk-forward run stored"

# risk: per symbol and portfolio, correlations
$F risk --interval 1h >"$WORK/risk.out" 2>&1 && ok || bad "risk: $(cat "$WORK/risk.out")"
has "$WORK/risk.out" "risk: 2 symbols on binance, 2879 1h returns" "risk header"
for k in AAAUSDT BBBUSDT "portfolio (equal)" "correlation of 1h returns"; do has "$WORK/risk.out" "$k" "risk $k"; done
[ "$(awk '$1 == "AAAUSDT" && NF == 3 {print $2}' "$WORK/risk.out")" = "1.000" ] && ok || bad "self correlation"
$F risk --interval 1h --weights AAAUSDT=1 --json >"$WORK/risk.json" 2>&1 && ok || bad "risk --weights"
# all weight on one symbol: the portfolio's VaR is that symbol's
[ "$(sed -n '/"AAAUSDT": {/,/}/s/.*"var95": \(.*\),/\1/p' "$WORK/risk.json" | head -1)" = \
  "$(sed -n '/"portfolio": {/,/}/s/.*"var95": \(.*\),/\1/p' "$WORK/risk.json")" ] && ok || bad "weighted portfolio VaR"
$F risk --interval 1h --weights ZZZ=1 >"$WORK/risk2.out" 2>&1
[ $? = 2 ] && ok || bad "bad weights exit"

# stress a stored run: the same seed gives the same numbers with 1 and 3 threads
$F stress --run 1 --paths 3000 --horizon 90 --threads 1 --json >"$WORK/s1.json" 2>&1 && ok || bad "stress: $(cat "$WORK/s1.json")"
$F stress --run 1 --paths 3000 --horizon 90 --threads 3 --json >"$WORK/s3.json" 2>&1 && ok || bad "stress 3 threads"
cmp -s "$WORK/s1.json" "$WORK/s3.json" && ok || bad "thread count changed the numbers"
for k in '"p99":' '"es99":' '"p_ruin":' '"p_liquidation":' '"time_under_water":'; do has "$WORK/s1.json" "$k" "stress $k"; done
$F stress --run 1 --paths 2000 --horizon 60 --method regime --swans 4 --bands "$WORK/bands.csv" >"$WORK/s.out" 2>&1 && ok || bad "stress regime"
has "$WORK/s.out" "regimes: calm sd" "regime model"
has "$WORK/s.out" "black swans: 4.00 a year" "swans"
[ "$(wc -l <"$WORK/bands.csv")" = 61 ] && ok || bad "bands csv"
# from the backtest flags: the run is stored first
$F stress --strategy donchian --symbol BBBUSDT --interval 1h --paths 500 >"$WORK/s2.out" 2>&1 && ok || bad "stress from flags: $(cat "$WORK/s2.out")"
has "$WORK/s2.out" "(donchian BBBUSDT 1h)" "stress stored its run"
# a run that never trades stays exactly flat under black swans
$F stress --strategy funding-carry --symbol AAAUSDT --interval 1h --param threshold=1 --swans 2 --paths 2000 --json >"$WORK/sflat.json" 2>&1 && ok || bad "stress of a flat run: $(cat "$WORK/sflat.json")"
[ "$(tr -d ' \n' <"$WORK/sflat.json" | grep -o '"return":{[^}]*}')" = '"return":{"p5":0.0,"p50":0.0,"p95":0.0}' ] && ok || bad "a flat run moved under swans: $(grep -A4 '"return"' "$WORK/sflat.json")"
has "$WORK/sflat.json" '"var99": 0.0,' "flat VaR"
$F stress --run 1 --strategy donchian >"$WORK/s4.out" 2>&1
[ $? = 2 ] && ok || bad "stress with both a run and flags"

# warm-up: EMA periods given as parameters are warmed on the history before --from, so the
# same periods as the engine's defaults give the same run (real BTC 1h from ../shared/data)
SHARED="$(cd "$(dirname "$0")/../.." && pwd)/shared/data"
if [ -f "$SHARED/klines/BTCUSDT-klines-1h.csv.gz" ]; then
	RB="$FB --db $WORK/btc.db"
	$RB import --symbol BTCUSDT --interval 1h "$SHARED/klines/BTCUSDT-klines-1h.csv.gz" >/dev/null 2>&1 || bad "import of real BTC 1h"
	$RB backtest --strategy ema-cross --symbol BTCUSDT --interval 1h --from 2025-04-30 --to 2025-07-29 --json >"$WORK/warm1.json" 2>&1 || bad "ema-cross with the engine's periods"
	$RB backtest --strategy ema-cross --symbol BTCUSDT --interval 1h --from 2025-04-30 --to 2025-07-29 --param fast=12 --param slow=26 --json >"$WORK/warm2.json" 2>&1 || bad "ema-cross with the same periods as parameters"
	for k in trades sharpe total_return; do
		a=$(grep -o "\"$k\":[^,}]*" "$WORK/warm1.json" | head -1)
		b=$(grep -o "\"$k\":[^,}]*" "$WORK/warm2.json" | head -1)
		[ -n "$a" ] && [ "$a" = "$b" ] && ok || bad "warm-up: $k differs with explicit periods: $a vs $b"
	done
	# liquidations: the whole margin is lost (plus the fee), and with mark-price candles
	# stored the trigger is the mark: one of the six last-price liquidations of this run is
	# not breached by the mark in that hour (it is an hour later)
	$RB import --kind funding --symbol BTCUSDT "$SHARED/funding/BTCUSDT-fundingRate.csv.gz" >/dev/null 2>&1 || bad "import of real BTC funding"
	liqs() { sqlite3 "$WORK/btc.db" "SELECT exit_time FROM backtest_trades WHERE run_id = (SELECT max(id) FROM backtest_runs) AND liquidated = 1 ORDER BY 1"; }
	$RB backtest --strategy ema-cross --symbol BTCUSDT --interval 1h --leverage 20 --fraction 0.5 >"$WORK/liq1.out" 2>&1 || bad "leveraged run: $(cat "$WORK/liq1.out")"
	has "$WORK/liq1.out" "liquidation        on last-price wicks (no mark-price candles stored)" "last-price trigger said"
	liqs >"$WORK/liq1.txt"
	[ "$(sqlite3 "$WORK/btc.db" "SELECT count(*) FROM backtest_trades WHERE run_id = (SELECT max(id) FROM backtest_runs) AND liquidated = 1 AND pnl > -qty * entry_price / 20")" = 0 ] && ok || bad "a liquidation lost less than its margin"
	$RB import "$SHARED/mark/BTCUSDT-markPriceKlines-1h.csv.gz" >"$WORK/mark.out" 2>&1 && ok || bad "import of mark-price candles: $(cat "$WORK/mark.out")"
	has "$WORK/mark.out" "mark BTCUSDT 1h:" "mark import"
	$RB backtest --strategy ema-cross --symbol BTCUSDT --interval 1h --leverage 20 --fraction 0.5 >"$WORK/liq2.out" 2>&1 || bad "leveraged run on mark"
	has "$WORK/liq2.out" "liquidation        on the mark price" "mark trigger said"
	liqs >"$WORK/liq2.txt"
	[ "$(wc -l <"$WORK/liq1.txt")" = 6 ] && [ "$(wc -l <"$WORK/liq2.txt")" = 6 ] && ok || bad "liquidations: $(wc -l <"$WORK/liq1.txt") on last, $(wc -l <"$WORK/liq2.txt") on mark"
	[ "$(comm -23 "$WORK/liq1.txt" "$WORK/liq2.txt" | wc -l)" = 1 ] && ok || bad "last-price liquidations not breached on mark: $(comm -23 "$WORK/liq1.txt" "$WORK/liq2.txt" | tr '\n' ' ')"
	t=$(comm -23 "$WORK/liq1.txt" "$WORK/liq2.txt")
	[ "$(sqlite3 "$WORK/btc.db" "SELECT count(*) FROM mark_candles m JOIN v_candles c ON c.symbol = m.symbol AND c.interval = m.interval AND c.open_time = m.open_time WHERE m.open_time = ${t:-0} AND m.low > c.low")" = 1 ] && ok || bad "the mark's low at ${t:-?} is not above the last price's"
	# higher intervals built from 5m: db aggregate against Binance's own 1h and 1d, and
	# db check --cross listing the four hours where Binance's own 5m and 1h disagree
	for s in BTCUSDT SOLUSDT; do
		AG="$FB --db $WORK/agg-$s.db" CR="$FB --db $WORK/cross-$s.db"
		$AG import "$SHARED/klines/$s-klines-5m.csv.gz" >/dev/null 2>&1 || bad "import $s 5m"
		$AG export candles --symbol $s --interval 1h >"$WORK/none.csv" 2>"$WORK/otf.err" && ok || bad "export of a 1h built on the fly: $(cat "$WORK/otf.err")"
		has "$WORK/otf.err" "$s 1h built from 5m (9977 new" "built on the fly, said"
		[ "$(wc -l <"$WORK/none.csv")" = 9978 ] && ok || bad "$s 1h built on the fly: $(wc -l <"$WORK/none.csv") lines"
		$AG db aggregate --symbol $s --to 1h,1d >"$WORK/agg.out" 2>&1 && ok || bad "db aggregate: $(cat "$WORK/agg.out")"
		has "$WORK/agg.out" "binance $s 1h from 5m: 0 built, 0 skipped incomplete, 9977 unchanged" "aggregate 1h idempotent"
		has "$WORK/agg.out" "binance $s 1d from 5m: 415 built, 1 skipped incomplete, 0 unchanged" "aggregate 1d"
		[ "$(sqlite3 "$WORK/agg-$s.db" "SELECT derived_from FROM series WHERE interval = '1h'")" = 5m ] && ok || bad "1h not marked derived"
		$AG db check --symbol $s --interval 1h >"$WORK/aggcheck.out" 2>&1
		has "$WORK/aggcheck.out" "binance $s 1h (built from 5m): 9977 candles" "db check marks a built series"
		$CR import "$SHARED/klines/$s-klines-5m.csv.gz" "$SHARED/klines/$s-klines-1h.csv.gz" "$SHARED/klines/$s-klines-1d.csv.gz" >"$WORK/imp3.out" 2>&1 || bad "import $s 5m 1h 1d"
		# the 1h file's last candle (17:00) closes after the 5m data's end (16:55 + 5m): it was
		# still open when downloaded, and is stored so
		has "$WORK/imp3.out" "1 candles closing after the end of the finest file's data stored as not closed" "open tail said"
		[ "$(sqlite3 "$WORK/cross-$s.db" "SELECT interval || ' ' || open_time FROM v_candles WHERE closed = 0")" = "1h 1771520400000" ] && ok || bad "open tail of the 1h file not marked"
		for iv in 1h 1d; do
			eq=$(sqlite3 "$WORK/agg-$s.db" "ATTACH '$WORK/cross-$s.db' AS x; SELECT count(*) FROM v_candles a JOIN x.v_candles b USING (symbol, interval, open_time) WHERE a.interval = '$iv' AND (a.open, a.high, a.low, a.close, a.volume) IS (b.open, b.high, b.low, b.close, b.volume)")
			all=$(sqlite3 "$WORK/agg-$s.db" "ATTACH '$WORK/cross-$s.db' AS x; SELECT count(*) FROM v_candles a JOIN x.v_candles b USING (symbol, interval, open_time) WHERE a.interval = '$iv'")
			want=$([ $iv = 1h ] && echo "9973 9977" || echo "412 414")
			[ "$eq $all" = "$want" ] && ok || bad "$s $iv built from 5m: $eq of $all equal to Binance's (want $want)"
		done
		$CR db check --cross --symbol $s >"$WORK/cross.out" 2>&1
		[ $? = 1 ] && ok || bad "db check --cross exit with differences"
		has "$WORK/cross.out" "binance $s 1h against 1h built from 5m: 9973 equal, 4 differ" "cross 1h"
		for t in 2025-01-14T13:00 2025-01-14T15:00 2025-01-29T01:00 2025-01-29T02:00; do
			has "$WORK/cross.out" "binance $s 1h $t:00.000Z: " "cross lists $t"
		done
		$CR db aggregate --symbol $s --to 1h >"$WORK/agg2.out" 2>&1
		has "$WORK/agg2.out" "the exchange's own candles are stored; not built" "exchange series kept"
	done
	$FB --db "$WORK/cross-BTCUSDT.db" db check --cross --symbol BTCUSDT --interval 1h >"$WORK/cross-btc.out" 2>&1
	has "$WORK/cross-btc.out" "binance BTCUSDT 1h 2025-01-14T13:00:00.000Z: volume 21800.976 (built from 5m: 19827.845)" "BTC 2025-01-14 13:00 volumes"
	# walk-forward: one choice for every window is the plain warm run over the test range
	# (warm training and test windows, positions carried over the boundaries)
	$RB backtest --strategy ema-cross --symbol BTCUSDT --interval 1h --walk-forward train=90d,test=30d \
		--grid fast=12 --grid slow=26 --json >"$WORK/wf1.json" 2>&1 || bad "real walk-forward: $(cat "$WORK/wf1.json")"
	from=$(grep -o '"test_from": "[^"]*"' "$WORK/wf1.json" | head -1 | cut -d'"' -f4)
	$RB backtest --strategy ema-cross --symbol BTCUSDT --interval 1h --from "$from" --param fast=12 --param slow=26 --json >"$WORK/wf2.json" 2>&1 || bad "plain run from $from"
	for k in trades sharpe total_return fees; do
		a=$(grep -o "\"$k\": [^,}]*" "$WORK/wf1.json" | tail -1)
		b=$(grep -o "\"$k\": [^,}]*" "$WORK/wf2.json" | tail -1)
		[ -n "$a" ] && [ "$a" = "$b" ] && ok || bad "walk-forward with one choice: $k $a vs the plain run's $b"
	done
	c=$(grep -o '"boundaries_carried": [0-9]*' "$WORK/wf1.json" | grep -o '[0-9]*$')
	[ "${c:-0}" -ge 5 ] && ok || bad "positions carried over only ${c:-0} boundaries"
else
	echo "research: ../shared/data is absent: the real-data warm-up check is skipped"
fi

summary research
