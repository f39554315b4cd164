#!/bin/sh
# Network integration on loopback only: the collector re-ranks the top N while simex's volume
# ranking churns fast (600x time, --churn 50); symbols that enter are subscribed and
# backfilled, symbols that leave are unsubscribed and stop growing.
# Usage: net_rerank.sh BINARY WORKDIR
set -u
FB=$1 WORK=$2
rm -rf "$WORK" && mkdir -p "$WORK" || exit 1
. "$(dirname "$0")/lib.sh"

"$FB" simex --port 0 --seed 4 --speed 600 --history-minutes 1500 --churn 50 \
	>"$WORK/simex.out" 2>"$WORK/simex.err" &
SIMEX=$!
wait_line "$WORK/simex.out" listening || { bad "simex did not start"; exit 1; }
PORT=$(sed -n 's/.*127.0.0.1:\([0-9]*\).*/\1/p' "$WORK/simex.out")
"$FB" --db "$WORK/c.db" --set "binance.rest_url=http://127.0.0.1:$PORT" \
	--set "binance.ws_url=ws://127.0.0.1:$PORT" --set binance.label=simex --set feed.top_n=5 \
	--set feed.intervals=1m --set feed.rank_s=5 --set "log.file=$WORK/c.log" \
	collect --health-port 0 >"$WORK/collect.out" 2>"$WORK/collect.err" &
COLLECT=$!
sleep 24
kill -INT "$COLLECT"
wait "$COLLECT" && ok || bad "collect failed: $(tail -3 "$WORK/collect.err")"
kill -TERM "$SIMEX"
wait "$SIMEX"
has "$WORK/c.log" "re-ranked:" "the universe was ranked again"
has "$WORK/c.log" "ws: subscriptions:" "subscriptions followed the ranking"
n=$(sqlite3 "$WORK/c.db" "SELECT count(DISTINCT symbol) FROM v_candles")
[ "$n" -gt 5 ] && ok || bad "only $n symbols ever stored: nothing entered the top 5"
# a symbol that left stopped getting candles while those still in carried on
spread=$(sqlite3 "$WORK/c.db" "SELECT (max(last) - min(last)) / 60000 FROM
  (SELECT max(open_time) AS last FROM v_candles GROUP BY symbol)")
[ "$spread" -gt 10 ] && ok || bad "every symbol is still growing ($spread minutes apart)"
summary net_rerank
