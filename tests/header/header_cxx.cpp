// SPDX-License-Identifier: LGPL-2.1-or-later
// The public header from C++: extern "C" linkage, no C-only constructs.
#include <proccn.h>

#include <cstdio>

int main()
{
	struct proccn_opts opts = PROCCN_OPTS_INIT;
	const char *name = proccn_kind_name(PROCCN_EV_COREDUMP);
	uint32_t kind = 0;

	if (opts.sz != sizeof(opts) || !name || proccn_kind_from_name(name, &kind) != 0 ||
	    kind != PROCCN_EV_COREDUMP)
		return 1;
	std::printf("C++ header check passed\n");
	return 0;
}
