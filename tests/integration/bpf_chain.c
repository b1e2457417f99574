// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * bpf_chain.c - proves the BPF build chain end to end: the generated linkmon
 * skeleton is opened, loaded and attached at tc ingress and egress of one
 * interface, and its counters are read back.
 *
 *   bpf_chain IFNAME SECONDS
 *
 * Once both programs are attached it prints "attached ifname=... ifindex=N"
 * (callers wait for that line before sending traffic).  After SECONDS, or
 * earlier on SIGINT/SIGTERM/SIGHUP, it prints
 *   ingress_packets=N ingress_bytes=N egress_packets=N egress_bytes=N
 * summed over CPUs for IFNAME, detaches and exits 0.
 *
 * Helpers return 0 or a negative errno and print nothing; main reports each
 * failure once, naming the step and the interface, and unwinds through its
 * one cleanup label.  Exit status: 0 success, 1 failure, 2 bad usage.
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
#include <linux/types.h>
#include <bpf/libbpf.h>

#include "bpf/linkmon.h"
#include "bpf/linkmon.skel.h" /* generated into $(B)/bpf */

#define CHAIN_MAX_SECONDS 3600

/* Everything cleanup may have to undo; zeroed means nothing to undo. */
struct chain {
	const char *ifname;
	int ifindex;
	struct linkmon_bpf *skel;
	bool hook_created;
	bool attached[LINKMON_DIR_MAX];
	/* Kernel-chosen handle and priority, needed to detach. */
	struct bpf_tc_opts opts[LINKMON_DIR_MAX];
};

/* One direction's counters summed over all CPUs. */
struct chain_totals {
	unsigned long long packets;
	unsigned long long bytes;
};

static const char *const chain_dir_name[LINKMON_DIR_MAX] = {
	[LINKMON_DIR_INGRESS] = "ingress",
	[LINKMON_DIR_EGRESS] = "egress",
};

static const enum bpf_tc_attach_point chain_dir_point[LINKMON_DIR_MAX] = {
	[LINKMON_DIR_INGRESS] = BPF_TC_INGRESS,
	[LINKMON_DIR_EGRESS] = BPF_TC_EGRESS,
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

static struct bpf_tc_hook chain_hook(const struct chain *c,
				     enum bpf_tc_attach_point point)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = c->ifindex,
		    .attach_point = point);

	return hook;
}

/*
 * Create the clsact qdisc both directions hang off.  An existing one belongs
 * to someone else's tc setup: use it, and leave it in place at cleanup.
 */
static int chain_hook_create(struct chain *c)
{
	struct bpf_tc_hook hook = chain_hook(c, BPF_TC_INGRESS);
	int err;

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
	struct bpf_tc_hook hook = chain_hook(c, BPF_TC_INGRESS | BPF_TC_EGRESS);
	int err;

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
static int chain_attach(struct chain *c, enum linkmon_dir dir,
			const struct bpf_program *prog)
{
	struct bpf_tc_hook hook = chain_hook(c, chain_dir_point[dir]);
	LIBBPF_OPTS(bpf_tc_opts, opts, .prog_fd = bpf_program__fd(prog));
	int err;

	err = bpf_tc_attach(&hook, &opts);
	if (err)
		return err;
	c->opts[dir] = opts;
	c->attached[dir] = true;
	return 0;
}

/* bpf_tc_detach() wants handle and priority only; fd and id must be 0. */
static int chain_detach(struct chain *c, enum linkmon_dir dir)
{
	struct bpf_tc_hook hook = chain_hook(c, chain_dir_point[dir]);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = c->opts[dir].handle,
		    .priority = c->opts[dir].priority);
	int err;

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
 * Sum the per-CPU counters of (c->ifindex, @dir) into @out.  No entry means
 * no packet went that way, which is zeros, not an error.
 */
static int chain_read(const struct chain *c, enum linkmon_dir dir,
		      struct chain_totals *out)
{
	struct linkmon_key key = {.ifindex = c->ifindex, .dir = dir};
	struct linkmon_counters *vals;
	int ncpus, err, i;

	memset(out, 0, sizeof(*out));
	ncpus = libbpf_num_possible_cpus();
	if (ncpus < 0)
		return ncpus;
	vals = calloc(ncpus, sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	err = bpf_map__lookup_elem(c->skel->maps.link_counters, &key,
				   sizeof(key), vals, ncpus * sizeof(*vals), 0);
	if (err == -ENOENT)
		err = 0;
	for (i = 0; !err && i < ncpus; i++) {
		out->packets += vals[i].packets;
		out->bytes += vals[i].bytes;
	}
	free(vals);
	return err;
}

int main(int argc, char **argv)
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
	err = linkmon_bpf__load(c.skel);
	if (err) {
		chain_report(&c, "load linkmon programs for", err);
		goto cleanup;
	}

	err = chain_hook_create(&c);
	if (err) {
		chain_report(&c, "create clsact qdisc on", err);
		goto cleanup;
	}
	err = chain_attach(&c, LINKMON_DIR_INGRESS,
			   c.skel->progs.linkmon_ingress);
	if (err) {
		chain_report(&c, "attach linkmon_ingress to", err);
		goto cleanup;
	}
	err = chain_attach(&c, LINKMON_DIR_EGRESS,
			   c.skel->progs.linkmon_egress);
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

	err = chain_read(&c, LINKMON_DIR_INGRESS, &in);
	if (err) {
		chain_report(&c, "read ingress counters of", err);
		goto cleanup;
	}
	err = chain_read(&c, LINKMON_DIR_EGRESS, &eg);
	if (err) {
		chain_report(&c, "read egress counters of", err);
		goto cleanup;
	}
	printf("ingress_packets=%llu ingress_bytes=%llu "
	       "egress_packets=%llu egress_bytes=%llu\n",
	       in.packets, in.bytes, eg.packets, eg.bytes);

cleanup:
	/* Undo in reverse; a failure here still fails the run. */
	for (dir = LINKMON_DIR_MAX - 1; dir >= 0; dir--) {
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
