# daemon/common: logging, CPU lists and the JSON-lines control protocol,
# linked into ghostd, ghost-agent and ghostctl.
COMMON_SRCS := $(wildcard daemon/common/*.c)
COMMON_HDRS := $(wildcard daemon/common/*.h)
COMMON_OBJS := $(patsubst daemon/common/%.c,$(BUILD)/obj/common/%.o,$(COMMON_SRCS))
JANSSON_FLAGS = $(shell pkg-config --cflags --libs jansson)
COMMON_CFLAGS = $(shell pkg-config --cflags jansson libnl-genl-3.0)

$(BUILD)/obj/common/%.o: daemon/common/%.c $(COMMON_HDRS) $(HEADERS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Idaemon/common $(COMMON_CFLAGS) -c -o $@ $<

$(BUILD)/lib/libghostcommon.a: $(COMMON_OBJS)
	@mkdir -p $(@D)
	$(AR) rcs $@ $^

DAEMON_TARGETS += $(BUILD)/lib/libghostcommon.a

# Unit tests of the CPU lists and the JSON-lines layer.
$(BUILD)/unit/check_cpulist $(BUILD)/unit/check_ipc: $(BUILD)/unit/%: tests/unit/%.c \
		$(BUILD)/lib/libghostcommon.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(COMMON_CFLAGS) -o $@ $^ $(CHECK_FLAGS) $(JANSSON_FLAGS)

UNIT_TESTS += $(BUILD)/unit/check_cpulist $(BUILD)/unit/check_ipc
