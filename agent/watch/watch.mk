# agent/watch/ - watching links: the eBPF programs' loader, tc attachment
# and drop counts, the prober (sockets, stamps, targets), and the monitor
# that samples both.
AGENT_SRC += $(wildcard agent/watch/*.c)

# the link monitor embeds the BPF object through its skeleton
$(call obj,$(wildcard agent/watch/linkmon*.c)): $(B)/bpf/linkmon.skel.h
