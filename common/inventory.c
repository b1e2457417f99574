// SPDX-License-Identifier: BSD-2-Clause
/*
 * Inventory CSV.  RFC 4180 quoting ("a ""b"", c"), '#' comments, blank lines
 * and an optional header line starting with "code".  Every problem is named
 * with its line and column; a bad line is left out, the others are kept so
 * all problems are found in one run.
 */
#include "common/inventory.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/utf8.h"

#define INV_MAX_LINE 4096
#define INV_COLS     3

static const char *const col_names[INV_COLS] = {"code", "name", "address"};

/*
 * Split one CSV line into at most INV_COLS fields, in place.  Returns the
 * number of fields or -1 with the reason in err.
 */
static int split_csv(char *line, char *fields[INV_COLS], char *err,
		     size_t errlen)
{
	char *r = line, *w = line;
	int n = 0;

	for (;;) {
		if (n == INV_COLS) {
			snprintf(err, errlen, "more than %d columns "
				 "(code,name,address)", INV_COLS);
			return -1;
		}
		fields[n++] = w;
		while (*r == ' ' || *r == '\t')
			r++;
		if (*r == '"') {
			r++;
			for (;;) {
				if (!*r) {
					snprintf(err, errlen, "unterminated "
						 "quote in column %s",
						 col_names[n - 1]);
					return -1;
				}
				if (*r == '"' && r[1] == '"') {
					*w++ = '"';
					r += 2;
				} else if (*r == '"') {
					r++;
					break;
				} else {
					*w++ = *r++;
				}
			}
			while (*r == ' ' || *r == '\t')
				r++;
			if (*r && *r != ',') {
				snprintf(err, errlen, "text after a closing "
					 "quote in column %s",
					 col_names[n - 1]);
				return -1;
			}
		} else {
			while (*r && *r != ',')
				*w++ = *r++;
			while (w > fields[n - 1] &&
			       (w[-1] == ' ' || w[-1] == '\t'))
				w--;
		}
		if (!*r) {
			*w = '\0';
			return n;
		}
		*w++ = '\0';
		r++; /* the comma */
	}
}

static int node_cmp(const void *a, const void *b)
{
	const struct inv_node *x = a, *y = b;

	return x->code < y->code ? -1 : x->code > y->code;
}

/* Sort order: by code, then by line, so a duplicate follows its first. */
static int sort_cmp(const void *a, const void *b)
{
	const struct inv_node *x = a, *y = b;
	int c = node_cmp(a, b);

	return c ? c : (x->line > y->line) - (x->line < y->line);
}

static void parse_line(struct inventory *inv, struct diag *d, char *line,
		       int lineno)
{
	char *f[INV_COLS] = {0}, err[160];
	struct inv_node node;
	int n;

	memset(&node, 0, sizeof(node));
	node.line = lineno;
	n = split_csv(line, f, err, sizeof(err));
	if (n < 0) {
		diag_add(d, inv->path, lineno, NULL, "%s", err);
		return;
	}
	if (n < 2 || !*f[1]) {
		diag_add(d, inv->path, lineno, "name", "missing name");
		return;
	}
	if (code_parse(f[0], &node.code, err, sizeof(err))) {
		diag_add(d, inv->path, lineno, "code", "%s", err);
		return;
	}
	if (strlen(f[1]) >= INV_NAME_LEN) {
		diag_add(d, inv->path, lineno, "name", "longer than %d bytes",
			 INV_NAME_LEN - 1);
		return;
	}
	if (!utf8_valid(f[1])) {
		diag_add(d, inv->path, lineno, "name", "not UTF-8 text");
		return;
	}
	snprintf(node.name, sizeof(node.name), "%s", f[1]);
	if (n == 3 && *f[2]) {
		if (ip_parse_addr(f[2], &node.addr, err, sizeof(err))) {
			diag_add(d, inv->path, lineno, "address", "%s", err);
			return;
		}
		node.has_addr = true;
	}
	inv->nodes = xrealloc(inv->nodes, (size_t)(inv->n + 1) *
						  sizeof(*inv->nodes));
	inv->nodes[inv->n++] = node;
}

/* Whole-inventory checks once every line is read and sorted. */
static void check_tree(struct inventory *inv, struct diag *d)
{
	char cb[CODE_STRLEN], pb[CODE_STRLEN];
	code_t province = 0;
	int w = 0;

	for (int i = 0; i < inv->n; i++) {
		struct inv_node *x = &inv->nodes[i];

		if (w > 0 && inv->nodes[w - 1].code == x->code) {
			diag_add(d, inv->path, x->line, "code",
				 "duplicate code %s (first at line %d)",
				 code_format(x->code, cb),
				 inv->nodes[w - 1].line);
			continue;
		}
		inv->nodes[w++] = *x;
	}
	inv->n = w;
	for (int i = 0; i < inv->n; i++) {
		const struct inv_node *x = &inv->nodes[i];
		code_t prov = code_ancestor_at(x->code, LEVEL_PROVINCE);

		if (!province)
			province = prov;
		if (prov != province) {
			diag_add(d, inv->path, x->line, "code",
				 "%s is not under province %s",
				 code_format(x->code, cb),
				 code_format(province, pb));
			continue;
		}
		if (code_level(x->code) != LEVEL_PROVINCE &&
		    !inventory_find(inv, code_parent(x->code)))
			diag_add(d, inv->path, x->line, "code",
				 "parent %s of %s is not in the inventory",
				 code_format(code_parent(x->code), pb),
				 code_format(x->code, cb));
		if (x->has_addr && code_level(x->code) != LEVEL_VILLAGE)
			diag_add(d, inv->path, x->line, "address",
				 "only villages (no agent) take an address; "
				 "%s is a %s",
				 code_format(x->code, cb),
				 code_level_name(code_level(x->code)));
	}
}

int inventory_load(struct inventory *inv, const char *path, struct diag *d)
{
	char line[INV_MAX_LINE + 2];
	int before = diag_count(d), lineno = 0;
	bool seen = false;
	FILE *f;

	memset(inv, 0, sizeof(*inv));
	snprintf(inv->path, sizeof(inv->path), "%s", path);
	f = fopen(path, "r");
	if (!f) {
		diag_add(d, path, 0, NULL, "cannot read the inventory: %s",
			 strerror(errno));
		return -EINVAL;
	}
	while (fgets(line, sizeof(line), f)) {
		size_t len = strlen(line);
		char *s = line;

		lineno++;
		if (len && line[len - 1] != '\n' && !feof(f)) {
			diag_add(d, path, lineno, NULL, "line longer than %d "
				 "bytes", INV_MAX_LINE);
			int c;
			while ((c = fgetc(f)) != EOF && c != '\n')
				;
			continue;
		}
		line[strcspn(line, "\r\n")] = '\0';
		if (lineno == 1 && !strncmp(s, "\xef\xbb\xbf", 3))
			s += 3; /* a BOM from spreadsheet exports */
		while (*s == ' ' || *s == '\t')
			s++;
		if (!*s || *s == '#')
			continue;
		/* the header, when the first line that is not a comment */
		if (!seen && (!strncmp(s, "code,", 5) || !strcmp(s, "code"))) {
			seen = true;
			continue;
		}
		seen = true;
		parse_line(inv, d, s, lineno);
	}
	fclose(f);
	if (inv->n == 0 && diag_count(d) == before)
		diag_add(d, path, 0, NULL, "the inventory lists no node");
	if (inv->n > 1)
		qsort(inv->nodes, (size_t)inv->n, sizeof(*inv->nodes),
		      sort_cmp);
	check_tree(inv, d);
	return diag_count(d) > before ? -EINVAL : 0;
}

void inventory_free(struct inventory *inv)
{
	free(inv->nodes);
	memset(inv, 0, sizeof(*inv));
}

const struct inv_node *inventory_find(const struct inventory *inv, code_t c)
{
	struct inv_node key = {.code = c};

	if (!inv->n)
		return NULL;
	return bsearch(&key, inv->nodes, (size_t)inv->n, sizeof(key),
		       node_cmp);
}

int inventory_children(const struct inventory *inv, code_t parent,
		       const struct inv_node **out, int max)
{
	int n = 0;

	for (int i = 0; i < inv->n; i++)
		if (code_parent(inv->nodes[i].code) == parent &&
		    code_level(inv->nodes[i].code) > code_level(parent)) {
			if (n < max)
				out[n] = &inv->nodes[i];
			n++;
		}
	return n;
}
