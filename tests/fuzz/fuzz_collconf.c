// SPDX-License-Identifier: BSD-2-Clause
/*
 * The collector's config (collector/conf.c): the input is collector.conf
 * (without @include: libconfig would look for it in the working
 * directory).  Every problem must carry a message in UTF-8; a config
 * loaded without problems must listen somewhere and name its TLS files,
 * and its plaintext listeners must be allowed.
 */
#include "collector/conf.h"
#include "common/utf8.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct collector_conf *c = malloc(sizeof(*c));
	struct diag d;
	char path[512];
	int rc;

	if (!c)
		abort();
	if (fuzz_files(data, size, "collector.conf", FUZZ_MAIN_NO_INCLUDE) <
	    0) {
		free(c);
		return 0;
	}
	diag_init(&d);
	rc = conf_load(c, fuzz_path("collector.conf", path, sizeof(path)), &d);
	FUZZ_CHECK((rc == 0) == (diag_count(&d) == 0), "rc %d, %d problems",
		   rc, diag_count(&d));
	for (size_t i = 0; i < d.n; i++)
		FUZZ_CHECK(d.items[i].msg && d.items[i].msg[0] &&
				   utf8_valid(d.items[i].msg),
			   "problem %zu without a message in UTF-8", i);
	if (rc == 0) {
		FUZZ_CHECK(c->n_listen > 0 && c->cert[0] && c->key[0] &&
				   c->ca[0],
			   "loaded without a listener or a TLS file");
		FUZZ_CHECK(!c->n_plain || c->allow_plaintext,
			   "plaintext listeners not allowed");
	}
	if (getenv("FUZZ_DEBUG"))
		diag_print(&d, stderr);
	diag_free(&d);
	free(c);
	fuzz_files_clear();
	return 0;
}
