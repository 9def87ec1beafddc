# ghost: Linux scheduling delegated to user space.
#
#   make test         install dependencies, build everything, run every test
#   make demo         build everything; show threads scheduled by ghost in the VM
#   make kernel       the patched kernel, cached in $(GHOST_CACHE)
#   make module       ghost.ko, built against that kernel
#   make userland     test programs (and later ghostd and policies) into build/
#   make bench        benchmarks in the VM, printed as ratios to CFS
#   make vm-shell     a shell in the VM with ghost.ko loaded
#   make dkms-check   `dkms build` of ghost.ko against the cached kernel tree
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
	demo vm-shell dkms-check clean

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
TEST_LIB := $(wildcard tests/kernel/lib/*.c)
UNIT_TESTS := $(patsubst tests/unit/%.c,$(BUILD)/unit/%,$(wildcard tests/unit/*.c))
DAEMON_LIB := $(wildcard daemon/*.c)
HEADERS := module/uapi/linux/ghost.h $(wildcard daemon/*.h tests/kernel/*.h tests/kernel/lib/*.h)

userland: $(TEST_PROGRAMS) $(BENCH_PROGRAMS) $(DEMO_PROGRAMS) $(UNIT_TESTS)

$(BUILD)/bin/%: tests/kernel/%.c $(TEST_LIB) $(HEADERS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $< $(TEST_LIB) -pthread $(NL_FLAGS)

$(BUILD)/bin/%: tests/bench/%.c $(TEST_LIB) $(HEADERS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $< $(TEST_LIB) -pthread $(NL_FLAGS)

$(BUILD)/bin/%: tests/demo/%.c $(TEST_LIB) $(HEADERS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $< $(TEST_LIB) -pthread $(NL_FLAGS)

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

demo: deps
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
