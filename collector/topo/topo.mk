# collector/topo/topo.mk - five-level verification: the expected tree, the
# state of every node, outages at their root, coverage.  Pure code (no I/O);
# the benchmark driver bench/verify_bench is built with the tests.
COLL_SRC += $(wildcard collector/topo/*.c)

$(B)/bench/verify_bench: $(call obj,bench/verify_bench.c) $(LIBCOLL) $(LIBCOMMON)
	$(call msg,LD,$@)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(COMMON_LIBS) $(COLL_LIBS)

TESTS_BUILD_EXTRA += $(B)/bench/verify_bench
