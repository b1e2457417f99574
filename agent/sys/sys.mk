# agent/sys/ - the agent's dealings with the system: failure points (none
# in the product; tests/support/failpoint.c in the test build) and kernel
# settings.  Service-manager notification is common/notify.h.
AGENT_SRC += $(filter-out agent/sys/failpoint_none.c,$(wildcard agent/sys/*.c))
FAILPOINT_NONE := agent/sys/failpoint_none.c
