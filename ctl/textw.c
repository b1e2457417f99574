// SPDX-License-Identifier: BSD-2-Clause
/*
 * Display width and table cells (textw.h).  The wide ranges are those of
 * Unicode's East Asian Width W and F classes that a province's names and
 * texts use (CJK ideographs and their extensions, punctuation, kana,
 * Hangul, fullwidth forms) and the common emoji blocks; the zero-width ones
 * are the combining marks, variation selectors and zero-width spaces.  A
 * table of our own rather than wcwidth(3), whose answer depends on the
 * locale the command happens to run under.
 */
#include "ctl/textw.h"

#include <string.h>

struct range {
	uint32_t lo, hi;
};

static const struct range wide[] = {
	{0x1100, 0x115f},   {0x231a, 0x231b},	{0x2329, 0x232a},
	{0x23e9, 0x23ec},   {0x2e80, 0x303e},	{0x3041, 0x33ff},
	{0x3400, 0x4dbf},   {0x4e00, 0x9fff},	{0xa000, 0xa4cf},
	{0xa960, 0xa97f},   {0xac00, 0xd7a3},	{0xf900, 0xfaff},
	{0xfe10, 0xfe19},   {0xfe30, 0xfe6f},	{0xff00, 0xff60},
	{0xffe0, 0xffe6},   {0x1f300, 0x1f64f}, {0x1f900, 0x1f9ff},
	{0x20000, 0x2fffd}, {0x30000, 0x3fffd},
};

static const struct range zero[] = {
	{0x0300, 0x036f}, {0x0483, 0x0489}, {0x0591, 0x05bd},
	{0x0610, 0x061a}, {0x064b, 0x065f}, {0x1ab0, 0x1aff},
	{0x1dc0, 0x1dff}, {0x200b, 0x200f}, {0x20d0, 0x20ff},
	{0x302a, 0x302d}, {0x3099, 0x309a}, {0xfe00, 0xfe0f},
	{0xfe20, 0xfe2f}, {0xfeff, 0xfeff}, {0xe0100, 0xe01ef},
};

static bool in(const struct range *r, size_t n, uint32_t cp)
{
	for (size_t i = 0; i < n; i++)
		if (cp >= r[i].lo && cp <= r[i].hi)
			return true;
	return false;
}

int textw_cp_width(uint32_t cp)
{
	if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0))
		return 1; /* shown as '?' */
	if (in(zero, sizeof(zero) / sizeof(zero[0]), cp))
		return 0;
	if (in(wide, sizeof(wide) / sizeof(wide[0]), cp))
		return 2;
	return 1;
}

/*
 * The character at @s: its length in bytes (0 at the end), its code point
 * in *@cp, and whether it is shown as itself (false: a bad byte or a
 * control, shown as '?', length 1 for a bad byte).
 */
static size_t next(const char *s, uint32_t *cp, bool *shown)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t len, i;

	*shown = false;
	*cp = '?';
	if (!u[0])
		return 0;
	if (u[0] < 0x80) {
		*cp = u[0];
		*shown = u[0] >= 0x20 && u[0] != 0x7f;
		return 1;
	}
	if (u[0] >= 0xc2 && u[0] <= 0xdf)
		len = 2, *cp = u[0] & 0x1f;
	else if (u[0] >= 0xe0 && u[0] <= 0xef)
		len = 3, *cp = u[0] & 0x0f;
	else if (u[0] >= 0xf0 && u[0] <= 0xf4)
		len = 4, *cp = u[0] & 0x07;
	else
		goto bad;
	for (i = 1; i < len; i++) {
		if ((u[i] & 0xc0) != 0x80)
			goto bad;
		*cp = *cp << 6 | (u[i] & 0x3f);
	}
	if ((len == 3 && *cp < 0x800) || (len == 4 && *cp < 0x10000) ||
	    (*cp >= 0xd800 && *cp <= 0xdfff) || *cp > 0x10ffff)
		goto bad;
	*shown = *cp >= 0xa0; /* C1 controls are 0x80..0x9f */
	return len;
bad:
	*cp = '?';
	return 1;
}

int textw_width(const char *s)
{
	uint32_t cp;
	bool shown;
	size_t n;
	int w = 0;

	if (!s)
		return 0;
	while ((n = next(s, &cp, &shown))) {
		w += shown ? textw_cp_width(cp) : 1;
		s += n;
	}
	return w;
}

char *textw_cell(char *out, size_t outlen, const char *s, int cols,
		 bool right)
{
	size_t o = 0, n;
	int w = 0, total, fill;
	uint32_t cp;
	bool shown, cut;

	if (!outlen)
		return out;
	if (!s)
		s = "-";
	if (cols < 0)
		cols = 0;
	total = textw_width(s);
	cut = total > cols;
	fill = cut ? 0 : cols - total;
	for (; right && fill > 0 && o + 1 < outlen; fill--)
		out[o++] = ' ';
	while ((n = next(s, &cp, &shown))) {
		int cw = shown ? textw_cp_width(cp) : 1;

		/* room for the '~' when cutting */
		if (w + cw > cols - (cut ? 1 : 0))
			break;
		if (o + (shown ? n : 1) + 1 > outlen)
			break;
		if (shown) {
			memcpy(out + o, s, n);
			o += n;
		} else {
			out[o++] = '?';
		}
		w += cw;
		s += n;
	}
	if (cut && cols > 0) {
		while (w < cols - 1 && o + 1 < outlen) {
			out[o++] = ' ';
			w++;
		}
		if (o + 1 < outlen)
			out[o++] = '~';
	}
	for (; fill > 0 && o + 1 < outlen; fill--)
		out[o++] = ' ';
	out[o] = '\0';
	return out;
}

void textw_put(FILE *f, const char *s, int cols, bool right,
	       const char *sep)
{
	char buf[1024];

	if (cols > 250)
		cols = 250;
	fputs(textw_cell(buf, sizeof(buf), s, cols, right), f);
	if (sep)
		fputs(sep, f);
}

void textw_print(FILE *f, const char *s)
{
	uint32_t cp;
	bool shown;
	size_t n;

	if (!s)
		return;
	while ((n = next(s, &cp, &shown))) {
		if (shown)
			fwrite(s, 1, n, f);
		else
			fputc('?', f);
		s += n;
	}
}
