// SPDX-License-Identifier: BSD-2-Clause
/*
 * State files (agent/statedir.c, agent/kjson.c, agent/nft.c): the input is
 * a state file of the state folder, read the way the agent reads
 * applied.json, previous.json, journal.json and pending.json: the file
 * with its state and meta, then the "target" state of a journal or a
 * pending commit-confirm.  A state that is accepted must come back the
 * same through kstate_to_json() and kstate_from_json() (same hash): what
 * the agent read it must be able to write and read again.
 */
#include <string.h>

#include "agent/apply/kjson.h"
#include "agent/apply/statedir.h"
#include "tests/fuzz/fuzz.h"

static void round_trip(const struct kstate *ks)
{
	json_t *j = kstate_to_json(ks);
	char h1[17], h2[17], err[256];
	struct kstate back;
	int rc;

	rc = kstate_from_json(j, &back, err, sizeof(err));
	FUZZ_CHECK(rc == 0, "a state read cannot be read back: %s", err);
	kstate_hash(ks, h1);
	kstate_hash(&back, h2);
	FUZZ_CHECK(!strcmp(h1, h2), "read back differs: %s, then %s", h1, h2);
	kstate_free(&back);
	json_decref(j);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct state_meta meta;
	struct kstate ks, target;
	json_t *extra = NULL;
	char err[512];

	if (fuzz_write("pending.json", data, size))
		return 0;
	if (statedir_read(fuzz_dir(), "pending", &ks, &meta, &extra, err,
			  sizeof(err))) {
		fuzz_debug("%s", err);
		return 0;
	}
	round_trip(&ks);
	if (!kstate_from_json(json_object_get(extra, "target"), &target, err,
			      sizeof(err))) {
		round_trip(&target);
		kstate_free(&target);
	} else {
		fuzz_debug("target: %s", err);
	}
	kstate_free(&ks);
	json_decref(extra);
	return 0;
}
