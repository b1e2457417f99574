// SPDX-License-Identifier: BSD-2-Clause
/*
 * A gateway's three inputs together (common/inputs.c), as egnet-agent -n
 * and egnetctl render load them, then the desired state built from them
 * (common/desired.c) and its renderings (common/render.c).  The input is
 * agent.conf, then "#@@ profile.conf" and the profile, "#@@
 * inventory.csv" and the inventory, and the profile's includes (see
 * fuzz_files()).  The profile and the inventory are given as if on the
 * command line, so the node config's profile path is never followed; its
 * inventory path is followed only when it names the inventory.csv beside
 * it (else the input is no input), so the loaders stay in the folder.
 */
#include <libconfig.h>
#include <stdio.h>
#include <string.h>

#include "common/inputs.h"
#include "common/render.h"
#include "common/utf8.h"
#include "tests/fuzz/fuzz.h"

/* node.inventory is absent, empty or "inventory.csv". */
static int inventory_inside(const char *conf)
{
	const char *s = NULL;
	config_t c;
	int ok;

	config_init(&c);
	ok = !config_read_file(&c, conf) ||
	     !config_lookup_string(&c, "node.inventory", &s) || !s[0] ||
	     !strcmp(s, "inventory.csv");
	config_destroy(&c);
	return ok;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct inputs *in = malloc(sizeof(*in));
	char nc[512], prof[512], inv[512];
	struct diag d;
	int rc;

	if (!in)
		abort();
	if (fuzz_files(data, size, "agent.conf", FUZZ_MAIN_NO_INCLUDE) < 0 ||
	    !fuzz_has("profile.conf") ||
	    !inventory_inside(fuzz_path("agent.conf", nc, sizeof(nc)))) {
		fuzz_files_clear();
		free(in);
		return 0;
	}
	diag_init(&d);
	rc = inputs_load(in, fuzz_path("agent.conf", nc, sizeof(nc)),
			 fuzz_path("profile.conf", prof, sizeof(prof)),
			 fuzz_has("inventory.csv")
				 ? fuzz_path("inventory.csv", inv, sizeof(inv))
				 : NULL,
			 &d);
	FUZZ_CHECK((rc == 0) == (diag_count(&d) == 0), "rc %d, %d problems",
		   rc, diag_count(&d));
	for (size_t i = 0; i < d.n; i++)
		FUZZ_CHECK(d.items[i].msg && d.items[i].msg[0] &&
				   utf8_valid(d.items[i].msg),
			   "problem %zu without a message in UTF-8", i);
	if (rc == 0) {
		FILE *null = fopen("/dev/null", "w");
		json_t *j;

		FUZZ_CHECK(in->have_ds, "loaded without a desired state");
		if (null) {
			render_text(&in->ds, null);
			fclose(null);
		}
		j = render_json(&in->ds);
		FUZZ_CHECK(j, "no JSON rendering");
		json_decref(j);
	}
	inputs_free(in);
	if (getenv("FUZZ_DEBUG"))
		diag_print(&d, stderr);
	diag_free(&d);
	free(in);
	fuzz_files_clear();
	return 0;
}
