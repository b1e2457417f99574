// SPDX-License-Identifier: BSD-2-Clause
/*
 * The looped copy of a probe on a socket's error queue (agent/probe.c
 * probe_looped), as tests/unit/test_probe.c calls it: the first byte
 * chooses the socket (bit 0: ICMP rather than egnet echo, bit 1: IPv6),
 * the rest is the packet from the device's headers on, in a buffer of
 * exactly its length.  A packet taken must really hold our request at
 * some offset: the destination's family is the socket's.  With bit 2 the
 * rest is an ICMP error instead, as a raw socket reads it (probe_refused:
 * a port unreachable for our probe), its family by bit 1.
 */
#include <string.h>
#include <sys/socket.h>

#include "agent/watch/probe.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct prober p;
	struct ip_addr dst;
	uint32_t seq = 0;
	int method, family;
	uint8_t *pkt;

	if (size < 1)
		return 0;
	memset(&p, 0, sizeof(p));
	p.self = 210102001000ULL;
	p.port = 7789;
	p.echo_ident = 0x4567;
	method = data[0] & 1 ? PROBE_ICMP : PROBE_UDP;
	family = data[0] & 2 ? AF_INET6 : AF_INET;
	pkt = malloc(size - 1 ? size - 1 : 1);
	if (!pkt)
		abort();
	memcpy(pkt, data + 1, size - 1);
	if (data[0] & 4) {
		if (probe_refused(&p, family, pkt, size - 1, &dst, &seq) == 0)
			FUZZ_CHECK(dst.family == family && size - 1 >= 8 + 20,
				   "a refusal of family %d (%zu bytes) as %d",
				   dst.family, size - 1, family);
	} else if (probe_looped(&p, method, family, pkt, size - 1, &dst,
				&seq) == 0) {
		FUZZ_CHECK(dst.family == family, "a probe of family %d on a "
			   "socket of family %d", dst.family, family);
	}
	free(pkt);
	return 0;
}
