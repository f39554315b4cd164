#!/bin/sh
# Runs ws_limits.py against a fresh simex. Usage: ws_limits.sh BINARY WORKDIR
set -u
FB=$1 WORK=$2
rm -rf "$WORK" && mkdir -p "$WORK" || exit 1
. "$(dirname "$0")/lib.sh"
"$FB" simex --port 0 --speed 60 --history-minutes 60 >"$WORK/simex.out" 2>"$WORK/simex.err" &
SIMEX=$!
wait_line "$WORK/simex.out" listening || { echo "simex did not start" >&2; exit 1; }
PORT=$(sed -n 's/.*127.0.0.1:\([0-9]*\).*/\1/p' "$WORK/simex.out")
/usr/bin/python3 "$(dirname "$0")/ws_limits.py" "$PORT"
rc=$?
kill -TERM "$SIMEX"
wait "$SIMEX"
exit $rc
