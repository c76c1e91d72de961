#!/bin/bash
# SPDX-License-Identifier: MIT-0
# proccn-pwait end to end, on the running kernel (suite "live"): a dead pid
# returns at once (127); the exit status of the process is mirrored (exit 7,
# 128+15 for SIGTERM); several pids wait for all and return the last one's
# status; --tree waits for a double-forked grandchild that outlives its
# parent, also when a subreaper adopts it, and without --tree it does not;
# --timeout gives 124; usage errors 125; SIGTERM and SIGINT end it by that
# signal.
set -u
pwait=${1:?usage: test-pwait.sh path/to/proccn-pwait}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
grep -qs cn_proc /proc/net/connector || { echo "SKIP: no cn_proc in /proc/net/connector"; exit 77; }
# non-root works on 6.6+ only
kernel=$(uname -r)
newest=$(printf '%s\n' 6.6 "${kernel%%-*}" | sort -V | tail -n 1)
[[ $EUID == 0 || $newest != 6.6 ]] || { echo "SKIP: not root on kernel $kernel (before 6.6)"; exit 77; }

# proccn-pwait tells nobody when it is ready (its /proc scan may take a while
# on a busy machine): the processes it must see running live 3 s at least.
# Run proccn-pwait with $@, set rc and secs (elapsed, to 1 ms).
run() {
	local t0=$EPOCHREALTIME
	"$pwait" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	secs=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.3f", b - a }')
}
# secs >= $1 (and, with $2, < $2)
took() { awk -v s="$secs" -v lo="$1" -v hi="${2:-1e9}" 'BEGIN { exit !(s >= lo && s < hi) }'; }

# ---- usage ------------------------------------------------------------------
run --help
(( rc == 0 )) && grep -q 124 "$tmp/out" || fail "--help: exit $rc, or no exit statuses in it"
run
(( rc == 125 )) || fail "no PID: exit $rc (want 125)"
run 12x
(( rc == 125 )) && grep -q "'12x' is not a PID" "$tmp/err" || fail "bad PID: exit $rc, $(cat "$tmp/err")"

# ---- a dead pid: at once, 127 -------------------------------------------------
for ((i = 0; i < 5; i++)); do
	sh -c 'exit 0' & dead=$!
	wait "$dead"
	[[ -e /proc/$dead ]] || break	# else already reused: take another
done
run --timeout 20000 "$dead"
(( rc == 127 )) || fail "dead pid $dead: exit $rc (want 127): $(cat "$tmp/err")"
grep -q "$dead is not a running process" "$tmp/err" || fail "dead pid: no note on stderr"
took 0 10 || fail "dead pid: took $secs s"

# ---- the status of the process ------------------------------------------------
sh -c 'sleep 3; exit 7' & p=$!
run -v "$p"
(( rc == 7 )) || fail "exit 7: exit $rc: $(cat "$tmp/out" "$tmp/err")"
grep -Eq "^$p \(sh\) exited 7 after [0-9.]+s$" "$tmp/out" || fail "exit 7: -v says: $(cat "$tmp/out")"
wait "$p"

sh -c 'sleep 3; kill -TERM $$' & p=$!
run "$p"
(( rc == 128 + 15 )) || fail "SIGTERM: exit $rc (want 143)"
wait "$p"

# ---- several pids: all of them, the last one's status ------------------------
sh -c 'sleep 4; exec touch "$0"' "$tmp/first" 2>>"$tmp/sh.err" & p1=$!
sh -c 'sleep 3; exit 5' & p2=$!
run "$p1" "$p2"
(( rc == 5 )) || fail "two pids: exit $rc (want 5, the last one's)"
[[ -e $tmp/first ]] || fail "two pids: returned before the first one ended"
wait "$p1" "$p2"

# ---- --tree: a double fork that outlives its parent ---------------------------
# The parent exits 4 after 3 s; the grandchild it double-forked after 2 s
# (once proccn-pwait runs: an orphan from before it started cannot be known)
# is adopted by init and ends 2 s later, leaving a file behind.
tree='sleep 2; ( (sleep 2; exec touch "$0") & ); sleep 1; exit 4'
# (its stderr to a file: after a failure it may outlive $tmp, and say so)
sh -c "$tree" "$tmp/tree-done" 2>>"$tmp/sh.err" & p=$!
run -v --tree "$p"
(( rc == 4 )) || fail "--tree: exit $rc (want 4, the parent's): $(cat "$tmp/err")"
[[ -e $tmp/tree-done ]] || fail "--tree: returned before the grandchild ended (after $secs s)"
grep -Eq "^$p \(sh\) exited 4 after [0-9.]+s; its tree of [0-9]+ processes has ended$" "$tmp/out" ||
	fail "--tree: -v says: $(cat "$tmp/out")"
wait "$p"

# Without --tree: the parent only (the grandchild is still running then).
sh -c "$tree" "$tmp/plain-done" 2>>"$tmp/sh.err" & p=$!
run "$p"
(( rc == 4 )) || fail "no --tree: exit $rc (want 4)"
[[ -e $tmp/plain-done ]] && fail "no --tree: waited for the grandchild too"
wait "$p"
sleep 2.5	# let the grandchild go before the next case

# The same under a subreaper (PR_SET_CHILD_SUBREAPER), which adopts the
# grandchild instead of init.
python3 - "$tree" "$tmp/reaped-done" >"$tmp/pid" 2>"$tmp/py.err" <<'PY' &
import ctypes, os, subprocess, sys
if ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0) != 0:  # PR_SET_CHILD_SUBREAPER
    sys.exit("prctl: " + os.strerror(ctypes.get_errno()))
child = subprocess.Popen(["sh", "-c", sys.argv[1], sys.argv[2]])
print(child.pid, flush=True)
while True:  # reap the child, then the adopted grandchild
    try:
        os.wait()
    except ChildProcessError:
        break
PY
py=$!
for ((i = 0; i < 50; i++)); do
	[[ -s $tmp/pid ]] && break
	sleep 0.1
done
p=$(cat "$tmp/pid")
[[ $p =~ ^[0-9]+$ ]] || fail "subreaper: no child pid from python: $(cat "$tmp/py.err")"
run --tree "$p"
(( rc == 4 )) || fail "--tree under a subreaper: exit $rc (want 4): $(cat "$tmp/err")"
[[ -e $tmp/reaped-done ]] || fail "--tree under a subreaper: returned before the grandchild ended"
wait "$py" || fail "subreaper: python failed: $(cat "$tmp/py.err")"

# ---- --timeout ------------------------------------------------------------------
sleep 30 & p=$!
run --timeout 500 "$p"
(( rc == 124 )) || fail "--timeout 500: exit $rc (want 124)"
took 0.5 10 || fail "--timeout 500: took $secs s"

# ---- SIGTERM, SIGINT: it closes the table, then dies of the signal -------------
# (python: the shell cannot tell "killed by SIGTERM" from "exit 143")
python3 - "$pwait" "$p" <<'PY' || fail "signals: see above"
import signal, subprocess, sys, time
for sig in (signal.SIGTERM, signal.SIGINT):
    w = subprocess.Popen(sys.argv[1:])
    time.sleep(1.5)
    w.send_signal(sig)
    rc = w.wait(timeout=10)
    if rc != -sig:
        sys.exit(f"{sig.name} to proccn-pwait: returncode {rc}, want {-sig} (killed by it)")
PY
kill "$p"
wait "$p" 2>>"$tmp/sh.err"	# bash says "Terminated"

echo "proccn-pwait: dead pids, statuses, several pids, --tree, subreapers, --timeout, SIGTERM and SIGINT behave"
