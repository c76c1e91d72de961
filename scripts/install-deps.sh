#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Install the Debian packages the build and tests need, when missing.
#   scripts/install-deps.sh          build, unit, live and VM tests
#   scripts/install-deps.sh --ci     also fuzzing, sanitizers and static analysis
set -euo pipefail

packages=(meson ninja-build gcc g++ pkg-config libmnl-dev libcmocka-dev gcovr
	  qemu-system-x86 cpio)
if [[ ${1:-} == --ci ]]; then
	packages+=(clang libclang-rt-14-dev valgrind cppcheck clang-tidy)
fi

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing+=("$p")
done
if (( ${#missing[@]} == 0 )); then
	echo "install-deps: all ${#packages[@]} packages present"
	exit 0
fi
if (( EUID != 0 )); then
	echo "install-deps: missing packages: ${missing[*]}; run as root (sudo) to install them" >&2
	exit 1
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
