# daemon/runtime: the policy runtime (plugin loader, task table, message
# dispatch, transactions, agent models, swap, adoption) and the kernel
# backend, as libghostruntime.a for ghost-agent and, later, ghost-sim.
# A program that loads plugins links with RUNTIME_LDFLAGS, so that the
# plugins bind to the SDK's functions and to nothing else of it.
RUNTIME_SRCS := $(wildcard daemon/runtime/*.c)
RUNTIME_HDRS := $(wildcard daemon/runtime/*.h) daemon/include/ghost/policy.h \
	$(COMMON_HDRS) module/uapi/linux/ghost.h
# The kernel backend checks the module's ABI with daemon/abi.c.
RUNTIME_OBJS := $(patsubst daemon/runtime/%.c,$(BUILD)/obj/runtime/%.o,$(RUNTIME_SRCS)) \
	$(BUILD)/obj/runtime/abi.o
RUNTIME_CFLAGS = $(CFLAGS) -Idaemon -Idaemon/include $(shell pkg-config --cflags jansson)
RUNTIME_LDFLAGS = -Wl,--dynamic-list=daemon/runtime/sdk.list
RUNTIME_LIBS = $(BUILD)/lib/libghostruntime.a $(BUILD)/lib/libghostcommon.a \
	$(shell pkg-config --libs jansson) -ldl

$(BUILD)/obj/runtime/%.o: daemon/runtime/%.c $(RUNTIME_HDRS)
	@mkdir -p $(@D)
	$(CC) $(RUNTIME_CFLAGS) -c -o $@ $<

$(BUILD)/obj/runtime/abi.o: daemon/abi.c daemon/abi.h module/uapi/linux/ghost.h
	@mkdir -p $(@D)
	$(CC) $(RUNTIME_CFLAGS) -c -o $@ $<

$(BUILD)/lib/libghostruntime.a: $(RUNTIME_OBJS)
	@mkdir -p $(@D)
	$(AR) rcs $@ $^

DAEMON_TARGETS += $(BUILD)/lib/libghostruntime.a

# Unit tests of the runtime (tests/unit/check_{plugin_loader,runtime,swap,
# policies}.c): the loader, and the runtime driven by the scripted backend
# (tests/unit/support/) with the shipped policies and the test policies of
# tests/unit/test_policies/, some broken on purpose, built into
# build/test/policies/.
RUNTIME_TEST_POLICY_DIR := $(BUILD)/test/policies
RUNTIME_TEST_POLICIES := $(addprefix $(RUNTIME_TEST_POLICY_DIR)/, \
	abi_too_new.so abi_too_old.so bad_param_spec.so init_fails.so \
	missing_callback.so missing_symbol.so no_descriptor.so wrong_name.so \
	gang.so recorder_per_cpu.so recorder_centralized.so \
	fifo_per_cpu.so fifo_centralized.so)
RUNTIME_TEST_POLICY_CFLAGS = $(CFLAGS) -Idaemon/include -fPIC -shared -fvisibility=hidden
RUNTIME_TESTS := $(addprefix $(BUILD)/unit/, \
	check_plugin_loader check_runtime check_swap check_policies)
RUNTIME_TEST_SUPPORT := tests/unit/support/scripted_backend.c \
	tests/unit/support/runtime_fixture.c

$(RUNTIME_TEST_POLICY_DIR)/%.so: tests/unit/test_policies/%.c \
		tests/unit/test_policies/test_plugin.h daemon/include/ghost/policy.h
	@mkdir -p $(@D)
	$(CC) $(RUNTIME_TEST_POLICY_CFLAGS) -o $@ $<

$(RUNTIME_TEST_POLICY_DIR)/recorder_per_cpu.so: tests/unit/test_policies/recorder.c \
		tests/unit/test_policies/test_plugin.h daemon/include/ghost/policy.h
	@mkdir -p $(@D)
	$(CC) $(RUNTIME_TEST_POLICY_CFLAGS) -o $@ $<

$(RUNTIME_TEST_POLICY_DIR)/recorder_centralized.so: tests/unit/test_policies/recorder.c \
		tests/unit/test_policies/test_plugin.h daemon/include/ghost/policy.h
	@mkdir -p $(@D)
	$(CC) $(RUNTIME_TEST_POLICY_CFLAGS) -DRECORDER_CENTRALIZED -o $@ $<

# The shipped policies too, so that tests swap between them and test ones.
$(RUNTIME_TEST_POLICY_DIR)/fifo_%.so: $(BUILD)/policies/fifo_%.so
	@mkdir -p $(@D)
	cp $< $@

# The SDK's functions (sdk.o) are linked whole: only plugins call them.
$(RUNTIME_TESTS): $(BUILD)/unit/%: tests/unit/%.c $(RUNTIME_TEST_SUPPORT) \
		tests/unit/support/scripted_backend.h tests/unit/support/runtime_fixture.h \
		$(BUILD)/obj/runtime/sdk.o \
		$(BUILD)/lib/libghostruntime.a $(BUILD)/lib/libghostcommon.a \
		| $(RUNTIME_TEST_POLICIES) $(BUILD)/policies/fifo_per_cpu.so \
		$(BUILD)/policies/fifo_centralized.so
	@mkdir -p $(@D)
	$(CC) $(RUNTIME_CFLAGS) -Itests/unit/support \
		-DTEST_POLICY_DIR='"$(CURDIR)/$(RUNTIME_TEST_POLICY_DIR)"' \
		-DPOLICY_DIR='"$(CURDIR)/$(BUILD)/policies"' $(RUNTIME_LDFLAGS) \
		-o $@ $< $(RUNTIME_TEST_SUPPORT) $(BUILD)/obj/runtime/sdk.o \
		$(RUNTIME_LIBS) $(CHECK_FLAGS)

UNIT_TESTS += $(RUNTIME_TESTS)
