#!/bin/sh
# ClickHouse benchmark on real data: the 718,344 real 5m candles of six USDT perpetuals
# (../shared/data/klines) in a SQLite file, then, against a ClickHouse server of its own on
# loopback (tests/clickhouse_server.sh):
#   1. `futuresboard db push --to clickhouse` of them (RowBinary INSERTs of batch_rows), beside
#      the peer: `clickhouse-client --query "INSERT ... FORMAT CSV"` of the same rows into an
#      identical table (the CSV written beforehand, not timed). Rows/s of each, median of RUNS,
#      and the ratio (goal: at least 0.8x the peer; both are bound by the server);
#   2. a backtest of each of the six symbols (all 718,344 candles read, the engine replayed
#      over them) with --source sqlite and with --source clickhouse: seconds, median of RUNS.
#
# Usage: bench/clickhouse.sh [BUILD_DIR] [DATA_DIR] [RUNS]
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
data=${2:-$root/../shared/data}
runs=${3:-3}
fb=$build/futuresboard

if [ ! -d "$data/klines" ]; then
	echo "bench/clickhouse.sh: skipped: no real data at $data/klines"
	exit 0
fi
[ -x "$fb" ] || { echo "bench/clickhouse.sh: build futuresboard first ($fb)" >&2; exit 1; }
command -v clickhouse-client >/dev/null || { echo "bench/clickhouse.sh: needs clickhouse-client (scripts/setup)" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/fbchbench.XXXXXX")
chs="sh $root/tests/clickhouse_server.sh"
trap '$chs stop "$work/ch"; rm -rf "$work"' EXIT
db=$work/real.db
F="$fb --db $db --set log.file=$work/fb.log"
for s in BTC ETH SOL BNB XRP DOGE; do
	$F import "$data/klines/${s}USDT-klines-5m.csv.gz" >/dev/null
done
rows=$(sqlite3 "$db" "SELECT count(*) FROM candles")
port=$($chs start "$work/ch")
tcp=$(cat "$work/ch/tcp_port")
url=http://127.0.0.1:$port
q() { curl -s --data-binary "$1" "$url/"; }
ms() { echo $(($(date +%s%N) / 1000000)); }
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# the peer's rows: the same candles as CSV in the table's column order (NULL as \N)
sqlite3 -csv "$db" "SELECT s.exchange, s.symbol, s.interval, c.open_time, c.close_time,
	c.open_time / 1000, c.open, c.high, c.low, c.close, c.volume,
	coalesce(c.quote_volume, '\\N'), coalesce(c.trades, '\\N'), coalesce(c.taker_buy_volume, '\\N'),
	coalesce(c.taker_buy_quote_volume, '\\N'), c.closed, coalesce(s.derived_from, ''), 1
	FROM candles c JOIN series s ON s.id = c.series_id" | sed 's/"\\N"/\\N/g' >"$work/rows.csv"

push_rates=""
peer_rates=""
for r in $(seq "$runs"); do
	# db push into a fresh database
	q "DROP DATABASE IF EXISTS fbpush" >/dev/null
	$F --set clickhouse.url="$url" --set clickhouse.database=fbpush db init --clickhouse >/dev/null
	sqlite3 "$db" "DELETE FROM ship_marks"
	t0=$(ms)
	$F --set clickhouse.url="$url" --set clickhouse.database=fbpush db push --to clickhouse >/dev/null 2>&1
	t1=$(ms)
	got=$(q "SELECT count() FROM fbpush.candles")
	[ "$got" = "$rows" ] || { echo "db push shipped $got of $rows" >&2; exit 1; }
	push_rates="$push_rates $(echo "$rows $t0 $t1" | awk '{ printf "%.0f", $1 * 1000 / ($3 - $2) }')"
	# the peer into a fresh, identical table
	q "DROP DATABASE IF EXISTS fbpeer" >/dev/null
	$F --set clickhouse.url="$url" --set clickhouse.database=fbpeer db init --clickhouse >/dev/null
	t0=$(ms)
	clickhouse-client --host 127.0.0.1 --port "$tcp" --query "INSERT INTO fbpeer.candles FORMAT CSV" <"$work/rows.csv"
	t1=$(ms)
	got=$(q "SELECT count() FROM fbpeer.candles")
	[ "$got" = "$rows" ] || { echo "the peer inserted $got of $rows" >&2; exit 1; }
	peer_rates="$peer_rates $(echo "$rows $t0 $t1" | awk '{ printf "%.0f", $1 * 1000 / ($3 - $2) }')"
done
push=$(echo "$push_rates" | tr ' ' '\n' | grep . | median)
peer=$(echo "$peer_rates" | tr ' ' '\n' | grep . | median)

# the same values from both: the pushed candles export as the stored ones
$F --set clickhouse.url="$url" --set clickhouse.database=fbpush --source clickhouse export candles >"$work/ch.csv"
$F export candles >"$work/sqlite.csv"
cmp -s "$work/ch.csv" "$work/sqlite.csv" || { echo "the pushed candles differ from the stored ones" >&2; exit 1; }

bt() { # SOURCE: seconds for a backtest of every symbol
	t0=$(ms)
	for s in BTC ETH SOL BNB XRP DOGE; do
		$F --set clickhouse.url="$url" --set clickhouse.database=fbpush --source "$1" backtest \
			--strategy ema-cross --symbol ${s}USDT --interval 5m --json >"$work/bt-$1-$s.json"
	done
	t1=$(ms)
	echo "$t0 $t1" | awk '{ printf "%.2f", ($2 - $1) / 1000 }'
}
bs=""
bc=""
for r in $(seq "$runs"); do
	bs="$bs $(bt sqlite)"
	bc="$bc $(bt clickhouse)"
done
for s in BTC ETH SOL BNB XRP DOGE; do
	grep -v '"id":\|"created' "$work/bt-sqlite-$s.json" >"$work/a.json"
	grep -v '"id":\|"created' "$work/bt-clickhouse-$s.json" >"$work/b.json"
	cmp -s "$work/a.json" "$work/b.json" || { echo "the $s backtest differs between the stores" >&2; exit 1; }
done
bts=$(echo "$bs" | tr ' ' '\n' | grep . | median)
btc=$(echo "$bc" | tr ' ' '\n' | grep . | median)

echo "ClickHouse $(clickhouse-client --version 2>/dev/null | sed 's/.*version //'), $rows real 5m candles, median of $runs runs, $(nproc) cores"
printf "%-58s %12s\n" "insert" "rows/s"
printf "%-58s %12s\n" "futuresboard db push (RowBinary, batch_rows 50000)" "$push"
printf "%-58s %12s\n" "clickhouse-client INSERT ... FORMAT CSV (the peer)" "$peer"
echo "$push $peer" | awk '{ printf "db push: %.2fx the peer\n", $1 / $2 }'
printf "%-58s %12s\n" "backtest of the six symbols (ema-cross, 5m)" "seconds"
printf "%-58s %12s\n" "--source sqlite" "$bts"
printf "%-58s %12s\n" "--source clickhouse" "$btc"
echo "the same JSON from both stores for all six"
