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

#endif
