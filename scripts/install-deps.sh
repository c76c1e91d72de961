#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Install the Debian packages a task needs, when missing (Debian 12).
#   scripts/install-deps.sh --build   build and install the library and proccn-watch
#   scripts/install-deps.sh           also the test suites: unit, live, VM,
#                                     man pages, coverage (scripts/test.sh)
#   scripts/install-deps.sh --ci      also what .ci/run adds: fuzzing,
#                                     sanitizers, static analysis, the ABI
#                                     check, consumer projects, Debian packages
# Installing needs root: run it as root, or with sudo.
set -euo pipefail

# dpkg-dev: meson asks its dpkg-architecture for the multiarch libdir, and
# without it installs into lib64, where Debian's ld.so and pkg-config do not look
build=(meson ninja-build gcc libc6-dev pkg-config libmnl-dev python3 dpkg-dev)
tests=(libcmocka-dev g++ gcovr qemu-system-x86 cpio mandoc groff-base
       forkstat python3-jsonschema systemd)
ci=(clang libclang-rt-14-dev valgrind cppcheck clang-tidy abigail-tools cmake git
    build-essential debhelper dpkg-dev lintian)

case ${1:-} in
--build) packages=("${build[@]}") ;;
"") packages=("${build[@]}" "${tests[@]}") ;;
--ci) packages=("${build[@]}" "${tests[@]}" "${ci[@]}") ;;
*) echo "usage: install-deps.sh [--build|--ci]" >&2; exit 2 ;;
esac

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
	echo "install-deps: missing packages: ${missing[*]}; run as root (or with sudo) to install them" >&2
	exit 1
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
