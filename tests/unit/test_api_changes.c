// SPDX-License-Identifier: BSD-2-Clause
/*
 * /api/v1/changes' version log (collector/api/api_changes.c) on copies of
 * node states made here: the first scan starts it (every caller resets);
 * a scan with changes logs them under one new version, one without leaves
 * the version; a read gives each changed node once, in code order, with
 * its state now, only what came after the caller's version; another set
 * of codes (an inventory reloaded) starts again; a full log drops its
 * oldest entries and a caller from before them resets; more than
 * API_CHANGES_MAX nodes, or a version from the future, reset.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "collector/api/api_changes.h"

#define BASE 210102001000ULL

/* @n nodes BASE+1.. with state @st, malloc'd */
static struct verify_node *nodes(int n, uint8_t st)
{
	struct verify_node *v = calloc((size_t)n, sizeof(*v));

	assert_non_null(v);
	for (int i = 0; i < n; i++) {
		v[i].code = BASE + 1 + (code_t)i;
		v[i].level = LEVEL_VILLAGE;
		v[i].state = st;
	}
	return v;
}

static struct verify_node *copy(const struct verify_node *v, int n)
{
	struct verify_node *c = malloc((size_t)n * sizeof(*c));

	assert_non_null(c);
	memcpy(c, v, (size_t)n * sizeof(*c));
	return c;
}

static void test_log(void **state)
{
	struct api_changes *c = api_changes_new();
	struct verify_node *cur, *out;
	uint64_t v0, v1, v2, v;
	bool reset;
	int n;

	(void)state;
	assert_non_null(c);
	/* nothing scanned: every caller resets */
	api_changes_since(c, 0, &out, &n, &reset);
	assert_true(reset);

	cur = nodes(10, TOPO_CONNECTED);
	api_changes_scan(c, copy(cur, 10), 10);
	v0 = api_changes_since(c, 0, &out, &n, &reset);
	assert_true(reset); /* from before the first copy */
	assert_int_equal(api_changes_since(c, v0, &out, &n, &reset), v0);
	assert_false(reset);
	assert_int_equal(n, 0);
	assert_null(out);

	/* the same states: the version stays */
	api_changes_scan(c, copy(cur, 10), 10);
	assert_int_equal(api_changes_since(c, v0, &out, &n, &reset), v0);

	/* two changes (given out of order of the check below) */
	cur[7].state = TOPO_UNREACHABLE;
	cur[2].state = TOPO_ISOLATED;
	api_changes_scan(c, copy(cur, 10), 10);
	v1 = api_changes_since(c, v0, &out, &n, &reset);
	assert_int_equal(v1, v0 + 1);
	assert_false(reset);
	assert_int_equal(n, 2);
	assert_true(out[0].code == BASE + 3 && out[0].state == TOPO_ISOLATED);
	assert_true(out[1].code == BASE + 8 &&
		    out[1].state == TOPO_UNREACHABLE);
	free(out);

	/* node 3 repaired, wrong_parent on node 5: since v0 each node once
	 * with its state now; since v1 only the newer ones */
	cur[2].state = TOPO_CONNECTED;
	cur[4].wrong_parent = true;
	api_changes_scan(c, copy(cur, 10), 10);
	v2 = api_changes_since(c, v0, &out, &n, &reset);
	assert_int_equal(v2, v1 + 1);
	assert_int_equal(n, 3);
	assert_true(out[0].code == BASE + 3 && out[0].state == TOPO_CONNECTED);
	assert_true(out[1].code == BASE + 5 && out[1].wrong_parent);
	assert_true(out[2].code == BASE + 8);
	free(out);
	api_changes_since(c, v1, &out, &n, &reset);
	assert_int_equal(n, 2);
	assert_true(out[0].code == BASE + 3 && out[1].code == BASE + 5);
	free(out);
	/* a version the log never gave */
	api_changes_since(c, v2 + 1, &out, &n, &reset);
	assert_true(reset);
	assert_null(out);

	/* another inventory (one node more): start again */
	free(cur);
	cur = nodes(11, TOPO_CONNECTED);
	api_changes_scan(c, copy(cur, 11), 11);
	v = api_changes_since(c, v2, &out, &n, &reset);
	assert_true(reset);
	assert_int_equal(v, v2 + 1);
	/* the same count, other codes: also */
	cur[5].code = BASE + 100;
	api_changes_scan(c, copy(cur, 11), 11);
	api_changes_since(c, v, &out, &n, &reset);
	assert_true(reset);
	free(cur);
	api_changes_free(c);
}

static void test_bounds(void **state)
{
	const int N = API_CHANGES_MAX + 10;
	struct api_changes *c = api_changes_new();
	struct verify_node *cur = nodes(N, TOPO_CONNECTED), *out;
	uint64_t v0, v1, vk;
	bool reset;
	int n;

	(void)state;
	api_changes_scan(c, copy(cur, N), N);
	v0 = api_changes_since(c, 0, &out, &n, &reset);
	/* more than API_CHANGES_MAX nodes changed: reset */
	for (int i = 0; i < N; i++)
		cur[i].state = TOPO_SILENT;
	api_changes_scan(c, copy(cur, N), N);
	v1 = api_changes_since(c, v0, &out, &n, &reset);
	assert_true(reset);
	assert_null(out);
	/* API_CHANGES_MAX exactly: answered */
	for (int i = 0; i < API_CHANGES_MAX; i++)
		cur[i].state = TOPO_CONNECTED;
	api_changes_scan(c, copy(cur, N), N);
	api_changes_since(c, v1, &out, &n, &reset);
	assert_false(reset);
	assert_int_equal(n, API_CHANGES_MAX);
	free(out);
	/* fill the log past its size, one node flapping: the oldest
	 * versions go, a caller from then resets, a recent one does not */
	vk = v1;
	for (int k = 0; k < API_CHANGES_LOG; k++) {
		cur[0].state = k % 2 ? TOPO_CONNECTED : TOPO_UNREACHABLE;
		api_changes_scan(c, copy(cur, N), N);
		if (k == API_CHANGES_LOG - 10)
			vk = api_changes_since(c, UINT64_MAX, &out, &n, &reset);
	}
	api_changes_since(c, v1, &out, &n, &reset);
	assert_true(reset);
	api_changes_since(c, vk, &out, &n, &reset);
	assert_false(reset);
	assert_int_equal(n, 1); /* node 1, once, with its state now */
	assert_int_equal(out[0].state, cur[0].state);
	free(out);
	free(cur);
	api_changes_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_log),
		cmocka_unit_test(test_bounds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
