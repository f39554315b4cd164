#!/bin/sh
# Backtest bars/s over the real 5m candles in ../shared/data/klines, in C (bench_backtest) and
# the same strategy written the plain way in Python with numpy, with the trades compared.
# Usage: bench/backtest.sh BUILD_DIR   (skips when the data is absent)
set -eu
build=${1:-build}
here=$(cd "$(dirname "$0")" && pwd)
data="$here/../../shared/data/klines"
ls "$data"/*-klines-5m.csv.gz >/dev/null 2>&1 || { echo "skipped: no 5m klines in $data"; exit 0; }
"$here/../scripts/setup" python3-numpy
work=$(mktemp -d "${TMPDIR:-/tmp}/fbbt.XXXXXX")
trap 'rm -rf "$work"' EXIT
for f in "$data"/*-klines-5m.csv.gz; do gzip -dc "$f" >"$work/$(basename "$f" .gz)"; done
"$build/bench/bench_backtest" "$work/trades.txt" "$work"/*.csv | tee "$work/c.out"
/usr/bin/python3 "$here/backtest_numpy.py" "$work/trades.txt" "$work"/*.csv | tee "$work/py.out"
c=$(sed -n 's/.*: \([0-9.]*\) million bars\/s/\1/p' "$work/c.out")
p=$(sed -n 's/numpy: .*: \([0-9.]*\) million bars\/s/\1/p' "$work/py.out")
awk -v c="$c" -v p="$p" 'BEGIN { printf "C is %.0fx the numpy version\n", c / p }'
