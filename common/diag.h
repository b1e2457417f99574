/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Diagnostics: the list of problems found in a set of input files, each as
 * FILE:LINE: SETTING: what is wrong.  Loaders add every problem they find and
 * go on, so one run names them all; the caller prints the list once.
 */
#ifndef EGNET_DIAG_H
#define EGNET_DIAG_H

#include <stddef.h>
#include <stdio.h>

struct diag_item {
	char *file;
	int line;
	char *setting;
	char *msg;
};

struct diag {
	struct diag_item *items;
	size_t n, cap;
};

void diag_init(struct diag *d);
void diag_free(struct diag *d);

/* Add a problem; file and setting may be NULL. */
void diag_add(struct diag *d, const char *file, int line, const char *setting,
	      const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Sort by file then line (stable), so output follows the files. */
void diag_sort(struct diag *d);

/* Print one line per problem. */
void diag_print(const struct diag *d, FILE *out);

/* Number of problems. */
int diag_count(const struct diag *d);

#endif
