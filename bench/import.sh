#!/bin/sh
# Import benchmark: 1,000,000 real candles from CSV into a fresh database, with
# `futuresboard import` and, in the same run, with the sqlite3 shell's .import into the same
# table. Prints the median of several runs of each, rows/s and the ratio.
#
# Usage: bench/import.sh [BUILD_DIR] [DATA_DIR] [RUNS]
#   BUILD_DIR  where futuresboard was built (default: build)
#   DATA_DIR   the shared real-data folder (default: ../shared/data beside the checkout)
#
# The rows: the 5m candles of BTC, ETH, SOL, BNB, XRP and DOGE USDT perpetuals (real Binance
# data, 718,344 rows), taken in turn until there are 1,000,000, with open times re-based into
# one continuous 5m series (BENCHUSDT) so every row is a new key. The CSV is the 6-column
# open_time,open,high,low,close,volume layout those files use, with its header.
#
# The sqlite3 shell cannot map a CSV onto the candles table by itself (the table keys rows by
# series and carries close_time and closed), so its figure is what a person would run: .import
# into a staging table, then one INSERT ... SELECT into candles. Both sides use the same schema
# (schema.sql), WAL mode and synchronous=NORMAL, and each starts from a fresh database file.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
data=${2:-$root/../shared/data}
runs=${3:-3}
rows=1000000
fb=$build/futuresboard

if [ ! -d "$data/klines" ]; then
	echo "bench/import.sh: skipped: no real data at $data/klines"
	exit 0
fi
[ -x "$fb" ] || { echo "bench/import.sh: build futuresboard first ($fb)" >&2; exit 1; }
command -v sqlite3 >/dev/null || { echo "bench/import.sh: needs the sqlite3 shell" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/fbbench.XXXXXX")
trap 'rm -rf "$work"' EXIT
csv=$work/BENCHUSDT-5m.csv
for s in BTC ETH SOL BNB XRP DOGE; do
	gzip -dc "$data/klines/${s}USDT-klines-5m.csv.gz" | tail -n +2
done | awk -F, -v rows="$rows" 'BEGIN { OFS = ","; print "open_time,open,high,low,close,volume"; t0 = 1262304000000 }
	{ line[NR] = $0 }
	END { n = 0; while (n < rows) for (i = 1; i <= NR && n < rows; i++) {
		split(line[i], f, ","); printf "%.0f,%s,%s,%s,%s,%s\n", t0 + n * 300000, f[2], f[3], f[4], f[5], f[6]; n++ } }' >"$csv"

now() { date +%s%N; }
ours() {
	rm -f "$work"/a.db*
	t=$(now)
	"$fb" --db "$work/a.db" import "$csv" >/dev/null
	echo $(( $(now) - t ))
}
shell() {
	rm -f "$work"/b.db*
	sqlite3 "$work/b.db" <"$root/schema.sql"
	t=$(now)
	sqlite3 "$work/b.db" >/dev/null <<SQL
PRAGMA journal_mode = WAL;
PRAGMA synchronous = NORMAL;
CREATE TEMP TABLE staging (open_time INTEGER, open REAL, high REAL, low REAL, close REAL, volume REAL);
.import --csv --skip 1 $csv staging
BEGIN;
INSERT OR IGNORE INTO series (exchange, symbol, interval) VALUES ('binance', 'BENCHUSDT', '5m');
INSERT INTO candles (series_id, open_time, close_time, open, high, low, close, volume, closed)
SELECT (SELECT id FROM series WHERE exchange = 'binance' AND symbol = 'BENCHUSDT' AND interval = '5m'),
       open_time, open_time + 299999, open, high, low, close, volume, 1 FROM staging;
COMMIT;
SQL
	echo $(( $(now) - t ))
}
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

: >"$work/a.times"
: >"$work/b.times"
for i in $(seq "$runs"); do
	ours >>"$work/a.times"
	shell >>"$work/b.times"
done
a=$(median <"$work/a.times")
b=$(median <"$work/b.times")

# Both databases must hold the same rows.
sum="SELECT count(*), sum(open_time), printf('%.6f', total(open + high + low + close + volume)) FROM candles"
sa=$(sqlite3 "$work/a.db" "$sum")
sb=$(sqlite3 "$work/b.db" "$sum")
[ "$sa" = "$sb" ] || { echo "bench/import.sh: the two databases differ: $sa vs $sb" >&2; exit 1; }

echo "import of $rows candles (median of $runs runs; $(nproc) cores; sqlite $(sqlite3 --version | cut -d' ' -f1))"
printf '%-44s %9s %14s\n' "method" "seconds" "rows/s"
awk -v a="$a" -v b="$b" -v rows="$rows" 'BEGIN {
	printf "%-44s %9.3f %14.0f\n", "futuresboard import", a / 1e9, rows / (a / 1e9)
	printf "%-44s %9.3f %14.0f\n", "sqlite3 shell .import + INSERT ... SELECT", b / 1e9, rows / (b / 1e9)
	printf "ratio: %.2fx the sqlite3 shell (target >= 1.5x)\n", b / a }'
