// SPDX-License-Identifier: BSD-2-Clause
/*
 * Inventory CSV.  RFC 4180 quoting ("a ""b"", c"), '#' comments, blank lines
 * and an optional header line starting with "code".  Read strictly: the
 * file as every input (cfgfile_slurp), lines ending in LF or CRLF, UTF-8,
 * a BOM only at the very start, no control character (a tab neither).  Every problem is named
 * with its line and column; a bad line is left out, the others are kept so
 * all problems are found in one run.
 */
#include "common/inventory.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cfgfile.h"
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
		struct ip_prefix host;
		const char *special;

		if (ip_parse_addr(f[2], &node.addr, err, sizeof(err))) {
			diag_add(d, inv->path, lineno, "address", "%s", err);
			return;
		}
		/* a probe target: unicast, and not link-local (an ICMP echo
		 * to it would need a device the inventory does not name) */
		host = (struct ip_prefix){node.addr, ip_bits(node.addr.family)};
		special = ip_special(&host, NULL);
		if (special) {
			diag_add(d, inv->path, lineno, "address",
				 "'%s' is %s: no village can be probed there",
				 f[2], special);
			return;
		}
		node.has_addr = true;
	}
	/* room doubles: a province is ~15,000 lines */
	if (!(inv->n & (inv->n - 1)))
		inv->nodes = xrealloc(inv->nodes,
				      (size_t)(inv->n ? 2 * inv->n : 1) *
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

/*
 * Check one physical line (@n bytes at @s, line end removed) as text:
 * UTF-8, no control character (a tab neither), no byte order mark but at the
 * start of the file (@first).  0, or -1 with the problem added at @lineno.
 */
static int check_line(struct inventory *inv, struct diag *d, const char *s,
		      size_t n, int lineno, bool first)
{
	size_t bad;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\r') {
			diag_add(d, inv->path, lineno, NULL,
				 "a carriage return (CR) inside the line, "
				 "at column %zu", i + 1);
			return -1;
		}
		if (c < 0x20 || c == 0x7f) { /* a tab too, as RFC 4180 */
			diag_add(d, inv->path, lineno, NULL,
				 "a control character (0x%02x) at column %zu",
				 c, i + 1);
			return -1;
		}
		if (c == 0xef && i + 2 < n && (unsigned char)s[i + 1] == 0xbb &&
		    (unsigned char)s[i + 2] == 0xbf && !(first && i == 0)) {
			diag_add(d, inv->path, lineno, NULL,
				 "a byte order mark (BOM) at column %zu; "
				 "only the file may start with one", i + 1);
			return -1;
		}
	}
	if (utf8_check(s, n, &bad)) {
		diag_add(d, inv->path, lineno, NULL,
			 "not UTF-8 (byte 0x%02x at column %zu)",
			 (unsigned char)s[bad], bad + 1);
		return -1;
	}
	return 0;
}

int inventory_load(struct inventory *inv, const char *path, struct diag *d)
{
	char line[INV_MAX_LINE + 2], err[160], *text;
	int before = diag_count(d), lineno = 0;
	bool seen = false;
	size_t len;

	memset(inv, 0, sizeof(*inv));
	snprintf(inv->path, sizeof(inv->path), "%s", path);
	if (cfgfile_slurp(path, &text, &len, err, sizeof(err))) {
		diag_add(d, path, 0, NULL, "cannot read the inventory: %s",
			 err);
		return -EINVAL;
	}
	/* Lines end in LF or CRLF; any other CR, any control character
	 * (a tab too), a BOM past the start, bytes that are not UTF-8 are
	 * refused with the line and column. */
	for (const char *l = text; l < text + len;) {
		const char *nl = memchr(l, '\n', (size_t)(text + len - l));
		size_t n = nl ? (size_t)(nl - l) : (size_t)(text + len - l);
		const char *next = l + n + 1;
		char *s = line;

		lineno++;
		if (n && l[n - 1] == '\r')
			n--;
		if (n > INV_MAX_LINE) {
			diag_add(d, path, lineno, NULL, "line longer than %d "
				 "bytes", INV_MAX_LINE);
			l = next;
			continue;
		}
		if (check_line(inv, d, l, n, lineno, l == text)) {
			l = next;
			continue;
		}
		memcpy(line, l, n);
		line[n] = '\0';
		l = next;
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
	free(text);
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
