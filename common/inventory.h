/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The inventory: every node that should exist, as CSV (code,name[,address]),
 * shared by the collector and the agents.  The address column is for
 * village endpoints that run no agent and are not where the plan puts them.
 */
#ifndef EGNET_INVENTORY_H
#define EGNET_INVENTORY_H

#include <stdbool.h>

#include "common/code.h"
#include "common/diag.h"
#include "common/ip.h"

#define INV_NAME_LEN 128

struct inv_node {
	code_t code;
	char name[INV_NAME_LEN];
	bool has_addr;
	struct ip_addr addr;
	int line;
};

struct inventory {
	char path[4096];
	struct inv_node *nodes; /* sorted by code after load */
	int n;
};

/*
 * Load and check an inventory: codes, duplicates, one province, every
 * node's parent present.  Problems go to d as file:line: column: ...
 * Returns 0 or -EINVAL; inventory_free() in both cases.
 */
int inventory_load(struct inventory *inv, const char *path, struct diag *d);
void inventory_free(struct inventory *inv);

const struct inv_node *inventory_find(const struct inventory *inv, code_t c);

/*
 * Direct children of `parent`, in code order: fills up to max pointers,
 * returns how many there are.
 */
int inventory_children(const struct inventory *inv, code_t parent,
		       const struct inv_node **out, int max);

#endif
