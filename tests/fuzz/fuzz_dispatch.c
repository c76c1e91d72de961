/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libFuzzer entry point: datagrams and sender addresses from the fuzzer go
 * through negotiation, the parser, the filter and dispatch (see harness.h).
 */
#include <stddef.h>
#include <stdint.h>

#include "harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return pcn_fuzz_one(data, size);
}
