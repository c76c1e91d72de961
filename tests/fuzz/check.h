/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef PROCCN_FUZZ_CHECK_H
#define PROCCN_FUZZ_CHECK_H

#include <stdio.h>
#include <stdlib.h>

/* A broken promise: say which, then crash so the fuzzer keeps the input. */
#define CHECK(cond)                                                               \
	do {                                                                      \
		if (!(cond)) {                                                    \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__,    \
				__LINE__, #cond);                                 \
			abort();                                                  \
		}                                                                 \
	} while (0)

#endif
