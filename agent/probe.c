// SPDX-License-Identifier: BSD-2-Clause
/*
 * The prober.  Sockets are non-blocking and driven by the agent's event
 * loop; nothing here sleeps.  Time is CLOCK_MONOTONIC, the clock of the
 * BPF timestamps, so kernel and user RTTs compare.  A reply is accepted
 * only from the target's address, with our code, for a sequence number we
 * sent it that is still in its window and unanswered.
 */
#include "agent/probe.h"

#include <arpa/inet.h>
#include <errno.h>
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

#include "agent/linkmon.h"
#include "bpf/linkmon.h"
#include "common/log.h"

const char *const probe_state_words[] = {"unknown", "up", "down"};

static long long wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static double mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t htonll(uint64_t v)
{
	return ((uint64_t)htonl((uint32_t)v) << 32) | htonl((uint32_t)(v >> 32));
}

#define ntohll htonll

static int udp_socket(int family, uint16_t port, char *err, size_t errlen)
{
	struct sockaddr_storage ss = {0};
	int one = 1, fd;
	socklen_t len;

	fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto fail;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	/* a receive timestamp from the kernel when BPF gives none */
	setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof(one));
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
	snprintf(err, errlen, "probe socket (%s, port %u): %s",
		 family == AF_INET6 ? "IPv6" : "IPv4", port, strerror(errno));
	if (fd >= 0)
		close(fd);
	return -1;
}

static int icmp_socket(int family)
{
	int one = 1;
	int fd = socket(family, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
			family == AF_INET6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP);

	if (fd >= 0)
		setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof(one));
	if (fd >= 0 && family == AF_INET6) {
		struct icmp6_filter f;

		ICMP6_FILTER_SETBLOCKALL(&f);
		ICMP6_FILTER_SETPASS(ICMP6_ECHO_REPLY, &f);
		setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &f, sizeof(f));
	}
	return fd;
}

static void take_targets(struct prober *p, const struct desired *ds,
			 struct probe_target *old, int n_old)
{
	p->t = xcalloc((size_t)ds->n_targets + 1, sizeof(*p->t));
	p->n = 0;
	for (int i = 0; i < ds->n_targets; i++) {
		const struct ds_target *d = &ds->targets[i];
		struct probe_target *t = &p->t[p->n];
		struct probe_target *was = NULL;
		int f = d->has[FAM_V4] ? FAM_V4 : FAM_V6;

		if (!d->has[f])
			continue; /* no address: nothing to probe */
		for (int k = 0; k < n_old && !was; k++)
			if (old[k].code == d->code &&
			    !ip_cmp(&old[k].addr, &d->addr[f]))
				was = &old[k];
		if (was) {
			*t = *was; /* keeps its window and figures */
			was->win = NULL;
		} else {
			t->code = d->code;
			t->addr = d->addr[f];
			t->state = PS_UNKNOWN;
			t->since = mono();
			t->since_wall = wall_ms();
			t->last_rtt = t->last_user_rtt = -1;
		}
		snprintf(t->name, sizeof(t->name), "%s", d->name);
		t->rel = d->rel;
		t->method = d->method;
		if (!t->win) {
			t->win = xcalloc((size_t)p->window, sizeof(*t->win));
			for (int k = 0; k < p->window; k++)
				t->win[k].rtt = -1;
			t->head = 0;
		}
		p->n++;
	}
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
	p->window = pp->window > PROBE_WINDOW_MAX ? PROBE_WINDOW_MAX
						  : pp->window;
	p->echo_ident = (uint16_t)(getpid() & 0xffff);
	p->next_seq = (uint32_t)time(NULL) << 12;
	p->udp4 = udp_socket(AF_INET, p->port, err, errlen);
	if (p->udp4 < 0)
		return -EADDRINUSE;
	p->udp6 = udp_socket(AF_INET6, p->port, err, errlen);
	p->icmp4 = icmp_socket(AF_INET);
	p->icmp6 = icmp_socket(AF_INET6);
	take_targets(p, ds, NULL, 0);
	return 0;
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

void prober_retarget(struct prober *p, const struct desired *ds)
{
	struct probe_target *old = p->t;
	int n_old = p->n;

	take_targets(p, ds, old, n_old);
	for (int i = 0; i < n_old; i++)
		free(old[i].win);
	free(old);
}

static void set_state(struct prober *p, struct probe_target *t, int state)
{
	if (t->state == state)
		return;
	t->state = state;
	t->since = mono();
	t->since_wall = wall_ms();
	if (p->on_change)
		p->on_change(t, p->arg);
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
	double now = mono();
	ssize_t rc;

	t->head = (t->head + 1) % p->window;
	s->seq = seq;
	s->sent = now;
	s->rtt = -1;
	s->kernel = false;
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
		uint8_t pkt[16] = {0};
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
				set_state(p, t, PS_DOWN);
		}
		send_probe(p, t);
	}
}

/* ---- receiving ------------------------------------------------------------ */

/* The target probing addr with seq still open in its window, or NULL. */
static struct probe_slot *find_slot(struct prober *p, const struct ip_addr *a,
				    uint32_t seq, int method,
				    struct probe_target **tp)
{
	for (int i = 0; i < p->n; i++) {
		struct probe_target *t = &p->t[i];

		if (t->method != method || ip_cmp(&t->addr, a))
			continue;
		for (int k = 0; k < p->window; k++)
			if (t->win[k].seq == seq && t->win[k].rtt == -1) {
				*tp = t;
				return &t->win[k];
			}
	}
	return NULL;
}

static void answered(struct prober *p, struct probe_target *t,
		     struct probe_slot *s, double rx_user, double rx_kernel)
{
	uint64_t ktx = 0, krx = 0;

	s->rtt = (rx_user - s->sent) * 1e3;
	t->last_user_rtt = s->rtt;
	s->kernel = false;
	if (p->lm && linkmon_probe_ts(p->lm, s->seq, &ktx, &krx) == 0 &&
	    ktx && krx > ktx) {
		s->rtt = (double)(krx - ktx) / 1e6;
		s->kernel = true;
	} else if (rx_kernel > 0 && rx_kernel >= s->sent) {
		/* the receive time from the socket's kernel timestamp */
		s->rtt = (rx_kernel - s->sent) * 1e3;
	}
	t->last_rtt = s->rtt;
	t->last_kernel = s->kernel;
	t->received++;
	t->misses = 0;
	t->answers++;
	if (t->answers >= p->up_after || t->state == PS_UP)
		set_state(p, t, PS_UP);
}

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

static double cmsg_time(struct msghdr *mh)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c))
		if (c->cmsg_level == SOL_SOCKET &&
		    c->cmsg_type == SO_TIMESTAMPNS &&
		    c->cmsg_len >= CMSG_LEN(sizeof(struct timespec))) {
			struct timespec ts, rt, mt;

			memcpy(&ts, CMSG_DATA(c), sizeof(ts));
			/* the stamp is wall clock: bring it to monotonic */
			clock_gettime(CLOCK_REALTIME, &rt);
			clock_gettime(CLOCK_MONOTONIC, &mt);
			return (double)mt.tv_sec + mt.tv_nsec / 1e9 -
			       ((double)rt.tv_sec + rt.tv_nsec / 1e9 -
				((double)ts.tv_sec + ts.tv_nsec / 1e9));
		}
	return 0;
}

/* One datagram: its sender and the kernel's receive time (0 if none). */
static ssize_t recv_one(int fd, void *buf, size_t len,
			struct sockaddr_storage *from, socklen_t *fromlen,
			double *rx_kernel)
{
	char ctl[256];
	struct iovec iov = {buf, len};
	struct msghdr mh = {.msg_name = from,
			    .msg_namelen = sizeof(*from),
			    .msg_iov = &iov,
			    .msg_iovlen = 1,
			    .msg_control = ctl,
			    .msg_controllen = sizeof(ctl)};
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
		double now = mono();
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
		    !(s = find_slot(p, &a, ntohl(buf.m.seq), PROBE_UDP, &t))) {
			p->bad++;
			for (int i = 0; i < p->n; i++)
				if (!ip_cmp(&p->t[i].addr, &a))
					p->t[i].bad++;
			continue;
		}
		answered(p, t, s, now, rxk);
	}
}

static void read_icmp(struct prober *p, int fd, int v6)
{
	for (;;) {
		struct sockaddr_storage from;
		uint8_t buf[1500];
		socklen_t fromlen;
		double rxk;
		ssize_t n = recv_one(fd, buf, sizeof(buf), &from, &fromlen, &rxk);
		double now = mono();
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
		if (n < 12 || icmp[0] != (v6 ? ICMP6_ECHO_REPLY : ICMP_ECHOREPLY) ||
		    (uint16_t)(icmp[4] << 8 | icmp[5]) != p->echo_ident)
			continue; /* another program's ping */
		memcpy(&seq, icmp + 8, 4);
		from_sockaddr(&from, &a);
		s = find_slot(p, &a, ntohl(seq), PROBE_ICMP, &t);
		if (!s) {
			p->bad++;
			continue;
		}
		answered(p, t, s, now, rxk);
	}
}

void prober_read(struct prober *p, int fd)
{
	if (fd == p->udp4 || fd == p->udp6)
		read_udp(p, fd);
	else if (fd == p->icmp4)
		read_icmp(p, fd, 0);
	else if (fd == p->icmp6)
		read_icmp(p, fd, 1);
}

/* ---- figures ---------------------------------------------------------------- */

void probe_stats(const struct prober *p, const struct probe_target *t,
		 struct probe_stats *st)
{
	double sum = 0, prev = -1, jit = 0;
	int lost = 0, got = 0, pairs = 0;

	memset(st, 0, sizeof(*st));
	st->rtt_min = st->rtt_max = st->rtt_avg = st->jitter = -1;
	/* oldest first, so jitter follows the order of the probes */
	for (int k = 0; k < p->window; k++) {
		const struct probe_slot *s =
			&t->win[(t->head + k) % p->window];

		if (!s->seq)
			continue;
		if (s->rtt >= 0) {
			got++;
			sum += s->rtt;
			if (st->rtt_min < 0 || s->rtt < st->rtt_min)
				st->rtt_min = s->rtt;
			if (s->rtt > st->rtt_max)
				st->rtt_max = s->rtt;
			if (prev >= 0) {
				/* mean difference of successive RTTs */
				jit += s->rtt > prev ? s->rtt - prev
						     : prev - s->rtt;
				pairs++;
			}
			prev = s->rtt;
		} else if (s->rtt == -2) {
			lost++;
		}
	}
	st->samples = got + lost;
	if (st->samples)
		st->loss = 100.0 * lost / st->samples;
	if (got)
		st->rtt_avg = sum / got;
	if (pairs)
		st->jitter = jit / pairs;
}

static json_t *num(double v)
{
	return v < 0 ? json_null() : json_real((double)(long long)(v * 1000) / 1000);
}

json_t *prober_json(const struct prober *p)
{
	static const char *const rels[] = {"parent", "child", "village"};
	json_t *a = json_array();
	char cb[CODE_STRLEN], ab[IP_STRLEN];

	for (int i = 0; i < p->n; i++) {
		const struct probe_target *t = &p->t[i];
		struct probe_stats st;

		probe_stats(p, t, &st);
		json_array_append_new(
			a,
			json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:o, s:o, "
				  "s:o, s:o, s:o, s:o, s:o, s:b, s:I, s:I, s:I}",
				  "code", code_format(t->code, cb), "name",
				  t->name, "relation", rels[t->rel], "method",
				  t->method == PROBE_UDP ? "egnet" : "icmp",
				  "address",
				  ip_format_addr(&t->addr, ab, sizeof(ab)),
				  "state", probe_state_words[t->state], "since_ms",
				  (json_int_t)t->since_wall, "rtt_ms",
				  num(t->last_rtt), "user_rtt_ms",
				  num(t->last_user_rtt), "rtt_avg_ms",
				  num(st.rtt_avg), "rtt_min_ms", num(st.rtt_min),
				  "rtt_max_ms", num(st.rtt_max), "jitter_ms",
				  num(st.jitter), "loss_pct",
				  json_real(st.loss), "kernel_timestamps",
				  t->last_kernel, "sent", (json_int_t)t->sent,
				  "received", (json_int_t)t->received, "bad",
				  (json_int_t)t->bad));
	}
	return a;
}
