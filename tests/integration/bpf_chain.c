// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * bpf_chain.c - integration driver for the linkmon BPF programs, two modes.
 *
 *   bpf_chain IFNAME SECONDS
 *
 * proves the BPF build chain end to end: the generated linkmon skeleton is
 * opened, loaded and attached at tc ingress and egress of one interface
 * directly through libbpf, and its counters are read back.  Once both
 * programs are attached it prints "attached ifname=... ifindex=N" (callers
 * wait for that line before sending traffic).  After SECONDS, or earlier
 * on SIGINT/SIGTERM/SIGHUP, it prints
 *   ingress_packets=N ingress_bytes=N egress_packets=N egress_bytes=N
 * summed over CPUs and classes for IFNAME, detaches and exits 0.
 *
 *   bpf_chain linkmon [-v]
 *
 * drives agent/linkmon.c's API with commands read from stdin, one a line,
 * and answers each with exactly one line on stdout, "ok ...", "timeout ..."
 * or "error REASON" (see lmdrv_run() for the commands).  -v sends libbpf's
 * messages to stderr (the logger at debug level).  At end of input it
 * closes linkmon (which detaches) and exits 0; killed, it leaves its
 * filters attached like a crashed agent.
 *
 *   bpf_chain linkmon [-v] IFNAME SECONDS
 *
 * attaches to IFNAME through the same API (probe port 7789), prints
 * "attached ifname=IFNAME", and after SECONDS or a stop signal prints
 * "ok in.CLASS=PACKETS/BYTES ... out.CLASS=PACKETS/BYTES" and closes.
 *
 * Helpers return 0 or a negative errno and print nothing; the chain mode's
 * main reports each failure once, naming the step and the interface, and
 * unwinds through its one cleanup label.  Exit status: 0 success, 1
 * failure, 2 bad usage.
 */
#include <errno.h>
#include <net/if.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <endian.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/types.h>
#include <bpf/libbpf.h>

#include "agent/watch/linkmon.h"
#include "bpf/linkmon.h"
#include "bpf/linkmon.skel.h" /* generated into $(B)/bpf */
#include "common/log.h"

#define CHAIN_MAX_SECONDS 3600
#define CHAIN_DIRS	  2 /* enum lm_dir */
#define CHAIN_SLOT	  1 /* the one link's counters (its ifindex is small) */

/* Everything cleanup may have to undo; zeroed means nothing to undo. */
struct chain {
	const char *ifname;
	int ifindex;
	struct linkmon_bpf *skel;
	bool hook_created;
	bool attached[CHAIN_DIRS];
	/* Kernel-chosen handle and priority, needed to detach. */
	struct bpf_tc_opts opts[CHAIN_DIRS];
};

/* One direction's counters summed over all CPUs. */
struct chain_totals {
	unsigned long long packets;
	unsigned long long bytes;
};

static const char *const chain_dir_name[CHAIN_DIRS] = {
	[LM_INGRESS] = "ingress",
	[LM_EGRESS] = "egress",
};

static const enum bpf_tc_attach_point chain_dir_point[CHAIN_DIRS] = {
	[LM_INGRESS] = BPF_TC_INGRESS,
	[LM_EGRESS] = BPF_TC_EGRESS,
};

/*
 * libbpf logs every map and program it touches at info/debug level; only
 * its warnings say something is wrong, so only those reach stderr.
 */
static __attribute__((format(printf, 2, 0))) int
chain_libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level > LIBBPF_WARN)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static void chain_report(const struct chain *c, const char *step, int err)
{
	fprintf(stderr, "bpf_chain: %s %s: %s\n", step, c->ifname,
		strerror(-err));
}

/* Parse SECONDS, 1..CHAIN_MAX_SECONDS.  Returns 0 or -EINVAL. */
static int chain_parse_seconds(const char *s, unsigned int *out)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || v < 1 || v > CHAIN_MAX_SECONDS)
		return -EINVAL;
	*out = v;
	return 0;
}

/*
 * Filled in place: libbpf refuses options whose bytes after the last field
 * it knows are not zero, and a struct returned by value need not have its
 * padding copied.
 */
static void chain_hook(struct bpf_tc_hook *hook, const struct chain *c,
		       enum bpf_tc_attach_point point)
{
	memset(hook, 0, sizeof(*hook));
	hook->sz = sizeof(*hook);
	hook->ifindex = c->ifindex;
	hook->attach_point = point;
}

/*
 * Create the clsact qdisc both directions hang off.  An existing one belongs
 * to someone else's tc setup: use it, and leave it in place at cleanup.
 */
static int chain_hook_create(struct chain *c)
{
	struct bpf_tc_hook hook;
	int err;

	chain_hook(&hook, c, BPF_TC_INGRESS);
	err = bpf_tc_hook_create(&hook);
	if (err == -EEXIST)
		return 0;
	if (err)
		return err;
	c->hook_created = true;
	return 0;
}

/* Removes the whole clsact qdisc: only call when chain_hook_create made it. */
static int chain_hook_destroy(struct chain *c)
{
	struct bpf_tc_hook hook;
	int err;

	chain_hook(&hook, c, BPF_TC_INGRESS | BPF_TC_EGRESS);
	err = bpf_tc_hook_destroy(&hook);
	if (err)
		return err;
	c->hook_created = false;
	return 0;
}

/*
 * Attach @prog at the @dir hook with a kernel-chosen handle and priority;
 * libbpf writes both back into c->opts[dir], which detaching needs.
 */
static int chain_attach(struct chain *c, enum lm_dir dir,
			const struct bpf_program *prog)
{
	struct bpf_tc_hook hook;
	LIBBPF_OPTS(bpf_tc_opts, opts, .prog_fd = bpf_program__fd(prog));
	int err;

	chain_hook(&hook, c, chain_dir_point[dir]);
	err = bpf_tc_attach(&hook, &opts);
	if (err)
		return err;
	c->opts[dir] = opts;
	c->attached[dir] = true;
	return 0;
}

/* bpf_tc_detach() wants handle and priority only; fd and id must be 0. */
static int chain_detach(struct chain *c, enum lm_dir dir)
{
	struct bpf_tc_hook hook;
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = c->opts[dir].handle,
		    .priority = c->opts[dir].priority);
	int err;

	chain_hook(&hook, c, chain_dir_point[dir]);
	err = bpf_tc_detach(&hook, &opts);
	if (err)
		return err;
	c->attached[dir] = false;
	return 0;
}

/*
 * Wait until one of the signals in @stop arrives or @seconds pass.  They are
 * blocked, so they are taken here rather than killing the process with the
 * programs still attached.  Returns 0, or -errno if sigtimedwait() fails.
 */
static int chain_wait(const sigset_t *stop, unsigned int seconds)
{
	struct timespec now, end, left;

	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += seconds;
	for (;;) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		left.tv_sec = end.tv_sec - now.tv_sec;
		left.tv_nsec = end.tv_nsec - now.tv_nsec;
		if (left.tv_nsec < 0) {
			left.tv_nsec += 1000000000L;
			left.tv_sec--;
		}
		if (left.tv_sec < 0)
			return 0;
		if (sigtimedwait(stop, NULL, &left) >= 0 || errno == EAGAIN)
			return 0;
		/* EINTR: a stop/continue or similar; keep waiting. */
		if (errno != EINTR)
			return -errno;
	}
}

/*
 * Sum the per-CPU counters of slot CHAIN_SLOT in direction @dir over all
 * classes into @out.
 */
static int chain_read(const struct chain *c, enum lm_dir dir,
		      struct chain_totals *out)
{
	struct lm_value *vals;
	int ncpus, err = 0, i;
	__u32 cls, idx;

	memset(out, 0, sizeof(*out));
	ncpus = libbpf_num_possible_cpus();
	if (ncpus < 0)
		return ncpus;
	vals = calloc(ncpus, sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	for (cls = 0; !err && cls < LM_CLASSES; cls++) {
		idx = lm_counter_index(CHAIN_SLOT, dir, cls);
		err = bpf_map__lookup_elem(c->skel->maps.link_counters, &idx,
					   sizeof(idx), vals,
					   ncpus * sizeof(*vals), 0);
		for (i = 0; !err && i < ncpus; i++) {
			out->packets += vals[i].packets;
			out->bytes += vals[i].bytes;
		}
	}
	free(vals);
	return err;
}

static int chain_main(int argc, char **argv)
{
	struct chain c = {0};
	struct chain_totals in, eg;
	unsigned int seconds;
	sigset_t stop;
	int err, dir, ret;

	if (argc != 3 || chain_parse_seconds(argv[2], &seconds)) {
		fprintf(stderr, "usage: %s IFNAME SECONDS (1-%d)\n",
			argc > 0 ? argv[0] : "bpf_chain", CHAIN_MAX_SECONDS);
		return 2;
	}
	c.ifname = argv[1];
	libbpf_set_print(chain_libbpf_print);

	/*
	 * Blocked before anything is attached: from here on a stop signal
	 * only ends the wait, so cleanup always runs.
	 */
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGHUP);
	sigprocmask(SIG_BLOCK, &stop, NULL);

	c.ifindex = if_nametoindex(c.ifname);
	if (!c.ifindex) {
		err = -errno;
		chain_report(&c, "find interface", err);
		goto cleanup;
	}

	/* Open and load are separate: rodata knobs go in between later. */
	c.skel = linkmon_bpf__open();
	if (!c.skel) {
		err = -errno;
		chain_report(&c, "open linkmon skeleton for", err);
		goto cleanup;
	}
	/* The raw skeleton: no tracepoint, only the tc programs. */
	bpf_program__set_autoload(c.skel->progs.linkmon_drop, false);
	err = linkmon_bpf__load(c.skel);
	if (err) {
		chain_report(&c, "load linkmon programs for", err);
		goto cleanup;
	}
	{
		__u32 key = (__u32)c.ifindex, slot = CHAIN_SLOT;

		err = bpf_map__update_elem(c.skel->maps.link_slot, &key,
					   sizeof(key), &slot, sizeof(slot),
					   BPF_ANY);
		if (err) {
			chain_report(&c, "give a counter slot to", err);
			goto cleanup;
		}
	}

	err = chain_hook_create(&c);
	if (err) {
		chain_report(&c, "create clsact qdisc on", err);
		goto cleanup;
	}
	err = chain_attach(&c, LM_INGRESS, c.skel->progs.linkmon_ingress);
	if (err) {
		chain_report(&c, "attach linkmon_ingress to", err);
		goto cleanup;
	}
	err = chain_attach(&c, LM_EGRESS, c.skel->progs.linkmon_egress);
	if (err) {
		chain_report(&c, "attach linkmon_egress to", err);
		goto cleanup;
	}
	printf("attached ifname=%s ifindex=%d\n", c.ifname, c.ifindex);
	fflush(stdout);

	err = chain_wait(&stop, seconds);
	if (err) {
		chain_report(&c, "wait for signal, attached to", err);
		goto cleanup;
	}

	err = chain_read(&c, LM_INGRESS, &in);
	if (err) {
		chain_report(&c, "read ingress counters of", err);
		goto cleanup;
	}
	err = chain_read(&c, LM_EGRESS, &eg);
	if (err) {
		chain_report(&c, "read egress counters of", err);
		goto cleanup;
	}
	printf("ingress_packets=%llu ingress_bytes=%llu "
	       "egress_packets=%llu egress_bytes=%llu\n",
	       in.packets, in.bytes, eg.packets, eg.bytes);

cleanup:
	/* Undo in reverse; a failure here still fails the run. */
	for (dir = CHAIN_DIRS - 1; dir >= 0; dir--) {
		if (!c.attached[dir])
			continue;
		ret = chain_detach(&c, dir);
		if (ret) {
			fprintf(stderr,
				"bpf_chain: detach linkmon_%s from %s: %s\n",
				chain_dir_name[dir], c.ifname, strerror(-ret));
			err = err ? err : ret;
		}
	}
	if (c.hook_created) {
		ret = chain_hook_destroy(&c);
		if (ret) {
			chain_report(&c, "remove clsact qdisc from", ret);
			err = err ? err : ret;
		}
	}
	linkmon_bpf__destroy(c.skel);
	return err ? 1 : 0;
}

/* ---- linkmon mode: agent/linkmon.c's API driven from stdin ---- */

#define LMDRV_LINE     1024
#define LMDRV_MAX_ARGS 32
#define LMDRV_PROBE_MS 2000 /* default wait for a probe's reply */
#define LMDRV_PORT     7789 /* probe port of the one-shot mode */

static const char *const lmdrv_class[LM_CLASSES] = {
	[LM_TCP] = "tcp",     [LM_UDP] = "udp",	    [LM_ICMP] = "icmp",
	[LM_OTHER] = "other", [LM_PROBE] = "probe",
};

static const char *const lmdrv_dir[CHAIN_DIRS] = {
	[LM_INGRESS] = "in",
	[LM_EGRESS] = "out",
};

struct lmdrv {
	struct linkmon *lm;
	uint16_t port; /* the probe port linkmon was opened with */
};

static uint64_t lmdrv_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Parse an unsigned number up to @max into *@out: 0 or -EINVAL. */
static int lmdrv_number(const char *s, unsigned long long max,
			unsigned long long *out)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s || *end || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

/* "ok in.tcp=P/B ... out.probe=P/B" for one link. */
static void lmdrv_read(struct lmdrv *d, const char *ifname)
{
	struct lm_counts c;
	int ret, dir, cls;

	ret = linkmon_read(d->lm, ifname, &c);
	if (ret) {
		printf("error read %s: %s\n", ifname, strerror(-ret));
		return;
	}
	printf("ok");
	for (dir = 0; dir < CHAIN_DIRS; dir++)
		for (cls = 0; cls < LM_CLASSES; cls++)
			printf(" %s.%s=%llu/%llu", lmdrv_dir[dir],
			       lmdrv_class[cls],
			       (unsigned long long)c.packets[dir][cls],
			       (unsigned long long)c.bytes[dir][cls]);
	printf("\n");
}

/* "ok REASON=P/B ..." for one link, or "off: WHY". */
static void lmdrv_drops(struct lmdrv *d, const char *ifname)
{
	struct lm_drop dr[64];
	char buf[16];
	int n, i;

	if (linkmon_drops_off(d->lm)) {
		printf("off: %s\n", linkmon_drops_off(d->lm));
		return;
	}
	n = linkmon_drops_refresh(d->lm);
	if (!n)
		n = linkmon_drops(d->lm, ifname, dr, 64);
	if (n < 0) {
		printf("error drops %s: %s\n", ifname, strerror(-n));
		return;
	}
	printf("ok");
	for (i = 0; i < n; i++)
		printf(" %s=%llu/%llu",
		       linkmon_reason_name(d->lm, dr[i].reason, buf,
					   sizeof(buf)),
		       (unsigned long long)dr[i].packets,
		       (unsigned long long)dr[i].bytes);
	printf("\n");
}

/*
 * Send one egnet probe request with sequence number @seq to @addr on the
 * probe port, wait up to @ms for its reply, then ask linkmon for the
 * kernel's timestamps.  t0/t1 are CLOCK_MONOTONIC just before sendto() and
 * just after the reply was received.  Answers
 *   ok seq=S tx=T rx=R t0=N t1=N      (reply received)
 *   timeout seq=S tx=T rx=R           (none within @ms)
 */
static void lmdrv_probe(struct lmdrv *d, const char *addr, uint32_t seq, int ms)
{
	struct addrinfo hints = {.ai_socktype = SOCK_DGRAM,
				 .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV};
	struct egnet_probe req = {0}, rep;
	struct addrinfo *ai = NULL;
	uint64_t t0, t1 = 0, tx, rx, deadline;
	char port[8];
	int fd = -1, ret;
	ssize_t n;

	snprintf(port, sizeof(port), "%u", d->port);
	ret = getaddrinfo(addr, port, &hints, &ai);
	if (ret) {
		printf("error probe %s: %s\n", addr, gai_strerror(ret));
		return;
	}
	fd = socket(ai->ai_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		printf("error probe socket: %s\n", strerror(errno));
		goto out;
	}
	req.magic = htonl(EGNET_PROBE_MAGIC);
	req.type = EGNET_PROBE_REQUEST;
	req.ver = 1;
	req.seq = htonl(seq);
	t0 = lmdrv_now();
	req.sent_ns = htobe64(t0);
	if (sendto(fd, &req, sizeof(req), 0, ai->ai_addr, ai->ai_addrlen) !=
	    (ssize_t)sizeof(req)) {
		printf("error probe send to %s: %s\n", addr, strerror(errno));
		goto out;
	}
	deadline = t0 + (uint64_t)ms * 1000000ull;
	for (;;) {
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		uint64_t now = lmdrv_now();

		if (now >= deadline)
			break;
		ret = poll(&pfd, 1, (int)((deadline - now) / 1000000ull) + 1);
		if (ret < 0 && errno != EINTR) {
			printf("error probe poll: %s\n", strerror(errno));
			goto out;
		}
		if (ret <= 0)
			continue;
		n = recv(fd, &rep, sizeof(rep), 0);
		if (n < 0) {
			printf("error probe recv: %s\n", strerror(errno));
			goto out;
		}
		if (n == (ssize_t)sizeof(rep) &&
		    ntohl(rep.magic) == EGNET_PROBE_MAGIC &&
		    rep.type == EGNET_PROBE_REPLY && ntohl(rep.seq) == seq) {
			t1 = lmdrv_now();
			break;
		}
	}
	ret = linkmon_probe_ts(d->lm, seq, &tx, &rx);
	if (ret) {
		printf("error probe_ts %u: %s\n", seq, strerror(-ret));
		goto out;
	}
	if (t1)
		printf("ok seq=%u tx=%llu rx=%llu t0=%llu t1=%llu\n", seq,
		       (unsigned long long)tx, (unsigned long long)rx,
		       (unsigned long long)t0, (unsigned long long)t1);
	else
		printf("timeout seq=%u tx=%llu rx=%llu\n", seq,
		       (unsigned long long)tx, (unsigned long long)rx);
out:
	if (fd >= 0)
		close(fd);
	freeaddrinfo(ai);
}

/*
 * One command line, split into @argv[0..argc).  Commands:
 *   open PORT         linkmon_open(PORT)
 *   attach IF         linkmon_attach
 *   detach IF         linkmon_detach
 *   sync [IF...]      linkmon_sync (no IF: detach from every link)
 *   read IF           linkmon_read, "ok in.CLASS=P/B ... out.CLASS=P/B"
 *   drops IF          linkmon_drops_refresh + linkmon_drops, "ok
 *                     REASON=P/B ..." ("off: WHY" when
 *                     drops are not counted)
 *   probe ADDR SEQ [MS]  see lmdrv_probe()
 *   probe_ts SEQ      linkmon_probe_ts, "ok tx=T rx=R"
 *   close             linkmon_close
 *   detach_all        linkmon_detach_all (needs no open)
 */
static void lmdrv_run(struct lmdrv *d, int argc, char **argv)
{
	char(*names)[16] = NULL;
	unsigned long long v, ms = LMDRV_PROBE_MS;
	char err[256];
	uint64_t tx, rx;
	int ret, i;

	if (strcmp(argv[0], "detach_all") == 0) {
		ret = linkmon_detach_all(err, sizeof(err));
		if (ret)
			printf("error %s\n", err);
		else
			printf("ok\n");
		return;
	}
	if (strcmp(argv[0], "open") == 0) {
		if (argc != 2 || lmdrv_number(argv[1], 65535, &v)) {
			printf("error usage: open PORT\n");
			return;
		}
		if (d->lm) {
			printf("error already open\n");
			return;
		}
		d->lm = linkmon_open((uint16_t)v, err, sizeof(err));
		if (!d->lm) {
			printf("error %s\n", err);
			return;
		}
		d->port = (uint16_t)v;
		printf("ok\n");
		return;
	}
	if (!d->lm) {
		printf("error not open\n");
		return;
	}
	if (strcmp(argv[0], "close") == 0) {
		linkmon_close(d->lm);
		d->lm = NULL;
		printf("ok\n");
	} else if (strcmp(argv[0], "attach") == 0 && argc == 2) {
		ret = linkmon_attach(d->lm, argv[1], err, sizeof(err));
		if (ret)
			printf("error %s\n", err);
		else
			printf("ok\n");
	} else if (strcmp(argv[0], "detach") == 0 && argc == 2) {
		ret = linkmon_detach(d->lm, argv[1]);
		if (ret)
			printf("error detach %s: %s\n", argv[1],
			       strerror(-ret));
		else
			printf("ok\n");
	} else if (strcmp(argv[0], "sync") == 0) {
		names = calloc((size_t)argc, sizeof(*names));
		if (!names) {
			printf("error out of memory\n");
			return;
		}
		for (i = 1; i < argc; i++)
			strncpy(names[i - 1], argv[i], sizeof(names[0]));
		ret = linkmon_sync(d->lm, names, argc - 1, err, sizeof(err));
		if (ret)
			printf("error %s\n", err);
		else
			printf("ok\n");
		free(names);
	} else if (strcmp(argv[0], "read") == 0 && argc == 2) {
		lmdrv_read(d, argv[1]);
	} else if (strcmp(argv[0], "drops") == 0 && argc == 2) {
		lmdrv_drops(d, argv[1]);
	} else if (strcmp(argv[0], "probe") == 0 && (argc == 3 || argc == 4)) {
		if (lmdrv_number(argv[2], UINT32_MAX, &v) ||
		    (argc == 4 && lmdrv_number(argv[3], 60000, &ms))) {
			printf("error usage: probe ADDR SEQ [MS]\n");
			return;
		}
		lmdrv_probe(d, argv[1], (uint32_t)v, (int)ms);
	} else if (strcmp(argv[0], "probe_ts") == 0 && argc == 2) {
		if (lmdrv_number(argv[1], UINT32_MAX, &v)) {
			printf("error usage: probe_ts SEQ\n");
			return;
		}
		ret = linkmon_probe_ts(d->lm, (uint32_t)v, &tx, &rx);
		if (ret)
			printf("error probe_ts: %s\n", strerror(-ret));
		else
			printf("ok tx=%llu rx=%llu\n", (unsigned long long)tx,
			       (unsigned long long)rx);
	} else {
		printf("error unknown command or arguments: %s\n", argv[0]);
	}
}

/*
 * bpf_chain linkmon IFNAME SECONDS: attach through the API for SECONDS (or
 * until SIGINT/SIGTERM/SIGHUP), then print the counters as the read
 * command does and close.  For benchmarks and manual checks.
 */
static int lmdrv_oneshot(const char *ifname, const char *secs)
{
	struct lmdrv d = {.port = LMDRV_PORT};
	unsigned int seconds;
	char err[256];
	sigset_t stop;
	int ret;

	if (chain_parse_seconds(secs, &seconds)) {
		fprintf(stderr, "bpf_chain: SECONDS must be 1-%d\n",
			CHAIN_MAX_SECONDS);
		return 2;
	}
	/* Blocked before anything is attached: a stop signal then only ends
	 * the wait, so the programs are always detached. */
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGHUP);
	sigprocmask(SIG_BLOCK, &stop, NULL);
	d.lm = linkmon_open(d.port, err, sizeof(err));
	if (!d.lm) {
		fprintf(stderr, "bpf_chain: %s\n", err);
		return 1;
	}
	ret = linkmon_attach(d.lm, ifname, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "bpf_chain: %s\n", err);
		goto out;
	}
	printf("attached ifname=%s\n", ifname);
	fflush(stdout);
	ret = chain_wait(&stop, seconds);
	if (ret)
		fprintf(stderr, "bpf_chain: wait: %s\n", strerror(-ret));
	else
		lmdrv_read(&d, ifname);
out:
	linkmon_close(d.lm);
	return ret ? 1 : 0;
}

static int lmdrv_main(int argc, char **argv)
{
	struct lmdrv d = {0};
	char line[LMDRV_LINE], *args[LMDRV_MAX_ARGS], *save, *tok;
	bool verbose = false;
	int n, i = 2;

	if (argc > i && strcmp(argv[i], "-v") == 0) {
		verbose = true;
		i++;
	}
	log_init("bpf_chain", verbose ? LOG_LVL_DEBUG : LOG_LVL_WARN);
	if (argc == i + 2)
		return lmdrv_oneshot(argv[i], argv[i + 1]);
	if (argc != i) {
		fprintf(stderr, "usage: %s linkmon [-v] [IFNAME SECONDS]\n",
			argv[0]);
		return 2;
	}
	while (fgets(line, sizeof(line), stdin)) {
		n = 0;
		save = NULL;
		for (tok = strtok_r(line, " \t\r\n", &save);
		     tok && n < LMDRV_MAX_ARGS;
		     tok = strtok_r(NULL, " \t\r\n", &save))
			args[n++] = tok;
		if (n == 0)
			continue;
		if (strcmp(args[0], "quit") == 0)
			break;
		lmdrv_run(&d, n, args);
		fflush(stdout);
	}
	linkmon_close(d.lm);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "linkmon") == 0)
		return lmdrv_main(argc, argv);
	return chain_main(argc, argv);
}
