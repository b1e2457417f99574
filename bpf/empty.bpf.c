// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The baseline for bench/linkmon: a tc program that does nothing, so the
 * cost of linkmon's programs per packet can be told from the cost of
 * running any program at all.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

SEC("tc")
int empty_tc(struct __sk_buff *skb)
{
	(void)skb;
	return -1; /* TC_ACT_UNSPEC */
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
