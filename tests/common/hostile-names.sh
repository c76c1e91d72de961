# SPDX-License-Identifier: MIT-0
# Hostile process names, shared by the output tests of exit-monitor and
# proccn-watch (sourced): names holding ESC sequences (clear the screen, set
# the window title), a newline and a tab, quotes and a backslash, invalid
# UTF-8. hex holds the names' bytes, want how text output must print them.
hex=(1b5b324a1b5d303b70776e07 610a620963 7122275c7a fffec328)
want=('\x1b[2J\x1b]0;pwn\x07' 'a\x0ab\x09c' "q\"'\\\\z" '\xff\xfe\xc3(')

# hostile_name_program FILE: a python program that names itself
# (prctl(PR_SET_NAME), which sends a COMM event) with the bytes given in hex
# as its argument, then exits 3.
hostile_name_program() {
	cat >"$1" <<'PY'
import ctypes, sys, time
ctypes.CDLL(None).prctl(15, ctypes.c_char_p(bytes.fromhex(sys.argv[1])), 0, 0, 0)
time.sleep(0.05)
sys.exit(3)
PY
}

# hostile_names_round FILE: run the program FILE once per name, one after
# the other; their pids in the array pids, in the order of hex.
hostile_names_round() {
	pids=()
	for h in "${hex[@]}"; do
		python3 "$1" "$h" & pids+=($!)
		wait "${pids[-1]}" || true
	done
}
