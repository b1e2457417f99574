# collector/store/store.mk - the collector's store: the backend-independent
# part (queue, writer, dedup ranges, event derivation, minute aggregation)
# and the SQLite backend.  The benchmark is built with the tests.
COLL_SRC += $(wildcard collector/store/*.c)

$(B)/bench/store_bench: $(call obj,bench/store_bench.c) $(LIBCOLL) $(LIBCOMMON)
	$(call msg,LD,$@)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(COMMON_LIBS) $(COLL_LIBS)

TESTS_BUILD_EXTRA += $(B)/bench/store_bench

# the /metrics text for 20,000 county nodes (bench/metrics_bench.c)
$(B)/bench/metrics_bench: $(call obj,bench/metrics_bench.c) $(LIBCOLL) $(LIBCOMMON)
	$(call msg,LD,$@)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(COMMON_LIBS) $(COLL_LIBS)

TESTS_BUILD_EXTRA += $(B)/bench/metrics_bench
