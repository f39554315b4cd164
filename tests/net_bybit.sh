#!/bin/sh
# Two exchanges at once, on loopback only: futuresboard collect with exchanges.enabled =
# binance bybit against one futuresboard simex serving both protocols from one market model,
# at 60x with faults on (connections dropped, silences, garbled, duplicated and reordered
# frames, bursts of 429s and of Bybit's retCode 10006). Then:
#   both exchanges were ready and live, reconnected and counted malformed frames, each with
#   its own jobs in /health; Bybit's duplicated trades (UUIDs) were found and applied once; no request went out inside a Retry-After window;
#   every closed 1m and 5m candle of the tracked symbols equals what each exchange's REST
#   gives (Binance /fapi/v1/klines, Bybit /v5/market/kline, newest first), none missing, none
#   twice, stored under each exchange's label;
#   Bybit's realised funding equals simex's, including the 4-hourly payments after ETHUSDT's
#   funding interval went from 8 h to 4 h (before the run); BTCUSDT's goes from 8 h to 4 h
#   during the run, and the feed learns it within minutes (from the stream's next funding time
#   or the instrument list), and SOLUSDT's, which moves no next funding time, from the list;
#   a second viewer (attach, in tmux) shows both exchanges' fresh values on its venue screen
#   and follows the collector over time;
#   a replay of the store (export features) gives back the columns across exchanges exactly
#   from both exchanges' stored rows;
#   and a Bybit 403 ban (an HTML page) holds every request back, with no request inside it.
# Usage: net_bybit.sh BINARY WORKDIR
set -u
FB=$1 WORK=$2
rm -rf "$WORK" && mkdir -p "$WORK" || exit 1
. "$(dirname "$0")/lib.sh"
json_num() { sed -n "s/.*\"$1\":\([0-9-]*\).*/\1/p" "$2" | head -1; }

# the market starts 3 h 45 min into an 8-hour funding period (of the one before now):
# BTCUSDT's switch 10 minutes later moves its next funding time from the period's end to
# 4 h into it, learnt from the stream at once (or from the list, when its read comes first,
# as under TSan); SOLUSDT's, 20 minutes later, past 4 h into the
# period, moves nothing (both schedules settle next at the period's end), and is learnt from
# the instrument list, read every feed.poll_s here
START_S=$((($(date +%s) / 28800 - 1) * 28800 + 13500))
START=$(date -u -d @$START_S +%Y-%m-%dT%H:%MZ)
"$FB" simex --port 0 --seed 33 --speed 60 --history-minutes 1800 --exchange binance,bybit \
	--start "$START" \
	--ws-drop-every 9 --ws-silence-every 13 --ws-silence 4 --malformed-rate 0.01 \
	--duplicate-rate 0.02 --reorder-rate 0.02 --burst-every 11 --burst 2 \
	--bybit-funding-switch ETHUSDT:-600 --bybit-funding-switch BTCUSDT:10 \
	--bybit-funding-switch SOLUSDT:20 \
	>"$WORK/simex.out" 2>"$WORK/simex.err" &
SIMEX=$!
wait_line "$WORK/simex.out" listening || { bad "simex did not start"; exit 1; }
has "$WORK/simex.out" "(binance, bybit)" "simex serves both exchanges"
PORT=$(sed -n 's/.*127.0.0.1:\([0-9]*\).*/\1/p' "$WORK/simex.out")
URL=http://127.0.0.1:$PORT
FBX="$FB --db $WORK/c.db --set exchanges.enabled=binance,bybit
  --set binance.rest_url=$URL --set binance.ws_url=ws://127.0.0.1:$PORT --set binance.label=simex
  --set bybit.rest_url=$URL --set bybit.ws_url=ws://127.0.0.1:$PORT --set bybit.label=simex-bybit
  --set feed.top_n=4 --set feed.watchlist=1000SHIBUSDT --set feed.intervals=1m,5m
  --set feed.stale_s=3 --set feed.silent_stream_s=5
  --set feed.gap_check_s=5 --set feed.poll_s=5 --set feed.backoff_reset_s=3
  --set log.file=$WORK/collect.log --set log.level=info"
$FBX collect --health-port -1 >"$WORK/collect.out" 2>"$WORK/collect.err" &
COLLECT=$!
wait_line "$WORK/collect.out" "health on" || bad "collect did not print its health address"
HP=$(sed -n 's/.*127.0.0.1:\([0-9]*\).*/\1/p' "$WORK/collect.out" | head -1)
sleep 30

curl -s "http://127.0.0.1:$HP/health" >"$WORK/health.json"
python3 - "$WORK/health.json" >"$WORK/exchanges.txt" 2>&1 <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
for e in d["exchanges"]:
    w = e["websocket"]
    print(e["name"], e["label"], e["ready"], e["symbols"], w["reconnects"], w["malformed"],
          w["messages"], e["trades"]["duplicate"], e["state"])
EOF
has "$WORK/exchanges.txt" "binance simex True 5 " "Binance ready with 4 symbols and the watched one"
has "$WORK/exchanges.txt" "bybit simex-bybit True 5 " "Bybit ready with 4 symbols and the watched one"
# reconnects and malformed frames, counted per exchange
n=$(awk '$5 > 0 && $6 > 0 && $7 > 1000' "$WORK/exchanges.txt" | wc -l)
[ "$n" = 2 ] && ok || bad "not both exchanges reconnected and counted malformed frames: $(cat "$WORK/exchanges.txt")"
# Bybit's trades have UUIDs, not ordered ids: a duplicated frame's trades are still found
# (by the ids seen lately) and applied once
awk '$1 == "bybit" && $8 > 0 { f = 1 } END { exit !f }' "$WORK/exchanges.txt" && ok ||
	bad "no duplicate Bybit trade found: $(cat "$WORK/exchanges.txt")"
curl -s "$URL/simex/stats" >"$WORK/simex.stats"
has "$WORK/simex.stats" '"violations":0,' "no request inside a Retry-After window or a ban"
grep -q '"rate_limited":[1-9]' "$WORK/simex.stats" && ok || bad "no burst reached the collector"
# an error's envelope (a bad category here) carries the exchange's clock, as every answer does:
# the simulated time, hours behind this machine's
curl -s "$URL/v5/market/kline?category=spot&symbol=BTCUSDT&interval=1" >"$WORK/by_error.json"
curl -s "$URL/simex/stats" >"$WORK/simex.now"
te=$(json_num time "$WORK/by_error.json") tn=$(json_num time "$WORK/simex.now")
[ -n "$te" ] && [ -n "$tn" ] && [ $((tn - te)) -ge 0 ] && [ $((tn - te)) -lt 120000 ] && ok ||
	bad "an error's time $te is not simex's clock $tn: $(cat "$WORK/by_error.json")"

# A second viewer, over time: attach (tmux, 100x30) follows the collector's database; its
# venue screen shows Bybit's rows beside Binance's (SHIB1000USDT under 1000SHIBUSDT), fresh
# (neither dimmed as old nor waiting), the sum across both, Bybit's OI$ as its stored rows give
# it, and moves on as the collector commits. Under these faults (a stream dropped every 9 s,
# silent 4 s every 13 s, bursts of refusals) at 60x, a minute of the market is a second here
# and Bybit's part may rightly be over 5 minutes old for a moment: the screen is read once a
# second until it is fresh (at most 20 times), and a row it calls old must be so (5 minutes
# or more) with the sums it is part of blank
tmux_setup net_bybit
$T new-session -d -s ui -x 100 -y 30 "env HOME=$WORK LANG=C.UTF-8 LC_ALL=C.UTF-8 $FB --db $WORK/c.db attach; sleep 30"
wait_screen "ATTACH" || bad "attach did not start: $(cat "$WORK/screen")"
$T send-keys -t ui v
wait_screen "simex-bybit  BTCUSDT" || bad "attach's venue screen shows no Bybit row"
sleep 1
: >"$WORK/venues_old.txt"
i=0
while [ $i -lt 20 ]; do
	screen
	cp "$WORK/screen" "$WORK/venues1.txt"
	sqlite3 "$WORK/c.db" "SELECT (SELECT value FROM market_metrics WHERE exchange = 'simex-bybit' AND
	  symbol = 'BTCUSDT' AND metric = 'open_interest' ORDER BY ts DESC LIMIT 1) * (SELECT value FROM
	  market_metrics WHERE exchange = 'simex-bybit' AND symbol = 'BTCUSDT' AND metric = 'mark_price'
	  ORDER BY ts DESC LIMIT 1)" >"$WORK/venues_oi.txt"
	# fresh: Bybit's BTCUSDT neither old nor waiting, and every sum (OI$ of an all line) shown
	awk '$1 == "simex-bybit" && $2 == "BTCUSDT" && /(old|waiting)/ { f = 1 }
	     $1 == "all" && $2 == "fspread" && substr($0, 43, 8) ~ /^ *- *$/ { f = 1 }
	     END { exit f }' "$WORK/venues1.txt" && break
	{ echo "-- read $i"; cat "$WORK/venues1.txt"; } >>"$WORK/venues_old.txt"
	sleep 1
	i=$((i + 1))
done
echo "attach: fresh at read $i" >&2
sleep 6
screen
cp "$WORK/screen" "$WORK/venues2.txt"
$T kill-server
python3 - "$WORK/venues1.txt" "$WORK/venues2.txt" "$(cat "$WORK/venues_oi.txt")" \
	"$WORK/venues_old.txt" >"$WORK/venues.txt" 2>&1 <<'EOF2'
import sys
a, b = (open(f).read().splitlines() for f in sys.argv[1:3])
def money(x):
    return float(x[:-1]) * {"B": 1e9, "M": 1e6, "K": 1e3}[x[-1]] if x[-1] in "BMK" else float(x)
def row(lines, ex, sym):
    return next((l for l in lines if l.split()[:2] == [ex, sym]), None)
btc1, btc2 = row(a, "simex-bybit", "BTCUSDT"), row(b, "simex-bybit", "BTCUSDT")
print("bybit row", "yes" if btc1 and btc2 else "no")
print("fresh", "yes" if btc1 and "old" not in btc1 and "waiting" not in btc1 else "no")
shib = [i for i, l in enumerate(a) if l.split()[:2] in (["simex", "1000SHIBUSDT"],
                                                       ["simex-bybit", "SHIB1000USDT"])]
print("shib mapped", "yes" if len(shib) == 2 and shib[1] == shib[0] + 1 else "no")
alls = [l[42:50].strip() for l in a if l.split()[:2] == ["all", "fspread"]]
print("sums", "yes" if alls and all(x != "-" for x in alls) else "no")
want = float(sys.argv[3])
got = money(btc1[42:50].strip()) if btc1 else 0
print("bybit oi", got, "stored", want, "near", "yes" if abs(got / want - 1) < 0.05 else "no")
print("moved", "yes" if btc1 and btc2 and btc1 != btc2 else "no")
# the reads before: an exchange's row called old is 5 minutes old or more, and the sum
# right under it (its symbol's "all" line) is blank
bad = 0
lines = open(sys.argv[4]).read().splitlines()
for i, l in enumerate(lines):
    w = l.split()
    if len(w) > 2 and w[0] in ("simex", "simex-bybit") and w[-1] == "old":
        age = w[-2]
        mins = int(age[:-1]) * {"m": 1, "h": 60, "d": 1440}[age[-1]]
        nxt = next((m for m in lines[i + 1:] if m.split()[:1] == ["all"]), "")
        if mins < 5 or nxt[42:50].strip() != "-":
            bad += 1
            print("inconsistent:", l, "|", nxt)
print("old rows consistent", "yes" if not bad else "no")
EOF2
for w in "bybit row yes" "fresh yes" "shib mapped yes" "sums yes" "near yes" "moved yes" \
	"old rows consistent yes"; do
	has "$WORK/venues.txt" "$w" "attach's venue screen over time ($w)"
done
grep -q '^-- read' "$WORK/venues_old.txt" && { echo "attach's reads before the fresh one:"; cat "$WORK/venues_old.txt"; } >&2

STOP_T=$(sed -n 's/.*"time":\([0-9]*\).*/\1/p' "$WORK/simex.stats")
kill -INT "$COLLECT"
wait "$COLLECT"
rc=$?
[ "$rc" = 0 ] && ok || bad "collect exit $rc: $(tail -3 "$WORK/collect.err")"
has "$WORK/collect.out" "queue flushed" "clean stop"
has "$WORK/collect.log" "collecting bybit too, as 'simex-bybit'" "the second exchange started"

# every stored closed candle equals each exchange's REST answer; none of those in the window
# (from the first stored to ten simulated minutes before the last) is missing
python3 - "$WORK/c.db" "$URL" >"$WORK/compare.txt" 2>&1 <<'EOF'
import json, sqlite3, sys, time, urllib.error, urllib.request
db = sqlite3.connect(sys.argv[1])
url = sys.argv[2]
def get(path):
    # simex's bursts (a 429, or Bybit's retCode 10006) last 2 s: asked again after them
    for attempt in range(40):
        try:
            with urllib.request.urlopen(url + path) as r:
                d = json.load(r)
            if not isinstance(d, dict) or d.get("retCode", 0) == 0:
                return d
        except urllib.error.HTTPError:
            pass
        time.sleep(0.25)
    raise SystemExit("simex kept refusing " + path)
wrong = lost = n = series = 0
for ex, sym, ivl, sid in db.execute("SELECT exchange, symbol, interval, id FROM series"):
    rows = {r[0]: r[1:] for r in db.execute(
        "SELECT open_time, open, high, low, close, volume, quote_volume FROM candles "
        "WHERE series_id = ? AND closed = 1", (sid,))}
    if not rows:
        continue
    series += 1
    lo, hi = min(rows), max(rows) - 600000
    if ex == "simex":
        src = get("/fapi/v1/klines?symbol=%s&interval=%s&startTime=%d&limit=1500" % (sym, ivl, lo))
        src = [(int(r[0]), [float(x) for x in r[1:6]] + [float(r[7])]) for r in src]
    else:
        b = {"1m": "1", "5m": "5"}[ivl]
        src = get("/v5/market/kline?category=linear&symbol=%s&interval=%s&start=%d&limit=1000"
                  % (sym, b, lo))["result"]["list"]
        src = [(int(r[0]), [float(x) for x in r[1:7]]) for r in src]
    src = dict(src)
    for t in range(lo, hi + 1, 60000 if ivl == "1m" else 300000):
        if t not in src:
            continue
        n += 1
        if t not in rows:
            lost += 1
        elif any(abs(a - b) > 1e-9 * max(1.0, abs(b)) for a, b in zip(rows[t], src[t])):
            wrong += 1
            if wrong < 4:
                print("differs:", ex, sym, ivl, t, rows[t], src[t])
dups = db.execute("SELECT count(*) - count(DISTINCT series_id || ':' || open_time) "
                  "FROM candles").fetchone()[0]
labels = " ".join(r[0] for r in db.execute("SELECT DISTINCT exchange FROM series ORDER BY 1"))
print("series", series, "compared", n, "wrong", wrong, "lost", lost, "dups", dups, "labels", labels)
EOF
has "$WORK/compare.txt" "wrong 0 lost 0 dups 0 labels simex simex-bybit" "candles of both exchanges equal their REST answers"
ns=$(sed -n 's/^series \([0-9]*\) .*/\1/p' "$WORK/compare.txt")
[ "${ns:-0}" -ge 20 ] && ok || bad "${ns:-0} series compared, expected 5 symbols, 2 intervals, 2 exchanges"
n=$(sed -n 's/.* compared \([0-9]*\) .*/\1/p' "$WORK/compare.txt")
[ "${n:-0}" -gt 8000 ] && ok || bad "only ${n:-0} candles compared: $(cat "$WORK/compare.txt")"
echo "compared ${n:-0} candles of two exchanges"

# Bybit's realised funding: what simex has up to the stop (less 30 simulated minutes), and
# nothing it lacks; ETHUSDT's payments 4 h apart since its interval changed
python3 - "$WORK/c.db" "$URL" "${STOP_T:-0}" >"$WORK/funding.txt" 2>&1 <<'EOF'
import json, sqlite3, sys, time, urllib.error, urllib.request
db = sqlite3.connect(sys.argv[1])
url, stop = sys.argv[2], int(sys.argv[3])
def get(path):
    # simex's bursts (a 429, or Bybit's retCode 10006) last 2 s: asked again after them
    for attempt in range(40):
        try:
            with urllib.request.urlopen(url + path) as r:
                d = json.load(r)
            if not isinstance(d, dict) or d.get("retCode", 0) == 0:
                return d
        except urllib.error.HTTPError:
            pass
        time.sleep(0.25)
    raise SystemExit("simex kept refusing " + path)
differ = 0
for (sym,) in db.execute("SELECT DISTINCT symbol FROM funding WHERE exchange = 'simex-bybit'"):
    mine = [(t, "%.8f" % r) for t, r in db.execute(
        "SELECT funding_time, funding_rate FROM funding WHERE exchange = 'simex-bybit' AND "
        "symbol = ? ORDER BY 1", (sym,))]
    theirs = [(int(x["fundingRateTimestamp"]), "%.8f" % float(x["fundingRate"]))
              for x in get("/v5/market/funding/history?category=linear&symbol=%s&limit=200"
                           % sym)["result"]["list"]][::-1]
    want = [x for x in theirs if x in mine or x[0] <= stop - 1800000]
    if want != mine:
        differ += 1
        print("differs:", sym, mine[-3:], want[-3:])
    if sym == "ETHUSDT":
        gaps = sorted(set((b[0] - a[0]) // 3600000 for a, b in zip(mine, mine[1:])))
        print("ETHUSDT gaps (h):", " ".join(map(str, gaps)))
print("funding differs", differ)
EOF
has "$WORK/funding.txt" "funding differs 0" "Bybit's funding equals simex's"
has "$WORK/funding.txt" "ETHUSDT gaps (h): 4 8" "ETHUSDT paid every 8 h, then every 4 h"
# Across exchanges: the engine's oi_all (the last quant_summary, written at the stop) is each
# exchange's one-sided open interest times its mark, summed, from the rows they stored (the
# latest of each; the mark is stored once a minute and moves within it, so within 1 %: a
# both-sided Bybit value, or one exchange left out, is 20 % or more off); 1000SHIBUSDT is
# mapped to Bybit's SHIB1000USDT; Bybit's funding interval of ETHUSDT is stored as 4 h
python3 - "$WORK/c.db" "$START_S" >"$WORK/cross.txt" 2>&1 <<'EOF'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
switch = int(sys.argv[2]) * 1000 + 600000 # BTCUSDT's, 10 minutes after the start
def latest(ex, sym, metric):
    r = db.execute("SELECT value FROM market_metrics WHERE exchange = ? AND symbol = ? AND "
                   "metric = ? ORDER BY ts DESC LIMIT 1", (ex, sym, metric)).fetchone()
    return r[0] if r else None
twin = {"1000SHIBUSDT": "SHIB1000USDT"}
n = off = 0
for sym, t, oi_all, share in db.execute(
        "SELECT symbol, updated_ms, oi_all, oi_share FROM quant_summary WHERE exchange = 'simex' "
        "AND timeframe = '1m' AND oi_all IS NOT NULL").fetchall():
    want = 0
    for ex, s in (("simex", sym), ("simex-bybit", twin.get(sym, sym))):
        oi, mark = latest(ex, s, "open_interest"), latest(ex, s, "mark_price")
        if oi is None or mark is None:
            want = None
            break
        want += oi * mark
    if want is None:
        continue
    n += 1
    if abs(oi_all / want - 1) > 0.01 or not 0 < share < 1:
        off += 1
        print("off:", sym, oi_all, want, share)
print("oi_all checked", n, "off", off)
shib = db.execute("SELECT count(*) FROM v_candles WHERE exchange = 'simex-bybit' AND "
                  "symbol = 'SHIB1000USDT' AND closed = 1").fetchone()[0]
mapped = db.execute("SELECT count(*) FROM quant_summary WHERE symbol = '1000SHIBUSDT' AND "
                    "oi_all > 0 AND oi_share > 0 AND oi_share < 1").fetchone()[0]
print("shib candles", "yes" if shib > 100 else "no", "mapped", "yes" if mapped else "no")
sides = db.execute("SELECT group_concat(DISTINCT CAST(value AS INTEGER)) FROM market_metrics "
                   "WHERE exchange = 'simex-bybit' AND metric = 'open_interest_sides'").fetchone()[0]
print("bybit open interest counted as", sides, "side")
for sym in ("ETHUSDT", "BTCUSDT", "SOLUSDT", "SHIB1000USDT"):
    r = db.execute("SELECT value FROM market_metrics WHERE exchange = 'simex-bybit' AND "
                   "symbol = ? AND metric = 'funding_interval_h' ORDER BY ts DESC LIMIT 1",
                   (sym,)).fetchone()
    print(sym, "funding interval", r[0] if r else None)
# BTCUSDT's switch, 10 simulated minutes after simex's start: learnt within minutes of it
# (from the stream's next funding time at once, or from the list read every feed.poll_s,
# whichever the feed sees first), not at a re-rank or a settlement hours later
r = db.execute("SELECT min(ts) FROM market_metrics WHERE exchange = 'simex-bybit' AND "
               "symbol = 'BTCUSDT' AND metric = 'funding_interval_h' AND value = 4").fetchone()[0]
print("BTCUSDT learnt", "yes" if r else "no", "after", (r - switch) // 60000 if r else None,
      "min")
EOF
has "$WORK/cross.txt" " off 0" "oi_all is the sum of the exchanges' stored one-sided OI"
n=$(sed -n 's/^oi_all checked \([0-9]*\) .*/\1/p' "$WORK/cross.txt")
[ "${n:-0}" -ge 4 ] && ok || bad "oi_all checked for ${n:-0} symbols: $(cat "$WORK/cross.txt")"
has "$WORK/cross.txt" "shib candles yes mapped yes" "1000SHIBUSDT mapped to SHIB1000USDT"
has "$WORK/cross.txt" "bybit open interest counted as 1 side" "the definition of each OI row is stored"
has "$WORK/cross.txt" "ETHUSDT funding interval 4.0" "Bybit's 4 h funding interval of ETHUSDT learnt"
has "$WORK/cross.txt" "SHIB1000USDT funding interval 8.0" "Bybit's 8 h funding interval of SHIB1000USDT"
has "$WORK/cross.txt" "BTCUSDT funding interval 4.0" "BTCUSDT's switch to 4 h during the run learnt"
has "$WORK/collect.log" "bybit: BTCUSDT: funding every 4 h now (was 8 h)" "the switch is logged"
m=$(sed -n 's/^BTCUSDT learnt yes after \([0-9]*\) min$/\1/p' "$WORK/cross.txt")
[ -n "$m" ] && [ "$m" -ge 0 ] && [ "$m" -le 8 ] && ok ||
	bad "BTCUSDT's switch at 10 simulated minutes learnt at: $(grep learnt "$WORK/cross.txt")"
has "$WORK/cross.txt" "SOLUSDT funding interval 4.0" "SOLUSDT's switch to 4 h learnt"
has "$WORK/collect.log" "bybit: SOLUSDT: funding every 4 h now (was 8 h), as listed" \
	"SOLUSDT's switch learnt from the instrument list"
# From the store alone: export features replays Binance's 1000SHIBUSDT through the engine with
# the other exchange's stored rows of the instrument (Bybit's SHIB1000USDT) as they came, so
# each candle's oi_all is exactly both exchanges' one-sided open interest times their mark,
# the newest of each at its close; and is empty where a part is unknown or stale
"$FB" --db "$WORK/c.db" export features --symbol 1000SHIBUSDT --interval 1m --exchange simex \
	-o "$WORK/shib.csv" 2>"$WORK/shib.err"
python3 - "$WORK/c.db" "$WORK/shib.csv" >"$WORK/replayed.txt" 2>&1 <<'EOF'
import csv, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
def latest(ex, sym, metrics, t):
    r = db.execute("SELECT value, ts FROM market_metrics WHERE exchange = ? AND symbol = ? AND "
                   "metric IN (%s) AND ts <= ? ORDER BY ts DESC LIMIT 1"
                   % ",".join("?" * len(metrics)), (ex, sym, *metrics, t)).fetchone()
    return r if r else (None, None)
n = off = empty = 0
for row in csv.DictReader(open(sys.argv[2])):
    close = int(row["open_time"]) + 59999
    # each exchange's part is fresh: its mark within 5 minutes of the candle's close, its
    # open interest within that and twice the smaller of its last two spacings (at most a
    # day; not judged before its second value)
    def part(ex, sym):
        oi, oi_ts = latest(ex, sym, ["open_interest"], close)
        mark, mark_ts = latest(ex, sym, ["mark_price"], close)
        if oi is None or mark is None:
            return None
        t = [r[0] for r in db.execute(
            "SELECT ts FROM market_metrics WHERE exchange = ? AND symbol = ? AND "
            "metric = 'open_interest' AND ts <= ? ORDER BY ts DESC LIMIT 3", (ex, sym, close))]
        gaps = [t[i] - t[i + 1] for i in range(len(t) - 1)]
        allow = 300000 + min(2 * min(gaps), 86400000) if gaps else float("inf")
        fresh = close - mark_ts <= 300000 and close - oi_ts <= allow
        return oi * mark if fresh else None
    parts = (part("simex", "1000SHIBUSDT"), part("simex-bybit", "SHIB1000USDT"))
    want = None if None in parts else sum(parts)
    got = float(row["oi_all"]) if row["oi_all"] else None
    if want is None:
        empty += got is None
        off += got is not None
        if got is not None:
            print("not empty:", row["open_time"], got)
        continue
    n += 1
    if got is None or abs(got / want - 1) > 1e-9:
        off += 1
        if off < 4:
            print("off:", row["open_time"], got, want)
print("replayed oi_all", n, "empty", empty, "off", off)
EOF
has "$WORK/replayed.txt" " off 0" "a replay's oi_all is both exchanges' stored open interest"
n=$(sed -n 's/^replayed oi_all \([0-9]*\) .*/\1/p' "$WORK/replayed.txt")
[ "${n:-0}" -ge 10 ] && ok || bad "replayed oi_all on ${n:-0} candles: $(cat "$WORK/replayed.txt" "$WORK/shib.err")"
kill -TERM "$SIMEX"
wait "$SIMEX"

# A Bybit 403 ban: simex refuses with an HTML page past 5 requests in 5 s and bans for 30 s;
# the collector holds every Bybit request back (a violation would be a request in the ban)
"$FB" simex --port 0 --seed 34 --speed 60 --history-minutes 120 --exchange bybit \
	--bybit-limit 5 --ban-seconds 30 >"$WORK/simex2.out" 2>"$WORK/simex2.err" &
SIMEX=$!
wait_line "$WORK/simex2.out" listening || { bad "simex did not start"; exit 1; }
PORT=$(sed -n 's/.*127.0.0.1:\([0-9]*\).*/\1/p' "$WORK/simex2.out")
"$FB" --db "$WORK/ban.db" --set exchanges.enabled=bybit --set bybit.rest_url=http://127.0.0.1:$PORT \
	--set bybit.ws_url=ws://127.0.0.1:$PORT --set bybit.label=simex-bybit --set feed.top_n=3 \
	--set feed.intervals=1m,5m --set log.file="$WORK/ban.log" collect --health-port -1 \
	>"$WORK/ban.out" 2>"$WORK/ban.err" &
COLLECT=$!
wait_line "$WORK/ban.out" "health on" || bad "collect did not print its health address"
HP=$(sed -n 's/.*127.0.0.1:\([0-9]*\).*/\1/p' "$WORK/ban.out" | head -1)
i=0
until grep -q "banned by the exchange (403)" "$WORK/ban.log" 2>/dev/null; do
	i=$((i + 1))
	[ $i -gt 100 ] && break
	sleep 0.2
done
has "$WORK/ban.log" "banned by the exchange (403): holding every request" "the 403 ban is held"
has "$WORK/ban.log" "an HTML page" "the ban page is named, not parsed"
sleep 3
curl -s "http://127.0.0.1:$HP/health" >"$WORK/ban.json"
has "$WORK/ban.json" '"banned":true' "health shows the ban"
has "$WORK/ban.json" '"state":"banned until' "the feed state says banned"
curl -s "http://127.0.0.1:$PORT/simex/stats" >"$WORK/simex2.stats"
has "$WORK/simex2.stats" '"violations":0,' "no request inside the ban"
kill -INT "$COLLECT"
wait "$COLLECT"
rc=$?
[ "$rc" = 0 ] && ok || bad "collect exit $rc during a ban: $(tail -3 "$WORK/ban.err")"
kill -TERM "$SIMEX"
wait "$SIMEX"
summary net_bybit
