# daemon/sim: ghost-sim, the policy plugins run on a simulated machine
# through the very runtime ghost-agent runs (libghostruntime.a), into
# build/bin/ghost-sim; its unit tests; and the targets that use it:
#
#   make policy-check POLICY=path/to/x.so   the standard battery on a plugin
#   make sim-bench                          simulated events per second, 256 CPUs
SIM_SRCS := $(filter-out daemon/sim/main.c daemon/sim/replay.c,$(wildcard daemon/sim/*.c))
SIM_HDRS := $(wildcard daemon/sim/*.h) $(wildcard daemon/runtime/*.h) \
	$(wildcard daemon/common/*.h) daemon/include/ghost/policy.h \
	module/uapi/linux/ghost.h
SIM_OBJS := $(patsubst daemon/sim/%.c,$(BUILD)/obj/sim/%.o,$(SIM_SRCS))
SIM_CFLAGS = $(CFLAGS) -Idaemon -Idaemon/include $(shell pkg-config --cflags jansson)
SIM_LIBS = $(BUILD)/lib/libghostsim.a $(BUILD)/obj/runtime/sdk.o $(RUNTIME_LIBS) -lm

$(BUILD)/obj/sim/%.o: daemon/sim/%.c $(SIM_HDRS)
	@mkdir -p $(@D)
	$(CC) $(SIM_CFLAGS) -c -o $@ $<

$(BUILD)/lib/libghostsim.a: $(SIM_OBJS)
	@mkdir -p $(@D)
	$(AR) rcs $@ $^

$(BUILD)/bin/ghost-sim: $(BUILD)/obj/sim/main.o $(BUILD)/lib/libghostsim.a \
		$(BUILD)/obj/runtime/sdk.o $(BUILD)/lib/libghostruntime.a \
		$(BUILD)/lib/libghostcommon.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(RUNTIME_LDFLAGS) -o $@ $(BUILD)/obj/sim/main.o $(SIM_LIBS)

# ghost-sim-replay: a workload's scripted tasks as real threads, for
# comparing the simulator with a real kernel (tests/sim/fifo-order-vm).
$(BUILD)/bin/ghost-sim-replay: $(BUILD)/obj/sim/replay.o $(BUILD)/lib/libghostsim.a \
		$(BUILD)/lib/libghostcommon.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $(BUILD)/obj/sim/replay.o $(BUILD)/lib/libghostsim.a \
		$(BUILD)/lib/libghostcommon.a $(shell pkg-config --libs jansson) -lm -pthread

DAEMON_TARGETS += $(BUILD)/bin/ghost-sim $(BUILD)/bin/ghost-sim-replay

# make policy-check POLICY=path/to/x.so [SEED=n]
.PHONY: policy-check sim-bench
policy-check: $(BUILD)/bin/ghost-sim
	@test -n "$(POLICY)" || { echo "usage: make policy-check POLICY=path/to/x.so" >&2; exit 2; }
	@$(BUILD)/bin/ghost-sim --policy $(POLICY) --check --seed $(or $(SEED),1)

sim-bench: $(BUILD)/bin/ghost-sim $(POLICY_PLUGINS)
	@$(BUILD)/bin/ghost-sim --policy $(BUILD)/policies/fifo_per_cpu.so \
		--machine epyc-256 --workload config/sim/workloads/bench-256.json \
		--bench >/dev/null

# tutorial_fifo (docs/writing-a-policy.md) ships in policies/:
# check_policies runs it wherever it runs fifo_per_cpu, and the loader's
# test lists it among the shipped plugins.
$(BUILD)/unit/check_policies $(BUILD)/unit/check_plugin_loader: \
	| $(BUILD)/policies/tutorial_fifo.so

# Unit tests (tests/unit/check_sim_*.c): the model, Erlang C, whole runs
# (determinism, presets, the FIFO order), policy swaps, and the battery on
# the shipped plugins and on plugins broken on purpose
# (tests/unit/sim_policies/).
SIM_TEST_POLICY_DIR := $(BUILD)/test/sim-policies
SIM_BROKEN_POLICIES := $(addprefix $(SIM_TEST_POLICY_DIR)/, \
	starves.so ignores_cpumask.so double_books.so)
SIM_TESTS := $(addprefix $(BUILD)/unit/, \
	check_sim_model check_sim_erlang check_sim_runs check_sim_battery \
	check_sim_swaps)

$(SIM_TEST_POLICY_DIR)/starves.so: BROKEN = STARVES
$(SIM_TEST_POLICY_DIR)/ignores_cpumask.so: BROKEN = IGNORES_CPUMASK
$(SIM_TEST_POLICY_DIR)/double_books.so: BROKEN = DOUBLE_BOOKS
$(SIM_BROKEN_POLICIES): tests/unit/sim_policies/broken.c daemon/include/ghost/policy.h
	@mkdir -p $(@D)
	$(CC) $(PLUGIN_CFLAGS) $(PLUGIN_LDFLAGS) -D$(BROKEN) -o $@ $<

$(SIM_TESTS): $(BUILD)/unit/%: tests/unit/%.c $(BUILD)/lib/libghostsim.a \
		$(BUILD)/obj/runtime/sdk.o $(BUILD)/lib/libghostruntime.a \
		$(BUILD)/lib/libghostcommon.a \
		| $(POLICY_PLUGINS) $(SIM_BROKEN_POLICIES)
	@mkdir -p $(@D)
	$(CC) $(SIM_CFLAGS) -DPOLICY_DIR='"$(CURDIR)/$(BUILD)/policies"' \
		-DSIM_TEST_POLICY_DIR='"$(CURDIR)/$(SIM_TEST_POLICY_DIR)"' \
		-DSIM_CONFIG_DIR='"$(CURDIR)/config/sim"' $(RUNTIME_LDFLAGS) \
		-o $@ $< $(SIM_LIBS) $(CHECK_FLAGS)

UNIT_TESTS += $(SIM_TESTS)
