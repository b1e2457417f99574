// SPDX-License-Identifier: BSD-2-Clause
/*
 * Diagnostics list.  Out of memory here is a broken invariant of the whole
 * process, so allocation failure aborts rather than losing a problem.
 */
#include "common/diag.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/utf8.h"

void diag_init(struct diag *d)
{
	memset(d, 0, sizeof(*d));
}

void diag_free(struct diag *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free(d->items[i].file);
		free(d->items[i].setting);
		free(d->items[i].msg);
	}
	free(d->items);
	diag_init(d);
}

/* A copy that is UTF-8 text: problems are shown in JSON too (status), and
 * they quote the input, which may be anything. */
static char *text_or_null(const char *s)
{
	return s ? utf8_fix(xstrdup(s)) : NULL;
}

void diag_add(struct diag *d, const char *file, int line, const char *setting,
	      const char *fmt, ...)
{
	struct diag_item *it;
	va_list ap;

	if (d->n == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 16;
		d->items = xrealloc(d->items, d->cap * sizeof(*d->items));
	}
	it = &d->items[d->n++];
	it->file = text_or_null(file);
	it->line = line;
	it->setting = text_or_null(setting);
	va_start(ap, fmt);
	if (vasprintf(&it->msg, fmt, ap) < 0)
		fatal("out of memory");
	va_end(ap);
	utf8_fix(it->msg);
}

void diag_sort(struct diag *d)
{
	struct diag_item *copy;
	size_t i, j;

	if (d->n < 2)
		return;
	copy = xmalloc(d->n * sizeof(*copy));
	memcpy(copy, d->items, d->n * sizeof(*copy));
	/* insertion sort: lists are short and this keeps equal keys in order */
	for (i = 1; i < d->n; i++) {
		struct diag_item t = copy[i];

		for (j = i; j > 0; j--) {
			struct diag_item *p = &copy[j - 1];
			int c = strcmp(p->file ? p->file : "",
				       t.file ? t.file : "");

			if (c < 0 || (c == 0 && p->line <= t.line))
				break;
			copy[j] = copy[j - 1];
		}
		copy[j] = t;
	}
	memcpy(d->items, copy, d->n * sizeof(*copy));
	free(copy);
}

void diag_print(const struct diag *d, FILE *out)
{
	for (size_t i = 0; i < d->n; i++) {
		const struct diag_item *it = &d->items[i];

		if (it->file && it->line > 0)
			fprintf(out, "%s:%d: ", it->file, it->line);
		else if (it->file)
			fprintf(out, "%s: ", it->file);
		if (it->setting)
			fprintf(out, "%s: ", it->setting);
		fprintf(out, "%s\n", it->msg);
	}
}

int diag_count(const struct diag *d)
{
	return (int)d->n;
}
