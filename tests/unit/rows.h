/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Table-driven cmocka tests: one named cmocka test per row of a table
 * (add_test), and poison() for error buffers, so a message left from an
 * earlier call can never pass for the expected one.  Included by one test
 * file each (static definitions).
 */
#ifndef EGNET_TEST_ROWS_H
#define EGNET_TEST_ROWS_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TESTS     256
#define TEST_NAME_LEN 128

static struct CMUnitTest tests[MAX_TESTS];
static char names[MAX_TESTS][TEST_NAME_LEN];
static size_t ntests;

__attribute__((format(printf, 3, 4))) static void
add_test(CMUnitTestFunction fn, const void *row, const char *fmt, ...)
{
	va_list ap;

	if (ntests == MAX_TESTS) {
		fprintf(stderr, "tests/unit/rows.h: raise MAX_TESTS\n");
		exit(1);
	}
	va_start(ap, fmt);
	vsnprintf(names[ntests], TEST_NAME_LEN, fmt, ap);
	va_end(ap);
	tests[ntests] = (struct CMUnitTest){
		.name = names[ntests],
		.test_func = fn,
		.initial_state = (void *)(uintptr_t)row,
	};
	ntests++;
}

#define ROWS(t) (sizeof(t) / sizeof((t)[0]))

/* Fill the error buffer so that a message left from before cannot pass. */
__attribute__((unused)) static void poison(char *err, size_t len)
{
	memset(err, 'Z', len - 1);
	err[len - 1] = '\0';
}

#endif
