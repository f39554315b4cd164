#!/bin/sh
# A hostile exchange (hostile.py, on 127.0.0.1) against the real collector, one attack at a
# time; after each, SIGTERM ends the collector within 3 s with exit 0:
#   values      impossible prices, sizes and volumes are refused at the parser and counted:
#               nothing stored is negative or absurd, and JUNKUSDT (quote volume 1e308) is
#               never ranked in
#   bigframe    a 7.8 MB message of 600,000 keys is dropped as one, and the feed goes on
#   servertime  a serverTime near INT64_MAX is refused with a clear message, no endless loop
#   retryafter  "Retry-After: 2147483647" is cut to 15 minutes and shown as throttled
#   flood       1,100 half-open connections to the health port of a collector allowed 256
#               descriptors: the health server takes at most 64 of them, the collector goes
#               on storing, its log stays small, and /ready answers once they close
# Usage: net_hostile.sh BINARY WORKDIR
set -u
FB=$1 WORK=$2
rm -rf "$WORK" && mkdir -p "$WORK" || exit 1
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3
json_num() { sed -n "s/.*\"$1\":\([0-9-]*\).*/\1/p" "$2" | head -1; }

# start MODE [NAME]: the hostile server and a collector against it, their files named NAME
# (default MODE); sets SPID, CPID, HP
start() {
	M=${2:-$1}
	rm -f "$WORK/$M".*
	$PY "$(dirname "$0")/hostile.py" "$1" >"$WORK/$M.srv" 2>"$WORK/$M.srv.err" &
	SPID=$!
	wait_line "$WORK/$M.srv" listening || { bad "$M: the hostile server did not start: $(cat "$WORK/$M.srv.err")"; return 1; }
	P=$(sed -n 's/listening \([0-9]*\)/\1/p' "$WORK/$M.srv")
	# (at most 256 descriptors: a flood that took them would leave the store none)
	sh -c 'ulimit -n 256 && exec "$0" "$@"' "$FB" --db "$WORK/$M.db" --set "binance.rest_url=http://127.0.0.1:$P" \
		--set "binance.ws_url=ws://127.0.0.1:$P" --set binance.label=simex \
		--set feed.top_n=3 --set feed.intervals=1m --set feed.poll_s=5 --set feed.gap_check_s=5 \
		--set "log.file=$WORK/$M.log" --set log.level=info \
		collect --health-port -1 >"$WORK/$M.out" 2>"$WORK/$M.err" &
	CPID=$!
	wait_line "$WORK/$M.out" "health on" || { bad "$M: collect did not start: $(cat "$WORK/$M.err")"; return 1; }
	HP=$(sed -n 's/.*127.0.0.1:\([0-9]*\).*/\1/p' "$WORK/$M.out" | head -1)
}
# stop: SIGTERM ends the collector within 3 s, with exit 0
stop() {
	t0=$(date +%s%N)
	kill -TERM "$CPID"
	i=0
	while kill -0 "$CPID" 2>/dev/null && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	ms=$((($(date +%s%N) - t0) / 1000000))
	if kill -0 "$CPID" 2>/dev/null; then
		bad "$M: still running 10 s after SIGTERM"
		kill -9 "$CPID"
	fi
	wait "$CPID"
	rc=$?
	[ "$ms" -lt 3000 ] && ok || bad "$M: SIGTERM took $ms ms"
	[ "$rc" = 0 ] && ok || bad "$M: collect exit $rc: $(tail -3 "$WORK/$M.err")"
	kill "$SPID" 2>/dev/null
	wait "$SPID" 2>/dev/null
	echo "$M: stopped in $ms ms"
}

# --- values
start values || exit 1
sleep 8
curl -s "http://127.0.0.1:$HP/health" >"$WORK/values.health"
stop
q() { sqlite3 "$WORK/values.db" "$1"; }
[ "$(q "SELECT count(*) FROM v_candles WHERE symbol = 'BTCUSDT'")" -gt 0 ] && ok || bad "values: no candles stored at all"
[ "$(q "SELECT count(*) FROM v_candles WHERE NOT (open > 0 AND high < 1e9 AND low > 0 AND close > 0 AND volume >= 0 AND quote_volume < 1e14)")" = 0 ] && ok || bad "values: impossible candles stored"
[ "$(q "SELECT count(*) FROM market_metrics WHERE abs(value) > 1e15 OR (metric IN ('mark_price', 'index_price') AND value <= 0)")" = 0 ] && ok || bad "values: impossible metrics stored: $(q "SELECT metric, value FROM market_metrics WHERE abs(value) > 1e15 LIMIT 3")"
[ "$(q "SELECT count(*) FROM liquidations WHERE price <= 0 OR qty <= 0")" = 0 ] && ok || bad "values: a liquidation of negative price or size stored"
[ "$(q "SELECT count(*) FROM market_metrics WHERE metric LIKE 'mark%'")" -gt 0 ] && ok || bad "values: no good mark price stored beside the refused ones"
[ "$(q "SELECT count(*) FROM series WHERE symbol = 'JUNKUSDT'") $(q "SELECT count(*) FROM market_metrics WHERE symbol = 'JUNKUSDT'")" = "0 0" ] && ok || bad "values: JUNKUSDT (quote volume 1e308) was ranked in"
[ "$(json_num malformed "$WORK/values.health")" -gt 0 ] && ok || bad "values: refused messages not counted: $(cat "$WORK/values.health")"
has "$WORK/values.log" "malformed tickers skipped" "values: the refused ticker logged"
has "$WORK/values.log" "rows of an answer refused" "values: refused candle rows logged"

# --- bigframe
start bigframe || exit 1
sleep 6
curl -s "http://127.0.0.1:$HP/health" >"$WORK/bigframe.h1"
sleep 2
curl -s "http://127.0.0.1:$HP/health" >"$WORK/bigframe.h2"
stop
m1=$(json_num messages "$WORK/bigframe.h1") m2=$(json_num messages "$WORK/bigframe.h2")
[ "${m2:-0}" -gt "${m1:-0}" ] && ok || bad "bigframe: the feed stopped after the big message (${m1:-?} then ${m2:-?} messages)"
has "$WORK/bigframe.log" "dropped" "bigframe: the big message dropped as one"
[ "$(grep -c "malformed message skipped" "$WORK/bigframe.log")" -le 1 ] && ok || bad "bigframe: the big message was read as several malformed ones"

# --- servertime
start servertime || exit 1
sleep 5
curl -s "http://127.0.0.1:$HP/health" >"$WORK/servertime.health"
stop
has "$WORK/servertime.log" "is not a plausible time" "servertime: refused with a clear message"
[ -s "$WORK/servertime.health" ] && ok || bad "servertime: health did not answer"

# --- retryafter
start retryafter || exit 1
sleep 4
curl -s "http://127.0.0.1:$HP/health" >"$WORK/retryafter.health"
stop
has "$WORK/retryafter.health" '"state":"throttled until' "retryafter: health says throttled"
until=$(json_num held_until_ms "$WORK/retryafter.health")
now=$(($(date +%s) * 1000))
[ "${until:-0}" -gt "$now" ] && [ "${until:-0}" -le $((now + 15 * 60 * 1000)) ] && ok || bad "retryafter: held until ${until:-?}, expected at most 15 minutes from now"

# --- flood: against the collector's own health port (hostile.py serves a quiet market)
start servertime flood || exit 1
sleep 2
rows() { sqlite3 "$WORK/flood.db" "SELECT count(*) FROM market_metrics"; }
before=$(rows)
# the flood itself, with a higher descriptor limit for the client than the collector's
(ulimit -n 4096 2>/dev/null; $PY - "$HP" >"$WORK/flood.client" 2>&1 <<'EOF'
import socket, sys, time, urllib.request
port = int(sys.argv[1])
socks = []
for i in range(1100):
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=1)
        s.send(b"GET /hea")
        socks.append(s)
    except OSError:
        pass
print("opened", len(socks))
time.sleep(3)
for s in socks:
    s.close()
t = time.time()
while time.time() - t < 10:
    try:
        print("ready", urllib.request.urlopen("http://127.0.0.1:%d/ready" % port, timeout=2).status)
        break
    except OSError:
        time.sleep(0.2)
EOF
) &
FLOOD=$!
sleep 2.5 # the connections are open: the collector keeps descriptors for itself
fds=$(ls "/proc/$CPID/fd" | wc -l)
[ "$fds" -lt 160 ] && ok || bad "flood: the collector holds $fds of its 256 descriptors"
wait "$FLOOD"
kill -0 "$CPID" 2>/dev/null && ok || bad "flood: the collector died"
sleep 1.5 # a batch committed
after=$(rows)
[ "$after" -gt "$before" ] && ok || bad "flood: nothing stored during the flood ($before rows before, $after after)"
stop
has "$WORK/flood.client" "ready " "flood: /ready answers once the flood closes"
[ "$(wc -c <"$WORK/flood.log")" -lt 100000 ] && ok || bad "flood: the log grew to $(wc -c <"$WORK/flood.log") bytes"
summary net_hostile
