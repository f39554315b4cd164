#!/bin/sh
# Real recorded traffic on loopback: simex --capture serves the BTCUSDT and ETHUSDT captures of
# ../shared/data/ws-captures (trade, bookTicker) at 20 times the recorded pace to futuresboard
# collect following the trade stream, sampling the flow every second (feed.flow_sample_s=1).
# Then the stored trade-based CVD and book imbalance must equal, for every second of the
# capture, a reference computed in Python straight from the capture files: the running sum of
# signed taker quote volume (market trades only) at each second's first trade, and the
# bid/ask size imbalance of each second's first bookTicker. Each stored CVD is the running sum
# of every trade before it, so a trade lost or counted twice shows as a difference.
# Skipped (saying so) when ../shared/data is absent.
# Usage: net_capture.sh BINARY WORKDIR
set -u
FB=$1 WORK=$2
rm -rf "$WORK" && mkdir -p "$WORK" || exit 1
. "$(dirname "$0")/lib.sh"
CAP="$(cd "$(dirname "$0")/../.." && pwd)/shared/data/ws-captures"
if [ ! -f "$CAP/btcusdt_20240808.gz" ] || [ ! -f "$CAP/ethusdt_20240808.gz" ]; then
	echo "net_capture: ../shared/data is absent: skipped"
	exit 0
fi

# run NAME RATE SECONDS SIMEX_FLAGS...: simex on the captures and a collector until the
# capture (5 min 45 s) is over;
# the stored CVD and imbalance rows in $WORK/NAME.txt, the collector's last health in
# $WORK/NAME.health
run() {
	name=$1 rate=$2 secs=$3
	shift 3
	rm -f "$WORK/c.db"* "$WORK/simex.out" "$WORK/collect.out" # no line of the run before
	"$FB" simex --port 0 --capture "$CAP/btcusdt_20240808.gz" \
		--capture "$CAP/ethusdt_20240808.gz" --rate "$rate" "$@" >"$WORK/simex.out" 2>"$WORK/simex.err" &
	SIMEX=$!
	wait_line "$WORK/simex.out" listening || { bad "simex did not start"; cat "$WORK/simex.err" >&2; exit 1; }
	PORT=$(sed -n 's/.*127.0.0.1:\([0-9]*\).*/\1/p' "$WORK/simex.out")
	"$FB" --db "$WORK/c.db" --set "binance.rest_url=http://127.0.0.1:$PORT" \
		--set "binance.ws_url=ws://127.0.0.1:$PORT" --set binance.label=simex --set feed.top_n=5 \
		--set feed.intervals=1m --set feed.lookback=10 --set feed.trades=trade \
		--set feed.flow_sample_s=1 --set "log.file=$WORK/$name.log" \
		collect --health-port -1 >"$WORK/collect.out" 2>"$WORK/collect.err" &
	COLLECT=$!
	wait_line "$WORK/collect.out" "health on" || bad "collect did not start"
	HP=$(sed -n 's/.*127.0.0.1:\([0-9]*\).*/\1/p' "$WORK/collect.out" | head -1)
	sleep "$secs"
	curl -s "http://127.0.0.1:$HP/health" >"$WORK/$name.health"
	kill -INT "$COLLECT"
	wait "$COLLECT" && ok || bad "$name: collect exit $?"
	kill -TERM "$SIMEX"
	wait "$SIMEX" 2>/dev/null
	sqlite3 -separator ' ' "$WORK/c.db" "SELECT symbol, metric, ts, printf('%.17g', value)
	  FROM market_metrics WHERE exchange = 'simex' AND metric IN ('cvd', 'book_imbalance')
	  AND symbol IN ('BTCUSDT', 'ETHUSDT') ORDER BY symbol, metric, ts" >"$WORK/$name.txt"
	[ -s "$WORK/$name.txt" ] && ok || bad "$name: no CVD or imbalance stored"
}

# 1. straight through
run plain 20x 25 # 17 s of capture
# 2. every connection dropped every 8 s: the trades of each gap come back over REST
#    (/fapi/v1/trades, which keeps the latest 1,000: hence 10x, not 20x) and none is counted
#    twice; book tops have no history to recover, so only the CVD is compared
run drops 10x 42 --ws-drop-every 8
grep -v book_imbalance "$WORK/drops.txt" >"$WORK/drops-cvd.txt"
num() { sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p" "$2" | head -1; }
[ "$(num reconnects "$WORK/drops.health")" -ge 2 ] && ok ||
	bad "the drops run reconnected $(num reconnects "$WORK/drops.health") times"
[ "$(num recovered "$WORK/drops.health")" -gt 0 ] && ok || bad "no trade recovered over REST"
[ "$(num missing "$WORK/drops.health")" -eq 0 ] && ok ||
	bad "$(num missing "$WORK/drops.health") trades of the gaps missing"

compare() { # STORED CVD_ONLY > report
/usr/bin/python3 - "$CAP" "$1" "$2" 2>&1 <<'PY'
import gzip, json, sys
cap, stored_path, cvd_only = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
ref = {}
for sym in ("BTCUSDT", "ETHUSDT"):
    frames = []
    with gzip.open("%s/%s_20240808.gz" % (cap, sym.lower()), "rt") as f:
        for i, line in enumerate(f):
            ns, _, js = line.partition(" ")
            m = json.loads(js)
            if "stream" in m:
                frames.append((int(ns), i, m))
    frames.sort(key=lambda x: (x[0], x[1]))  # receive order, as simex serves them
    cvd, cvd_min, book_min, rows = 0.0, None, None, []
    for _, _, m in frames:
        d = m["data"]
        if d["e"] == "trade" and d.get("X", "MARKET") == "MARKET":
            cvd += (-1 if d["m"] else 1) * float(d["q"]) * float(d["p"])
            minute = d["T"] - d["T"] % 1000
            if minute != cvd_min:
                cvd_min = minute
                rows.append(("cvd", d["T"], cvd))
        elif d["e"] == "bookTicker" and not cvd_only:
            bq, aq = float(d["B"]), float(d["A"])
            minute = d["E"] - d["E"] % 1000
            if minute != book_min and bq + aq > 0:
                book_min = minute
                rows.append(("book_imbalance", d["E"], (bq - aq) / (bq + aq)))
    ref[sym] = (rows, cvd)
stored = {}
for line in open(stored_path):
    sym, metric, ts, v = line.split()
    stored.setdefault(sym, []).append((metric, int(ts), float(v)))
bad = 0
for sym, (rows, total) in ref.items():
    got = sorted(stored.get(sym, []))
    want = sorted(rows)
    if len(got) != len(want):
        print("%s: %d rows stored, %d in the reference" % (sym, len(got), len(want))); bad += 1
    for g, w in zip(got, want):
        if g[0] != w[0] or g[1] != w[1] or abs(g[2] - w[2]) > 1e-9 * max(1.0, abs(w[2])):
            print("%s: stored %s, reference %s" % (sym, g, w)); bad += 1
    print("%s: %d rows compared, market-trade CVD over the capture %.6f" % (sym, len(want), total))
print("differences: %d" % bad)
PY
}
compare "$WORK/plain.txt" 0 >"$WORK/compare.txt"
compare "$WORK/drops-cvd.txt" 1 >"$WORK/compare-drops.txt"
has "$WORK/compare.txt" "differences: 0" "stored CVD and imbalance equal the reference"
has "$WORK/compare-drops.txt" "differences: 0" "with reconnects, the stored CVD equals the reference"
for f in compare compare-drops; do
	grep -q "BTCUSDT: [1-9][0-9]* rows compared" "$WORK/$f.txt" && ok || bad "$f: no BTCUSDT rows compared: $(cat "$WORK/$f.txt")"
	grep -q "ETHUSDT: [1-9][0-9]* rows compared" "$WORK/$f.txt" && ok || bad "$f: no ETHUSDT rows compared"
done
summary net_capture
