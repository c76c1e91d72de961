/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What a cgroup v2 path says about a process: its systemd unit and its
 * container. Pure functions over the path's bytes; results point into it.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "procfs.h"

#define PFS_CONTAINER_ID_LEN 64

/* Walks the components of a path: [*c, *c + *n), skipping empty ones. */
static bool pfs_next_component(const char **p, const char *end, const char **c, size_t *n)
{
	const char *slash;

	while (*p < end && **p == '/')
		(*p)++;
	if (*p == end)
		return false;
	slash = memchr(*p, '/', (size_t)(end - *p));
	*c = *p;
	*n = (size_t)((slash ? slash : end) - *p);
	*p = *c + *n;
	return true;
}

static bool pfs_has_prefix(const char *c, size_t n, const char *prefix)
{
	size_t k = strlen(prefix);

	return n >= k && memcmp(c, prefix, k) == 0;
}

static bool pfs_has_suffix(const char *c, size_t n, const char *suffix)
{
	size_t k = strlen(suffix);

	return n >= k && memcmp(c + n - k, suffix, k) == 0;
}

/* Unit types that own cgroups with processes in them (slices only nest). */
static const char *const pfs_unit_suffixes[] = {
	".service", ".scope", ".slice", ".socket", ".mount", ".swap",
};

int proccn__procfs_cgroup_unit(const char *path, size_t len, const char **unit,
			       size_t *unit_len)
{
	const char *p = path, *c, *found = NULL;
	size_t n, found_len = 0, i;

	if (!path || !unit || !unit_len)
		return -EINVAL;
	while (pfs_next_component(&p, path + len, &c, &n))
		for (i = 0; i < sizeof(pfs_unit_suffixes) / sizeof(pfs_unit_suffixes[0]); i++)
			if (n > strlen(pfs_unit_suffixes[i]) &&
			    pfs_has_suffix(c, n, pfs_unit_suffixes[i])) {
				found = c;
				found_len = n;
				break;
			}
	if (!found)
		return -ENOENT;
	*unit = found;
	*unit_len = found_len;
	return 0;
}

/* 64 lowercase hex digits: what docker, podman, CRI-O and containerd use. */
static bool pfs_is_container_id(const char *c, size_t n)
{
	size_t i;

	if (n != PFS_CONTAINER_ID_LEN)
		return false;
	for (i = 0; i < n; i++)
		if (!((c[i] >= '0' && c[i] <= '9') || (c[i] >= 'a' && c[i] <= 'f')))
			return false;
	return true;
}

/* Scopes the systemd cgroup driver makes: PREFIX-ID.scope. */
static const char *const pfs_scope_prefixes[] = {
	"docker-", "crio-", "libpod-", "cri-containerd-", "containerd-",
};

/* Where the id is in the component, if it is PREFIX-ID.scope; else NULL. */
static const char *pfs_scope_id(const char *c, size_t n)
{
	const size_t suffix = strlen(".scope");
	size_t i, k;

	if (!pfs_has_suffix(c, n, ".scope"))
		return NULL;
	for (i = 0; i < sizeof(pfs_scope_prefixes) / sizeof(pfs_scope_prefixes[0]); i++) {
		k = strlen(pfs_scope_prefixes[i]);
		if (n >= k + suffix && pfs_has_prefix(c, n, pfs_scope_prefixes[i]) &&
		    pfs_is_container_id(c + k, n - k - suffix))
			return c + k;
	}
	return NULL;
}

int proccn__procfs_cgroup_container(const char *path, size_t len, const char **id,
				    size_t *id_len)
{
	const char *p = path, *c, *found = NULL, *scoped;
	bool under_runtime = false;
	size_t n;

	if (!path || !id || !id_len)
		return -EINVAL;
	while (pfs_next_component(&p, path + len, &c, &n)) {
		scoped = pfs_scope_id(c, n);
		if (scoped)
			found = scoped;
		else if (under_runtime && pfs_is_container_id(c, n))
			found = c;  /* cgroupfs driver: /docker/ID, /kubepods/.../ID */
		if ((n == 6 && memcmp(c, "docker", 6) == 0) || pfs_has_prefix(c, n, "kubepods"))
			under_runtime = true;
	}
	if (!found)
		return -ENOENT;
	*id = found;
	*id_len = PFS_CONTAINER_ID_LEN;
	return 0;
}
