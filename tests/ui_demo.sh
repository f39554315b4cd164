#!/bin/sh
# The dashboard, end to end: the real binary in a real terminal (tmux), running the offline
# demo. The table shows 20 rows; the timeframe keys change the label; sorting by price orders
# the rows (and i inverts); an alert rule produces a toast and an entry in the alert log; e
# writes a CSV that matches the screen; ? shows the keys; 80x24 and a resize keep the screen
# whole; ASCII under LANG=C; q quits with status 0.
# Usage: ui_demo.sh BINARY WORKDIR
set -u
FB=$1 WORK=$2
rm -rf "$WORK" && mkdir -p "$WORK/home" || exit 1
. "$(dirname "$0")/lib.sh"
tmux_setup ui_demo
start() { # start COLS ROWS ENV...
	cols=$1 rows=$2
	shift 2
	$T kill-server 2>/dev/null
	n=$((n + 1))
	T="tmux -S $WORK/tmux$n.sock"
	$T new-session -d -s ui -x "$cols" -y "$rows" \
		"cd $WORK && env HOME=$WORK/home XDG_DATA_HOME=$WORK/home/data XDG_STATE_HOME=$WORK/home/state XDG_CONFIG_HOME=$WORK/home/cfg $* $FB --config $WORK/fb.ini demo --speed 60; echo EXIT=\$? >$WORK/exit; sleep 60"
}
rows_on_screen() { grep -c '^[A-Z0-9]*USDT ' "$WORK/screen"; }
# the price column of the rows, in screen order
prices() { awk '/^[A-Z0-9]*USDT / { print $2 }' "$WORK/screen"; }

printf '[alert hot]\nwhen = rsi > 0 and close > 0\ninterval = 1m\ncooldown = 3600\nseverity = crit\n' >"$WORK/fb.ini"
start 160 40 LANG=C.UTF-8 LC_ALL=C.UTF-8
wait_screen "AAVEUSDT" || wait_screen "USDT" || bad "no table"
sleep 2
screen
[ "$(rows_on_screen)" = 20 ] && ok || { bad "$(rows_on_screen) rows, expected 20"; cat "$WORK/screen" >&2; }
has "$WORK/screen" "DEMO  simex  5m" "header with mode, exchange, timeframe"
has "$WORK/screen" "breadth" "KPI strip"
grep -q '[▁▂▃▄▅▆▇█]' "$WORK/screen" && ok || bad "no sparkline blocks in UTF-8"

# an alert: a toast at the top right, counted in the KPI strip, listed in the alert log
wait_screen " crit hot " && ok || { bad "no alert toast"; cat "$WORK/screen" >&2; }
grep -q 'alerts 1h [1-9]' "$WORK/screen" && ok || bad "alerts not counted in the KPI strip"
$T send-keys -t ui a
wait_screen "newest first" && ok || bad "a did not open the alert log"
grep -q 'crit  *hot  *[A-Z0-9]*USDT  *1m ' "$WORK/screen" && ok || bad "alert not in the log"
$T send-keys -t ui q
wait_screen "SYMBOL" || bad "q did not go back from the alert log"
$T send-keys -t ui ?
wait_screen "export the table as shown" && ok || bad "? did not show the keys"
$T send-keys -t ui Escape
wait_screen "SYMBOL" || bad "Esc did not go back from the help"

# the other screens: detail (Enter), correlation (c), movers (m), health (h)
$T send-keys -t ui Enter
wait_screen "candles/line" && ok || bad "Enter did not open the detail screen"
wait_screen "RSI" || bad "no RSI chart in the detail screen"
grep -q '^ [A-Z0-9]*USDT 5m  20' "$WORK/screen" && ok || { bad "detail names no symbol and candle"; cat "$WORK/screen" >&2; }
# both exchanges stored: open interest and funding get a chart per exchange (a label ends its
# line when its chart's top row is blank: a flat or a single value)
grep -qE '^OI\$ simex( |$)' "$WORK/screen" && ok || bad "the detail's open interest on the first exchange"
grep -qE '^FUND8h simex( |$)' "$WORK/screen" && ok || bad "the detail's funding per 8 h on the first exchange"
[ "$(grep -cE '^ simex-bybit( |$)' "$WORK/screen")" = 2 ] && ok ||
	{ bad "no open interest and funding charts of the second exchange"; cat "$WORK/screen" >&2; }
$T send-keys -t ui q c
wait_screen "correlation of log returns" && ok || bad "c did not open the heatmap"
$T send-keys -t ui q m
wait_screen "open interest change" && ok || bad "m did not open the movers"
$T send-keys -t ui q h
wait_screen 'REST        weight' && ok || bad "h did not show the collector's health"
has "$WORK/screen" "websocket   " "the health screen's WebSocket line"
has "$WORK/screen" "exchange    bybit (simex-bybit): " "the health screen's line for each exchange"
$T send-keys -t ui q
wait_screen "SYMBOL" || bad "q did not go back to the table"
# L: the stored forced orders; every row of the tape is a row of the liquidations table
$T send-keys -t ui L
wait_screen "LONGS LIQ\$" && ok || { bad "L did not show liquidations"; cat "$WORK/screen" >&2; }
sleep 1.5
screen
awk '/^20[0-9-]* [0-9:]* [A-Z0-9]*USDT  *(long|short) / { print $3, $4, $5, $6 }' "$WORK/screen" >"$WORK/tape"
[ -s "$WORK/tape" ] && ok || bad "the liquidation tape is empty"
python3 - "$WORK/home/data/futuresboard/demo.db" "$WORK/tape" >"$WORK/tape.out" 2>&1 <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
bad = 0
for line in open(sys.argv[2]):
    sym, closed, px, qty = line.split()
    side = "SELL" if closed == "long" else "BUY"
    n = db.execute("SELECT count(*) FROM liquidations WHERE symbol = ? AND side = ? AND "
                   "abs(price - ?) < 1e-9 AND abs(qty - ?) < 1e-9", (sym, side, float(px), float(qty))).fetchone()[0]
    if n == 0:
        print("not stored:", line.strip()); bad += 1
sys.exit(1 if bad else 0)
PY
[ $? -eq 0 ] && ok || { bad "the tape shows orders that are not stored"; cat "$WORK/tape.out" >&2; }
$T send-keys -t ui Escape
wait_screen "SYMBOL" || bad "Esc did not go back from the liquidations"
# v: each symbol on both exchanges the demo collects, and the open interest summed across them
$T send-keys -t ui v
wait_screen "simex-bybit" && ok || { bad "v did not show the venues"; cat "$WORK/screen" >&2; }
has "$WORK/screen" "EXCHANGE     SYMBOL" "the venue screen's titles"
python3 - "$WORK/screen" >"$WORK/venues.out" 2>&1 <<'PY'
import sys
def money(s):
    """the value shown, and half a unit of its last digit (what the rounding may hide)"""
    m = {"K": 1e3, "M": 1e6, "B": 1e9, "T": 1e12}
    k = m.get(s[-1], 1)
    num = s[:-1] if s[-1] in m else s
    dp = len(num.split(".")[1]) if "." in num else 0
    return float(num) * k, 0.5 * 10 ** -dp * k
# the columns by position (a toast may end a line): OI$ and VOL$, which the "all" line sums,
# with the funding spread named in its SYMBOL column; MARK, each exchange's mark, and on the
# "all" line the other's spread against this one's per base unit (a symbol's multiplier, 1000
# in 1000SHIBUSDT or SHIB1000USDT, divided out), as the marks shown give it within their
# rounding
import re
def mult(sym):
    m = re.match(r"^(\d+)", sym) or re.search(r"(\d+)USDT$", sym)
    return int(m.group(1)) if m else 1
rows, marks, bad, sums, vols, spreads = [], [], 0, 0, 0, 0
for line in open(sys.argv[1]):
    f = line.split()
    oi, vol, px = line[42:50].strip(), line[66:74].strip(), line[29:41].strip()
    if len(f) >= 6 and f[0] in ("simex", "simex-bybit"):
        marks.append((money(px), mult(f[1])) if px != "-" else None)
    if len(f) >= 5 and f[0] == "all" and len(marks) >= 2 and None not in marks[-2:] and px != "-":
        ((a, ea), ma), ((b, eb), mb) = marks[-2], marks[-1]
        want, shown = ((b / mb) / (a / ma) - 1) * 100, float(px.rstrip("%"))
        dp = len(px.rstrip("%").split(".")[1])
        spreads += 1
        if abs(want - shown) > 0.5 * 10 ** -dp + (ea / a + eb / b) * 100 + 1e-9:
            print("mark spread", shown, "is not", want, "from", a, b); bad += 1
    if f and f[0] == "all":
        marks = []
    if len(f) >= 6 and f[0] in ("simex", "simex-bybit") and oi != "-":
        rows.append((money(oi), money(vol) if vol != "-" else None))
    elif len(f) >= 5 and f[0] == "all" and len(rows) >= 2 and oi != "-":
        if f[1] != "fspread":
            print("no fspread:", line.strip()); bad += 1
        (got, e0), ((a, e1), va), ((b, e2), vb) = money(oi), rows[-2], rows[-1]
        sums += 1
        if abs(got - (a + b)) > e0 + e1 + e2:
            print("all", got, "is not", a, "+", b); bad += 1
        if vol != "-" and va and vb:
            (g, e0), (a, e1), (b, e2) = money(vol), va, vb
            vols += 1
            if abs(g - (a + b)) > e0 + e1 + e2:
                print("all volume", g, "is not", a, "+", b); bad += 1
        rows = []
print("sums", sums, "volumes", vols, "spreads", spreads)
sys.exit(1 if bad or sums < 3 or vols < 3 or spreads < 3 else 0)
PY
[ $? -eq 0 ] && ok || { bad "the venues' open interest, volume or mark spread does not add up"; cat "$WORK/venues.out" "$WORK/screen" >&2; }
$T send-keys -t ui Escape
wait_screen "SYMBOL" || bad "Esc did not go back from the venues"
# F3 searches: the cursor jumps to the first symbol with the text, as in htop
$T send-keys -t ui F3
wait_screen "search symbol" && ok || bad "F3 did not ask what to search"
$T send-keys -t ui D O G E Enter
sleep 0.5
screen
row=$(grep '^[A-Z0-9*]*USDT ' "$WORK/screen" | grep -n '^DOGEUSDT ' | cut -d: -f1)
tail -1 "$WORK/screen" | grep -q " $row/20 " && ok || bad "F3 DOGE left the cursor elsewhere: row $row, $(tail -1 "$WORK/screen")"
# / filters the symbols; Esc clears
$T send-keys -t ui / B T C Enter
wait_screen "filter: BTC" && ok || bad "/ did not filter"
screen
[ "$(rows_on_screen)" = 1 ] && ok || bad "filter BTC shows $(rows_on_screen) rows"
$T send-keys -t ui Escape
sleep 0.5
screen
[ "$(rows_on_screen)" = 20 ] && ok || bad "Esc did not clear the filter"
# C: the column chooser; the choice lands in the user config and the column goes
$T send-keys -t ui C
wait_screen "[x] PRICE" || bad "C did not open the column chooser"
$T send-keys -t ui j j Space q
wait_screen "columns saved to" && ok || bad "no toast for saved columns"
grep -q '^columns = price change volume ' "$WORK/home/cfg/futuresboard/config.ini" && ok || bad "columns not saved to the user config"
screen
grep -q '24H%' "$WORK/screen" && bad "the 24H% column still shows" || ok

# timeframes
$T send-keys -t ui 1
wait_screen "DEMO  simex  1m" && ok || bad "key 1 did not switch to 1m"
$T send-keys -t ui Tab
wait_screen "DEMO  simex  5m" && ok || bad "Tab did not switch to 5m"
$T send-keys -t ui 4
wait_screen "DEMO  simex  1h" && ok || bad "key 4 did not switch to 1h"

# sort by price, largest first; i inverts
$T send-keys -t ui P
wait_screen "PRICE▼" || bad "price is not the sort column"
has "$WORK/screen" "sort: PRICE ▼" "the sort key in the header"
screen
prices >"$WORK/p1"
sort -g -r "$WORK/p1" | cmp -s - "$WORK/p1" && ok || { bad "rows not by price, descending"; cat "$WORK/screen" >&2; }
$T send-keys -t ui i
wait_screen "PRICE▲" || bad "i did not invert"
screen
prices >"$WORK/p2"
sort -g "$WORK/p2" | cmp -s - "$WORK/p2" && ok || { bad "rows not by price, ascending"; cat "$WORK/screen" >&2; }
# > opens a menu of every column: RSI chosen there sorts by RSI, even where it is not shown
$T send-keys -t ui ">"
wait_screen "rsi" && ok || bad "> did not list the columns"
has "$WORK/screen" "oi_change" "the sort menu lists every column"
$T send-keys -t ui Home
i=0 # RSI is the fifteenth column (after the two across exchanges)
while [ $i -lt 14 ]; do $T send-keys -t ui j; i=$((i + 1)); done
$T send-keys -t ui Enter
wait_screen "sort: RSI ▼" && ok || bad "the sort menu did not sort by RSI"
# t opens the timeframes: 1d is not in the demo, and choosing it says so
$T send-keys -t ui t
wait_screen "(none stored)" && ok || bad "t did not list the timeframes"
$T send-keys -t ui End Enter
wait_screen "no 1d candles" && ok || bad "choosing 1d from the menu did not say there are none"
$T send-keys -t ui P
wait_screen "PRICE▼" || bad "P did not sort by price again"
$T send-keys -t ui i
wait_screen "PRICE▲" || bad "i did not invert again"

# e: a CSV of the view, same order and values as on screen
screen
cp "$WORK/screen" "$WORK/screen.before"
$T send-keys -t ui e
wait_screen "wrote futuresboard-" && ok || bad "no export toast"
f=$(ls "$WORK"/futuresboard-1h-*.csv 2>/dev/null | head -1)
[ -n "$f" ] && ok || bad "no export file"
if [ -n "$f" ]; then
	awk '/^[A-Z0-9]*USDT / { print $1 }' "$WORK/screen.before" >"$WORK/syms.screen"
	tail -n +2 "$f" | tr -d '\r' | cut -d, -f4 >"$WORK/syms.csv"
	cmp -s "$WORK/syms.screen" "$WORK/syms.csv" && ok || bad "export order differs from the screen"
	head -1 "$f" | grep -q '^time,rank,timeframe,SYMBOL,PRICE,CHG%' && ok || bad "export header: $(head -1 "$f")"
	tail -n +2 "$f" | tr -d '\r' | cut -d, -f5 >"$WORK/p.csv"
	awk '/^[A-Z0-9]*USDT / { print $2 }' "$WORK/screen.before" >"$WORK/p.screen"
	# a snapshot may have come between (the market moves every second at 60x): each price
	# has the screen's decimals and is within 1% of what the screen showed
	same=$(paste -d' ' "$WORK/p.screen" "$WORK/p.csv" | awk '{ ds = index($1, ".") ? length($1) - index($1, ".") : 0; dc = index($2, ".") ? length($2) - index($2, ".") : 0; d = $1 - $2; if (d < 0) d = -d; if (ds == dc && $1 > 0 && d / $1 < 0.01) n++ } END { print n + 0 }')
	[ "$same" -ge 18 ] && ok || { bad "export prices differ from the screen ($same of 20 alike)"; paste -d' ' "$WORK/p.screen" "$WORK/p.csv" >&2; }
fi

# p pauses the view (the header says so, the numbers hold) and resumes it
$T send-keys -t ui p
wait_screen "PAUSED" && ok || bad "p did not pause the view"
screen
prices >"$WORK/paused1"
sleep 2.5
screen
prices >"$WORK/paused2"
cmp -s "$WORK/paused1" "$WORK/paused2" && ok || bad "prices moved while paused"
$T send-keys -t ui p
sleep 1
screen
grep -q "PAUSED" "$WORK/screen" && bad "p did not resume the view" || ok
sleep 1.5
screen
prices >"$WORK/paused3"
cmp -s "$WORK/paused2" "$WORK/paused3" && bad "prices did not move after resuming" || ok

# resize to 80x24: whole, nothing wider than the screen
$T resize-window -t ui -x 80 -y 24
sleep 1.5
screen
sed 's/[▁▂▃▄▅▆▇█↑↓←→▲▼₀₁₂₃₄₅₆₇₈₉]/x/g' "$WORK/screen" | awk 'length($0) > 80 { bad = 1 } END { exit bad }' && ok || { bad "lines wider than 80 columns"; cat "$WORK/screen" >&2; }
has "$WORK/screen" "SYMBOL" "table header at 80x24"
has "$WORK/screen" "PRICE" "price column kept at 80x24"
[ "$(rows_on_screen)" -ge 18 ] && ok || bad "$(rows_on_screen) rows at 80x24"
# Esc goes back, never quits from the table
$T send-keys -t ui Escape
sleep 0.5
screen
has "$WORK/screen" "SYMBOL" "Esc on the table does not quit"
# the timeframe keys always mean 1m 5m 15m 1h 4h 1d: the demo has no 4h
$T send-keys -t ui 5
wait_screen "no 4h candles" && ok || bad "key 5 did not say that there are no 4h candles"
has "$WORK/screen" "DEMO  simex  1h" "key 5 left the timeframe alone"
# the demo holds the writer's lock: a collector on its database is refused
"$FB" --db "$WORK/home/data/futuresboard/demo.db" collect >"$WORK/lock.out" 2>&1 && bad "a collector ran beside the demo" || ok
has "$WORK/lock.out" "is writing" "the demo's lock names its holder"

$T send-keys -t ui q
i=0
while [ ! -s "$WORK/exit" ] && [ $i -lt 100 ]; do sleep 0.2; i=$((i + 1)); done
has "$WORK/exit" "EXIT=0" "q quits with status 0"

# ASCII under LANG=C, at 80x24 from the start
rm -f "$WORK/exit"
start 80 24 LANG=C LC_ALL=C
wait_screen "USDT" || bad "no table under LANG=C"
sleep 2
screen
LC_ALL=C grep -q "$(printf '\342')" "$WORK/screen" && bad "non-ASCII bytes under LANG=C" || ok
has "$WORK/screen" "1-6 timeframe" "key line under LANG=C"
$T send-keys -t ui q
i=0
while [ ! -s "$WORK/exit" ] && [ $i -lt 100 ]; do sleep 0.2; i=$((i + 1)); done
has "$WORK/exit" "EXIT=0" "q quits under LANG=C"

# at 80x24 without alert rules (no toasts over the titles)
: >"$WORK/fb.ini"
rm -f "$WORK/exit"
start 80 24 LANG=C.UTF-8
wait_screen "USDT" || bad "no table at 80x24"
sleep 2
screen
# the columns a trader needs at 80: symbol, price, change, OI change, funding, RSI, z, and a
# sparkline of at least 8 cells
for t in CHG% OI% FUND% RSI Z; do
	sed -n 4p "$WORK/screen" | grep -q " $t" && ok || bad "column $t missing at 80 columns: $(sed -n 4p "$WORK/screen")"
done
sed -n 5p "$WORK/screen" | grep -q '[▁▂▃▄▅▆▇█]\{8\}' && ok || bad "no sparkline of 8 cells at 80 columns"
# the hint line keeps ? help and q quit; G reaches the 20th row, which is then on screen
tail -1 "$WORK/screen" | grep -q '? help  q quit' && ok || bad "hint line lost '? help  q quit': $(tail -1 "$WORK/screen")"
$T send-keys -t ui G
sleep 0.5
screen
tail -1 "$WORK/screen" | grep -q ' 20/20 ' && ok || bad "G did not reach row 20 of 20: $(tail -1 "$WORK/screen")"
grep -c '^[A-Z0-9]*USDT ' "$WORK/screen" | grep -q '^1[89]$' && ok || bad "rows at 80x24 after G"
$T send-keys -t ui PPage
sleep 0.5
screen
tail -1 "$WORK/screen" | grep -q ' [1-3]/20 ' && ok || bad "PgUp did not go back a page: $(tail -1 "$WORK/screen")"
# w watches a symbol outside the top 20: saved to the user config, collected, shown first
$T send-keys -t ui w
wait_screen "watch or unwatch" && ok || bad "w did not ask for a symbol"
i=0
while [ $i -lt 14 ]; do $T send-keys -t ui BSpace; i=$((i + 1)); done
$T send-keys -t ui ICPUSDT Enter
wait_screen "ICPUSDT watched" && ok || bad "no toast for the watched symbol"
grep -q '^watchlist = ICPUSDT$' "$WORK/home/cfg/futuresboard/config.ini" && ok || bad "the watchlist is not in the user config"
$T send-keys -t ui Home
wait_screen "*ICPUSDT" && ok || { bad "the watched symbol is not on the table"; cat "$WORK/screen" >&2; }
sed -n 5p "$WORK/screen" | grep -q '^\*ICPUSDT ' && ok || bad "the watched row is not above the ranked rows: $(sed -n 5p "$WORK/screen")"
# Ctrl-C exits 130, as shells expect
$T send-keys -t ui C-c
i=0
while [ ! -s "$WORK/exit" ] && [ $i -lt 100 ]; do sleep 0.2; i=$((i + 1)); done
has "$WORK/exit" "EXIT=130" "Ctrl-C exits 130"

# a hangup (the terminal goes away, as with an SSH drop): the demo stops its collector,
# simulator and store and logs it within 2 s, with the hangup's exit status, and the process
# is gone within 2 s (a sanitizer build's exit-time leak scan may take longer on a busy
# machine: 30 s)
rm -f "$WORK/exit"
start 80 24 LANG=C.UTF-8
wait_screen "USDT" || bad "no table for the hangup"
wait_screen "*ICPUSDT" && ok || bad "the watchlist was not restored at the next start"
pid=$(pgrep -f -- "^$FB --config $WORK/fb.ini demo" | head -1)
[ -n "$pid" ] && ok || bad "no demo process to hang up"
LOG=$WORK/home/state/futuresboard/futuresboard.log
stops() { grep -c ' demo: stopped in ' "$LOG"; }
before=$(stops)
$T kill-server
i=0
while [ "$(stops)" = "$before" ] && [ $i -lt 20 ]; do sleep 0.1; i=$((i + 1)); done
[ "$(stops)" != "$before" ] && ok || bad "the dashboard did not stop within 2 s of its terminal going away: $(grep State "/proc/$pid/status" 2>/dev/null)"
grep ' demo: stopped in ' "$LOG" | tail -1 | grep -q '(exit status 129)' && ok ||
	bad "the hangup's stop is not logged with status 129: $(grep ' demo: stopped in ' "$LOG" | tail -1)"
limit=20
[ -n "${FB_TEST_SANITIZE:-}" ] && limit=300
i=0
while [ -n "$pid" ] && alive "$pid" && [ $i -lt $limit ]; do sleep 0.1; i=$((i + 1)); done
[ -n "$pid" ] && alive "$pid" && { bad "the dashboard outlived its terminal by $((limit / 10)) s: $(grep State "/proc/$pid/status")"; kill "$pid"; } || ok

# TERM=dumb: no garbled screen; the demo falls back to its plain text
rm -f "$WORK/exit"
start 80 24 LANG=C.UTF-8 TERM=dumb
wait_screen "futuresboard demo: " && ok || { bad "TERM=dumb: no plain-text fallback"; cat "$WORK/screen" >&2; }
$T capture-pane -p -S -300 -t ui >"$WORK/scrollback"
has "$WORK/scrollback" "TERM=dumb cannot move the cursor" "TERM=dumb says why"
LC_ALL=C grep -q "$(printf '\033')" "$WORK/scrollback" && bad "escape codes on a dumb terminal" || ok
pid=$(pgrep -f -- "^$FB --config $WORK/fb.ini demo" | head -1)
$T kill-server 2>/dev/null
i=0 # (the plain text demo flushes its collector on the way out: slower under the sanitizers)
while [ -n "$pid" ] && alive "$pid" && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
[ -n "$pid" ] && alive "$pid" && { bad "the plain demo outlived its terminal by 10 s"; kill "$pid"; } || ok
summary ui_demo
