#!/bin/sh
# Proves, without systemd (so with the liveness grace period, the fallback
# for a supervisor that cannot keep its liveness pipe):
# - kill -9 of ghostd: its agent process schedules on alone (no load thread
#   gets CFS time, checked per thread on every iteration), and a new ghostd
#   adopts what lives: the same enclave and the same agent process;
# - kill -9 of that ghostd, and nothing restarts it: the agent notices
#   (it watches the supervisor that came back), waits out the grace period,
#   destroys its enclave, and every thread returns to CFS and finishes;
# - an enclave nobody adopts (left by a dead ghostd and a stopped agent)
#   is destroyed when ghostd starts, freeing its CPUs for the enclave the
#   new configuration names.
# vm-args: --timeout 360
. /ghost/daemon/lib/daemon.sh

agent_alive() { kill -0 "$1" 2>/dev/null; }
agent_gone() { ! agent_alive "$1"; }

# A grace long enough for a new ghostd to come back on a loaded host (a
# debug kernel under host load took more than 6 s): the first agent must
# wait for it, the second must not.
conf_settings '{"liveness_grace_ms": 20000}'
conf_enclave work 1-3 fifo_centralized '{}' '[{"comm": "ghost-load"}]'
ghostd_start
id=$(enclave_field work .kernel.id)
agent=$(agent_pid work)
load_start ghost-load 40
load_wait_ready ghost-load

say "kill -9 of ghostd $GHOSTD_PID"
kill -9 "$GHOSTD_PID"
wait "$GHOSTD_PID" 2>/dev/null
GHOSTD_PID=
sleep 2
agent_alive "$agent" || fail "the agent process died with ghostd"
ghostd_start
[ "$(agent_pid work)" = "$agent" ] || fail "the new ghostd runs agent $(agent_pid work), not $agent"
[ "$(enclave_field work .kernel.id)" = "$id" ] || fail "the enclave was made again"
grep -q "reconnected to live agent process $agent" "$LOG" || fail "ghostd did not say it reconnected"
sleep 1
cfs=$(load_checkpoint ghost-load "$LOAD_PID")
[ "$cfs" = 0 ] || fail "$cfs load threads had CFS time while ghostd was away"

say "kill -9 of ghostd $GHOSTD_PID, and nothing restarts it"
kill -9 "$GHOSTD_PID"
wait "$GHOSTD_PID" 2>/dev/null
GHOSTD_PID=
start=$(date +%s)
wait_for 60 "the agent process exits" agent_gone "$agent"
say "the agent exited after $(($(date +%s) - start)) s"
wait_for 10 "every load thread in CFS" all_threads_in "$LOAD_PID" 0
grep -q "^thread" /tmp/ghost-load.out && fail "the load stopped early"
load_finish ghost-load "$LOAD_PID"
[ "$(load_summary ghost-load finished)" = 40 ] || fail "not every load thread finished"
# Until ghostd's second death, no thread had CFS time; after it, all do.
[ "$(load_summary ghost-load cfs_threads)" = 40 ] || fail "the threads did not go back to CFS"

say "== an enclave nobody adopts"
conf_settings '{"liveness_grace_ms": 60000}'
conf_enclave stale 3 fifo_per_cpu
ghostd_start
agent=$(agent_pid stale)
kill -9 "$GHOSTD_PID"
wait "$GHOSTD_PID" 2>/dev/null
GHOSTD_PID=
kill -TERM "$agent"
wait_for 10 "the stale agent stops" agent_gone "$agent"
conf_settings '{}'
conf_enclave fresh 1-3 fifo_per_cpu
ghostd_start
grep -q "enclave stale (id [0-9]*, CPUs 3): not configured; destroying it" "$LOG" ||
	fail "ghostd did not destroy the stale enclave"
[ -z "$(stats | jq -r '.enclaves[] | select(.name == "stale") | .name')" ] ||
	fail "the stale enclave is still listed"
enclave_running fresh || fail "the fresh enclave does not run"
ghostd_stop
say "PASS"
