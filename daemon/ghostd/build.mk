# daemon/ghostd: the supervisor, build/bin/ghostd, and the unit tests of its
# modules. Included by the top-level Makefile after daemon/common/build.mk.

GHOSTD_SRCS := $(wildcard daemon/ghostd/*.c)
GHOSTD_HDRS := $(wildcard daemon/ghostd/*.h)
GHOSTD_OBJS := $(patsubst daemon/ghostd/%.c,$(BUILD)/obj/ghostd/%.o,$(GHOSTD_SRCS))

# Where `make install` puts the agent and the plugins (PREFIX: see the
# install target of the top-level Makefile): ghostd's default paths.
GHOST_LIBDIR = $(PREFIX)/lib/ghost

GHOSTD_PKGS := jansson libnl-genl-3.0 libsystemd
GHOSTD_CFLAGS = $(shell pkg-config --cflags $(GHOSTD_PKGS)) -Idaemon/include \
	-DGHOST_LIBDIR='"$(GHOST_LIBDIR)"'
GHOSTD_LIBS = $(shell pkg-config --libs $(GHOSTD_PKGS)) -ldl

$(BUILD)/obj/ghostd/%.o: daemon/ghostd/%.c $(GHOSTD_HDRS) $(COMMON_HDRS) \
		daemon/runtime/plugin.h daemon/runtime/params.h \
		daemon/include/ghost/policy.h $(HEADERS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(GHOSTD_CFLAGS) -c -o $@ $<

# From the runtime's library ghostd takes the module's ABI check and the
# plugin loader, with which it checks policies offline. The loader binds a
# plugin's calls into the SDK at load time (RTLD_NOW), so ghostd, like
# ghost-agent, carries the SDK's functions (sdk.o) and exports them
# (RUNTIME_LDFLAGS), though it never runs a policy.
GHOSTD_RUNTIME := $(BUILD)/obj/runtime/sdk.o $(BUILD)/lib/libghostruntime.a

$(BUILD)/bin/ghostd: $(GHOSTD_OBJS) $(GHOSTD_RUNTIME) $(BUILD)/lib/libghostcommon.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(RUNTIME_LDFLAGS) -o $@ $^ $(GHOSTD_LIBS)

DAEMON_TARGETS += $(BUILD)/bin/ghostd

# Unit tests of ghostd's modules, each linked with just the objects it
# tests. The configuration tests check policies against fixture plugins.
GHOSTD_TEST_PLUGIN_DIR := $(BUILD)/test/plugins
GHOSTD_TEST_PLUGINS := $(patsubst tests/unit/plugins/%.c,$(GHOSTD_TEST_PLUGIN_DIR)/%.so,\
	$(wildcard tests/unit/plugins/*.c))
GHOSTD_TEST_FLAGS = $(GHOSTD_CFLAGS) $(CHECK_FLAGS) $(GHOSTD_LIBS)

$(GHOSTD_TEST_PLUGIN_DIR)/%.so: tests/unit/plugins/%.c daemon/include/ghost/policy.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Idaemon/include -fPIC -shared -fvisibility=hidden -o $@ $<

# It also checks the shipped examples against the shipped policies.
$(BUILD)/unit/check_config: tests/unit/check_config.c \
		$(addprefix $(BUILD)/obj/ghostd/,config.o srcmap.o rules.o procfs.o plugin_check.o) \
		$(GHOSTD_RUNTIME) $(BUILD)/lib/libghostcommon.a | $(GHOSTD_TEST_PLUGINS) \
		$(BUILD)/policies/fifo_per_cpu.so $(BUILD)/policies/fifo_centralized.so
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -DTEST_PLUGIN_DIR='"$(CURDIR)/$(GHOSTD_TEST_PLUGIN_DIR)"' \
		-DTEST_POLICY_DIR='"$(CURDIR)/$(BUILD)/policies"' \
		-DTEST_SOURCE_DIR='"$(CURDIR)"' $(RUNTIME_LDFLAGS) -o $@ $^ $(GHOSTD_TEST_FLAGS)

$(BUILD)/unit/check_onboard: tests/unit/check_onboard.c \
		$(addprefix $(BUILD)/obj/ghostd/,rules.o procfs.o proc_events.o) \
		$(BUILD)/lib/libghostcommon.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $^ $(GHOSTD_TEST_FLAGS)

UNIT_TESTS += $(BUILD)/unit/check_config $(BUILD)/unit/check_onboard
