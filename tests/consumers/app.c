/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The program of a project that uses libproccn, built by each consumer
 * project here (.ci/consumers copies it next to their build files). It
 * needs no kernel: it checks that the header and the library it was given
 * agree, and calls a function of each kind (string, parsing).
 */
#include <proccn.h>

#include <stdio.h>
#include <string.h>

int main(void)
{
	char header[32];
	uint32_t mask = 0;

	snprintf(header, sizeof(header), "%d.%d.%d", PROCCN_VERSION_MAJOR,
		 PROCCN_VERSION_MINOR, PROCCN_VERSION_PATCH);
	if (strcmp(header, proccn_version()) != 0) {
		fprintf(stderr, "consumer: header %s, library %s\n", header, proccn_version());
		return 1;
	}
	if (proccn_mask_from_string("fork,exit", &mask) != 0 ||
	    mask != (PROCCN_EV_FORK | PROCCN_EV_EXIT)) {
		fprintf(stderr, "consumer: proccn_mask_from_string() failed\n");
		return 1;
	}
	printf("consumer: libproccn %s, %s\n", proccn_version(), proccn_kind_name(PROCCN_EV_EXIT));
	return 0;
}
