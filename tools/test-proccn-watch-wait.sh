#!/bin/bash
# SPDX-License-Identifier: MIT-0
# proccn-watch --wait, a pwait that never hangs (suite "live"):
# - a pid that is not running: exit 255 at once, saying so;
# - a process that exits 7, one killed by SIGTERM: 7 and 143 as our status;
# - a pid reused during the wait (root: /proc/sys/kernel/ns_last_pid hands
#   the dead pid to a new process while the watcher is stopped): the exit
#   of the process we waited for, not a hang on the newcomer;
# - --tree with --wait on a double-forking daemon: we end when the daemon
#   does, long after its parent, with the status of the tree's root, and
#   show none of the other processes of the machine.
set -euo pipefail
watch=${1:?usage: test-proccn-watch-wait.sh path/to/proccn-watch}
tmp=$(mktemp -d)
kids=()
cleanup() {
	local p
	for p in "${kids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
	rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }

if (( EUID != 0 )) && ! "$watch" --probe 2>/dev/null | grep -q '^subscribe *yes'; then
	echo "SKIP: proccn-watch cannot subscribe here (not root on an old kernel?)"
	exit 77
fi
grep -qs cn_proc /proc/net/connector || { echo "SKIP: no cn_proc in /proc/net/connector"; exit 77; }

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }
# wait for the watcher's output to show a line matching $2 (it is ready)
ready() { # $1 = file, $2 = ERE
	local i
	for ((i = 0; i < 100; i++)); do
		grep -Eq -- "$2" "$1" && return 0
		sleep 0.05
	done
	fail "the watcher never showed '$2': $(tail -n 3 "$1")"
}

# ---- a pid that is not running
true &
dead=$!
wait "$dead"
kill -0 "$dead" 2>/dev/null && { echo "SKIP: pid $dead was reused at once"; exit 77; }
t0=$(now)
rc=0
timeout 10 "$watch" --wait "$dead" >"$tmp/dead.out" 2>"$tmp/dead.err" || rc=$?
(( rc == 255 )) || fail "--wait on dead pid $dead: exit $rc (want 255): $(cat "$tmp/dead.err")"
grep -q "process $dead: not running when watched" "$tmp/dead.err" ||
	fail "--wait on a dead pid: stderr says: $(cat "$tmp/dead.err")"
t=$(elapsed "$t0")
awk -v t="$t" 'BEGIN { exit !(t < 5) }' || fail "--wait on a dead pid took ${t}s"
echo "dead pid: exit 255 after ${t}s: $(grep 'not running' "$tmp/dead.err")"

# ---- exit 7, and SIGTERM
sh -c "while [ ! -e $tmp/go7 ]; do sleep 0.05; done; exit 7" &
v=$!
kids+=("$v")
"$watch" --wait "$v" >"$tmp/seven.out" 2>"$tmp/seven.err" &
w=$!
ready "$tmp/seven.out" "^[0-9:.]+ fork +[0-9]+ sh +$v "
touch "$tmp/go7"
rc=0
wait "$w" || rc=$?
(( rc == 7 )) || fail "--wait on a process that exits 7: exit $rc: $(cat "$tmp/seven.err")"
grep -Eq "process $v \(sh\): exited 7 after [0-9.]+s" "$tmp/seven.err" ||
	fail "--wait: stderr says: $(cat "$tmp/seven.err")"
grep -Eq "^[0-9:.]+ exit +$v sh .* exited 7 after" "$tmp/seven.out" ||
	fail "--wait: no exit line of $v: $(tail -n 3 "$tmp/seven.out")"
wait "$v" || true

sleep 30 &
k=$!
kids+=("$k")
"$watch" --wait "$k" >"$tmp/term.out" 2>"$tmp/term.err" &
w=$!
sleep 0.5	# a sleep does nothing to show: give the watcher time to bind
kill -TERM "$k"
rc=0
wait "$w" || rc=$?
(( rc == 143 )) || fail "--wait on a process killed by SIGTERM: exit $rc (want 128+15)"
grep -q "killed by SIGTERM" "$tmp/term.err" || fail "--wait: stderr says: $(cat "$tmp/term.err")"
echo "exit 7 and SIGTERM: exit statuses 7 and 143"

# ---- a pid reused while we wait
reuse_checked=no
if (( EUID == 0 )) && [[ -w /proc/sys/kernel/ns_last_pid ]]; then
	sh -c "while [ ! -e $tmp/go ]; do sleep 0.05; done; exit 7" &
	v=$!
	kids+=("$v")
	# its status through a file: this shell hands pids out again and again
	# below, and bash's memory of exit statuses is keyed by pid
	(
		"$watch" --wait "$v" >"$tmp/reuse.out" 2>"$tmp/reuse.err" &
		echo $! >"$tmp/w.pid"
		rc=0
		wait $! || rc=$?
		echo "$rc" >"$tmp/reuse.rc"
	) &
	kids+=($!)
	for ((i = 0; i < 100; i++)); do [[ -s $tmp/w.pid ]] && break; sleep 0.05; done
	w=$(cat "$tmp/w.pid")
	kids+=("$w")
	ready "$tmp/reuse.out" "^[0-9:.]+ fork +[0-9]+ sh +$v "
	# the watcher sleeps through the exit and the reuse: when it wakes, the
	# pid names another live process, and only the events tell the truth
	kill -STOP "$w"
	touch "$tmp/go"
	wait "$v" || true
	new=
	for ((i = 0; i < 50; i++)); do
		# the next pid the kernel hands out is v (unless another fork wins)
		echo $((v - 1)) >/proc/sys/kernel/ns_last_pid
		sleep 30 &
		p=$!
		kids+=("$p")
		if (( p == v )); then new=$p; break; fi
		kill -KILL "$p"
	done
	kill -CONT "$w"
	if [[ -z $new ]]; then
		kill -INT "$w" || true
		echo "(pid reuse not checked: pid $v went to other processes 50 times)"
	else
		t0=$(now)
		for ((i = 0; i < 100; i++)); do
			kill -0 "$w" 2>/dev/null || break
			sleep 0.05
		done
		kill -0 "$w" 2>/dev/null && fail "--wait $v hangs on the process that reused the pid"
		for ((i = 0; i < 100; i++)); do [[ -s $tmp/reuse.rc ]] && break; sleep 0.05; done
		rc=$(cat "$tmp/reuse.rc")
		(( rc == 7 )) || fail "--wait with the pid reused: exit $rc (want 7): $(cat "$tmp/reuse.err")"
		[[ $(cat /proc/"$v"/comm) == sleep ]] || fail "pid $v is not the newcomer any more"
		echo "pid reuse: pid $v reused by a sleep during the wait; exit 7 after $(elapsed "$t0")s"
		reuse_checked=yes
	fi
else
	echo "(pid reuse not checked: needs root to set /proc/sys/kernel/ns_last_pid)"
fi

# ---- --tree --wait on a double-forking daemon
# root: waits for go2, then starts a daemon the classic way (a subshell
# forks it and exits at once; the daemon calls setsid and is reparented),
# and exits 5; the daemon lives 1.5 s more.
sh -c "while [ ! -e $tmp/go2 ]; do sleep 0.05; done
	(setsid sh -c 'sleep 1.5; exit 0' &)
	exit 5" &
root=$!
kids+=("$root")
"$watch" --json --tree "$root" --wait >"$tmp/tree.out" 2>"$tmp/tree.err" &
w=$!
kids+=("$w")
ready "$tmp/tree.out" "\"event\":\"fork\",\"pid\":[0-9]+,.*\"ppid\":$root,"
touch "$tmp/go2"
t0=$(now)
wait "$root" || true
sh -c 'exit 0' &	# not of the tree
other=$!
wait "$other"
sleep 1
kill -0 "$w" 2>/dev/null || fail "--tree --wait ended 1 s after the root, before the daemon: $(cat "$tmp/tree.err")"
rc=0
wait "$w" || rc=$?
t=$(elapsed "$t0")
(( rc == 5 )) || fail "--tree --wait: exit $rc (want the root's 5): $(cat "$tmp/tree.err")"
awk -v t="$t" 'BEGIN { exit !(t >= 1.4 && t < 5) }' ||
	fail "--tree --wait ended ${t}s after the root started the daemon (it lives 1.5 s)"
grep -Eq "tree of $root \(sh\): exited 5 after [0-9.]+s; all [0-9]+ processes of the tree have ended" \
	"$tmp/tree.err" || fail "--tree --wait: stderr says: $(cat "$tmp/tree.err")"
python3 - "$tmp/tree.out" "$root" "$other" <<'PY' || fail "--tree: see above"
import json, sys
root, other = int(sys.argv[2]), int(sys.argv[3])
evs = [json.loads(l) for l in open(sys.argv[1])]
assert not any(e.get("pid") == other for e in evs), "a process outside the tree was shown"
pids = {root}
for e in evs:
    if e["event"] == "fork" and not e["thread"]:
        assert e["ppid"] in pids, f"a fork outside the tree: {e}"
        pids.add(e["pid"])
ends = [e for e in evs if e["event"] == "exit" and e["ended"]]
daemon = [e for e in ends if e["comm"] == "sh" and e["pid"] != root and e["ppid"] not in pids]
assert daemon, f"no exit of the reparented daemon: {ends}"
assert ends[-1]["ts_ns"] - [e for e in ends if e["pid"] == root][0]["ts_ns"] > 1.4e9, ends
PY
echo "--tree --wait: followed the double-forked daemon; exit 5 after ${t}s"
echo "proccn-watch --wait: dead pid, exit status, signal, pid reuse ($reuse_checked), double-forking tree"
