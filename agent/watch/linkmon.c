// SPDX-License-Identifier: BSD-2-Clause
/*
 * Link monitoring in the kernel: loads bpf/linkmon.bpf.c through its
 * skeleton, gives each watched link its counter slot, attaches the
 * programs to links as egnet's tc filter (the filters themselves in
 * linkmon_tc.c), reads counters and probe timestamps (drops in
 * linkmon_drops.c).  See linkmon.h for the filter egnet owns.
 *
 * Which filters are egnet's is read from the kernel (an RTM_GETTFILTER
 * dump of the hook), not remembered: an agent that crashed left its
 * filter behind, and a restart must replace it rather than add a second
 * one, and must never touch anybody else's.  The clsact qdisc is removed
 * only by the linkmon that created it, and only when no filter is left on
 * it; when in doubt it stays (an empty clsact costs nothing).
 *
 * Error policy: every function returns 0 or a negative errno and writes
 * the reason into the caller's buffer where it takes one; nothing here
 * logs except the libbpf print hook, which passes libbpf's warnings to
 * the logger at debug level.
 */
#include "agent/watch/linkmon_int.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/pkt_cls.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "common/log.h"

/* Kernel BTF, without which the CO-RE programs cannot load. */
#define LM_VMLINUX_BTF "/sys/kernel/btf/vmlinux"

static __attribute__((format(printf, 3, 4))) void
lm_seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* strerror() that also knows libbpf's own error codes. */
static const char *lm_strerror(int err, char *buf, size_t len)
{
	if (libbpf_strerror(err, buf, len))
		snprintf(buf, len, "%s", strerror(err < 0 ? -err : err));
	return buf;
}

/*
 * libbpf's messages, one level down: its warnings are debug lines here
 * (a failed load is reported once by our caller), its info and debug
 * chatter is dropped.  A verifier log is many lines; each is logged.
 */
static __attribute__((format(printf, 2, 0))) int
lm_libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char *text, *line, *save = NULL;

	if (level != LIBBPF_WARN || log_get_level() < LOG_LVL_DEBUG)
		return 0;
	if (vasprintf(&text, fmt, ap) < 0)
		return 0;
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		log_debug("%s", line);
	free(text);
	return 0;
}

/* ---- Attaching and detaching ---- */

/* Zero the counters at @slot, for the link that takes it next. */
static int lm_slot_zero(struct linkmon *lm, __u32 slot)
{
	size_t vsize = (size_t)lm->ncpus * sizeof(*lm->vals);
	__u32 dir, cls, idx;
	int ret;

	memset(lm->vals, 0, vsize);
	for (dir = LM_INGRESS; dir <= LM_EGRESS; dir++)
		for (cls = 0; cls < LM_CLASSES; cls++) {
			idx = lm_counter_index(slot, dir, cls);
			ret = bpf_map__update_elem(lm->skel->maps.link_counters,
						   &idx, sizeof(idx), lm->vals,
						   vsize, BPF_ANY);
			if (ret)
				return ret;
		}
	return 0;
}

/* Say in link_slot(_far) that @ifindex is counted at @slot (0: not). */
static int lm_slot_map(struct linkmon *lm, int ifindex, __u32 slot)
{
	__u32 key = (__u32)ifindex;
	int ret;

	if (key < LM_IFINDEX_DIRECT)
		return bpf_map__update_elem(lm->skel->maps.link_slot, &key,
					    sizeof(key), &slot, sizeof(slot),
					    BPF_ANY);
	if (slot)
		return bpf_map__update_elem(lm->skel->maps.link_slot_far, &key,
					    sizeof(key), &slot, sizeof(slot),
					    BPF_ANY);
	ret = bpf_map__delete_elem(lm->skel->maps.link_slot_far, &key,
				   sizeof(key), 0);
	return ret == -ENOENT ? 0 : ret;
}

/*
 * A free slot with zeroed counters, mapped to @ifindex; 0 with -ENOSPC
 * when every slot is taken.
 */
static int lm_slot_take(struct linkmon *lm, int ifindex, __u32 *slot)
{
	__u32 s;
	int ret;

	for (s = 1; s < LM_SLOTS && lm->slot_used[s]; s++)
		;
	if (s == LM_SLOTS)
		return -ENOSPC;
	ret = lm_slot_zero(lm, s);
	if (!ret)
		ret = lm_slot_map(lm, ifindex, s);
	if (ret)
		return ret;
	lm->slot_used[s] = true;
	*slot = s;
	return 0;
}

/* @ifindex is not counted any more: its slot and drops are let go. */
static void lm_forget(struct linkmon *lm, int ifindex, __u32 slot)
{
	lm_slot_map(lm, ifindex, 0);
	lm_drops_forget(lm, ifindex);
	if (slot && slot < LM_SLOTS)
		lm->slot_used[slot] = false;
}

struct lm_link *lm_find(struct linkmon *lm, const char *ifname)
{
	int i;

	for (i = 0; i < lm->n_links; i++)
		if (strcmp(lm->links[i].name, ifname) == 0)
			return &lm->links[i];
	return NULL;
}

/* Index of a link by name; 0 with errno set when there is none. */
static int lm_ifindex(const char *ifname)
{
	unsigned int i;

	if (strnlen(ifname, IF_NAMESIZE) >= IF_NAMESIZE) {
		errno = EINVAL;
		return 0;
	}
	i = if_nametoindex(ifname);
	return (int)i;
}

int linkmon_attach(struct linkmon *lm, const char *ifname, char *err,
		   size_t errlen)
{
	struct bpf_tc_hook hook;
	struct lm_link *l;
	bool created = false;
	int ifindex, dir = LM_INGRESS, ret;
	__u32 slot = 0;
	char eb[128];

	ifindex = lm_ifindex(ifname);
	if (!ifindex) {
		ret = -errno;
		lm_seterr(err, errlen, "%.*s: %s", IF_NAMESIZE, ifname,
			  strerror(-ret));
		return ret;
	}
	l = lm_find(lm, ifname);
	if (l && l->ifindex != ifindex) {
		/* Re-created: the old device took its filters with it.  The
		 * new one starts from zero in the same slot. */
		lm_forget(lm, l->ifindex, 0); /* the slot stays the link's */
		ret = lm_slot_zero(lm, l->slot);
		if (!ret)
			ret = lm_slot_map(lm, ifindex, l->slot);
		if (ret) {
			lm_seterr(err, errlen, "%s: counter slot: %s", ifname,
				  lm_strerror(ret, eb, sizeof(eb)));
			return ret;
		}
		l->ifindex = ifindex;
		l->hook_created = false;
	} else if (!l) {
		/* Counted from the first packet the programs see. */
		ret = lm_slot_take(lm, ifindex, &slot);
		if (ret) {
			lm_seterr(err, errlen, "%s: counter slot: %s", ifname,
				  ret == -ENOSPC
					  ? "every slot is taken"
					  : lm_strerror(ret, eb, sizeof(eb)));
			return ret;
		}
	}

	lm_tc_hook(&hook, ifindex, BPF_TC_INGRESS);
	ret = bpf_tc_hook_create(&hook);
	if (ret == 0) {
		created = true;
	} else if (ret != -EEXIST) {
		lm_seterr(err, errlen, "%s: create clsact qdisc: %s", ifname,
			  lm_strerror(ret, eb, sizeof(eb)));
		goto undo;
	}
	for (dir = LM_INGRESS; dir <= LM_EGRESS; dir++) {
		ret = lm_tc_attach(lm, ifindex, dir);
		if (ret) {
			lm_seterr(err, errlen,
				  "%s: attach %s program (tc priority %u, "
				  "handle 0x%x): %s",
				  ifname, lm_dir_name[dir], LINKMON_TC_PRIORITY,
				  LINKMON_TC_HANDLE,
				  lm_strerror(ret, eb, sizeof(eb)));
			goto undo;
		}
	}

	if (!l) {
		lm->links = xrealloc(lm->links, (size_t)(lm->n_links + 1) *
							sizeof(*lm->links));
		l = &lm->links[lm->n_links++];
		memset(l, 0, sizeof(*l));
		snprintf(l->name, sizeof(l->name), "%s", ifname);
		l->ifindex = ifindex;
		l->slot = slot;
	}
	l->hook_created |= created;
	return 0;

undo:
	/* A link we had before keeps what it has; a new one is put back
	 * as it was (best effort: the first error is what is reported). */
	if (!l) {
		while (--dir >= LM_INGRESS) /* the ones attached */
			lm_tc_detach(ifindex, dir);
		if (created)
			lm_tc_destroy_unused(ifindex);
		lm_forget(lm, ifindex, slot);
	}
	return ret;
}

int linkmon_detach(struct linkmon *lm, const char *ifname)
{
	struct lm_link *l = lm_find(lm, ifname);
	bool others;
	int ifindex, ret;

	ifindex = l ? l->ifindex : lm_ifindex(ifname);
	if (!ifindex)
		return 0; /* no such link: nothing of ours on it */
	ret = lm_tc_unhook(ifindex, &others);
	if (ret)
		return ret; /* the record stays: close or sync tries again */
	if (l && l->hook_created && !others)
		ret = lm_tc_destroy_unused(ifindex);
	lm_forget(lm, ifindex, l ? l->slot : 0);
	if (l)
		*l = lm->links[--lm->n_links];
	return ret;
}

static bool lm_listed(const char *name, char (*ifnames)[16], int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (strncmp(name, ifnames[i], 16) == 0)
			return true;
	return false;
}

/*
 * Whether @ifname is attached as it should be: ours in our records, the
 * same device, and our programs in egnet's filter on both hooks.
 */
static bool lm_in_place(struct linkmon *lm, const char *ifname)
{
	struct lm_link *l = lm_find(lm, ifname);
	struct lm_tc_scan s;
	int dir;

	if (!l || lm_ifindex(ifname) != l->ifindex)
		return false;
	for (dir = LM_INGRESS; dir <= LM_EGRESS; dir++)
		if (lm_tc_scan(l->ifindex, dir, &s) || !s.ours ||
		    s.prog_id != lm->prog_id[dir])
			return false;
	return true;
}

int linkmon_sync(struct linkmon *lm, char (*ifnames)[16], int n, char *err,
		 size_t errlen)
{
	char name[IF_NAMESIZE], msg[256], eb[128];
	int first = 0, i, ret;

	lm_seterr(err, errlen, "%s", "");
	/* Detaching first frees counter room for the links to come.
	 * Backwards, as linkmon_detach() moves the last record into the
	 * detached one's place. */
	for (i = lm->n_links - 1; i >= 0; i--) {
		if (lm_listed(lm->links[i].name, ifnames, n))
			continue;
		snprintf(name, sizeof(name), "%s", lm->links[i].name);
		ret = linkmon_detach(lm, name);
		if (ret && !first) {
			first = ret;
			lm_seterr(err, errlen, "%s: detach: %s", name,
				  lm_strerror(ret, eb, sizeof(eb)));
		}
	}
	for (i = 0; i < n; i++) {
		if (strnlen(ifnames[i], 16) >= IF_NAMESIZE) {
			ret = -EINVAL;
			if (!first)
				lm_seterr(err, errlen,
					  "%.16s...: interface name too long",
					  ifnames[i]);
		} else if (lm_in_place(lm, ifnames[i])) {
			continue;
		} else {
			ret = linkmon_attach(lm, ifnames[i], msg, sizeof(msg));
			if (ret && !first)
				lm_seterr(err, errlen, "%s", msg);
		}
		if (ret && !first)
			first = ret;
	}
	return first;
}

int linkmon_detach_all(char *err, size_t errlen)
{
	struct if_nameindex *ifs, *i;
	int first = 0, ret;
	bool others;
	char eb[128];

	ifs = if_nameindex();
	if (!ifs) {
		ret = -errno;
		lm_seterr(err, errlen, "list links: %s", strerror(-ret));
		return ret;
	}
	for (i = ifs; i->if_index; i++) {
		ret = lm_tc_unhook((int)i->if_index, &others);
		if (ret && !first) {
			first = ret;
			lm_seterr(err, errlen, "%s: detach: %s", i->if_name,
				  lm_strerror(ret, eb, sizeof(eb)));
		}
	}
	if_freenameindex(ifs);
	return first;
}

/* ---- Reading ---- */

int linkmon_read(struct linkmon *lm, const char *ifname, struct lm_counts *out)
{
	size_t vsize = (size_t)lm->ncpus * sizeof(*lm->vals);
	struct lm_link *l = lm_find(lm, ifname);
	__u32 dir, cls, idx;
	int ret, cpu;

	memset(out, 0, sizeof(*out));
	if (!l)
		return 0;
	for (dir = LM_INGRESS; dir <= LM_EGRESS; dir++)
		for (cls = 0; cls < LM_CLASSES; cls++) {
			idx = lm_counter_index(l->slot, dir, cls);
			ret = bpf_map__lookup_elem(lm->skel->maps.link_counters,
						   &idx, sizeof(idx), lm->vals,
						   vsize, 0);
			if (ret)
				return ret;
			for (cpu = 0; cpu < lm->ncpus; cpu++) {
				out->packets[dir][cls] += lm->vals[cpu].packets;
				out->bytes[dir][cls] += lm->vals[cpu].bytes;
			}
		}
	return 0;
}

void linkmon_set_probe_port(struct linkmon *lm, uint16_t port)
{
	/* A store into the map's memory: the programs see it at their
	 * next packet. */
	__atomic_store_n(&lm->skel->data->probe_port, port, __ATOMIC_RELAXED);
}

int linkmon_probe_ts(struct linkmon *lm, uint32_t seq, uint64_t *tx_ns,
		     uint64_t *rx_ns)
{
	struct bpf_map *map = lm->skel->maps.probe_ts;
	struct lm_probe_ts ts;
	__u32 key = seq;
	int ret;

	*tx_ns = 0;
	*rx_ns = 0;
	ret = bpf_map__lookup_elem(map, &key, sizeof(key), &ts, sizeof(ts), 0);
	if (ret == -ENOENT)
		return 0;
	if (ret)
		return ret;
	*tx_ns = ts.tx_ns;
	*rx_ns = ts.rx_ns;
	if (ts.tx_ns && ts.rx_ns) {
		ret = bpf_map__delete_elem(map, &key, sizeof(key), 0);
		if (ret && ret != -ENOENT)
			return ret;
	}
	return 0;
}

/* ---- Loading ---- */

static int lm_prog_id(const struct bpf_program *prog, __u32 *id)
{
	struct bpf_prog_info info;
	__u32 len = sizeof(info);
	int ret;

	memset(&info, 0, sizeof(info));
	ret = bpf_obj_get_info_by_fd(bpf_program__fd(prog), &info, &len);
	if (ret)
		return ret;
	*id = info.id;
	return 0;
}

/* Free what linkmon_open() made; attaches nothing, detaches nothing. */
static void lm_free(struct linkmon *lm)
{
	linkmon_bpf__destroy(lm->skel);
	free(lm->vals);
	free(lm->links);
	free(lm->reasons);
	free(lm->drops);
	free(lm);
}

/* Open the skeleton and set what has to be set before load. */
static int lm_skel_open(struct linkmon *lm, uint16_t probe_port, __u32 netns,
			bool drops)
{
	lm->skel = linkmon_bpf__open();
	if (!lm->skel)
		return -errno;
	lm->skel->data->probe_port = probe_port;
	lm->skel->rodata->netns_ino = netns;
	bpf_program__set_autoload(lm->skel->progs.linkmon_drop, drops);
	return 0;
}

struct linkmon *linkmon_open(uint16_t probe_port, char *err, size_t errlen)
{
	struct linkmon *lm;
	struct stat st;
	__u32 netns = 0;
	bool drops;
	int dir, ret;
	char eb[128];

	libbpf_set_print(lm_libbpf_print);
	lm = xcalloc(1, sizeof(*lm));
	lm->ncpus = libbpf_num_possible_cpus();
	if (lm->ncpus <= 0) {
		ret = lm->ncpus ? lm->ncpus : -EINVAL;
		lm_seterr(err, errlen, "BPF not available: count CPUs: %s",
			  lm_strerror(ret, eb, sizeof(eb)));
		goto fail;
	}
	lm->vals = xcalloc((size_t)lm->ncpus, sizeof(*lm->vals));

	/* Drops are counted where the kernel names their reasons, for
	 * this namespace's devices only. */
	drops = lm_drops_load_reasons(lm);
	if (!drops)
		snprintf(lm->drops_off, sizeof(lm->drops_off),
			 "the kernel gives no drop reasons");
	else if (stat("/proc/self/ns/net", &st) == 0)
		netns = (__u32)st.st_ino;
	else {
		drops = false;
		snprintf(lm->drops_off, sizeof(lm->drops_off),
			 "/proc/self/ns/net: %s", strerror(errno));
	}

	/* Opening parses the embedded object; nothing reaches the kernel
	 * before load, so the knobs are in the programs as loaded. */
	ret = lm_skel_open(lm, probe_port, netns, drops);
	if (ret) {
		lm_seterr(err, errlen, "BPF not available: open linkmon: %s",
			  lm_strerror(ret, eb, sizeof(eb)));
		goto fail;
	}

	/* The load is the feature probe: privileges, BPF, tc programs, BTF
	 * and the context fields used all have to be there.  The drop
	 * program needs more (BTF tracepoints, CAP_PERFMON): without it
	 * the counters still work. */
	ret = linkmon_bpf__load(lm->skel);
	if (ret && drops) {
		snprintf(lm->drops_off, sizeof(lm->drops_off),
			 "the kfree_skb program did not load: %s",
			 lm_strerror(ret, eb, sizeof(eb)));
		drops = false;
		linkmon_bpf__destroy(lm->skel);
		ret = lm_skel_open(lm, probe_port, netns, false);
		if (!ret)
			ret = linkmon_bpf__load(lm->skel);
	}
	if (ret) {
		if (access(LM_VMLINUX_BTF, R_OK))
			lm_seterr(err, errlen,
				  "BPF not available: no kernel BTF (%s: %s)",
				  LM_VMLINUX_BTF, strerror(errno));
		else
			lm_seterr(err, errlen, "BPF not available: %s",
				  lm_strerror(ret, eb, sizeof(eb)));
		goto fail;
	}
	for (dir = LM_INGRESS; dir <= LM_EGRESS; dir++) {
		ret = lm_prog_id(lm_prog(lm, dir), &lm->prog_id[dir]);
		if (ret) {
			lm_seterr(err, errlen,
				  "BPF not available: id of the %s program: %s",
				  lm_dir_name[dir],
				  lm_strerror(ret, eb, sizeof(eb)));
			goto fail;
		}
	}
	if (drops) {
		/* A BPF link: it goes away with the skeleton, or with the
		 * process if that dies. */
		lm->skel->links.linkmon_drop =
			bpf_program__attach(lm->skel->progs.linkmon_drop);
		if (!lm->skel->links.linkmon_drop)
			snprintf(lm->drops_off, sizeof(lm->drops_off),
				 "attach to skb:kfree_skb: %s",
				 lm_strerror(-errno, eb, sizeof(eb)));
	}
	return lm;

fail:
	lm_free(lm);
	errno = -ret;
	return NULL;
}

void linkmon_close(struct linkmon *lm)
{
	char name[IF_NAMESIZE];

	if (!lm)
		return;
	while (lm->n_links > 0) {
		snprintf(name, sizeof(name), "%s",
			 lm->links[lm->n_links - 1].name);
		/* One that cannot be detached stays attached, running our
		 * program until a restart replaces it. */
		if (linkmon_detach(lm, name))
			lm->n_links--;
	}
	lm_free(lm);
}
