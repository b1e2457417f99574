// SPDX-License-Identifier: BSD-2-Clause
/*
 * The egnet echo messages a prober receives (agent/probe.c, through
 * prober_read()): the input is one UDP datagram, sent on 127.0.0.1 from a
 * socket of the harness to the prober's, which has one target there
 * (127.0.0.1, sequence numbers 100 to 103 open).  The prober must answer a
 * request with the same message as a reply and nothing else, take a reply
 * of ours for an open probe as exactly one answer, and count anything
 * else as bad.
 */
#include <arpa/inet.h>
#include <linux/types.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "agent/watch/probe.h"
#include "bpf/linkmon.h"
#include "tests/fuzz/fuzz.h"

#define SELF	210102001000ULL
#define WINDOW	4
#define SEQ0	100

static struct prober p;
static struct probe_target target;
static struct probe_slot win[WINDOW];
static int tx = -1;

static int udp_local(uint16_t *port)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	socklen_t len = sizeof(a);
	int one = 1;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &len) < 0) {
		perror("fuzz_echo: socket on 127.0.0.1");
		abort();
	}
	/* the receive time as the prober would have it */
	setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof(one));
	*port = ntohs(a.sin_port);
	return fd;
}

static void close_all(void)
{
	close(p.udp4);
	close(tx);
}

static void setup(void)
{
	uint16_t port, txport;

	p.self = SELF;
	p.udp4 = udp_local(&port);
	p.udp6 = p.icmp4 = p.icmp6 = -1;
	p.port = port;
	p.window = WINDOW;
	p.down_after = 3;
	p.up_after = 2;
	p.t = &target;
	p.n = 1;
	tx = udp_local(&txport);
	atexit(close_all);
}

static void reset(void)
{
	memset(&target, 0, sizeof(target));
	target.code = 210102001001ULL;
	target.method = PROBE_UDP;
	target.addr.family = AF_INET;
	target.addr.a[0] = 127;
	target.addr.a[3] = 1;
	target.last_ts = -1;
	target.win = win;
	for (int k = 0; k < WINDOW; k++)
		win[k] = (struct probe_slot){.seq = SEQ0 + (uint32_t)k,
					     .sent = 1, .rtt = -1};
	p.bad = p.answered = 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sockaddr_in to = {.sin_family = AF_INET};
	struct pollfd pf = {.events = POLLIN};
	struct egnet_probe m;
	uint8_t back[600];
	bool request = false;
	ssize_t n;

	if (tx < 0)
		setup();
	reset();
	if (size > 512)
		size = 512;
	to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	to.sin_port = htons(p.port);
	if (sendto(tx, data, size, 0, (struct sockaddr *)&to, sizeof(to)) !=
	    (ssize_t)size) {
		perror("fuzz_echo: sendto");
		abort();
	}
	pf.fd = p.udp4;
	FUZZ_CHECK(poll(&pf, 1, 1000) == 1, "the datagram did not arrive");
	prober_read(&p, p.udp4);

	if (size >= sizeof(m)) {
		memcpy(&m, data, sizeof(m));
		request = ntohl(m.magic) == EGNET_PROBE_MAGIC &&
			  m.type == EGNET_PROBE_REQUEST;
	}
	FUZZ_CHECK(p.answered == (request ? 1u : 0u), "answered %llu",
		   (unsigned long long)p.answered);
	FUZZ_CHECK(target.received + p.bad + p.answered == 1,
		   "one datagram: %llu taken, %llu bad, %llu answered",
		   (unsigned long long)target.received,
		   (unsigned long long)p.bad,
		   (unsigned long long)p.answered);
	if (target.received) {
		int open = 0;

		for (int k = 0; k < WINDOW; k++)
			open += win[k].rtt == -1;
		FUZZ_CHECK(open == WINDOW - 1, "%d probes still open", open);
		FUZZ_CHECK(target.last_rtt >= 0, "rtt %f", target.last_rtt);
	}
	/* the answer, when there is one, and nothing else */
	pf.fd = tx;
	if (request) {
		FUZZ_CHECK(poll(&pf, 1, 1000) == 1, "no answer came");
		n = recv(tx, back, sizeof(back), 0);
		m.type = EGNET_PROBE_REPLY;
		FUZZ_CHECK(n == (ssize_t)sizeof(m) && !memcmp(back, &m, sizeof(m)),
			   "the answer is not the request as a reply (%zd "
			   "bytes)", n);
	}
	FUZZ_CHECK(recv(tx, back, sizeof(back), 0) < 0, "an answer too many");
	return 0;
}
