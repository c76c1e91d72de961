#!/bin/bash
# SPDX-License-Identifier: MIT-0
# exit-monitor and event-loop end to end, on the running kernel (suite
# "live"): abnormal exits are reported with name and status, clean ones are
# not; event-loop counts events and stops cleanly on SIGTERM.
set -u
monitor=${1:?usage: test-exit-monitor.sh path/to/exit-monitor path/to/event-loop}
loop=${2:?usage: test-exit-monitor.sh path/to/exit-monitor path/to/event-loop}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
grep -qs cn_proc /proc/net/connector || { echo "SKIP: no cn_proc in /proc/net/connector"; exit 77; }
# non-root works on 6.6+ only; proccn-watch --probe tells, exit-monitor cannot
kernel=$(uname -r)
newest=$(printf '%s\n' 6.6 "${kernel%%-*}" | sort -V | tail -n 1)
[[ $EUID == 0 || $newest != 6.6 ]] || { echo "SKIP: not root on kernel $kernel (before 6.6)"; exit 77; }

"$monitor" >"$tmp/mon.out" 2>"$tmp/mon.err" &
mon=$!
# Until the monitor shows one of ours (it subscribes asynchronously): a clean
# exit, an exit 3 and a SIGKILL, each from a process named by exec.
# Each lives a little after its exec, so that the monitor can read its name.
for ((i = 0; i < 40; i++)); do
	sh -c 'sleep 0.1; exit 0' & ok=$!; wait "$ok"
	sh -c 'sleep 0.1; exit 3' & three=$!; wait "$three"
	sh -c 'sleep 0.1; kill -9 $$' 2>>"$tmp/sh.err" & killed=$!; wait "$killed" 2>>"$tmp/sh.err"
	grep -q "^pid $killed (sh)" "$tmp/mon.out" && break
done
kill -INT "$mon"
wait "$mon" || fail "exit-monitor exited $? on SIGINT (want 0)"
grep -Eq "^pid $three \(sh\), parent [0-9]+: exited 3$" "$tmp/mon.out" ||
	fail "no 'pid $three (sh) ... exited 3' in: $(cat "$tmp/mon.out")"
grep -Eq "^pid $killed \(sh\), parent [0-9]+: killed by SIGKILL$" "$tmp/mon.out" ||
	fail "no 'pid $killed (sh) ... killed by SIGKILL' in: $(cat "$tmp/mon.out")"
grep -q "^pid $ok " "$tmp/mon.out" && fail "clean exit of $ok was reported"

"$loop" 1 >"$tmp/loop.out" 2>&1 &
lp=$!
sleep 1.5
/bin/true
sleep 1.2
kill -TERM "$lp"
wait "$lp" || fail "event-loop exited $? on SIGTERM (want 0)"
grep -Eq 'total delivered [1-9]' "$tmp/loop.out" || fail "event-loop delivered nothing: $(cat "$tmp/loop.out")"
echo "exit-monitor and event-loop behave"
