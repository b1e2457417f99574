# agent/agent.mk - egnet-agent, included by the top-level Makefile.
#
# One fragment per folder adds its sources to AGENT_SRC; this one adds the
# top-level files (the agent, its event loop and control socket), builds
# the agent minus main.c into $(LIBAGENT) so the tests link the real code,
# and links the program.
AGENT_SRC := $(filter-out agent/main.c,$(wildcard agent/*.c))

include agent/apply/apply.mk
include agent/fw/fw.mk
include agent/watch/watch.mk
include agent/sys/sys.mk
include agent/report/report.mk
include agent/snmp/snmp.mk

LIBAGENT := $(B)/libegnet-agent.a
$(LIBAGENT): $(call obj,$(AGENT_SRC))

$(B)/egnet-agent: $(call obj,agent/main.c $(FAILPOINT_NONE)) $(LIBAGENT) $(LIBCOMMON)
