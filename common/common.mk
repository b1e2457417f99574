# common/common.mk - code shared by agent, collector and egnetctl, built into
# $(LIBCOMMON).  Service-manager notification: systemd's when libsystemd is
# there (the Makefile's SYSTEMD_PKGS), else none.
ifneq ($(SYSTEMD_PKGS),)
NOTIFY_SRC := common/notify_systemd.c
else
NOTIFY_SRC := common/notify_none.c
endif
COMMON_SRC := $(filter-out common/notify_%.c,$(wildcard common/*.c)) $(NOTIFY_SRC)
LIBCOMMON  := $(B)/libegnet-common.a
$(LIBCOMMON): $(call obj,$(COMMON_SRC))
