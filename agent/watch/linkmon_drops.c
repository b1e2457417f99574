// SPDX-License-Identifier: BSD-2-Clause
/*
 * Drops by reason: the kfree_skb program's map read once for all links,
 * and the names of the kernel's enum skb_drop_reason from its BTF (prefix
 * removed, as the kernel's own trace output prints them).  0 or a
 * negative errno; nothing here logs.
 */
#include "agent/watch/linkmon_int.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/pkt_cls.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "common/log.h"

/* Kernel BTF, where the reasons' names are. */
#define LM_VMLINUX_BTF "/sys/kernel/btf/vmlinux"

/* Drop every drop counter of @ifindex, so the map does not fill up. */
void lm_drops_forget(struct linkmon *lm, int ifindex)
{
	struct bpf_map *map = lm->skel->maps.link_drops;
	struct lm_drop_key key, next, *prev = NULL;

	while (bpf_map__get_next_key(map, prev, &next, sizeof(next)) == 0) {
		key = next;
		if (key.ifindex == (__u32)ifindex &&
		    bpf_map__delete_elem(map, &key, sizeof(key), 0) == 0)
			continue; /* deleted: start over from the same place */
		prev = &key;
	}
}

const char *linkmon_drops_off(const struct linkmon *lm)
{
	return lm->drops_off[0] ? lm->drops_off : NULL;
}

const char *linkmon_reason_name(const struct linkmon *lm, uint32_t reason,
				char *buf, size_t len)
{
	int lo = 0, hi = lm->n_reasons - 1;

	while (lo <= hi) { /* the table is sorted by value */
		int mid = (lo + hi) / 2;

		if (lm->reasons[mid].value == reason)
			return lm->reasons[mid].name;
		if (lm->reasons[mid].value < reason)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	snprintf(buf, len, "0x%x", reason);
	return buf;
}

int linkmon_drops_refresh(struct linkmon *lm)
{
	size_t vsize = (size_t)lm->ncpus * sizeof(*lm->vals);
	struct bpf_map *map = lm->skel->maps.link_drops;
	struct lm_drop_key key, *prev = NULL;
	int ret, cpu;

	lm->n_drops = 0;
	if (lm->drops_off[0])
		return 0;
	while (bpf_map__get_next_key(map, prev, &key, sizeof(key)) == 0) {
		struct lm_drop_entry *e;

		prev = &key;
		ret = bpf_map__lookup_elem(map, &key, sizeof(key), lm->vals,
					   vsize, 0);
		if (ret == -ENOENT)
			continue; /* deleted meanwhile */
		if (ret)
			return ret;
		if (lm->n_drops == LM_DROPS_MAX)
			break; /* the map holds no more; a guard all the same */
		if (lm->n_drops == lm->cap_drops) {
			lm->cap_drops = lm->cap_drops ? 2 * lm->cap_drops : 64;
			lm->drops =
				xrealloc(lm->drops, (size_t)lm->cap_drops *
							    sizeof(*lm->drops));
		}
		e = &lm->drops[lm->n_drops++];
		memset(e, 0, sizeof(*e));
		e->ifindex = key.ifindex;
		e->d.reason = key.reason;
		for (cpu = 0; cpu < lm->ncpus; cpu++) {
			e->d.packets += lm->vals[cpu].packets;
			e->d.bytes += lm->vals[cpu].bytes;
		}
	}
	return 0;
}

int linkmon_drops(struct linkmon *lm, const char *ifname, struct lm_drop *out,
		  int max)
{
	struct lm_link *l = lm_find(lm, ifname);
	int n = 0, i;

	if (!l)
		return 0;
	for (i = 0; i < lm->n_drops && n < max; i++)
		if (lm->drops[i].ifindex == (__u32)l->ifindex)
			out[n++] = lm->drops[i].d;
	return n;
}

static int lm_reason_cmp(const void *a, const void *b)
{
	const struct lm_reason *x = a, *y = b;

	return x->value < y->value ? -1 : x->value > y->value;
}

/*
 * The names of the kernel's drop reasons, from its BTF: enum
 * skb_drop_reason, SKB_DROP_REASON_ taken off (the kernel's own trace
 * output prints them so).  Returns false when the kernel has no such
 * enum: it has no drop reasons to count then.
 */
bool lm_drops_load_reasons(struct linkmon *lm)
{
	static const char prefix[] = "SKB_DROP_REASON_";
	struct btf *btf = btf__load_vmlinux_btf();
	const struct btf_type *t;
	const struct btf_enum *e;
	int id, i, n;

	if (!btf)
		return false;
	id = btf__find_by_name_kind(btf, "skb_drop_reason", BTF_KIND_ENUM);
	if (id < 0) {
		btf__free(btf);
		return false;
	}
	t = btf__type_by_id(btf, id);
	e = btf_enum(t);
	n = btf_vlen(t);
	lm->reasons = xcalloc((size_t)n + 1, sizeof(*lm->reasons));
	for (i = 0; i < n; i++) {
		const char *name = btf__name_by_offset(btf, e[i].name_off);

		if (!name)
			continue;
		if (!strncmp(name, prefix, sizeof(prefix) - 1))
			name += sizeof(prefix) - 1;
		lm->reasons[lm->n_reasons].value = (__u32)e[i].val;
		snprintf(lm->reasons[lm->n_reasons].name,
			 sizeof(lm->reasons[0].name), "%s", name);
		lm->n_reasons++;
	}
	qsort(lm->reasons, (size_t)lm->n_reasons, sizeof(*lm->reasons),
	      lm_reason_cmp);
	btf__free(btf);
	return true;
}
