# bpf/bpf.mk - BPF build chain, included by the top-level Makefile.
#
# Two steps per program, everything under $(B)/bpf, nothing generated is
# committed:
#   bpf/NAME.bpf.c --clang -target bpf--> $(B)/bpf/NAME.bpf.o
#                  --bpftool gen skeleton--> $(B)/bpf/NAME.skel.h
# BPF code includes vmlinux.h, dumped from the build host's kernel BTF, so
# the objects are CO-RE and carry no kernel headers.
#
# Uses from the top Makefile: B CC CLANG BPFTOOL Q msg CFLAGS LDFLAGS
# pc_cflags pc_libs obj LIBAGENT LIBCOMMON COMMON_LIBS AGENT_LIBS (all
# defined before this file is included).  The top Makefile makes
# agent/watch/linkmon.c's object wait for its skeleton.
# Defines: targets `bpf` (all objects and skeletons) and $(B)/tests/bpf_chain;
#          variables BPF_SKELS, BPF_OBJS, BPF_ARCH, BPF_CFLAGS, BPF_LIBS,
#          VMLINUX_BTF, and appends $(B)/tests/bpf_chain to
#          TESTS_BUILD_EXTRA.

# Kernel BTF to generate vmlinux.h from; override to build for another kernel.
VMLINUX_BTF ?= /sys/kernel/btf/vmlinux

# __TARGET_ARCH_* names the kernel's arch directory, not `uname -m`.
bpf_arch_x86_64  := x86
bpf_arch_i386    := x86
bpf_arch_i686    := x86
bpf_arch_aarch64 := arm64
bpf_arch_armv7l  := arm
bpf_arch_ppc64le := powerpc
bpf_arch_s390x   := s390
bpf_arch_riscv64 := riscv
bpf_arch_loongarch64 := loongarch
bpf_uname_m := $(shell uname -m)
BPF_ARCH ?= $(or $(bpf_arch_$(bpf_uname_m)),$(bpf_uname_m))

BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(BPF_ARCH) -Wall -Werror \
	      -I$(B)/bpf -Ibpf

BPF_SRCS  := $(wildcard bpf/*.bpf.c)
BPF_OBJS  := $(patsubst bpf/%.bpf.c,$(B)/bpf/%.bpf.o,$(BPF_SRCS))
BPF_SKELS := $(patsubst bpf/%.bpf.c,$(B)/bpf/%.skel.h,$(BPF_SRCS))

.PHONY: bpf
# Naming the objects here also keeps make from deleting them as
# intermediates of the .bpf.c -> .skel.h chain (and rebuilding them later).
bpf: $(BPF_OBJS) $(BPF_SKELS)

# Written through a temporary file: a failed dump must not leave a truncated
# vmlinux.h that make would then consider up to date.  Depending on the BTF
# file regenerates it after booting a newer kernel.
$(B)/bpf/vmlinux.h: $(VMLINUX_BTF)
	$(call msg,GEN,$@)
	@mkdir -p $(dir $@)
	$(Q)$(BPFTOOL) btf dump file $< format c > $@.tmp && mv $@.tmp $@

$(B)/bpf/%.bpf.o: bpf/%.bpf.c $(B)/bpf/vmlinux.h
	$(call msg,CLANG,$@)
	@mkdir -p $(dir $@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -MMD -MP -c -o $@ $<

# Skeleton struct is NAME_bpf (linkmon_bpf__open(), ...).
$(B)/bpf/%.skel.h: $(B)/bpf/%.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $(subst -,_,$*)_bpf > $@.tmp && \
		mv $@.tmp $@

# Integration helper: its chain mode loads linkmon through the skeleton
# directly (and so also needs it first); its linkmon mode drives
# agent/watch/linkmon.c's API, so it links the agent library like the unit tests.
# Both find the skeleton as "bpf/linkmon.skel.h" through the top CFLAGS'
# -I$(B).  Linked against the shared libbpf, which brings libelf and zlib
# itself; pkg-config lists those (Requires.private) only for static links.
BPF_LIBS := $(call pc_libs,libbpf)

$(call obj,tests/integration/bpf_chain.c): $(B)/bpf/linkmon.skel.h

$(B)/tests/bpf_chain: $(call obj,tests/integration/bpf_chain.c) $(LIBAGENT) $(LIBCOMMON)
	$(call msg,LD,$@)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(COMMON_LIBS) $(AGENT_LIBS) $(BPF_LIBS)

TESTS_BUILD_EXTRA += $(B)/tests/bpf_chain

-include $(wildcard $(B)/bpf/*.d)
