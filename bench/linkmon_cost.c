// SPDX-License-Identifier: BSD-2-Clause
/*
 * The cost of linkmon's tc program per packet, with BPF_PROG_TEST_RUN:
 * the same packets (a UDP datagram, an egnet probe request, a TCP
 * segment, an ICMP echo) through linkmon_egress and through an empty
 * program, in alternating rounds of many runs each; prints the median ns
 * per packet of both and the median of the rounds' differences.
 * bench/linkmon runs it.
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/types.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpf/empty.skel.h"
#include "bpf/linkmon.h"
#include "bpf/linkmon.skel.h"

#define REPEAT 200000
#define ROUNDS 11 /* alternating: a noisy neighbour hits both alike */

/* Ethernet + IPv4 + L4 header + payload, checksums left at zero. */
static size_t packet(uint8_t *p, int proto, uint16_t dport, bool probe)
{
	size_t l4 = proto == 6 ? 20 : 8, pay = probe ? sizeof(struct egnet_probe) : 32;
	size_t ip_len = 20 + l4 + pay;

	memset(p, 0, 14 + ip_len);
	p[12] = 0x08; /* IPv4 */
	p[14] = 0x45;
	p[16] = (uint8_t)(ip_len >> 8);
	p[17] = (uint8_t)ip_len;
	p[22] = 64;
	p[23] = (uint8_t)proto;
	p[26] = 10, p[29] = 1;  /* 10.0.0.1 */
	p[30] = 10, p[33] = 2;  /* 10.0.0.2 */
	if (proto == 6 || proto == 17) {
		p[34] = 0x9c, p[35] = 0x40;
		p[36] = (uint8_t)(dport >> 8);
		p[37] = (uint8_t)dport;
		if (proto == 17) {
			p[38] = (uint8_t)((8 + pay) >> 8);
			p[39] = (uint8_t)(8 + pay);
		} else {
			p[46] = 0x50;
		}
	} else {
		p[34] = 8; /* echo request */
	}
	if (probe) {
		struct egnet_probe m = {0};

		m.magic = __builtin_bswap32(EGNET_PROBE_MAGIC);
		m.type = EGNET_PROBE_REQUEST;
		m.seq = __builtin_bswap32(12345);
		memcpy(p + 42, &m, sizeof(m));
	}
	return 14 + ip_len;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return v[n / 2];
}

static double run(int prog_fd, const uint8_t *pkt, size_t len)
{
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = pkt,
		    .data_size_in = (__u32)len, .repeat = REPEAT);

	if (bpf_prog_test_run_opts(prog_fd, &o) < 0)
		return -1;
	return (double)o.duration; /* ns per run, averaged by the kernel */
}

int main(void)
{
	struct linkmon_bpf *lm = linkmon_bpf__open();
	struct empty_bpf *em = empty_bpf__open_and_load();
	static const struct {
		const char *name;
		int proto;
		uint16_t port;
		bool probe;
	} kinds[] = {{"udp", 17, 9999, false},
		     {"probe", 17, 7789, true},
		     {"tcp", 6, 443, false},
		     {"icmp", 1, 0, false}};
	uint8_t pkt[256];

	if (lm)
		bpf_program__set_autoload(lm->progs.linkmon_drop, false);
	if (!lm || !em || linkmon_bpf__load(lm)) {
		fprintf(stderr, "linkmon_cost: BPF not available here\n");
		return 77;
	}
	/* The test runs see the packets on lo: count it, as a watched
	 * link is counted. */
	{
		__u32 lo = 1, slot = 1;

		if (bpf_map__update_elem(lm->maps.link_slot, &lo, sizeof(lo),
					 &slot, sizeof(slot), BPF_ANY)) {
			fprintf(stderr, "linkmon_cost: cannot set a slot\n");
			return 1;
		}
	}
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		size_t len = packet(pkt, kinds[i].proto, kinds[i].port,
				    kinds[i].probe);
		double e[ROUNDS], l[ROUNDS], d[ROUNDS];

		for (int r = 0; r < ROUNDS; r++) {
			e[r] = run(bpf_program__fd(em->progs.empty_tc), pkt,
				   len);
			l[r] = run(bpf_program__fd(lm->progs.linkmon_egress),
				   pkt, len);
			if (e[r] < 0 || l[r] < 0) {
				perror("linkmon_cost: BPF_PROG_TEST_RUN");
				return 1;
			}
			d[r] = l[r] - e[r];
		}
		printf("%-6s empty %5.1f ns  linkmon %5.1f ns  added %5.1f ns\n",
		       kinds[i].name, median(e, ROUNDS), median(l, ROUNDS),
		       median(d, ROUNDS));
	}
	linkmon_bpf__destroy(lm);
	empty_bpf__destroy(em);
	return 0;
}
