#!/bin/sh
# Proves: ghostd onboards unmodified programs that fork by their name, and
# they run to completion spread over the enclave, under both shipped
# plugins. For fifo_per_cpu and then fifo_centralized, an enclave on CPUs
# 1-3 with the rules {"comm": "hackbench"} and {"comm_prefix": "stress-ng"}
# takes Debian's hackbench (160 processes that fork from the first) and
# stress-ng (a CPU worker and a context-switch stressor: processes it
# forks, which rename themselves stress-ng-*). Onboarding follows process
# events, so a process born and gone before ghostd hears of it is never
# onboarded: the programs run here fork nothing that short-lived. Per thread, sampled from
# /proc/PID/task/TID/stat every 20 ms (ghost-threads): every thread seen is
# seen in SCHED_GHOST, none leaves it while alive, a ghost thread is only
# ever on an enclave CPU, and ghost threads ran on every CPU the policy
# runs tasks on (all three for per_cpu; the two besides the global agent's
# for centralized). Both programs exit 0. The kernel counted a TASK_NEW
# for each of hackbench's 161 processes (the sampler, slow on a loaded
# host, need not see them all) and for at least every thread seen.
# Control: the same hackbench under a name no rule matches is sampled the
# same way and seen in CFS only.
# vm-args: --add /usr/bin/hackbench --add /usr/bin/stress-ng --timeout 280
. /ghost/daemon/lib/daemon.sh

# check_threads FILE MIN_THREADS MIN_CPUS: ghost-threads' verdict.
check_threads() {
	local file=$1 min=$2 min_cpus=$3 threads ghost dropped outside cpus
	cat "$file"
	threads=$(awk '$1 == "threads" { print $2 }' "$file")
	ghost=$(awk '$1 == "threads" { print $4 }' "$file")
	dropped=$(awk '$1 == "threads" { print $8 }' "$file")
	outside=$(awk '$1 == "outside" { print $2 }' "$file")
	cpus=$(awk '$1 == "outside" { print $4 }' "$file")
	[ "$threads" -ge "$min" ] || fail "$file: $threads threads seen, expected $min or more"
	[ "$ghost" = "$threads" ] || fail "$file: $((threads - ghost)) threads never seen in SCHED_GHOST"
	[ "$dropped" = 0 ] || fail "$file: $dropped threads left SCHED_GHOST while alive"
	[ "$outside" = 0 ] || fail "$file: ghost threads seen $outside times outside CPUs 1-3"
	[ "$(echo "$cpus" | tr ',' '\n' | grep -c .)" -ge "$min_cpus" ] ||
		fail "$file: ghost threads ran on CPUs $cpus only, expected $min_cpus CPUs"
	THREADS_SEEN=$threads
}

task_news() { enclave_field batch '.kernel.messages.task_new // 0'; }

for plugin in fifo_per_cpu fifo_centralized; do
	say "== $plugin"
	conf_settings '{}'
	conf_enclave batch 1-3 "$plugin" '{}' \
		'[{"comm": "hackbench"}, {"comm_prefix": "stress-ng"}]'
	ghostd_start
	min_cpus=3
	[ "$plugin" = fifo_per_cpu ] || min_cpus=2
	news_before=$(task_news)

	# 4 groups of 20 senders and 20 receivers, each a process.
	everywhere hackbench -g 4 -l 50 >/tmp/hackbench.out 2>&1 &
	hb=$!
	ghost-threads --comm hackbench --cpus 1-3 --until "$hb" >/tmp/hb.threads
	wait "$hb" || { cat /tmp/hackbench.out; fail "hackbench under $plugin failed"; }
	cat /tmp/hackbench.out
	check_threads /tmp/hb.threads 30 "$min_cpus"
	seen=$THREADS_SEEN
	hb_news=$(($(task_news) - news_before))
	[ "$hb_news" -ge 161 ] ||
		fail "$hb_news of hackbench's 161 processes entered the enclave (kernel TASK_NEW)"

	# FIFO runs a task until it blocks: fewer CPU hogs than CPUs, or the
	# others starve until the enclave's watchdog ends it.
	everywhere stress-ng --cpu 1 --switch 1 --timeout 4s --metrics-brief >/tmp/stress.out 2>&1 &
	sn=$!
	ghost-threads --comm stress-ng --prefix --cpus 1-3 --until "$sn" >/tmp/sn.threads
	wait "$sn" || { cat /tmp/stress.out; fail "stress-ng under $plugin failed"; }
	tail -n 5 /tmp/stress.out
	check_threads /tmp/sn.threads 4 "$min_cpus"
	seen=$((seen + THREADS_SEEN))

	news=$(($(task_news) - news_before))
	say "$plugin: kernel TASK_NEW messages $news for $seen threads seen"
	[ "$news" -ge "$seen" ] || fail "fewer TASK_NEW messages ($news) than threads seen ($seen)"
	[ "$(enclave_field batch .kernel.watchdog_firings)" = 0 ] || fail "the watchdog fired"
	ghostd_stop
done

say "== control: hackbench under a name no rule matches"
conf_settings '{}'
conf_enclave batch 1-3 fifo_per_cpu '{}' '[{"comm": "hackbench"}]'
ghostd_start
ln -s "$(command -v hackbench)" /tmp/hb-control
everywhere /tmp/hb-control -g 1 -l 500 >/dev/null 2>&1 &
hb=$!
ghost-threads --comm hb-control --cpus 1-3 --until "$hb" >/tmp/control.threads
wait "$hb" || fail "the control hackbench failed"
cat /tmp/control.threads
[ "$(awk '$1 == "threads" { print $4 }' /tmp/control.threads)" = 0 ] ||
	fail "the control's threads were seen in SCHED_GHOST"
# Its 41 processes, which live long enough (-l 500) for a 20 ms sampler
# to see most of them.
[ "$(awk '$1 == "threads" { print $2 }' /tmp/control.threads)" -ge 30 ] ||
	fail "the control's threads were not seen"
ghostd_stop
say "PASS"
