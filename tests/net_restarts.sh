#!/bin/sh
# Restarts on loopback only: a collector against simex (60x speed) is killed with SIGKILL at a
# random moment, KILLS times in a row, each time restarted at once on the same database (a
# restart loop, as a crashing service manager gives). Then one last run stopped with SIGTERM.
#   after every kill: PRAGMA integrity_check says ok;
#   simex never banned the client (418) and saw no request inside a Retry-After window: each
#   new process honours the limits the last one met;
#   at the end the store is complete: every 1m and 5m candle of the tracked symbols equals
#   simex's ground truth, none missing, from the first stored one to a simulated minute
#   before the stop, and no 5m open-interest or ratio point is missing.
# Usage: net_restarts.sh BINARY WORKDIR [KILLS]
set -u
FB=$1 WORK=$2 KILLS=${3:-30}
rm -rf "$WORK" && mkdir -p "$WORK" || exit 1
. "$(dirname "$0")/lib.sh"

# a small weight budget, and bursts of 429s (2 s in every 13), so the restart loop meets limits
"$FB" simex --port 0 --seed 41 --speed 60 --history-minutes 300 --weight-limit 600 \
	--weight-window 10 --ban-seconds 600 --burst-every 13 --burst 2 --truth "$WORK/truth.csv" --truth-intervals "1m 5m" \
	>"$WORK/simex.out" 2>"$WORK/simex.err" &
SIMEX=$!
wait_line "$WORK/simex.out" listening || { bad "simex did not start"; exit 1; }
PORT=$(sed -n 's/.*127.0.0.1:\([0-9]*\).*/\1/p' "$WORK/simex.out")
FBX="$FB --db $WORK/c.db --set binance.rest_url=http://127.0.0.1:$PORT
  --set binance.ws_url=ws://127.0.0.1:$PORT --set binance.label=simex --set feed.top_n=4
  --set feed.intervals=1m,5m --set feed.gap_check_s=5 --set log.file=$WORK/collect.log
  --set log.level=info"

k=0 broken=0
while [ $k -lt "$KILLS" ]; do
	k=$((k + 1))
	$FBX collect --health-port -1 >"$WORK/run.out" 2>>"$WORK/run.err" &
	C=$!
	# 0.2 to 1.6 s: before, during and after the start-up backfill
	sleep "$(awk -v k=$k 'BEGIN { srand(k); printf "%.1f", 0.2 + rand() * 1.4 }')"
	kill -9 "$C" 2>/dev/null
	wait "$C" 2>/dev/null
	r=$(sqlite3 "$WORK/c.db" "PRAGMA integrity_check" 2>&1)
	[ "$r" = ok ] || { broken=$((broken + 1)); echo "kill $k: integrity_check: $r" >&2; }
done
[ $broken = 0 ] && ok || bad "$broken of $KILLS kills left a database that fails integrity_check"

# down for 16 s (16 simulated minutes: three 5m points), then the last run, long enough for the
# backfill to close every gap the kills and the pause left
sleep 16
$FBX collect --health-port -1 >"$WORK/last.out" 2>"$WORK/last.err" &
C=$!
sleep 22
curl -s "http://127.0.0.1:$PORT/simex/stats" >"$WORK/stats"
T=$(sed -n 's/.*"time":\([0-9]*\).*/\1/p' "$WORK/stats")
kill -TERM "$C"
wait "$C" && ok || bad "the last run failed: $(tail -3 "$WORK/last.err")"
kill -TERM "$SIMEX"
wait "$SIMEX"
has "$WORK/stats" '"banned":0,' "never banned (418)"
has "$WORK/stats" '"violations":0,' "no request inside a Retry-After window"
grep -q '"rate_limited":[1-9]' "$WORK/stats" && ok || echo "(the restarts never met the weight limit: $(cat "$WORK/stats"))"
[ "$(sqlite3 "$WORK/c.db" "PRAGMA integrity_check")" = ok ] && ok || bad "integrity_check after the last run"

"$FB" --db "$WORK/truth.db" import --kind klines "$WORK/truth.csv" >/dev/null 2>&1 || bad "truth import"
read -r wrong lost n <<EOF2
$(sqlite3 -separator ' ' "$WORK/c.db" "ATTACH '$WORK/truth.db' AS t;
  CREATE TEMP TABLE a AS SELECT * FROM main.v_candles;
  CREATE TEMP TABLE b AS SELECT v.* FROM t.v_candles AS v
    WHERE v.symbol IN (SELECT DISTINCT symbol FROM a);
  CREATE INDEX temp.ai ON a (symbol, interval, open_time);
  CREATE INDEX temp.bi ON b (symbol, interval, open_time);
  CREATE TEMP TABLE w AS SELECT symbol, interval, min(open_time) AS lo, $T - 60000 AS hi
    FROM a GROUP BY 1, 2 HAVING max(close_time) >= $T - 300000;
  SELECT
   (SELECT count(*) FROM a JOIN b USING (symbol, interval, open_time) WHERE a.closed = 1
      AND NOT (b.open = a.open AND b.high = a.high AND b.low = a.low AND b.close = a.close
       AND b.volume = a.volume AND b.quote_volume = a.quote_volume AND b.trades = a.trades
       AND b.taker_buy_volume = a.taker_buy_volume)),
   (SELECT count(*) FROM b JOIN w USING (symbol, interval)
      WHERE b.open_time >= w.lo AND b.close_time <= w.hi AND NOT EXISTS (SELECT 1 FROM a
        WHERE a.symbol = b.symbol AND a.interval = b.interval AND a.open_time = b.open_time
          AND a.closed = 1)),
   (SELECT count(*) FROM b JOIN w USING (symbol, interval)
      WHERE b.open_time >= w.lo AND b.close_time <= w.hi);")
EOF2
# the 5m open-interest and ratio points: none missing between the first and the last stored,
# though the collector was down between kills (each start asks for the points since the
# newest one it holds)
holes=$(sqlite3 "$WORK/c.db" "SELECT coalesce(sum((hi - lo) / 300000 + 1 - n), -1) FROM
  (SELECT symbol, metric, count(*) AS n, min(ts) AS lo, max(ts) AS hi FROM market_metrics
   WHERE metric IN ('open_interest_value', 'ls_ratio_global', 'taker_buy_sell_ratio')
   GROUP BY 1, 2 HAVING max(ts) >= $T - 900000)")
[ "$holes" = 0 ] && ok || bad "$holes 5m open-interest or ratio points missing"
echo "$KILLS kills; $n candles compared: $wrong different, $lost missing or open"
[ "$wrong" = 0 ] && ok || bad "$wrong stored candles differ from simex's"
[ "$lost" = 0 ] && ok || bad "$lost of simex's candles missing or left open"
[ "${n:-0}" -gt 1000 ] && ok || bad "only ${n:-0} candles compared"
summary net_restarts
