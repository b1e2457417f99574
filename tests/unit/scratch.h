/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A scratch folder for unit tests that load input files: made fresh for a
 * group of tests (scratch_setup), removed with all it holds
 * (scratch_teardown), files written into it byte for byte (scratch_write),
 * and the problems a load found printed when a case fails (print_diag).
 * Included by one test file each (static definitions).
 */
#ifndef EGNET_TEST_SCRATCH_H
#define EGNET_TEST_SCRATCH_H

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/diag.h"

static char dir[64];

static int scratch_setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/egnet-test-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int scratch_rm(const char *path, const struct stat *st, int flag,
		      struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return flag == FTW_DP ? rmdir(path) : unlink(path);
}

static int scratch_teardown(void **state)
{
	(void)state;
	return nftw(dir, scratch_rm, 8, FTW_DEPTH | FTW_PHYS);
}

/* Write @len bytes of @text (strlen when -1) to @name in the folder. */
static void scratch_write(const char *name, const char *text, long len)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fwrite(text, 1, len < 0 ? strlen(text) : (size_t)len, f);
	fclose(f);
}

__attribute__((unused)) static void print_diag(const struct diag *d)
{
	for (size_t i = 0; i < d->n; i++)
		print_message("  got: %s:%d: %s: %s\n",
			      d->items[i].file ? d->items[i].file : "-",
			      d->items[i].line,
			      d->items[i].setting ? d->items[i].setting : "-",
			      d->items[i].msg);
}

#endif
