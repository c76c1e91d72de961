#!/bin/bash
# SPDX-License-Identifier: MIT-0
# proccn-watch end to end, on the running kernel (suite "live"), one case
# per option: names of the process and its parent and the lifetime on
# text and JSON lines, the same keys on every JSON event, argv as an array,
# -x, -p, --pid, --tree, --comm, --user, -e with filters, -S, hostile names
# in text and JSON, a bad -e, --probe, SIGINT. (--wait: test-proccn-watch-
# wait.sh; loss, resync and the schema: test-proccn-watch-storm.sh.)
set -euo pipefail
watch=${1:?usage: test-proccn-watch.sh path/to/proccn-watch}
tmp=$(mktemp -d)
W=
cleanup() {
	[[ -n $W ]] && kill -INT "$W" 2>/dev/null && wait "$W" || true
	[[ -n ${loop:-} ]] && kill "$loop" 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }

if (( EUID != 0 )) && ! "$watch" --probe 2>/dev/null | grep -q '^subscribe *yes'; then
	echo "SKIP: proccn-watch cannot subscribe here (not root on an old kernel?)"
	exit 77
fi
grep -qs cn_proc /proc/net/connector || { echo "SKIP: no cn_proc in /proc/net/connector"; exit 77; }
command -v python3 >/dev/null || { echo "SKIP: no python3"; exit 77; }

start() { # $1 = case name, rest = options
	local name=$1
	shift
	"$watch" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" &
	W=$!
}
stop() { # $1 = case name: SIGINT, exit 0, totals on stderr
	kill -INT "$W"
	wait "$W" || fail "$1: proccn-watch exited $? on SIGINT (want 0): $(cat "$tmp/$1.err")"
	W=
	grep -q 'events delivered' "$tmp/$1.err" || fail "$1: no totals on stderr"
}
# Run a command until the watcher shows its whole life: the first and the
# last line expected of it (it subscribes asynchronously, so the first runs
# may come too early, or be half seen). The patterns are EREs in which PID
# stands for the last run's pid.
until_seen() { # $1 = case, $2 = first pattern, $3 = last pattern, rest = command
	local name=$1 first=$2 last=$3 i j
	shift 3
	for ((i = 0; i < 50; i++)); do
		"$@" &
		PID=$!
		wait "$PID" || true
		for ((j = 0; j < 20; j++)); do
			grep -Eq -- "${last//PID/$PID}" "$tmp/$name.out" && break
			sleep 0.05
		done
		grep -Eq -- "${first//PID/$PID}" "$tmp/$name.out" &&
			grep -Eq -- "${last//PID/$PID}" "$tmp/$name.out" && return 0
	done
	fail "$name: never saw '${first//PID/$PID}' then '${last//PID/$PID}' in:" \
		"$(tail -n 5 "$tmp/$name.out")"
}
# the comm of this shell: the parent of what it runs
me=$(cat /proc/$$/comm)

# ---- text: every line names the process and its parent; lifetime at exit
start text
until_seen text "^[0-9:.]+ fork +PID " "^[0-9:.]+ exit +PID sh " sh -c 'sleep 0.3; exit 3'
out=$tmp/text.out
grep -Eq "^[0-9:.]+ fork +$PID $me +$$ $me *\$" "$out" ||
	fail "text: no 'fork $PID $me $$ $me' line: $(grep " $PID " "$out")"
grep -Eq "^[0-9:.]+ exec +$PID sh +$$ $me +sh -c sleep 0.3; exit 3\$" "$out" ||
	fail "text: no 'exec $PID sh $$ $me sh -c ...' line: $(grep " $PID " "$out")"
line=$(grep -E "^[0-9:.]+ exit +$PID " "$out")
[[ $line =~ ^[0-9:.]+\ exit\ +$PID\ sh\ +$$\ $me\ +exited\ 3\ after\ ([0-9]+\.[0-9]{3})s$ ]] ||
	fail "text: exit line '$line'"
awk -v t="${BASH_REMATCH[1]}" 'BEGIN { exit !(t >= 0.29 && t < 2) }' ||
	fail "text: lifetime ${BASH_REMATCH[1]}s of a process that slept 0.3 s"
stop text
# every event line has its seven columns: time, event, pid, name, ppid, parent
bad=$(grep -Ev '^[0-9:.]{15} [a-z]+ +[0-9]+ [^ ]+ +([0-9]+|-) [^ ]+( |$)' "$out" |
	grep -Ev '^[0-9:.]{15} (LOSS|RESYNC) ' || true)
[[ -z $bad ]] || fail "text: lines without the columns: $(head -n 3 <<<"$bad")"

# ---- JSON: the same process; the same keys on every event
start json --json
until_seen json '"event":"fork","pid":PID,' '"event":"exit","pid":PID,' sh -c 'sleep 0.3; exit 3'
stop json
python3 - "$tmp/json.out" "$PID" "$$" "$me" <<'PY' || fail "json: see above"
import json, sys
path, pid, ppid, me = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
common = {"schema", "time", "ts_ns", "cpu", "event", "pid", "tid", "thread", "ppid", "comm",
          "parent_comm", "exe"}
keys = {}
mine = {}
for n, line in enumerate(open(path), 1):
    ev = json.loads(line)                        # every line is JSON
    assert ev["schema"] == 1, f"line {n}: {ev}"
    if ev["event"] in ("loss", "resync"):
        continue
    assert common <= ev.keys(), f"line {n}: lacks {common - ev.keys()}: {ev}"
    assert isinstance(ev["pid"], int) and ev["pid"] > 0, f"line {n}: {ev}"
    # one set of keys per kind of event
    k = (ev["event"], frozenset(ev))
    keys.setdefault(ev["event"], set()).add(frozenset(ev))
    if ev["pid"] == pid:
        mine.setdefault(ev["event"], []).append(ev)
for kind, sets in keys.items():
    assert len(sets) == 1, f"{kind} events with different keys: {[sorted(s) for s in sets]}"
fork, = mine["fork"]
assert (fork["tid"], fork["ppid"], fork["thread"], fork["parent_comm"]) == (pid, ppid, False, me), fork
execs = mine["exec"]
assert [e["argv"] for e in execs] == [["sh", "-c", "sleep 0.3; exit 3"]], execs
assert execs[0]["comm"] == "sh" and execs[0]["exe"].endswith("sh"), execs
ex, = mine["exit"]
assert (ex["ended"], ex["inferred"], ex["exit_code"], ex["exited"], ex["code"], ex["signal"],
        ex["exit_signal"], ex["ppid"], ex["comm"], ex["parent_comm"]) == \
       (True, False, 768, True, 3, None, 17, ppid, "sh", me), ex
assert 0.29e9 <= ex["lifetime_ns"] < 2e9, ex
assert ex["argv"] == ["sh", "-c", "sleep 0.3; exit 3"], ex
assert ex["time"].endswith("Z") and isinstance(ex["ts_ns"], int), ex
PY

# ---- -x: user, tty, cgroup on exec lines
# (forks shown too: a run whose fork came before the subscription is not
# known to the table, and may be gone before it can be read at its exec)
start extra --json -x -e fork,exec
until_seen extra '"event":"fork","pid":PID,' '"event":"exec","pid":PID,' sh -c 'sleep 0.1'
stop extra
python3 - "$tmp/extra.out" "$PID" "$(id -u)" "$(id -un)" "$(sed -n "s/^0:://p" /proc/self/cgroup)" <<'PY' ||
import json, sys
pid, uid, user, cgroup = int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
ev = [e for e in map(json.loads, open(sys.argv[1])) if e.get("pid") == pid and e["event"] == "exec"][0]
assert (ev["ruid"], ev["euid"], ev["user"], ev["euser"]) == (uid, uid, user, user), ev
assert ev["cgroup"] == cgroup, (ev, cgroup)
assert "tty" in ev and "unit" in ev and "container" in ev, ev
PY
	fail "-x: see above"
start extratext -x -e fork,exec
until_seen extratext "^[0-9:.]+ fork +PID " "^[0-9:.]+ exec +PID sh .* \\[uid=$(id -u)\\($(id -un)\\) tty=[^ ]+ .*cgroup=" \
	sh -c 'sleep 0.1'
stop extratext

# ---- --pid: that process and the forks it makes, nothing else
sh -c 'while :; do sleep 0.05; done' &
loop=$!
start pid --json --pid "$loop"
until_seen pid '"event":"fork"' '"event":"fork"' true
sleep 0.3
stop pid
python3 - "$tmp/pid.out" "$loop" <<'PY' || fail "--pid: see above"
import json, sys
loop = int(sys.argv[2])
seen = set()
for ev in map(json.loads, open(sys.argv[1])):
    if ev["event"] in ("loss", "resync"):
        continue
    ok = ev["pid"] == loop or (ev["event"] == "fork" and not ev["thread"] and ev["ppid"] == loop)
    assert ok, f"--pid {loop} showed {ev}"
    seen.add(ev["event"])
assert seen == {"fork"}, seen   # the loop only forks; its children are other processes
PY

# ---- --tree: it and its descendants (double forks: test-proccn-watch-wait.sh)
start tree --json --tree "$loop"
until_seen tree '"event":"exit",.*"comm":"sleep"' '"event":"exit",.*"comm":"sleep"' true
sleep 0.3
stop tree
python3 - "$tmp/tree.out" "$loop" <<'PY' || fail "--tree: see above"
import json, sys
loop = int(sys.argv[2])
seen = set()
for ev in map(json.loads, open(sys.argv[1])):
    if ev["event"] in ("loss", "resync"):
        continue
    assert ev["pid"] == loop or ev["ppid"] == loop, f"--tree {loop} showed {ev}"
    if ev["pid"] != loop:
        seen.add((ev["event"], ev["comm"]))
assert {("fork", "sh"), ("exec", "sleep"), ("exit", "sleep")} <= seen, seen
PY
kill "$loop"
wait "$loop" 2>/dev/null || true
loop=

# ---- --comm, with -e: only that name, only those events
cp "$(command -v sleep)" "$tmp/zzwatchcomm"
start comm --json --comm zzwatchcomm -e exec,exit
until_seen comm '"event":"exec","pid":PID,' '"event":"exit","pid":PID,' "$tmp/zzwatchcomm" 0.05
sh -c 'sleep 0.05'	# another name, while it watches
stop comm
python3 - "$tmp/comm.out" "$PID" <<'PY' || fail "--comm: see above"
import json, sys
kinds = set()
for ev in map(json.loads, open(sys.argv[1])):
    if ev["event"] in ("loss", "resync"):
        continue
    assert ev["comm"] == "zzwatchcomm" and ev["event"] in ("exec", "exit"), ev
    if ev["pid"] == int(sys.argv[2]):
        kinds.add(ev["event"])
assert kinds == {"exec", "exit"}, kinds
PY

# ---- -S: the lines shown, per process name, on stderr at the end
start stats -S --comm zzwatchcomm
until_seen stats "^[0-9:.]+ exec +PID " "^[0-9:.]+ exit +PID zzwatchcomm " "$tmp/zzwatchcomm" 0.05
stop stats
grep -Eq '^ +Fork +Clone +Exec +Exit +Core +Comm +Uid +Gid +Sid +Ptrace +Total +Process$' \
	"$tmp/stats.err" || fail "-S: no table header on stderr: $(cat "$tmp/stats.err")"
row=$(grep -E ' zzwatchcomm$' "$tmp/stats.err") || fail "-S: no zzwatchcomm row: $(cat "$tmp/stats.err")"
read -r fork clone exec exit_ core rest <<<"$row"
n=$(grep -c ' zzwatchcomm ' "$tmp/stats.out")
(( fork == 0 && clone == 0 && exec >= 1 && exit_ >= 1 && core == 0 )) ||
	fail "-S: row '$row'"
total=$(awk '{ print $11 }' <<<"$row")
(( total == n )) || fail "-S: total $total for zzwatchcomm, but $n lines were shown"

# ---- --user: only that user's processes
if (( EUID == 0 )) && command -v setpriv >/dev/null; then
	start user --json -x --user nobody -e exec,exit
	until_seen user '"event":"exec","pid":PID,' '"event":"exit","pid":PID,' \
		setpriv --reuid=65534 --regid=65534 --clear-groups sleep 0.05
	nobody=$PID
	"$tmp/zzwatchcomm" 0.05	# root's, while it watches
	stop user
	python3 - "$tmp/user.out" "$nobody" <<'PY' || fail "--user: see above"
import json, sys
seen = False
for ev in map(json.loads, open(sys.argv[1])):
    if ev["event"] in ("loss", "resync"):
        continue
    assert ev["comm"] != "zzwatchcomm", f"root's process shown: {ev}"
    if ev["event"] == "exec":
        assert 65534 in (ev["ruid"], ev["euid"]), ev
        assert ev["user"] == "nobody" or ev["euser"] == "nobody", ev
    seen |= ev["pid"] == int(sys.argv[2]) and ev["event"] == "exit"
assert seen, "the exit of our process as nobody is missing"
PY
else
	echo "(--user not checked: needs root and setpriv to run a process as nobody)"
fi

# ---- -p: threads hidden; a process's end shown
cat >"$tmp/threads.py" <<'PY'
import ctypes, threading
ctypes.CDLL(None).prctl(15, b"zzthreads", 0, 0, 0)
t = threading.Thread(target=lambda: None)
t.start()
t.join()
PY
"$watch" --json --comm zzthreads >"$tmp/all.out" 2>"$tmp/all.err" &
all=$!
start procs --json -p --comm zzthreads
until_seen procs '"event":"exit","pid":PID,' '"event":"exit","pid":PID,' python3 "$tmp/threads.py"
sleep 0.2
stop procs
kill -INT "$all"
wait "$all" || fail "-p: the watcher without -p exited $?"
python3 - "$tmp/all.out" "$tmp/procs.out" "$PID" <<'PY' || fail "-p: see above"
import json, sys
pid = int(sys.argv[3])
def mine(path):
    return [e for e in map(json.loads, open(path)) if e.get("pid") == pid]
every, procs = mine(sys.argv[1]), mine(sys.argv[2])
assert any(e["event"] == "fork" and e["thread"] for e in every), every
assert any(e["event"] == "exit" and e["thread"] and not e["ended"] for e in every), every
assert not any(e["thread"] for e in procs), procs
assert [e["event"] for e in procs if e["event"] == "exit"] == ["exit"], procs
assert [e["ended"] for e in procs if e["event"] == "exit"] == [True], procs
PY

# ---- hostile names: escaped in text, exact in JSON, one line each
# hex, want and the self-naming program
source "$(dirname "$0")/../tests/common/hostile-names.sh"
hostile_name_program "$tmp/name.py"
"$watch" -e comm,exit >"$tmp/names.out" 2>"$tmp/names.err" &
text=$!
start namesjson --json -e comm,exit
for ((round = 0; round < 40; round++)); do
	hostile_names_round "$tmp/name.py"
	sleep 0.1
	grep -q "\"event\":\"exit\",\"pid\":${pids[-1]}," "$tmp/namesjson.out" &&
		grep -Eq "^[0-9:.]+ exit +${pids[-1]} " "$tmp/names.out" && break
done
kill -INT "$text"
wait "$text" || fail "names: the text watcher exited $?"
stop namesjson
for i in "${!hex[@]}"; do
	# time, event, pid, name: the name column holds the escaped name
	# (through the environment: awk -v would read the backslashes)
	n=$(pid=${pids[i]} name=${want[i]} \
		awk '$2 == "exit" && $3 == ENVIRON["pid"] && $4 == ENVIRON["name"]' "$tmp/names.out" | wc -l)
	(( $(grep -cE "^[0-9:.]+ exit +${pids[i]} " "$tmp/names.out") == 1 && n == 1 )) ||
		fail "names: no single text line 'exit ${pids[i]} ${want[i]}' in: $(grep " ${pids[i]} " "$tmp/names.out" | cat -v)"
	grep -qF -- "new name '${want[i]}'" "$tmp/names.out" ||
		fail "names: no comm line with '${want[i]}'"
done
if LC_ALL=C grep -q $'[\x01-\x09\x0b-\x1f\x7f-\xff]' "$tmp/names.out"; then
	fail "names: a control or non-ASCII byte reached the text output"
fi
python3 - "$tmp/namesjson.out" "${hex[*]}" "${pids[*]}" <<'PY' || fail "names: JSON, see above"
import json, sys
hexes, pids = sys.argv[2].split(), [int(p) for p in sys.argv[3].split()]
raw = open(sys.argv[1], "rb").read()
assert not any(b < 0x20 and b != 0x0a for b in raw), "a control byte in the JSON output"
evs = [json.loads(l) for l in raw.decode("utf-8").splitlines()]
for h, pid in zip(hexes, pids):
    name = bytes.fromhex(h)
    # valid UTF-8 passes through, each byte of invalid UTF-8 is read as Latin-1
    try:
        want = name.decode("utf-8")
    except UnicodeDecodeError:
        want = name.decode("latin-1")
    ex = [e for e in evs if e.get("pid") == pid and e["event"] == "exit"]
    assert len(ex) == 1 and ex[0]["comm"] == want, (h, ex, want)
    cm = [e for e in evs if e.get("pid") == pid and e["event"] == "comm"]
    assert len(cm) == 1 and cm[0]["new_comm"] == want and cm[0]["comm"] == want, (h, cm)
PY

# ---- usage errors and --probe
rc=0
"$watch" -e exit,nosuchevent >"$tmp/bad.out" 2>"$tmp/bad.err" || rc=$?
(( rc == 2 )) || fail "bad -e: exit $rc (want 2)"
grep -q nosuchevent "$tmp/bad.err" || fail "bad -e: the error does not name the bad item"
"$watch" --probe >"$tmp/probe.out" || fail "--probe exited $?"
grep -Eq '^kernel_filter +(yes|no) ' "$tmp/probe.out" || fail "--probe: no kernel_filter line"

echo "proccn-watch: names, parents and lifetimes in text and JSON, one set of keys per event," \
	"-x, --pid, --tree, --comm, --user, -e, -S, -p, hostile names, bad -e, --probe, SIGINT"
