#!/bin/bash
# SPDX-License-Identifier: MIT-0
# The systemd unit of proccn-watch.
#   verify UNIT WATCH  systemd-analyze verify says nothing at all about it (a
#                      warning fails too), and it asks for no privilege: a
#                      dynamic user, an empty capability bounding set
#   unprivileged WATCH what that unit relies on: as uid 65534 with no
#                      capability (bounding set empty, no_new_privs),
#                      proccn-watch subscribes on Linux 6.6+ and writes
#                      valid JSON Lines (needs root to drop to that user)
set -euo pipefail
mode=${1:?usage: test-proccn-watch-unit.sh verify UNIT WATCH | unprivileged WATCH}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

case $mode in
verify)
	unit=${2:?} watch=$(realpath "${3:?}")
	command -v systemd-analyze >/dev/null ||
		{ echo "SKIP: no systemd-analyze (Debian: apt-get install systemd)"; exit 77; }
	# verify wants ExecStart= to exist: the built binary stands in for the
	# installed one
	sed "s|^ExecStart=[^ ]*/proccn-watch |ExecStart=$watch |" "$unit" >"$tmp/proccn-watch.service"
	grep -q "^ExecStart=$watch --json" "$tmp/proccn-watch.service" ||
		fail "no 'ExecStart=.../proccn-watch --json' line in $unit"
	out=$(systemd-analyze verify --man=no "$tmp/proccn-watch.service" 2>&1) ||
		fail "systemd-analyze verify exited $?: $out"
	[[ -z $out ]] || fail "systemd-analyze verify said: $out"
	for want in 'DynamicUser=yes' 'CapabilityBoundingSet=' 'AmbientCapabilities=' \
		'NoNewPrivileges=yes' 'RestrictAddressFamilies=AF_NETLINK AF_UNIX'; do
		grep -qx "$want" "$unit" || fail "the unit lacks the line '$want'"
	done
	# more than the fixed lines: systemd's own score of what the unit exposes
	score=$(systemd-analyze security --offline=yes "$tmp/proccn-watch.service" 2>/dev/null |
		sed -n 's/.*Overall exposure level for proccn-watch.service: \([0-9.]*\).*/\1/p')
	[[ -n $score ]] || fail "systemd-analyze security gave no exposure level"
	awk -v s="$score" 'BEGIN { exit !(s <= 2.0) }' ||
		fail "systemd-analyze security: exposure $score, want 2.0 or less"
	echo "unit: systemd-analyze verify is silent; dynamic user, no capabilities; exposure $score"
	;;
unprivileged)
	watch=$(realpath "${2:?}")
	(( EUID == 0 )) || { echo "SKIP: needs root to become uid 65534 without capabilities"; exit 77; }
	kernel=$(uname -r)
	newest=$(printf '%s\n' 6.6 "${kernel%%-*}" | sort -V | tail -n 1)
	[[ $newest != 6.6 || ${kernel%%-*} == 6.6* ]] ||
		{ echo "SKIP: kernel $kernel is older than 6.6: subscribing needs CAP_NET_ADMIN there"; exit 77; }
	grep -qs cn_proc /proc/net/connector || { echo "SKIP: no cn_proc in /proc/net/connector"; exit 77; }
	command -v setpriv >/dev/null || { echo "SKIP: no setpriv (util-linux)"; exit 77; }
	# the binary and its library must be readable by uid 65534
	chmod 755 "$tmp"
	cp "$watch" "$tmp/proccn-watch"
	lib=$(ldd "$watch" | awk '/libproccn/ { print $3 }')
	[[ -n $lib ]] && cp "$lib" "$tmp/"
	setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all \
		--no-new-privs env LD_LIBRARY_PATH="$tmp" "$tmp/proccn-watch" --json --extra -e exit \
		--count 3 >"$tmp/out" 2>"$tmp/err" &
	w=$!
	for ((i = 0; i < 50; i++)); do
		sh -c 'exit 4' || true
		sleep 0.1
		(( $(wc -l <"$tmp/out") >= 3 )) && break
	done
	wait "$w" || fail "proccn-watch as uid 65534 exited $?: $(cat "$tmp/err")"
	python3 - "$tmp/out" <<'PY' || fail "its output, see above"
import json, sys
lines = open(sys.argv[1]).read().splitlines()
assert len(lines) == 3, lines
for l in lines:
    o = json.loads(l)
    assert o["event"] == "exit" and o["schema"] == 1, o
PY
	echo "unprivileged: uid 65534 with no capability subscribes and writes JSON Lines"
	;;
*) fail "unknown mode $mode" ;;
esac
