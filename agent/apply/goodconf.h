/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The last good configuration: a copy of the files of the configuration
 * whose state the kernel has (the node config, the profile and every file
 * it @includes, the inventory), kept in the state folder beside the
 * applied state.  An agent whose configuration is broken when it starts
 * (an edit left half done, then a reboot) runs with that copy instead of
 * not at all: it keeps the gateway as it was, answers probes and says
 * what is wrong with the files on disk.
 *
 * Layout in the state folder, like applied.json and previous.json:
 *   good/            the configuration of the applied state
 *     node.conf and the files it @includes (at their relative paths),
 *     inventory.csv (when there is one), meta.json,
 *     profile/NAME and profile/INCLUDES as the profile names them
 *   good.previous/   the one before, for a rollback
 *   good.new/        being written; never read at start
 *
 * Functions return 0 or -errno with the reason in err where they take one.
 */
#ifndef EGNET_GOODCONF_H
#define EGNET_GOODCONF_H

#include <stdbool.h>
#include <stddef.h>

#include "common/diag.h"
#include "common/inputs.h"

/*
 * Copy the files @in was loaded from into good.new/ (replacing one left
 * there).  The includes of the profile and of the node config must be
 * relative paths without "..", and the node config's must not be named
 * as the copy's own files: anything else is refused (the copy could not
 * stand for them), and the agent says the last good copy is not kept.
 */
int goodconf_write(const char *statedir, const struct inputs *in, char *err,
		   size_t errlen);

/*
 * Load the copy in @which ("good", "good.new" or "good.previous") into
 * @in, problems into @d; *@saved is when it was written (seconds since the
 * epoch).  -ENOENT when there is none.
 */
int goodconf_load(const char *statedir, const char *which, struct inputs *in,
		  struct diag *d, long long *saved);

/* Whether there is a copy in @which. */
bool goodconf_exists(const char *statedir, const char *which);

/* good.new becomes good, and good good.previous. */
int goodconf_commit(const char *statedir, char *err, size_t errlen);

/* Remove good.new. */
void goodconf_discard(const char *statedir);

/*
 * The state folder a node config names (paths.state), read leniently from
 * a file that may have other problems; the default when it cannot say.
 */
void goodconf_statedir(const char *conf, char *out, size_t len);

/* good and good.previous trade places (after a rollback). */
int goodconf_swap(const char *statedir, char *err, size_t errlen);

#endif
