# agent/sys/ - the agent's dealings with the system: service-manager
# notification (systemd's when libsystemd is there, else none), failure
# points (none in the product; tests/support/failpoint.c in the test build)
# and kernel settings.
ifeq ($(shell $(PKG_CONFIG) --exists libsystemd && echo y),y)
AGENT_SRC += agent/sys/notify_systemd.c
else
AGENT_SRC += agent/sys/notify_none.c
endif
AGENT_SRC += $(filter-out agent/sys/notify_%.c agent/sys/failpoint_none.c,\
		$(wildcard agent/sys/*.c))
FAILPOINT_NONE := agent/sys/failpoint_none.c
