# agent/report/ - reporting to the collector: the on-disk spool of
# reports (queued, replayed, acknowledged) and its checksum.
AGENT_SRC += $(wildcard agent/report/*.c)
