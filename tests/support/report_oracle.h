/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The jansson-based report decoder, kept as the oracle of the tests and of
 * bench/report_bench (tests/support/report_oracle.c): the same contract as
 * report_decode() in common/report.h.
 */
#ifndef EGNET_TEST_REPORT_ORACLE_H
#define EGNET_TEST_REPORT_ORACLE_H

#include "common/report.h"

int report_decode_jansson(const char *body, size_t len, struct report *r,
			  enum report_err *why, char *err, size_t errlen);

/*
 * Decode @len bytes of @body with both (the oracle into @a, report_decode()
 * into @b) and compare: the same result and word, the same reason when it
 * is not a JSON error (those are worded by each parser), and when accepted
 * the same bytes of struct written over the same garbage.  0 when they
 * agree, else -1 with what differs in @msg.
 */
int report_oracle_diff(const char *body, size_t len, struct report *a,
		       struct report *b, char *msg, size_t msglen);

#endif
