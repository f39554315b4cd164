#!/bin/sh
# Network integration on loopback only: futuresboard backfill against futuresboard simex.
#  1. every candle stored equals simex's ground truth, and every true candle in the window is
#     stored; candles missing at the source are reported once and not fetched again;
#  2. a client that hits the weight limit waits out Retry-After: simex counts no request inside
#     a Retry-After window, while a client that ignores it is banned (418);
#  3. a slow exchange gives timeouts, retries and a clear error, never a hang.
# Usage: net_backfill.sh BINARY WORKDIR
set -u
FB=$1 WORK=$2
rm -rf "$WORK" && mkdir -p "$WORK" || exit 1
. "$(dirname "$0")/lib.sh"
field() { sed -n "s/.*backfill: .* $1=\([0-9]*\).*/\1/p" "$2"; }

# start_simex NAME ARGS...: starts simex, sets PORT and PID
start_simex() {
	name=$1
	shift
	"$FB" simex --port 0 "$@" >"$WORK/$name.out" 2>"$WORK/$name.err" &
	PID=$!
	i=0
	while ! grep -q listening "$WORK/$name.out" 2>/dev/null; do
		i=$((i + 1))
		[ $i -gt 100 ] && { bad "$name did not start"; cat "$WORK/$name.err" >&2; return 1; }
		sleep 0.1
	done
	PORT=$(sed -n 's/.*127.0.0.1:\([0-9]*\).*/\1/p' "$WORK/$name.out")
}
stop_simex() {
	kill -TERM "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}

# --- 1. ground truth ---
# The simulated clock all but stands still here, so the second run sees the same market.
start_simex truth --seed 11 --speed 0.001 --history-minutes 1500 --missing-rate 0.003 \
	--truth "$WORK/truth.csv" --truth-intervals "1m 5m 15m 1h" || exit 1
FBX="$FB --db $WORK/bf.db --set binance.rest_url=http://127.0.0.1:$PORT --set binance.label=simex"
$FBX backfill --top 5 --interval 1m,5m,15m,1h >"$WORK/run1" 2>"$WORK/run1.err" && ok || bad "first backfill failed: $(cat "$WORK/run1.err")"
$FBX backfill --top 5 --interval 1m,5m,15m,1h >"$WORK/run2" 2>"$WORK/run2.err" && ok || bad "second backfill failed"
stop_simex "$PID"
has "$WORK/run1" "backfill: 20 series" "20 series backfilled"
[ "$(field candles_added "$WORK/run1")" -gt 5000 ] && ok || bad "too few candles added: $(cat "$WORK/run1")"
[ "$(field gaps_unfillable "$WORK/run1")" -gt 0 ] && ok || bad "no source gaps reported with --missing-rate"
has "$WORK/run2" "gaps_found=0 gaps_fixed=0 candles_added=0" "second run finds nothing to do"
has "$WORK/run2" "gaps_unfillable=0" "source gaps are not fetched again"
sed -n 's/.*, \([0-9]*\) known from earlier runs.*/\1/p' "$WORK/run2" | grep -qv '^0$' && ok || bad "known source gaps not remembered"

"$FB" --db "$WORK/truth.db" import --kind klines "$WORK/truth.csv" >"$WORK/truth.import" 2>&1 && ok || bad "truth import: $(cat "$WORK/truth.import")"
# Both sides as indexed temporary tables, then: stored rows that differ from or are absent in
# the truth, and true rows inside each stored series' window that were not stored.
read -r wrong lost <<EOF2
$(sqlite3 -separator ' ' "$WORK/bf.db" "ATTACH '$WORK/truth.db' AS t;
  CREATE TEMP TABLE a AS SELECT * FROM main.v_candles WHERE closed = 1;
  CREATE TEMP TABLE b AS SELECT * FROM t.v_candles;
  CREATE INDEX temp.ai ON a (symbol, interval, open_time);
  CREATE INDEX temp.bi ON b (symbol, interval, open_time);
  SELECT
   (SELECT count(*) FROM a WHERE NOT EXISTS (SELECT 1 FROM b
     WHERE b.symbol = a.symbol AND b.interval = a.interval AND b.open_time = a.open_time
       AND b.close_time = a.close_time AND b.open = a.open AND b.high = a.high AND b.low = a.low
       AND b.close = a.close AND b.volume = a.volume AND b.quote_volume = a.quote_volume
       AND b.trades = a.trades AND b.taker_buy_volume = a.taker_buy_volume
       AND b.taker_buy_quote_volume = a.taker_buy_quote_volume)),
   (SELECT count(*) FROM b JOIN (SELECT symbol, interval, min(open_time) AS lo,
      max(open_time) AS hi FROM a GROUP BY 1, 2) w USING (symbol, interval)
    WHERE b.open_time BETWEEN w.lo AND w.hi AND NOT EXISTS (SELECT 1 FROM a
      WHERE a.symbol = b.symbol AND a.interval = b.interval AND a.open_time = b.open_time));")
EOF2
[ "$wrong" = 0 ] && ok || bad "$wrong stored candles differ from the ground truth"
[ "$lost" = 0 ] && ok || bad "$lost true candles inside the window were not stored"
stored=$(sqlite3 "$WORK/bf.db" "SELECT count(*) FROM candles")
dups=$(sqlite3 "$WORK/bf.db" "SELECT count(*) - count(DISTINCT series_id || ':' || open_time) FROM candles")
[ "$dups" = 0 ] && [ "$stored" -gt 5000 ] && ok || bad "stored $stored candles, $dups duplicates"
# db check knows the gaps are the exchange's own
"$FB" --db "$WORK/bf.db" db check --interval 1m >"$WORK/check" 2>&1 && ok || bad "db check counts source gaps as problems"
has "$WORK/check" "missing at the source (not a problem)" "db check names source gaps"

# --- 1b. rows the client refuses are asked for again, never recorded as missing at the source
start_simex badrows --seed 12 --speed 0.001 --history-minutes 600 --bad-rows 0.02 || exit 1
FBB="$FB --db $WORK/bad.db --set binance.rest_url=http://127.0.0.1:$PORT --set binance.label=simex"
$FBB backfill --top 2 --interval 1m >"$WORK/bad1" 2>"$WORK/bad1.err"
grep -q "rows of an answer refused" "$WORK/bad1.err" "$WORK/bad1" && ok || bad "no refused rows reported: $(cat "$WORK/bad1.err")"
n=$(sqlite3 "$WORK/bad.db" "SELECT count(*) FROM source_gaps")
[ "$n" = 0 ] && ok || bad "$n source gaps recorded for rows that were refused"
# a few more passes (each refuses other rows) leave nothing missing
for k in 2 3 4 5 6; do $FBB backfill --top 2 --interval 1m >"$WORK/bad$k" 2>&1; done
"$FB" --db "$WORK/bad.db" db check --interval 1m >"$WORK/badcheck" 2>&1 && ok || bad "gaps left after refused rows: $(tail -3 "$WORK/badcheck")"
stop_simex "$PID"

# --- 2. rate limits: a low budget forces a 429; the client must wait it out ---
start_simex limit --seed 3 --speed 60 --history-minutes 600 --weight-limit 60 --weight-window 8 --ban-seconds 3 || exit 1
FBX="$FB --db $WORK/limit.db --set binance.rest_url=http://127.0.0.1:$PORT --set binance.label=simex"
$FBX backfill --top 4 --interval 1m,5m,15m >"$WORK/limit.run" 2>"$WORK/limit.err" && ok || bad "rate-limited backfill failed: $(cat "$WORK/limit.err")"
stats=$(curl -s "http://127.0.0.1:$PORT/simex/stats")
echo "$stats" | grep -q '"rate_limited":[1-9]' && ok || bad "the weight limit was never hit: $stats"
echo "$stats" | grep -q '"violations":0,' && ok || bad "requests went out inside a Retry-After window: $stats"
has "$WORK/limit.run" "backfill: 12 series" "rate-limited backfill completed"
# a client that ignores Retry-After is banned
for i in $(seq 1 30); do curl -s -o /dev/null "http://127.0.0.1:$PORT/fapi/v1/ticker/24hr"; done
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/fapi/v1/time")
[ "$code" = 418 ] && ok || bad "no ban for a client that ignores Retry-After (HTTP $code)"
stop_simex "$PID"

# --- 2b. a restart loop: a collector killed inside a Retry-After window leaves it recorded, and
# the next one honours it (no request inside the window, so no ban)
start_simex relimit --seed 4 --speed 60 --history-minutes 600 --weight-limit 60 --weight-window 8 --ban-seconds 20 || exit 1
FBC="$FB --db $WORK/relimit.db --set binance.rest_url=http://127.0.0.1:$PORT
  --set binance.ws_url=ws://127.0.0.1:$PORT --set binance.label=simex --set feed.top_n=4
  --set feed.intervals=1m,5m,15m"
$FBC --set "log.file=$WORK/relimit1.log" collect --health-port -1 >/dev/null 2>&1 &
C=$!
wait_line "$WORK/relimit1.log" "Retry-After" || bad "the first collector never hit the weight limit"
sleep 1.5 # the record of it committed
kill -9 "$C"
wait "$C" 2>/dev/null
$FBC --set "log.file=$WORK/relimit2.log" collect --health-port -1 >"$WORK/relimit2.out" 2>&1 &
C=$!
# REST is held, the streams run: the websocket job says so itself (within 10 s of the start,
# however slow the machine)
wait_line "$WORK/relimit2.out" "health on" || bad "the second collector did not start"
HP=$(sed -n 's/.*health on http:\/\/127.0.0.1:\([0-9]*\).*/\1/p' "$WORK/relimit2.out" | head -1)
i=0 ws_age=
while [ $i -lt 40 ]; do
	curl -s "http://127.0.0.1:$HP/health" >"$WORK/relimit2.health"
	ws_age=$(sed -n 's/.*"websocket":{"last_success_ts":[0-9]*,"last_error":"[^"]*","consecutive_failures":[0-9]*,"age_s":\([0-9-]*\).*/\1/p' "$WORK/relimit2.health")
	[ -n "$ws_age" ] && [ "$ws_age" -ge 0 ] && break
	i=$((i + 1))
	sleep 0.25
done
grep -q '"state":"throttled until\|"state":"banned until' "$WORK/relimit2.health" || echo "(the hold was over before the streams ran: a slow machine)"
[ -n "$ws_age" ] && [ "$ws_age" -ge 0 ] && [ "$ws_age" -le 2 ] && ok || bad "the websocket job's last success is ${ws_age:-?} s old while REST is held: $(cat "$WORK/relimit2.health")"
sleep 1
kill -INT "$C"
wait "$C" 2>/dev/null
has "$WORK/relimit2.log" "an earlier run was rate-limited" "the next process knows the earlier 429"
stats=$(curl -s "http://127.0.0.1:$PORT/simex/stats")
echo "$stats" | grep -q '"violations":0,' && ok || bad "a restarted collector asked inside the Retry-After window: $stats"
stop_simex "$PID"

# --- 3. a slow exchange: timeouts and retries end in a clear error ---
start_simex slow --seed 5 --history-minutes 60 --slow-ms 800 || exit 1
FBX="$FB --db $WORK/slow.db --set binance.rest_url=http://127.0.0.1:$PORT --set binance.timeout_ms=200"
start=$(date +%s)
$FBX backfill --symbol BTCUSDT --interval 1m >"$WORK/slow.run" 2>"$WORK/slow.err"
rc=$?
[ "$rc" = 1 ] && ok || bad "slow exchange: exit $rc, expected 1"
has "$WORK/slow.err" "Timeout was reached" "timeout named"
[ $(($(date +%s) - start)) -lt 30 ] && ok || bad "slow exchange: took too long"
stop_simex "$PID"

# --- 4. history mode: simex plays stored candles; backfill gets them back identical ---
FIX=$(dirname "$0")/fixtures
"$FB" --db "$WORK/hist-src.db" import "$FIX/ETHUSDT-5m-2025-01-01.csv" >/dev/null 2>&1 || bad "fixture import"
start_simex hist --history "$WORK/hist-src.db" --start 2025-01-01T00:30Z --speed 20 || exit 1
sleep 1 # the last stored candle closes as the replay starts: let the 5 s grace pass
FBX="$FB --db $WORK/hist.db --set binance.rest_url=http://127.0.0.1:$PORT --set binance.label=binance"
$FBX backfill --symbol ETHUSDT --interval 5m,15m --since 2025-01-01 >"$WORK/hist.run" 2>&1 && ok || bad "history backfill: $(cat "$WORK/hist.run")"
stop_simex "$PID"
diff=$(sqlite3 "$WORK/hist.db" "ATTACH '$WORK/hist-src.db' AS s;
  SELECT count(*) FROM s.v_candles a WHERE NOT EXISTS (SELECT 1 FROM main.v_candles b
    WHERE b.symbol = a.symbol AND b.interval = a.interval AND b.open_time = a.open_time
      AND b.open = a.open AND b.high = a.high AND b.low = a.low AND b.close = a.close
      AND b.volume = a.volume AND b.quote_volume = a.quote_volume AND b.trades = a.trades
      AND b.taker_buy_volume = a.taker_buy_volume);")
[ "$diff" = 0 ] && ok || bad "$diff stored candles did not come back identical from history mode"
# the 15m candle is aggregated from the three 5m ones
sqlite3 "$WORK/hist.db" "SELECT open, high, low, close, volume FROM v_candles WHERE interval = '15m'" >"$WORK/hist15"
has "$WORK/hist15" "3336.09|3350.0|3333.0|3340.02|16203.0" "15m aggregated from the 5m history"

# --- 5. history mode on real data: SOLUSDT 5m, whose volumes went from integers to two
# decimals in April 2025, comes back exactly as stored (nothing rounded to a guessed step) ---
SHARED="$(cd "$(dirname "$0")/../.." && pwd)/shared/data"
if [ -f "$SHARED/klines/SOLUSDT-klines-5m.csv.gz" ]; then
	"$FB" --db "$WORK/sol-src.db" import "$SHARED/klines/SOLUSDT-klines-5m.csv.gz" >/dev/null 2>&1 || bad "import of real SOL 5m"
	start_simex sol --history "$WORK/sol-src.db" --start 2026-02-20T00:00Z --speed 20 --weight-limit 100000 || exit 1
	sleep 1 # the replay starts as the last stored candle closes: let the grace pass
	FBX="$FB --db $WORK/sol.db --set binance.rest_url=http://127.0.0.1:$PORT --set binance.label=binance"
	$FBX backfill --symbol SOLUSDT --interval 5m --since 2024-12-31 >"$WORK/sol.run" 2>&1 && ok || bad "real SOL backfill from history mode: $(tail -3 "$WORK/sol.run")"
	stop_simex "$PID"
	n=$(sqlite3 "$WORK/sol.db" "SELECT count(*) FROM v_candles WHERE interval = '5m'")
	[ "$n" = 119724 ] && ok || bad "real SOL 5m: $n candles came back, 119724 stored"
	diff=$(sqlite3 "$WORK/sol.db" "ATTACH '$WORK/sol-src.db' AS s;
	  SELECT count(*) FROM s.v_candles a WHERE NOT EXISTS (SELECT 1 FROM main.v_candles b
	    WHERE b.symbol = a.symbol AND b.interval = a.interval AND b.open_time = a.open_time
	      AND b.open = a.open AND b.high = a.high AND b.low = a.low AND b.close = a.close
	      AND b.volume = a.volume);")
	[ "$diff" = 0 ] && ok || bad "$diff real SOL 5m candles came back changed from history mode"
else
	echo "net_backfill: ../shared/data is absent: the real SOL history round trip is skipped"
fi

summary net_backfill
