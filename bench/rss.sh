#!/bin/sh
# Memory benchmark: a collector on feed.top_n symbols x the six default intervals against
# simex at 60x, for MINUTES minutes. Prints VmRSS every minute and, at the end, the peak
# (VmHWM) and the growth of VmRSS between minute 2 and the last minute.
#
# Usage: bench/rss.sh [BUILD_DIR] [MINUTES] [TOP_N]   (defaults: build, 10, 20)
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
mins=${2:-10}
top=${3:-20}
fb=$build/futuresboard
[ -x "$fb" ] || { echo "bench/rss.sh: build futuresboard first ($fb)" >&2; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/fbrss.XXXXXX")
cleanup() { kill "$SIMEX" "$COLLECT" 2>/dev/null || true; rm -rf "$work"; }
SIMEX= COLLECT=
trap cleanup EXIT

# simex's own list has 46 instruments: for a bigger top N, those and synthetic ones after them
# (SYN001USDT ..., smaller volumes, so the real ones still rank first)
inst=$root/data/instruments.csv
have=$(grep -c '^[A-Z0-9]*USDT,' "$inst")
if [ "$top" -gt "$have" ]; then
	cp "$inst" "$work/instruments.csv"
	awk -v n=$((top - have + 10)) 'BEGIN { for (i = 1; i <= n; i++)
		printf "SYN%03dUSDT,%.4f,0.0001,1,%d,1.1,0.02\n", i, 1 + i / 10, 20000000 - i * 10000 }' \
		>>"$work/instruments.csv"
	inst=$work/instruments.csv
fi
"$fb" simex --port 0 --speed 60 --history-minutes 1500 --instruments "$inst" \
	>"$work/simex.out" 2>&1 &
SIMEX=$!
i=0; while ! grep -q listening "$work/simex.out"; do i=$((i+1)); [ $i -gt 100 ] && exit 1; sleep 0.1; done
port=$(sed -n 's/.*127.0.0.1:\([0-9]*\).*/\1/p' "$work/simex.out")
"$fb" --db "$work/c.db" --set "binance.rest_url=http://127.0.0.1:$port" \
	--set "binance.ws_url=ws://127.0.0.1:$port" --set binance.label=simex \
	--set "feed.top_n=$top" --set "log.file=$work/c.log" \
	collect --health-port -1 >"$work/collect.out" 2>"$work/collect.err" &
COLLECT=$!
kb() { sed -n "s/^$1:[[:space:]]*\([0-9]*\) kB/\1/p" "/proc/$COLLECT/status"; }
rss2=
for m in $(seq 1 "$mins"); do
	sleep 60
	r=$(kb VmRSS)
	echo "minute $m: VmRSS $((r / 1024)) MiB ($r kB), VmHWM $(($(kb VmHWM) / 1024)) MiB"
	[ "$m" = 2 ] && rss2=$r
done
last=$(kb VmRSS) peak=$(kb VmHWM)
echo "collector, top_n=$top x 6 intervals, simex at 60x, $mins min: peak RSS $((peak / 1024)) MiB ($peak kB); growth from minute 2 to $mins: $(( (last - ${rss2:-$last}) )) kB"
