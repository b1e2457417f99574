// SPDX-License-Identifier: BSD-2-Clause
/*
 * The dashboard's URL paths (collector/api/web.c): the input is a request
 * path as the server hands it (up to its first NUL).  web_path_ok() must
 * take only what a file of the table can be named: "/" then segments of
 * [A-Za-z0-9._-], none empty, none starting with '.', shorter than
 * WEB_PATH_MAX; web_type() must answer for any name without reading past
 * it.
 */
#include <string.h>

#include "collector/api/web.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *p = malloc(size + 1);
	size_t len;

	if (!p)
		return 0;
	memcpy(p, data, size);
	p[size] = '\0';
	len = strlen(p);
	(void)web_type(p);
	if (web_path_ok(p)) {
		FUZZ_CHECK(len < WEB_PATH_MAX && p[0] == '/', "'%s'", p);
		FUZZ_CHECK(!strstr(p, "//") && !strstr(p, "/.") &&
				   p[len - 1] != '/',
			   "'%s'", p);
		for (size_t i = 1; i < len; i++)
			FUZZ_CHECK(strchr("abcdefghijklmnopqrstuvwxyz"
					  "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
					  "0123456789._-/",
					  p[i]) != NULL,
				   "byte %zu of '%s'", i, p);
	}
	free(p);
	return 0;
}
