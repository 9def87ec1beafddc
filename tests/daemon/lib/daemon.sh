# Shared by the daemon tests (tests/daemon/*.sh), which run in the VM as
# busybox sh scripts with ghostd installed (`tests/vm/run --install`),
# this directory at /ghost/daemon and jq added. Source it first.
#
# The tests configure ghostd in $CONF (ghostd.json and enclaves.d/), start
# it in the foreground with its log in $LOG, drive it with ghostctl, and
# read what happened per thread from /proc, from the load's own report
# (ghost-load) and from the kernel's counters (ghostctl stats --json).

CONF=/tmp/ghost-conf
LOG=/tmp/ghostd.log
GHOSTD_PID=

# Each line carries the guest's uptime, so a slow step shows in the log.
say() { echo "daemon-test: [$(cut -d" " -f1 /proc/uptime)] $*"; }

# everywhere CMD... &: run CMD in the background, allowed on every CPU (so
# that $! is its pid). The VM's /init confines everything to the
# housekeeping CPU 0, and ghostd with it; the programs a test onboards are
# started as a user's would be, free to run anywhere.
everywhere() { exec taskset "$ALL_CPUS" "$@"; }
ALL_CPUS=$(printf '%x' $(((1 << $(grep -c ^processor /proc/cpuinfo)) - 1)))

# Dump what explains a failure, and fail.
fail() {
	echo "daemon-test: FAIL: $*"
	echo "--- ghostd log (last 60 lines)"
	tail -n 60 "$LOG" 2>/dev/null
	echo "--- ghostctl status"
	ghostctl status 2>&1
	echo "--- the kernel on enclaves"
	dmesg | grep -e ghost -e enclave | tail -n 10
	# Without a supervisor the agents end their enclaves: ghost.ko unloads.
	[ -z "$GHOSTD_PID" ] || kill "$GHOSTD_PID"
	sleep 3
	exit 1
}

# Whole seconds since the guest booted.
uptime_s() { cut -d. -f1 /proc/uptime; }

# wait_for SECONDS WHAT CMD...: run CMD every 0.1 s until it succeeds, for
# SECONDS of the clock: a CMD that is slow itself (the VM busy, as when a
# load spins in CFS) must not stretch the limit.
wait_for() {
	local seconds=$1 what=$2 deadline
	shift 2
	deadline=$(($(uptime_s) + seconds))
	while ! "$@" >/dev/null 2>&1; do
		[ "$(uptime_s)" -lt "$deadline" ] || fail "$what: not within ${seconds}s"
		sleep 0.1
	done
}

# comm_is PID NAME: process PID runs NAME now (it has exec'd it).
comm_is() { [ "$(cat "/proc/$1/comm" 2>/dev/null)" = "$2" ]; }

# conf_settings JSON: ghostd.json (and a fresh configuration directory).
conf_settings() {
	rm -rf "$CONF"
	mkdir -p "$CONF/enclaves.d"
	echo "$1" >"$CONF/ghostd.json"
}

# conf_enclave NAME CPUS PLUGIN [PARAMS] [ONBOARD] [WATCHDOG_MS]
conf_enclave() {
	local params='{}' onboard='[]' watchdog=10000
	[ -z "$4" ] || params=$4
	[ -z "$5" ] || onboard=$5
	[ -z "$6" ] || watchdog=$6
	cat >"$CONF/enclaves.d/$1.json" <<EOF
{
  "name": "$1",
  "cpus": "$2",
  "watchdog_ms": $watchdog,
  "policy": {"plugin": "$3", "params": $params},
  "onboard": $onboard
}
EOF
}

# The JSON of ghostctl stats, or nothing if ghostd does not answer.
stats() { ghostctl stats --json 2>/dev/null; }

# enclave_field NAME JQ-PATH: a field of enclave NAME in ghostctl stats.
enclave_field() {
	stats | jq -r --arg n "$1" ".enclaves[] | select(.name == \$n) | $2"
}

enclave_running() { [ "$(enclave_field "$1" .state)" = running ]; }

# ghostd_start [OPTION...]: start ghostd on $CONF and wait until every
# configured enclave runs.
ghostd_start() {
	ghostd --config "$CONF" --foreground --log-level info "$@" >>"$LOG" 2>&1 &
	GHOSTD_PID=$!
	wait_for 60 "ghostd answers" ghostctl status
	for file in "$CONF"/enclaves.d/*.json; do
		[ -e "$file" ] || continue
		name=$(jq -r .name "$file")
		wait_for 60 "enclave $name runs" enclave_running "$name"
	done
	say "ghostd $GHOSTD_PID runs: $(stats | jq -c '[.enclaves[] | {name, state, plugin}]')"
}

no_agents() { ! pidof ghost-agent; }

# Stop ghostd (SIGTERM) and wait for it to exit and for its agents, which
# then find no supervisor and destroy their enclaves, to exit too.
ghostd_stop() {
	[ -n "$GHOSTD_PID" ] || return 0
	kill "$GHOSTD_PID" 2>/dev/null
	wait "$GHOSTD_PID" 2>/dev/null
	GHOSTD_PID=
	wait_for 30 "every ghost-agent exits" no_agents
}

# The agent process of enclave NAME.
agent_pid() { enclave_field "$1" .pid; }

# policy_of TID: field 41 of its stat (18 is SCHED_GHOST); "" if gone.
policy_of() {
	local stat
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
	echo "${stat##*)}" | awk '{ print $39 }'
}

# Threads of process PID whose policy is not POLICY, read by one awk: a
# process per thread is too slow while a load keeps the VM busy.
threads_not_in() {
	awk -v policy="$2" '{ sub(/.*\) /, ""); if ($39 != policy) n++ } END { print n + 0 }' \
		"/proc/$1/task/"*/stat 2>/dev/null
}

# all_threads_in PID POLICY: every thread of process PID has that policy.
all_threads_in() { [ "$(threads_not_in "$1" "$2")" = 0 ]; }

# load_start NAME THREADS [OPTION...]: start ghost-load (as NAME, the
# process name onboarding rules match) with its report in /tmp/NAME.out;
# LOAD_PID is its pid. It waits for /tmp/NAME.stop.
load_start() {
	local name=$1 threads=$2 prog
	shift 2
	prog=$(command -v ghost-load)
	if [ "$name" != ghost-load ]; then
		ln -sf "$prog" "/tmp/$name"
		prog=/tmp/$name
	fi
	rm -f "/tmp/$name.ready" "/tmp/$name.stop"
	everywhere "$prog" --threads "$threads" --ready "/tmp/$name.ready" \
		--stop "/tmp/$name.stop" "$@" >"/tmp/$name.out" 2>&1 &
	LOAD_PID=$!
}

# load_wait_ready NAME: every thread of the load has become a ghost task.
load_wait_ready() { wait_for 120 "every thread of $1 in SCHED_GHOST" test -e "/tmp/$1.ready"; }

checkpoints_beyond() { [ "$(grep -c '^checkpoint' "/tmp/$1.out")" -gt "$2" ]; }

# load_checkpoint NAME PID: how many of its threads have had CFS time.
load_checkpoint() {
	local before
	before=$(grep -c '^checkpoint' "/tmp/$1.out")
	kill -USR1 "$2"
	wait_for 10 "a checkpoint of $1" checkpoints_beyond "$1" "$before"
	awk '$1 == "checkpoint" { n = $3 } END { print n }' "/tmp/$1.out"
}

# load_finish NAME PID: stop the load and wait for its report.
load_finish() {
	touch "/tmp/$1.stop"
	wait "$2"
	LOAD_STATUS=$?
	grep -e '^summary' -e '^cfs_tids' "/tmp/$1.out"
}

# load_summary NAME FIELD: a number of the load's summary line.
load_summary() {
	awk -v f="$2" '$1 == "summary" { for (i = 2; i < NF; i += 2) if ($i == f) print $(i + 1) }' \
		"/tmp/$1.out"
}

# load_cfs_tids NAME: the threads that saw CFS time.
load_cfs_tids() { awk '$1 == "cfs_tids" { $1 = ""; print }' "/tmp/$1.out" | xargs; }
