// SPDX-License-Identifier: BSD-2-Clause
/*
 * A report body (common/report.c, common/report_dec.c), as the collector
 * gets it over HTTP: report_decode() of the input.  A refusal must carry a
 * reason and its word; a report accepted must pass report_check() (what
 * the collector accepted the agent could have sent), encode, and decode
 * back to a body that encodes to the very same text.  And the decoder it
 * replaced (tests/support/report_oracle.c, jansson and a walk of the tree)
 * must agree on every input: same result, word, reason and struct.
 */
#include <string.h>

#include "common/report.h"
#include "common/utf8.h"
#include "tests/support/report_oracle.h"
#include "tests/fuzz/fuzz.h"

static struct report *r1, *r2, *ro;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	r1 = malloc(sizeof(*r1));
	r2 = malloc(sizeof(*r2));
	ro = malloc(sizeof(*ro));
	if (!r1 || !r2 || !ro)
		abort();
	memset(r1, 0, sizeof(*r1));
	memset(ro, 0, sizeof(*ro));
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum report_err why = REPORT_ERR__N;
	char err[256], *s1, *s2, diff[768];
	size_t n1, n2;
	int rc;

	FUZZ_CHECK(!report_oracle_diff((const char *)data, size, ro, r1, diff,
				       sizeof(diff)),
		   "the two decoders differ: %s", diff);
	err[0] = '\0';
	rc = report_decode((const char *)data, size, r1, &why, err,
			   sizeof(err));
	if (rc) {
		FUZZ_CHECK(rc == -1 && why > REPORT_ERR_NONE &&
				   why < REPORT_ERR__N && err[0] &&
				   utf8_valid(err) && !strchr(err, '\n'),
			   "rc %d, why %d, reason \"%s\"", rc, (int)why, err);
		fuzz_debug("%s: %s", report_err_words[why], err);
		return 0;
	}
	FUZZ_CHECK(why == REPORT_ERR_NONE, "accepted with why %d", (int)why);
	FUZZ_CHECK(!report_check(r1, err, sizeof(err)),
		   "accepted, but report_check says: %s", err);
	FUZZ_CHECK(!report_encode(r1, &s1, &n1, err, sizeof(err)),
		   "accepted, but cannot encode: %s", err);
	rc = report_decode(s1, n1, r2, &why, err, sizeof(err));
	FUZZ_CHECK(rc == 0, "its encoding is refused: %s", err);
	FUZZ_CHECK(!report_encode(r2, &s2, &n2, err, sizeof(err)),
		   "decoded encoding cannot encode: %s", err);
	FUZZ_CHECK(n1 == n2 && !memcmp(s1, s2, n1),
		   "encodings differ: %zu and %zu bytes", n1, n2);
	free(s1);
	free(s2);
	return 0;
}
