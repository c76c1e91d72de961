/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The allocation counter behind -Wl,--wrap (see alloc_count.h). */
#include "alloc_count.h"

#include <malloc.h>
#include <stddef.h>

void *__real_malloc(size_t size);
void *__real_calloc(size_t nmemb, size_t size);
void *__real_realloc(void *ptr, size_t size);
void *__real_aligned_alloc(size_t align, size_t size);
int __real_posix_memalign(void **ptr, size_t align, size_t size);
void __real_free(void *ptr);
void *__wrap_malloc(size_t size);
void *__wrap_calloc(size_t nmemb, size_t size);
void *__wrap_realloc(void *ptr, size_t size);
void *__wrap_aligned_alloc(size_t align, size_t size);
int __wrap_posix_memalign(void **ptr, size_t align, size_t size);
void __wrap_free(void *ptr);

struct alloc_count alloc_count;

void alloc_count_reset(void)
{
	alloc_count.live = alloc_count.peak = 0;
}

/* Count a new block (NULL: nothing); returns it. */
static void *held(void *p)
{
	if (!p)
		return p;
	alloc_count.live += (int64_t)malloc_usable_size(p);
	if (alloc_count.live > alloc_count.peak)
		alloc_count.peak = alloc_count.live;
	if (alloc_count.counting)
		alloc_count.calls++;
	return p;
}

static void released(void *p)
{
	alloc_count.live -= (int64_t)malloc_usable_size(p);
}

void *__wrap_malloc(size_t size)
{
	return held(__real_malloc(size));
}

void *__wrap_calloc(size_t nmemb, size_t size)
{
	return held(__real_calloc(nmemb, size));
}

void *__wrap_realloc(void *ptr, size_t size)
{
	if (ptr)
		released(ptr);
	return held(__real_realloc(ptr, size));
}

void *__wrap_aligned_alloc(size_t align, size_t size)
{
	return held(__real_aligned_alloc(align, size));
}

int __wrap_posix_memalign(void **ptr, size_t align, size_t size)
{
	int r = __real_posix_memalign(ptr, align, size);

	if (r == 0)
		held(*ptr);
	return r;
}

void __wrap_free(void *ptr)
{
	if (!ptr)
		return;
	released(ptr);
	if (alloc_count.counting)
		alloc_count.calls++;
	__real_free(ptr);
}
