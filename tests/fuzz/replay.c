/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Replays every file of the given directories (the seed corpus and the
 * inputs that once crashed) through a fuzz harness, without libFuzzer, so
 * that the ordinary unit suite (and its ASan and valgrind runs) keeps every
 * fuzzing finding fixed. Exits 1 if a directory cannot be read; a broken
 * promise aborts inside the harness.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The harness to replay through: fuzz_dispatch's unless the build names another. */
#ifdef REPLAY_HARNESS
#include REPLAY_HARNESS
#else
#include "harness.h"
#define REPLAY_ONE pcn_fuzz_one
#endif

/*
 * An input that makes the library loop forever must fail the test, not hang
 * it until meson's timeout (times 10 under valgrind): SIGALRM ends the run.
 * Generous, because valgrind runs each input some 50 times slower.
 */
#define SECONDS_PER_INPUT 30

/* Inputs larger than this are not fuzzer-made (libFuzzer's default max_len is 4096). */
#define REPLAY_MAX_INPUT (1024 * 1024)

static int replay_file(const char *path)
{
	static uint8_t buf[REPLAY_MAX_INPUT];
	FILE *fp = fopen(path, "rbe");
	size_t n;

	if (!fp) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	n = fread(buf, 1, sizeof(buf), fp);
	if (ferror(fp)) {
		fprintf(stderr, "replay: %s: read error\n", path);
		fclose(fp);
		return -1;
	}
	fclose(fp);
	/* print first, so that an abort names its input */
	printf("replay %s (%zu bytes)\n", path, n);
	fflush(stdout);
	/* a heap copy of the exact size lets ASan catch reads past the input */
	{
		uint8_t *copy = malloc(n ? n : 1);

		if (!copy)
			return -1;
		memcpy(copy, buf, n);
		alarm(SECONDS_PER_INPUT);
		REPLAY_ONE(copy, n);
		alarm(0);
		free(copy);
	}
	return 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every regular file of @dir except README*, in name order (stable output). */
static int replay_dir(const char *dir, unsigned int *count)
{
	char **names = NULL;
	size_t n = 0, cap = 0, i;
	struct dirent *de;
	DIR *d = opendir(dir);
	int r = 0;

	if (!d) {
		fprintf(stderr, "replay: %s: %s\n", dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' || !strncmp(de->d_name, "README", 6))
			continue;
		if (n == cap) {
			char **p = realloc(names, (cap = cap ? 2 * cap : 64) * sizeof(*names));

			if (!p) {
				r = -1;
				break;
			}
			names = p;
		}
		if (!(names[n] = strdup(de->d_name))) {
			r = -1;
			break;
		}
		n++;
	}
	closedir(d);
	if (names)
		qsort(names, n, sizeof(*names), cmp_names);
	for (i = 0; i < n; i++) {
		char path[4096];

		if (r == 0) {
			if (snprintf(path, sizeof(path), "%s/%s", dir, names[i]) >= (int)sizeof(path) ||
			    replay_file(path) < 0)
				r = -1;
			else
				(*count)++;
		}
		free(names[i]);
	}
	free(names);
	return r;
}

int main(int argc, char **argv)
{
	unsigned int count = 0;
	int i;

	if (argc < 2) {
		fprintf(stderr, "usage: %s DIR...\n", argv[0]);
		return 2;
	}
	for (i = 1; i < argc; i++)
		if (replay_dir(argv[i], &count) < 0)
			return 1;
	printf("replayed %u inputs\n", count);
	/* an empty corpus would make this test pass without testing anything */
	return count ? 0 : 1;
}
