#!/bin/bash
# SPDX-License-Identifier: MIT-0
# proccn-watch through a storm that overflows its socket (suite "live"):
# the loss is reported, a resync follows, and a process that died in the
# blind window gets an exit marked inferred (status unknown), in text and
# in JSON; every JSON line of the run, every kind of event included (fork,
# exec, exit, uid, gid, sid, ptrace, comm, coredump, loss, resync, with -x),
# is valid against tools/proccn-watch.schema.json (python3-jsonschema).
#
# The watchers are stopped (SIGSTOP) while a thread storm runs, so that
# their sockets overflow whatever the machine's speed: 15,000 threads are
# 30,000 events, more than a 4 MiB receive buffer holds (about 11,000).
set -euo pipefail
watch=${1:?usage: test-proccn-watch-storm.sh path/to/proccn-watch SCHEMA}
schema=$(realpath "${2:?usage: test-proccn-watch-storm.sh path/to/proccn-watch SCHEMA}")
tmp=$(mktemp -d)
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do kill -CONT "$p" 2>/dev/null; kill -INT "$p" 2>/dev/null || true; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
	[[ -n ${victim:-} ]] && kill -KILL "$victim" 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }

if (( EUID != 0 )) && ! "$watch" --probe 2>/dev/null | grep -q '^subscribe *yes'; then
	echo "SKIP: proccn-watch cannot subscribe here (not root on an old kernel?)"
	exit 77
fi
grep -qs cn_proc /proc/net/connector || { echo "SKIP: no cn_proc in /proc/net/connector"; exit 77; }
py=
for p in python3 /usr/bin/python3; do
	if command -v "$p" >/dev/null && "$p" -c 'import jsonschema' 2>/dev/null; then py=$p; break; fi
done
[[ -n $py ]] || { echo "SKIP: no python3 with jsonschema (Debian: python3-jsonschema)"; exit 77; }

run_watch() { # $1 = output name, rest = options
	local name=$1
	shift
	"$watch" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" &
	pids+=($!)
}
seen() { # $1 = ERE, in both outputs, within 10 s
	local i
	for ((i = 0; i < 200; i++)); do
		grep -Eq -- "$1" "$tmp/json.out" && grep -Eq -- "$2" "$tmp/text.out" && return 0
		sleep 0.05
	done
	fail "never saw '$1' / '$2': $(tail -n 2 "$tmp/json.out") / $(tail -n 2 "$tmp/text.out")"
}

run_watch json --json -x
run_watch text
for ((i = 0; i < 50; i++)); do
	true & t=$!
	wait "$t"
	sleep 0.1
	grep -q "\"event\":\"exit\",\"pid\":$t," "$tmp/json.out" &&
		grep -Eq "^[0-9:.]+ exit +$t " "$tmp/text.out" && break
done

# Every kind of event once, before the storm.
cat >"$tmp/kinds.py" <<'PY'
import ctypes, os, signal, subprocess, threading, time
libc = ctypes.CDLL(None, use_errno=True)
subprocess.run(["setsid", "true"])                                   # sid
subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "true"])  # uid, gid
libc.prctl(15, b"zzkinds", 0, 0, 0)                                  # comm
t = threading.Thread(target=lambda: None); t.start(); t.join()        # a thread
child = os.fork()                                                    # ptrace: attach, detach
if child == 0:
    time.sleep(0.5)
    os._exit(0)
if libc.ptrace(16, child, 0, 0) == 0:                                # PTRACE_ATTACH
    os.waitpid(child, 0)
    libc.ptrace(17, child, 0, 0)                                     # PTRACE_DETACH
os.waitpid(child, 0)
subprocess.run(["sh", "-c", "ulimit -c 0; kill -SEGV $$"])          # coredump (none written)
PY
if (( EUID == 0 )); then
	python3 "$tmp/kinds.py"
	kinds=yes
else
	kinds=no	# setpriv needs root: the other kinds still come
fi

# A process that will die while the watchers cannot read.
sleep 300 &
victim=$!
seen "\"event\":\"exec\",\"pid\":$victim," "^[0-9:.]+ exec +$victim sleep "
kill -STOP "${pids[@]}"
cat >"$tmp/storm.py" <<'PY'
import sys, threading
for _ in range(int(sys.argv[1])):
    t = threading.Thread(target=lambda: None); t.start(); t.join()
PY
python3 "$tmp/storm.py" 15000
# the sockets are full: this exit is lost
kill -KILL "$victim"
wait "$victim" 2>/dev/null || true
python3 "$tmp/storm.py" 200
kill -CONT "${pids[@]}"
seen "\"event\":\"exit\",\"pid\":$victim,.*\"inferred\":true" \
	"^[0-9:.]+ exit +$victim sleep .* status unknown \(its exit event was lost\) after at most "
for p in "${pids[@]}"; do kill -INT "$p"; done
for p in "${pids[@]}"; do wait "$p" || fail "a watcher exited $? on SIGINT"; done
pids=()

grep -Eq '^[0-9:.]+ LOSS .* (overrun|seq_gap): .*; resync from /proc follows$' "$tmp/text.out" ||
	fail "text: no LOSS line"
grep -Eq '^[0-9:.]+ RESYNC .* processes read from /proc in [0-9]+ ms: [0-9]+ found .* [1-9][0-9]* gone \(exit lost\)' \
	"$tmp/text.out" || fail "text: no RESYNC line with a gone process: $(grep RESYNC "$tmp/text.out")"
"$py" - "$schema" "$tmp/json.out" "$victim" "$kinds" <<'PY' || fail "JSON: see above"
import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator.check_schema(schema)
v = jsonschema.Draft202012Validator(schema)
victim, kinds = int(sys.argv[3]), sys.argv[4] == "yes"
seen, n = set(), 0
for i, line in enumerate(open(sys.argv[2], encoding="utf-8"), 1):
    obj = json.loads(line)
    errors = list(v.iter_errors(obj))
    if errors:
        e = jsonschema.exceptions.best_match(errors)
        sys.exit(f"line {i}: {e.message} (at {list(e.absolute_path)}): {line[:400]}")
    seen.add(obj["event"])
    n += 1
    if obj.get("pid") == victim and obj["event"] == "exit":
        assert obj["inferred"] and obj["ended"] and obj["exit_code"] is None, obj
        assert obj["cpu"] is None and obj["comm"] == "sleep" and obj["lifetime_ns"] > 0, obj
want = {"fork", "exec", "exit", "loss", "resync"}
if kinds:
    want |= {"uid", "gid", "sid", "ptrace", "comm", "coredump"}
assert want <= seen, f"missing kinds: {want - seen}"
print(f"{n} JSON lines valid against the schema; kinds: {' '.join(sorted(seen))}")
PY
lost=$(grep -o '[0-9]* lost' "$tmp/json.err" | head -n 1)
echo "storm: $lost; LOSS and RESYNC lines; the victim's exit inferred in text and JSON"
