#!/bin/bash
# SPDX-License-Identifier: MIT-0
# proccn-watch's command line, no kernel needed: --version names the
# library's release (from proccn_version()), --help lists every option and
# exits 0, and bad arguments are usage errors (exit 2) that say what is
# wrong, before anything is opened: numbers are parsed strictly (' -1',
# '1x', '0', 2^64 are refused: `-c ' -1'` used to run forever).
set -euo pipefail
watch=${1:?usage: test-proccn-watch-version.sh path/to/proccn-watch VERSION}
want=${2:?usage: test-proccn-watch-version.sh path/to/proccn-watch VERSION}
fail() { echo "FAIL: $*"; exit 1; }

out=$("$watch" --version) || fail "--version exited $?"
[[ $out == "proccn-watch (libproccn) $want" ]] ||
	fail "--version printed '$out', want 'proccn-watch (libproccn) $want'"
help=$("$watch" --help) || fail "--help exited $?"
for opt in --events --json --processes-only --pid --tree --comm --user --extra --name \
	--stats --count --wait --legacy --probe --version --help; do
	grep -q -- "$opt" <<<"$help" || fail "--help does not list $opt"
done

# each must exit 2 at once, with a message naming the option
bad() { # $1 = what the message must hold, rest = arguments
	local msg=$1 rc=0 err
	shift
	err=$(timeout 5 "$watch" "$@" 2>&1 >/dev/null) || rc=$?
	(( rc == 2 )) || fail "'$*' exited $rc (want 2; 124 = it ran on): $err"
	grep -q -- "$msg" <<<"$err" || fail "'$*': the message does not say '$msg': $err"
}
bad --count -c ' -1'
bad --count -c -1
bad --count -c 1x
bad --count -c 0
bad --count -c ''
bad --count -c 18446744073709551616
bad --count --count=+5
bad --pid --pid 0
bad --pid --pid ' 7'
bad --pid --pid 4194305
bad --tree --tree -3
bad --wait --wait 12abc
bad --wait --wait
bad --wait --wait 5 --tree 6
bad --name --name argv
bad --user --user no-such-user-here
bad --comm --comm ''
bad nosuchevent -e exit,nosuchevent
bad "unexpected argument" stray
echo "proccn-watch --version: $out; --help lists every option; 19 bad command lines refused"
