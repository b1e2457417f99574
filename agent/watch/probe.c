// SPDX-License-Identifier: BSD-2-Clause
/*
 * The prober's sockets and stamps (its targets and their figures are in
 * probe_target.c).  Sockets are non-blocking and driven by the agent's event
 * loop; nothing here sleeps.  Time is CLOCK_MONOTONIC, the clock of the
 * BPF timestamps, so kernel and user RTTs compare.  A reply is accepted
 * only from the target's address, with our code, for a sequence number we
 * sent it that is still in its window and unanswered.
 *
 * Without BPF the sockets timestamp probes themselves (SO_TIMESTAMPING,
 * software): the receive time comes with each datagram, the send time on
 * the socket's error queue with a copy of the packet it belongs to, which
 * is how it is matched to its probe.  Taken in the driver (SND) when the
 * device stamps, else before the qdisc (SCHED); either leaves out the
 * prober's own scheduling, which user-space times do not.
 */
#include "agent/watch/probe_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/errqueue.h>
#include <linux/net_tstamp.h>
#include <linux/types.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "agent/watch/linkmon.h"
#include "bpf/linkmon.h"
#include "common/log.h"
#include "common/now.h"

/* An ICMP echo probe: the header, then the 32-bit sequence number, then 4
 * bytes of zeros. */
#define ICMP_PROBE_LEN 16

static uint64_t htonll(uint64_t v)
{
	return ((uint64_t)htonl((uint32_t)v) << 32) | htonl((uint32_t)(v >> 32));
}

#define ntohll htonll

/*
 * Kernel timestamps on fd: receive and transmit, software, reported as
 * SCM_TIMESTAMPING; where SO_TIMESTAMPING is refused, at least the receive
 * time (SO_TIMESTAMPNS).  The transmit stamps come back with the packet's
 * bytes (no SOF_TIMESTAMPING_OPT_TSONLY): they are what names the probe.
 */
static void timestamps_on(int fd)
{
	int ts = SOF_TIMESTAMPING_RX_SOFTWARE | SOF_TIMESTAMPING_TX_SOFTWARE |
		 SOF_TIMESTAMPING_TX_SCHED | SOF_TIMESTAMPING_SOFTWARE;
	int one = 1;

	if (setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPING, &ts, sizeof(ts)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof(one));
}

/* A bound UDP socket, or -errno with the reason in err. */
static int udp_socket(int family, uint16_t port, char *err, size_t errlen)
{
	struct sockaddr_storage ss = {0};
	int one = 1, fd, e;
	socklen_t len;

	fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto fail;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	/* the kernel's times when BPF gives none */
	timestamps_on(fd);
	if (family == AF_INET6) {
		struct sockaddr_in6 *s6 = (void *)&ss;

		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		len = sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (void *)&ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		len = sizeof(*s4);
	}
	if (bind(fd, (struct sockaddr *)&ss, len) < 0)
		goto fail;
	return fd;
fail:
	e = errno;
	snprintf(err, errlen, "probe socket (%s, port %u): %s",
		 family == AF_INET6 ? "IPv6" : "IPv4", port, strerror(e));
	if (fd >= 0)
		close(fd);
	return -e;
}

static int icmp_socket(int family)
{
	int fd = socket(family, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
			family == AF_INET6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP);

	if (fd >= 0)
		timestamps_on(fd); /* BPF stamps egnet probes only */
	if (fd >= 0 && family == AF_INET6) {
		struct icmp6_filter f;

		ICMP6_FILTER_SETBLOCKALL(&f);
		ICMP6_FILTER_SETPASS(ICMP6_ECHO_REPLY, &f);
		/* port unreachable: a gateway up without its agent */
		ICMP6_FILTER_SETPASS(ICMP6_DST_UNREACH, &f);
		setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &f, sizeof(f));
	}
	return fd;
}

int prober_open(struct prober *p, const struct desired *ds, char *err,
		size_t errlen)
{
	const struct prof_probe *pp = &ds->p->probe;

	memset(p, 0, sizeof(*p));
	p->self = ds->code;
	p->port = (uint16_t)pp->port;
	p->interval_ms = pp->interval_ms;
	p->down_after = pp->down_after;
	p->up_after = pp->up_after;
	p->window = probe_window(pp);
	p->echo_ident = (uint16_t)(getpid() & 0xffff);
	p->next_seq = (uint32_t)time(NULL) << 12;
	p->udp4 = udp_socket(AF_INET, p->port, err, errlen);
	if (p->udp4 < 0) {
		int rc = p->udp4;

		p->udp4 = p->udp6 = p->icmp4 = p->icmp6 = -1;
		return rc;
	}
	/* without IPv6 here, IPv4 alone */
	p->udp6 = udp_socket(AF_INET6, p->port, err, errlen);
	if (p->udp6 < 0)
		p->udp6 = -1;
	p->icmp4 = icmp_socket(AF_INET);
	p->icmp6 = icmp_socket(AF_INET6);
	probe_target_take(p, ds, NULL, 0);
	return 0;
}

void prober_fds(const struct prober *p, int fds[PROBER_FDS])
{
	fds[0] = p->udp4;
	fds[1] = p->udp6;
	fds[2] = p->icmp4;
	fds[3] = p->icmp6;
}

void prober_use_linkmon(struct prober *p, struct linkmon *lm)
{
	/* With BPF stamping egnet probes the UDP sockets need no transmit
	 * stamps: each would be one more read of the error queue per probe
	 * and per echo answered.  Receive stamps stay, for a probe BPF
	 * missed; ICMP keeps both, BPF does not stamp it. */
	int rx = SOF_TIMESTAMPING_RX_SOFTWARE | SOF_TIMESTAMPING_SOFTWARE;
	int fds[] = {p->udp4, p->udp6};

	p->lm = lm;
	if (!lm)
		return;
	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
		if (fds[i] >= 0)
			setsockopt(fds[i], SOL_SOCKET, SO_TIMESTAMPING, &rx,
				   sizeof(rx));
}

void prober_close(struct prober *p)
{
	int fds[] = {p->udp4, p->udp6, p->icmp4, p->icmp6};

	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
		if (fds[i] >= 0)
			close(fds[i]);
	for (int i = 0; i < p->n; i++)
		free(p->t[i].win);
	free(p->t);
	memset(p, 0, sizeof(*p));
	p->udp4 = p->udp6 = p->icmp4 = p->icmp6 = -1;
}

/* ---- sending -------------------------------------------------------------- */

static socklen_t sockaddr_of(const struct ip_addr *a, uint16_t port,
			     struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (a->family == AF_INET6) {
		struct sockaddr_in6 *s6 = (void *)ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		memcpy(&s6->sin6_addr, a->a, 16);
		return sizeof(*s6);
	}
	struct sockaddr_in *s4 = (void *)ss;

	s4->sin_family = AF_INET;
	s4->sin_port = htons(port);
	memcpy(&s4->sin_addr, a->a, 4);
	return sizeof(*s4);
}

static uint16_t csum(const void *data, size_t len)
{
	const uint8_t *b = data;
	uint32_t s = 0;

	for (size_t i = 0; i + 1 < len; i += 2)
		s += (uint32_t)(b[i] << 8 | b[i + 1]);
	if (len & 1)
		s += (uint32_t)(b[len - 1] << 8);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return htons((uint16_t)~s);
}

static void send_probe(struct prober *p, struct probe_target *t)
{
	struct probe_slot *s = &t->win[t->head];
	struct sockaddr_storage ss;
	socklen_t len;
	uint32_t seq = p->next_seq++;
	double now = now_mono();
	ssize_t rc;

	t->head = (t->head + 1) % p->window;
	s->seq = seq;
	s->sent = now;
	s->sent_kernel = 0;
	s->sent_snd = false;
	s->rtt = -1;
	s->ts = PT_USER;
	s->refused = false;
	t->sent++;
	if (t->method == PROBE_UDP) {
		struct egnet_probe m = {0};
		int fd = t->addr.family == AF_INET6 ? p->udp6 : p->udp4;

		m.magic = htonl(EGNET_PROBE_MAGIC);
		m.type = EGNET_PROBE_REQUEST;
		m.ver = 1;
		m.seq = htonl(seq);
		m.code = htonll(p->self);
		m.sent_ns = htonll((uint64_t)(now * 1e9));
		len = sockaddr_of(&t->addr, p->port, &ss);
		rc = fd < 0 ? -1
			    : sendto(fd, &m, sizeof(m), 0,
				     (struct sockaddr *)&ss, len);
	} else {
		uint8_t pkt[ICMP_PROBE_LEN] = {0};
		int v6 = t->addr.family == AF_INET6;
		int fd = v6 ? p->icmp6 : p->icmp4;

		pkt[0] = v6 ? ICMP6_ECHO_REQUEST : ICMP_ECHO;
		pkt[4] = (uint8_t)(p->echo_ident >> 8);
		pkt[5] = (uint8_t)p->echo_ident;
		/* 32-bit sequence in the payload, 16 in the header */
		pkt[6] = (uint8_t)(seq >> 8);
		pkt[7] = (uint8_t)seq;
		uint32_t nseq = htonl(seq);

		memcpy(pkt + 8, &nseq, 4);
		if (!v6) {
			uint16_t c = csum(pkt, sizeof(pkt));

			memcpy(pkt + 2, &c, 2);
		}
		len = sockaddr_of(&t->addr, 0, &ss);
		rc = fd < 0 ? -1
			    : sendto(fd, pkt, sizeof(pkt), 0,
				     (struct sockaddr *)&ss, len);
	}
	if (rc < 0)
		log_debug("probe to %s: %s", t->name, strerror(errno));
}

void prober_tick(struct prober *p)
{
	for (int i = 0; i < p->n; i++) {
		struct probe_target *t = &p->t[i];
		/* the probe sent at the last tick: its time is up (the
		 * timeout is the interval), answered or lost */
		int last = (t->head - 1 + p->window) % p->window;
		struct probe_slot *s = &t->win[last];

		if (s->seq && s->rtt == -1) {
			s->rtt = -2; /* lost */
			t->misses++;
			t->answers = 0;
			if (t->misses >= p->down_after)
				probe_target_set_state(p, t, PS_DOWN);
		}
		send_probe(p, t);
	}
}

/* ---- receiving ------------------------------------------------------------ */

static void from_sockaddr(const struct sockaddr_storage *ss, struct ip_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const void *)ss;
		static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0,
						   0, 0, 0, 0, 0xff, 0xff};

		if (!memcmp(&s6->sin6_addr, mapped, 12)) {
			a->family = AF_INET;
			memcpy(a->a, (const uint8_t *)&s6->sin6_addr + 12, 4);
			return;
		}
		a->family = AF_INET6;
		memcpy(a->a, &s6->sin6_addr, 16);
	} else if (ss->ss_family == AF_INET) {
		a->family = AF_INET;
		memcpy(a->a, &((const struct sockaddr_in *)ss)->sin_addr, 4);
	}
}

static double secs(const struct timespec *ts)
{
	return (double)ts->tv_sec + (double)ts->tv_nsec / 1e9;
}

/*
 * A socket timestamp on the prober's clock, or 0.  The stamps are wall
 * clock: converted at once, as the packet is read, so that a step of the
 * wall clock can only fall between the stamp and its reading.  The wall
 * clock is read between two monotonic readings, again if they lie far
 * apart (preempted in between), which would shift the stamp as much.
 */
static double stamp_mono(const struct timespec *ts)
{
	struct timespec m0, rt, m1;
	double v;

	if (ts->tv_sec <= 0 || ts->tv_nsec < 0 || ts->tv_nsec >= 1000000000)
		return 0;
	for (int i = 0; i < 3; i++) {
		clock_gettime(CLOCK_MONOTONIC, &m0);
		clock_gettime(CLOCK_REALTIME, &rt);
		clock_gettime(CLOCK_MONOTONIC, &m1);
		if (secs(&m1) - secs(&m0) < 20e-6)
			break;
	}
	v = (secs(&m0) + secs(&m1)) / 2 - (secs(&rt) - secs(ts));
	return v > 0 ? v : 0;
}

/* The software timestamp of SCM_TIMESTAMPING or SO_TIMESTAMPNS, or 0. */
static double cmsg_time(struct msghdr *mh)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
		struct timespec ts;

		if (c->cmsg_level != SOL_SOCKET)
			continue;
		if ((c->cmsg_type == SO_TIMESTAMPNS &&
		     c->cmsg_len >= CMSG_LEN(sizeof(ts))) ||
		    (c->cmsg_type == SO_TIMESTAMPING &&
		     c->cmsg_len >=
			     CMSG_LEN(sizeof(struct scm_timestamping)))) {
			/* ts[0], the software stamp, comes first */
			memcpy(&ts, CMSG_DATA(c), sizeof(ts));
			return stamp_mono(&ts);
		}
	}
	return 0;
}

/*
 * Room for link-layer headers (Ethernet, VLAN tags) and tunnel headers
 * before the IP header in the looped copy of a packet.
 */
#define LOOPED_L2_MAX 128

/* Our probe request to dst exactly at b, IP header first. */
static bool looped_at(const struct prober *p, int method, int family,
		      const uint8_t *b, size_t len, struct ip_addr *dst,
		      uint32_t *seq)
{
	size_t l4len = method == PROBE_UDP ? 8 + sizeof(struct egnet_probe)
					   : ICMP_PROBE_LEN;
	uint8_t proto = IPPROTO_UDP;
	const uint8_t *l4;
	uint32_t v;

	if (method == PROBE_ICMP)
		proto = family == AF_INET6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP;
	memset(dst, 0, sizeof(*dst));
	if (family == AF_INET) {
		size_t hl;

		if (len < 20 || b[0] >> 4 != 4)
			return false;
		hl = (size_t)(b[0] & 0x0f) * 4;
		/* the exact length we sent, never a fragment */
		if (hl < 20 || len < hl + l4len || b[9] != proto ||
		    (size_t)(b[2] << 8 | b[3]) != hl + l4len || (b[6] & 0x3f) ||
		    b[7])
			return false;
		dst->family = AF_INET;
		memcpy(dst->a, b + 16, 4);
		l4 = b + hl;
	} else {
		/* ours never carry extension headers */
		if (len < 40 + l4len || b[0] >> 4 != 6 || b[6] != proto ||
		    (size_t)(b[4] << 8 | b[5]) != l4len)
			return false;
		dst->family = AF_INET6;
		memcpy(dst->a, b + 24, 16);
		l4 = b + 40;
	}
	if (method == PROBE_UDP) {
		struct egnet_probe m;

		if ((l4[2] << 8 | l4[3]) != p->port ||
		    (size_t)(l4[4] << 8 | l4[5]) != l4len)
			return false;
		memcpy(&m, l4 + 8, sizeof(m));
		/* a request with our code: the replies we send to those
		 * probing us come back here too */
		if (ntohl(m.magic) != EGNET_PROBE_MAGIC ||
		    m.type != EGNET_PROBE_REQUEST || ntohll(m.code) != p->self)
			return false;
		*seq = ntohl(m.seq);
		return true;
	}
	if (l4[0] != (family == AF_INET6 ? ICMP6_ECHO_REQUEST : ICMP_ECHO) ||
	    (uint16_t)(l4[4] << 8 | l4[5]) != p->echo_ident)
		return false;
	memcpy(&v, l4 + 8, 4);
	*seq = ntohl(v);
	return true;
}

/*
 * The kernel gives the packet from where the device's headers begin:
 * Ethernet on veth and NICs (with VLAN tags in the data on some), nothing
 * on L3 devices (tun, WireGuard), the outer headers when a tunnel's lower
 * device stamps.  Rather than know every device, look for our exact packet
 * at each offset in the first bytes: version, protocol, every length, the
 * port or echo identifier and our code must all match.
 */
int probe_looped(const struct prober *p, int method, int family,
		 const uint8_t *pkt, size_t len, struct ip_addr *dst,
		 uint32_t *seq)
{
	if (family != AF_INET && family != AF_INET6)
		return -1;
	for (size_t off = 0; off <= LOOPED_L2_MAX && off < len; off++)
		if (looped_at(p, method, family, pkt + off, len - off, dst,
			      seq))
			return 0;
	return -1;
}

/*
 * Transmit timestamps from fd's error queue into the slots of their
 * probes.  Drained to the end every time: while it holds anything the
 * socket reports an error (EPOLLERR, which the event loop passes on as
 * readable), and it is charged to the socket's receive buffer.  Whatever
 * is not a stamp of one of our probes still open in its window (the
 * echo replies we sent, anything else) is dropped.
 */
static void read_errqueue(struct prober *p, int fd, int method, int family)
{
	for (;;) {
		uint8_t buf[512];
		union {
			char b[512];
			struct cmsghdr align;
		} ctl;
		struct iovec iov = {buf, sizeof(buf)};
		struct msghdr mh = {.msg_iov = &iov,
				    .msg_iovlen = 1,
				    .msg_control = ctl.b,
				    .msg_controllen = sizeof(ctl.b)};
		struct timespec ts = {0};
		struct probe_target *t;
		struct probe_slot *s;
		struct ip_addr dst;
		uint32_t seq;
		int kind = -1;
		double at;
		/* an entry is taken off the queue even when copying it out
		 * fails, so every call makes progress; -1 and EAGAIN: empty */
		ssize_t n = recvmsg(fd, &mh, MSG_ERRQUEUE);

		if (n < 0)
			return;
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c;
		     c = CMSG_NXTHDR(&mh, c)) {
			struct sock_extended_err ee;

			if (c->cmsg_level == SOL_SOCKET &&
			    c->cmsg_type == SO_TIMESTAMPING &&
			    c->cmsg_len >=
				    CMSG_LEN(sizeof(struct scm_timestamping))) {
				memcpy(&ts, CMSG_DATA(c), sizeof(ts));
			} else if (((c->cmsg_level == SOL_IP &&
				     c->cmsg_type == IP_RECVERR) ||
				    (c->cmsg_level == SOL_IPV6 &&
				     c->cmsg_type == IPV6_RECVERR)) &&
				   c->cmsg_len >= CMSG_LEN(sizeof(ee))) {
				memcpy(&ee, CMSG_DATA(c), sizeof(ee));
				if (ee.ee_errno == ENOMSG &&
				    ee.ee_origin == SO_EE_ORIGIN_TIMESTAMPING &&
				    (ee.ee_info == SCM_TSTAMP_SND ||
				     ee.ee_info == SCM_TSTAMP_SCHED))
					kind = (int)ee.ee_info;
			}
		}
		if (kind < 0 || !(at = stamp_mono(&ts)) ||
		    probe_looped(p, method, family, buf, (size_t)n, &dst,
				 &seq) ||
		    !(s = probe_target_slot(p, &dst, seq, method, &t)))
			continue;
		/* SND is taken in the driver, as the packet leaves; SCHED
		 * before the qdisc, the best there is where the driver
		 * does not stamp */
		if (kind == SCM_TSTAMP_SND) {
			s->sent_kernel = at;
			s->sent_snd = true;
		} else if (!s->sent_snd) {
			s->sent_kernel = at;
		}
	}
}

/* One datagram: its sender and the kernel's receive time (0 if none). */
static ssize_t recv_one(int fd, void *buf, size_t len,
			struct sockaddr_storage *from, socklen_t *fromlen,
			double *rx_kernel)
{
	union {
		char b[256];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = {buf, len};
	struct msghdr mh = {.msg_name = from,
			    .msg_namelen = sizeof(*from),
			    .msg_iov = &iov,
			    .msg_iovlen = 1,
			    .msg_control = ctl.b,
			    .msg_controllen = sizeof(ctl.b)};
	ssize_t n = recvmsg(fd, &mh, 0);

	*fromlen = mh.msg_namelen;
	*rx_kernel = n >= 0 ? cmsg_time(&mh) : 0;
	return n;
}

static void read_udp(struct prober *p, int fd)
{
	for (;;) {
		struct sockaddr_storage from;
		union {
			struct egnet_probe m;
			uint8_t raw[512];
		} buf;
		socklen_t fromlen;
		double rxk;
		ssize_t n = recv_one(fd, &buf, sizeof(buf), &from, &fromlen,
				     &rxk);
		double now = now_mono();
		struct probe_target *t = NULL;
		struct probe_slot *s;
		struct ip_addr a;

		if (n < 0)
			return;
		if ((size_t)n < sizeof(buf.m) ||
		    ntohl(buf.m.magic) != EGNET_PROBE_MAGIC) {
			p->bad++;
			continue;
		}
		if (buf.m.type == EGNET_PROBE_REQUEST) {
			/* answer: the same message back, as a reply */
			buf.m.type = EGNET_PROBE_REPLY;
			sendto(fd, &buf.m, sizeof(buf.m), 0,
			       (struct sockaddr *)&from, fromlen);
			p->answered++;
			continue;
		}
		from_sockaddr(&from, &a);
		if (buf.m.type != EGNET_PROBE_REPLY ||
		    ntohll(buf.m.code) != p->self ||
		    !(s = probe_target_slot(p, &a, ntohl(buf.m.seq), PROBE_UDP, &t))) {
			p->bad++;
			for (int i = 0; i < p->n; i++)
				if (!ip_cmp(&p->t[i].addr, &a))
					p->t[i].bad++;
			continue;
		}
		probe_target_answered(p, t, s, now, rxk);
	}
}

/* The egnet probe request of ours quoted at @b (the UDP header first,
 * @len bytes): *seq. */
static bool quoted_probe(const struct prober *p, const uint8_t *b, size_t len,
			 uint32_t *seq)
{
	struct egnet_probe m;

	if (len < 8 + sizeof(m) || (b[0] << 8 | b[1]) != p->port ||
	    (b[2] << 8 | b[3]) != p->port ||
	    (size_t)(b[4] << 8 | b[5]) != 8 + sizeof(m))
		return false;
	memcpy(&m, b + 8, sizeof(m));
	if (ntohl(m.magic) != EGNET_PROBE_MAGIC ||
	    m.type != EGNET_PROBE_REQUEST || ntohll(m.code) != p->self)
		return false;
	*seq = ntohl(m.seq);
	return true;
}

int probe_refused(const struct prober *p, int family, const uint8_t *icmp,
		  size_t len, struct ip_addr *dst, uint32_t *seq)
{
	const uint8_t *ip = icmp + 8; /* type, code, checksum, 4 unused */
	size_t hl;

	memset(dst, 0, sizeof(*dst));
	if (len < 8)
		return -1;
	len -= 8;
	if (family == AF_INET) {
		if (icmp[0] != ICMP_DEST_UNREACH || icmp[1] != ICMP_PORT_UNREACH ||
		    len < 20 || ip[0] >> 4 != 4)
			return -1;
		hl = (size_t)(ip[0] & 0x0f) * 4;
		/* a whole datagram of ours, not a fragment */
		if (hl < 20 || len < hl || ip[9] != IPPROTO_UDP ||
		    (ip[6] & 0x3f) || ip[7])
			return -1;
		dst->family = AF_INET;
		memcpy(dst->a, ip + 16, 4);
	} else if (family == AF_INET6) {
		/* ours never carry extension headers */
		if (icmp[0] != ICMP6_DST_UNREACH ||
		    icmp[1] != ICMP6_DST_UNREACH_NOPORT || len < 40 ||
		    ip[0] >> 4 != 6 || ip[6] != IPPROTO_UDP)
			return -1;
		hl = 40;
		dst->family = AF_INET6;
		memcpy(dst->a, ip + 24, 16);
	} else {
		return -1;
	}
	if (!quoted_probe(p, ip + hl, len - hl, seq)) {
		memset(dst, 0, sizeof(*dst));
		return -1;
	}
	return 0;
}

/* An ICMP error from @from at @icmp: a refusal of one of our probes by
 * the target itself marks its slot (once) and the target. */
static void take_refusal(struct prober *p, int family, const uint8_t *icmp,
			 size_t len, const struct ip_addr *from, double now)
{
	struct probe_target *t = NULL;
	struct probe_slot *s;
	struct ip_addr dst;
	uint32_t seq;

	if (probe_refused(p, family, icmp, len, &dst, &seq))
		return; /* another program's, or another error */
	if (ip_cmp(&dst, from) ||
	    !(s = probe_target_slot(p, &dst, seq, PROBE_UDP, &t)) ||
	    s->refused) {
		p->bad++;
		return;
	}
	s->refused = true;
	t->last_refusal = now;
	t->refusals++;
}

static void read_icmp(struct prober *p, int fd, int v6)
{
	for (;;) {
		struct sockaddr_storage from;
		uint8_t buf[1500];
		socklen_t fromlen;
		double rxk;
		ssize_t n = recv_one(fd, buf, sizeof(buf), &from, &fromlen, &rxk);
		double now = now_mono();
		struct probe_target *t = NULL;
		struct probe_slot *s;
		const uint8_t *icmp = buf;
		struct ip_addr a;
		uint32_t seq;

		if (n < 0)
			return;
		if (!v6) { /* raw IPv4 sockets see the IP header */
			size_t hl = (size_t)(buf[0] & 0x0f) * 4;

			if ((size_t)n < hl + 12)
				continue;
			icmp = buf + hl;
			n -= (ssize_t)hl;
		}
		if (n >= 8 && icmp[0] == (v6 ? ICMP6_DST_UNREACH
					     : ICMP_DEST_UNREACH)) {
			from_sockaddr(&from, &a);
			take_refusal(p, v6 ? AF_INET6 : AF_INET, icmp,
				     (size_t)n, &a, now);
			continue;
		}
		if (n < 12 || icmp[0] != (v6 ? ICMP6_ECHO_REPLY : ICMP_ECHOREPLY) ||
		    (uint16_t)(icmp[4] << 8 | icmp[5]) != p->echo_ident)
			continue; /* another program's ping */
		memcpy(&seq, icmp + 8, 4);
		from_sockaddr(&from, &a);
		s = probe_target_slot(p, &a, ntohl(seq), PROBE_ICMP, &t);
		if (!s) {
			p->bad++;
			continue;
		}
		probe_target_answered(p, t, s, now, rxk);
	}
}

/* The error queue first: a probe's send time before its reply. */
void prober_read(struct prober *p, int fd)
{
	if (fd == p->udp4 || fd == p->udp6) {
		read_errqueue(p, fd, PROBE_UDP,
			      fd == p->udp6 ? AF_INET6 : AF_INET);
		read_udp(p, fd);
	} else if (fd == p->icmp4) {
		read_errqueue(p, fd, PROBE_ICMP, AF_INET);
		read_icmp(p, fd, 0);
	} else if (fd == p->icmp6) {
		read_errqueue(p, fd, PROBE_ICMP, AF_INET6);
		read_icmp(p, fd, 1);
	}
}

