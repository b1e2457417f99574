// SPDX-License-Identifier: BSD-2-Clause
/* UTF-8 checking; see utf8.h.  No state, no logging. */
#include "common/utf8.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

/* Length of the sequence at s (at most n bytes), or 0 when it is bad. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	uint32_t cp;
	size_t len;

	if (s[0] == 0)
		return 0;
	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		cp = s[0] & 0x07;
	} else {
		return 0; /* continuation byte, C0/C1 overlong lead, F5..FF */
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return len;
}

int utf8_check(const char *s, size_t len, size_t *bad)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;

	while (i < len) {
		size_t n = utf8_seq(u + i, len - i);

		if (!n) {
			if (bad)
				*bad = i;
			return -EILSEQ;
		}
		i += n;
	}
	return 0;
}

int utf8_check_str(const char *s, size_t *bad)
{
	return utf8_check(s, strlen(s), bad);
}

bool utf8_valid(const char *s)
{
	return utf8_check_str(s, NULL) == 0;
}

char *utf8_fix(char *s)
{
	size_t off = 0, bad, len = strlen(s);

	while (off < len && utf8_check(s + off, len - off, &bad)) {
		s[off + bad] = '?';
		off += bad + 1;
	}
	return s;
}
