// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * linkmon.bpf.c - per-link packet and byte counters by traffic class at the
 * tc hooks, kernel timestamps of egnet's own probes, and drops by reason.
 *
 * Two tc programs, one per direction, parse Ethernet (one VLAN tag), IPv4
 * and IPv6 far enough to put each packet in a class (linkmon.h) and add it
 * to a per-CPU array at (link slot, direction, class).  On the way they
 * recognise egnet probes: a request leaving and its reply coming back have
 * their times recorded by sequence number, so the agent measures the
 * link's round trip without its own scheduling in it.
 *
 * The programs only observe.  Every header is read through lm_hdr(),
 * which checks it against data_end (or copies it with bpf_skb_load_bytes()
 * when it is not in the linear part); a header that cannot be read makes
 * the packet OTHER (or the class its IP protocol says), never an error.
 * Whatever happens the verdict is TC_ACT_UNSPEC, "no opinion": the packet
 * goes on to the next tc filter, or passes when there is none, exactly as
 * if linkmon were not there.  (TC_ACT_OK would end classification and
 * skip filters that other software attached after ours.)
 *
 * A third program, on the skb:kfree_skb tracepoint, counts the packets the
 * kernel drops on watched links by the reason it gives.
 */
#include "vmlinux.h"
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "linkmon.h"

/* uapi macros (linux/pkt_cls.h, if_ether.h, ip.h, in6.h), not in vmlinux.h */
#define TC_ACT_UNSPEC	(-1)
#define LM_ETH_P_IP	0x0800
#define LM_ETH_P_IPV6	0x86dd
#define LM_ETH_P_8021Q	0x8100
#define LM_ETH_P_8021AD 0x88a8
#define LM_IP_OFFSET	0x1fff /* fragment offset bits of frag_off */
#define LM_PROTO_ICMP	1
#define LM_PROTO_TCP	6
#define LM_PROTO_UDP	17
#define LM_PROTO_ICMPV6 58

/*
 * Headers have their wire layout and no CO-RE: they come from the packet,
 * not from kernel memory.  (vmlinux.h applies preserve_access_index only
 * to its own types.)
 */
struct lm_eth {
	__u8 dst[6];
	__u8 src[6];
	__be16 proto;
};

struct lm_vlan {
	__be16 tci;
	__be16 proto;
};

struct lm_ip4 {
	__u8 ver_ihl;
	__u8 tos;
	__be16 tot_len;
	__be16 id;
	__be16 frag_off;
	__u8 ttl;
	__u8 protocol;
	__be16 check;
	__be32 saddr;
	__be32 daddr;
};

struct lm_ip6 {
	__be32 ver_tc_flow;
	__be16 payload_len;
	__u8 nexthdr;
	__u8 hop_limit;
	__u8 saddr[16];
	__u8 daddr[16];
};

struct lm_udp {
	__be16 source;
	__be16 dest;
	__be16 len;
	__be16 check;
};

/* The first 16 bytes of a TCP header: enough for the header length. */
struct lm_tcp {
	__be16 source;
	__be16 dest;
	__be32 seq;
	__be32 ack_seq;
	__u8 doff_res; /* data offset in the high nibble, 32-bit words */
	__u8 flags;
	__be16 window;
};

/*
 * Headers linkmon reads all lie in the first LM_PARSE_MAX bytes (Ethernet,
 * one tag, IPv4 with options, UDP, the probe: 14 + 4 + 60 + 8 + 32).  The
 * bound also keeps every offset small enough for the verifier.
 */
#define LM_PARSE_MAX 128

/*
 * UDP port of egnet probes, host order; 0: no probes (port 0 is not a
 * port UDP sends to).  In .data, not .rodata: the agent changes it in
 * place (the skeleton maps it) when a reload changes the profile's port,
 * without reloading the programs or losing a counter.
 */
__u16 probe_port = 7789;

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/*
 * This agent's network namespace (the inode number of /proc/self/ns/net),
 * set by the loader: the drop tracepoint sees every namespace's packets,
 * and ifindexes only mean something within one.
 */
const volatile __u32 netns_ino = 0;

/* ifindex -> slot for ifindexes below LM_IFINDEX_DIRECT; 0: not watched. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, LM_IFINDEX_DIRECT);
	__type(key, __u32);
	__type(value, __u32);
} link_slot SEC(".maps");

/* ifindex -> slot for the rest. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, LM_SLOTS);
	__type(key, __u32);
	__type(value, __u32);
} link_slot_far SEC(".maps");

/*
 * Per-CPU so the hot path needs no atomics and CPUs never contend on a
 * cache line; user space sums the per-CPU values when it reads.
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, LM_COUNTERS);
	__type(key, __u32);
	__type(value, struct lm_value);
} link_counters SEC(".maps");

/* (ifindex, reason) -> drops, per CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, LM_DROPS_MAX);
	__type(key, struct lm_drop_key);
	__type(value, struct lm_value);
} link_drops SEC(".maps");

/* Probe seq (host order) -> when the request left, when the reply came. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, LM_PROBE_TS_MAX);
	__type(key, __u32);
	__type(value, struct lm_probe_ts);
} probe_ts SEC(".maps");

/* What the parser learnt beyond the class. */
struct lm_parse {
	/* Bytes of headers before the L4 payload, as far as parsed: what
	 * every segment of a GSO/GRO packet repeats on the wire. */
	__u32 hdr_len;
};

/*
 * The @len bytes at offset @off of the packet: a pointer straight into the
 * linear data when they are there (checked against data_end), else a copy
 * in @buf made with bpf_skb_load_bytes(), which also reaches paged data
 * without pulling it.  NULL when the packet is shorter.  Headers are read
 * in place, not copied: a copy from a pointer of unknown alignment is
 * compiled into byte loads, a dozen instructions per field.  @len must be
 * a constant after inlining.
 */
static __always_inline const void *lm_hdr(struct __sk_buff *skb, __u32 off,
					  __u32 len, void *buf)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	void *p;

	if (off > LM_PARSE_MAX)
		return NULL;
	p = data + off;
	if (p + len <= data_end)
		return p;
	if (bpf_skb_load_bytes(skb, off, buf, len))
		return NULL;
	return buf;
}

/*
 * Record the kernel time of a probe: a request leaving (egress, to the
 * probe port) starts a fresh entry for its seq, its reply coming back
 * (ingress, from the probe port) completes it.  The first reply wins; a
 * reply without a request seen here still gets its rx time so user space
 * can tell "request not seen" from "no reply".
 */
static __always_inline void lm_probe_stamp(const struct egnet_probe *pr,
					   __u32 dir, __u16 sport, __u16 dport)
{
	__u32 seq = bpf_ntohl(pr->seq);
	struct lm_probe_ts *ts;
	__u64 now;

	if (dir == LM_EGRESS && pr->type == EGNET_PROBE_REQUEST &&
	    dport == probe_port) {
		struct lm_probe_ts fresh = {.tx_ns = bpf_ktime_get_ns()};

		bpf_map_update_elem(&probe_ts, &seq, &fresh, BPF_ANY);
		return;
	}
	if (dir != LM_INGRESS || pr->type != EGNET_PROBE_REPLY ||
	    sport != probe_port)
		return;
	now = bpf_ktime_get_ns();
	ts = bpf_map_lookup_elem(&probe_ts, &seq);
	if (ts) {
		if (!ts->rx_ns)
			ts->rx_ns = now;
		return;
	}
	{
		struct lm_probe_ts late = {.rx_ns = now};

		bpf_map_update_elem(&probe_ts, &seq, &late, BPF_NOEXIST);
	}
}

/*
 * A UDP header at @off: PROBE when it is to or from the probe port and
 * its payload starts with the magic, else UDP.  Complete probes get their
 * timestamps recorded.
 */
static __always_inline __u32 lm_udp(struct __sk_buff *skb, __u32 off, __u32 dir,
				    struct lm_parse *p)
{
	const struct egnet_probe *pr;
	const struct lm_udp *uh;
	const __u32 *magic;
	struct egnet_probe prbuf;
	struct lm_udp ubuf;
	__u16 sport, dport, ulen;

	uh = lm_hdr(skb, off, sizeof(*uh), &ubuf);
	if (!uh)
		return LM_UDP;
	p->hdr_len = off + sizeof(*uh);
	sport = bpf_ntohs(uh->source);
	dport = bpf_ntohs(uh->dest);
	if (!probe_port || (sport != probe_port && dport != probe_port))
		return LM_UDP;
	/* The UDP length, not the frame, says where the payload ends
	 * (Ethernet padding follows short datagrams). */
	ulen = bpf_ntohs(uh->len);
	off += sizeof(*uh);
	if (ulen >= sizeof(*uh) + sizeof(*pr)) {
		pr = lm_hdr(skb, off, sizeof(*pr), &prbuf);
		if (!pr || pr->magic != bpf_htonl(EGNET_PROBE_MAGIC))
			return LM_UDP;
		lm_probe_stamp(pr, dir, sport, dport);
		return LM_PROBE;
	}
	if (ulen < sizeof(*uh) + sizeof(*magic))
		return LM_UDP;
	magic = lm_hdr(skb, off, sizeof(*magic), &prbuf);
	return magic && *magic == bpf_htonl(EGNET_PROBE_MAGIC) ? LM_PROBE
							       : LM_UDP;
}

/* A TCP header at @off: only its length is wanted. */
static __always_inline __u32 lm_tcp(struct __sk_buff *skb, __u32 off,
				    struct lm_parse *p)
{
	const struct lm_tcp *th;
	struct lm_tcp buf;

	th = lm_hdr(skb, off, sizeof(*th), &buf);
	if (th && (th->doff_res >> 4) >= 5)
		p->hdr_len = off + (th->doff_res >> 4) * 4;
	return LM_TCP;
}

/*
 * The upper-layer header @proto at @l4, for IPv4 and IPv6 alike; @icmp is
 * the family's ICMP protocol number.
 */
static __always_inline __u32 lm_l4(struct __sk_buff *skb, __u8 proto,
				   __u8 icmp, __u32 l4, __u32 dir,
				   struct lm_parse *p)
{
	if (proto == LM_PROTO_TCP)
		return lm_tcp(skb, l4, p);
	if (proto == LM_PROTO_UDP)
		return lm_udp(skb, l4, dir, p);
	if (proto == icmp) {
		p->hdr_len = l4 + 8;
		return LM_ICMP;
	}
	return LM_OTHER;
}

/*
 * IPv4 at @off.  The header length comes from IHL; a non-first fragment
 * has no L4 header, so it is classed by its protocol number alone (and
 * can never be a probe).
 */
static __always_inline __u32 lm_ipv4(struct __sk_buff *skb, __u32 off,
				     __u32 dir, struct lm_parse *p)
{
	const struct lm_ip4 *iph;
	struct lm_ip4 buf;
	__u32 ihl, l4;
	__u8 proto;

	iph = lm_hdr(skb, off, sizeof(*iph), &buf);
	if (!iph)
		return LM_OTHER;
	ihl = (iph->ver_ihl & 0x0f) * 4;
	if ((iph->ver_ihl >> 4) != 4 || ihl < sizeof(*iph))
		return LM_OTHER;
	l4 = off + ihl;
	p->hdr_len = l4;
	proto = iph->protocol;
	if (iph->frag_off & bpf_htons(LM_IP_OFFSET)) {
		switch (proto) {
		case LM_PROTO_TCP:
			return LM_TCP;
		case LM_PROTO_UDP:
			return LM_UDP;
		case LM_PROTO_ICMP:
			return LM_ICMP;
		default:
			return LM_OTHER;
		}
	}
	return lm_l4(skb, proto, LM_PROTO_ICMP, l4, dir, p);
}

/*
 * IPv6 at @off.  Only an upper-layer header right after the fixed header
 * is looked at; a packet with extension headers (fragments included) is
 * OTHER.
 */
static __always_inline __u32 lm_ipv6(struct __sk_buff *skb, __u32 off,
				     __u32 dir, struct lm_parse *p)
{
	const struct lm_ip6 *ip6h;
	struct lm_ip6 buf;
	__u32 l4 = off + sizeof(*ip6h);

	ip6h = lm_hdr(skb, off, sizeof(*ip6h), &buf);
	if (!ip6h || (bpf_ntohl(ip6h->ver_tc_flow) >> 28) != 6)
		return LM_OTHER;
	p->hdr_len = l4;
	return lm_l4(skb, ip6h->nexthdr, LM_PROTO_ICMPV6, l4, dir, p);
}

/* The class of the packet in @skb, from the Ethernet header on. */
static __always_inline __u32 lm_classify(struct __sk_buff *skb, __u32 dir,
					 struct lm_parse *p)
{
	__u32 off = sizeof(struct lm_eth);
	const struct lm_eth *eth;
	struct lm_eth buf;
	__be16 proto;

	eth = lm_hdr(skb, 0, sizeof(*eth), &buf);
	if (!eth)
		return LM_OTHER;
	p->hdr_len = off;
	proto = eth->proto;
	/* A tag the driver left in the frame (one; a second one makes the
	 * packet OTHER).  Tags taken out into skb metadata are not seen. */
	if (proto == bpf_htons(LM_ETH_P_8021Q) ||
	    proto == bpf_htons(LM_ETH_P_8021AD)) {
		const struct lm_vlan *vh;
		struct lm_vlan vbuf;

		vh = lm_hdr(skb, off, sizeof(*vh), &vbuf);
		if (!vh)
			return LM_OTHER;
		proto = vh->proto;
		off += sizeof(*vh);
		p->hdr_len = off;
	}
	if (proto == bpf_htons(LM_ETH_P_IP))
		return lm_ipv4(skb, off, dir, p);
	if (proto == bpf_htons(LM_ETH_P_IPV6))
		return lm_ipv6(skb, off, dir, p);
	return LM_OTHER;
}

/* The slot of @ifindex, 0 when it is not watched. */
static __always_inline __u32 lm_slot(__u32 ifindex)
{
	__u32 *slot;

	if (ifindex < LM_IFINDEX_DIRECT)
		slot = bpf_map_lookup_elem(&link_slot, &ifindex);
	else
		slot = bpf_map_lookup_elem(&link_slot_far, &ifindex);
	return slot && *slot < LM_SLOTS ? *slot : 0;
}

/*
 * Add the packet to (@slot, @dir, @cls).  A GSO or GRO packet stands for
 * gso_segs packets on the wire, each with its own copy of the headers, so
 * it counts that many packets and its length plus the repeated headers
 * (as tc's own qdisc statistics do).
 */
static __always_inline void lm_count(struct __sk_buff *skb, __u32 slot,
				     __u32 dir, __u32 cls,
				     const struct lm_parse *p)
{
	__u32 idx = lm_counter_index(slot, dir, cls);
	__u64 segs = skb->gso_segs;
	__u64 bytes = skb->len;
	struct lm_value *v;

	if (segs > 1)
		bytes += (segs - 1) * p->hdr_len;
	else
		segs = 1;
	v = bpf_map_lookup_elem(&link_counters, &idx);
	if (!v)
		return;
	/* This CPU's own slot: plain adds are enough. */
	v->packets += segs;
	v->bytes += bytes;
}

static __always_inline void lm_handle(struct __sk_buff *skb, __u32 dir)
{
	struct lm_parse p = {};
	__u32 slot = lm_slot(skb->ifindex);
	__u32 cls;

	/* Probes are timestamped on any link; only watched ones count. */
	cls = lm_classify(skb, dir, &p);
	if (slot)
		lm_count(skb, slot, dir, cls, &p);
}

SEC("tc")
int linkmon_ingress(struct __sk_buff *skb)
{
	lm_handle(skb, LM_INGRESS);
	return TC_ACT_UNSPEC;
}

SEC("tc")
int linkmon_egress(struct __sk_buff *skb)
{
	lm_handle(skb, LM_EGRESS);
	return TC_ACT_UNSPEC;
}

/*
 * A packet the kernel dropped, with its reason (skb:kfree_skb; packets
 * freed after use go to skb:consume_skb instead).  It is counted on the
 * device it was on when dropped: the one it came in on for drops on the
 * way in and in forwarding (netfilter's included), the one it was to
 * leave by for drops in the qdisc or driver.  A packet with no device
 * (dropped at a socket after the device was let go of) is not counted,
 * nor a device of another namespace.
 */
SEC("tp_btf/kfree_skb")
int BPF_PROG(linkmon_drop, struct sk_buff *skb, void *location,
	     enum skb_drop_reason reason)
{
	struct net_device *dev = skb->dev;
	struct lm_drop_key key;
	struct lm_value *v;

	if (!dev || dev->nd_net.net->ns.inum != netns_ino)
		return 0;
	key.ifindex = dev->ifindex;
	if (!lm_slot(key.ifindex))
		return 0;
	key.reason = reason;
	v = bpf_map_lookup_elem(&link_drops, &key);
	if (!v) {
		struct lm_value first = {.packets = 1, .bytes = skb->len};

		/* Another CPU may have made the entry first: then count
		 * into that one. */
		if (bpf_map_update_elem(&link_drops, &key, &first,
					BPF_NOEXIST) == 0)
			return 0;
		v = bpf_map_lookup_elem(&link_drops, &key);
		if (!v)
			return 0;
	}
	v->packets++;
	v->bytes += skb->len;
	return 0;
}
