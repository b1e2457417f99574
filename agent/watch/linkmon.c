// SPDX-License-Identifier: BSD-2-Clause
/*
 * Link monitoring in the kernel: loads bpf/linkmon.bpf.c through its
 * skeleton, attaches it to links as egnet's tc filter, reads its counters
 * and probe timestamps.  See linkmon.h for the filter egnet owns.
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
#include "agent/watch/linkmon.h"

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

#include "bpf/linkmon.skel.h" /* generated into $(B)/bpf */
#include "common/log.h"

/* Kernel BTF, without which the CO-RE programs cannot load. */
#define LM_VMLINUX_BTF "/sys/kernel/btf/vmlinux"

/* Receive buffer for filter dumps: the kernel fills up to what we read. */
#define LM_NL_BUF 32768

/* A link this linkmon attached to. */
struct lm_link {
	char name[IF_NAMESIZE];
	int ifindex;	   /* when attached: a re-created device has another */
	__u32 slot;	   /* its counters' place in link_counters */
	bool hook_created; /* we made its clsact qdisc */
};

/* One (ifindex, reason) of the drop map, summed over CPUs. */
struct lm_drop_entry {
	__u32 ifindex;
	struct lm_drop d;
};

/* A name of the kernel's enum skb_drop_reason. */
struct lm_reason {
	__u32 value;
	char name[48];
};

struct linkmon {
	struct linkmon_bpf *skel;
	int ncpus;	       /* possible CPUs: per-CPU values per key */
	struct lm_value *vals; /* ncpus of them, to read one key into */
	__u32 prog_id[2];      /* [enum lm_dir], to recognise our filters */
	struct lm_link *links;
	int n_links;
	bool slot_used[LM_SLOTS]; /* slot 0 is never used: "not watched" */
	char drops_off[200]; /* why drops are not counted, "" if they are */
	struct lm_reason *reasons; /* from kernel BTF, by value */
	int n_reasons;
	struct lm_drop_entry *drops; /* as linkmon_drops_refresh() read them */
	int n_drops, cap_drops;
};

/* egnet's filter on one hook, and whether anything else is there. */
struct lm_scan {
	bool ours;     /* a bpf filter with our handle and priority, chain 0 */
	__u32 prog_id; /* the program it runs */
	int foreign;   /* entries that are not ours (filters, classifiers) */
};

static const char *const lm_dir_name[2] = {
	[LM_INGRESS] = "ingress",
	[LM_EGRESS] = "egress",
};

static const enum bpf_tc_attach_point lm_point[2] = {
	[LM_INGRESS] = BPF_TC_INGRESS,
	[LM_EGRESS] = BPF_TC_EGRESS,
};

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

/*
 * Fill in a hook in place: libbpf refuses options whose bytes after the
 * last field it knows are not zero, and a struct returned by value need
 * not have its padding copied.
 */
static void lm_hook(struct bpf_tc_hook *hook, int ifindex,
		    enum bpf_tc_attach_point point)
{
	memset(hook, 0, sizeof(*hook));
	hook->sz = sizeof(*hook);
	hook->ifindex = ifindex;
	hook->attach_point = point;
}

static const struct bpf_program *lm_prog(const struct linkmon *lm, int dir)
{
	return dir == LM_INGRESS ? lm->skel->progs.linkmon_ingress
				 : lm->skel->progs.linkmon_egress;
}

/* ---- Reading a hook's filters from the kernel ---- */

struct lm_tcattrs {
	const char *kind;
	__u32 chain;
	const struct nlattr *options;
	__u32 bpf_id;
};

static int lm_bpf_opt_cb(const struct nlattr *a, void *data)
{
	struct lm_tcattrs *t = data;

	if (mnl_attr_get_type(a) == TCA_BPF_ID &&
	    mnl_attr_validate(a, MNL_TYPE_U32) == 0)
		t->bpf_id = mnl_attr_get_u32(a);
	return MNL_CB_OK;
}

static int lm_tc_attr_cb(const struct nlattr *a, void *data)
{
	struct lm_tcattrs *t = data;

	switch (mnl_attr_get_type(a)) {
	case TCA_KIND:
		if (mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0)
			t->kind = mnl_attr_get_str(a);
		break;
	case TCA_CHAIN:
		if (mnl_attr_validate(a, MNL_TYPE_U32) == 0)
			t->chain = mnl_attr_get_u32(a);
		break;
	case TCA_OPTIONS:
		if (mnl_attr_validate(a, MNL_TYPE_NESTED) == 0)
			t->options = a;
		break;
	}
	return MNL_CB_OK;
}

/*
 * One RTM_NEWTFILTER of the dump.  The kernel sends an entry for each
 * classifier (handle 0) and one for each of its filters.  Our classifier
 * entry is the bpf one at our priority in chain 0; everything else that
 * is not our filter belongs to somebody else.
 */
static int lm_scan_msg(const struct nlmsghdr *h, void *data)
{
	struct lm_scan *s = data;
	struct lm_tcattrs t = {0};
	const struct tcmsg *tcm;
	bool our_tp;

	if (h->nlmsg_type != RTM_NEWTFILTER)
		return MNL_CB_OK;
	if (mnl_nlmsg_get_payload_len(h) < sizeof(*tcm)) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	tcm = mnl_nlmsg_get_payload(h);
	if (mnl_attr_parse(h, sizeof(*tcm), lm_tc_attr_cb, &t) < 0) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	our_tp = TC_H_MAJ(tcm->tcm_info) >> 16 == LINKMON_TC_PRIORITY &&
		 t.chain == 0 && t.kind && strcmp(t.kind, "bpf") == 0;
	if (our_tp && tcm->tcm_handle == LINKMON_TC_HANDLE) {
		if (t.options)
			mnl_attr_parse_nested(t.options, lm_bpf_opt_cb, &t);
		s->ours = true;
		s->prog_id = t.bpf_id;
	} else if (!(our_tp && tcm->tcm_handle == 0)) {
		s->foreign++;
	}
	return MNL_CB_OK;
}

/*
 * Dump the filters on the @dir hook of @ifindex into @out.  No device or
 * no clsact qdisc is an empty hook, not an error.  Returns 0 or -errno.
 */
static int lm_scan(int ifindex, int dir, struct lm_scan *out)
{
	struct mnl_socket *nl;
	unsigned int seq, portid;
	struct nlmsghdr *h;
	struct tcmsg *tcm;
	char *buf;
	ssize_t n;
	int ret;

	memset(out, 0, sizeof(*out));
	nl = mnl_socket_open(NETLINK_ROUTE);
	if (!nl)
		return -errno;
	buf = xmalloc(LM_NL_BUF);
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		ret = -errno;
		goto out;
	}
	portid = mnl_socket_get_portid(nl);
	h = mnl_nlmsg_put_header(buf);
	h->nlmsg_type = RTM_GETTFILTER;
	h->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	h->nlmsg_seq = seq = (unsigned int)time(NULL);
	tcm = mnl_nlmsg_put_extra_header(h, sizeof(*tcm));
	tcm->tcm_family = AF_UNSPEC;
	tcm->tcm_ifindex = ifindex;
	tcm->tcm_parent =
		TC_H_MAKE(TC_H_CLSACT, dir == LM_INGRESS ? TC_H_MIN_INGRESS
							 : TC_H_MIN_EGRESS);
	if (mnl_socket_sendto(nl, h, h->nlmsg_len) < 0) {
		ret = -errno;
		goto out;
	}
	for (;;) {
		n = mnl_socket_recvfrom(nl, buf, LM_NL_BUF);
		if (n < 0) {
			ret = -errno;
			goto out;
		}
		errno = 0;
		ret = mnl_cb_run(buf, (size_t)n, seq, portid, lm_scan_msg, out);
		if (ret == MNL_CB_STOP)
			break;
		if (ret < 0) {
			ret = errno ? -errno : -EBADMSG;
			goto out;
		}
	}
	ret = 0;
out:
	free(buf);
	mnl_socket_close(nl);
	return ret;
}

/* ---- Attaching and detaching ---- */

/*
 * Put @lm's program on the @dir hook of @ifindex as egnet's filter.
 * BPF_TC_F_REPLACE: an egnet filter already there (left by an agent that
 * died) is replaced in place, with no moment without one.
 */
static int lm_tc_attach(const struct linkmon *lm, int ifindex, int dir)
{
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = LINKMON_TC_HANDLE,
		    .priority = LINKMON_TC_PRIORITY,
		    .prog_fd = bpf_program__fd(lm_prog(lm, dir)),
		    .flags = BPF_TC_F_REPLACE);
	struct bpf_tc_hook hook;

	lm_hook(&hook, ifindex, lm_point[dir]);
	return bpf_tc_attach(&hook, &opts);
}

/* Remove egnet's filter from one hook; -ENOENT when it is not there. */
static int lm_tc_detach(int ifindex, int dir)
{
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = LINKMON_TC_HANDLE,
		    .priority = LINKMON_TC_PRIORITY);
	struct bpf_tc_hook hook;

	lm_hook(&hook, ifindex, lm_point[dir]);
	return bpf_tc_detach(&hook, &opts);
}

/*
 * Remove egnet's filter, whichever program it runs, from both hooks of
 * @ifindex; *@others says whether anything else is on them.  Returns 0 or
 * -errno.
 */
static int lm_unhook(int ifindex, bool *others)
{
	struct lm_scan s;
	int dir, ret;

	*others = false;
	for (dir = LM_INGRESS; dir <= LM_EGRESS; dir++) {
		ret = lm_scan(ifindex, dir, &s);
		if (ret)
			return ret;
		if (s.foreign)
			*others = true;
		if (!s.ours)
			continue;
		ret = lm_tc_detach(ifindex, dir);
		if (ret && ret != -ENOENT) /* gone meanwhile: fine */
			return ret;
	}
	return 0;
}

/*
 * Remove the clsact qdisc of @ifindex if no filter at all is on it.  The
 * caller made it.  A device or qdisc that is gone already is success.
 */
static int lm_hook_destroy_unused(int ifindex)
{
	struct bpf_tc_hook hook;
	struct lm_scan s;
	int dir, ret;

	for (dir = LM_INGRESS; dir <= LM_EGRESS; dir++) {
		ret = lm_scan(ifindex, dir, &s);
		if (ret)
			return ret;
		if (s.ours || s.foreign)
			return 0;
	}
	lm_hook(&hook, ifindex, BPF_TC_INGRESS | BPF_TC_EGRESS);
	ret = bpf_tc_hook_destroy(&hook);
	if (ret == -ENOENT || ret == -ENODEV || ret == -EINVAL)
		return 0;
	return ret;
}

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

/* Drop every drop counter of @ifindex, so the map does not fill up. */
static void lm_drops_forget(struct linkmon *lm, int ifindex)
{
	struct bpf_map *map = lm->skel->maps.link_drops;
	struct lm_drop_key key, next, *prev = NULL;

	while (bpf_map__get_next_key(map, prev, &next, sizeof(next)) == 0) {
		key = next;
		if (key.ifindex == (__u32)ifindex &&
		    bpf_map__delete_elem(map, &key, sizeof(key), 0) == 0)
			continue; /* deleted: start over from the same place */
		prev = &key;
	}
}

/* @ifindex is not counted any more: its slot and drops are let go. */
static void lm_forget(struct linkmon *lm, int ifindex, __u32 slot)
{
	lm_slot_map(lm, ifindex, 0);
	lm_drops_forget(lm, ifindex);
	if (slot && slot < LM_SLOTS)
		lm->slot_used[slot] = false;
}

static struct lm_link *lm_find(struct linkmon *lm, const char *ifname)
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

	lm_hook(&hook, ifindex, BPF_TC_INGRESS);
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
			lm_hook_destroy_unused(ifindex);
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
	ret = lm_unhook(ifindex, &others);
	if (ret)
		return ret; /* the record stays: close or sync tries again */
	if (l && l->hook_created && !others)
		ret = lm_hook_destroy_unused(ifindex);
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
	struct lm_scan s;
	int dir;

	if (!l || lm_ifindex(ifname) != l->ifindex)
		return false;
	for (dir = LM_INGRESS; dir <= LM_EGRESS; dir++)
		if (lm_scan(l->ifindex, dir, &s) || !s.ours ||
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
		ret = lm_unhook((int)i->if_index, &others);
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

const char *linkmon_drops_off(const struct linkmon *lm)
{
	return lm->drops_off[0] ? lm->drops_off : NULL;
}

const char *linkmon_reason_name(const struct linkmon *lm, uint32_t reason,
				char *buf, size_t len)
{
	int lo = 0, hi = lm->n_reasons - 1;

	while (lo <= hi) { /* the table is sorted by value */
		int mid = (lo + hi) / 2;

		if (lm->reasons[mid].value == reason)
			return lm->reasons[mid].name;
		if (lm->reasons[mid].value < reason)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	snprintf(buf, len, "0x%x", reason);
	return buf;
}

int linkmon_drops_refresh(struct linkmon *lm)
{
	size_t vsize = (size_t)lm->ncpus * sizeof(*lm->vals);
	struct bpf_map *map = lm->skel->maps.link_drops;
	struct lm_drop_key key, *prev = NULL;
	int ret, cpu;

	lm->n_drops = 0;
	if (lm->drops_off[0])
		return 0;
	while (bpf_map__get_next_key(map, prev, &key, sizeof(key)) == 0) {
		struct lm_drop_entry *e;

		prev = &key;
		ret = bpf_map__lookup_elem(map, &key, sizeof(key), lm->vals,
					   vsize, 0);
		if (ret == -ENOENT)
			continue; /* deleted meanwhile */
		if (ret)
			return ret;
		if (lm->n_drops == LM_DROPS_MAX)
			break; /* the map holds no more; a guard all the same */
		if (lm->n_drops == lm->cap_drops) {
			lm->cap_drops = lm->cap_drops ? 2 * lm->cap_drops : 64;
			lm->drops =
				xrealloc(lm->drops, (size_t)lm->cap_drops *
							    sizeof(*lm->drops));
		}
		e = &lm->drops[lm->n_drops++];
		memset(e, 0, sizeof(*e));
		e->ifindex = key.ifindex;
		e->d.reason = key.reason;
		for (cpu = 0; cpu < lm->ncpus; cpu++) {
			e->d.packets += lm->vals[cpu].packets;
			e->d.bytes += lm->vals[cpu].bytes;
		}
	}
	return 0;
}

int linkmon_drops(struct linkmon *lm, const char *ifname, struct lm_drop *out,
		  int max)
{
	struct lm_link *l = lm_find(lm, ifname);
	int n = 0, i;

	if (!l)
		return 0;
	for (i = 0; i < lm->n_drops && n < max; i++)
		if (lm->drops[i].ifindex == (__u32)l->ifindex)
			out[n++] = lm->drops[i].d;
	return n;
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

static int lm_reason_cmp(const void *a, const void *b)
{
	const struct lm_reason *x = a, *y = b;

	return x->value < y->value ? -1 : x->value > y->value;
}

/*
 * The names of the kernel's drop reasons, from its BTF: enum
 * skb_drop_reason, SKB_DROP_REASON_ taken off (the kernel's own trace
 * output prints them so).  Returns false when the kernel has no such
 * enum: it has no drop reasons to count then.
 */
static bool lm_load_reasons(struct linkmon *lm)
{
	static const char prefix[] = "SKB_DROP_REASON_";
	struct btf *btf = btf__load_vmlinux_btf();
	const struct btf_type *t;
	const struct btf_enum *e;
	int id, i, n;

	if (!btf)
		return false;
	id = btf__find_by_name_kind(btf, "skb_drop_reason", BTF_KIND_ENUM);
	if (id < 0) {
		btf__free(btf);
		return false;
	}
	t = btf__type_by_id(btf, id);
	e = btf_enum(t);
	n = btf_vlen(t);
	lm->reasons = xcalloc((size_t)n + 1, sizeof(*lm->reasons));
	for (i = 0; i < n; i++) {
		const char *name = btf__name_by_offset(btf, e[i].name_off);

		if (!name)
			continue;
		if (!strncmp(name, prefix, sizeof(prefix) - 1))
			name += sizeof(prefix) - 1;
		lm->reasons[lm->n_reasons].value = (__u32)e[i].val;
		snprintf(lm->reasons[lm->n_reasons].name,
			 sizeof(lm->reasons[0].name), "%s", name);
		lm->n_reasons++;
	}
	qsort(lm->reasons, (size_t)lm->n_reasons, sizeof(*lm->reasons),
	      lm_reason_cmp);
	btf__free(btf);
	return true;
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
	drops = lm_load_reasons(lm);
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
