/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Short-lived programs under names of their own, for the tests of the
 * process table (live and stress): hard links (or copies) of true(1) named
 * PREFIX00000..., and a launcher that runs them one after the other and
 * reaps each a little later, as a parent busy with other work would.
 */
#ifndef PCN_TEST_NAMED_H
#define PCN_TEST_NAMED_H

#include <stddef.h>
#include <sys/types.h>

/* named_path - @dir/@prefix%05zu into @buf (@len >= PATH_MAX). */
void named_path(char *buf, size_t len, const char *dir, const char *prefix, size_t i);

/*
 * named_make - @n names for @truep in @dir (hard links; copies where the
 * kernel refuses a link to someone else's file). 0, or -1 with errno.
 */
int named_make(const char *dir, const char *prefix, size_t n, const char *truep);

/* named_remove - the @n names and @dir. */
void named_remove(const char *dir, const char *prefix, size_t n);

/*
 * named_launch - fork the launcher: it runs the @n programs one after the
 * other, writes each child's pid to @fd, reaps each @lag children later, and
 * exits 0 (20 and up on failure). Returns its pid, or -1.
 */
pid_t named_launch(const char *dir, const char *prefix, size_t n, unsigned int lag, int fd);

#endif
