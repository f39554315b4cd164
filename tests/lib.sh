# Helpers shared by the shell tests (sourced). Each check adds to passed or failed; a script
# ends with: summary NAME.
passed=0 failed=0
ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAIL: $*" >&2; }
# has FILE TEXT DESCRIPTION: the file contains the text
has() {
	if grep -qF -- "$2" "$1"; then ok; else
		bad "$3: '$2' not in $1"
		sed 's/^/    /' "$1" | head -40 >&2
	fi
}
# wait_line FILE PATTERN: waits up to 15 s for a line matching PATTERN
wait_line() {
	i=0
	while ! grep -q "$2" "$1" 2>/dev/null; do
		i=$((i + 1))
		[ $i -gt 150 ] && return 1
		sleep 0.1
	done
}
# The tmux tests: tmux_setup NAME checks for tmux and sets T (the server, one socket per
# start; the caller's start() moves on to the next) and n; screen captures the pane "ui" into
# $WORK/screen; wait_screen TEXT waits up to 20 s for the text on it.
tmux_setup() {
	command -v tmux >/dev/null || { echo "$1: tmux is missing" >&2; exit 1; }
	n=0
	T="tmux -S $WORK/tmux0.sock"
}
screen() { $T capture-pane -p -t ui >"$WORK/screen"; }
wait_screen() {
	i=0
	while :; do
		screen
		grep -qF -- "$1" "$WORK/screen" && return 0
		i=$((i + 1))
		[ $i -gt 100 ] && return 1
		sleep 0.2
	done
}
# alive PID: the process is there and has not exited. A zombie has exited: one whose parent
# is gone (a tmux pane's shell) waits for PID 1 to reap it, which here can take seconds.
alive() {
	st=$(sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' "/proc/$1/status" 2>/dev/null)
	[ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}
summary() {
	echo "$1: $passed passed, $failed failed"
	[ "$failed" -eq 0 ]
}
