# daemon/ghostctl: the command line, build/bin/ghostctl, and the unit test
# of its output. Included by the top-level Makefile after daemon/common.

GHOSTCTL_SRCS := $(wildcard daemon/ghostctl/*.c)
GHOSTCTL_HDRS := $(wildcard daemon/ghostctl/*.h)
GHOSTCTL_OBJS := $(patsubst daemon/ghostctl/%.c,$(BUILD)/obj/ghostctl/%.o,$(GHOSTCTL_SRCS))
GHOSTCTL_PKGS := jansson libnl-genl-3.0
GHOSTCTL_CFLAGS = $(shell pkg-config --cflags $(GHOSTCTL_PKGS))
GHOSTCTL_LIBS = $(shell pkg-config --libs $(GHOSTCTL_PKGS))

$(BUILD)/obj/ghostctl/%.o: daemon/ghostctl/%.c $(GHOSTCTL_HDRS) $(COMMON_HDRS) $(HEADERS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(GHOSTCTL_CFLAGS) -c -o $@ $<

$(BUILD)/bin/ghostctl: $(GHOSTCTL_OBJS) $(BUILD)/lib/libghostcommon.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $^ $(GHOSTCTL_LIBS)

DAEMON_TARGETS += $(BUILD)/bin/ghostctl

# Unit test of what ghostctl prints, from canned replies.
$(BUILD)/unit/check_ghostctl_output: tests/unit/check_ghostctl_output.c \
		$(BUILD)/obj/ghostctl/output.o $(BUILD)/lib/libghostcommon.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(GHOSTCTL_CFLAGS) -o $@ $^ $(CHECK_FLAGS) $(GHOSTCTL_LIBS)

UNIT_TESTS += $(BUILD)/unit/check_ghostctl_output
