# collector/api/api.mk - the read API (nodes, events, metrics).
COLL_SRC += $(wildcard collector/api/*.c)

