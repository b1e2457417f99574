/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Inside the link monitor: the state shared by linkmon.c (loading,
 * slots, attaching, counters), linkmon_tc.c (egnet's tc filters on a
 * hook, read from and written to the kernel) and linkmon_drops.c (drops by
 * reason and their names).  Not for users of linkmon.h.  Same error
 * policy: 0 or a negative errno, reasons in the caller's buffer, no logs.
 */
#ifndef EGNET_LINKMON_INT_H
#define EGNET_LINKMON_INT_H

#include <net/if.h>
#include <stdbool.h>
#include <bpf/libbpf.h>

#include "agent/watch/linkmon.h"
#include "bpf/linkmon.skel.h" /* generated into $(B)/bpf */

/* A link this linkmon attached to. */
struct lm_link {
	char name[IF_NAMESIZE];
	int ifindex;	   /* when attached: a re-created device has another */
	__u32 slot;	   /* its counters' place in link_counters */
	bool hook_created; /* we made its clsact qdisc */
};

/* One (ifindex, reason) of the drop map, summed over CPUs. */
struct lm_drop_entry {
	__u32 ifindex;
	struct lm_drop d;
};

/* A name of the kernel's enum skb_drop_reason. */
struct lm_reason {
	__u32 value;
	char name[48];
};

struct linkmon {
	struct linkmon_bpf *skel;
	int ncpus;	       /* possible CPUs: per-CPU values per key */
	struct lm_value *vals; /* ncpus of them, to read one key into */
	__u32 prog_id[2];      /* [enum lm_dir], to recognise our filters */
	struct lm_link *links;
	int n_links;
	bool slot_used[LM_SLOTS]; /* slot 0 is never used: "not watched" */
	char drops_off[200]; /* why drops are not counted, "" if they are */
	struct lm_reason *reasons; /* from kernel BTF, by value */
	int n_reasons;
	struct lm_drop_entry *drops; /* as linkmon_drops_refresh() read them */
	int n_drops, cap_drops;
};

/* egnet's filter on one hook, and whether anything else is there. */
struct lm_tc_scan {
	bool ours;     /* a bpf filter with our handle and priority, chain 0 */
	__u32 prog_id; /* the program it runs */
	int foreign;   /* entries that are not ours (filters, classifiers) */
};

extern const char *const lm_dir_name[2];	   /* [enum lm_dir] */
extern const enum bpf_tc_attach_point lm_point[2]; /* [enum lm_dir] */

static inline const struct bpf_program *lm_prog(const struct linkmon *lm,
						int dir)
{
	return dir == LM_INGRESS ? lm->skel->progs.linkmon_ingress
				 : lm->skel->progs.linkmon_egress;
}

/* ---- linkmon.c ---- */

/* The link this linkmon attached to by that name; NULL if none. */
struct lm_link *lm_find(struct linkmon *lm, const char *ifname);

/* ---- linkmon_tc.c ---- */

/* A hook of @ifindex at @point, filled in place (see linkmon_tc.c). */
void lm_tc_hook(struct bpf_tc_hook *hook, int ifindex,
		enum bpf_tc_attach_point point);
/* egnet's filter on one hook of @ifindex, and what else is there. */
int lm_tc_scan(int ifindex, int dir, struct lm_tc_scan *out);
int lm_tc_attach(const struct linkmon *lm, int ifindex, int dir);
int lm_tc_detach(int ifindex, int dir);
/* Take egnet's filters off both hooks; *others: anything else is there. */
int lm_tc_unhook(int ifindex, bool *others);
/* Remove the clsact qdisc when no filter at all is left on it. */
int lm_tc_destroy_unused(int ifindex);

/* ---- linkmon_drops.c ---- */

/* Drop every drop counter of @ifindex, so the map does not fill up. */
void lm_drops_forget(struct linkmon *lm, int ifindex);
/* The names of the kernel's drop reasons from its BTF; false (with
 * lm->drops_off set) when there are none. */
bool lm_drops_load_reasons(struct linkmon *lm);

#endif
