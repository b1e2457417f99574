// SPDX-License-Identifier: BSD-2-Clause
/*
 * A control-socket request (one JSON object per line, at most 64 KiB):
 * ctlsock_parse() (strict JSON, one object) then ctlcmd_check() (the
 * command table: known command, its fields, their types and ranges).
 *
 * What it checks: a line is never read past its length (the buffer is
 * exactly the input, not NUL-terminated), every refusal has a reason, an
 * accepted request names a command of the table, and nothing is left
 * allocated.
 */
#include <string.h>

#include "agent/ctlcmd.h"
#include "agent/ctlsock.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[300] = "";
	char *line = malloc(size ? size : 1);
	json_t *req;
	int cmd = -1;

	if (!line)
		abort();
	memcpy(line, data, size);
	req = ctlsock_parse(line, size, err, sizeof(err));
	if (!req) {
		FUZZ_CHECK(err[0], "a line refused without a reason");
	} else {
		err[0] = '\0';
		if (ctlcmd_check(req, &cmd, err, sizeof(err)) == 0)
			FUZZ_CHECK(cmd >= 0 &&
					   json_is_string(json_object_get(req, "cmd")),
				   "an accepted request without its command");
		else
			FUZZ_CHECK(err[0], "a request refused without a reason");
		json_decref(req);
	}
	free(line);
	return 0;
}
