#!/bin/sh
# Proves: a reload that cannot be applied leaves the running policy as it
# was and tells ghostctl why, in one line naming the file, line, column
# and key (a wrong parameter, a JSON syntax error), or the plugin's own
# reason (a plugin whose init fails). After each, `ghostctl status` still
# shows the old plugin with the same agent process, and a good edit then
# reloads into the new policy. Throughout, none of 30 load threads gets
# CFS time (checked per thread on every iteration; see ghost-load).
# vm-args: --add build/test/daemon-policies --timeout 200
. /ghost/daemon/lib/daemon.sh

mkdir -p /tmp/plugins
ln -sf /usr/lib/ghost/policies/*.so /ghost/daemon-policies/*.so /tmp/plugins/
conf_settings '{"plugin_dir": "/tmp/plugins"}'
conf_enclave work 1-3 fifo_per_cpu '{}' '[{"comm": "ghost-load"}]'
file=$CONF/enclaves.d/work.json
ghostd_start
agent=$(agent_pid work)
load_start ghost-load 30
load_wait_ready ghost-load

# bad_reload WHAT EXPECTED: reload must fail saying EXPECTED, change nothing.
bad_reload() {
	if ghostctl reload >/tmp/reload.out 2>&1; then
		cat /tmp/reload.out
		fail "$1: the reload succeeded"
	fi
	say "$1: $(cat /tmp/reload.out)"
	[ "$(wc -l </tmp/reload.out)" = 1 ] || fail "$1: not one line"
	grep -qF "$2" /tmp/reload.out || fail "$1: expected \"$2\""
	[ "$(enclave_field work .plugin)" = fifo_per_cpu ] || fail "$1: the policy changed"
	[ "$(enclave_field work .state)" = running ] || fail "$1: the enclave is $(enclave_field work .state)"
	[ "$(agent_pid work)" = "$agent" ] || fail "$1: the agent process changed"
}

conf_enclave work 1-3 fifo_per_cpu '{"stel": true}' '[{"comm": "ghost-load"}]'
bad_reload "unknown parameter" \
	"$file:5:59: \"policy.params.stel\": policy \"fifo_per_cpu\" has no parameter \"stel\""

conf_enclave work 1-3 fifo_centralized '{"time_slice_us": -4}' '[{"comm": "ghost-load"}]'
bad_reload "parameter out of range" "$file:5:72: \"policy.params.time_slice_us\""

printf '{\n  "name": "work",\n  "cpus": "1-3"\n  "policy": {}\n}\n' >"$file"
bad_reload "JSON syntax error" "$file:4:"

conf_enclave work 1-3 init_fails '{}' '[{"comm": "ghost-load"}]'
bad_reload "a plugin whose init fails" "needs 64 CPUs, the enclave has 3"
grep -q "fifo_per_cpu runs on" "$LOG" || fail "the log does not say the old policy runs on"

cfs=$(load_checkpoint ghost-load "$LOAD_PID")
[ "$cfs" = 0 ] || fail "$cfs load threads had CFS time"

conf_enclave work 1-3 fifo_centralized '{"time_slice_us": 5000}' '[{"comm": "ghost-load"}]'
ghostctl reload || fail "a good reload failed"
[ "$(enclave_field work .plugin)" = fifo_centralized ] || fail "the good reload did not swap"
[ "$(enclave_field work .params.time_slice_us)" = 5000 ] || fail "the new parameters are not in force"
ghostctl status
sleep 1
load_finish ghost-load "$LOAD_PID"
[ "$(load_summary ghost-load finished)" = 30 ] || fail "not every load thread finished"
[ "$(load_summary ghost-load cfs_threads)" = 0 ] || fail "threads got CFS time: $(load_cfs_tids ghost-load)"
ghostd_stop
say "PASS"
