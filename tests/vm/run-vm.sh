#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# run-vm.sh CHECKER CACHE_DIR KERNEL [--force-legacy | --late-exit]
#
# Boots a Debian 12 cloud kernel under qemu with an initramfs whose /init is
# CHECKER, then runs CHECKER on the host with and without
# PROCCN_F_FORCE_LEGACY, and requires the per-mask event signatures to be
# equal everywhere. KERNEL says which guest kernel:
#   6.1   Debian 12's own (no per-socket event filter: the legacy proc
#         connector protocol must be negotiated)
#   6.12  Debian 12's 6.12 from bookworm-security (the 6.6+ protocol on a
#         distribution kernel: the kernel filter must be negotiated)
# In the guest the checker also runs the process table's pid-reuse test.
# By hand, not meson tests: --force-legacy makes every handle of the guest
# run use the legacy protocol, which must then be negotiated on 6.12 too;
# --late-exit boots with preempt=full and runs only the table's late-EXIT
# test in the guest (an old process's EXIT sent after the FORK that reused
# its pid), nothing on the host.
# Exit 0 pass, 1 fail, 77 skip (meson's convention).
set -euo pipefail

usage='usage: run-vm.sh CHECKER CACHE_DIR 6.1|6.12 [--force-legacy | --late-exit]'
checker=${1:?$usage}
cache=${2:?$usage}
kernel=${3:?$usage}
extra=${4:-}

skip() { echo "SKIP: $*"; exit 77; }
die() { echo "FAIL: $*"; exit 1; }

case $kernel in
6.1)
	# the ABI number in the package name changes with every point release:
	# the meta package says which one is current
	meta=linux-image-cloud-amd64
	guest_args='--kernel old'
	guest_mode=legacy
	;;
6.12)
	meta=linux-image-6.12-cloud-amd64
	guest_args='--kernel new'
	guest_mode=kernel-filter
	;;
*)
	die "$usage"
	;;
esac
append='console=ttyS0 panic=-1 quiet'
last_check=table-reuse:proc
name_suffix=
case $extra in
'') ;;
--force-legacy)
	guest_args="$guest_args --force-legacy"
	guest_mode=legacy
	;;
--late-exit)
	guest_args="$guest_args --late-exit"
	append="$append preempt=full"
	last_check=table-reuse:late-exit
	name_suffix=-late-exit
	;;
*)
	die "$usage"
	;;
esac
name="vm-$kernel$name_suffix"

start=$(date +%s)

# -- preconditions: skip, do not fail, where the test cannot run -------------
[ "$(id -u)" = 0 ] || skip "needs root (the proc connector needs CAP_NET_ADMIN on old kernels; mknod for the initramfs)"
for tool in qemu-system-x86_64 cpio gzip timeout dpkg-deb apt-get apt-cache ldd; do
	command -v "$tool" >/dev/null 2>&1 || skip "$tool is not installed (apt-get install qemu-system-x86 cpio)"
done
[ -x "$checker" ] || die "checker $checker not built"
mkdir -p "$cache" || die "cannot create $cache"

# -- the kernel: resolve, download once, keep only vmlinuz -------------------
resolve_kernel() {
	apt-cache depends "$meta" 2>/dev/null |
		awk -v k="$kernel" 'index($0, "Depends: linux-image-" k ".") && /-cloud-amd64$/ { print $2; exit }'
}
pkg=$(resolve_kernel || true)
if [ -z "$pkg" ]; then
	echo "apt lists do not know $meta: running apt-get update"
	timeout 120 apt-get update -qq >/dev/null 2>&1 || true
	pkg=$(resolve_kernel || true)
fi

vmlinuz=
if [ -n "$pkg" ] && [ -s "$cache/$pkg/vmlinuz" ]; then
	vmlinuz=$cache/$pkg/vmlinuz
elif [ -n "$pkg" ]; then
	echo "downloading $pkg"
	dl=$(mktemp -d "$cache/dl.XXXXXX")
	# apt-get download writes to the current directory; as root it warns that
	# it runs unsandboxed, which is expected here
	if (cd "$dl" && timeout 180 apt-get download -q "$pkg" >/dev/null 2>&1) &&
		deb=$(ls "$dl"/*.deb 2>/dev/null | head -n 1) && [ -n "$deb" ] &&
		dpkg-deb -x "$deb" "$dl/root"; then
		mkdir -p "$cache/$pkg"
		if cp "$dl"/root/boot/vmlinuz-* "$cache/$pkg/vmlinuz" &&
			dpkg-deb -f "$deb" Version >"$cache/$pkg/version"; then
			vmlinuz=$cache/$pkg/vmlinuz
		fi
	fi
	rm -rf "$dl"
fi
if [ -z "$vmlinuz" ]; then
	# offline: a kernel downloaded by an earlier run is as good
	vmlinuz=$(ls "$cache"/linux-image-"$kernel".*/vmlinuz 2>/dev/null | tail -n 1 || true)
	[ -n "$vmlinuz" ] || skip "cannot download the Debian 12 $kernel cloud kernel (package '${pkg:-unresolved}' from $meta)"
	pkg=$(basename "$(dirname "$vmlinuz")")
fi
version=$(cat "$(dirname "$vmlinuz")/version" 2>/dev/null || echo unknown)
echo "kernel: $pkg $version"

# -- the initramfs: /init = the checker, plus its shared libraries -----------
work=$(mktemp -d "$cache/run.XXXXXX")
trap 'rm -rf "$work"' EXIT
root=$work/root
mkdir -p "$root/proc" "$root/dev" "$root/lib/x86_64-linux-gnu" || die "mkdir"
cp "$checker" "$root/init" && chmod 755 "$root/init" || die "copy checker"
# no static libmnl on Debian: the guest needs ld.so, libc, libmnl, ...
ldd "$checker" >"$work/ldd" 2>&1 || die "ldd $checker: $(cat "$work/ldd")"
while read -r a b c _; do
	if [ "$b" = "=>" ] && [ -f "$c" ]; then
		# into the loader's default directory: the build tree's RUNPATH does not exist in the guest
		cp -L "$c" "$root/lib/x86_64-linux-gnu/$a" || die "copy $c"
	elif [ "${a#/}" != "$a" ] && [ -f "$a" ]; then
		# the ELF interpreter, at the exact path the binary names
		mkdir -p "$root$(dirname "$a")" && cp -L "$a" "$root$a" || die "copy $a"
	fi
done <"$work/ldd"
# the kernel opens /dev/console for PID 1 only if the archive has it
mknod -m 600 "$root/dev/console" c 5 1 || die "mknod /dev/console"
(cd "$root" && find . -print0 | cpio --null -o -H newc --quiet) | gzip -1 >"$work/initrd" ||
	die "cpio"

# -- boot ---------------------------------------------------------------------
# TCG only: KVM guests hang on these machines. isa-debug-exit turns the
# guest's verdict into QEMU's exit status: 1 = pass, 3 = fail. What follows
# "--" on the kernel command line is the checker's argv.
echo "booting under qemu (TCG): /init $guest_args"
qrc=0
timeout 90 qemu-system-x86_64 -accel tcg -m 256M -nographic -no-reboot \
	-kernel "$vmlinuz" -initrd "$work/initrd" \
	-append "$append -- $guest_args" \
	-device isa-debug-exit,iobase=0xf4,iosize=0x04 \
	</dev/null >"$work/console.raw" 2>&1 || qrc=$?
tr -d '\r' <"$work/console.raw" >"$work/console"
boot_end=$(date +%s)
echo "---- VM console ($pkg) ----"
cat "$work/console"
echo "---- end of VM console (qemu exit $qrc, $((boot_end - start)) s so far) ----"

fails=0
if [ "$qrc" = 124 ]; then
	echo "FAIL: qemu timed out after 90 s"
	fails=$((fails + 1))
fi
grep -q '^VMTEST DONE ' "$work/console" || { echo "FAIL: no VMTEST DONE on the VM console"; fails=$((fails + 1)); }
if grep -q '^VMTEST FAIL' "$work/console"; then
	echo "FAIL: failures inside the VM:"
	grep '^VMTEST FAIL' "$work/console" || true
	fails=$((fails + 1))
fi
if [ "$qrc" != 124 ] && [ "$qrc" != 1 ]; then
	echo "FAIL: qemu exit status $qrc (1 expected: guest wrote 0 to isa-debug-exit)"
	fails=$((fails + 1))
fi
grep -q "INFO kernel=$kernel\." "$work/console" ||
	{ echo "FAIL: the guest did not report running on $kernel"; fails=$((fails + 1)); }
grep -q "INFO kernel=.* expect-mode=$guest_mode\$" "$work/console" ||
	{ echo "FAIL: the guest did not expect mode $guest_mode"; fails=$((fails + 1)); }
grep -Eq "^VMTEST (PASS $last_check\$|FAIL $last_check:)" "$work/console" ||
	{ echo "FAIL: the guest's table test did not run to its end ($last_check)"; fails=$((fails + 1)); }

if [ "$extra" = --late-exit ]; then
	end=$(date +%s)
	echo "total $((end - start)) s"
	if [ "$fails" -ne 0 ]; then
		echo "$name: FAIL ($fails problems)"
		exit 1
	fi
	echo "$name: PASS"
	exit 0
fi

# -- the host kernel, both protocols -----------------------------------------
# On 6.6+ the default must negotiate the kernel filter; older hosts (or
# distribution backports) are not judged on the mode.
IFS=. read -r kmaj kmin _ <<<"$(uname -r)"
host_mode=any
if [ "$kmaj" -gt 6 ] || { [ "$kmaj" -eq 6 ] && [ "${kmin%%[!0-9]*}" -ge 6 ]; }; then
	host_mode=kernel-filter
fi
for run in default force-legacy; do
	if [ "$run" = default ]; then
		set -- --host --expect-mode "$host_mode"
	else
		set -- --host --force-legacy --expect-mode legacy
	fi
	echo "---- host $(uname -r), $run: $checker $* ----"
	hrc=0
	timeout 60 "$checker" "$@" >"$work/host-$run" 2>&1 || hrc=$?
	cat "$work/host-$run"
	grep -q '^VMTEST DONE ' "$work/host-$run" || { echo "FAIL: host $run: no VMTEST DONE (exit $hrc)"; fails=$((fails + 1)); }
	if grep -q '^VMTEST FAIL' "$work/host-$run" || [ "$hrc" != 0 ]; then
		echo "FAIL: host $run failed (exit $hrc)"
		fails=$((fails + 1))
	fi
done

# -- the point: the same events on the old and the new kernel ----------------
grep '^SIG ' "$work/console" >"$work/sig-vm" || true
nsig=$(wc -l <"$work/sig-vm")
[ "$nsig" -gt 0 ] || { echo "FAIL: no signatures from the VM"; fails=$((fails + 1)); }
for run in default force-legacy; do
	grep '^SIG ' "$work/host-$run" >"$work/sig-$run" || true
	if ! diff -u --label "vm ($pkg, $guest_mode)" --label "host $(uname -r) ($run)" \
		"$work/sig-vm" "$work/sig-$run"; then
		echo "FAIL: signatures differ between the VM and the host ($run)"
		fails=$((fails + 1))
	else
		echo "signatures equal: vm ($pkg) == host $(uname -r) ($run), $nsig masks"
	fi
done

end=$(date +%s)
echo "total $((end - start)) s"
if [ "$fails" -ne 0 ]; then
	echo "$name: FAIL ($fails problems)"
	exit 1
fi
echo "$name: PASS"
exit 0
