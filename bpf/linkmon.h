/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * linkmon.h - what the linkmon BPF programs and their user-space readers
 * share: the key and value layout of the link_counters map.
 *
 * Included from both sides, so it includes nothing itself: the includer
 * provides __u32/__u64 (vmlinux.h in BPF code, <linux/types.h> in user
 * space).  Only fixed-width types, no pointers and no implicit padding, so
 * both compilers lay the structs out the same way.
 */
#ifndef EGNET_BPF_LINKMON_H
#define EGNET_BPF_LINKMON_H

/* Direction a packet crossed the tc hook in; the dir field of the key. */
enum linkmon_dir {
	LINKMON_DIR_INGRESS = 0,
	LINKMON_DIR_EGRESS = 1,
	LINKMON_DIR_MAX,
};

/*
 * Room for every (interface, direction) pair a gateway plausibly has.
 * When the map is full new interfaces are simply not counted: the programs
 * never drop traffic because of monitoring.
 */
#define LINKMON_MAX_ENTRIES 512

struct linkmon_key {
	__u32 ifindex;
	__u32 dir; /* enum linkmon_dir */
};

/* One per CPU in the map; readers sum them. */
struct linkmon_counters {
	__u64 packets;
	__u64 bytes; /* skb->len, Ethernet header included */
};

#endif /* EGNET_BPF_LINKMON_H */
