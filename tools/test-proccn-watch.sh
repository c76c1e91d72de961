#!/bin/bash
# SPDX-License-Identifier: MIT-0
# proccn-watch end to end, on the running kernel (suite "live"): it reports a
# child's exec and exit with the right fields in both formats, its JSON Lines
# parse, a bad event name is a usage error, --probe answers, SIGINT exits 0.
set -u
watch=${1:?usage: test-proccn-watch.sh path/to/proccn-watch}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

if (( EUID != 0 )) && ! "$watch" --probe 2>"$tmp/probe.err" | grep -q '^subscribe *yes'; then
	echo "SKIP: proccn-watch cannot subscribe here (not root on an old kernel?)"
	exit 77
fi
grep -qs cn_proc /proc/net/connector || { echo "SKIP: no cn_proc in /proc/net/connector"; exit 77; }

# Run the watcher, then start children until one of them shows up whole: the
# watcher subscribes asynchronously, so the first children may come too early
# (or be half seen: exec before the subscription, exit after it).
seen() { # $1 = case, $2 = pid
	case $1 in
	text) grep -Eq "^[0-9:.]+ +exec +$2 " "$tmp/text.out" &&
		grep -Eq "^[0-9:.]+ +exit +$2 " "$tmp/text.out" ;;
	json) grep -q "\"event\":\"exit\",\"pid\":$2," "$tmp/json.out" ;;
	esac
}
run_case() { # $1 = name, rest = watcher options
	local name=$1 w i pid pids=()
	shift
	"$watch" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" &
	w=$!
	for ((i = 0; i < 40; i++)); do
		sh -c 'exit 3' &
		pid=$!
		wait "$pid"
		pids+=("$pid")
		sleep 0.1
		seen "$name" "$pid" && break
	done
	kill -INT "$w"
	wait "$w" || fail "$name: proccn-watch exited $? on SIGINT (want 0)"
	grep -q 'events delivered' "$tmp/$name.err" || fail "$name: no totals on stderr"
	echo "${pids[-1]}"
}

pid=$(run_case text -e exec,exit) || { echo "$pid"; exit 1; }
grep -Eq "^[0-9:.]+ +exit +$pid +sh +[0-9]+ +[^ ]+ +exited 3 after [0-9]+\.[0-9]{3}s$" "$tmp/text.out" ||
	fail "text: no 'exit $pid ... exited 3' line in: $(cat "$tmp/text.out")"
grep -Eq "^[0-9:.]+ +exec +$pid " "$tmp/text.out" || fail "text: no exec line for $pid"
grep -Eqv "^[0-9:.]+ +(exec|exit) " "$tmp/text.out" &&
	fail "text: -e exec,exit let another kind through: $(grep -Ev '^[0-9:.]+ +(exec|exit) ' "$tmp/text.out" | head -n 3)"

pid=$(run_case json --json -e exit) || { echo "$pid"; exit 1; }
python3 - "$tmp/json.out" "$pid" <<'PY' || fail "json: see above"
import json, sys
pid = int(sys.argv[2])
found = False
for n, line in enumerate(open(sys.argv[1]), 1):
    ev = json.loads(line)          # every line must be JSON
    assert ev["event"] in ("exit", "loss"), f"line {n}: {ev['event']} with -e exit"
    if ev["event"] == "exit" and ev["pid"] == pid:
        assert (ev["exit_code"], ev["exited"], ev["code"], ev["signal"]) == (768, True, 3, None), ev
        assert ev["tid"] == pid and ev["ended"] and isinstance(ev["ts_ns"], int) and ev["time"].endswith("Z"), ev
        found = True
assert found, f"no exit record for pid {pid}"
PY

"$watch" -e exit,nosuchevent >"$tmp/bad.out" 2>"$tmp/bad.err"
rc=$?
(( rc == 2 )) || fail "bad -e: exit $rc (want 2)"
grep -q nosuchevent "$tmp/bad.err" || fail "bad -e: the error does not name the bad item"

"$watch" --probe >"$tmp/probe.out" || fail "--probe exited $?"
grep -Eq '^kernel_filter +(yes|no) ' "$tmp/probe.out" || fail "--probe: no kernel_filter line"

echo "proccn-watch: text, JSON, bad -e, --probe and SIGINT all behave"
