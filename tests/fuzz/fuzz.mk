# tests/fuzz/fuzz.mk - fuzz harnesses, included by the top-level Makefile
# (before tests/tests.mk, whose tests-build takes TESTS_BUILD_EXTRA).
#
# Each tests/fuzz/fuzz_NAME.c is built twice:
#   build/fuzz/fuzz_NAME           clang, libFuzzer + ASan + UBSan, with the
#                                  product code instrumented (build/fuzz/obj)
#   $(B)/tests/fuzz/replay_NAME    the normal compiler and replay.c: runs
#                                  given files and folders once each, for
#                                  tests/run.sh (valgrind, or ASan with
#                                  SANITIZE=1)
# `make fuzz` runs every harness for FUZZ_SECONDS (default 60) on a copy
# of its seeds in build/fuzz/corpus/NAME (new inputs stay there, crashes go
# to build/fuzz/crash/NAME); FUZZ_TARGETS=NAME... runs some only,
# FUZZ_ARGS passes options to libFuzzer.  Harnesses named in FUZZ_OFF are
# not built (their decoder does not exist yet).
#
# Uses from the top Makefile: B CLANG WARN Q msg obj pc_cflags COMMON_PKGS
# AGENT_PKGS COMMON_LIBS AGENT_LIBS COMMON_SRC AGENT_SRC LIBAGENT LIBCOMMON,
# and the collector's COLL_PKGS COLL_LIBS COLL_SRC LIBCOLL.

FZ           := build/fuzz
FUZZ_SECONDS ?= 60
FUZZ_OFF     :=
FUZZ_ALL     := $(filter-out $(FUZZ_OFF),\
		$(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c)))
FUZZ_TARGETS ?= $(FUZZ_ALL)
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=all \
		-fno-omit-frame-pointer
# clang warns of vfprintf(fmt) in a printf-like function, gcc does not
FUZZ_CFLAGS  := -O1 -g -std=gnu11 $(WARN) -Wno-format-nonliteral \
		-D_GNU_SOURCE $(FUZZ_SAN) \
		-fsanitize=fuzzer-no-link -I. -I$(B) \
		$(call pc_cflags,$(COMMON_PKGS) $(AGENT_PKGS) $(COLL_PKGS))

fzobj = $(patsubst %.c,$(FZ)/obj/%.o,$(1))
FUZZ_PROGS   := $(patsubst %,$(FZ)/fuzz_%,$(FUZZ_ALL))
REPLAY_PROGS := $(patsubst %,$(B)/tests/fuzz/replay_%,$(FUZZ_ALL))

$(FZ)/obj/%.o: %.c
	$(call msg,CC-FUZZ,$<)
	@mkdir -p $(dir $@)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) -MMD -MP -c -o $@ $<

# the link monitor's skeleton comes from the normal build
$(call fzobj,$(wildcard agent/watch/linkmon*.c)): $(B)/bpf/linkmon.skel.h

$(FZ)/libegnet-common.a: $(call fzobj,$(COMMON_SRC))
$(FZ)/libegnet-agent.a: $(call fzobj,$(AGENT_SRC))
$(FZ)/libegnet-collector.a: $(call fzobj,$(COLL_SRC))
$(FZ)/libegnet-common.a $(FZ)/libegnet-agent.a $(FZ)/libegnet-collector.a:
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(FZ)/fuzz_%: $(call fzobj,tests/fuzz/fuzz_%.c tests/fuzz/fuzz.c \
		$(FAILPOINT_NONE)) $(FZ)/libegnet-agent.a \
		$(FZ)/libegnet-collector.a $(FZ)/libegnet-common.a
	$(call msg,LD-FUZZ,$@)
	$(Q)$(CLANG) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $(link_inputs) $(COMMON_LIBS) \
		$(AGENT_LIBS) $(COLL_LIBS)

$(B)/tests/fuzz/replay_%: $(call obj,tests/fuzz/fuzz_%.c tests/fuzz/fuzz.c \
		tests/fuzz/replay.c $(FAILPOINT_NONE)) $(LIBAGENT) $(LIBCOLL) \
		$(LIBCOMMON)
	$(call msg,LD,$@)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $(link_inputs) $(COMMON_LIBS) $(AGENT_LIBS) $(COLL_LIBS)

TESTS_BUILD_EXTRA += $(REPLAY_PROGS)

# the report harness holds report_decode() to the decoder it replaced
$(FZ)/fuzz_report: $(call fzobj,tests/support/report_oracle.c)
$(B)/tests/fuzz/replay_report: $(call obj,tests/support/report_oracle.c)

.PHONY: fuzz fuzz-build
fuzz-build: $(FUZZ_PROGS)

fuzz: fuzz-build
	$(Q)FZ=$(FZ) FUZZ_SECONDS=$(FUZZ_SECONDS) tests/fuzz/run.sh \
		$(FUZZ_TARGETS) -- $(FUZZ_ARGS)

-include $(shell find $(FZ)/obj -name '*.d' 2>/dev/null)

# Seeds of the state and firewall harnesses, made by the agent's code from
# the example node configs (tests/fuzz/seeds.c); commit what changes.
$(B)/tests/fuzz/seeds: $(call obj,tests/fuzz/seeds.c $(FAILPOINT_NONE)) \
		$(LIBAGENT) $(LIBCOMMON)
	$(call msg,LD,$@)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(COMMON_LIBS) $(AGENT_LIBS)

.PHONY: fuzz-seeds
fuzz-seeds: $(B)/tests/fuzz/seeds
	$(Q)$(B)/tests/fuzz/seeds tests/fuzz/corpus profiles/examples/*.conf
