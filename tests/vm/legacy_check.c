/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * legacy_check - a workload-driven checker of libproccn, built to run as /init
 * (PID 1) of a tiny initramfs under a pre-6.6 kernel, and also on the host.
 *
 * For every mask in a fixed list it opens a handle, runs the same workload
 * (a fixed sequence of children, each waited for), collects the events that
 * concern the workload's processes and prints one canonical, pid-independent
 * signature line per mask. The host script compares these lines between the
 * old kernel (legacy protocol, userspace + socket filter) and the host kernel
 * (6.6+ kernel filter, and forced legacy): they must be equal.
 *
 * Inside one run every signature is also checked against an oracle: a second
 * handle with mask ALL (the "sentinel") sees every workload event, and the
 * kernel's filter rules applied to that list must give exactly what the
 * masked handle delivered.
 *
 * It also checks what only an old kernel can show: the negotiated mode, that
 * IGNORE is sent exactly once per handle (a second one would decrement the
 * kernel's global listener counter and silence every other listener), and
 * that the classic BPF socket filter keeps unwanted datagrams out of the
 * socket entirely.
 *
 * Output: "SIG", "STAT", "INFO" lines, then "VMTEST PASS name" /
 * "VMTEST FAIL name: detail" lines and "VMTEST DONE pass=N fail=M".
 *
 * In the VM it also runs the process table's pid-reuse test (table_reuse.c):
 * it lowers pid_max, which only a VM may do.
 *
 * Usage: legacy_check [--kernel old|new] [--force-legacy] [--late-exit]
 *                     (as PID 1: the VM guest; the arguments come from the
 *                     kernel command line after "--". "old" (the default): a
 *                     pre-6.6 kernel, legacy expected; "new": a 6.6+ kernel,
 *                     the kernel filter expected unless --force-legacy.
 *                     --late-exit: only the table's late-EXIT test, for a
 *                     guest booted with preempt=full)
 *        legacy_check --host [--force-legacy] [--expect-mode legacy|kernel-filter]
 *        legacy_check --exec-child       (the exec step of the workload)
 *        legacy_check --reuse-child CODE NAME  (an exec'd child of the table test)
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/io.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "vm.h"

/* ---------------------------------------------------------------- PID 1 */

/* The kernel opens /dev/console for init only if the initramfs has it. */
static void ensure_console(void)
{
	int fd;

	if (fcntl(STDOUT_FILENO, F_GETFD) >= 0)
		return;
	mkdir("/dev", 0755);
	(void)mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
	fd = open("/dev/console", O_RDWR | O_NOCTTY);
	if (fd < 0)
		return;
	dup2(fd, STDIN_FILENO);
	dup2(fd, STDOUT_FILENO);
	dup2(fd, STDERR_FILENO);
	if (fd > STDERR_FILENO)
		close(fd);
}

/* PID 1 must never return: report through isa-debug-exit, then power off. */
static void __attribute__((noreturn)) guest_finish(int failed)
{
	fflush(stdout);
	/* the serial driver transmits asynchronously: wait before QEMU goes away */
	tcdrain(STDOUT_FILENO);
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	/* QEMU exits with (code << 1) | 1: 1 = pass, 3 = fail */
	if (ioperm(0xf4, 4, 1) == 0)
		outb(failed ? 1 : 0, 0xf4);
	sync();
	reboot(RB_POWER_OFF);
	for (;;)
		pause();
}

static int parse_args(int argc, char **argv, struct config *cfg)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--host") == 0) {
			cfg->vm = 0;
		} else if (strcmp(argv[i], "--kernel") == 0 && i + 1 < argc) {
			i++;
			if (strcmp(argv[i], "new") == 0)
				cfg->new_kernel = 1;
			else if (strcmp(argv[i], "old") != 0)
				return -1;
		} else if (strcmp(argv[i], "--late-exit") == 0) {
			cfg->late_exit = 1;
		} else if (strcmp(argv[i], "--force-legacy") == 0) {
			cfg->flags |= PROCCN_F_FORCE_LEGACY;
		} else if (strcmp(argv[i], "--expect-mode") == 0 && i + 1 < argc) {
			i++;
			if (strcmp(argv[i], "legacy") == 0)
				cfg->expect_mode = PROCCN_MODE_LEGACY;
			else if (strcmp(argv[i], "kernel-filter") == 0)
				cfg->expect_mode = PROCCN_MODE_KERNEL_FILTER;
			else if (strcmp(argv[i], "any") != 0)
				return -1;
		} else {
			return -1;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct config cfg = { 0 };
	int failed;

	if (argc == 2 && strcmp(argv[1], "--exec-child") == 0)
		_exit(0);
	if (argc == 4 && strcmp(argv[1], "--reuse-child") == 0)
		reuse_child_main(argv[2], argv[3]);
	cfg.vm = getpid() == 1;
	if (parse_args(argc, argv, &cfg) < 0) {
		fprintf(stderr, "usage: %s [--host] [--kernel old|new] [--force-legacy] [--late-exit]"
			" [--expect-mode legacy|kernel-filter|any]\n", argv[0]);
		return 2;
	}
	if (cfg.vm) {
		ensure_console();
		mkdir("/proc", 0555);
		/* the library reads /proc/net/connector and /proc/self/ns */
		if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV, NULL) < 0)
			printf("INFO mount /proc: %s\n", strerror(errno));
		/*
		 * The guest kernel is known: a pre-6.6 one must take the legacy
		 * path, a 6.6+ one the kernel filter (unless legacy is forced).
		 */
		if (!cfg.expect_mode)
			cfg.expect_mode = cfg.new_kernel && !(cfg.flags & PROCCN_F_FORCE_LEGACY)
						  ? PROCCN_MODE_KERNEL_FILTER
						  : PROCCN_MODE_LEGACY;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	/* the firmware leaves escape sequences on the console: start a clean line */
	if (cfg.vm)
		printf("\n");
	failed = run_all(&cfg);
	if (cfg.vm)
		guest_finish(failed != 0);
	return failed ? 1 : 0;
}
