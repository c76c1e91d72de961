/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer entry point: the /proc parsers of lib/procfs.h (see procfs_harness.h). */
#include <stddef.h>
#include <stdint.h>

#include "procfs_harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return pcn_fuzz_procfs_one(data, size);
}
