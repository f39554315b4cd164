#!/bin/sh
# Feed benchmark, three runs:
#  1. simex in firehose mode streams kline updates (20 symbols) to futuresboard collect, which
#     parses every message, turns it into an event and upserts the candle through the writer;
#     once as Binance frames, once as Bybit's (exchanges.enabled = bybit);
#  2. when ../shared/data is present, simex serves the real recorded Binance traffic of
#     ws-captures (BTCUSDT and ETHUSDT trade and bookTicker, looped) as fast as the client
#     takes it, to a collector that follows the trade stream (feed.trades=trade).
# Measured over a steady window: messages/s received and parsed, CPU and CPU per message,
# messages per hand-off batch, writer transactions/s, drops (malformed + open-candle updates
# dropped at a full queue), and simex's CPU (a run where simex used a whole core is marked
# producer-bound: the producer was the limit, not the collector). Beside each, in the same
# run, a Python consumer of the same streams (Debian's python3-websockets, json.loads per
# message) gives the peer figure.
#
# Usage: bench/feed.sh [BUILD_DIR] [FIREHOSE] [SECONDS]
#   FIREHOSE: extra updates per stream per 100 ms (default 6000: 20 streams x 6001 x 10/s,
#             about 1,200,000 messages/s offered on one connection; simex writes them in
#             batches of frames, one send() each, so the producer is not the limit)
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
fire=${2:-6000}
secs=${3:-20}
fb=$build/futuresboard
shared=$root/../shared/data
[ -x "$fb" ] || { echo "bench/feed.sh: build futuresboard first ($fb)" >&2; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/fbfeed.XXXXXX")
SIMEX= COLLECT=
cleanup() { kill "$SIMEX" "$COLLECT" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

cpu() { awk '{ print $14 + $15 }' "/proc/$1/stat"; } # utime + stime, clock ticks
hz=$(getconf CLK_TCK)
health() { curl -s "http://127.0.0.1:$hp/health"; }
num() { sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p" | head -1; }

# run TITLE PEER_STREAMS COLLECT_SETTINGS... ; simex already started ($SIMEX, $port)
run() {
	title=$1 peer=$2
	shift 2
	rm -f "$work/c.db"*
	"$fb" --db "$work/c.db" --set "binance.rest_url=http://127.0.0.1:$port" \
		--set "binance.ws_url=ws://127.0.0.1:$port" --set binance.label=simex \
		--set feed.top_n=20 --set feed.lookback=10 --set "log.file=$work/c.log" "$@" \
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
	bad0=$(echo "$h0" | num malformed); bad1=$(echo "$h1" | num malformed)
	d0=$(echo "$h0" | num open_dropped); d1=$(echo "$h1" | num open_dropped)
	r0=$(echo "$h0" | num reconnects); r1=$(echo "$h1" | num reconnects)
	q0=$(echo "$h0" | num records_queued); q1=$(echo "$h1" | num records_queued)
	p0=$(echo "$h0" | num passes); p1=$(echo "$h1" | num passes)
	x0=$(echo "$h0" | num transactions); x1=$(echo "$h1" | num transactions)
	# the peer: Python on the same streams, alone on the machine as the collector was
	py=$(/usr/bin/python3 - "$port" "$peer" "$secs" <<'PY'
import asyncio, json, resource, sys, time
import websockets
port, peer, secs = sys.argv[1], sys.argv[2], float(sys.argv[3])
async def one(route, streams, state):
    url = "ws://127.0.0.1:%s/%s/stream?streams=%s" % (port, route, streams)
    if route == "bybit": # one route; topics subscribed ten a message
        url = "ws://127.0.0.1:%s/v5/public/linear" % port
    async with websockets.connect(url, max_size=None, max_queue=None) as ws:
        if route == "bybit":
            topics = streams.split("/")
            for i in range(0, len(topics), 10):
                await ws.send(json.dumps({"op": "subscribe", "args": topics[i:i + 10]}))
        while not state["done"]:
            json.loads(await ws.recv())
            if state["t0"]:
                state["n"] += 1
async def main():
    state = {"n": 0, "t0": 0, "done": False}
    tasks = [asyncio.create_task(one(r, s, state))
             for r, s in (x.split(":", 1) for x in peer.split(" ") if x)]
    await asyncio.sleep(3)                   # past the start-up, as for the collector
    r0 = resource.getrusage(resource.RUSAGE_SELF); state["t0"] = time.time()
    await asyncio.sleep(secs)
    r1 = resource.getrusage(resource.RUSAGE_SELF); el = time.time() - state["t0"]
    n = state["n"]; state["done"] = True
    for t in tasks:
        t.cancel()
    cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    print("%d %.3f %.3f" % (n, el, cpu))
asyncio.run(main())
PY
)
	set -- $py
	awk -v title="$title" -v el="$el" -v m="$((m1 - m0))" -v w="$((w1 - w0))" \
	    -v q="$((q1 - q0))" -v cc="$((c1 - c0))" -v sc="$((s1 - s0))" -v hz="$hz" \
	    -v bad="$((bad1 - bad0))" -v drop="$((d1 - d0))" -v rc="$((r1 - r0))" \
	    -v passes="$((${p1:-0} - ${p0:-0}))" -v tx="$((${x1:-0} - ${x0:-0}))" \
	    -v pn="$1" -v pel="$2" -v pcpu="$3" 'BEGIN {
		s = el / 1000
		printf "\n%s, %.1f s steady window, 2 cores\n", title, s
		printf "%-44s %12s %8s %10s\n", "consumer", "messages/s", "CPU", "CPU/msg"
		printf "%-44s %12.0f %7.0f%% %8.2f us\n", "futuresboard collect (parse, event, store)", m / s, 100 * cc / hz / s, m ? 1e6 * cc / hz / m : 0
		printf "%-44s %12.0f %7.0f%% %8.2f us\n", "python3 websockets + json.loads", pn / pel, 100 * pcpu / pel, pn ? 1e6 * pcpu / pn : 0
		if (m && pn && cc)
			printf "collector: %.1fx less CPU per message than the Python peer\n", (pcpu / pn) / (cc / hz / m)
		printf "collector: %.1f messages per hand-off batch, %.0f records/s to the writer, %.0f rows/s written in %.0f transactions/s\n", passes ? m / passes : 0, q / s, w / s, tx / s
		printf "drops: %d malformed, %d open-candle updates dropped, %d reconnects\n", bad, drop, rc
		bound = ""
		if (sc / hz / s > 0.9) bound = ": producer-bound (simex was the limit)"
		printf "simex used %.0f%% CPU producing%s\n", 100 * sc / hz / s, bound
	}'
}

start_simex() {
	"$fb" simex --port 0 "$@" >"$work/simex.out" 2>&1 &
	SIMEX=$!
	i=0; while ! grep -q listening "$work/simex.out"; do i=$((i+1)); [ $i -gt 300 ] && exit 1; sleep 0.1; done
	port=$(sed -n 's/.*127.0.0.1:\([0-9]*\).*/\1/p' "$work/simex.out")
}

# 1. the kline firehose
start_simex --history-minutes 30 --firehose "$fire" --exchange binance,bybit
syms=$(curl -s "http://127.0.0.1:$port/fapi/v1/ticker/24hr" | python3 -c '
import json,sys
t=sorted(json.load(sys.stdin), key=lambda x: -float(x["quoteVolume"]))[:20]
print(" ".join(x["symbol"].lower() for x in t))')
streams=""
for s in $syms; do streams="$streams${streams:+/}$s@kline_1m"; done
run "simex firehose $fire (20 kline_1m streams)" "market:$streams" --set feed.intervals=1m
# the same market as Bybit frames ({"topic":"kline.1.BTCUSDT",...}, string numbers, confirm)
topics=$(curl -s "http://127.0.0.1:$port/v5/market/tickers?category=linear" | python3 -c '
import json,sys
t=sorted(json.load(sys.stdin)["result"]["list"], key=lambda x: -float(x["turnover24h"]))[:20]
print("/".join("kline.1." + x["symbol"] for x in t))')
run "simex firehose $fire (20 Bybit kline.1 topics)" "bybit:$topics" --set feed.intervals=1m \
	--set exchanges.enabled=bybit --set "bybit.rest_url=http://127.0.0.1:$port" \
	--set "bybit.ws_url=ws://127.0.0.1:$port" --set bybit.label=simex-bybit
kill "$SIMEX"; wait "$SIMEX" 2>/dev/null || true; SIMEX=

# 2. real recorded traffic at the rate the client takes it
cap=$shared/ws-captures
if [ -f "$cap/btcusdt_20240808.gz" ] && [ -f "$cap/ethusdt_20240808.gz" ]; then
	start_simex --history-minutes 30 --capture "$cap/btcusdt_20240808.gz" \
		--capture "$cap/ethusdt_20240808.gz" --rate max --loop
	run "real capture (BTCUSDT and ETHUSDT trade and bookTicker, 2024-08-08), --rate max" \
		"market:btcusdt@trade/ethusdt@trade public:btcusdt@bookTicker/ethusdt@bookTicker" \
		--set feed.intervals=1m --set feed.trades=trade
	kill "$SIMEX"; wait "$SIMEX" 2>/dev/null || true; SIMEX=
else
	echo "feed.sh: ../shared/data is absent: the real-capture run is skipped"
fi
