// SPDX-License-Identifier: BSD-2-Clause
/*
 * The node config (common/nodeconf.c): the input is agent.conf (without
 * @include: libconfig would look for it in the working directory).  Every
 * problem must carry a message; a config loaded without problems must
 * have a code and a profile.
 */
#include "common/nodeconf.h"
#include "common/utf8.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nodeconf *nc = malloc(sizeof(*nc));
	struct diag d;
	char path[512];
	int rc;

	if (!nc)
		abort();
	if (fuzz_files(data, size, "agent.conf", FUZZ_MAIN_NO_INCLUDE) < 0) {
		free(nc);
		return 0;
	}
	diag_init(&d);
	rc = nodeconf_load(nc, fuzz_path("agent.conf", path, sizeof(path)),
			   NULL, &d);
	FUZZ_CHECK((rc == 0) == (diag_count(&d) == 0), "rc %d, %d problems",
		   rc, diag_count(&d));
	for (size_t i = 0; i < d.n; i++)
		FUZZ_CHECK(d.items[i].msg && d.items[i].msg[0] &&
				   utf8_valid(d.items[i].msg),
			   "problem %zu without a message in UTF-8", i);
	if (rc == 0)
		FUZZ_CHECK(nc->code && nc->profile[0], "loaded without a code "
			   "or a profile");
	if (getenv("FUZZ_DEBUG"))
		diag_print(&d, stderr);
	diag_free(&d);
	free(nc);
	fuzz_files_clear();
	return 0;
}
