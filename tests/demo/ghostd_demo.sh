#!/bin/sh
# make demo: ghostd as a user meets it, in the VM (ghostd installed by
# `make install`, CPU 0 kept for the kernel and ghostd, CPUs 1-3 for ghost):
#  1. ghostd starts with no configuration: its built-in enclave "default"
#     (every CPU but CPU 0, fifo_centralized, onboarding nothing);
#  2. Debian's hackbench, unmodified, runs under CFS, for comparison;
#  3. the user writes an enclave file that takes hackbench by name and
#     reloads; hackbench runs again, onboarded as it starts, and its
#     policy is swapped live halfway (ghostctl swap);
#  4. what ghostctl status says, and both runs side by side: where the
#     threads ran (sampled from /proc), in which policy, and how long.
set -e
all=$(printf '%x' $(((1 << $(grep -c ^processor /proc/cpuinfo)) - 1)))
step() { printf '\n== %s\n' "$*"; }
fail() { echo "demo: $*"; tail -n 20 /tmp/ghostd.log; exit 1; }

# hackbench_run LABEL [CMD...]: run hackbench (as a user would, on any
# CPU), and CMD a second into it; sample its threads; keep the time and the
# samples in /tmp/LABEL.*.
hackbench_run() {
	label=$1
	shift
	taskset "$all" hackbench -g 4 -l 400 >"/tmp/$label.out" 2>&1 &
	pid=$!
	ghost-threads --comm hackbench --cpus 1-3 --interval-ms 50 --until "$pid" \
		>"/tmp/$label.threads" &
	watcher=$!
	[ $# = 0 ] || { sleep 1; "$@"; }
	wait "$pid" || fail "hackbench failed"
	wait "$watcher"
	sed -n 's/^Time: //p' "/tmp/$label.out" >"/tmp/$label.time"
}

enclave_runs() { ghostctl status 2>/dev/null | grep -qE "^$1 +running"; }
wait_until() {
	tries=300
	until "$@"; do
		tries=$((tries - 1))
		[ "$tries" -gt 0 ] || fail "timed out: $*"
		sleep 0.1
	done
}

step "1. ghostd starts with no configuration of enclaves (ls /etc/ghost/enclaves.d: $(ls /etc/ghost/enclaves.d | wc -l) files)"
ghostd --foreground >/tmp/ghostd.log 2>&1 &
ghostd=$!
wait_until enclave_runs default
ghostctl status

step "2. hackbench -g 4 -l 400 (160 processes) under CFS"
hackbench_run cfs
echo "done in $(cat /tmp/cfs.time) s"

step "3. an enclave file that takes hackbench by name, then ghostctl reload"
cat >/etc/ghost/enclaves.d/batch.json <<-EOF
{
  "name": "batch",
  "cpus": "1-3",
  "policy": {"plugin": "fifo_per_cpu"},
  "onboard": [{"comm": "hackbench"}]
}
EOF
cat /etc/ghost/enclaves.d/batch.json
ghostctl reload
wait_until enclave_runs batch
echo "hackbench again; after a second: ghostctl swap batch fifo_centralized"
hackbench_run ghost ghostctl swap batch fifo_centralized
echo "done in $(cat /tmp/ghost.time) s"

step "4. ghostctl status"
ghostctl status

step "CFS and ghost side by side"
show() {
	awk -v label="$1" -v time="$(cat "/tmp/$2.time")" '
		$1 == "threads" { threads = $2; ghost = $4; dropped = $8 }
		$1 == "samples" { $1 = ""; where = $0 }
		END {
			printf "%-30s %6s s  %3d threads, %3d seen in SCHED_GHOST, %d left it\n",
				label, time, threads, ghost, dropped
			printf "%-30s samples by CPU:%s\n", "", where
		}' "/tmp/$2.threads"
}
show "CFS" cfs
show "ghost (per_cpu, centralized)" ghost
grep -h -e "onboarded" -e "replaced by" /tmp/ghostd.log | head -n 4

kill "$ghostd"
wait "$ghostd" || true
# With no supervisor left, the agents end their enclaves.
wait_until sh -c '! pidof ghost-agent >/dev/null'
echo
echo "ghostd stopped; its enclave is gone and every task is back in CFS."
