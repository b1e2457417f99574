/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Division codes: the 12-digit statistical code (GB/T 2260 for the first six
 * digits) that names every node, PP CC DD TTT VVV.  The level is read off the
 * trailing zero groups and the parent is the code with its lowest non-zero
 * group cleared, so the whole tree follows from the codes alone.
 *
 * Functions return 0 or a negative errno and write a reason into the caller's
 * buffer; they never log.
 */
#ifndef EGNET_CODE_H
#define EGNET_CODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum code_level {
	LEVEL_PROVINCE = 0,
	LEVEL_CITY,
	LEVEL_COUNTY,
	LEVEL_TOWNSHIP,
	LEVEL_VILLAGE,
	LEVEL_COUNT,
	LEVEL_NONE = -1,
};

#define CODE_LEN     12
#define CODE_STRLEN  (CODE_LEN + 1)
#define CODE_ERR_MAX 128

typedef uint64_t code_t;

/*
 * Parse a division code: 12 digits, or the short forms of 2, 4, 6 or 9
 * digits that are padded with zeros.  Rejects non-digits, other lengths, a
 * zero province, and a non-zero group below a zero group (a village under a
 * zero township).  Returns 0 or -EINVAL with the reason in err.
 */
int code_parse(const char *s, code_t *out, char *err, size_t errlen);

/* Write the 12-digit form into buf (at least CODE_STRLEN bytes); returns buf. */
char *code_format(code_t code, char *buf);

/* Level of a valid code. */
enum code_level code_level(code_t code);

/* Parent of a valid code; the province has none and gets 0. */
code_t code_parent(code_t code);

/* True when a is a strict ancestor of b. */
bool code_is_ancestor(code_t a, code_t b);

/* Value of the code's own group: its index within its parent (1-based). */
unsigned code_index(code_t code);

/* Value of the group of the given level (0 when the code stops above it). */
unsigned code_group(code_t code, enum code_level level);

/* The code with every group below `level` cleared (its ancestor there). */
code_t code_ancestor_at(code_t code, enum code_level level);

/* Name of a level ("province" ... "village"); "?" out of range. */
const char *code_level_name(enum code_level level);

/* Level from its name; LEVEL_NONE when unknown. */
enum code_level code_level_from_name(const char *name);

/* Largest index a level's group can hold (99 or 999). */
unsigned code_level_max_index(enum code_level level);

#endif
