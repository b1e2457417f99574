/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Text in terminal columns, for egnetctl's tables: the display width of a
 * UTF-8 string (two columns for a CJK, Hangul or fullwidth character, none
 * for a combining mark, one for the rest) and a cell of exactly N columns.
 *
 * Error policy: pure functions, nothing fails.  Text comes from the
 * collector (names from an inventory, reasons, event texts) and may be
 * anything: a byte that is not part of valid UTF-8 and every control
 * character (C0, DEL, C1, so no escape sequence reaches the terminal) is
 * shown as '?', one column.
 */
#ifndef EGNET_TEXTW_H
#define EGNET_TEXTW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Columns of code point @cp: 0, 1 or 2 (a control character: 1, as '?'). */
int textw_cp_width(uint32_t cp);

/* Columns @s takes as textw_cell() shows it; NULL is "" (0). */
int textw_width(const char *s);

/*
 * @s shown in exactly @cols columns into @out (@outlen bytes, NUL ended):
 * padded with spaces on the right (@right: on the left), or, when wider,
 * cut at a character boundary with '~' as its last column (a wide
 * character that would straddle the cut gives its place to a space).
 * Controls and bad bytes become '?'.  Returns @out.  @outlen of
 * 4 * @cols + 1 always holds the cell.  NULL @s is "-".
 */
char *textw_cell(char *out, size_t outlen, const char *s, int cols,
		 bool right);

/* textw_cell() printed to @f, followed by @sep (may be NULL). */
void textw_put(FILE *f, const char *s, int cols, bool right,
	       const char *sep);

/* @s with controls and bad bytes as '?', the whole of it, to @f. */
void textw_print(FILE *f, const char *s);

#endif
