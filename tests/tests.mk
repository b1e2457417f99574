# Test programs.  Unit tests link the real code through the static libraries.
UNIT_SRC   := $(wildcard tests/unit/test_*.c)
UNIT_PROGS := $(patsubst tests/unit/%.c,$(B)/tests/unit/%,$(UNIT_SRC))
CMOCKA_LIBS := $(call pc_libs,cmocka)
# a rule's objects first, then its libraries: an object added to a
# target's prerequisites (REPORT_ORACLE below) may need them too
link_inputs = $(filter-out %.a,$^) $(filter %.a,$^)

$(B)/tests/unit/%: $(call obj,tests/unit/%.c $(FAILPOINT_NONE)) $(LIBAGENT) $(LIBCTL) $(LIBCOLL) $(LIBCOMMON)
	$(call msg,LD,$@)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $(link_inputs) $(COMMON_LIBS) $(AGENT_LIBS) $(COLL_LIBS) $(CMOCKA_LIBS)

# The report decoder's oracle (the jansson decoder it replaced), for the
# differential test and the codec bench only.
REPORT_ORACLE := $(call obj,tests/support/report_oracle.c)
$(B)/tests/unit/test_report_diff: $(REPORT_ORACLE)
$(B)/bench/report_bench: $(REPORT_ORACLE)

# The agent with failure points armed by EGNET_FAILPOINT, for integration
# tests only (the product links $(FAILPOINT_NONE)).
$(B)/tests/egnet-agent-fp: $(call obj,agent/main.c tests/support/failpoint.c) $(LIBAGENT) $(LIBCOMMON)
	$(call msg,LD,$@)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(COMMON_LIBS) $(AGENT_LIBS)

TESTS_BUILD_EXTRA += $(B)/tests/egnet-agent-fp

# The collector with test routes (tests/support/collector_routes.c), for
# integration tests and the HTTP bench only (the product links
# $(TESTROUTES_NONE)).
$(B)/tests/egnet-collector-test: $(call obj,collector/main.c tests/support/collector_routes.c) $(LIBCOLL) $(LIBCOMMON)
	$(call msg,LD,$@)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(COMMON_LIBS) $(COLL_LIBS)

TESTS_BUILD_EXTRA += $(B)/tests/egnet-collector-test $(B)/bench/http_load

# The report spool's writer and checker, for tests/cli/test_spool_crash.sh.
$(B)/tests/spool_writer: $(call obj,tests/support/spool_writer.c $(FAILPOINT_NONE)) $(LIBAGENT) $(LIBCOMMON)
	$(call msg,LD,$@)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(COMMON_LIBS) $(AGENT_LIBS)

TESTS_BUILD_EXTRA += $(B)/tests/spool_writer

# The preload that logs every fsync/fdatasync's file size, for
# tests/integration/test_report_kill.sh (its power cut).  Built without
# the sanitizers: it is loaded into the agent ahead of everything.
$(B)/tests/synclog.so: tests/support/synclog.c
	$(call msg,CC,$@)
	@mkdir -p $(dir $@)
	$(Q)$(CC) -O2 -g -std=gnu11 $(WARN) -D_GNU_SOURCE -fPIC -shared -o $@ $< -ldl

TESTS_BUILD_EXTRA += $(B)/tests/synclog.so


# Benchmark drivers (bench/), linked against the real libraries.
$(B)/bench/%: $(call obj,bench/%.c $(FAILPOINT_NONE)) $(LIBAGENT) $(LIBCOMMON)
	$(call msg,LD,$@)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $(link_inputs) $(COMMON_LIBS) $(AGENT_LIBS)

# the collector's load generator (bench/collector): OpenSSL for its own
# connections and certificates, libcurl for the API's answers
CL_LOAD_SRC := bench/collector_load.c bench/collector_load_net.c bench/collector_load_phase.c
$(B)/bench/collector_load: $(call obj,$(CL_LOAD_SRC)) $(LIBCOMMON)
	$(call msg,LD,$@)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(COMMON_LIBS) $(call pc_libs,libcurl openssl)

TESTS_BUILD_EXTRA += $(B)/bench/collector_load

# fw_bench drives the firewall's read-back test too
TESTS_BUILD_EXTRA += $(B)/bench/fw_bench

# the report codec's cost against a bare json_loadb (bench/report_bench.c)
TESTS_BUILD_EXTRA += $(B)/bench/report_bench

# the SNMP poller's driver (bench/snmp)
TESTS_BUILD_EXTRA += $(B)/bench/snmp_bench

# Last, so every fragment's TESTS_BUILD_EXTRA is in.
.PHONY: tests-build
tests-build: $(UNIT_PROGS) $(TESTS_BUILD_EXTRA)

# BPF program cost (bench/linkmon): both skeletons, libbpf
$(B)/bench/linkmon_cost: bench/linkmon_cost.c $(B)/bpf/linkmon.skel.h $(B)/bpf/empty.skel.h
	$(call msg,CC,$@)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) -o $@ $< $(LDFLAGS) $(call pc_libs,libbpf)
