// SPDX-License-Identifier: BSD-2-Clause
/*
 * Unit tests of ctl/when.h, the times of egnetctl's collector commands:
 * durations (every unit, sums such as 1h30m, and the exact reason for a
 * bare number, an unknown unit, nothing, too long), points in time (a
 * duration back from now, "now", dates and times in local time and in
 * UTC with a Z, in two time zones, an impossible day refused), and the
 * ages and spans the tables print.  The instants are worked out from the
 * calendar: 2024-06-10 00:00:00 UTC is 1717977600 s.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "ctl/when.h"

#include "tests/unit/rows.h"

#define DAY0 1717977600000LL /* 2024-06-10 00:00:00 UTC, in ms */
#define H    3600000LL
#define M    60000LL
#define S    1000LL

static const struct drow {
	const char *in;
	long long ms;    /* -1: refused */
	const char *why; /* part of the reason */
} drows[] = {
	{"90s", 90 * S, NULL},
	{"30m", 30 * M, NULL},
	{"30min", 30 * M, NULL},
	{"1h", H, NULL},
	{"1h30m", H + 30 * M, NULL},
	{"2d", 48 * H, NULL},
	{"1w", 7 * 24 * H, NULL},
	{"250ms", 250, NULL},
	{"1d2h3m4s", 24 * H + 2 * H + 3 * M + 4 * S, NULL},
	{"", -1, "an empty duration"},
	{"30", -1, "a unit is missing"},
	{"5x", -1, "unknown unit"},
	{"h", -1, "a number is expected"},
	{"1h30", -1, "a unit is missing"},
	{"-5m", -1, "a number is expected"},
	{"0s", -1, "a duration of nothing"},
	{"99999999999999999999s", -1, "too long"},
	{"36600000d", -1, "too long"},
	{"1 h", -1, "unknown unit"},
};

static void test_duration(void **state)
{
	const struct drow *r = *state;
	long long ms = 12345;
	char err[160];

	poison(err, sizeof(err));
	if (r->ms >= 0) {
		assert_int_equal(when_duration(r->in, &ms, err, sizeof(err)), 0);
		assert_int_equal(ms, r->ms);
	} else {
		assert_int_equal(when_duration(r->in, &ms, err, sizeof(err)),
				 -EINVAL);
		assert_non_null(strstr(err, r->why));
		assert_int_equal(ms, 12345); /* untouched */
	}
}

static const struct prow {
	const char *tz, *in;
	long long ms; /* -1: refused */
	const char *why;
} prows[] = {
	{"UTC", "2024-06-10", DAY0, NULL},
	{"UTC", "2024-06-10 14:30", DAY0 + 14 * H + 30 * M, NULL},
	{"UTC", "2024-06-10 14:30:05", DAY0 + 14 * H + 30 * M + 5 * S, NULL},
	{"UTC", "2024-06-10T14:30:05", DAY0 + 14 * H + 30 * M + 5 * S, NULL},
	/* Shanghai is UTC+8, no summer time */
	{"Asia/Shanghai", "2024-06-10 14:30", DAY0 + 6 * H + 30 * M, NULL},
	{"Asia/Shanghai", "2024-06-10T14:30:05Z", DAY0 + 14 * H + 30 * M + 5 * S,
	 NULL},
	{"Asia/Shanghai", "2024-06-10", DAY0 - 8 * H, NULL},
	{"UTC", "2024-02-29", DAY0 - 102 * 24 * H, NULL}, /* a leap day */
	{"UTC", "2023-02-29", -1, "no such day"},
	{"UTC", "2024-06-31", -1, "no such day"},
	{"UTC", "2024-13-01", -1, "not a duration"},
	{"UTC", "2024-06-10 24:00", -1, "not a duration"},
	{"UTC", "2024-06-10 14:3", -1, "not a duration"},
	{"UTC", "2024-06-10 14:30 junk", -1, "not a duration"},
	{"UTC", "2024-6-10", -1, "not a duration"},
	{"UTC", "yesterday", -1, "a number is expected"},
};

static void test_parse(void **state)
{
	const struct prow *r = *state;
	long long ms = 12345;
	char err[160];

	setenv("TZ", r->tz, 1);
	tzset();
	poison(err, sizeof(err));
	if (r->ms >= 0) {
		assert_int_equal(when_parse(r->in, DAY0, &ms, err, sizeof(err)), 0);
		assert_int_equal(ms, r->ms);
	} else {
		assert_int_equal(when_parse(r->in, DAY0, &ms, err, sizeof(err)),
				 -EINVAL);
		assert_non_null(strstr(err, r->why));
		assert_int_equal(ms, 12345);
	}
}

static void test_parse_relative(void **state)
{
	long long ms;
	char err[160];

	(void)state;
	assert_int_equal(when_parse("1h", DAY0, &ms, err, sizeof(err)), 0);
	assert_int_equal(ms, DAY0 - H);
	assert_int_equal(when_parse("now", DAY0, &ms, err, sizeof(err)), 0);
	assert_int_equal(ms, DAY0);
	/* before 1970 */
	assert_int_equal(when_parse("2h", H, &ms, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "before 1970"));
}

static const struct arow {
	long long d; /* now - then */
	const char *age;
} arows[] = {
	{0, "0 s ago"},
	{12 * S + 999, "12 s ago"},
	{119 * S, "119 s ago"},
	{120 * S, "2 min ago"},
	{119 * M, "119 min ago"},
	{120 * M, "2 h ago"},
	{47 * H, "47 h ago"},
	{48 * H, "2 d ago"},
	{400 * 24 * H, "400 d ago"},
	{-3 * S, "in 3 s"},
	{-5 * M, "in 5 min"},
};

static void test_age(void **state)
{
	const struct arow *r = *state;
	char b[32];

	assert_string_equal(when_age(DAY0 - r->d, DAY0, b, sizeof(b)), r->age);
}

static void test_format(void **state)
{
	char b[32];

	(void)state;
	assert_string_equal(when_format(DAY0 + 14 * H + 5 * S, 1, b, sizeof(b)),
			    "2024-06-10 14:00:05");
	setenv("TZ", "Asia/Shanghai", 1);
	tzset();
	assert_string_equal(when_format(DAY0 + 20 * H, 0, b, sizeof(b)),
			    "2024-06-11 04:00:00");
	assert_string_equal(when_span(72 * H, b, sizeof(b)), "3 d");
	assert_string_equal(when_span(-90 * S, b, sizeof(b)), "90 s");
}

int main(void)
{
	for (size_t i = 0; i < ROWS(drows); i++)
		add_test(test_duration, &drows[i], "duration '%s'", drows[i].in);
	for (size_t i = 0; i < ROWS(prows); i++)
		add_test(test_parse, &prows[i], "time '%s' in %s", prows[i].in,
			 prows[i].tz);
	add_test(test_parse_relative, NULL, "relative");
	for (size_t i = 0; i < ROWS(arows); i++)
		add_test(test_age, &arows[i], "age %lld ms", arows[i].d);
	add_test(test_format, NULL, "format");
	return _cmocka_run_group_tests("when", tests, ntests, NULL, NULL);
}
