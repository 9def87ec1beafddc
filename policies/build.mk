# policies: the scheduling policies shipped with ghost, each a plugin
# built against the SDK header alone into build/policies/NAME.so. They
# leave the SDK's functions undefined: the program loading them (ghost-agent,
# ghost-sim, the unit tests) exports them (daemon/runtime/sdk.list).
POLICY_PLUGINS := $(patsubst policies/%.c,$(BUILD)/policies/%.so,$(wildcard policies/*.c))
PLUGIN_CFLAGS = $(CFLAGS) -Idaemon/include -fPIC -fvisibility=hidden
PLUGIN_LDFLAGS = -shared

$(BUILD)/policies/%.so: policies/%.c daemon/include/ghost/policy.h
	@mkdir -p $(@D)
	$(CC) $(PLUGIN_CFLAGS) $(PLUGIN_LDFLAGS) -o $@ $<

DAEMON_TARGETS += $(POLICY_PLUGINS)
