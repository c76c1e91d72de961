#!/bin/bash
# SPDX-License-Identifier: MIT-0
# proccn-watch side by side with Debian's forkstat on a scripted workload
# (suite "live", root, forkstat installed): every exit of the workload that
# forkstat names, proccn-watch names the same way (its command line, as
# forkstat shows it by default), with the same parent (forkstat's
# parent/child fork lines) and a lifetime within 10 ms (forkstat prints
# milliseconds); and proccn-watch names every exit of the workload.
#
# forkstat reads /proc/PID/cmdline when it handles the event, and so does
# the process table at an exec: a process that is gone by then cannot be
# named by either; the workload's processes live 50 ms or more. A fork's
# child has its parent's command line in both until it execs.
set -euo pipefail
watch=${1:?usage: test-proccn-watch-forkstat.sh path/to/proccn-watch}
tmp=$(mktemp -d)
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do kill -INT "$p" 2>/dev/null || true; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
	rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }

(( EUID == 0 )) || { echo "SKIP: forkstat needs root"; exit 77; }
command -v forkstat >/dev/null || { echo "SKIP: no forkstat (Debian: apt-get install forkstat)"; exit 77; }
grep -qs cn_proc /proc/net/connector || { echo "SKIP: no cn_proc in /proc/net/connector"; exit 77; }

# -l: line-buffered; -e: the events compared (forkstat has no JSON); -r:
# SCHED_FIFO, because forkstat's durations are the times at which it handled
# the fork and the exit (gettimeofday() in its loop), not the kernel's
# timestamps: its own scheduling delays are in them
forkstat -l -r -e fork,exec,exit >"$tmp/forkstat.out" 2>"$tmp/forkstat.err" &
pids+=($!)
# the same priority: both read /proc when they handle an exec, and one that
# lags on a busy machine loses the names of short-lived processes
chrt -f 99 "$watch" --json -e fork,exec,exit >"$tmp/watch.out" 2>"$tmp/watch.err" &
pids+=($!)
cp "$(type -P true)" "$tmp/zzready"
for ((i = 0; i < 100; i++)); do
	"$tmp/zzready"
	sleep 0.1
	grep -q 'exec .*zzready' "$tmp/forkstat.out" && grep -q '"comm":"zzready"' "$tmp/watch.out" && break
done
(( i < 100 )) || fail "the watchers never saw the start marker"

# The workload: processes that exec, one that only forks (a subshell), one
# killed by a signal, one that renames itself, each living at least 50 ms
# so that forkstat can read its command line.
cat >"$tmp/work.sh" <<'EOF'
for i in 1 2 3 4 5; do
	sh -c 'sleep 0.1; exit 3'
	sleep 0.05
	(sleep 0.05; exit 2)
	sh -c 'sleep 0.06; kill -TERM $$'
	"$PY" -c 'import ctypes, time; ctypes.CDLL(None).prctl(15, b"renamed", 0, 0, 0); time.sleep(0.05)'
done
EOF
# the interpreter itself: a wrapper script (pyenv's shim) would add dozens
# of short-lived helpers that live too briefly for either tool to read
PY=$(python3 -c 'import sys; print(sys.executable)')
export PY
bash "$tmp/work.sh" &
work=$!
wait "$work"
sleep 1
for p in "${pids[@]}"; do kill -INT "$p"; done
for p in "${pids[@]}"; do wait "$p" || fail "a watcher exited $? on SIGINT"; done
pids=()

python3 - "$tmp/forkstat.out" "$tmp/watch.out" "$work" <<'PY'
import json, re, sys
fs_path, pw_path, root = sys.argv[1], sys.argv[2], int(sys.argv[3])

# proccn-watch: the workload is the root and what it forked, at any depth
pw = [json.loads(l) for l in open(pw_path)]
tree = {root}
for e in pw:
    if e["event"] == "fork" and not e["thread"] and e["ppid"] in tree:
        tree.add(e["pid"])
pw_exit = {e["pid"]: e for e in pw if e["event"] == "exit" and e["ended"] and e["pid"] in tree}

# forkstat: "HH:MM:SS exit PID STATUS 0.123s NAME" and fork parent/child pairs
fs_exit, fs_parent, last_parent = {}, {}, None
for line in open(fs_path, errors="replace"):
    m = re.match(r"^\d\d:\d\d:\d\d (\w+) +(\d+) (.*?) ?$", line)
    if not m:
        continue
    ev, pid, rest = m.group(1), int(m.group(2)), m.group(3)
    if ev == "fork":
        if rest.startswith("parent"):
            last_parent = pid
        elif rest.startswith("child") and last_parent is not None:
            fs_parent[pid] = last_parent
    elif ev == "exit" and pid in tree:
        x = re.match(r"^ *(-?\d+) +([0-9.]+)s ?(.*)$", rest)
        if x:
            fs_exit[pid] = (int(x.group(1)), float(x.group(2)), x.group(3).strip())

problems, compared, unnamed_fs = [], 0, 0
unnamed_pw = [pid for pid, e in pw_exit.items() if not e["argv"]]
for pid in unnamed_pw:
    problems.append(f"proccn-watch has no name for the exit of {pid}: {pw_exit[pid]}")
# per round: sh and its sleep, sleep, the subshell and its sleep, sh and
# its sleep, python
if len(pw_exit) < 40:
    problems.append(f"proccn-watch saw {len(pw_exit)} exits of the workload, want 40")
for pid, (status, dur, name) in sorted(fs_exit.items()):
    if not name:
        unnamed_fs += 1
        continue
    e = pw_exit.get(pid)
    if e is None:
        problems.append(f"forkstat names the exit of {pid} ({name}); proccn-watch has no exit for it")
        continue
    compared += 1
    ours = " ".join(e["argv"] or [])
    if ours != name:
        problems.append(f"{pid}: forkstat names it '{name}', proccn-watch '{ours}'")
    if status != e["exit_code"]:
        problems.append(f"{pid}: forkstat says status {status}, proccn-watch {e['exit_code']}")
    if pid in fs_parent and fs_parent[pid] != e["ppid"]:
        problems.append(f"{pid}: forkstat's parent {fs_parent[pid]}, proccn-watch's {e['ppid']}")
    if abs(dur - e["lifetime_ns"] / 1e9) > 0.010:
        problems.append(f"{pid} ({name}): forkstat {dur:.3f}s, proccn-watch "
                        f"{e['lifetime_ns'] / 1e9:.3f}s")
missing = sorted(set(pw_exit) - set(fs_exit))
print(f"workload: {len(pw_exit)} exits seen by proccn-watch, {len(unnamed_pw)} unnamed; forkstat printed "
      f"{len(fs_exit)} of them ({unnamed_fs} without a name), {len(missing)} not at all; "
      f"{compared} compared: name, status, parent and lifetime")
for pid in missing[:5]:
    print(f"  forkstat has no exit line for {pid} ({' '.join(pw_exit[pid]['argv'])})")
if compared < 20:
    problems.append(f"only {compared} exits compared, want 20 or more")
if problems:
    print("\n".join("FAIL: " + p for p in problems))
    sys.exit(1)
PY
