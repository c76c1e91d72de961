#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The test suite: installs what it needs, builds with warnings as errors, runs
# every suite (unit, live, vm, tools, man), checks line coverage of lib/ and the
# installed library (pkg-config, exported symbols). Run as root so that the
# live and VM suites run instead of skipping.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh

build=${BUILD_DIR:-build-test}
if [[ -d $build ]]; then
	meson setup --reconfigure "$build" --werror >/dev/null
else
	meson setup "$build" --werror >/dev/null
fi
ninja -C "$build"
meson test -C "$build" --print-errorlogs --num-processes 1
summary=$(python3 - "$build/meson-logs/testlog.json" <<'PY'
import json, sys
counts = {"OK": 0, "FAIL": 0, "SKIP": 0}
for line in open(sys.argv[1]):
    r = json.loads(line)["result"]
    key = "OK" if r in ("OK", "EXPECTEDFAIL") else "SKIP" if r == "SKIP" else "FAIL"
    counts[key] += 1
print(f'{counts["OK"]} passed, {counts["FAIL"]} failed, {counts["SKIP"]} skipped')
PY
)

# Line coverage of lib/ by the unit tests alone (no root needed for these).
cov=${build}-coverage
[[ -d $cov ]] || meson setup "$cov" --werror -Db_coverage=true --buildtype=debug \
	-Dlive_tests=false -Dvm_tests=false -Dexamples=false -Dtools=false -Dman=false \
	-Dbenchmarks=false >/dev/null
ninja -C "$cov" >/dev/null
find "$cov" -name '*.gcda' -delete
meson test -C "$cov" --suite unit --print-errorlogs >/dev/null
# the report goes to a file in the build dir: gcovr replaces its output file,
# so "-o /dev/null" would replace the machine's /dev/null
line_cov=$(gcovr -r . --object-directory "$cov" --filter 'lib/' --fail-under-line 90 \
	--print-summary -o "$cov/coverage.txt" | sed -n 's/^lines: \([0-9.]*\)%.*/\1/p')
echo "coverage: lib/ line coverage by the unit tests: ${line_cov}% (minimum 90%)"

tests/install/check-install.sh "$build"
echo "test.sh: all checks passed"
echo "$summary" > "$build/test-summary.txt"
echo "tests: $summary"
