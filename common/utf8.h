/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * UTF-8 text, as JSON needs it: every string egnet shows (renderings,
 * status, problems) goes through jansson, which refuses anything else.
 */
#ifndef EGNET_UTF8_H
#define EGNET_UTF8_H

#include <stdbool.h>

/* No malformed, overlong or surrogate sequence, nothing above U+10FFFF. */
bool utf8_valid(const char *s);

/* Replace, in place, every byte that is not part of a valid sequence by
 * '?', so the text can be shown; returns s. */
char *utf8_fix(char *s);

#endif
