// SPDX-License-Identifier: BSD-2-Clause
/*
 * The inventory CSV (common/inventory.c): the input is the file.  Names
 * and problems must be UTF-8 text; a loaded inventory must hold what the
 * loader promises: nodes sorted by code, no code twice, every node's
 * parent present.
 */
#include <stdlib.h>

#include "common/inventory.h"
#include "common/utf8.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct inventory inv;
	struct diag d;
	char path[512];
	int rc;

	if (fuzz_write("inventory.csv", data, size))
		return 0;
	diag_init(&d);
	rc = inventory_load(&inv, fuzz_path("inventory.csv", path, sizeof(path)),
			    &d);
	for (size_t i = 0; i < d.n; i++)
		FUZZ_CHECK(utf8_valid(d.items[i].msg), "problem %zu not UTF-8", i);
	for (int i = 0; i < inv.n; i++)
		FUZZ_CHECK(utf8_valid(inv.nodes[i].name), "name %d not UTF-8", i);
	if (rc == 0) {
		FUZZ_CHECK(diag_count(&d) == 0, "loaded with %d problems",
			   diag_count(&d));
		for (int i = 0; i < inv.n; i++) {
			code_t c = inv.nodes[i].code;

			FUZZ_CHECK(i == 0 || inv.nodes[i - 1].code < c,
				   "nodes not sorted or repeated at %d", i);
			FUZZ_CHECK(code_level(c) == LEVEL_PROVINCE ||
					   inventory_find(&inv, code_parent(c)),
				   "node %d without its parent", i);
		}
	}
	inventory_free(&inv);
	if (getenv("FUZZ_DEBUG"))
		diag_print(&d, stderr);
	diag_free(&d);
	return 0;
}
