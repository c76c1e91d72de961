#!/bin/bash
# SPDX-License-Identifier: MIT-0
# crash-report end to end, on the running kernel (suite "live"): a program
# killed by SIGSEGV and one that exits 3 are named with their exe, command
# line, parent name and a plausible lifetime; so is a worker thread's crash
# after the main thread's exit; a clean exit is not reported unless --all; a
# name with ESC and a newline comes out escaped; --no-cmdline drops the
# command line; SIGINT exits 0.
set -u
report=${1:?usage: test-crash-report.sh path/to/crash-report}
tmp=$(mktemp -d)
rep=
cleanup() {
	[[ -n $rep ]] && kill -INT "$rep" 2>>"$tmp/sh.err"
	rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }
grep -qs cn_proc /proc/net/connector || { echo "SKIP: no cn_proc in /proc/net/connector"; exit 77; }
# non-root works on 6.6+ only
kernel=$(uname -r)
newest=$(printf '%s\n' 6.6 "${kernel%%-*}" | sort -V | tail -n 1)
[[ $EUID == 0 || $newest != 6.6 ]] || { echo "SKIP: not root on kernel $kernel (before 6.6)"; exit 77; }

"$report" --help >"$tmp/help.out" || fail "--help exited $?"
grep -q -- '--no-cmdline' "$tmp/help.out" || fail "--help does not list --no-cmdline"
"$report" --bogus >"$tmp/bogus.out" 2>"$tmp/bogus.err"
rc=$?
(( rc == 2 )) || fail "an unknown option exited $rc (want 2)"

ulimit -c 0	# no core files from the crashes we cause
# Copies of /bin/sh under names of our own: the kernel names a process after
# its executable's file name (the first 15 bytes), so these name our crashes.
crash=$tmp/crash-$$
evil=$tmp/$'ev\e[31m\nil'	# ESC, a colour sequence and a newline: 10 bytes
cp /bin/sh "$crash" && cp /bin/sh "$evil" || fail "cannot copy /bin/sh into $tmp"
me=$(cat /proc/$$/comm)	# our own name: the parent of everything we start

# Start crash-report and wait for its first line on stderr: from then on it
# sees every exit (the initial /proc scan is done). A busy machine can take
# seconds to scan.
start_report() { # $1 = case name, rest = options
	local name=$1 i
	shift
	"$report" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" &
	rep=$!
	for ((i = 0; i < 600; i++)); do
		grep -q '^crash-report: following [0-9]* processes$' "$tmp/$name.err" && return 0
		kill -0 "$rep" 2>>"$tmp/sh.err" || fail "$name: crash-report died: $(cat "$tmp/$name.err")"
		sleep 0.1
	done
	fail "$name: crash-report not ready after 60 s: $(cat "$tmp/$name.err")"
}
# Wait until the report has a line for pid $2, then stop it with SIGINT.
stop_report() { # $1 = case name, $2 = the last pid we expect
	local name=$1 i
	for ((i = 0; i < 200; i++)); do
		grep -q " pid $2 " "$tmp/$name.out" && break
		sleep 0.1
	done
	kill -INT "$rep"
	wait "$rep"
	rc=$?
	rep=
	(( rc == 0 )) || fail "$name: exited $rc on SIGINT (want 0)"
	grep -q '^crash-report: [0-9]* exits seen' "$tmp/$name.err" || fail "$name: no totals on stderr"
}
# A loss makes the table infer exits (status unknown): then a check may
# rightly fail. Say so instead of blaming the example.
lossy() { grep -q 'events lost' "$tmp/$1.err"; }
check() { # $1 = case name, $2 = what is wrong (the check failed)
	if lossy "$1"; then
		echo "SKIP: events were lost during the test (a very busy machine): $2"
		exit 77
	fi
	fail "$1: $2"
}

# ---- default: abnormal exits only -----------------------------------------
start_report default
"$crash" -c 'sleep 0.3; kill -SEGV $$' & segv=$!
wait "$segv" 2>>"$tmp/sh.err"	# bash says "Segmentation fault"
# Each short-lived process lives 0.3 s: one that is gone before the table
# reads it at its exec is (rightly) reported with its name unknown.
"$crash" -c 'sleep 0.3; exit 3' & three=$!
wait "$three"
"$crash" -c 'exit 0' & clean=$!
wait "$clean"
# A worker thread's SIGSEGV after the main thread called pthread_exit(): the
# main thread's exit (status 0) is not the end of the process, the crash is.
python3 -c '
import ctypes, threading, time
def worker():
    time.sleep(0.3)
    ctypes.string_at(0)                 # SIGSEGV, in the worker
threading.Thread(target=worker).start()
ctypes.CDLL(None).pthread_exit(None)    # the main thread ends first
' 2>>"$tmp/sh.err" & threaded=$!
wait "$threaded" 2>>"$tmp/sh.err"
"$evil" -c 'sleep 0.3; exit 5' & bad=$!
wait "$bad"
stop_report default "$bad"
out=$tmp/default.out

# The SIGSEGV: name, status, parent, exe and the exact command line (its one
# argument with spaces, which come out as \x20 so that a space only ever
# separates arguments).
line=$(grep " pid $segv " "$out") || check default "no line for the SIGSEGV of $segv in: $(cat "$out")"
want_head=" pid $segv (crash-$$) killed by SIGSEGV after "
want_tail="s; parent $$ ($me); exe $crash; cmdline: $crash -c sleep\\x200.3;\\x20kill\\x20-SEGV\\x20\$\$"
[[ $line == *"$want_head"*"$want_tail" ]] ||
	check default "SIGSEGV line: got '$line', want '...$want_head<lifetime>$want_tail'"
# It slept 0.3 s before it died; 30 s would be absurd.
lifetime=${line#*" after "}
lifetime=${lifetime%%s;*}
awk -v t="$lifetime" 'BEGIN { exit !(t >= 0.3 && t < 30) }' ||
	fail "default: implausible lifetime '$lifetime' s for a process that slept 0.3 s"

line=$(grep " pid $three " "$out") || check default "no line for the exit 3 of $three"
[[ $line == *" pid $three (crash-$$) exited 3 after "*"; parent $$ ($me); exe $crash; cmdline: $crash -c sleep\\x200.3;\\x20exit\\x203" ]] ||
	check default "exit 3 line: got '$line'"

grep -q " pid $clean " "$out" && fail "default: the clean exit of $clean was reported: $(grep " pid $clean " "$out")"

line=$(grep " pid $threaded " "$out") || check default "no line for the worker-thread crash of $threaded"
[[ $(grep -c " pid $threaded " "$out") == 1 && $line == *" pid $threaded (python"*") killed by SIGSEGV after "* ]] ||
	check default "worker-thread crash: got '$(grep " pid $threaded " "$out")'"

# The hostile name: escaped everywhere, never a raw control byte.
line=$(grep " pid $bad " "$out") || check default "no line for the exit 5 of $bad"
esc='ev\x1b[31m\x0ail'
[[ $line == *" pid $bad ($esc) exited 5 after "*"; exe $tmp/$esc; cmdline: $tmp/$esc -c sleep\\x200.3;\\x20exit\\x205" ]] ||
	check default "hostile name not escaped as expected: got '$line'"
LC_ALL=C grep -q $'[\x01-\x09\x0b-\x1f\x7f]' "$out" && fail "default: a raw control byte in the output"
grep -q '^il' "$out" && fail "default: a newline in a name split a line"

# ---- --all --no-cmdline: clean exits too, no command lines ---------------
start_report all --all --no-cmdline
"$crash" -c 'sleep 0.3; exit 0' & clean=$!
wait "$clean"
stop_report all "$clean"
line=$(grep " pid $clean " "$tmp/all.out") || check all "--all: no line for the clean exit of $clean"
[[ $line == *" pid $clean (crash-$$) exited 0 after "*"; parent $$ ($me); exe $crash" ]] ||
	check all "--all: clean exit line: got '$line'"
grep -q 'cmdline' "$tmp/all.out" && fail "--no-cmdline: a command line was printed: $(grep -m1 cmdline "$tmp/all.out")"

echo "crash-report: SIGSEGV, exit 3, a worker thread's crash, clean exits, hostile names, --all, --no-cmdline and SIGINT behave"
