# agent/snmp/ - net-snmp in the agent: its process-wide set-up shared by
# every user (snmplib.c), its sessions in the event loop (snmpev.c), the
# AgentX subagent publishing EGNET-MIB (agentx.c, agentx_mib.c), the
# poller of the site's devices (poll.c, poll_show.c) and the pure
# reply-to-state step it uses (reply.c).
AGENT_SRC += $(wildcard agent/snmp/*.c)
AGENT_LIBS += -lnetsnmpagent -lnetsnmp
