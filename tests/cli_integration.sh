#!/bin/sh
# Integration: the real futuresboard binary on real files and a real SQLite database.
# Usage: cli_integration.sh BINARY WORKDIR FIXTURES SOURCEDIR
set -u
FB=$1 WORK=$2 FIX=$3 SRC=$4
rm -rf "$WORK" && mkdir -p "$WORK" || exit 1
DB="$WORK/it.db"
. "$(dirname "$0")/lib.sh"

# expect STATUS DESCRIPTION -- command...: runs it, checks the exit status
expect() {
	want=$1 what=$2
	shift 3
	"$@" >"$WORK/out" 2>"$WORK/err"
	got=$?
	if [ "$got" -eq "$want" ]; then ok; else
		bad "$what: exit $got, expected $want"
		sed 's/^/    /' "$WORK/out" "$WORK/err" >&2
	fi
}

# import: good files of every layout, one summary line each
expect 0 "import fixtures" -- "$FB" --db "$DB" import "$FIX/BTCUSDT-1h-2025-01.csv" \
	"$FIX/ETHUSDT-5m-2025-01-01.csv" "$FIX/SOLUSDT-klines-1d.csv" "$FIX/BTCUSDT-fundingRate-2025-01.csv"
has "$WORK/out" "BTCUSDT-1h-2025-01.csv: klines BTCUSDT 1h: 4 read, 4 inserted, 0 updated, 0 unchanged, 0 rejected" "import summary"
has "$WORK/out" "BTCUSDT-fundingRate-2025-01.csv: funding BTCUSDT: 3 read, 3 inserted" "funding summary"
has "$WORK/out" "total: 4 files: 12 read, 12 inserted" "import total"

# again: idempotent
expect 0 "re-import" -- "$FB" --db "$DB" import "$FIX/BTCUSDT-1h-2025-01.csv"
has "$WORK/out" "4 read, 0 inserted, 0 updated, 4 unchanged, 0 rejected" "idempotent import"

# bad lines: reported with line numbers, good lines kept, exit 1
expect 1 "import with bad lines" -- "$FB" --db "$DB" import "$FIX/ADAUSDT-1m-bad.csv"
has "$WORK/out" "13 read, 2 inserted, 0 updated, 0 unchanged, 11 rejected" "bad-line summary"
has "$WORK/err" "ADAUSDT-1m-bad.csv:4: rejected: close 'abc' is not a number" "bad-line reason"

# standard input with flags
expect 0 "import from stdin" -- sh -c "cat '$FIX/ETHUSDT-5m-2025-01-01.csv' | '$FB' --db '$DB' import --symbol LTCUSDT --interval 5m -"
has "$WORK/out" "-: klines LTCUSDT 5m: 3 read, 3 inserted" "stdin import"
expect 1 "stdin without a symbol" -- sh -c "cat '$FIX/ETHUSDT-5m-2025-01-01.csv' | '$FB' --db '$DB' import -"
has "$WORK/err" "no interval" "stdin needs names"

# export: exact bytes, to stdout and to a file
expect 0 "export candles" -- "$FB" --db "$DB" export candles --symbol BTCUSDT
if cmp -s "$WORK/out" "$FIX/export-candles.csv"; then ok; else bad "export bytes differ"; fi
expect 0 "export to file" -- "$FB" --db "$DB" export funding --symbol BTCUSDT -o "$WORK/funding.csv"
if cmp -s "$WORK/funding.csv" "$FIX/export-funding.csv"; then ok; else bad "funding export bytes differ"; fi
has "$WORK/err" "wrote 3 rows to" "export -o message"
expect 0 "export time window" -- "$FB" --db "$DB" export --from 2025-01-01T01:00Z --to 2025-01-01T03:00:00Z --interval 1h
[ "$(wc -l <"$WORK/out")" -eq 3 ] && ok || bad "time window rows"
expect 1 "export to a missing folder" -- "$FB" --db "$DB" export -o "$WORK/no/such/dir/x.csv"
[ ! -e "$WORK/no" ] && ok || bad "export left files behind"
expect 2 "export bad time" -- "$FB" --db "$DB" export --from yesterday
has "$WORK/err" "--from yesterday: expected an ISO-8601" "bad time message"
expect 2 "export bad table" -- "$FB" --db "$DB" export prices

# round trip: export, import into a new database, export again: identical
"$FB" --db "$DB" export candles >"$WORK/all.csv" 2>/dev/null
expect 0 "import own export" -- "$FB" --db "$WORK/copy.db" import --kind klines "$WORK/all.csv"
"$FB" --db "$WORK/copy.db" export candles >"$WORK/all2.csv" 2>/dev/null
if cmp -s "$WORK/all.csv" "$WORK/all2.csv"; then ok; else bad "export/import/export round trip differs"; fi

# db check: clean (the rows rejected from the bad file left gaps there, so it goes first), then
# a planted gap and a bad candle
sqlite3 "$DB" "DELETE FROM candles WHERE series_id IN (SELECT id FROM series WHERE symbol = 'ADAUSDT')"
expect 0 "db check clean" -- "$FB" --db "$DB" db check
has "$WORK/out" "0 gaps (0 candles missing), 0 incomplete, 0 misaligned, 0 bad OHLC" "clean check"
# ... and says the store stopped growing long ago, so "0 gaps" is not read as "up to date"
grep -q "^newest candle closed 2025-.* days ago: nothing newer is stored" "$WORK/out" && ok || bad "db check does not say how old the newest candle is: $(tail -1 "$WORK/out")"
sqlite3 "$DB" "DELETE FROM candles WHERE open_time = 1735693200000 AND series_id =
                 (SELECT id FROM series WHERE symbol = 'BTCUSDT' AND interval = '1h');
               UPDATE candles SET high = 1 WHERE open_time = 1735689900000 AND series_id =
                 (SELECT id FROM series WHERE symbol = 'ETHUSDT' AND interval = '5m');"
expect 1 "db check finds problems" -- "$FB" --db "$DB" db check
has "$WORK/out" "binance BTCUSDT 1h: gap of 1 candle, 2025-01-01T01:00:00.000Z to 2025-01-01T01:00:00.000Z" "gap listed"
has "$WORK/out" "binance ETHUSDT 5m: candle 2025-01-01T00:05:00.000Z: high is not the highest price" "bad candle listed"
expect 0 "db check one symbol" -- "$FB" --db "$DB" db check --symbol SOLUSDT
expect 0 "db stats" -- "$FB" --db "$DB" db stats
has "$WORK/out" "binance SOLUSDT 1d" "stats series"
# text planted in the database reaches the terminal escaped: an ESC sequence (clear screen,
# set the title), a C1 CSI and a lone byte that is not UTF-8
cp "$DB" "$WORK/esc.db"
sqlite3 "$WORK/esc.db" "UPDATE series SET symbol = 'EVIL' || char(27) || ']0;pwned' || char(7) ||
  char(27) || '[2J' || char(155) || 'X' WHERE symbol = 'SOLUSDT'"
printf '\377' >"$WORK/ff"
sqlite3 "$WORK/esc.db" "UPDATE series SET exchange = 'binance' || CAST(readfile('$WORK/ff') AS TEXT)
  WHERE symbol = 'XRPUSDT'" 2>/dev/null
for cmd in "db stats" "db check"; do
	"$FB" --db "$WORK/esc.db" $cmd >"$WORK/esc.out" 2>&1
	if LC_ALL=C grep -q "$(printf '\033')" "$WORK/esc.out" || LC_ALL=C grep -q "$(printf '\302\233')" "$WORK/esc.out"; then
		bad "$cmd printed control bytes from the database"
	else ok; fi
	has "$WORK/esc.out" 'EVIL\x1B]0;pwned\x07\x1B[2J\xC2\x9BX' "$cmd shows the planted text escaped"
done
expect 1 "db on a missing database" -- "$FB" --db "$WORK/none.db" db stats
has "$WORK/err" "no database at" "missing db message"

# configuration errors: exit 2 naming file:line and key
printf '[feed]\ntop_n = 999\n' >"$WORK/bad.ini"
expect 2 "config out of range" -- "$FB" --config "$WORK/bad.ini" config
has "$WORK/err" "bad.ini:2: [feed] top_n: 999 is out of range (1 to 200)" "config error"
expect 2 "env error" -- env FUTURESBOARD_LOG_LEVEL=loud "$FB" config
has "$WORK/err" "environment FUTURESBOARD_LOG_LEVEL: [log] level: 'loud' is not one of" "env error message"
expect 0 "config shows sources" -- env FUTURESBOARD_FEED_TOP_N=7 "$FB" --config "$SRC/config.ini" --set ui.refresh_ms=250 config
has "$WORK/out" "top_n = 7" "env value"
has "$WORK/out" "# environment (environment FUTURESBOARD_FEED_TOP_N)" "env source"
has "$WORK/out" "refresh_ms = 250" "flag value"
line=$(grep -n '^lookback' "$SRC/config.ini" | cut -d: -f1)
has "$WORK/out" "config.ini:$line)" "file source with line"
# alert rules: checked by "config", errors at file:line:column
printf '[alert squeeze]\nwhen = ls_ratio > 2 and imbalnce > 3%%\n' >"$WORK/alert.ini"
expect 2 "alert rule error" -- "$FB" --config "$WORK/alert.ini" config
has "$WORK/err" "alert.ini:2:25: [alert squeeze] when: unknown metric 'imbalnce' (did you mean imbalance?)" "alert error position"
printf '[alert squeeze]\nwhen = ls_ratio > 2 and imbalance > 3%%\ncooldown = 60\n' >"$WORK/alert.ini"
expect 0 "alert rule ok" -- "$FB" --config "$WORK/alert.ini" config
has "$WORK/out" "[alert squeeze]" "alert section shown"
has "$WORK/out" "cooldown = 60" "alert key shown"

# export features: the engine's values per candle, from the first stored candle on
expect 2 "features needs a series" -- "$FB" --db "$DB" export features --symbol BTCUSDT
has "$WORK/err" "export features: needs one --symbol and an --interval" "features usage"
expect 1 "features of nothing" -- "$FB" --db "$DB" export features --symbol XRPUSDT --interval 1h
has "$WORK/err" "no stored candles for XRPUSDT 1h" "features of nothing"
expect 0 "features" -- "$FB" --db "$DB" export features --symbol BTCUSDT --interval 1h
has "$WORK/out" "time,open_time,open,high,low,close,volume,quote_volume,trades,change,sma,ema_fast,ema_slow,rsi,atr,boll_mid,boll_up,boll_low,vwap,zscore,rv,vol_of_vol,cvd,cvd_delta,trend,vol_regime,oi,oi_change,oi_z,ls_ratio,ls_change,funding,funding_annual,funding_z,mark,basis,imbalance" "features header"
expect 0 "features from" -- "$FB" --db "$DB" export features --symbol BTCUSDT --interval 1h --from 2025-01-01T02:00
[ "$(grep -c '^2025' "$WORK/out")" -ge 1 ] && ! grep -q '^2025-01-01T00' "$WORK/out" && ok || bad "features --from: $(head -3 "$WORK/out")"

expect 2 "unknown command" -- "$FB" frobnicate
expect 2 "no command (live) without a terminal" -- "$FB" --db "$WORK/live.db"
has "$WORK/err" "live mode shows the dashboard and needs a terminal" "live explains why it will not start"

# an import killed mid-way leaves a consistent database, and running it again completes it
awk 'BEGIN { t = 1577836800000; for (i = 0; i < 400000; i++) {
	printf "%.0f,100,101,99,100.5,10,%.0f,1005,7,5,502.5,0\n", t + i * 60000, t + i * 60000 + 59999 } }' \
	>"$WORK/BIGUSDT-1m-2020.csv"
"$FB" --db "$WORK/kill.db" import "$WORK/BIGUSDT-1m-2020.csv" >/dev/null 2>&1 &
pid=$!
sleep 0.4
kill -9 "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
[ "$(sqlite3 "$WORK/kill.db" 'PRAGMA integrity_check')" = ok ] && ok || bad "integrity after kill"
n=$(sqlite3 "$WORK/kill.db" "SELECT count(*) FROM candles")
[ $((n % 100000)) -eq 0 ] && ok || bad "partial batch visible after kill ($n rows)"
expect 0 "import after kill" -- "$FB" --db "$WORK/kill.db" import "$WORK/BIGUSDT-1m-2020.csv"
has "$WORK/out" "400000 read, $((400000 - n)) inserted, 0 updated, $n unchanged, 0 rejected" "resume counts"
expect 0 "db check after resume" -- "$FB" --db "$WORK/kill.db" db check
# through a named pipe (and gzip through one): every row, not all but the first few KiB
mkdir -p "$WORK/fifo"
mkfifo "$WORK/fifo/BIGUSDT-1m-2020.csv"
cat "$WORK/BIGUSDT-1m-2020.csv" >"$WORK/fifo/BIGUSDT-1m-2020.csv" &
expect 0 "import from a FIFO" -- "$FB" --db "$WORK/fifo.db" import "$WORK/fifo/BIGUSDT-1m-2020.csv"
has "$WORK/out" "400000 read, 400000 inserted" "a FIFO is read whole"
rm "$WORK/fifo/BIGUSDT-1m-2020.csv"
mkfifo "$WORK/fifo/BIGUSDT-1m-2020.csv"
gzip -c "$WORK/BIGUSDT-1m-2020.csv" >"$WORK/fifo/BIGUSDT-1m-2020.csv" &
expect 0 "import gzip from a FIFO" -- "$FB" --db "$WORK/fifo2.db" import "$WORK/fifo/BIGUSDT-1m-2020.csv"
has "$WORK/out" "400000 read, 400000 inserted" "gzip through a FIFO is read whole"
expect 1 "import a directory" -- "$FB" --db "$WORK/fifo3.db" import "$WORK/fifo"
has "$WORK/err" "is a directory" "a directory is named as one"

# the demo runs simulator and collector offline, shows a table, keeps to its own database
expect 0 "demo" -- env XDG_DATA_HOME="$WORK/xdg" "$FB" demo --seconds 8 --speed 30
has "$WORK/out" "futuresboard demo: simulated market at 30x" "demo header"
has "$WORK/out" "BTCUSDT" "demo table"
has "$WORK/out" "top table as text" "demo without a terminal prints the table as text"
has "$WORK/out" "breadth " "demo market aggregates"
has "$WORK/out" "the data stays in $WORK/xdg/futuresboard/demo.db" "demo database"
[ ! -e "$WORK/xdg/futuresboard/futuresboard.db" ] && ok || bad "demo touched the main database"

# the man page renders without warnings, and names every command
if command -v groff >/dev/null 2>&1; then
	groff -man -ww -z "$SRC/man/futuresboard.1" >"$WORK/groff" 2>&1
	[ -s "$WORK/groff" ] && bad "man page warnings: $(cat "$WORK/groff")" || ok
fi
for cmd in demo import export "db check" "db stats" "db migrate" keys config simex backfill collect health backtest runs risk stress; do
	grep -q "^\.B futuresboard $cmd" "$SRC/man/futuresboard.1" && ok || bad "man page lacks $cmd"
done

# per-command help: every option of the usage line has a line of its own, with its default
for cmd in live attach replay demo import export db backfill backtest runs risk stress collect health simex config keys; do
	"$FB" help "$cmd" >"$WORK/help.$cmd" 2>&1 || bad "help $cmd failed"
	"$FB" $cmd --help >"$WORK/help2.$cmd" 2>&1 || bad "$cmd --help failed"
	cmp -s "$WORK/help.$cmd" "$WORK/help2.$cmd" && ok || bad "help $cmd and $cmd --help differ"
	for opt in $(sed -n 1p "$WORK/help.$cmd" | grep -o -- '--[a-z-]*' | sort -u); do
		sed '1,/^options:/d' "$WORK/help.$cmd" | grep -qE -- "(^|[ [])$opt([] ,|]|\$)" && ok || bad "help $cmd does not describe $opt"
	done
done
expect 2 "a mistyped command" -- "$FB" demoo
has "$WORK/err" "did you mean 'demo'" "a mistyped command gets a suggestion"

# one key table: every row of 'futuresboard keys' is in the man page's KEYS list, keys and
# description alike
expect 0 "keys" -- "$FB" keys
[ "$(wc -l <"$WORK/out")" -ge 30 ] && ok || bad "keys printed $(wc -l <"$WORK/out") lines"
sed 's/\\-/-/g' "$SRC/man/futuresboard.1" >"$WORK/man.txt"
missing=0
while IFS= read -r line; do
	keys=$(printf '%s' "$line" | cut -c15-40 | sed 's/ *$//')
	what=$(printf '%s' "$line" | cut -c42-)
	grep -qF ".B \"$keys\"" "$WORK/man.txt" && grep -qF -- "$what" "$WORK/man.txt" || { missing=$((missing + 1)); echo "not in the man page: $keys: $what" >&2; }
done <"$WORK/out"
[ $missing -eq 0 ] && ok || bad "$missing keys missing from the man page"

# an installed copy reads its data from share/futuresboard beside its bin/, wherever the
# installed tree is moved: the installed instrument list is cut to three symbols, and the
# demo of the moved copy shows those three and none of the source tree's others
if command -v cmake >/dev/null && cmake --install "$(dirname "$FB")" --prefix "$WORK/prefix" >"$WORK/install.out" 2>&1; then
	ok
	inst="$WORK/prefix/share/futuresboard/instruments.csv"
	[ -f "$inst" ] && ok || bad "cmake --install put no instruments.csv in share/futuresboard"
	[ -f "$WORK/prefix/share/man/man1/futuresboard.1" ] && ok || bad "no installed man page"
	grep -E '^(#|symbol,|BTCUSDT,|ETHUSDT,|SOLUSDT,)' "$inst" >"$WORK/inst3" && cp "$WORK/inst3" "$inst"
	mv "$WORK/prefix" "$WORK/moved"
	expect 0 "installed demo" -- env XDG_DATA_HOME="$WORK/xdg-installed" "$WORK/moved/bin/futuresboard" demo --plain --seconds 8 --speed 30
	has "$WORK/out" "SOLUSDT" "the installed demo shows its instruments"
	grep -q "XRPUSDT" "$WORK/out" && bad "the installed demo read the source tree's instruments" || ok
else
	bad "cmake --install failed: $(tail -3 "$WORK/install.out")"
fi

summary cli_integration
