#!/bin/sh
# Proves: 100 swaps between fifo_per_cpu and fifo_centralized (`ghostctl
# swap`; centralized with a 2 ms time slice, so that the global agent
# replaces tasks at once on CPUs whose per-CPU agents were just retired,
# some with a local commit still on its way into the kernel), under a
# load of 200 threads that spin and sleep, lose no task and give no
# thread any CFS time. Per thread: each load thread checks its
# own policy before and after every iteration and counts the CPU time of
# any iteration that was not all SCHED_GHOST (ghost-load); /proc is sampled
# every 20 ms for threads that leave SCHED_GHOST and the run time
# (schedstat) they gain outside it (ghost-threads); every thread finishes,
# having made progress. Kernel: the enclave is the same one throughout (no
# ENCLAVE_DESTROYED), no watchdog firing, no task evicted, and it holds
# every thread but the control's. Control: halfway through, one load
# thread is returned to CFS (`ghostctl remove`): both checks name that
# thread, and only it. A last swap to fifo_centralized retires per-CPU
# agents that were summoned to their CPUs by an earlier swap: every
# thread of ghost-agent but the global agent waits off the enclave's CPUs
# (without leave_home(), the retired agents stay on their old CPUs).
# vm-args: --timeout 480
. /ghost/daemon/lib/daemon.sh

conf_settings '{}'
conf_enclave swap 1-3 fifo_per_cpu '{}' '[{"comm": "ghost-load"}]'
ghostd_start
id=$(enclave_field swap .kernel.id)

load_start ghost-load 200 --spin-us 200 --sleep-us 2000
load_wait_ready ghost-load
ghost-threads --comm ghost-load --cpus 1-3 --until "$LOAD_PID" >/tmp/threads.out 2>&1 &
watcher=$!
tasks=$(enclave_field swap .kernel.tasks)
say "load $LOAD_PID ready: the enclave holds $tasks tasks"
[ "$tasks" -ge 201 ] || fail "the enclave holds $tasks tasks, expected the load's 201"
control=$(ls "/proc/$LOAD_PID/task" | sort -n | tail -n 1)

i=1
while [ "$i" -le 100 ]; do
	plugin=fifo_centralized params='{"time_slice_us": 2000}'
	[ $((i % 2)) = 0 ] && plugin=fifo_per_cpu params='{}'
	out=$(ghostctl swap swap "$plugin" --params "$params" 2>&1) || fail "swap $i to $plugin: $out"
	echo "$out" >>/tmp/swaps.out
	if [ "$i" = 50 ]; then
		ghostctl remove "$control" || fail "cannot remove the control thread $control"
		say "control: thread $control returned to CFS"
	fi
	i=$((i + 1))
done
say "100 swaps done; last: $(tail -n 1 /tmp/swaps.out)"

# threads_on_enclave_cpus PID: threads of PID that may not run on CPU 0.
threads_on_enclave_cpus() {
	awk '$1 == "Cpus_allowed_list:" && $2 !~ /^0([,-]|$)/ { n++ } END { print n + 0 }' \
		"/proc/$1/task/"*/status 2>/dev/null
}
one_thread_on_enclave_cpus() { [ "$(threads_on_enclave_cpus "$1")" = 1 ]; }
out=$(ghostctl swap swap fifo_centralized 2>&1) || fail "last swap to fifo_centralized: $out"
agent=$(agent_pid swap)
wait_for 10 "the retired agents of ghost-agent $agent leave the enclave's CPUs" \
	one_thread_on_enclave_cpus "$agent"
say "blackouts: $(sed -n 's/.*(blackout \(.*\))/\1/p' /tmp/swaps.out | sort -n | uniq -c | sort -rn | head -n 5 | xargs)"
ghostctl status
now=$(enclave_field swap .kernel.tasks)
[ "$now" = $((tasks - 1)) ] || fail "the enclave holds $now tasks, expected $((tasks - 1))"

# Let the load run a little under the last policy, then stop it.
sleep 1
load_finish ghost-load "$LOAD_PID"
wait "$watcher"
cat /tmp/threads.out

[ "$LOAD_STATUS" = 0 ] || fail "ghost-load exited with $LOAD_STATUS"
[ "$(load_summary ghost-load finished)" = 200 ] || fail "not every load thread finished"
stalled=$(awk '$1 == "thread" && $4 == 0' /tmp/ghost-load.out | wc -l)
[ "$stalled" = 0 ] || fail "$stalled threads made no progress"
[ "$(load_cfs_tids ghost-load)" = "$control" ] ||
	fail "threads with CFS time: '$(load_cfs_tids ghost-load)', expected the control $control alone"
dropped=$(awk '$1 == "threads" { print $8 }' /tmp/threads.out)
[ "$dropped" = 1 ] && grep -q "thread $control left SCHED_GHOST" /tmp/threads.out ||
	fail "sampling found $dropped threads leaving SCHED_GHOST, expected the control $control alone"
[ "$(enclave_field swap .kernel.id)" = "$id" ] || fail "the enclave was destroyed and made again"
[ "$(enclave_field swap .kernel.watchdog_firings)" = 0 ] || fail "the watchdog fired"
[ "$(enclave_field swap .kernel.tasks_evicted)" = 0 ] || fail "the kernel evicted tasks"
[ "$(enclave_field swap .counters.policy_errors)" = 0 ] || fail "policy errors counted"
ghostd_stop
say "PASS"
