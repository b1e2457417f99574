# collector/ingest/ingest.mk - the HTTP server (libmicrohttpd, GnuTLS),
# its route table and counters.  testroutes_none.c is linked by the
# product only: test builds link tests/support/collector_routes.c instead.
COLL_SRC += $(filter-out collector/ingest/testroutes_none.c,\
		$(wildcard collector/ingest/*.c))
TESTROUTES_NONE := collector/ingest/testroutes_none.c
