// SPDX-License-Identifier: BSD-2-Clause
/*
 * Division codes.  A code is held as the integer value of its 12 digits, so
 * groups are plain divisions by powers of ten and codes compare and hash as
 * numbers.  Parsing is strict: the code is the node's identity everywhere
 * (reports, inventory, addresses), so a malformed one must never get in.
 */
#include "common/code.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* Width in digits and weight (10^position) of each level's group. */
static const struct {
	const char *name;
	unsigned width;
	code_t weight;
} levels[LEVEL_COUNT] = {
	[LEVEL_PROVINCE] = {"province", 2, 10000000000ULL},
	[LEVEL_CITY] = {"city", 2, 100000000ULL},
	[LEVEL_COUNTY] = {"county", 2, 1000000ULL},
	[LEVEL_TOWNSHIP] = {"township", 3, 1000ULL},
	[LEVEL_VILLAGE] = {"village", 3, 1ULL},
};

unsigned code_group(code_t code, enum code_level level)
{
	if (level < 0 || level >= LEVEL_COUNT)
		return 0;
	return (unsigned)((code / levels[level].weight) %
			  (levels[level].width == 2 ? 100 : 1000));
}

int code_parse(const char *s, code_t *out, char *err, size_t errlen)
{
	size_t n = s ? strlen(s) : 0;
	code_t v = 0;

	if (n != 2 && n != 4 && n != 6 && n != 9 && n != CODE_LEN) {
		snprintf(err, errlen,
			 "code '%.20s' has %zu digits (want 12, or 2/4/6/9)",
			 s ? s : "", n);
		return -EINVAL;
	}
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9') {
			snprintf(err, errlen,
				 "code '%s' has a non-digit at position %zu", s,
				 i + 1);
			return -EINVAL;
		}
		v = v * 10 + (code_t)(s[i] - '0');
	}
	for (size_t i = n; i < CODE_LEN; i++)
		v *= 10;

	if (code_group(v, LEVEL_PROVINCE) < 11) {
		snprintf(err, errlen,
			 "code '%s': province group %02u is not a province "
			 "(11..99)",
			 s, code_group(v, LEVEL_PROVINCE));
		return -EINVAL;
	}
	for (int l = LEVEL_CITY; l < LEVEL_COUNT; l++) {
		if (code_group(v, l) != 0 && code_group(v, l - 1) == 0) {
			snprintf(err, errlen,
				 "code '%s': %s group is set under a zero %s "
				 "group",
				 s, levels[l].name, levels[l - 1].name);
			return -EINVAL;
		}
	}
	*out = v;
	return 0;
}

char *code_format(code_t code, char *buf)
{
	snprintf(buf, CODE_STRLEN, "%012llu",
		 (unsigned long long)(code % 1000000000000ULL));
	return buf;
}

enum code_level code_level(code_t code)
{
	for (int l = LEVEL_VILLAGE; l > LEVEL_PROVINCE; l--)
		if (code_group(code, l) != 0)
			return l;
	return LEVEL_PROVINCE;
}

code_t code_ancestor_at(code_t code, enum code_level level)
{
	if (level < 0 || level >= LEVEL_COUNT)
		return 0;
	code_t unit = levels[level].weight;
	return code - code % unit;
}

code_t code_parent(code_t code)
{
	enum code_level l = code_level(code);

	return l == LEVEL_PROVINCE ? 0 : code_ancestor_at(code, l - 1);
}

bool code_is_ancestor(code_t a, code_t b)
{
	enum code_level la = code_level(a), lb = code_level(b);

	return la < lb && code_ancestor_at(b, la) == a;
}

unsigned code_index(code_t code)
{
	return code_group(code, code_level(code));
}

const char *code_level_name(enum code_level level)
{
	if (level < 0 || level >= LEVEL_COUNT)
		return "?";
	return levels[level].name;
}

enum code_level code_level_from_name(const char *name)
{
	for (int l = 0; l < LEVEL_COUNT; l++)
		if (name && strcmp(name, levels[l].name) == 0)
			return l;
	return LEVEL_NONE;
}

unsigned code_level_max_index(enum code_level level)
{
	return level >= LEVEL_COUNT || level < 0
		       ? 0
		       : (levels[level].width == 2 ? 99 : 999);
}
