#!/bin/sh
# The quant engine live, on loopback only: futuresboard collect against simex at 60x with alert
# rules. Then:
#   the engine warmed up from the store and published snapshots (health);
#   a rule fired, was stored, and ran its command with the alert in FB_ALERT_* variables;
#   SIGHUP reloaded the rules (a rule taken away stops firing) and a broken rule file was
#   refused with file:line:column, keeping the running rules;
#   live equals replay: every candle-derived value the live engine wrote to quant_summary is
#   bit-for-bit the value "export features" computes from the stored candles for that candle.
# Usage: net_quant.sh BINARY WORKDIR
set -u
FB=$1 WORK=$2
rm -rf "$WORK" && mkdir -p "$WORK" || exit 1
. "$(dirname "$0")/lib.sh"

"$FB" simex --port 0 --seed 5 --speed 60 --history-minutes 900 \
	>"$WORK/simex.out" 2>"$WORK/simex.err" &
SIMEX=$!
wait_line "$WORK/simex.out" listening || { bad "simex did not start"; exit 1; }
PORT=$(sed -n 's/.*127.0.0.1:\([0-9]*\).*/\1/p' "$WORK/simex.out")
cat >"$WORK/fb.ini" <<EOF
[feed]
intervals = 1m 5m
top_n = 4
lookback = 400
poll_s = 5

[alert always]
when = rsi >= 0 and close > 0
cooldown = 0
severity = info
command = echo "\$FB_ALERT_RULE \$FB_ALERT_SYMBOL \$FB_ALERT_INTERVAL \$FB_ALERT_SEVERITY" >>$WORK/alerts.txt
EOF
FBX="$FB --config $WORK/fb.ini --db $WORK/q.db --set binance.rest_url=http://127.0.0.1:$PORT
  --set binance.ws_url=ws://127.0.0.1:$PORT --set binance.label=simex
  --set log.file=$WORK/collect.log --set log.level=info"
$FBX collect --health-port -1 >"$WORK/collect.out" 2>"$WORK/collect.err" &
COLLECT=$!
wait_line "$WORK/collect.out" "health on" || bad "collect did not print its health address"
HP=$(sed -n 's/.*127.0.0.1:\([0-9]*\).*/\1/p' "$WORK/collect.out" | head -1)
sleep 15
curl -s "http://127.0.0.1:$HP/health" >"$WORK/health.json"
has "$WORK/health.json" '"engine":{"warm":true' "engine warm"
gen=$(sed -n 's/.*"generation":\([0-9]*\).*/\1/p' "$WORK/health.json")
[ "${gen:-0}" -ge 5 ] && ok || bad "engine published ${gen:-no} snapshots"
has "$WORK/collect.log" "replayed" "warm-up from the store logged"

# the rule fired: command run with its variables, alert stored
has "$WORK/alerts.txt" "always " "alert command ran"
grep -q '^always [A-Z0-9]*USDT 1m info$' "$WORK/alerts.txt" && ok || bad "alert variables: $(head -3 "$WORK/alerts.txt")"

# reload: the rule is replaced by one that never holds
cat >"$WORK/fb.ini" <<EOF
[feed]
intervals = 1m 5m
top_n = 4
lookback = 400
poll_s = 5

[alert never]
when = rsi > 1000
EOF
kill -HUP "$COLLECT"
sleep 3
has "$WORK/collect.log" "reload: 1 alert rule" "rules reloaded"
n1=$(wc -l <"$WORK/alerts.txt")
sleep 5
n2=$(wc -l <"$WORK/alerts.txt")
[ "$n1" = "$n2" ] && ok || bad "a removed rule kept firing ($n1 -> $n2 lines)"
# a broken rule is refused with its place, and the running rules stay
printf '[alert broken]\nwhen = rsi > 10 and oi_zz > 2\n' >"$WORK/fb.ini"
kill -HUP "$COLLECT"
sleep 2
has "$WORK/collect.log" "fb.ini:2:21: [alert broken] when: unknown metric 'oi_zz' (did you mean oi_z?)" "broken rule refused"
sleep 3
curl -s "http://127.0.0.1:$HP/health" >"$WORK/health2.json"
has "$WORK/health2.json" '"engine":{"warm":true' "engine still running"

kill -INT "$COLLECT"
wait "$COLLECT"
rc=$?
[ "$rc" = 0 ] && ok || bad "collect exit $rc: $(tail -3 "$WORK/collect.err")"
kill -TERM "$SIMEX"
wait "$SIMEX"

stored=$(sqlite3 "$WORK/q.db" "SELECT count(*) FROM alerts WHERE rule = 'always' AND severity = 'info'")
[ "${stored:-0}" -gt 0 ] && ok || bad "no alerts stored"

# live equals replay, bit for bit, for every series in quant_summary
sqlite3 -separator ' ' "$WORK/q.db" "SELECT symbol, timeframe FROM quant_summary WHERE open_time IS NOT NULL" >"$WORK/series"
[ "$(wc -l <"$WORK/series")" -ge 8 ] && ok || bad "quant_summary has $(wc -l <"$WORK/series") series, expected 8"
while read -r sym iv; do
	"$FB" --db "$WORK/q.db" export features --symbol "$sym" --interval "$iv" -o "$WORK/f-$sym-$iv.csv" 2>>"$WORK/export.err" || bad "export features $sym $iv"
done <"$WORK/series"
python3 - "$WORK" <<'PYEOF' >"$WORK/compare.out" 2>&1 && ok || { bad "live differs from replay"; cat "$WORK/compare.out" >&2; }
import csv, glob, math, sqlite3, sys
work = sys.argv[1]
db = sqlite3.connect(work + "/q.db")
cols = ["close", "change", "sma", "ema_fast", "ema_slow", "rsi", "atr", "boll_mid", "boll_up",
        "boll_low", "vwap", "zscore", "rv", "vol_of_vol", "cvd", "cvd_delta", "trend",
        "vol_regime", "volume", "quote_volume", "trades"]
rows = db.execute("SELECT symbol, timeframe, open_time, " + ", ".join(cols) +
                  " FROM quant_summary WHERE open_time IS NOT NULL").fetchall()
bad = checked = 0
for r in rows:
    sym, iv, t = r[0], r[1], r[2]
    with open(f"{work}/f-{sym}-{iv}.csv", newline="") as f:
        feats = {int(x["open_time"]): x for x in csv.DictReader(f)}
    if t not in feats:
        print(f"{sym} {iv}: candle {t} not in the replay"); bad += 1; continue
    x = feats[t]
    for c, live in zip(cols, r[3:]):
        rep = x[c]
        if c in ("trend", "vol_regime"):
            same = (live or "") == rep
        elif live is None:
            same = rep == ""
        else:
            same = rep != "" and float(rep) == live
        checked += 1
        if not same:
            bad += 1
            print(f"{sym} {iv} {t} {c}: live {live!r} replay {rep!r}")
print(f"{checked} values compared, {bad} differ")
sys.exit(1 if bad or checked < 100 else 0)
PYEOF
cat "$WORK/compare.out"
summary net_quant
