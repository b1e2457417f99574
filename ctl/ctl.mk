# ctl/ctl.mk - egnetctl; minus main.c it is $(LIBCTL), linked by the tests.
CTL_SRC := $(filter-out ctl/main.c,$(wildcard ctl/*.c))
LIBCTL  := $(B)/libegnet-ctl.a
$(LIBCTL): $(call obj,$(CTL_SRC))

$(B)/egnetctl: $(call obj,ctl/main.c) $(LIBCTL) $(LIBCOMMON)

# the collector commands' HTTPS client (collcmd.c)
CTL_LIBS := $(call pc_libs,libcurl)
