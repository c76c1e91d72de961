/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The release number is written twice, in meson.build's project() and in
 * include/proccn.h's PROCCN_VERSION_* macros: this test fails when they
 * differ, and when proccn_version() (the shared library) says otherwise.
 * meson passes its version as PROJECT_VERSION.
 */
#include <proccn.h>

#include <stdio.h>
#include <string.h>

#ifndef PROJECT_VERSION
#error "build with -DPROJECT_VERSION=\"x.y.z\" (tests/version/meson.build does)"
#endif

int main(void)
{
	char header[64];
	const char *runtime = proccn_version();
	int failed = 0;

	snprintf(header, sizeof(header), "%d.%d.%d", PROCCN_VERSION_MAJOR,
		 PROCCN_VERSION_MINOR, PROCCN_VERSION_PATCH);
	if (strcmp(header, PROJECT_VERSION) != 0) {
		printf("FAIL: PROCCN_VERSION_* in proccn.h say %s, meson.build says %s\n",
		       header, PROJECT_VERSION);
		failed = 1;
	}
	if (runtime == NULL || strcmp(runtime, PROJECT_VERSION) != 0) {
		printf("FAIL: proccn_version() returns %s, meson.build says %s\n",
		       runtime ? runtime : "NULL", PROJECT_VERSION);
		failed = 1;
	}
	if (!failed)
		printf("version %s: header macros, proccn_version() and meson.build agree\n",
		       PROJECT_VERSION);
	return failed;
}
