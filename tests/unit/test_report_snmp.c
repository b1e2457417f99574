// SPDX-License-Identifier: BSD-2-Clause
/*
 * Unit tests of the report's snmp member (common/report_snmp.c's tables):
 * tests/golden/report_county_snmp.json is what the encoder writes, byte
 * for byte; the golden county report with two devices added decodes to
 * the values it carries and encodes back to the same JSON; without the member a report
 * has no device and the encoder leaves it out; each hostile change (a
 * wrong word, a member unknown or missing, a bound passed, a name twice,
 * a rate out of range) is refused with its path and reason.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "tests/unit/reportcase.h"

#define IFACE(n)                                                               \
	"{\"name\": \"" n "\", \"ifindex\": 3, \"state\": \"up\", "            \
	"\"admin\": \"up\", \"counters\": {\"in_octets\": 1234, "              \
	"\"out_octets\": 9007199254740993, \"in_errors\": 1, "                 \
	"\"out_errors\": 2, \"in_discards\": 3}, \"rates\": {\"in_bps\": "     \
	"8000.5, \"out_bps\": 0.0}}"
#define DEV(n, ifs)                                                            \
	"{\"name\": \"" n "\", \"address\": \"10.16.64.2\", \"state\": "       \
	"\"up\", \"error\": \"\", \"sys_name\": \"core\", \"uptime_s\": "      \
	"86400, \"interfaces\": [" ifs "]}"
#define SNMP DEV("core-sw", IFACE("ge-0/0/1") ", " IFACE("Port 7")) ", " \
	"{\"name\": \"old\", \"address\": \"fd00::2\", \"state\": \"down\", " \
	"\"error\": \"no answer in 1000 ms (2 tries)\", \"sys_name\": \"\", "  \
	"\"uptime_s\": 0, \"interfaces\": [{\"name\": \"x\", \"ifindex\": 0, " \
	"\"state\": \"unknown\", \"admin\": \"unknown\", \"counters\": null, " \
	"\"rates\": null}]}"

static json_t *with_snmp(void)
{
	json_t *j = rc_golden();

	rc_set(j, "snmp", "[" SNMP "]");
	return j;
}

#define GOLDEN_SNMP "tests/golden/report_county_snmp.json"

static void test_golden(void **state)
{
	size_t len = 0;
	char *text = rc_slurp(GOLDEN_SNMP, &len), *again, err[256];
	enum report_err why;
	json_t *j;

	(void)state;
	assert_non_null(text);
	assert_int_equal(rc_decode(text, len, &why, err, sizeof(err)), 0);
	assert_int_equal(rc_r->n_snmp, 2);
	assert_int_equal(rc_r->snmp[0].n_ifs, 2);
	j = report_to_json(rc_r);
	again = json_dumps(j, JSON_INDENT(2) | JSON_REAL_PRECISION(15));
	assert_non_null(again);
	assert_true(len == strlen(again) + 1 && text[len - 1] == '\n');
	assert_memory_equal(text, again, len - 1);
	json_decref(j);
	free(again);
	free(text);
}

static void test_round_trip(void **state)
{
	json_t *j = with_snmp(), *back;
	enum report_err why;
	char err[256];

	(void)state;
	assert_int_equal(rc_decode_json(j, &why, err, sizeof(err)), 0);
	assert_int_equal(rc_r->n_snmp, 2);
	assert_string_equal(rc_r->snmp[0].name, "core-sw");
	assert_int_equal(rc_r->snmp[0].n_ifs, 2);
	assert_string_equal(rc_r->snmp[0].ifs[1].name, "Port 7");
	assert_true(rc_r->snmp[0].ifs[0].has_counters);
	assert_true(rc_r->snmp[0].ifs[0].out_octets == 9007199254740993ULL);
	assert_true(rc_r->snmp[0].ifs[0].in_bps == 8000.5);
	assert_int_equal(rc_r->snmp[1].state, RPT_OPER_DOWN);
	assert_false(rc_r->snmp[1].ifs[0].has_counters);
	assert_false(rc_r->snmp[1].ifs[0].has_rates);
	assert_int_equal(rc_r->snmp[1].ifs[0].state, RPT_OPER_UNKNOWN);
	assert_int_equal(report_check(rc_r, err, sizeof(err)), 0);
	back = report_to_json(rc_r);
	assert_true(json_equal(back, j));
	json_decref(back);
	json_decref(j);
}

static void test_absent(void **state)
{
	json_t *j = rc_golden(), *back;
	enum report_err why;
	char err[256];

	(void)state;
	assert_int_equal(rc_decode_json(j, &why, err, sizeof(err)), 0);
	assert_int_equal(rc_r->n_snmp, 0);
	back = report_to_json(rc_r);
	assert_null(json_object_get(back, "snmp"));
	json_decref(back);
	json_decref(j);
}

struct refusal {
	const char *path, *value; /* NULL value: removed */
	enum report_err why;
	const char *reason;
};

static const struct refusal refusals[] = {
	{"snmp", "{}", REPORT_ERR_SCHEMA, "snmp: an array expected, not an object"},
	{"snmp", "null", REPORT_ERR_SCHEMA, "snmp: an array expected, not null"},
	{"snmp[0].state", "\"sideways\"", REPORT_ERR_SCHEMA,
	 "snmp[0].state: \"sideways\" is not one of unknown, up, down"},
	{"snmp[0].colour", "1", REPORT_ERR_SCHEMA, "snmp[0].colour: unknown member"},
	{"snmp[0].error", NULL, REPORT_ERR_SCHEMA, "snmp[0].error: missing"},
	{"snmp[0].interfaces[1].admin", "7", REPORT_ERR_SCHEMA,
	 "snmp[0].interfaces[1].admin: a string expected, not an integer"},
	{"snmp[0].interfaces[0].counters.in_octets", "-1", REPORT_ERR_RANGE,
	 "snmp[0].interfaces[0].counters.in_octets: -1 is negative"},
	{"snmp[0].interfaces[0].rates.in_bps", "1e14", REPORT_ERR_RANGE,
	 "snmp[0].interfaces[0].rates.in_bps: 1e+14 is out of range"},
	{"snmp[0].interfaces[0].rates", "{\"in_bps\": 1}", REPORT_ERR_SCHEMA,
	 "snmp[0].interfaces[0].rates.out_bps: missing"},
	{"snmp[0].interfaces[1].name", "\"ge-0/0/1\"", REPORT_ERR_SCHEMA,
	 "snmp[0].interfaces[1]: \"ge-0/0/1\" is interfaces[0]'s too"},
	{"snmp[1].name", "\"core-sw\"", REPORT_ERR_SCHEMA,
	 "snmp[1].name: \"core-sw\" is snmp[0]'s too"},
	{"snmp[0].address", "\"10.0.0.1 x\"", REPORT_ERR_SCHEMA,
	 "snmp[0].address: byte 8 (0x20) is not printable ASCII"},
	{"snmp[0].uptime_s", "-5", REPORT_ERR_RANGE,
	 "snmp[0].uptime_s: -5 is out of range"},
	{"snmp[0].name", "\"\"", REPORT_ERR_SCHEMA, "snmp[0].name: empty"},
};

static void test_refusal(void **state)
{
	const struct refusal *t = *state;
	json_t *j = with_snmp();
	enum report_err why;
	char err[256];

	rc_set(j, t->path, t->value);
	assert_int_equal(rc_decode_json(j, &why, err, sizeof(err)), -1);
	if (why != t->why || !strstr(err, t->reason))
		fail_msg("want %s \"%s\", got %s \"%s\"",
			 report_err_words[t->why], t->reason,
			 report_err_words[why], err);
	json_decref(j);
}

/* Bounds: 17 devices, 65 interfaces. */
static void test_bounds(void **state)
{
	json_t *j = with_snmp(), *a = json_object_get(j, "snmp"), *ifs;
	enum report_err why;
	char err[256], name[16];

	(void)state;
	for (int i = 2; i < REPORT_MAX_SNMP_DEVICES + 1; i++) {
		json_t *d = json_deep_copy(json_array_get(a, 1));

		snprintf(name, sizeof(name), "d%d", i);
		json_object_set_new(d, "name", json_string(name));
		json_array_append_new(a, d);
	}
	assert_int_equal(rc_decode_json(j, &why, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "snmp: 17 entries, over the 16 allowed"));
	json_decref(j);

	j = with_snmp();
	ifs = json_object_get(json_array_get(json_object_get(j, "snmp"), 1),
			      "interfaces");
	for (int i = 1; i < REPORT_MAX_SNMP_IFACES + 1; i++) {
		json_t *f = json_deep_copy(json_array_get(ifs, 0));

		snprintf(name, sizeof(name), "i%d", i);
		json_object_set_new(f, "name", json_string(name));
		json_array_append_new(ifs, f);
	}
	assert_int_equal(rc_decode_json(j, &why, err, sizeof(err)), -1);
	assert_non_null(
		strstr(err, "snmp[1].interfaces: 65 entries, over the 64"));
	json_decref(j);
}

/* The encoder's side: report_check() refuses what the decoder would. */
static void test_check(void **state)
{
	json_t *j = with_snmp();
	enum report_err why;
	char err[256];

	(void)state;
	assert_int_equal(rc_decode_json(j, &why, err, sizeof(err)), 0);
	rc_r->snmp[0].ifs[0].in_bps = -1;
	assert_int_equal(report_check(rc_r, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "snmp[0].interfaces[0].rates.in_bps"));
	rc_r->snmp[0].ifs[0].in_bps = 0;
	rc_r->n_snmp = REPORT_MAX_SNMP_DEVICES + 1;
	assert_int_equal(report_check(rc_r, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "snmp: 17 entries"));
	json_decref(j);
}

int main(void)
{
	struct CMUnitTest tests[5 + sizeof(refusals) / sizeof(refusals[0])];
	size_t n = 0;

	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_golden);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_round_trip);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_absent);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_bounds);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_check);
	for (size_t i = 0; i < sizeof(refusals) / sizeof(refusals[0]); i++)
		tests[n++] = (struct CMUnitTest){refusals[i].path, test_refusal,
						 NULL, NULL,
						 (void *)&refusals[i]};
	return cmocka_run_group_tests(tests, rc_setup, rc_teardown);
}
