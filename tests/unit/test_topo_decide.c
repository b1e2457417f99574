// SPDX-License-Identifier: BSD-2-Clause
/*
 * Unit tests of the decision table of collector/topo/topo.h: one cmocka
 * case per row (P1-P4 for the province, A1-A15 for a city, county or
 * township, V1-V5 for a village), each with an input that reaches that row
 * and no earlier one, asserting both the state and the row's name, so a
 * reordered or changed row fails by name.  Then the rows that read a
 * condition each way (a parent cut vs dark, a degraded or unconfirmed
 * parent passing down, over on a confirmed edge) and the words.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "collector/topo/topo.h"

#include "tests/unit/rows.h"

#define N TOPO_VIEW_NONE
#define K TOPO_VIEW_UNKNOWN
#define U TOPO_VIEW_UP
#define D TOPO_VIEW_DOWN

static const struct row {
	const char *row;
	struct topo_in in;
	enum topo_state want;
} rows[] = {
	/* province */
	{"P1", {LEVEL_PROVINCE, false, false, false, false, N, N, N, false, TOPO_NONE, false, false}, TOPO_NEVER},
	{"P2", {LEVEL_PROVINCE, true, true, false, false, N, N, U, false, TOPO_NONE, false, false}, TOPO_CONNECTED},
	{"P2", {LEVEL_PROVINCE, true, true, true, false, N, N, D, true, TOPO_NONE, false, false}, TOPO_CONNECTED},
	{"P3", {LEVEL_PROVINCE, true, false, true, false, N, N, N, false, TOPO_NONE, false, false}, TOPO_SILENT},
	{"P4", {LEVEL_PROVINCE, true, false, false, false, N, N, N, false, TOPO_NONE, false, false}, TOPO_UNREACHABLE},
	/* an agent under an agent */
	{"A1", {LEVEL_CITY, false, false, true, false, D, N, N, false, TOPO_CONNECTED, false, false}, TOPO_NEVER},
	{"A1", {LEVEL_COUNTY, false, false, false, false, N, N, N, false, TOPO_UNREACHABLE, false, false}, TOPO_NEVER},
	{"A2", {LEVEL_COUNTY, true, true, false, false, N, U, U, false, TOPO_UNREACHABLE, false, false}, TOPO_ISOLATED},
	{"A2", {LEVEL_TOWNSHIP, true, false, true, false, N, N, N, false, TOPO_ISOLATED, false, false}, TOPO_ISOLATED},
	{"A3", {LEVEL_CITY, true, false, true, false, D, N, N, false, TOPO_CONNECTED, false, false}, TOPO_SILENT},
	{"A3", {LEVEL_COUNTY, true, false, true, false, N, N, N, false, TOPO_SILENT, false, false}, TOPO_SILENT},
	/* refused: the gateway answers its parent, its agent does not */
	{"A4", {LEVEL_TOWNSHIP, true, false, false, false, D, N, N, false, TOPO_CONNECTED, true, false}, TOPO_SILENT},
	{"A4", {LEVEL_TOWNSHIP, true, false, false, false, D, N, N, false, TOPO_UNCONFIRMED, true, false}, TOPO_SILENT},
	{"A3", {LEVEL_COUNTY, true, false, true, false, D, N, N, false, TOPO_CONNECTED, true, false}, TOPO_SILENT},
	{"A5", {LEVEL_COUNTY, true, false, false, false, D, N, N, false, TOPO_CONNECTED, false, false}, TOPO_UNREACHABLE},
	{"A5", {LEVEL_TOWNSHIP, true, false, false, false, D, N, N, false, TOPO_DEGRADED, false, false}, TOPO_UNREACHABLE},
	{"A6", {LEVEL_TOWNSHIP, true, false, false, true, U, N, N, false, TOPO_CONNECTED, false, false}, TOPO_UNCONFIRMED},
	{"A6", {LEVEL_COUNTY, true, false, false, true, U, N, N, false, TOPO_UNCONFIRMED, false, false}, TOPO_UNCONFIRMED},
	{"A7", {LEVEL_TOWNSHIP, true, false, false, false, U, N, N, false, TOPO_CONNECTED, false, false}, TOPO_SILENT},
	{"A7", {LEVEL_TOWNSHIP, true, false, false, false, K, N, N, false, TOPO_DEGRADED, false, false}, TOPO_SILENT},
	{"A7", {LEVEL_TOWNSHIP, true, false, false, true, K, N, N, false, TOPO_CONNECTED, false, false}, TOPO_SILENT},
	{"A8", {LEVEL_COUNTY, true, false, false, false, N, N, N, false, TOPO_SILENT, false, false}, TOPO_ISOLATED},
	{"A8", {LEVEL_COUNTY, true, false, false, false, N, N, N, false, TOPO_NEVER, false, false}, TOPO_ISOLATED},
	{"A8", {LEVEL_TOWNSHIP, true, false, false, false, U, N, N, false, TOPO_UNCONFIRMED, false, false}, TOPO_ISOLATED},
	{"A9", {LEVEL_COUNTY, true, true, false, false, U, U, D, false, TOPO_CONNECTED, false, false}, TOPO_UNREACHABLE},
	{"A9", {LEVEL_COUNTY, true, true, false, false, N, D, D, false, TOPO_SILENT, false, false}, TOPO_UNREACHABLE},
	{"A11", {LEVEL_COUNTY, true, true, false, false, N, D, U, false, TOPO_SILENT, false, false}, TOPO_CONNECTED},
	{"A11", {LEVEL_COUNTY, true, true, false, false, N, U, K, true, TOPO_SILENT, false, false}, TOPO_DEGRADED},
	{"A11", {LEVEL_TOWNSHIP, true, true, false, false, N, K, U, false, TOPO_NEVER, false, false}, TOPO_CONNECTED},
	/* a wrong parent: flagged, never connected */
	{"A10", {LEVEL_COUNTY, true, true, false, false, U, K, U, false, TOPO_CONNECTED, false, true}, TOPO_UNCONFIRMED},
	{"A10", {LEVEL_COUNTY, true, true, false, false, N, K, U, false, TOPO_SILENT, false, true}, TOPO_UNCONFIRMED},
	{"A10", {LEVEL_COUNTY, true, true, false, false, D, K, U, false, TOPO_CONNECTED, false, true}, TOPO_UNREACHABLE},
	{"A10", {LEVEL_COUNTY, true, true, false, false, D, K, U, false, TOPO_CONNECTED, true, true}, TOPO_UNCONFIRMED},
	{"A9", {LEVEL_COUNTY, true, true, false, false, U, K, D, false, TOPO_CONNECTED, false, true}, TOPO_UNREACHABLE},
	{"A12", {LEVEL_CITY, true, true, false, false, D, U, U, false, TOPO_CONNECTED, false, false}, TOPO_UNREACHABLE},
	{"A12", {LEVEL_CITY, true, true, false, false, U, D, U, false, TOPO_CONNECTED, true, false}, TOPO_UNREACHABLE},
	{"A12", {LEVEL_CITY, true, true, false, false, D, D, U, false, TOPO_CONNECTED, true, false}, TOPO_UNREACHABLE},
	/* refused while its last reports are still fresh: not yet silent */
	{"A13", {LEVEL_TOWNSHIP, true, true, false, false, D, U, U, false, TOPO_CONNECTED, true, false}, TOPO_UNCONFIRMED},
	{"A13", {LEVEL_TOWNSHIP, true, true, false, false, D, K, U, false, TOPO_DEGRADED, true, false}, TOPO_UNCONFIRMED},
	{"A12", {LEVEL_CITY, true, true, false, false, U, D, U, false, TOPO_CONNECTED, false, false}, TOPO_UNREACHABLE},
	{"A12", {LEVEL_CITY, true, true, false, false, K, D, K, false, TOPO_UNCONFIRMED, false, false}, TOPO_UNREACHABLE},
	{"A14", {LEVEL_COUNTY, true, true, false, false, U, U, U, false, TOPO_CONNECTED, false, false}, TOPO_CONNECTED},
	{"A14", {LEVEL_COUNTY, true, true, false, false, U, U, K, true, TOPO_CONNECTED, false, false}, TOPO_DEGRADED},
	{"A14", {LEVEL_COUNTY, true, true, false, false, U, U, U, false, TOPO_DEGRADED, false, false}, TOPO_DEGRADED},
	{"A14", {LEVEL_COUNTY, true, true, false, false, U, U, U, true, TOPO_UNCONFIRMED, false, false}, TOPO_UNCONFIRMED},
	{"A15", {LEVEL_COUNTY, true, true, false, false, K, U, U, false, TOPO_CONNECTED, false, false}, TOPO_UNCONFIRMED},
	{"A15", {LEVEL_COUNTY, true, true, false, false, U, K, U, false, TOPO_CONNECTED, false, false}, TOPO_UNCONFIRMED},
	{"A15", {LEVEL_COUNTY, true, true, false, false, U, N, U, false, TOPO_CONNECTED, false, false}, TOPO_UNCONFIRMED},
	/* a village */
	{"V1", {LEVEL_VILLAGE, false, false, false, false, U, N, N, false, TOPO_CONNECTED, false, false}, TOPO_NEVER},
	{"V2", {LEVEL_VILLAGE, true, false, false, false, U, N, N, false, TOPO_SILENT, false, false}, TOPO_ISOLATED},
	{"V2", {LEVEL_VILLAGE, true, false, false, false, N, N, N, false, TOPO_ISOLATED, false, false}, TOPO_ISOLATED},
	{"V2", {LEVEL_VILLAGE, true, false, false, false, D, N, N, false, TOPO_UNREACHABLE, false, false}, TOPO_ISOLATED},
	{"V2", {LEVEL_VILLAGE, true, false, false, false, N, N, N, false, TOPO_NEVER, false, false}, TOPO_ISOLATED},
	{"V3", {LEVEL_VILLAGE, true, false, false, false, D, N, N, false, TOPO_CONNECTED, false, false}, TOPO_UNREACHABLE},
	{"V3", {LEVEL_VILLAGE, true, false, false, false, D, N, N, true, TOPO_UNCONFIRMED, false, false}, TOPO_UNREACHABLE},
	/* a refusal means nothing for a village (ICMP echo) */
	{"V3", {LEVEL_VILLAGE, true, false, false, false, D, N, N, false, TOPO_CONNECTED, true, false}, TOPO_UNREACHABLE},
	{"V4", {LEVEL_VILLAGE, true, false, false, false, U, N, N, false, TOPO_CONNECTED, false, false}, TOPO_CONNECTED},
	{"V4", {LEVEL_VILLAGE, true, false, false, false, U, N, N, true, TOPO_CONNECTED, false, false}, TOPO_DEGRADED},
	{"V4", {LEVEL_VILLAGE, true, false, false, false, U, N, N, false, TOPO_DEGRADED, false, false}, TOPO_DEGRADED},
	{"V4", {LEVEL_VILLAGE, true, false, false, false, U, N, N, false, TOPO_UNCONFIRMED, false, false}, TOPO_UNCONFIRMED},
	{"V5", {LEVEL_VILLAGE, true, false, false, false, K, N, N, false, TOPO_CONNECTED, false, false}, TOPO_UNCONFIRMED},
	{"V5", {LEVEL_VILLAGE, true, false, false, false, N, N, N, false, TOPO_CONNECTED, false, false}, TOPO_UNCONFIRMED},
};

static void test_row(void **state)
{
	const struct row *r = *state;
	const char *row = "none";
	enum topo_state s = topo_decide(&r->in, &row);

	assert_string_equal(row, r->row);
	assert_string_equal(topo_state_words[s], topo_state_words[r->want]);
	/* the row pointer is optional */
	assert_int_equal(topo_decide(&r->in, NULL), s);
}

/* Every row of the table is reached by some row above. */
static void test_every_row(void **state)
{
	static const char *const all[] = {
		"P1", "P2", "P3", "P4", "A1", "A2", "A3", "A4", "A5", "A6",
		"A7", "A8", "A9", "A10", "A11", "A12", "A13", "A14", "A15",
		"V1", "V2", "V3", "V4", "V5"};

	(void)state;
	for (size_t k = 0; k < ROWS(all); k++) {
		bool found = false;

		for (size_t i = 0; i < ROWS(rows); i++)
			found |= strcmp(rows[i].row, all[k]) == 0;
		if (!found)
			fail_msg("row %s has no case", all[k]);
	}
}

static void test_words(void **state)
{
	(void)state;
	assert_string_equal(topo_state_words[TOPO_NEVER], "never");
	assert_string_equal(topo_state_words[TOPO_SILENT], "silent");
	for (int s = 0; s < TOPO_STATE__N; s++)
		assert_non_null(topo_state_words[s]);
}

int main(void)
{
	for (size_t i = 0; i < ROWS(rows); i++)
		add_test(test_row, &rows[i], "%s %s -> %s (case %zu)",
			 rows[i].row, code_level_name(rows[i].in.level),
			 topo_state_words[rows[i].want], i);
	add_test(test_every_row, NULL, "every row has a case");
	add_test(test_words, NULL, "state words");
	return _cmocka_run_group_tests("topo_decide", tests, ntests, NULL,
				       NULL);
}
