/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The agent's state directory (/var/lib/egnet by default):
 *   applied.json   the last applied target state, with its profile
 *   previous.json  the one before (what `egnetctl rollback` returns to)
 *   journal.json   present only during an apply: the state before it, so a
 *                  restart after a crash puts it back (never a mix)
 *   pending.json   a commit-confirm in progress: its deadline and the state
 *                  to return to; written before the first change
 * Every file is written to a temporary name, synced and renamed, so it is
 * either the old or the new one.
 */
#ifndef EGNET_STATEDIR_H
#define EGNET_STATEDIR_H

#include <jansson.h>
#include <stdbool.h>

#include "agent/apply/kstate.h"

struct state_meta {
	char profile[64];  /* name */
	char version[64];
	char hash[17];	   /* of the target state */
	long long time;	   /* when applied, seconds since the epoch */
};

/* Create the directory (0750) if needed. */
int statedir_init(const char *dir, char *err, size_t errlen);

/* Write a state file (name without .json); extra may be NULL. */
int statedir_write(const char *dir, const char *name, const struct kstate *ks,
		   const struct state_meta *meta, json_t *extra, char *err,
		   size_t errlen);

/*
 * Read a state file.  Returns 0, -ENOENT when absent, or -EINVAL with the
 * reason when it is damaged.  *extra (when asked) is the file's object, for
 * fields of its own (the caller decrefs it).
 */
int statedir_read(const char *dir, const char *name, struct kstate *ks,
		  struct state_meta *meta, json_t **extra, char *err,
		  size_t errlen);

int statedir_remove(const char *dir, const char *name);
bool statedir_exists(const char *dir, const char *name);

/* FNV-1a over the canonical JSON of a state: a short, stable identity. */
void kstate_hash(const struct kstate *ks, char out[17]);

#endif
