#!/bin/sh
# ClickHouse as the cluster store, against real servers of the test's own on loopback
# (tests/clickhouse_server.sh: their own folders and free ports, stopped by PID):
#   1. a collector shipping what it commits (simex at 60x, dropped connections), killed -9 and
#      restarted, with ClickHouse stopped and started while it runs; after a clean stop
#      nothing is left in the outbox, every candle, funding row and metric read back from
#      ClickHouse (FINAL) equals SQLite's, byte for byte as exported CSV, no key is there
#      twice, and a backtest and a risk report over --source clickhouse equal the same over
#      SQLite, byte for byte in JSON, and the replay dashboard (tmux) shows the same screen;
#      health and /metrics show the shipper failing, then not;
#   2. db push of the same file into another database (gzip bodies), twice: the same rows,
#      once;
#   3. kill -9 of a push in the middle and a restart of ClickHouse: the next push completes it;
#      a walk-forward and a stress test over --source clickhouse equal the same over SQLite;
#   4. a server that answers 500 to an INSERT, then 200: a clear error, then the rows once;
#   5. a wrong password: an error naming the URL, the password never printed; a password file
#      others can read is refused;
#   6. a two-shard cluster (two servers, a Distributed table sharded by cityHash64(symbol)):
#      two collectors with feed.shard 1/2 and 2/2 ship into it; the candles read through the
#      cluster, a backtest and a risk report equal the same over one SQLite file holding both
#      collectors' data.
# Usage: net_clickhouse.sh BINARY WORKDIR
set -u
FB=$1 WORK=$2
rm -rf "$WORK" && mkdir -p "$WORK" || exit 1
. "$(dirname "$0")/lib.sh"
CHS="sh $(dirname "$0")/clickhouse_server.sh"
if ! command -v clickhouse-server >/dev/null 2>&1 && [ ! -x /usr/sbin/clickhouse-server ]; then
	echo "net_clickhouse: clickhouse-server is missing (scripts/setup installs it)" >&2
	exit 1
fi
PROXY=
cleanup() {
	[ -n "$PROXY" ] && kill "$PROXY" 2>/dev/null
	$CHS stop "$WORK/ch1"
	$CHS stop "$WORK/ch2"
	$CHS stop "$WORK/sa"
	$CHS stop "$WORK/sb"
}
trap cleanup EXIT INT TERM

P=$($CHS start "$WORK/ch1") || { bad "clickhouse-server did not start"; exit 1; }
URL="http://127.0.0.1:$P"
q() { curl -s --data-binary "$1" "$URL/"; }
# until SECONDS COMMAND...: runs COMMAND every 0.2 s until it succeeds (1) or time is up (0)
until_ok() {
	n=$(($1 * 5))
	shift
	while [ $n -gt 0 ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.2
		n=$((n - 1))
	done
	return 1
}
more_than() { [ "$(eval "$2")" -gt "$1" ] 2>/dev/null; }

# ---- 1. a collector that ships: kill -9 of it, and a restart of ClickHouse, in the middle ----
"$FB" simex --port 0 --seed 5 --speed 60 --history-minutes 900 --ws-drop-every 9 \
	>"$WORK/simex.out" 2>"$WORK/simex.err" &
SIMEX=$!
wait_line "$WORK/simex.out" listening || { bad "simex did not start"; exit 1; }
SP=$(sed -n 's/.*127.0.0.1:\([0-9]*\).*/\1/p' "$WORK/simex.out")
DB="$WORK/c.db"
F="$FB --db $DB --set clickhouse.url=$URL --set log.file=$WORK/fb.log"
FC="$F --set binance.rest_url=http://127.0.0.1:$SP --set binance.ws_url=ws://127.0.0.1:$SP
  --set binance.label=simex --set feed.top_n=4 --set feed.intervals=1m,5m,1h --set feed.poll_s=5"
$F db init --clickhouse >"$WORK/init.out" 2>&1 && ok || bad "db init: $(cat "$WORK/init.out")"
$F db init --clickhouse >/dev/null 2>&1 && ok || bad "db init twice"
$FC collect --health-port -1 >"$WORK/collect1.out" 2>&1 &
COLLECT=$!
until_ok 30 more_than 1000 'q "SELECT count() FROM futuresboard.candles"'
shipped=$(q "SELECT count() FROM futuresboard.candles")
[ "$shipped" -gt 1000 ] && ok || bad "the collector shipped $shipped candles in 30 s"
kill -9 "$COLLECT"
wait "$COLLECT" 2>/dev/null
left=$(sqlite3 "$DB" "SELECT count(*) FROM ship_candles")
$FC collect --health-port -1 >"$WORK/collect2.out" 2>&1 &
COLLECT=$!
wait_line "$WORK/collect2.out" "health on" || bad "the second collector printed no health address"
HP=$(sed -n 's/.*127.0.0.1:\([0-9]*\).*/\1/p' "$WORK/collect2.out" | head -1)
sleep 1
$CHS stop "$WORK/ch1"
health_has() { curl -s "http://127.0.0.1:$HP/health" | grep -q "$1"; }
until_ok 20 health_has '"failing":true'
curl -s "http://127.0.0.1:$HP/health" >"$WORK/health-down.json"
has "$WORK/health-down.json" '"failing":true' "health shows the shipper failing while ClickHouse is down"
has "$WORK/health-down.json" "\"target\":\"$URL (database futuresboard)\"" "health names the target"
curl -s "http://127.0.0.1:$HP/metrics" >"$WORK/metrics.txt"
has "$WORK/metrics.txt" "futuresboard_ship_lag_rows" "metrics: shipper lag"
$CHS start "$WORK/ch1" >/dev/null || bad "clickhouse-server did not restart"
until_ok 40 health_has '"failing":false'
curl -s "http://127.0.0.1:$HP/health" >"$WORK/health-up.json"
has "$WORK/health-up.json" '"failing":false' "the shipper recovers after the restart"
kill -TERM "$COLLECT"
wait "$COLLECT" || bad "collect exit $?"
kill "$SIMEX"
wait "$SIMEX" 2>/dev/null
[ "$left" -ge 0 ] && ok
[ "$(sqlite3 "$DB" "SELECT (SELECT count(*) FROM ship_candles) + (SELECT count(*) FROM ship_metrics) + (SELECT count(*) FROM ship_funding) + (SELECT count(*) FROM ship_liquidations) + (SELECT count(*) FROM ship_mark_candles)")" = 0 ] && ok || bad "rows left unshipped after a clean stop"
grep -q "shipping again" "$WORK/fb.log" && ok || bad "no recovery logged"
n_sqlite=$(sqlite3 "$DB" "SELECT count(*) FROM candles")
n_ch=$(q "SELECT count() FROM futuresboard.candles FINAL")
[ "$n_sqlite" -gt 1000 ] && [ "$n_ch" = "$n_sqlite" ] && ok || bad "candles: sqlite $n_sqlite, clickhouse $n_ch"
dups=$(q "SELECT count() FROM (SELECT exchange, symbol, tf, open_time, count() AS n FROM futuresboard.candles FINAL GROUP BY exchange, symbol, tf, open_time HAVING n > 1)")
[ "$dups" = 0 ] && ok || bad "$dups candle keys twice in FINAL"

same_export() { # TABLE [ARGS]: the export from both sources is the same bytes
	t=$1
	shift
	$F --source sqlite export "$t" "$@" >"$WORK/$t-sqlite.csv" 2>"$WORK/$t-sqlite.err" || bad "export $t from sqlite: $(cat "$WORK/$t-sqlite.err")"
	$F --source clickhouse export "$t" "$@" >"$WORK/$t-ch.csv" 2>"$WORK/$t-ch.err" || bad "export $t from clickhouse: $(cat "$WORK/$t-ch.err")"
	if cmp -s "$WORK/$t-sqlite.csv" "$WORK/$t-ch.csv" && [ "$(wc -l <"$WORK/$t-ch.csv")" -gt 2 ]; then ok; else
		bad "export $t differs ($(wc -l <"$WORK/$t-sqlite.csv") and $(wc -l <"$WORK/$t-ch.csv") lines)"
		diff "$WORK/$t-sqlite.csv" "$WORK/$t-ch.csv" | head -5 >&2
	fi
}
same_export candles
same_export funding
same_export metrics
same_export candles --symbol "$(sqlite3 "$DB" "SELECT symbol FROM series LIMIT 1")" --interval 5m

SYM=$(sqlite3 "$DB" "SELECT s.symbol FROM series s JOIN candles c ON c.series_id = s.id WHERE s.interval = '1m' GROUP BY s.id ORDER BY count(*) DESC LIMIT 1")
same_json() { # NAME COMMAND...: the JSON from both sources is the same bytes, run ids aside
	name=$1
	shift
	$F --source sqlite "$@" --json 2>"$WORK/$name-sqlite.err" | grep -v '"id":\|"run_id":\|"run":\|"created' >"$WORK/$name-sqlite.json"
	$F --source clickhouse "$@" --json 2>"$WORK/$name-ch.err" | grep -v '"id":\|"run_id":\|"run":\|"created' >"$WORK/$name-ch.json"
	if [ -s "$WORK/$name-ch.json" ] && cmp -s "$WORK/$name-sqlite.json" "$WORK/$name-ch.json"; then ok; else
		bad "$name differs between sqlite and clickhouse: $(cat "$WORK/$name-ch.err")"
		diff "$WORK/$name-sqlite.json" "$WORK/$name-ch.json" | head -8 >&2
	fi
}
same_json backtest backtest --strategy ema-cross --symbol "$SYM" --interval 1m --param fast=5 --param slow=20
same_json risk risk --interval 1m
has "$WORK/backtest-ch.json" '"candles_hash": "fnv1a64:' "backtest over clickhouse hashed its candles"

# the replay dashboard over the cluster shows what it shows over the file (tmux, 80x24), with
# the clock put on the same minute ten minutes before the newest candle
AT=$(date -u -d "@$(($(sqlite3 "$DB" "SELECT max(close_time) FROM candles WHERE closed = 1") / 1000 - 600))" '+%Y-%m-%d %H:%M')
for src in sqlite clickhouse; do
	T="tmux -S $WORK/tmux-$src.sock"
	$T new-session -d -s ui -x 80 -y 24 "echo \$\$ >$WORK/replay-$src.pid; exec $F --source $src replay 2>$WORK/replay-$src.err"
	i=0
	while ! $T capture-pane -p -t ui 2>/dev/null | grep -q "REPLAY" && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	$T send-keys -t ui space # pause the clock, then put it on one minute for both
	$T send-keys -t ui g
	sleep 0.3
	$T send-keys -t ui "$AT" Enter
	sleep 1
	$T capture-pane -p -t ui >"$WORK/replay-$src.txt"
	$T kill-server
	# the hangup ends it; one still there after 5 s (seen once under ASan, spinning at exit)
	# is killed so it cannot hold a core for the rest of the run
	rp=$(cat "$WORK/replay-$src.pid" 2>/dev/null)
	i=0
	while [ -n "$rp" ] && alive "$rp" && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	[ -n "$rp" ] && alive "$rp" && kill -9 "$rp" 2>/dev/null &&
		echo "net_clickhouse: the $src replay outlived its hangup by 5 s ($(grep State "/proc/$rp/status" 2>/dev/null))" >&2
done
grep -q "REPLAY" "$WORK/replay-clickhouse.txt" && cmp -s "$WORK/replay-sqlite.txt" "$WORK/replay-clickhouse.txt" && ok || {
	bad "the replay over clickhouse shows other values: $(cat "$WORK/replay-clickhouse.err")"
	diff "$WORK/replay-sqlite.txt" "$WORK/replay-clickhouse.txt" | head -6 >&2
}

# ---- 2. db push of the same file into another database, twice: nothing counts twice ----
F2="$FB --db $DB --set clickhouse.url=$URL --set clickhouse.database=fb2 --set clickhouse.gzip=yes --set log.file=$WORK/fb.log"
$F2 db push --to clickhouse >"$WORK/push0.out" 2>&1 && bad "push before db init worked" || ok
has "$WORK/push0.out" "db init --clickhouse" "push before init says what to do"
$F2 db init --clickhouse >/dev/null 2>&1 || bad "db init fb2"
$F2 db push --to clickhouse >"$WORK/push1.out" 2>&1 && ok || bad "db push: $(cat "$WORK/push1.out")"
has "$WORK/push1.out" "rows shipped to $URL (database fb2)" "push summary"
$F2 db push --to clickhouse >"$WORK/push2.out" 2>&1 && ok || bad "second push: $(cat "$WORK/push2.out")"
[ "$(q "SELECT count() FROM fb2.candles FINAL")" = "$n_sqlite" ] && ok || bad "pushed candles: $(q "SELECT count() FROM fb2.candles FINAL") of $n_sqlite"
$F2 --source clickhouse export candles >"$WORK/fb2.csv" 2>/dev/null
$F2 --source sqlite export candles >"$WORK/all.csv" 2>/dev/null
cmp -s "$WORK/all.csv" "$WORK/fb2.csv" && ok || bad "the pushed candles differ from the stored ones"

# ---- 3. kill -9 of a push in the middle, ClickHouse restarted, push again ----
D3="$WORK/big.db"
awk 'BEGIN { print "open_time,open,high,low,close,volume"; p = 100; x = 3
	for (i = 0; i < 60000; i++) { x = (x * 1103515245 + 12345) % 2147483648; o = p; p = p * (1 + 0.004 * (x / 2147483648 - 0.5))
		printf "%.0f,%.4f,%.4f,%.4f,%.4f,%.3f\n", 1735689600000 + i * 60000, o, (o > p ? o : p) * 1.001, (o < p ? o : p) * 0.999, p, 10 + i % 7 } }' >"$WORK/big.csv"
F3="$FB --db $D3 --set clickhouse.url=$URL --set clickhouse.database=fb3 --set clickhouse.batch_rows=500 --set log.file=$WORK/fb.log"
$F3 import --symbol CCCUSDT --interval 1m "$WORK/big.csv" >/dev/null 2>&1 || bad "import big.csv"
$F3 db init --clickhouse >/dev/null 2>&1 || bad "db init fb3"
$F3 db push --to clickhouse >"$WORK/push3a.out" 2>&1 &
PUSH=$!
i=0
while [ "$(q "SELECT count() FROM fb3.candles")" -lt 5000 ] && [ $i -lt 100 ]; do
	sleep 0.05
	i=$((i + 1))
done
kill -9 "$PUSH" 2>/dev/null && ok || bad "the push ended before it could be killed"
wait "$PUSH" 2>/dev/null
mid=$(q "SELECT count() FROM fb3.candles FINAL")
$CHS stop "$WORK/ch1"
$CHS start "$WORK/ch1" >/dev/null || bad "clickhouse-server did not restart"
$F3 db push --to clickhouse >"$WORK/push3b.out" 2>&1 && ok || bad "push after kill: $(cat "$WORK/push3b.out")"
n3=$(q "SELECT count() FROM fb3.candles FINAL")
[ "$mid" -lt 60000 ] && [ "$n3" = 60000 ] && ok || bad "after kill -9 ($mid shipped) and a restart: $n3 of 60000"
$F3 --source sqlite export candles >"$WORK/big-sqlite.csv" 2>/dev/null
$F3 --source clickhouse export candles >"$WORK/big-ch.csv" 2>/dev/null
cmp -s "$WORK/big-sqlite.csv" "$WORK/big-ch.csv" && ok || bad "big export differs after kill -9 and restart"
# walk-forward and stress (from backtest flags) over 41 days of 1m candles, from both stores
F="$F3"
same_json walk-forward backtest --strategy ema-cross --symbol CCCUSDT --interval 1m \
	--walk-forward train=10d,test=5d --grid fast=5,10
same_json stress stress --strategy ema-cross --symbol CCCUSDT --interval 1m --paths 300
F="$FB --db $DB --set clickhouse.url=$URL --set log.file=$WORK/fb.log"

# ---- 4. 500, then 200 ----
cat >"$WORK/proxy.py" <<'EOF'
import http.server, sys, urllib.request
UP = sys.argv[2]
failed = [0]
class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a): pass
    def go(self, body):
        if b"INSERT" in urllib.parse.unquote(self.path).encode() and failed[0] < 1:
            failed[0] += 1
            msg = b"Code: 999, e.displayText() = DB::Exception: injected failure\n"
            self.send_response(500); self.send_header("Content-Length", str(len(msg))); self.end_headers()
            self.wfile.write(msg); return
        req = urllib.request.Request(UP + self.path, data=body, method=self.command, headers={k: v for k, v in self.headers.items() if k.lower() in ("authorization", "content-type")})
        try:
            r = urllib.request.urlopen(req); code, data = r.status, r.read()
        except urllib.error.HTTPError as e:
            code, data = e.code, e.read()
        self.send_response(code); self.send_header("Content-Length", str(len(data))); self.end_headers(); self.wfile.write(data)
    def do_GET(self): self.go(None)
    def do_POST(self): self.go(self.rfile.read(int(self.headers.get("Content-Length", 0))))
import urllib.parse
s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
print(s.server_address[1], flush=True)
s.serve_forever()
EOF
python3 "$WORK/proxy.py" 0 "$URL" >"$WORK/proxy.port" 2>"$WORK/proxy.err" &
PROXY=$!
wait_line "$WORK/proxy.port" "[0-9]" || bad "proxy did not start"
PURL="http://127.0.0.1:$(cat "$WORK/proxy.port")"
F4="$FB --db $DB --set clickhouse.url=$PURL --set clickhouse.database=fb4 --set log.file=$WORK/fb.log"
$F4 db init --clickhouse >/dev/null 2>&1 || bad "db init fb4"
$F4 db push --to clickhouse >"$WORK/push4a.out" 2>&1 && bad "a push through a 500 succeeded" || ok
has "$WORK/push4a.out" "$PURL (database fb4): HTTP 500: Code: 999" "the 500 is reported with the URL"
$F4 db push --to clickhouse >"$WORK/push4b.out" 2>&1 && ok || bad "push after the 500: $(cat "$WORK/push4b.out")"
[ "$(q "SELECT count() FROM fb4.candles FINAL")" = "$n_sqlite" ] && ok || bad "rows after 500 then 200: $(q "SELECT count() FROM fb4.candles FINAL") of $n_sqlite"
q "OPTIMIZE TABLE fb4.candles FINAL" >/dev/null
[ "$(q "SELECT count() FROM fb4.candles")" = "$n_sqlite" ] && ok || bad "rows counted twice after 500 then 200"
kill "$PROXY"
PROXY=

# ---- 6. a two-shard cluster: two collectors split the universe, research reads the union ----
for d in sa sb; do
	mkdir -p "$WORK/$d"
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()' >"$WORK/$d/tcp_port"
done
R="<fb_two><shard><replica><host>127.0.0.1</host><port>$(cat "$WORK/sa/tcp_port")</port></replica></shard><shard><replica><host>127.0.0.1</host><port>$(cat "$WORK/sb/tcp_port")</port></replica></shard></fb_two>"
PA=$($CHS start "$WORK/sa" "" "$R") || bad "shard a did not start"
PB=$($CHS start "$WORK/sb" "" "$R") || bad "shard b did not start"
for p in $PA $PB; do
	$FB --set clickhouse.url=http://127.0.0.1:$p --set clickhouse.cluster=fb_two db init --clickhouse >"$WORK/init-$p.out" 2>&1 && ok || bad "db init on a shard: $(cat "$WORK/init-$p.out")"
done
"$FB" simex --port 0 --seed 8 --speed 60 --history-minutes 900 >"$WORK/simex6.out" 2>"$WORK/simex6.err" &
SIMEX=$!
wait_line "$WORK/simex6.out" listening || bad "simex did not start"
SP=$(sed -n 's/.*127.0.0.1:\([0-9]*\).*/\1/p' "$WORK/simex6.out")
for k in 1 2; do
	p=$([ $k = 1 ] && echo "$PA" || echo "$PB")
	$FB --db "$WORK/shard$k.db" --set clickhouse.url=http://127.0.0.1:$p --set clickhouse.cluster=fb_two \
		--set log.file="$WORK/shard$k.log" --set binance.rest_url=http://127.0.0.1:$SP \
		--set binance.ws_url=ws://127.0.0.1:$SP --set binance.label=simex --set feed.top_n=6 \
		--set feed.intervals=1m,5m --set feed.shard=$k/2 collect --health-port -1 >"$WORK/shard$k.out" 2>&1 &
	eval "SC$k=\$!"
done
until_ok 40 more_than 300 "sqlite3 $WORK/shard1.db 'SELECT count(*) FROM candles'"
until_ok 40 more_than 300 "sqlite3 $WORK/shard2.db 'SELECT count(*) FROM candles'"
sleep 2
kill -TERM "$SC1" "$SC2"
wait "$SC1" || bad "shard 1 collector exit"
wait "$SC2" || bad "shard 2 collector exit"
kill "$SIMEX"
wait "$SIMEX" 2>/dev/null
s1=$(sqlite3 "$WORK/shard1.db" "SELECT group_concat(DISTINCT symbol) FROM series")
s2=$(sqlite3 "$WORK/shard2.db" "SELECT group_concat(DISTINCT symbol) FROM series")
[ -n "$s1" ] && [ -n "$s2" ] && ok || bad "a shard collected nothing: 1/2 '$s1', 2/2 '$s2'"
common=$(sqlite3 "$WORK/shard1.db" "ATTACH '$WORK/shard2.db' AS b; SELECT count(*) FROM (SELECT DISTINCT symbol FROM series) WHERE symbol IN (SELECT symbol FROM b.series)")
[ "$common" = 0 ] && ok || bad "$common symbols collected by both shards"
# one SQLite file with both collectors' data
sqlite3 "$WORK/all.db" <"$(dirname "$0")/../schema.sql" >/dev/null
for k in 1 2; do
	sqlite3 "$WORK/all.db" "ATTACH '$WORK/shard$k.db' AS s;
		INSERT INTO series (exchange, symbol, interval, derived_from) SELECT exchange, symbol, interval, derived_from FROM s.series;
		INSERT INTO candles SELECT m.id, c.open_time, c.close_time, c.open, c.high, c.low, c.close, c.volume, c.quote_volume, c.trades, c.taker_buy_volume, c.taker_buy_quote_volume, c.closed FROM s.candles c JOIN s.series x ON x.id = c.series_id JOIN main.series m ON m.exchange = x.exchange AND m.symbol = x.symbol AND m.interval = x.interval;
		INSERT INTO mark_candles SELECT * FROM s.mark_candles;
		INSERT INTO funding SELECT * FROM s.funding;
		INSERT INTO market_metrics SELECT * FROM s.market_metrics;
		INSERT INTO liquidations SELECT * FROM s.liquidations;" || bad "merging shard $k"
done
FA="$FB --db $WORK/all.db --set clickhouse.url=http://127.0.0.1:$PB --set clickhouse.cluster=fb_two --set log.file=$WORK/fb.log"
$FA --source sqlite export candles >"$WORK/union-sqlite.csv" 2>&1
$FA --source clickhouse export candles >"$WORK/union-ch.csv" 2>&1
[ "$(wc -l <"$WORK/union-ch.csv")" -gt 100 ] && cmp -s "$WORK/union-sqlite.csv" "$WORK/union-ch.csv" && ok || bad "the cluster's candles differ from both shards' files together"
for p in $PA $PB; do
	[ "$(curl -s --data-binary "SELECT count() FROM futuresboard.candles_local" "http://127.0.0.1:$p/")" -gt 0 ] && ok || bad "shard on $p holds no candles"
done
F="$FA"
SYM=$(sqlite3 "$WORK/all.db" "SELECT s.symbol FROM series s JOIN candles c ON c.series_id = s.id WHERE s.interval = '1m' GROUP BY s.id ORDER BY count(*) DESC LIMIT 1")
same_json cluster-backtest backtest --strategy ema-cross --symbol "$SYM" --interval 1m --param fast=5 --param slow=20
same_json cluster-risk risk --interval 1m
$CHS stop "$WORK/sa"
$CHS stop "$WORK/sb"

# ---- 5. passwords ----
P2=$($CHS start "$WORK/ch2" "s3cret-pw") || bad "second clickhouse-server did not start"
U2="http://127.0.0.1:$P2"
FUTURESBOARD_CLICKHOUSE_PASSWORD=not-it $FB --set clickhouse.url=$U2 db init --clickhouse >"$WORK/pw1.out" 2>&1 && bad "a wrong password worked" || ok
has "$WORK/pw1.out" "$U2 (database futuresboard): user default: authentication failed" "wrong password named"
grep -q "not-it\|s3cret" "$WORK/pw1.out" && bad "a password was printed" || ok
printf 's3cret-pw\n' >"$WORK/pw"
chmod 644 "$WORK/pw"
$FB --set clickhouse.url=$U2 --set clickhouse.password_file="$WORK/pw" db init --clickhouse >"$WORK/pw2.out" 2>&1 && bad "a password file others can read was used" || ok
has "$WORK/pw2.out" "readable by its owner alone" "unsafe password file refused"
chmod 600 "$WORK/pw"
$FB --set clickhouse.url=$U2 --set clickhouse.password_file="$WORK/pw" db init --clickhouse >"$WORK/pw3.out" 2>&1 && ok || bad "password file: $(cat "$WORK/pw3.out")"
FUTURESBOARD_CLICKHOUSE_PASSWORD=s3cret-pw $FB --set clickhouse.url=$U2 db init --clickhouse >/dev/null 2>&1 && ok || bad "password from the environment"
grep -q "s3cret" "$WORK"/*.out "$WORK/fb.log" 2>/dev/null && bad "the password is in an output or the log" || ok

summary net_clickhouse
