# agent/snmp/ - net-snmp in the agent: its process-wide set-up
# (snmplib.c), its sessions in the event loop (snmpev.c), the AgentX
# subagent publishing EGNET-MIB (agentx.c, agentx_mib.c).
AGENT_SRC += $(wildcard agent/snmp/*.c)
AGENT_LIBS += -lnetsnmpagent -lnetsnmp
