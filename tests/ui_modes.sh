#!/bin/sh
# The dashboard's other modes, end to end in tmux with the real binary:
#   replay over imported candles: the REPLAY banner; a click on a title sorts; a step (right arrow, ]) moves the clock by
#   exactly one candle of the timeframe and back ([); timeframe keys change the label and the
#   values; space plays (the clock runs) and pauses; g jumps to a typed time; Enter opens the
#   detail charts; e in the detail exports the series; an alert rule fires as the clock passes
#   it, and not again after a step back and forth;
#   attach to a collector filling a database from simex: the table fills, the collector's
#   alerts become toasts, h shows the follower noticing commits;
#   live (no command) against simex: the LIVE header and the table;
#   without a terminal, live, replay and attach refuse with exit 2.
# Usage: ui_modes.sh BINARY WORKDIR
set -u
FB=$1 WORK=$2
rm -rf "$WORK" && mkdir -p "$WORK/home" || exit 1
. "$(dirname "$0")/lib.sh"
tmux_setup ui_modes
ENVS="HOME=$WORK/home XDG_DATA_HOME=$WORK/home/data XDG_STATE_HOME=$WORK/home/state XDG_CONFIG_HOME=$WORK/home/cfg LANG=C.UTF-8 LC_ALL=C.UTF-8"
start() { # start COMMAND...: in a fresh 120x36 terminal
	$T kill-server 2>/dev/null
	n=$((n + 1))
	T="tmux -S $WORK/tmux$n.sock"
	rm -f "$WORK/exit"
	$T new-session -d -s ui -x 120 -y 36 "cd $WORK && env $ENVS $*; echo EXIT=\$? >$WORK/exit; sleep 60"
}
quit() {
	$T send-keys -t ui q
	i=0
	while [ ! -s "$WORK/exit" ] && [ $i -lt 100 ]; do sleep 0.2; i=$((i + 1)); done
	has "$WORK/exit" "EXIT=0" "$1: q quits with status 0"
}
clock() { sed -n 's/^ REPLAY \([0-9-]* [0-9:]*\) UTC.*/\1/p' "$WORK/screen" | head -1; }
epoch() { date -u -d "$1" +%s; }

# --- no terminal: a clear refusal
"$FB" --db "$WORK/none.db" </dev/null >"$WORK/out" 2>"$WORK/err"
[ $? -eq 2 ] && ok || bad "live without a terminal should exit 2"
has "$WORK/err" "needs a terminal" "live says it needs a terminal"
"$FB" --db "$WORK/none.db" replay </dev/null >"$WORK/out" 2>"$WORK/err"
[ $? -eq 2 ] && ok || bad "replay without a terminal should exit 2"
"$FB" --db "$WORK/none.db" attach </dev/null >"$WORK/out" 2>"$WORK/err"
[ $? -eq 2 ] && ok || bad "attach without a terminal should exit 2"

# --- replay: three days of 1m and 5m candles of two symbols
T0=1735689600000
for s in AAAUSDT:100 BBBUSDT:2000; do
	sym=${s%%:*} p=${s#*:}
	awk -v t0=$T0 -v p=$p -v step=60000 -v n=4320 'BEGIN { srand(7); for (i = 0; i < n; i++) { o = p; p = p * (1 + (rand() - 0.5) / 100); hi = (o > p ? o : p) * 1.001; lo = (o < p ? o : p) * 0.999; printf "%.0f,%.6f,%.6f,%.6f,%.6f,10,%.0f,%.2f,10,5,%.2f,0\n", t0 + i * step, o, hi, lo, p, t0 + (i + 1) * step - 1, 10 * p, 5 * p } }' >"$WORK/$sym-1m.csv"
	awk -v t0=$T0 -v p=$p -v step=300000 -v n=864 'BEGIN { srand(9); for (i = 0; i < n; i++) { o = p; p = p * (1 + (rand() - 0.5) / 50); hi = (o > p ? o : p) * 1.001; lo = (o < p ? o : p) * 0.999; printf "%.0f,%.6f,%.6f,%.6f,%.6f,50,%.0f,%.2f,10,25,%.2f,0\n", t0 + i * step, o, hi, lo, p, t0 + (i + 1) * step - 1, 50 * p, 25 * p } }' >"$WORK/$sym-5m.csv"
	"$FB" --db "$WORK/r.db" import --symbol $sym --interval 1m "$WORK/$sym-1m.csv" >/dev/null || bad "import $sym 1m"
	"$FB" --db "$WORK/r.db" import --symbol $sym --interval 5m "$WORK/$sym-5m.csv" >/dev/null || bad "import $sym 5m"
done
printf '[alert every5]\nwhen = close > 0\ninterval = 5m\ncooldown = 0\nseverity = warn\n' >"$WORK/rules.ini"
"$FB" --db "$WORK/r.db" backtest --strategy donchian --symbol BBBUSDT --interval 5m >/dev/null 2>&1 || bad "backtest for the runs screen"
start "$FB" --config "$WORK/rules.ini" --db "$WORK/r.db" replay --from 2025-01-02T12:00
wait_screen "REPLAY 2025-01-02 12:00 UTC" && ok || { bad "no replay banner at the start"; cat "$WORK/screen" >&2; }
has "$WORK/screen" "1m  top" "replay starts on the shortest timeframe"
[ "$(grep -c '^[AB]*USDT ' "$WORK/screen")" = 2 ] && ok || bad "replay table rows"
p0=$(awk '/^AAAUSDT / { print $2 }' "$WORK/screen")
# a click on the PRICE title (xterm mouse report: press, release at column 14, row 4)
$T send-keys -t ui -l "$(printf '\033[M -$\033[M#-$')"
wait_screen "PRICE▼" && ok || bad "a click on a column title did not sort by it"
$T send-keys -t ui Right
wait_screen "REPLAY 2025-01-02 12:01 UTC" && ok || bad "right arrow did not step one 1m candle"
p1=$(awk '/^AAAUSDT / { print $2 }' "$WORK/screen")
[ "$p0" != "$p1" ] && ok || bad "a step did not change the price ($p0)"
$T send-keys -t ui 2
wait_screen "5m  top" && ok || bad "key 2 did not switch to 5m"
$T send-keys -t ui ']'
wait_screen "REPLAY 2025-01-02 12:05 UTC" && ok || bad "] did not step to the next 5m candle"
$T send-keys -t ui ']'
wait_screen "REPLAY 2025-01-02 12:10 UTC" && ok || bad "] did not step one 5m candle"
screen
c1=$(clock)
[ $(( $(epoch "$c1") - $(epoch "2025-01-02 12:05") )) -eq 300 ] && ok || bad "5m step moved the clock to $c1"
# alerts: two symbols x two 5m candles passed, as toasts; not again after going back and forth
has "$WORK/screen" "warn every5" "an alert toast while replaying"
$T send-keys -t ui a
wait_screen "newest first" || bad "no alert log"
screen
cnt=$(grep -c 'warn every5' "$WORK/screen")
[ "$cnt" = 4 ] && ok || bad "$cnt alerts after two 5m steps, expected 4"
$T send-keys -t ui q '[' ']'
sleep 1
$T send-keys -t ui a
wait_screen "newest first"
screen
cnt=$(grep -c 'warn every5' "$WORK/screen")
[ "$cnt" = 4 ] && ok || bad "$cnt alerts after a step back and forth, expected still 4"
$T send-keys -t ui q
# the detail screen and its export
$T send-keys -t ui Enter
wait_screen "RSI" && ok || bad "Enter did not open the detail screen"
grep -q '^ [AB]*USDT 5m  2025-01-02T12:05 ' "$WORK/screen" && ok || bad "detail does not show the latest candle closed by the clock"
$T send-keys -t ui e
wait_screen "USDT-5m-" && ok || bad "no detail export toast"
f=$(ls "$WORK"/futuresboard-*USDT-5m-*.csv 2>/dev/null | head -1)
if [ -n "$f" ]; then
	tail -1 "$f" | grep -q '^2025-01-02T12:05:00.000Z,' && ok || bad "detail export ends with $(tail -1 "$f" | cut -c1-30)"
	head -1 "$f" | grep -q '^time,open_time,' && ok || bad "detail export header"
else bad "no detail export file"; fi
$T send-keys -t ui q
# g: jump to a typed time
$T send-keys -t ui g
wait_screen "jump to" || bad "g did not ask for a time"
$T send-keys -t ui "2025-01-03 06:30" Enter
wait_screen "REPLAY 2025-01-03 06:30 UTC" && ok || bad "g did not jump"
# relative jumps from the clock, and a word it cannot read is named as typed
$T send-keys -t ui g "-3h" Enter
wait_screen "REPLAY 2025-01-03 03:30 UTC" && ok || bad "g -3h did not jump back three hours"
$T send-keys -t ui g "+1h" Enter
wait_screen "REPLAY 2025-01-03 04:30 UTC" && ok || bad "g +1h did not jump forward an hour"
$T send-keys -t ui g tomorrow Enter
wait_screen "not a time: 'tomorrow'" && ok || bad "g tomorrow did not say what it could not read"
# an export in a replay carries the replay's time, in its name and its rows
$T send-keys -t ui e
wait_screen "wrote futuresboard-" && ok || bad "no table export in the replay"
f=$(ls "$WORK"/futuresboard-*m-2025-01-03T04-30-00*.csv 2>/dev/null | head -1)
[ -n "$f" ] && ok || bad "the replay's export is not stamped with the replay time: $(ls "$WORK"/futuresboard-*.csv 2>/dev/null)"
[ -n "$f" ] && sed -n 2p "$f" | grep -q '^2025-01-03T04:30:00' && ok || bad "the replay's export rows carry another time"
rm -f "$WORK"/futuresboard-*m-2025-*.csv
# space plays: the clock runs; space pauses
$T send-keys -t ui 1 + + + + + + Space
sleep 3
screen
c2=$(clock)
[ "$(epoch "$c2")" -gt "$(epoch "2025-01-03 06:30")" ] && ok || bad "space did not play (clock $c2)"
grep -q '3840x' "$WORK/screen" && ok || bad "+ did not raise the speed to 3840x"
$T send-keys -t ui Space
sleep 1
screen
c3=$(clock)
sleep 2
screen
[ "$(clock)" = "$c3" ] && ok || bad "space did not pause ($c3, then $(clock))"
# R: the runs list; Enter: the run's equity and drawdown
$T send-keys -t ui R
wait_screen "donchian" && ok || bad "R did not list the backtest run"
has "$WORK/screen" "BBBUSDT" "runs list row"
$T send-keys -t ui Enter
wait_screen "DRAWDOWN" && ok || bad "Enter did not show the run's equity and drawdown"
has "$WORK/screen" "EQUITY" "equity chart"
has "$WORK/screen" "run 1  donchian BBBUSDT 5m" "run title"
$T send-keys -t ui Escape
wait_screen "Enter equity and drawdown" && ok || bad "Esc did not go back to the runs list"
$T send-keys -t ui Escape
wait_screen "1m  top" && ok || bad "Esc did not go back to the table"
quit replay

# --- an open interest whose polls stopped: AAAUSDT's every 5 minutes until 12:00, then none;
# shown as it was until 5 minutes and twice its spacing have passed (12:15), then dimmed and
# marked ~ (OI$ and OI%), while BBBUSDT's (none at all) stays unknown
cp "$WORK/r.db" "$WORK/o.db"
t1=$(($(epoch "2025-01-02 11:00") * 1000))
i=0
while [ $i -le 12 ]; do
	echo "INSERT INTO market_metrics VALUES ('binance', 'AAAUSDT', 'open_interest', $((t1 + i * 300000)), $((50000 + i * 100)));"
	i=$((i + 1))
done | sqlite3 "$WORK/o.db" || bad "open interest rows"
start "$FB" --db "$WORK/o.db" replay --from 2025-01-02T12:14
wait_screen "REPLAY 2025-01-02 12:14 UTC" || bad "no replay of the open interest"
oi_cells() { awk -v s="$1" '$1 == "SYMBOL" { h = $6 $7 } $1 == s && h == "OI$OI%" { print $6, $7 }' "$WORK/screen"; }
case "$(oi_cells AAAUSDT)" in *~*) bad "an open interest 14 minutes old is marked old: $(oi_cells AAAUSDT)" ;; *M*) ok ;; *) bad "no open interest shown: $(oi_cells AAAUSDT)" ;; esac
grep -q '^ OI \$[0-9.]*M   ' "$WORK/screen" && ok || bad "the strip's total open interest: $(sed -n 2p "$WORK/screen")"
$T send-keys -t ui Right Right
wait_screen "REPLAY 2025-01-02 12:16 UTC" || bad "no step to 12:16"
case "$(oi_cells AAAUSDT)" in *M~" "*~) ok ;; *) bad "an open interest 16 minutes old is not marked old: $(oi_cells AAAUSDT)" ;; esac
case "$(oi_cells BBBUSDT)" in *~*) bad "an unknown open interest is marked old: $(oi_cells BBBUSDT)" ;; *) ok ;; esac
grep -q '^ OI \$[0-9.]*M~   ' "$WORK/screen" && ok || bad "the strip's total open interest is not marked old: $(sed -n 2p "$WORK/screen")"
quit "replay of an open interest"

# --- attach to a collector filling a database from simex, and live against simex
"$FB" simex --port 0 --seed 5 --speed 60 --history-minutes 600 >"$WORK/simex.out" 2>"$WORK/simex.err" &
SIMEX=$!
wait_line "$WORK/simex.out" listening || { bad "simex did not start"; exit 1; }
PORT=$(sed -n 's/.*127.0.0.1:\([0-9]*\).*/\1/p' "$WORK/simex.out")
cat >"$WORK/c.ini" <<EOF2
[feed]
intervals = 1m 5m
top_n = 6
lookback = 300
[alert hot]
when = close > 0
interval = 1m
cooldown = 0
severity = crit
EOF2
NET="--set binance.rest_url=http://127.0.0.1:$PORT --set binance.ws_url=ws://127.0.0.1:$PORT --set binance.label=simex"
"$FB" --config "$WORK/c.ini" --db "$WORK/c.db" $NET --set log.file="$WORK/collect.log" collect >"$WORK/collect.out" 2>"$WORK/collect.err" &
COLLECT=$!
wait_line "$WORK/collect.out" "writing" || bad "collect did not start"
sleep 8
start "$FB" --db "$WORK/c.db" --set binance.label=simex attach
wait_screen "ATTACH  simex" && ok || { bad "no attach header"; cat "$WORK/screen" >&2; }
wait_screen "BTCUSDT" && ok || bad "attach shows no table"
sleep 2
screen
[ "$(grep -c '^[A-Z0-9]*USDT ' "$WORK/screen")" = 6 ] && ok || { bad "attach rows: $(grep -c '^[A-Z0-9]*USDT ' "$WORK/screen"), expected 6"; cat "$WORK/screen" >&2; }
wait_screen " crit hot " && ok || bad "the collector's alert did not become a toast"
$T send-keys -t ui h
wait_screen "commits noticed" && ok || bad "h shows no follower health"
sleep 2
screen
ch=$(sed -n 's/^ *commits noticed *\([0-9]*\).*/\1/p' "$WORK/screen")
[ "${ch:-0}" -ge 1 ] && ok || bad "the follower noticed ${ch:-no} commits"
$T send-keys -t ui q
wait_screen "SYMBOL" || bad "q did not go back from health"
# a second viewer, started a minute later, in another terminal and folder
mkdir -p "$WORK/b"
TB="tmux -S $WORK/tmuxb.sock"
sleep 60
# (without --exchange: the collector's exchange and timeframes are found in the database)
$TB new-session -d -s ui -x 160 -y 36 "cd $WORK/b && env $ENVS $FB --db $WORK/c.db attach; sleep 60"
i=0
while ! $TB capture-pane -p -t ui 2>/dev/null | grep -q BTCUSDT && [ $i -lt 100 ]; do sleep 0.2; i=$((i + 1)); done
sleep 5
$TB capture-pane -p -t ui >"$WORK/screen.b"
has "$WORK/screen.b" "ATTACH  simex  1m" "attach without --exchange opens the collector's exchange"
has "$WORK/screen.b" "timeframes: [1m] 5m " "attach offers the collector's timeframes"
# the collector stops (its last quant_summary is written); both viewers read the last commit
kill -INT $COLLECT
wait $COLLECT
sleep 3
$T send-keys -t ui e
$TB send-keys -t ui e
sleep 2
fa=$(ls "$WORK"/futuresboard-1m-*.csv 2>/dev/null | head -1)
fb=$(ls "$WORK"/b/futuresboard-1m-*.csv 2>/dev/null | head -1)
if [ -n "$fa" ] && [ -n "$fb" ]; then
	ok
	# every cell of the collector's engine (quant_summary) against both viewers' exports
	python3 - "$WORK/c.db" "$fa" "$fb" >"$WORK/agree.out" 2>&1 <<'PY'
import csv, math, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
cols = {"PRICE": ("last_price", 1), "CHG%": ("change", 100), "24H%": ("change_24h", 100),
        "VOL$": ("quote_volume_24h", 1), "OI%": ("oi_change", 100), "FUND%": ("funding", 100),
        "LS": ("ls_ratio", 1), "LS%": ("ls_change", 100), "IMB": ("imbalance", 1),
        "CVD$": ("cvd", 1), "RSI": ("rsi", 1), "Z": ("zscore", 1), "VOL%": ("rv", 100)}
want = {}
for row in db.execute("SELECT symbol, " + ", ".join(c for c, _ in cols.values()) +
                      " FROM quant_summary WHERE exchange = 'simex' AND timeframe = '1m'"):
    want[row[0]] = dict(zip(cols, row[1:]))
bad = 0
for path in sys.argv[2:]:
    rows = list(csv.DictReader(open(path, newline="")))
    if len(rows) != len(want):
        print(path, "has", len(rows), "rows; quant_summary", len(want)); bad += 1
    for r in rows:
        w = want.get(r["SYMBOL"])
        if w is None:
            print(path, r["SYMBOL"], "not in quant_summary"); bad += 1; continue
        for title, (name, scale) in cols.items():
            v, x = r[title], w[title]
            if x is None or (isinstance(x, float) and math.isnan(x)):
                if v != "":
                    print(path, r["SYMBOL"], title, "shows", v, "; the collector has none"); bad += 1
                continue
            if v == "" or abs(float(v) - x * scale) > 1e-9 * max(1.0, abs(x * scale)):
                print(path, r["SYMBOL"], title, "shows", repr(v), "; the collector has", x * scale); bad += 1
print("cells that disagree:", bad)
sys.exit(1 if bad else 0)
PY
	[ $? -eq 0 ] && ok || { bad "viewers and the collector disagree"; cat "$WORK/agree.out" >&2; }
else
	bad "the viewers wrote no exports ($fa, $fb)"
fi
$TB kill-server 2>/dev/null
quit attach

start "$FB" --config "$WORK/c.ini" --db "$WORK/live.db" $NET --set log.file="$WORK/live.log"
wait_screen "LIVE  simex" && ok || { bad "no live header"; cat "$WORK/screen" >&2; }
wait_screen "BTCUSDT" && ok || bad "live shows no table"
wait_screen "feed: live" && ok || bad "live against simex does not say feed: live"
# live builds its collector like collect and demo: the rule's alerts become toasts
wait_screen " crit hot " && ok || bad "live shows no alert toast"
quit live

# --- an exchange that cannot be reached: the header says so, never "live"
start "$FB" --db "$WORK/down.db" --set binance.rest_url=http://127.0.0.1:9 --set binance.ws_url=ws://127.0.0.1:9 --set health.port=0 --set log.file="$WORK/down.log"
wait_screen "feed: connecting" || wait_screen "feed: error:" || bad "no connecting or error state for a closed port"
seen_live=0
for i in 1 2 3 4 5 6 7 8; do
	screen
	grep -q "feed: live" "$WORK/screen" && seen_live=1
	sleep 0.5
done
[ $seen_live = 0 ] && ok || bad "feed: live shown for an exchange that cannot be reached"
wait_screen "feed: error: " && ok || { bad "no error in the header for a closed port"; cat "$WORK/screen" >&2; }
quit unreachable
kill $SIMEX
wait $SIMEX 2>/dev/null

# --- real data: a SOL close from the recorded Binance candles shows at the instrument's
# precision (two decimals, trailing zero kept), not rounded to four significant digits
SHARED="$(cd "$(dirname "$0")/../.." && pwd)/shared/data"
if [ -f "$SHARED/klines/SOLUSDT-klines-1h.csv.gz" ]; then
	"$FB" --db "$WORK/sol.db" import --symbol SOLUSDT --interval 1h "$SHARED/klines/SOLUSDT-klines-1h.csv.gz" >/dev/null 2>&1 || bad "import of the real SOL candles"
	start "$FB" --db "$WORK/sol.db" replay --from 2025-01-01T03:00 --speed 1
	wait_screen "SOLUSDT" && ok || bad "no SOL row in the replay of real candles"
	sleep 1
	screen
	px=$(awk '/^SOLUSDT / { print $2 }' "$WORK/screen")
	echo "$px" | grep -qE '^[0-9]+\.[0-9]{2}$' && ok || bad "SOL price '$px' is not at two decimals"
	# the close of a candle at most three hours before the clock, from the file itself
	zcat "$SHARED/klines/SOLUSDT-klines-1h.csv.gz" | awk -F, -v p="$px" 'NR > 1 && $1 >= 1735689600000 - 4 * 3600000 && $1 <= 1735689600000 + 3 * 3600000 && $5 + 0 == p + 0 { f = 1 } END { exit !f }' && ok || bad "SOL price $px is no close of the file near the clock"
	quit "SOL replay"
else
	echo "ui_modes: ../shared/data is absent: the real-data precision check is skipped"
fi

# --- read-only: another user's database in a folder they cannot write (WAL: no -shm can be
# made there); the reading commands work and never migrate it
if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1 && su nobody -s /bin/sh -c "test -x $FB" 2>/dev/null; then
	mkdir -p "$WORK/ro" && cp "$WORK/r.db" "$WORK/ro/r.db" && chmod 444 "$WORK/ro/r.db" && chmod 555 "$WORK/ro"
	chmod 755 "$WORK"
	RO="env HOME=/tmp XDG_CONFIG_HOME=/tmp/fb-nobody XDG_STATE_HOME=/tmp/fb-nobody $FB --db $WORK/ro/r.db"
	su nobody -s /bin/sh -c "$RO db stats" >"$WORK/ro.out" 2>&1 && ok || bad "db stats on another user's read-only database: $(cat "$WORK/ro.out")"
	su nobody -s /bin/sh -c "$RO export candles --symbol AAAUSDT --interval 1m" >"$WORK/ro.csv" 2>&1 && ok || bad "export on a read-only database: $(head -2 "$WORK/ro.csv")"
	[ "$(wc -l <"$WORK/ro.csv")" -gt 4000 ] && ok || bad "export on a read-only database wrote $(wc -l <"$WORK/ro.csv") lines"
	start su nobody -s /bin/sh -c "\"$RO replay --from 2025-01-02T12:00\""
	wait_screen "REPLAY 2025-01-02 12:00 UTC" && ok || { bad "replay of a read-only database"; cat "$WORK/screen" >&2; }
	quit "read-only replay"
	chmod 755 "$WORK/ro"
else
	echo "ui_modes: not root (or no user nobody): the other-user read-only checks are skipped"
fi
$T kill-server 2>/dev/null
summary ui_modes
