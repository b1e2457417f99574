// SPDX-License-Identifier: BSD-2-Clause
/*
 * egnet's tc filters on a link's clsact hooks.  Which filters are ours is
 * read from the kernel (an RTM_GETTFILTER dump of the hook), never
 * remembered: a filter left by a crashed agent is found and replaced, and
 * nobody else's is touched.  The clsact qdisc goes only when no filter at
 * all is left on it.  0 or a negative errno; nothing here logs.
 */
#include "agent/watch/linkmon_int.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/pkt_cls.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "common/log.h"

/* Receive buffer for filter dumps: the kernel fills up to what we read. */
#define LM_NL_BUF 32768

const char *const lm_dir_name[2] = {
	[LM_INGRESS] = "ingress",
	[LM_EGRESS] = "egress",
};

const enum bpf_tc_attach_point lm_point[2] = {
	[LM_INGRESS] = BPF_TC_INGRESS,
	[LM_EGRESS] = BPF_TC_EGRESS,
};

/* ---- Reading a hook's filters from the kernel ---- */

struct lm_tcattrs {
	const char *kind;
	__u32 chain;
	const struct nlattr *options;
	__u32 bpf_id;
};

/*
 * Fill in a hook in place: libbpf refuses options whose bytes after the
 * last field it knows are not zero, and a struct returned by value need
 * not have its padding copied.
 */
void lm_tc_hook(struct bpf_tc_hook *hook, int ifindex,
		enum bpf_tc_attach_point point)
{
	memset(hook, 0, sizeof(*hook));
	hook->sz = sizeof(*hook);
	hook->ifindex = ifindex;
	hook->attach_point = point;
}

static int lm_tc_bpf_opt_cb(const struct nlattr *a, void *data)
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
static int lm_tc_scan_msg(const struct nlmsghdr *h, void *data)
{
	struct lm_tc_scan *s = data;
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
			mnl_attr_parse_nested(t.options, lm_tc_bpf_opt_cb, &t);
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
int lm_tc_scan(int ifindex, int dir, struct lm_tc_scan *out)
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
		ret = mnl_cb_run(buf, (size_t)n, seq, portid, lm_tc_scan_msg,
				 out);
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

/*
 * Put @lm's program on the @dir hook of @ifindex as egnet's filter.
 * BPF_TC_F_REPLACE: an egnet filter already there (left by an agent that
 * died) is replaced in place, with no moment without one.
 */
int lm_tc_attach(const struct linkmon *lm, int ifindex, int dir)
{
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = LINKMON_TC_HANDLE,
		    .priority = LINKMON_TC_PRIORITY,
		    .prog_fd = bpf_program__fd(lm_prog(lm, dir)),
		    .flags = BPF_TC_F_REPLACE);
	struct bpf_tc_hook hook;

	lm_tc_hook(&hook, ifindex, lm_point[dir]);
	return bpf_tc_attach(&hook, &opts);
}

/* Remove egnet's filter from one hook; -ENOENT when it is not there. */
int lm_tc_detach(int ifindex, int dir)
{
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = LINKMON_TC_HANDLE,
		    .priority = LINKMON_TC_PRIORITY);
	struct bpf_tc_hook hook;

	lm_tc_hook(&hook, ifindex, lm_point[dir]);
	return bpf_tc_detach(&hook, &opts);
}

/*
 * Remove egnet's filter, whichever program it runs, from both hooks of
 * @ifindex; *@others says whether anything else is on them.  Returns 0 or
 * -errno.
 */
int lm_tc_unhook(int ifindex, bool *others)
{
	struct lm_tc_scan s;
	int dir, ret;

	*others = false;
	for (dir = LM_INGRESS; dir <= LM_EGRESS; dir++) {
		ret = lm_tc_scan(ifindex, dir, &s);
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
int lm_tc_destroy_unused(int ifindex)
{
	struct bpf_tc_hook hook;
	struct lm_tc_scan s;
	int dir, ret;

	for (dir = LM_INGRESS; dir <= LM_EGRESS; dir++) {
		ret = lm_tc_scan(ifindex, dir, &s);
		if (ret)
			return ret;
		if (s.ours || s.foreign)
			return 0;
	}
	lm_tc_hook(&hook, ifindex, BPF_TC_INGRESS | BPF_TC_EGRESS);
	ret = bpf_tc_hook_destroy(&hook);
	if (ret == -ENOENT || ret == -ENODEV || ret == -EINVAL)
		return 0;
	return ret;
}
