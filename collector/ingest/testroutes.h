/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Routes only test builds have.  The product links testroutes_none.c (no
 * routes); tests/support/collector_routes.c gives the test binary
 * tests/egnet-collector-test its own, tried before the product's.
 */
#ifndef EGNET_TESTROUTES_H
#define EGNET_TESTROUTES_H

#include "collector/ingest/http.h"

/* A route table, or NULL. */
const struct http_route *testroutes_table(void);

#endif
