// SPDX-License-Identifier: BSD-2-Clause
/*
 * Unit tests of ctl/collview.h: the series summary (min of the minima,
 * the average weighted by each row's samples, max of the maxima; nulls
 * and rows of nothing left out; hostile rows skipped) and the nodes table
 * (columns at the same display column on every line whatever the names'
 * script, counted here independently: a 3-byte UTF-8 sequence of the CJK
 * block as two columns; a node that never reported, one the inventory
 * lacks, members of the wrong type, escape sequences in a name).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ctl/collview.h"

#include "tests/unit/rows.h"

static json_t *load(const char *text)
{
	json_error_t je;
	json_t *j = json_loads(text, 0, &je);

	if (!j)
		fail_msg("test JSON: %s", je.text);
	return j;
}

static void test_series(void **state)
{
	json_t *rows = load(
		"[{\"kind\":\"link\",\"key\":\"eth0\",\"rx_bps\":100.0,"
		"\"tx_bps\":10.0,\"samples\":1},"
		"{\"kind\":\"target\",\"key\":\"210100000000\",\"rtt_avg_ms\":2.0,"
		"\"rtt_min_ms\":1.0,\"rtt_max_ms\":3.0,\"loss_pct\":0.0,"
		"\"jitter_ms\":null,\"samples\":1},"
		"{\"kind\":\"link\",\"key\":\"eth0\",\"rx_bps\":400.0,"
		"\"tx_bps\":null,\"samples\":3},"
		"{\"kind\":\"target\",\"key\":\"210100000000\",\"rtt_avg_ms\":6.0,"
		"\"rtt_min_ms\":0.5,\"rtt_max_ms\":9.0,\"loss_pct\":50.0,"
		"\"jitter_ms\":0.25,\"samples\":3},"
		/* no samples: says nothing */
		"{\"kind\":\"link\",\"key\":\"eth0\",\"rx_bps\":1e9,\"samples\":0},"
		/* hostile or foreign: skipped */
		"{\"kind\":\"link\",\"key\":\"a-name-far-too-long-for-a-link\"},"
		"{\"kind\":\"weather\",\"key\":\"x\"}, 7, null,"
		"{\"kind\":\"link\",\"key\":17},"
		"{\"kind\":\"link\",\"key\":\"eth1\",\"rx_bps\":\"fast\"}]");
	struct collview_sum *v;
	size_t n = collview_series(rows, &v);

	(void)state;
	assert_int_equal(n, 3);
	assert_string_equal(v[0].key, "eth0");
	assert_false(v[0].target);
	assert_int_equal(v[0].rows, 2);
	/* rx: (100*1 + 400*3) / 4 */
	assert_int_equal(v[0].s[0].n, 2);
	assert_true(v[0].s[0].min == 100 && v[0].s[0].max == 400);
	assert_true(v[0].s[0].avg == 325);
	/* tx: the null row left out */
	assert_int_equal(v[0].s[1].n, 1);
	assert_true(v[0].s[1].avg == 10);
	assert_string_equal(v[1].key, "210100000000");
	assert_true(v[1].target);
	/* rtt: min of minima, weighted avg of averages, max of maxima */
	assert_true(v[1].s[0].min == 0.5 && v[1].s[0].max == 9);
	assert_true(v[1].s[0].avg == 5); /* (2*1 + 6*3) / 4 */
	assert_true(v[1].s[1].avg == 37.5);
	assert_int_equal(v[1].s[2].n, 1);
	assert_string_equal(v[2].key, "eth1");
	assert_int_equal(v[2].s[0].n, 0);
	free(v);
	json_decref(rows);
	/* nothing */
	assert_int_equal(collview_series(NULL, &v), 0);
	assert_null(v);
}

/* Display columns of @s up to byte @end: CJK 3-byte sequences count 2. */
static int cols(const char *s, const char *end)
{
	int w = 0;

	while (s < end) {
		unsigned char c = (unsigned char)*s;

		if (c >= 0xe4 && c <= 0xe9) { /* U+4000..U+9FFF */
			w += 2;
			s += 3;
		} else {
			w += 1;
			s += (c & 0x80) ? ((c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : 4) : 1;
		}
	}
	return w;
}

static void test_nodes_table(void **state)
{
	json_t *a = load(
		"{\"time_ms\":1718000012000,\"nodes\":["
		"{\"code\":\"210000000000\",\"name\":\"辽宁省\",\"level\":"
		"\"province\",\"expected\":true,\"last_seq\":null,"
		"\"last_report_ms\":null,\"apply\":null,\"drift\":null},"
		"{\"code\":\"210102001000\",\"name\":\"太原街街道\",\"level\":"
		"\"township\",\"expected\":true,\"last_seq\":48213,"
		"\"last_report_ms\":1718000000000,\"apply\":\"converged\","
		"\"drift\":false},"
		"{\"code\":\"210102009000\",\"name\":\"\",\"level\":\"township\","
		"\"expected\":false,\"last_seq\":3,\"last_report_ms\":"
		"1717999000000,\"apply\":\"drift\",\"drift\":true},"
		"{\"code\":\"210102002000\",\"name\":\"evil\\u001b[2Jname\","
		"\"level\":7,\"expected\":true,\"last_seq\":\"x\"}]}");
	char *buf = NULL, *line, *save = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int level_col = -1, apply_col = -1, n = 0;

	(void)state;
	collview_nodes(f, a);
	fclose(f);
	assert_null(strchr(buf, '\x1b'));
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save), n++) {
		const char *lv = n ? strstr(line, "  township")
				     ?: strstr(line, "  province")
				     ?: strstr(line, "  -       ")
				   : strstr(line, "  LEVEL");
		const char *ap = n ? strstr(line, "converged")
				     ?: strstr(line, "drift  ")
				   : strstr(line, "APPLY");

		assert_non_null(lv);
		if (level_col < 0)
			level_col = cols(line, lv);
		assert_int_equal(cols(line, lv), level_col);
		if (ap) {
			if (apply_col < 0)
				apply_col = cols(line, ap);
			assert_int_equal(cols(line, ap), apply_col);
		}
		if (n == 2) {
			assert_non_null(strstr(line, "48213"));
			assert_non_null(strstr(line, "12 s ago"));
			assert_non_null(strstr(line, "  no"));
		}
		if (n == 3) {
			assert_non_null(strstr(line, "(not in inventory)"));
			assert_non_null(strstr(line, "16 min ago"));
			assert_non_null(strstr(line, "  yes"));
		}
		if (n == 1 || n == 4)
			assert_non_null(strstr(line, "never"));
	}
	assert_int_equal(n, 5);
	free(buf);
	json_decref(a);
}

/* Answers of the wrong shape print without a crash. */
static void test_hostile(void **state)
{
	const char *const answers[] = {
		"{}", "{\"nodes\":7}", "{\"events\":[1,null,{\"time_ms\":\"x\"}]}",
		"{\"last_report\":{\"links\":[{\"counters\":{\"rx_bps\":\"x\"}}],"
		"\"targets\":[{}],\"drift\":3},\"series\":{\"rows\":[{}]},"
		"\"seq_ranges\":[[1],[\"a\",2]],\"last_report_ms\":5}",
	};
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	for (size_t i = 0; i < ROWS(answers); i++) {
		json_t *j = load(answers[i]);

		collview_nodes(f, j);
		collview_node(f, j);
		collview_events(f, j);
		json_decref(j);
	}
	fclose(f);
	assert_true(len > 0);
	free(buf);
}

int main(void)
{
	add_test(test_series, NULL, "series summary");
	add_test(test_nodes_table, NULL, "nodes table aligned");
	add_test(test_hostile, NULL, "hostile answers");
	return _cmocka_run_group_tests("collview", tests, ntests, NULL, NULL);
}
