/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* proccn_version(): the release this library was built from. */
#include "proccn.h"

/* Two steps, so that the macros expand before they become strings. */
#define PCN_STR2(x) #x
#define PCN_STR(x) PCN_STR2(x)

const char *proccn_version(void)
{
	return PCN_STR(PROCCN_VERSION_MAJOR) "." PCN_STR(PROCCN_VERSION_MINOR) "."
		PCN_STR(PROCCN_VERSION_PATCH);
}
