# agent/snmp/ - SNMP: net-snmp's one-time set-up (snmplib.c), the poller
# of the site's devices (poll.c) and the pure reply-to-state step it uses
# (reply.c).  net-snmp is linked as libnetsnmp alone (pkg-config netsnmp),
# not the agent library.
AGENT_SRC += $(wildcard agent/snmp/*.c)
