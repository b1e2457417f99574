# collector/verify/verify.mk - the verification wired into the collector:
# one engine fed by the ingest, ticked, its outages and coverage in the
# store; alert delivery (webhook over libcurl, syslog).
COLL_SRC += $(wildcard collector/verify/*.c)
