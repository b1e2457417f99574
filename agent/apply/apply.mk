# agent/apply/ - the apply engine: netlink, kernel state and its JSON, the
# plan between two states, its execution, the transaction, the state folder
# and the last good configuration.
AGENT_SRC += $(wildcard agent/apply/*.c)
