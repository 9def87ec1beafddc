#!/bin/sh
# Proves: what ghostctl prints against the real daemon and module is right.
# - status: the table's header and the enclave's row (name, state, CPUs,
#   plugin, model, task count, agent pid, restarts), its agents, the
#   kernel's counters, and the last swap after one;
# - stats --json: the same facts, with the kernel's task count equal to
#   the threads /proc shows in SCHED_GHOST;
# - stats --openmetrics: well formed (every sample a name, labels and a
#   number; each family declared; "# EOF" last) with the expected samples;
# - add and remove of a thread, and of a whole process, with the counts
#   they print and the policy /proc then shows; run --enclave NAME -- CMD
#   runs CMD as a ghost task;
# - errors: one line on stderr and exit status 1 (2 for bad usage).
# vm-args: --timeout 200
. /ghost/daemon/lib/daemon.sh

# expect STATUS OUTPUT-PATTERN CMD...: CMD exits STATUS, output matches.
expect() {
	local want=$1 pattern=$2 got
	shift 2
	"$@" >/tmp/out 2>&1
	got=$?
	say "\$ $* -> $got: $(head -n 3 /tmp/out)"
	[ "$got" = "$want" ] || fail "$*: exit status $got, expected $want"
	grep -qE "$pattern" /tmp/out || { cat /tmp/out; fail "$*: output does not match /$pattern/"; }
}

# Threads in SCHED_GHOST, as /proc shows them, but for the agents (whose
# class is ghost's agent class).
ghost_threads() {
	local n=0 t
	for t in /proc/[0-9]*/task/[0-9]*; do
		case $t in "/proc/$agent/"*) continue ;; esac
		[ "$(policy_of "${t##*/}")" = 18 ] && n=$((n + 1))
	done
	echo "$n"
}

conf_settings '{}'
conf_enclave out 1-3 fifo_per_cpu
ghostd_start
agent=$(agent_pid out)

expect 0 '^ENCLAVE +STATE +CPUS +PLUGIN +MODEL +TASKS +AGENT +RESTARTS$' ghostctl status
grep -qE "^out +running +1-3 +fifo_per_cpu +per_cpu +0 +$agent +0$" /tmp/out || fail "status row"
grep -qE '^  agents +cpu 1 [a-z]+, cpu 2 [a-z]+, cpu 3 [a-z]+$' /tmp/out || fail "status agents"
grep -qE '^  kernel +tasks 0, agents 3,' /tmp/out || fail "status kernel counters"

# One thread in, and out.
everywhere sleep 600 &
sleeper=$!
wait_for 10 "sleep starts" comm_is "$sleeper" sleep
expect 0 "^thread $sleeper is in enclave out: 1 threads added, 0 already there, 0 failed$" \
	ghostctl add --enclave out "$sleeper"
[ "$(policy_of "$sleeper")" = 18 ] || fail "the added thread is not in SCHED_GHOST"
expect 0 "^thread $sleeper is in enclave out: 0 threads added, 1 already there, 0 failed$" \
	ghostctl add "$sleeper"
expect 0 "^thread $sleeper left enclave out: 1 threads back in CFS$" ghostctl remove "$sleeper"
[ "$(policy_of "$sleeper")" = 0 ] || fail "the removed thread is not in SCHED_OTHER"
kill "$sleeper"

# A process of 8 threads (7 workers and the main one), in and out.
load_start out-load 7 --sleep-us 20000
wait_for 10 "out-load starts" comm_is "$LOAD_PID" out-load
eight_threads() { [ "$(ls "/proc/$LOAD_PID/task" | wc -l)" = 8 ]; }
wait_for 10 "out-load has 8 threads" eight_threads
expect 0 "^process $LOAD_PID is in enclave out: 8 threads added, 0 already there, 0 failed$" \
	ghostctl add --process "$LOAD_PID"
all_threads_in "$LOAD_PID" 18 || fail "not every thread of the process is in SCHED_GHOST"
load_wait_ready out-load

expect 0 '"name": "out"' ghostctl stats --json
jq -e '.enclaves | length == 1' /tmp/out >/dev/null || fail "stats: one enclave"
jq -e '.enclaves[0] | .state == "running" and .cpus == "1-3" and .plugin == "fifo_per_cpu"
	and .model == "per_cpu" and (.agents | length) == 3 and .restarts == 0' /tmp/out \
	>/dev/null || fail "stats: the enclave's facts"
jq -e '.enclaves[0].counters.msg_task_new >= 8 and .enclaves[0].kernel.messages.task_new >= 8' \
	/tmp/out >/dev/null || fail "stats: TASK_NEW counters"
[ "$(jq '.enclaves[0].kernel.tasks' /tmp/out)" = "$(ghost_threads)" ] ||
	fail "stats: kernel tasks $(jq '.enclaves[0].kernel.tasks' /tmp/out), /proc shows $(ghost_threads) ghost threads"
[ "$(jq '.enclaves[0].tasks | .runnable + .on_cpu + .blocked' /tmp/out)" = 8 ] ||
	fail "stats: the policy's task counts do not add up to 8"

expect 0 '^# EOF$' ghostctl stats --openmetrics
tail -n 1 /tmp/out | grep -qx '# EOF' || fail "openmetrics: # EOF is not last"
bad=$(grep -v '^#' /tmp/out | grep -cvE '^[a-z_]+(\{[a-z_]+="[^"]*"(,[a-z_]+="[^"]*")*\})? -?[0-9.]+(e[-+]?[0-9]+)?$')
[ "$bad" = 0 ] || fail "openmetrics: $bad malformed samples"
for family in $(grep -v '^#' /tmp/out | sed 's/[{ ].*//; s/_total$//; s/_info$//' | sort -u); do
	grep -q "^# TYPE $family " /tmp/out || fail "openmetrics: $family has no # TYPE"
done
grep -qx 'ghost_enclave_info{enclave="out",state="running",cpus="1-3",plugin="fifo_per_cpu",model="per_cpu"} 1' \
	/tmp/out || fail "openmetrics: ghost_enclave_info"
grep -qE '^ghost_kernel_tasks\{enclave="out",id="[0-9]+"\} 8$' /tmp/out || fail "openmetrics: ghost_kernel_tasks"
grep -qE '^ghost_enclave_tasks\{enclave="out",state="(runnable|on_cpu|blocked)"\} [0-9]+$' /tmp/out ||
	fail "openmetrics: ghost_enclave_tasks"

expect 0 '^process [0-9]+ left enclave out: 8 threads back in CFS$' ghostctl remove --process "$LOAD_PID"
all_threads_in "$LOAD_PID" 0 || fail "not every thread of the process is back in CFS"
load_finish out-load "$LOAD_PID"

expect 0 '^enclave out runs fifo_centralized \(blackout [0-9.]+ (ns|us|ms)\)$' \
	ghostctl swap out fifo_centralized --params '{"time_slice_us": 1000}'
expect 0 '^  last swap  fifo_per_cpu -> fifo_centralized, blackout ' ghostctl status
grep -qE "^out +running +1-3 +fifo_centralized +centralized " /tmp/out || fail "status row after the swap"

# run: the command is a ghost task from its first instruction.
expect 0 '^18$' taskset "$ALL_CPUS" ghostctl run --enclave out -- awk '{ print $41 }' /proc/self/stat
expect 0 '^18$' taskset "$ALL_CPUS" ghostctl run -- awk '{ print $41 }' /proc/self/stat

# Errors.
sleep 600 &
pinned=$!
wait_for 10 "sleep starts" comm_is "$pinned" sleep
expect 1 "^ghostctl: cannot add $pinned to enclave out: its CPU affinity allows no CPU of the enclave" \
	ghostctl add --enclave out "$pinned"
kill "$pinned"
expect 1 '^ghostctl: no enclave nosuch$' ghostctl add --enclave nosuch "$$"
expect 1 '^ghostctl: .*no plugin "nosuch"' ghostctl swap out nosuch
expect 1 '^ghostctl: [0-9]+ is in no enclave$' ghostctl remove "$$"
expect 1 '^ghostctl: no process or thread 999999$' ghostctl remove 999999
expect 2 '^ghostctl: unknown command "frob"$' ghostctl frob
expect 1 '^ghostctl: cannot connect to /tmp/none.sock' ghostctl --socket /tmp/none.sock status
[ "$(agent_pid out)" = "$agent" ] || fail "the agent process changed"
ghostd_stop
say "PASS"
