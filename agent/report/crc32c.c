// SPDX-License-Identifier: BSD-2-Clause
/*
 * CRC32C by slicing-by-8 (eight tables, made once on first use); see
 * crc32c.h.  The tables are filled before the first computation and only
 * read after, so no lock is needed in a single-threaded agent.
 */
#include "agent/report/crc32c.h"

#include <stdbool.h>

static uint32_t crc32c_tab[8][256];
static bool crc32c_ready;

static void crc32c_init(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;

		for (int k = 0; k < 8; k++)
			c = c & 1 ? (c >> 1) ^ 0x82f63b78u : c >> 1;
		crc32c_tab[0][i] = c;
	}
	for (uint32_t i = 0; i < 256; i++)
		for (int t = 1; t < 8; t++)
			crc32c_tab[t][i] =
				(crc32c_tab[t - 1][i] >> 8) ^
				crc32c_tab[0][crc32c_tab[t - 1][i] & 0xff];
	crc32c_ready = true;
}

uint32_t crc32c(uint32_t crc, const void *p, size_t len)
{
	const unsigned char *b = p;

	if (!crc32c_ready)
		crc32c_init();
	crc = ~crc;
	while (len >= 8) {
		uint32_t lo =
			crc ^ ((uint32_t)b[0] | (uint32_t)b[1] << 8 |
			       (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24);
		crc = crc32c_tab[7][lo & 0xff] ^
		      crc32c_tab[6][(lo >> 8) & 0xff] ^
		      crc32c_tab[5][(lo >> 16) & 0xff] ^
		      crc32c_tab[4][lo >> 24] ^ crc32c_tab[3][b[4]] ^
		      crc32c_tab[2][b[5]] ^ crc32c_tab[1][b[6]] ^
		      crc32c_tab[0][b[7]];
		b += 8;
		len -= 8;
	}
	while (len--)
		crc = (crc >> 8) ^ crc32c_tab[0][(crc ^ *b++) & 0xff];
	return ~crc;
}
