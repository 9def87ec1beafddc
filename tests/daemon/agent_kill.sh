#!/bin/sh
# Proves: kill -9 of an enclave's agent process, once under fifo_per_cpu
# and once under fifo_centralized, costs no task its place: ghostd starts
# a new agent process, which adopts the live enclave (the same enclave id,
# `ghostctl status` counting the restarts), and not one of 50 load threads
# spends any CFS time (checked by each thread on every iteration; see
# ghost-load) or is lost (all finish, each having made progress). And: a
# plugin that crashes its agent every time (crash_on_task) is restarted
# until the crash limit (3 in 60 s), then its enclave is destroyed, every
# task is back in CFS and finishes there, and `ghostctl status` says why.
# vm-args: --add build/test/daemon-policies --timeout 240
. /ghost/daemon/lib/daemon.sh

new_agent() { p=$(agent_pid work); [ -n "$p" ] && [ "$p" != null ] && [ "$p" != "$1" ] && enclave_running work; }

conf_settings '{"crash_limit": 3, "crash_window_s": 60}'
conf_enclave work 1-3 fifo_per_cpu '{}' '[{"comm": "ghost-load"}]'
ghostd_start
id=$(enclave_field work .kernel.id)
load_start ghost-load 50
load_wait_ready ghost-load

for plugin in fifo_per_cpu fifo_centralized; do
	[ "$plugin" = fifo_per_cpu ] || ghostctl swap work "$plugin" || fail "swap to $plugin"
	old=$(agent_pid work)
	say "kill -9 of agent process $old running $plugin"
	kill -9 "$old"
	wait_for 30 "a new agent process runs" new_agent "$old"
	say "agent process $(agent_pid work) took over"
	[ "$(enclave_field work .plugin)" = "$plugin" ] || fail "the new agent runs $(enclave_field work .plugin)"
	sleep 1
done
[ "$(enclave_field work .restarts)" = 2 ] || fail "restarts: $(enclave_field work .restarts), expected 2"
[ "$(enclave_field work .kernel.id)" = "$id" ] || fail "the enclave was made again"
[ "$(enclave_field work .kernel.watchdog_firings)" = 0 ] || fail "the watchdog fired"
ghostctl status
load_finish ghost-load "$LOAD_PID"
[ "$LOAD_STATUS" = 0 ] || fail "ghost-load exited with $LOAD_STATUS"
[ "$(load_summary ghost-load finished)" = 50 ] || fail "not every load thread finished"
[ "$(load_summary ghost-load cfs_threads)" = 0 ] || fail "threads got CFS time: $(load_cfs_tids ghost-load)"
stalled=$(awk '$1 == "thread" && $4 == 0' /tmp/ghost-load.out | wc -l)
[ "$stalled" = 0 ] || fail "$stalled threads made no progress"
ghostd_stop

say "== a plugin that crashes at every start"
conf_settings '{"crash_limit": 3, "crash_window_s": 60, "plugin_dir": "/tmp/plugins"}'
mkdir -p /tmp/plugins
ln -sf /usr/lib/ghost/policies/*.so /ghost/daemon-policies/*.so /tmp/plugins/
conf_enclave work 1-3 crash_on_task '{}' '[{"comm": "crash-load"}]'
ghostd_start
load_start crash-load 20
crashed() { [ "$(enclave_field work .state)" = failed ]; }
wait_for 60 "the enclave fails" crashed
reason=$(enclave_field work .reason)
say "reason: $reason"
echo "$reason" | grep -q "ended 3 times within 60 s" || fail "reason: $reason"
echo "$reason" | grep -q "signal 11" || fail "the reason does not name the crash: $reason"
ghostctl status | tee /tmp/status.out
grep -q "failed.*ended 3 times" /tmp/status.out || fail "ghostctl status does not say why"
[ "$(enclave_field work .kernel)" = null ] || fail "the enclave still lives in the kernel"
wait_for 10 "every load thread in CFS" all_threads_in "$LOAD_PID" 0
load_finish crash-load "$LOAD_PID"
[ "$(load_summary crash-load finished)" = 20 ] || fail "not every thread of the load finished"
ghostd_stop
say "PASS"
