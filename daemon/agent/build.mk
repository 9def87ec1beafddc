# daemon/agent: ghost-agent, the agents of one enclave in a process of
# their own, into build/bin/ghost-agent. It links the runtime whole enough
# for plugins: the SDK's functions (sdk.o), exported to them alone.
AGENT_SRCS := $(wildcard daemon/agent/*.c)
AGENT_OBJS := $(patsubst daemon/agent/%.c,$(BUILD)/obj/agent/%.o,$(AGENT_SRCS))
AGENT_DEPS := $(wildcard daemon/agent/*.h daemon/runtime/*.h daemon/common/*.h) \
	daemon/include/ghost/policy.h module/uapi/linux/ghost.h

$(BUILD)/obj/agent/%.o: daemon/agent/%.c $(AGENT_DEPS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Idaemon -Idaemon/include $(shell pkg-config --cflags jansson) \
		-c -o $@ $<

$(BUILD)/bin/ghost-agent: $(AGENT_OBJS) $(BUILD)/obj/runtime/sdk.o \
		$(BUILD)/lib/libghostruntime.a $(BUILD)/lib/libghostcommon.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(RUNTIME_LDFLAGS) -o $@ $(AGENT_OBJS) \
		$(BUILD)/obj/runtime/sdk.o $(RUNTIME_LIBS) -pthread

DAEMON_TARGETS += $(BUILD)/bin/ghost-agent

# The control plane's unit test: control.c and the agent threads, over the
# scripted backend serialised for real threads (tests/unit/support/).
$(BUILD)/unit/check_agent_control: tests/unit/check_agent_control.c \
		$(BUILD)/obj/agent/control.o $(BUILD)/obj/agent/agent_threads.o \
		tests/unit/support/scripted_backend.c tests/unit/support/locked_backend.c \
		$(wildcard tests/unit/support/*.h) $(BUILD)/obj/runtime/sdk.o \
		$(BUILD)/lib/libghostruntime.a $(BUILD)/lib/libghostcommon.a \
		| $(BUILD)/test/policies/fifo_per_cpu.so \
		$(BUILD)/test/policies/fifo_centralized.so $(BUILD)/test/policies/init_fails.so
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Idaemon -Idaemon/include -Itests/unit/support \
		$(shell pkg-config --cflags jansson) \
		-DTEST_POLICY_DIR='"$(CURDIR)/$(BUILD)/test/policies"' $(RUNTIME_LDFLAGS) \
		-o $@ $< $(BUILD)/obj/agent/control.o $(BUILD)/obj/agent/agent_threads.o \
		tests/unit/support/scripted_backend.c tests/unit/support/locked_backend.c \
		$(BUILD)/obj/runtime/sdk.o $(RUNTIME_LIBS) $(CHECK_FLAGS) -pthread

UNIT_TESTS += $(BUILD)/unit/check_agent_control
