#!/bin/bash
# SPDX-License-Identifier: MIT-0
# exit-monitor prints hostile process names escaped (suite "live"): names
# holding ESC sequences (clear the screen, set the window title), a newline,
# a tab, quotes, a backslash and invalid UTF-8 each come out as one line with
# \xHH text, and not one control byte or non-ASCII byte reaches the output.
set -euo pipefail
monitor=${1:?usage: test-exit-monitor-names.sh path/to/exit-monitor}
tmp=$(mktemp -d)
mon=
cleanup() {
	[[ -n $mon ]] && kill -INT "$mon" 2>/dev/null && wait "$mon" || true
	rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }
grep -qs cn_proc /proc/net/connector || { echo "SKIP: no cn_proc in /proc/net/connector"; exit 77; }
kernel=$(uname -r)
newest=$(printf '%s\n' 6.6 "${kernel%%-*}" | sort -V | tail -n 1)
[[ $EUID == 0 || $newest != 6.6 ]] || { echo "SKIP: not root on kernel $kernel (before 6.6)"; exit 77; }
command -v python3 >/dev/null || { echo "SKIP: no python3"; exit 77; }

# hex, want and the self-naming program
source "$(dirname "$0")/../tests/common/hostile-names.sh"
hostile_name_program "$tmp/name.py"

"$monitor" >"$tmp/mon.out" 2>"$tmp/mon.err" &
mon=$!
# until the monitor shows the last one (it subscribes asynchronously)
for ((round = 0; round < 40; round++)); do
	hostile_names_round "$tmp/name.py"
	sleep 0.1
	grep -q "^pid ${pids[-1]} " "$tmp/mon.out" && break
done
kill -INT "$mon"
wait "$mon" || fail "exit-monitor exited $? on SIGINT"
mon=
for i in "${!hex[@]}"; do
	line="pid ${pids[i]} (${want[i]}), parent "
	[[ $(grep -cF -- "$line" "$tmp/mon.out") == 1 ]] ||
		fail "no single line '$line...' for name ${hex[i]} in: $(cat -v "$tmp/mon.out")"
done
if LC_ALL=C grep -q $'[\x01-\x09\x0b-\x1f\x7f-\xff]' "$tmp/mon.out"; then
	fail "a control or non-ASCII byte reached the output: $(cat -v "$tmp/mon.out")"
fi
echo "exit-monitor: ${#hex[@]} hostile names printed escaped, one line each"
