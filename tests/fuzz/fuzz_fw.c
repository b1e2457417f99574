// SPDX-License-Identifier: BSD-2-Clause
/*
 * The firewall state of a state file (agent/nft.c fw_from_json): the input
 * is the netlink messages themselves, put into {"present": true,
 * "messages": BASE64} by fw_to_json(), so the fuzzer works on the bytes
 * libnftnl parses rather than on their base64.  The first byte, when odd,
 * sends the input itself as the "messages" string instead (the base64
 * decoder).  An accepted state must read back the same.
 */
#include <string.h>

#include "agent/fw/fw.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fwstate *fw = NULL, *back = NULL;
	char err[256];
	json_t *j;

	if (size && (data[0] & 1)) {
		char *s = strndup((const char *)data + 1, size - 1);

		j = json_pack("{s:b, s:s}", "present", 1, "messages", s);
		free(s);
		if (!j) /* not UTF-8 */
			return 0;
	} else {
		struct fwstate in = {.present = true,
				     .msgs = (uint8_t *)(size ? data + 1 : data),
				     .len = size ? size - 1 : 0};

		j = fw_to_json(&in);
	}
	if (!fw_from_json(j, &fw, err, sizeof(err))) {
		json_t *again = fw_to_json(fw);
		int rc = fw_from_json(again, &back, err, sizeof(err));

		FUZZ_CHECK(rc == 0, "an accepted firewall cannot be read "
			   "back: %s", err);
		FUZZ_CHECK(fw_same(fw, back), "read back differs:\n%s---\n%s",
			   fw->canon, back->canon);
		fw_free(back);
		fw_free(fw);
		json_decref(again);
	} else {
		fuzz_debug("%s", err);
	}
	json_decref(j);
	return 0;
}
