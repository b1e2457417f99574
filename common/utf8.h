/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * UTF-8 as RFC 3629 defines it: no overlong forms, no surrogates
 * (U+D800..U+DFFF), nothing past U+10FFFF, no sequence cut short.  Names
 * from the files end up in JSON answers and in the kernel, so a byte string
 * that is not UTF-8 is refused where it is read, not where it breaks.
 */
#ifndef EGNET_UTF8_H
#define EGNET_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Check @len bytes at @s.  0 when they are UTF-8 with no NUL; else
 * -EILSEQ, with *@bad (when not NULL) the offset of the first byte of the
 * first bad sequence (a NUL counts as bad).
 */
int utf8_check(const char *s, size_t len, size_t *bad);

/* utf8_check() of a NUL-terminated string. */
int utf8_check_str(const char *s, size_t *bad);

/* utf8_check_str() as a truth value. */
bool utf8_valid(const char *s);

/* Replace, in place, every byte that is not part of a valid sequence by
 * '?', so the text can be shown (problems quote what they refuse);
 * returns s. */
char *utf8_fix(char *s);

#endif
