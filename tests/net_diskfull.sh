#!/bin/sh
# A full disk on loopback only: the collector's database on a 1 MiB tmpfs, fed by simex until
# the disk is full. Then:
#  - /health says not ready, with the store's reason and the records it holds;
#  - SIGTERM ends the collector within 10 s (it once waited for ever: the engine waited for
#    the writer, the writer retried its commit every 5 s), exit 1, saying how many records
#    could not be saved;
#  - what was committed is intact (integrity_check) and readable.
# Needs permission to mount a tmpfs (root): skipped, saying so, where that is not allowed.
# Usage: net_diskfull.sh BINARY WORKDIR
set -u
FB=$1 WORK=$2
rm -rf "$WORK" && mkdir -p "$WORK/mnt" || exit 1
. "$(dirname "$0")/lib.sh"
if ! mount -t tmpfs -o size=1m tmpfs "$WORK/mnt" 2>/dev/null; then
	echo "net_diskfull: cannot mount a tmpfs here (not root?): skipped"
	exit 0
fi
cleanup() {
	# one by one: dash's kill stops at an empty argument (the collector's, once waited for)
	# and left simex running
	for p in $COLLECT $SIMEX; do kill "$p" 2>/dev/null; done
	umount "$WORK/mnt" 2>/dev/null
}
SIMEX= COLLECT=
trap cleanup EXIT

"$FB" simex --port 0 --seed 5 --speed 60 --history-minutes 3000 >"$WORK/simex.out" 2>"$WORK/simex.err" &
SIMEX=$!
wait_line "$WORK/simex.out" listening || { bad "simex did not start"; exit 1; }
PORT=$(sed -n 's/.*127.0.0.1:\([0-9]*\).*/\1/p' "$WORK/simex.out")
"$FB" --db "$WORK/mnt/c.db" --set "binance.rest_url=http://127.0.0.1:$PORT" \
	--set "binance.ws_url=ws://127.0.0.1:$PORT" --set binance.label=simex --set feed.top_n=8 \
	--set feed.lookback=3000 --set "log.file=$WORK/c.log" \
	collect --health-port -1 >"$WORK/collect.out" 2>"$WORK/collect.err" &
COLLECT=$!
wait_line "$WORK/collect.out" "health on" || bad "collect did not start"
HP=$(sed -n 's/.*127.0.0.1:\([0-9]*\).*/\1/p' "$WORK/collect.out" | head -1)
# the disk fills during the lookback; then the writer must hold what it cannot commit
i=0
while ! grep -q '"held":[1-9]' "$WORK/health.json" 2>/dev/null; do
	i=$((i + 1))
	[ $i -gt 60 ] && break
	sleep 0.5
	curl -s "http://127.0.0.1:$HP/health" >"$WORK/health.json"
done
grep -q '"held":[1-9]' "$WORK/health.json" && ok || bad "the store never reported held records: $(head -c 600 "$WORK/health.json")"
has "$WORK/health.json" "full" "health names the full disk"
# after 10 s of failures the collector is not ready, and says why
sleep 11
curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$HP/ready" >"$WORK/ready"
has "$WORK/ready" 503 "not ready while the store cannot commit"
"$FB" --db "$WORK/mnt/c.db" health --port "$HP" >"$WORK/health.txt" 2>&1
[ $? -ne 0 ] && ok || bad "futuresboard health says ready while nothing is written"

t0=$(date +%s)
kill -TERM "$COLLECT"
i=0
while kill -0 "$COLLECT" 2>/dev/null; do
	i=$((i + 1))
	[ $i -gt 100 ] && break
	sleep 0.1
done
if kill -0 "$COLLECT" 2>/dev/null; then
	bad "SIGTERM did not end the collector within 10 s"
	kill -9 "$COLLECT"
fi
wait "$COLLECT"
rc=$?
COLLECT=
[ "$rc" -eq 1 ] && ok || bad "collect exit $rc on a full disk, expected 1"
has "$WORK/collect.out" "could not be saved" "the exit says records could not be saved"
echo "stopped in $(($(date +%s) - t0)) s"
[ "$(sqlite3 "$WORK/mnt/c.db" 'PRAGMA integrity_check' 2>&1)" = ok ] && ok || bad "integrity after a full disk"
n=$(sqlite3 "$WORK/mnt/c.db" "SELECT count(*) FROM candles" 2>&1)
[ "${n:-0}" -gt 0 ] 2>/dev/null && ok || bad "nothing readable after a full disk ($n)"
summary net_diskfull
