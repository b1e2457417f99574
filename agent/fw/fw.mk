# agent/fw/ - the firewall: the policy compiled into nftables objects, their
# messages and canonical text, and the libnftnl transactions.
AGENT_SRC += $(wildcard agent/fw/*.c)
