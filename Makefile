# ghost: Linux scheduling delegated to user space.
#
#   make test         install dependencies, build everything, run every test
#   make demo         build everything; ghostd in the VM: hackbench onboarded by
#                     name, a live policy swap, ghostctl status, against CFS
#   make demo-abi     the same VM, the kernel mechanism through the raw ABI
#   make kernel       the patched kernel, cached in $(GHOST_CACHE)
#   make module       ghost.ko, built against that kernel
#   make userland     ghostd, ghost-sim, the policies and the tests into build/
#   make bench        benchmarks in the VM, printed as ratios to CFS
#   make vm-shell     a shell in the VM with ghost.ko loaded
#   make dkms-check   `dkms build` of ghost.ko against the cached kernel tree
#   make policy-check POLICY=x.so   ghost-sim's battery on a policy plugin
#   make sim-bench    ghost-sim's simulated events per second on 256 CPUs
#   make install      ghostd, ghostctl, the policies, the unit, /etc/ghost
#   make deps         install the Debian packages everything above needs
#
# FLAVOUR=debug selects the lockdep/KASAN kernel for any of them;
# TESTS=PATTERN limits `make test` to tests whose name contains PATTERN.

FLAVOUR ?= release
export FLAVOUR
GHOST_CACHE ?= /var/tmp/ghost-cache
export GHOST_CACHE

BUILD := build
CFLAGS ?= -O2 -g
CFLAGS += -std=gnu11 -D_GNU_SOURCE -Wall -Wextra -Werror=implicit-function-declaration
CFLAGS += -isystem module/uapi -Idaemon -Itests/kernel -Itests/kernel/lib
CHECK_FLAGS = $(shell pkg-config --cflags --libs check)
NL_FLAGS = $(shell pkg-config --cflags --libs libnl-genl-3.0)

# The patched kernel tree; resolving it builds it if the cache lacks it.
# KDIR=/path/to/tree uses another tree carrying the hook patch instead.
KDIR ?= $(shell scripts/kernel-build $(FLAVOUR))

.PHONY: all deps kernel print-kdir module userland vm-prereqs unit test bench \
	demo demo-abi vm-shell dkms-check clean

all: module userland

deps:
	@scripts/install-deps

kernel: deps
	@test -d "$(KDIR)"

print-kdir:
	@echo "$(KDIR)"

# Kbuild tracks the kernel config, but a tree of the other flavour is a
# different kernel: rebuild from scratch when the tree changes.
module: kernel
	@kdir=$(KDIR); \
	if [ "$$(cat module/.kdir 2>/dev/null)" != "$$kdir" ]; then \
		$(MAKE) -s -C "$$kdir" M=$(CURDIR) clean; \
		echo "$$kdir" >module/.kdir; \
	fi; \
	$(MAKE) -s -C "$$kdir" M=$(CURDIR) modules

TEST_PROGRAMS := $(patsubst tests/kernel/%.c,$(BUILD)/bin/%,$(wildcard tests/kernel/*.c))
BENCH_PROGRAMS := $(patsubst tests/bench/%.c,$(BUILD)/bin/%,$(wildcard tests/bench/*.c))
DEMO_PROGRAMS := $(patsubst tests/demo/%.c,$(BUILD)/bin/%,$(wildcard tests/demo/*.c))
# The daemon tests (tests/daemon/) run ghostd as installed; their tools go
# to build/bin, their policies (broken on purpose) to DAEMON_TEST_POLICY_DIR.
DAEMON_TEST_TOOLS := $(patsubst tests/daemon/tools/%.c,$(BUILD)/bin/%,\
	$(wildcard tests/daemon/tools/*.c))
DAEMON_TEST_POLICY_DIR := $(BUILD)/test/daemon-policies
DAEMON_TEST_POLICIES := $(patsubst tests/daemon/policies/%.c,$(DAEMON_TEST_POLICY_DIR)/%.so,\
	$(wildcard tests/daemon/policies/*.c)) $(DAEMON_TEST_POLICY_DIR)/init_fails.so
TEST_LIB := $(wildcard tests/kernel/lib/*.c)
UNIT_TESTS := $(patsubst tests/unit/%.c,$(BUILD)/unit/%,$(wildcard tests/unit/*.c))
DAEMON_LIB := $(wildcard daemon/*.c)
HEADERS := module/uapi/linux/ghost.h $(wildcard daemon/*.h tests/kernel/*.h tests/kernel/lib/*.h)

# The daemon, its tools and the policy plugins: each part's build.mk adds
# its outputs to DAEMON_TARGETS (and its unit tests, with explicit rules,
# to UNIT_TESTS).
DAEMON_TARGETS :=
-include $(sort $(wildcard daemon/*/build.mk)) $(wildcard policies/build.mk)

userland: $(TEST_PROGRAMS) $(BENCH_PROGRAMS) $(DEMO_PROGRAMS) $(UNIT_TESTS) \
	$(DAEMON_TEST_TOOLS) $(DAEMON_TEST_POLICIES) \
	$(DAEMON_TARGETS)

$(BUILD)/bin/%: tests/kernel/%.c $(TEST_LIB) $(HEADERS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $< $(TEST_LIB) -pthread $(NL_FLAGS)

$(BUILD)/bin/%: tests/bench/%.c $(TEST_LIB) $(HEADERS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $< $(TEST_LIB) -pthread $(NL_FLAGS)

$(BUILD)/bin/%: tests/demo/%.c $(TEST_LIB) $(HEADERS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $< $(TEST_LIB) -pthread $(NL_FLAGS)

$(BUILD)/bin/%: tests/daemon/tools/%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $< -pthread

$(DAEMON_TEST_POLICY_DIR)/%.so: tests/daemon/policies/%.c daemon/include/ghost/policy.h \
		tests/unit/test_policies/test_plugin.h
	@mkdir -p $(@D)
	$(CC) $(PLUGIN_CFLAGS) -Itests/unit/test_policies $(PLUGIN_LDFLAGS) -o $@ $<

$(DAEMON_TEST_POLICY_DIR)/init_fails.so: tests/unit/test_policies/init_fails.c \
		tests/unit/test_policies/test_plugin.h daemon/include/ghost/policy.h
	@mkdir -p $(@D)
	$(CC) $(PLUGIN_CFLAGS) $(PLUGIN_LDFLAGS) -o $@ $<

$(BUILD)/unit/%: tests/unit/%.c $(DAEMON_LIB) $(HEADERS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $< $(DAEMON_LIB) $(CHECK_FLAGS)

vm-prereqs: module userland

test: deps
	@$(MAKE) -s all
	@tests/run-all $(TESTS)

bench: deps
	@$(MAKE) -s all
	@tests/run-bench

# ghostd as a user meets it (tests/demo/ghostd_demo.sh); demo-abi: the
# kernel mechanism alone, through the raw ABI (tests/demo/ghost_demo.c).
demo: deps
	@$(MAKE) -s all
	@tests/vm/run --install --add tests/demo --add /usr/bin/hackbench \
		-- /ghost/demo/ghostd_demo.sh

demo-abi: deps
	@$(MAKE) -s all
	@tests/vm/run -- ghost_demo

vm-shell: deps
	@$(MAKE) -s all
	@tests/vm/run --shell

dkms-check: module
	@tests/harness/dkms-build "$(KDIR)"

clean:
	rm -rf $(BUILD) module/.kdir
	rm -f module/*.o module/*.ko module/*.mod* module/.*.cmd module/modules.order \
		module/Module.symvers Module.symvers modules.order .*.cmd

# make install [DESTDIR=...] [PREFIX=/usr]: ghostd, ghostctl, ghost-agent and
# the policies, the systemd unit, and the configuration: /etc/ghost/ghostd.json
# (kept if it exists) and an empty enclaves.d (so the built-in enclave runs);
# the example enclaves and the JSON schemas go to share/doc/ghost. Build and
# install with the same PREFIX: ghostd's default paths come from it.
PREFIX ?= /usr
SYSTEMD_UNIT_DIR ?= /lib/systemd/system
DOC_DIR = $(DESTDIR)$(PREFIX)/share/doc/ghost

.PHONY: install
install: $(BUILD)/bin/ghostd $(BUILD)/bin/ghostctl $(BUILD)/bin/ghost-agent \
		$(POLICY_PLUGINS)
	install -d $(DESTDIR)$(PREFIX)/sbin $(DESTDIR)$(PREFIX)/bin \
		$(DESTDIR)$(PREFIX)/lib/ghost/policies $(DESTDIR)$(SYSTEMD_UNIT_DIR) \
		$(DESTDIR)/etc/ghost/enclaves.d $(DOC_DIR)/examples/enclaves.d \
		$(DOC_DIR)/schema
	install -m 0755 $(BUILD)/bin/ghostd $(DESTDIR)$(PREFIX)/sbin/ghostd
	install -m 0755 $(BUILD)/bin/ghostctl $(DESTDIR)$(PREFIX)/bin/ghostctl
	install -m 0755 $(BUILD)/bin/ghost-agent $(DESTDIR)$(PREFIX)/lib/ghost/ghost-agent
	install -m 0644 $(POLICY_PLUGINS) $(DESTDIR)$(PREFIX)/lib/ghost/policies/
	sed -e 's|/usr/sbin/|$(PREFIX)/sbin/|' -e 's|/usr/bin/|$(PREFIX)/bin/|' \
		-e 's|/usr/share/|$(PREFIX)/share/|' config/ghostd.service \
		>$(DESTDIR)$(SYSTEMD_UNIT_DIR)/ghostd.service
	chmod 0644 $(DESTDIR)$(SYSTEMD_UNIT_DIR)/ghostd.service
	test -e $(DESTDIR)/etc/ghost/ghostd.json || \
		install -m 0644 config/ghostd.json $(DESTDIR)/etc/ghost/ghostd.json
	install -m 0644 config/ghostd.json $(DOC_DIR)/examples/
	install -m 0644 config/enclaves.d/*.json $(DOC_DIR)/examples/enclaves.d/
	install -m 0644 config/schema/*.json $(DOC_DIR)/schema/
	install -m 0644 config/README.md $(DOC_DIR)/configuration.md
