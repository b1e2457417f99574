// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * linkmon.bpf.c - per-interface packet and byte counters at the tc hooks.
 *
 * Two tc programs, one per direction, add each packet to a per-CPU hash
 * keyed by (ifindex, direction).  They only observe: whatever happens
 * (map full, lookup failure) they return TC_ACT_OK so monitoring can never
 * change what the gateway forwards.  No packet data is read, so there is
 * nothing to bounds-check; skb->len and skb->ifindex come from the context.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "linkmon.h"

/* A uapi macro (linux/pkt_cls.h), so vmlinux.h does not carry it. */
#ifndef TC_ACT_OK
#define TC_ACT_OK 0
#endif

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/*
 * Per-CPU so the hot path needs no atomics and CPUs never contend on a
 * cache line; user space sums the per-CPU values when it reads.
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, LINKMON_MAX_ENTRIES);
	__type(key, struct linkmon_key);
	__type(value, struct linkmon_counters);
} link_counters SEC(".maps");

/*
 * Add one packet of skb->len bytes to the (ifindex, dir) counters.
 * The first packet creates the entry with BPF_NOEXIST; if that fails because
 * a packet on another CPU created it first, look it up again and count into
 * it so that packet is not lost.  If the map is full it stays uncounted.
 */
static __always_inline void linkmon_count(struct __sk_buff *skb, __u32 dir)
{
	struct linkmon_key key = {
		.ifindex = skb->ifindex,
		.dir = dir,
	};
	struct linkmon_counters *c;

	c = bpf_map_lookup_elem(&link_counters, &key);
	if (!c) {
		struct linkmon_counters first = {
			.packets = 1,
			.bytes = skb->len,
		};

		if (bpf_map_update_elem(&link_counters, &key, &first,
					BPF_NOEXIST) == 0)
			return;
		c = bpf_map_lookup_elem(&link_counters, &key);
		if (!c)
			return;
	}
	/* This CPU's own slot: plain adds are enough. */
	c->packets++;
	c->bytes += skb->len;
}

SEC("tc")
int linkmon_ingress(struct __sk_buff *skb)
{
	linkmon_count(skb, LINKMON_DIR_INGRESS);
	return TC_ACT_OK;
}

SEC("tc")
int linkmon_egress(struct __sk_buff *skb)
{
	linkmon_count(skb, LINKMON_DIR_EGRESS);
	return TC_ACT_OK;
}
