// SPDX-License-Identifier: BSD-2-Clause
/* UTF-8 checks; see utf8.h. */
#include "common/utf8.h"

#include <stddef.h>
#include <stdint.h>

/* Length of the valid sequence at p, 0 when there is none (or at NUL). */
static size_t seq_len(const unsigned char *p)
{
	unsigned c = p[0];
	size_t n;
	uint32_t cp, min;

	if (c && c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2, min = 0x80, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3, min = 0x800, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4, min = 0x10000, cp = c & 0x07;
	else
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80) /* the NUL too */
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

bool utf8_valid(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		size_t n = seq_len(p);

		if (!n)
			return false;
		p += n;
	}
	return true;
}

char *utf8_fix(char *s)
{
	unsigned char *p = (unsigned char *)s;

	while (*p) {
		size_t n = seq_len(p);

		if (n) {
			p += n;
		} else {
			*p++ = '?';
		}
	}
	return s;
}
