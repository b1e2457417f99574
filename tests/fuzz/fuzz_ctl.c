// SPDX-License-Identifier: BSD-2-Clause
/*
 * A control-socket request (one JSON object per line, at most 64 KiB).
 * NOT BUILT YET: today the request is parsed inside agent/daemon.c's
 * static ctl_line() and dispatch(), which need a running agent.  This
 * harness is written against the request decoder that the split of
 * daemon.c into the event loop and agent/ctl/ brings:
 *
 *	int ctl_request_parse(const char *line, size_t len,
 *			      struct ctl_request *req, char *err,
 *			      size_t errlen);
 *	void ctl_request_free(struct ctl_request *req);
 *
 * returning 0 with the command and its arguments in *req, or -EINVAL with
 * the reason.  To wire it: include its header below, drop "ctl" from
 * FUZZ_OFF in tests/fuzz/fuzz.mk, and check that the seeds in
 * tests/fuzz/corpus/ctl/ replay.
 *
 * What it checks: a line is never read past its length (the buffer is
 * exactly the input, not NUL-terminated), every refusal has a reason, and
 * nothing is left allocated.
 */
#include <string.h>

#include "agent/ctl/request.h" /* after the split */
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctl_request req;
	char err[256] = "";
	char *line = malloc(size ? size : 1);

	if (!line)
		abort();
	memcpy(line, data, size);
	if (ctl_request_parse(line, size, &req, err, sizeof(err)) == 0)
		ctl_request_free(&req);
	else
		FUZZ_CHECK(err[0], "a request refused without a reason");
	free(line);
	return 0;
}
