// SPDX-License-Identifier: BSD-2-Clause
/*
 * The verification's answers as text (collverify.h).  Every member is
 * checked for its type before use; a hostile answer prints dashes, never
 * a crash, and its nesting is followed at most five levels deep.
 */
#include "ctl/collverify.h"

#include <stdbool.h>
#include <string.h>

#include "ctl/textw.h"
#include "ctl/when.h"

#define LEVELS	 5
#define NAME_COLS 28

static const char *const levels[LEVELS] = {"province", "city", "county",
					   "township", "village"};
static const char *const states[] = {"connected", "degraded",
				     "unconfirmed", "unreachable",
				     "isolated", "silent", "never"};

static const char *str(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static bool integer(const json_t *o, const char *k, long long *v)
{
	const json_t *j = json_object_get(o, k);

	if (!json_is_integer(j))
		return false;
	*v = (long long)json_integer_value(j);
	return true;
}

static void tree_node(FILE *f, const json_t *n, int depth)
{
	const json_t *d = json_object_get(n, "descendants"),
		     *kids = json_object_get(n, "children");
	bool any = false;

	if (!json_is_object(n) || depth >= LEVELS)
		return;
	fprintf(f, "%*s", 2 * depth, "");
	textw_put(f, str(n, "code"), 12, false, "  ");
	textw_put(f, str(n, "name"), NAME_COLS - 2 * depth > 8
					     ? NAME_COLS - 2 * depth
					     : 8,
		  false, "  ");
	textw_put(f, str(n, "state"), 11, false, NULL);
	if (json_is_true(json_object_get(n, "wrong_parent")))
		fputs(" (names another parent)", f);
	for (size_t i = 0; i < sizeof(states) / sizeof(states[0]); i++) {
		long long c;

		if (!integer(d, states[i], &c) || c <= 0)
			continue;
		fprintf(f, "%s%lld ", any ? "" : "  below: ", c);
		textw_print(f, states[i]);
		fputc(' ', f);
		any = true;
	}
	fputc('\n', f);
	for (size_t i = 0; i < json_array_size(kids); i++)
		tree_node(f, json_array_get(kids, i), depth + 1);
}

void collverify_tree(FILE *f, const json_t *answer)
{
	const json_t *tree = json_object_get(answer, "tree"),
		     *un = json_object_get(answer, "unexpected");

	for (size_t i = 0; i < json_array_size(tree); i++)
		tree_node(f, json_array_get(tree, i), 0);
	if (!json_array_size(un))
		return;
	fprintf(f, "\nnot in the inventory (reported):\n");
	for (size_t i = 0; i < json_array_size(un); i++) {
		const json_t *u = json_array_get(un, i);
		long long n = 0;

		fputs("  ", f);
		textw_put(f, str(u, "code"), 12, false, "  ");
		textw_put(f, str(u, "level"), 8, false, "  parent ");
		textw_put(f, str(u, "parent"), 12, false, "  ");
		if (integer(u, "reports", &n))
			fprintf(f, "%lld reports", n);
		fputc('\n', f);
	}
}

static void cut_text(FILE *f, const json_t *cut)
{
	bool any = false;

	for (int l = 1; l < LEVELS; l++) {
		long long c;

		if (!integer(cut, levels[l], &c) || c <= 0)
			continue;
		fprintf(f, "%s%s %lld", any ? ", " : "", levels[l], c);
		any = true;
	}
	if (!any)
		fputs("nothing", f);
}

void collverify_outages(FILE *f, const json_t *answer, long long now_ms)
{
	const json_t *o = json_object_get(answer, "outages");
	long long now = now_ms;
	char b[64];

	integer(answer, "time_ms", &now);
	if (!json_array_size(o)) {
		fputs("no outage\n", f);
		return;
	}
	textw_put(f, "ROOT", 12, false, "  ");
	textw_put(f, "NAME", NAME_COLS, false, "  ");
	fprintf(f, "%-8s  %-11s  %-6s  %-12s  %s\n", "LEVEL", "STATE", "OPEN",
		"SINCE", "CUT OFF");
	for (size_t i = 0; i < json_array_size(o); i++) {
		const json_t *x = json_array_get(o, i),
			     *nodes = json_object_get(x, "nodes");
		long long t;

		textw_put(f, str(x, "root"), 12, false, "  ");
		textw_put(f, str(x, "name"), NAME_COLS, false, "  ");
		textw_put(f, str(x, "level"), 8, false, "  ");
		textw_put(f, str(x, "state"), 11, false, "  ");
		textw_put(f, json_is_false(json_object_get(x, "open")) ? "closed"
								       : "yes",
			  6, false, "  ");
		if (integer(x, "since", &t))
			when_age(t, now, b, sizeof(b));
		else
			snprintf(b, sizeof(b), "-");
		textw_put(f, b, 12, false, "  ");
		cut_text(f, json_object_get(x, "cut_off"));
		fputc('\n', f);
		for (size_t k = 0; k < json_array_size(nodes); k++) {
			const char *c = json_string_value(json_array_get(nodes, k));

			fputs(k % 8 ? " " : "    ", f);
			textw_put(f, c, 12, false, NULL);
			if (k % 8 == 7 || k + 1 == json_array_size(nodes))
				fputc('\n', f);
		}
	}
}

static void cov_line(FILE *f, const json_t *lv)
{
	bool any = false;

	for (int l = 0; l < LEVELS; l++) {
		const json_t *e = json_object_get(lv, levels[l]);
		long long c, x;
		const json_t *p = json_object_get(e, "pct");

		if (!integer(e, "connected", &c) || !integer(e, "expected", &x))
			continue;
		fprintf(f, "%s%s %lld/%lld", any ? "  " : "", levels[l], c, x);
		if (json_is_number(p))
			fprintf(f, " %.2f%%", json_number_value(p));
		any = true;
	}
	fputc('\n', f);
}

void collverify_coverage(FILE *f, const json_t *answer)
{
	const json_t *lv = json_object_get(answer, "levels"),
		     *regions = json_object_get(answer, "regions");
	const char *region = str(answer, "region");

	fputs("region ", f);
	textw_print(f, region ? region : "(all)");
	fputc('\n', f);
	for (int l = 0; l < LEVELS; l++) {
		const json_t *e = json_object_get(lv, levels[l]);
		long long c, x;

		if (!integer(e, "connected", &c) || !integer(e, "expected", &x))
			continue;
		fprintf(f, "  %-9s %8lld / %-8lld = %6.2f %%\n", levels[l], c, x,
			x ? 100.0 * (double)c / (double)x : 100.0);
	}
	if (!json_array_size(regions))
		return;
	fputc('\n', f);
	for (size_t i = 0; i < json_array_size(regions); i++) {
		const json_t *r = json_array_get(regions, i);

		textw_put(f, str(r, "code"), 12, false, "  ");
		textw_put(f, str(r, "name"), NAME_COLS, false, "  ");
		textw_put(f, str(r, "level"), 8, false, "  ");
		cov_line(f, json_object_get(r, "levels"));
	}
}
