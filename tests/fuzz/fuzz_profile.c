// SPDX-License-Identifier: BSD-2-Clause
/*
 * A profile (common/profile.c, common/fwpolicy.c, common/cfg.c): the input
 * is profile.conf, then the files it @includes, each after a line
 * "#@@ NAME" (see fuzz_files(); the seeds are the shipped profiles with
 * their include/ files).  Every problem must carry a message, and the
 * loader's answer must agree with its problems.
 */
#include "common/profile.h"
#include "common/utf8.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct profile *p = malloc(sizeof(*p));
	struct diag d;
	char path[512];
	int rc;

	if (!p)
		abort();
	if (fuzz_files(data, size, "profile.conf", 0) < 0) {
		free(p);
		return 0;
	}
	diag_init(&d);
	rc = profile_load(p, fuzz_path("profile.conf", path, sizeof(path)), &d);
	FUZZ_CHECK((rc == 0) == (diag_count(&d) == 0), "rc %d, %d problems",
		   rc, diag_count(&d));
	for (size_t i = 0; i < d.n; i++)
		FUZZ_CHECK(d.items[i].msg && d.items[i].msg[0] &&
				   utf8_valid(d.items[i].msg),
			   "problem %zu without a message in UTF-8", i);
	profile_free(p);
	if (getenv("FUZZ_DEBUG"))
		diag_print(&d, stderr);
	diag_free(&d);
	free(p);
	fuzz_files_clear();
	return 0;
}
