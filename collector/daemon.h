/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The collector's service: its inputs loaded and checked (config, the
 * TLS files it names, the inventory), the HTTP server started on them,
 * then signals: SIGHUP reloads (a broken new config or inventory is
 * refused with its file:line problems logged, and the running one kept),
 * SIGTERM and SIGINT stop cleanly.  The service manager hears READY=1,
 * RELOADING=1, STOPPING=1 and, when it asks for one, the watchdog's
 * WATCHDOG=1 (common/notify.h).
 */
#ifndef EGNET_COLLECTOR_DAEMON_H
#define EGNET_COLLECTOR_DAEMON_H

#include <stdio.h>

#include "collector/ingest/http.h"

/*
 * -n: check the config at @conf_path, the files it names and the inventory
 * (@inv_override, when not NULL, instead of the config's; with a NULL
 * @conf_path only that inventory is checked).  Problems are printed to
 * @out as FILE:LINE: ...  Returns 0 when all is good, 1 otherwise.
 */
int daemon_check(const char *conf_path, const char *inv_override, FILE *out);

/*
 * Serve until SIGTERM or SIGINT.  @extra (may be NULL) is a route table
 * tried before the product's (test builds).  Returns the exit code: 0
 * after a clean stop, 1 when the inputs are wrong or the server cannot
 * start.
 */
int daemon_serve(const char *conf_path, const char *inv_override,
		 const struct http_route *extra);

#endif
