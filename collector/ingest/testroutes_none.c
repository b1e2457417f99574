// SPDX-License-Identifier: BSD-2-Clause
/* The product has no test routes. */
#include "collector/ingest/testroutes.h"

#include <stddef.h>

const struct http_route *testroutes_table(void)
{
	return NULL;
}
