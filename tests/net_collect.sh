#!/bin/sh
# Network integration on loopback only: futuresboard collect against futuresboard simex at
# 60x speed with faults on (connections dropped, silences, garbled, duplicated and reordered
# frames, book streams moved to the other route). Then:
#   every 1m and 5m candle simex produced for the tracked symbols is stored exactly once with
#   identical values; reconnects happened and were logged; stale connections and silent
#   (wrong-route) streams were detected; malformed frames were counted, never fatal; no REST
#   request went out inside a Retry-After window; /ready and /health answered; the stop took
#   under 2 s with the queue flushed; a second collector is refused.
# Usage: net_collect.sh BINARY WORKDIR
set -u
FB=$1 WORK=$2
rm -rf "$WORK" && mkdir -p "$WORK" || exit 1
. "$(dirname "$0")/lib.sh"
json_num() { sed -n "s/.*\"$1\":\([0-9-]*\).*/\1/p" "$2" | head -1; }

"$FB" simex --port 0 --seed 21 --speed 60 --history-minutes 1200 --ws-drop-every 7 \
	--ws-silence-every 11 --ws-silence 4 --malformed-rate 0.01 --duplicate-rate 0.02 \
	--reorder-rate 0.02 --reroute-book --burst-every 9 --burst 2 --truth "$WORK/truth.csv" --truth-intervals "1m 5m" \
	>"$WORK/simex.out" 2>"$WORK/simex.err" &
SIMEX=$!
wait_line "$WORK/simex.out" listening || { bad "simex did not start"; exit 1; }
PORT=$(sed -n 's/.*127.0.0.1:\([0-9]*\).*/\1/p' "$WORK/simex.out")
FBX="$FB --db $WORK/c.db --set binance.rest_url=http://127.0.0.1:$PORT
  --set binance.ws_url=ws://127.0.0.1:$PORT --set binance.label=simex --set feed.top_n=5
  --set feed.intervals=1m,5m --set feed.stale_s=2 --set feed.silent_stream_s=4
  --set feed.gap_check_s=5 --set feed.poll_s=5 --set feed.backoff_reset_s=3 --set log.file=$WORK/collect.log --set log.level=info"
$FBX collect --health-port -1 >"$WORK/collect.out" 2>"$WORK/collect.err" &
COLLECT=$!
wait_line "$WORK/collect.out" "health on" || bad "collect did not print its health address"
HP=$(sed -n 's/.*127.0.0.1:\([0-9]*\).*/\1/p' "$WORK/collect.out" | head -1)
sleep 25

# a second collector on the same database is refused
$FBX collect --health-port 0 >"$WORK/second.out" 2>&1 && bad "a second collector started" || ok
has "$WORK/second.out" "another collector (pid $COLLECT) is writing" "lock message"
# ... also through a symbolic link to it
ln -s "$WORK/c.db" "$WORK/link.db"
$FBX --db "$WORK/link.db" collect --health-port 0 >"$WORK/third.out" 2>&1 && bad "a collector started through a symbolic link" || ok
has "$WORK/third.out" "another collector (pid $COLLECT) is writing" "one lock for a database and its link"

curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$HP/ready" >"$WORK/ready"
has "$WORK/ready" 200 "/ready"
curl -s "http://127.0.0.1:$HP/health" >"$WORK/health.json"
curl -s "http://127.0.0.1:$HP/metrics" >"$WORK/metrics.txt"
$FBX health --port "$HP" >/dev/null 2>&1 && ok || bad "futuresboard health says not ready"
[ "$(json_num reconnects "$WORK/health.json")" -gt 0 ] && ok || bad "no reconnects: $(cat "$WORK/health.json")"
[ "$(json_num stale "$WORK/health.json")" -gt 0 ] && ok || bad "silences not detected as stale"
# exactly the five book streams simex moved to the other route
[ "$(json_num silent_streams "$WORK/health.json")" = 5 ] && ok || bad "wrong-route streams: $(json_num silent_streams "$WORK/health.json") flagged, expected the 5 book streams"
[ "$(json_num malformed "$WORK/health.json")" -gt 0 ] && ok || bad "malformed frames not counted"
has "$WORK/health.json" '"stalled_by_s":' "health job fields"
has "$WORK/metrics.txt" "futuresboard_ws_reconnects_total" "metrics"
curl -s "http://127.0.0.1:$PORT/simex/stats" >"$WORK/simex.stats"
has "$WORK/simex.stats" '"violations":0,' "no request inside a Retry-After window"
grep -q '"rate_limited":[1-9]' "$WORK/simex.stats" && ok || bad "no 429 burst reached the collector: $(cat "$WORK/simex.stats")"

# simex's clock at the stop: a funding event later than the collector's last poll is not
# expected in the store (polls every 5 s = 5 simulated minutes; 30 are allowed)
STOP_T=$(curl -s "http://127.0.0.1:$PORT/simex/stats" | sed -n 's/.*"time":\([0-9]*\).*/\1/p')
kill -INT "$COLLECT"
wait "$COLLECT"
rc=$?
[ "$rc" = 0 ] && ok || bad "collect exit $rc: $(tail -3 "$WORK/collect.err")"
ms=$(sed -n 's/collect: stopped in \([0-9]*\) ms.*/\1/p' "$WORK/collect.out")
[ -n "$ms" ] && [ "$ms" -lt 2000 ] && ok || bad "stop took ${ms:-?} ms"
has "$WORK/collect.out" "queue flushed" "clean stop"
has "$WORK/collect.log" "reconnected" "reconnects logged"
has "$WORK/collect.log" "subscribed but silent" "silent streams logged"
# realised funding: for every tracked symbol, exactly the events simex has up to the stop (times
# and rates), asked for clear of simex's 429 bursts (2 s in every 9)
i=0
while :; do
	up=$(curl -s "http://127.0.0.1:$PORT/simex/stats" | sed -n 's/.*"up_ms":\([0-9]*\).*/\1/p')
	ph=$((${up:-0} % 9000))
	[ "$ph" -ge 2500 ] && [ "$ph" -le 6500 ] && break
	i=$((i + 1))
	[ $i -gt 100 ] && break
	sleep 0.1
done
[ -n "$STOP_T" ] && ok || bad "simex's clock at the stop not read"
fdiff=0
for sym in $(sqlite3 "$WORK/c.db" "SELECT DISTINCT symbol FROM funding"); do
	sqlite3 -separator ' ' "$WORK/c.db" "SELECT funding_time, printf('%.8f', funding_rate) FROM funding WHERE symbol = '$sym' ORDER BY 1" >"$WORK/f.db"
	# the store holds nothing simex lacks, and every event simex had 30 simulated minutes
	# before the stop
	curl -s "http://127.0.0.1:$PORT/fapi/v1/fundingRate?symbol=$sym&limit=1000" |
		python3 -c 'import json,sys
db = set(open(sys.argv[2]).read().splitlines())
for r in json.load(sys.stdin):
    line = "%s %.8f" % (r["fundingTime"], float(r["fundingRate"]))
    if line in db or int(r["fundingTime"]) <= int(sys.argv[1]) - 1800000: print(line)' \
			"${STOP_T:-0}" "$WORK/f.db" >"$WORK/f.simex"
	cmp -s "$WORK/f.simex" "$WORK/f.db" || { fdiff=$((fdiff + 1)); diff "$WORK/f.simex" "$WORK/f.db" | head -5 >&2; }
done
[ "$fdiff" = 0 ] && ok || bad "$fdiff symbols' funding events differ from simex's"
kill -TERM "$SIMEX"
wait "$SIMEX"

"$FB" --db "$WORK/truth.db" import --kind klines "$WORK/truth.csv" >/dev/null 2>&1 && ok || bad "truth import"
# The window: from the first stored candle to ten simulated minutes before the last closed one
# (what closed in the final seconds may still have been on its way when the collector stopped).
read -r wrong lost dups n <<EOF2
$(sqlite3 -separator ' ' "$WORK/c.db" "ATTACH '$WORK/truth.db' AS t;
  CREATE TEMP TABLE a AS SELECT * FROM main.v_candles WHERE closed = 1;
  CREATE TEMP TABLE b AS SELECT v.* FROM t.v_candles AS v
    WHERE v.symbol IN (SELECT DISTINCT symbol FROM a);
  CREATE INDEX temp.ai ON a (symbol, interval, open_time);
  CREATE INDEX temp.bi ON b (symbol, interval, open_time);
  CREATE TEMP TABLE w AS SELECT symbol, interval, min(open_time) AS lo,
    max(open_time) - 600000 AS hi FROM a GROUP BY 1, 2;
  SELECT
   (SELECT count(*) FROM a JOIN w USING (symbol, interval) WHERE a.open_time <= w.hi
      AND NOT EXISTS (SELECT 1 FROM b WHERE b.symbol = a.symbol AND b.interval = a.interval
       AND b.open_time = a.open_time AND b.open = a.open AND b.high = a.high AND b.low = a.low
       AND b.close = a.close AND b.volume = a.volume AND b.quote_volume = a.quote_volume
       AND b.trades = a.trades AND b.taker_buy_volume = a.taker_buy_volume
       AND b.taker_buy_quote_volume = a.taker_buy_quote_volume)),
   (SELECT count(*) FROM b JOIN w USING (symbol, interval)
      WHERE b.open_time BETWEEN w.lo AND w.hi AND NOT EXISTS (SELECT 1 FROM a
        WHERE a.symbol = b.symbol AND a.interval = b.interval AND a.open_time = b.open_time)),
   (SELECT count(*) - count(DISTINCT series_id || ':' || open_time) FROM main.candles),
   (SELECT count(*) FROM b JOIN w USING (symbol, interval) WHERE b.open_time BETWEEN w.lo AND w.hi);")
EOF2
[ "$wrong" = 0 ] && ok || bad "$wrong stored candles differ from simex's"
[ "$lost" = 0 ] && ok || bad "$lost of simex's candles were not stored"
[ "$dups" = 0 ] && ok || bad "$dups duplicate candles"
[ "${n:-0}" -gt 4000 ] && ok || bad "only ${n:-0} candles compared"
echo "compared $n candles"
# realised funding from simex's history, exactly as simex has it
fund=$(sqlite3 "$WORK/c.db" "SELECT count(*) FROM funding")
[ "$fund" -gt 0 ] && ok || bad "no funding rows stored"

# mark-price candles come over REST whatever the streams lost: for every tracked symbol, a run
# without holes, each equal to the mark simex's streams showed through that minute (the
# minute's close), and covering the minutes of the run
read -r msyms mgaps mdiff mrows mlag <<EOF3
$(sqlite3 -separator ' ' "$WORK/c.db" "
  SELECT (SELECT count(DISTINCT symbol) FROM mark_candles WHERE interval = '1m'),
   (SELECT count(*) FROM (SELECT symbol, count(*) AS n, min(open_time) AS lo,
      max(open_time) AS hi FROM mark_candles WHERE interval = '1m' GROUP BY symbol)
    WHERE n != (hi - lo) / 60000 + 1),
   (SELECT count(*) FROM mark_candles m JOIN v_candles c ON c.symbol = m.symbol
      AND c.interval = '1m' AND c.open_time = m.open_time AND c.closed = 1
    WHERE NOT (m.open = c.close AND m.high = c.close AND m.low = c.close AND m.close = c.close)),
   (SELECT count(*) FROM mark_candles m JOIN v_candles c ON c.symbol = m.symbol
      AND c.interval = '1m' AND c.open_time = m.open_time AND c.closed = 1),
   (SELECT ((SELECT max(open_time) FROM v_candles WHERE interval = '1m' AND closed = 1) -
      (SELECT min(hi) FROM (SELECT max(open_time) AS hi FROM mark_candles GROUP BY symbol)))
      / 60000);")
EOF3
[ "$msyms" = 5 ] && ok || bad "mark-price candles for $msyms symbols, expected 5"
[ "$mgaps" = 0 ] && ok || bad "$mgaps symbols have holes in their mark-price candles"
[ "$mdiff" = 0 ] && ok || bad "$mdiff mark-price candles differ from simex's mark"
[ "${mrows:-0}" -gt 1000 ] && ok || bad "only ${mrows:-0} mark-price candles compared"
[ "${mlag:-99}" -le 3 ] && ok || bad "the mark-price candles end ${mlag:-?} minutes before the candles"
echo "compared $mrows mark-price candles"
# index-price candles the same way, and both against what the streams said: every mark and
# index the collector stored from the mark-price stream equals the REST candle of its minute
read -r isyms igaps wsn wsdiff <<EOF3
$(sqlite3 -separator ' ' "$WORK/c.db" "
  SELECT (SELECT count(DISTINCT symbol) FROM index_candles WHERE interval = '1m'),
   (SELECT count(*) FROM (SELECT symbol, count(*) AS n, min(open_time) AS lo,
      max(open_time) AS hi FROM index_candles WHERE interval = '1m' GROUP BY symbol)
    WHERE n != (hi - lo) / 60000 + 1),
   (SELECT count(*) FROM market_metrics m JOIN index_candles i ON i.symbol = m.symbol
      AND m.ts >= i.open_time AND m.ts < i.open_time + 60000 WHERE m.metric = 'index_price')
   + (SELECT count(*) FROM market_metrics m JOIN mark_candles i ON i.symbol = m.symbol
      AND m.ts >= i.open_time AND m.ts < i.open_time + 60000 WHERE m.metric = 'mark_price'),
   (SELECT count(*) FROM market_metrics m JOIN index_candles i ON i.symbol = m.symbol
      AND m.ts >= i.open_time AND m.ts < i.open_time + 60000
    WHERE m.metric = 'index_price' AND m.value != i.close)
   + (SELECT count(*) FROM market_metrics m JOIN mark_candles i ON i.symbol = m.symbol
      AND m.ts >= i.open_time AND m.ts < i.open_time + 60000
    WHERE m.metric = 'mark_price' AND m.value != i.close);")
EOF3
[ "$isyms" = 5 ] && ok || bad "index-price candles for $isyms symbols, expected 5"
[ "$igaps" = 0 ] && ok || bad "$igaps symbols have holes in their index-price candles"
[ "${wsn:-0}" -gt 50 ] && ok || bad "only ${wsn:-0} streamed marks and indexes compared"
[ "$wsdiff" = 0 ] && ok || bad "$wsdiff streamed marks or indexes differ from the REST candles"
echo "compared $wsn streamed marks and indexes with the REST candles"

[ "$(sqlite3 "$WORK/c.db" "SELECT count(DISTINCT metric) FROM market_metrics")" -ge 5 ] && ok || bad "metrics missing: $(sqlite3 "$WORK/c.db" "SELECT DISTINCT metric FROM market_metrics")"

summary net_collect
