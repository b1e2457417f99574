/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Inside the verification: what verify.c (building, feeding, ticking,
 * the registry) and verify_read.c (the reads of the API) share.  v->mu
 * guards all of struct verify but o, st and the thread.
 */
#ifndef EGNET_VERIFY_INT_H
#define EGNET_VERIFY_INT_H

#include <pthread.h>

#include "collector/verify/verify.h"

/* An engine and the inventory data it was built from. */
struct vset {
	struct topo *t;
	code_t *codes; /* the inventory's, in code order */
	uint32_t *name_off;
	char *names;
	int n;
	code_t *regions; /* nodes of levels <= coverage_depth */
	int nregions;
};

/* An outage the collector has opened (the store holds it open). */
struct vreg {
	code_t root;
	enum topo_state state;
	long long opened_ms;
	int cut[LEVEL_COUNT];
	code_t *nodes;
	int n_nodes;
};

struct verify {
	struct verify_opts o;
	struct store *st;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct vset set;
	struct vreg *reg;
	int nreg, capreg;
	int iv[LEVEL_COUNT];       /* the engine's intervals, ms */
	int iv_want[LEVEL_COUNT];  /* what the reports say */
	bool iv_said[LEVEL_COUNT]; /* a report of the level has said */
	bool rebuild;
	long long cov_slot;        /* the last coverage period written */
	struct verify_stats s;
	pthread_t thr;
	bool started, stop;
};

/* The name of @code in @s, "" when not in it. */
const char *vset_name(const struct vset *s, code_t code);

#endif
