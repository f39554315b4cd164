#!/bin/sh
# Feed benchmark: simex in firehose mode streams kline updates to futuresboard collect, which
# parses every message, turns it into an event and upserts the candle through the store writer.
# Measured over a steady window: messages/s received and parsed, rows/s through the writer,
# CPU used by the collector, drops (malformed + open-candle updates dropped at a full queue +
# anything simex had to cut off). Beside it, in the same run, a Python consumer of the same
# stream (Debian's python3-websockets, json.loads per message) gives the peer figure.
#
# Usage: bench/feed.sh [BUILD_DIR] [FIREHOSE] [SECONDS]
#   FIREHOSE: extra updates per stream per 100 ms (default 600: 20 streams x 601 x 10/s,
#             about 120,000 messages/s offered)
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
fire=${2:-600}
secs=${3:-20}
fb=$build/futuresboard
[ -x "$fb" ] || { echo "bench/feed.sh: build futuresboard first ($fb)" >&2; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/fbfeed.XXXXXX")
cleanup() { kill "$SIMEX" "$COLLECT" 2>/dev/null || true; rm -rf "$work"; }
SIMEX= COLLECT=
trap cleanup EXIT

"$fb" simex --port 0 --history-minutes 30 --firehose "$fire" >"$work/simex.out" 2>&1 &
SIMEX=$!
i=0; while ! grep -q listening "$work/simex.out"; do i=$((i+1)); [ $i -gt 100 ] && exit 1; sleep 0.1; done
port=$(sed -n 's/.*127.0.0.1:\([0-9]*\).*/\1/p' "$work/simex.out")
syms=$(curl -s "http://127.0.0.1:$port/fapi/v1/ticker/24hr" | python3 -c '
import json,sys
t=sorted(json.load(sys.stdin), key=lambda x: -float(x["quoteVolume"]))[:20]
print(" ".join(x["symbol"].lower() for x in t))')

cpu() { awk '{ print $14 + $15 }' "/proc/$1/stat"; } # utime + stime, clock ticks
hz=$(getconf CLK_TCK)
health() { curl -s "http://127.0.0.1:$hp/health"; }
num() { sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p" | head -1; }

"$fb" --db "$work/c.db" --set "binance.rest_url=http://127.0.0.1:$port" \
	--set "binance.ws_url=ws://127.0.0.1:$port" --set binance.label=simex --set feed.top_n=20 \
	--set feed.intervals=1m --set feed.lookback=10 --set "log.file=$work/c.log" \
	collect --health-port -1 >"$work/collect.out" 2>"$work/collect.err" &
COLLECT=$!
i=0; while ! grep -q "health on" "$work/collect.out"; do i=$((i+1)); [ $i -gt 100 ] && exit 1; sleep 0.1; done
hp=$(sed -n 's/.*127.0.0.1:\([0-9]*\).*/\1/p' "$work/collect.out" | head -1)
i=0; while [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$hp/ready")" != 200 ]; do
	i=$((i+1)); [ $i -gt 300 ] && { echo "collector never ready" >&2; exit 1; }; sleep 0.1; done
sleep 3 # past the start-up
h0=$(health); c0=$(cpu "$COLLECT"); s0=$(cpu "$SIMEX"); t0=$(date +%s%N)
sleep "$secs"
h1=$(health); c1=$(cpu "$COLLECT"); s1=$(cpu "$SIMEX"); t1=$(date +%s%N)
kill -INT "$COLLECT"; wait "$COLLECT" || true; COLLECT=

el=$(( (t1 - t0) / 1000000 ))
m0=$(echo "$h0" | num messages); m1=$(echo "$h1" | num messages)
w0=$(echo "$h0" | num rows_written); w1=$(echo "$h1" | num rows_written)
u0=$(echo "$h0" | num rows_unchanged || true)
bad0=$(echo "$h0" | num malformed); bad1=$(echo "$h1" | num malformed)
d0=$(echo "$h0" | num open_dropped); d1=$(echo "$h1" | num open_dropped)
r0=$(echo "$h0" | num reconnects); r1=$(echo "$h1" | num reconnects)
q0=$(echo "$h0" | num records_queued); q1=$(echo "$h1" | num records_queued)
p0=$(echo "$h0" | num passes); p1=$(echo "$h1" | num passes)
t0w=$(echo "$h0" | num transactions); t1w=$(echo "$h1" | num transactions)

# The peer: Python on the same firehose, alone on the machine as the collector was.
streams=""
for s in $syms; do streams="$streams${streams:+/}$s@kline_1m"; done
py=$(/usr/bin/python3 - "$port" "$streams" "$secs" <<'PY'
import asyncio, json, resource, sys, time
import websockets
port, streams, secs = sys.argv[1], sys.argv[2], float(sys.argv[3])
async def main():
    url = "ws://127.0.0.1:%s/market/stream?streams=%s" % (port, streams)
    async with websockets.connect(url, max_size=None, max_queue=None) as ws:
        t_end = time.time() + 3
        while time.time() < t_end:           # past the start-up, as for the collector
            json.loads(await ws.recv())
        r0 = resource.getrusage(resource.RUSAGE_SELF); t0 = time.time(); n = 0
        while time.time() - t0 < secs:
            json.loads(await ws.recv()); n += 1
        r1 = resource.getrusage(resource.RUSAGE_SELF); el = time.time() - t0
        cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
        print("%d %.3f %.3f" % (n, el, cpu))
asyncio.run(main())
PY
)
set -- $py
pn=$1 pel=$2 pcpu=$3

awk -v el="$el" -v m="$((m1 - m0))" -v w="$((w1 - w0))" -v q="$((q1 - q0))" \
    -v cc="$((c1 - c0))" -v sc="$((s1 - s0))" -v hz="$hz" -v bad="$((bad1 - bad0))" \
    -v drop="$((d1 - d0))" -v rc="$((r1 - r0))" -v fire="$fire" \
    -v passes="$((${p1:-0} - ${p0:-0}))" -v tx="$((${t1w:-0} - ${t0w:-0}))" \
    -v pn="$pn" -v pel="$pel" -v pcpu="$pcpu" 'BEGIN {
	s = el / 1000
	printf "feed benchmark: simex firehose %d (20 kline streams), %.1f s steady window, %d cores\n", fire, s, 2
	printf "%-44s %12s %10s\n", "consumer", "messages/s", "CPU"
	printf "%-44s %12.0f %9.0f%%\n", "futuresboard collect (parse, event, upsert)", m / s, 100 * cc / hz / s
	printf "%-44s %12.0f %9.0f%%\n", "python3 websockets + json.loads", pn / pel, 100 * pcpu / pel
	printf "collector: %.0f records/s to the writer, %.0f rows/s written; drops: %d malformed, %d open-candle updates dropped, %d reconnects\n", q / s, w / s, bad, drop, rc
	printf "hand-off: %.1f messages per batch (%.0f batches/s); %.0f writer transactions/s\n", passes ? m / passes : 0, passes / s, tx / s
	printf "CPU per message: collector %.2f us, python %.2f us (%.1fx)\n", 1e6 * cc / hz / m, 1e6 * pcpu / pn, (pcpu / pn) / (cc / hz / m)
	printf "simex used %.0f%% CPU producing the stream%s\n", 100 * sc / hz / s, sc / hz / s > 0.9 ? " (producer-bound: simex was the limit)" : ""
}'
