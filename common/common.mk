# common/common.mk - code shared by agent, collector and egnetctl, built into
# $(LIBCOMMON).
COMMON_SRC := $(wildcard common/*.c)
LIBCOMMON  := $(B)/libegnet-common.a
$(LIBCOMMON): $(call obj,$(COMMON_SRC))
