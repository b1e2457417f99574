# collector/collector.mk - egnet-collector.  Sub-folders by concern (ingest,
# store, topology, web) add their sources to COLL_SRC as they come; the
# collector minus main.c is $(LIBCOLL), linked by the tests.
COLL_SRC := $(filter-out collector/main.c,$(wildcard collector/*.c))

include collector/ingest/ingest.mk
include collector/api/api.mk

LIBCOLL  := $(B)/libegnet-collector.a
include collector/store/store.mk
include collector/topo/topo.mk
include collector/verify/verify.mk
$(LIBCOLL): $(call obj,$(COLL_SRC))

$(B)/egnet-collector: $(call obj,collector/main.c $(TESTROUTES_NONE)) $(LIBCOLL) $(LIBCOMMON)
