# egnet — top-level build.  Plain GNU make; every library through pkg-config.
#   make            build daemons, egnetctl and the BPF objects into build/
#   make check      dependencies, then unit, golden and integration tests
#   make fuzz       libFuzzer harnesses, FUZZ_SECONDS each (tests/fuzz/fuzz.mk)
#   make deps       install build and test dependencies (apt-get or dnf)
#   make SANITIZE=1 check   the same with ASan + UBSan (outputs in build/sanitize)
#   make V=1        show full commands
# `make help` lists every target.

ifeq ($(SANITIZE),1)
B       := build/sanitize
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
else
B       := build
SANFLAGS :=
endif

CC      ?= cc
CLANG   ?= clang
BPFTOOL ?= bpftool
PKG_CONFIG ?= pkg-config

ifeq ($(V),1)
Q :=
msg = @true
else
Q := @
msg = @printf '  %-8s %s\n' $(1) $(2);
endif

WARN    := -Wall -Wextra -Wshadow -Wformat=2 -Wstrict-prototypes \
	   -Wmissing-prototypes -Werror
CFLAGS  ?= -O2 -g
CFLAGS  += -std=gnu11 $(WARN) -D_GNU_SOURCE $(SANFLAGS) -I. -I$(B)
LDFLAGS += $(SANFLAGS)

pc_cflags = $(shell $(PKG_CONFIG) --cflags $(1) 2>/dev/null)
pc_libs   = $(shell $(PKG_CONFIG) --libs $(1) 2>/dev/null)

# Build-time choice: service-manager notification when libsystemd is there
# (common/common.mk picks the file; agent and collector link it).
ifeq ($(shell $(PKG_CONFIG) --exists libsystemd && echo y),y)
SYSTEMD_PKGS := libsystemd
endif
COMMON_PKGS := libconfig jansson
AGENT_PKGS  := libnl-3.0 libnl-route-3.0 libnftnl libmnl libbpf libevent libcurl netsnmp $(SYSTEMD_PKGS)
COLL_PKGS   := libmicrohttpd gnutls sqlite3 libcurl $(SYSTEMD_PKGS)
CFLAGS  += $(call pc_cflags,$(COMMON_PKGS) $(AGENT_PKGS) $(COLL_PKGS))
COMMON_LIBS := $(call pc_libs,$(COMMON_PKGS))
AGENT_LIBS  := $(call pc_libs,$(AGENT_PKGS))
COLL_LIBS   := $(call pc_libs,$(COLL_PKGS)) -lpthread

obj = $(patsubst %.c,$(B)/obj/%.o,$(1))

PROGS := $(B)/egnet-agent $(B)/egnet-collector $(B)/egnetctl

.PHONY: all check deps clean help demo demo-fault demo-heal demo-stop demo-status install deb rpm bench fuzz format
all: $(PROGS) bpf

$(B)/obj/%.o: %.c
	$(call msg,CC,$<)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

# One fragment per part; each adds its sources, its library and its
# program's prerequisites.
include common/common.mk
include agent/agent.mk
include collector/collector.mk
include ctl/ctl.mk

$(B)/lib%.a:
	$(call msg,AR,$@)
	@mkdir -p $(dir $@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(PROGS):
	$(call msg,LD,$@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(COMMON_LIBS) $(if $(findstring agent,$@),$(AGENT_LIBS)) $(if $(findstring collector,$@),$(COLL_LIBS)) $(if $(findstring egnetctl,$@),$(CTL_LIBS))

include bpf/bpf.mk
include tests/fuzz/fuzz.mk
include tests/tests.mk

deps:
	$(Q)packaging/deps.sh

check: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)$(MAKE) --no-print-directory tests-build
	$(Q)B=$(B) tests/run.sh

# The live demo: the whole example province in network namespaces, its
# agents reporting to the collector (demo/province.sh).  `make demo` builds
# it, waits until the collector covers it, runs the tour and leaves it
# running; demo-fault cuts a county's uplink (COUNTY=..., default
# 210102000000), demo-heal restores it, demo-stop removes it all.  Root.
demo: deps all
	$(Q)for n in province city county township; do \
		$(B)/egnetctl validate --node profiles/examples/$$n.conf >/dev/null && \
		echo "== $$n: profiles/examples/$$n.conf is valid"; \
	done
	$(Q)if [ "$$(id -u)" = 0 ]; then B=$(B) demo/province.sh up; else \
		$(B)/egnetctl render --node profiles/examples/county.conf; \
		echo; echo "As root (sudo make demo): the live demo in network namespaces."; fi

demo-fault:
	$(Q)B=$(B) demo/province.sh fault $(COUNTY)

demo-heal:
	$(Q)B=$(B) demo/province.sh heal

demo-stop:
	$(Q)B=$(B) demo/province.sh stop

demo-status:
	$(Q)B=$(B) demo/province.sh status

# Benchmarks print figures and ratios against baselines run side by side;
# they are not tests.  Root: they make network namespaces.
bench: all tests-build $(B)/bench/spool_bench
	$(Q)B=$(B) bench/apply
	$(Q)B=$(B) bench/firewall
	$(Q)B=$(B) bench/linkmon
	$(Q)B=$(B) bench/http
	$(Q)B=$(B) bench/verify
	$(Q)B=$(B) bench/collector
	$(Q)B=$(B) bench/dashboard
	$(Q)B=$(B) bench/snmp
	$(Q)$(B)/bench/spool_bench

PREFIX  ?= /usr
SBINDIR ?= $(PREFIX)/sbin
BINDIR  ?= $(PREFIX)/bin
DATADIR ?= $(PREFIX)/share/egnet
MANDIR  ?= $(PREFIX)/share/man
COMPLETIONDIR ?= $(PREFIX)/share/bash-completion/completions
UNITDIR ?= /lib/systemd/system
MAN8 := egnet-agent.8 egnet-collector.8 egnetctl.8 egnet-pki.8
MAN5 := egnet-profile.5
# where net-snmp's tools and snmpd look for MIB modules
MIBDIR  ?= $(PREFIX)/share/snmp/mibs

# Everything both packages hold (packaging/debian/*.install and
# packaging/rpm/egnet.spec split it).  /etc/egnet gets examples only: a
# gateway's node config and the collector's are written for the site
# (the units start once they are there).
install: all
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(BINDIR) \
		$(DESTDIR)$(DATADIR)/profiles/include \
		$(DESTDIR)$(DATADIR)/profiles/examples $(DESTDIR)$(DATADIR)/web \
		$(DESTDIR)$(DATADIR)/collector \
		$(DESTDIR)/etc/iproute2/rt_protos.d $(DESTDIR)$(UNITDIR) \
		$(DESTDIR)/etc/egnet $(DESTDIR)$(MANDIR)/man5 \
		$(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(COMPLETIONDIR) $(DESTDIR)$(MIBDIR)
	install -m 0755 $(B)/egnet-agent $(B)/egnet-collector $(DESTDIR)$(SBINDIR)/
	install -m 0755 $(B)/egnetctl $(DESTDIR)$(BINDIR)/
	install -m 0755 packaging/egnet-pki $(DESTDIR)$(SBINDIR)/
	install -m 0644 collector/examples/collector.conf $(DESTDIR)$(DATADIR)/collector/
	install -m 0644 collector/examples/collector.conf $(DESTDIR)/etc/egnet/collector.conf.example
	install -m 0644 packaging/agent.conf.example $(DESTDIR)/etc/egnet/
	install -m 0644 profiles/*.conf $(DESTDIR)$(DATADIR)/profiles/
	install -m 0644 profiles/include/*.conf $(DESTDIR)$(DATADIR)/profiles/include/
	install -m 0644 profiles/examples/* $(DESTDIR)$(DATADIR)/profiles/examples/
	install -m 0644 collector/web/* $(DESTDIR)$(DATADIR)/web/
	install -m 0644 packaging/iproute2/egnet.conf $(DESTDIR)/etc/iproute2/rt_protos.d/
	install -m 0644 mibs/EGNET-MIB.txt $(DESTDIR)$(MIBDIR)/
	install -m 0644 packaging/systemd/egnet-agent.service packaging/systemd/egnet-collector.service $(DESTDIR)$(UNITDIR)/
	install -m 0644 $(addprefix packaging/man/,$(MAN8)) $(DESTDIR)$(MANDIR)/man8/
	install -m 0644 $(addprefix packaging/man/,$(MAN5)) $(DESTDIR)$(MANDIR)/man5/
	install -m 0644 packaging/completion/egnetctl $(DESTDIR)$(COMPLETIONDIR)/

# Packages, built from a copy of the tree under $(PKGDIR) so that this one
# stays clean (packaging/pkg.sh): .deb files and .rpm files in $(PKGDIR).
PKGDIR ?= build/pkg
deb:
	$(Q)PKGDIR=$(PKGDIR) packaging/pkg.sh deb

rpm:
	$(Q)PKGDIR=$(PKGDIR) packaging/pkg.sh rpm

clean:
	rm -rf build

format:
	clang-format -i $(wildcard */*.c */*.h tests/*/*.c)

help:
	@echo 'targets:'
	@echo '  all          build/egnet-agent, build/egnet-collector, build/egnetctl, BPF objects'
	@echo '  check        make deps, then unit, golden and integration tests (integration needs root)'
	@echo '  deps         install build and test dependencies (apt-get or dnf), quiet when present'
	@echo '  demo         the whole example province live in namespaces, with its'
	@echo '               collector on https://127.0.0.1:8443; it keeps running (root)'
	@echo '  demo-fault   cut the uplink of a county (COUNTY=210102000000); demo-heal'
	@echo '               restores it; demo-status; demo-stop removes the demo'
	@echo '  bench        benchmarks with their baselines side by side (root)'
	@echo '  fuzz         each libFuzzer harness for FUZZ_SECONDS (60) in build/fuzz (clang)'
	@echo '  install      install programs, profiles, units, man pages, rt_protos entry, EGNET-MIB (DESTDIR, PREFIX)'
	@echo '  deb          egnet-agent and egnet-collector .deb packages in build/pkg (dpkg-buildpackage)'
	@echo '  rpm          the same two as .rpm packages in build/pkg (rpmbuild)'
	@echo '  clean        remove build/'
	@echo '  format       clang-format the sources'
	@echo 'variables: V=1 (full commands), SANITIZE=1 (ASan+UBSan, in build/sanitize)'

-include $(shell find $(B)/obj -name '*.d' 2>/dev/null)

# Keep intermediate objects (test objects would otherwise be rebuilt each run).
.SECONDARY:
