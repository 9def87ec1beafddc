/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The control protocol's names, shared by ghostctl, ghostd and ghost-agent
 * so that none retypes them. Transport: ipc.h (JSON lines, one reply per
 * request, "ok" and "error" in every reply).
 *
 * ghostctl -> ghostd, on PROTO_GHOSTD_SOCKET (root or group "ghost"):
 *	status		every enclave: name, CPUs, plugin, model, task counts,
 *			agent states, kernel counters, last swap, restarts
 *	swap		enclave, plugin[, params]: replace the enclave's policy
 *	reload		re-read the configuration and apply what changed
 *	add		pid[, enclave][, process]: onboard a thread or process
 *	remove		pid[, process]: return it to CFS; replies with the
 *			enclave it was in and how many threads left
 *	stats		counters for every enclave (ghostctl formats them as
 *			JSON or OpenMetrics)
 * An "add" reply names the enclave and counts threads added, already
 * present and failed.
 *
 * ghostd -> ghost-agent, on PROTO_AGENT_SOCKET_DIR/NAME.sock (root only):
 *	status		plugin, model, tasks by state, per-CPU agent state,
 *			last swap, counters
 *	swap		plugin[, params]: replies once the new policy runs, with
 *			the blackout; on failure the old policy runs untouched
 *	set_cpus	cpus: change the enclave's CPUs in place
 *	stop		destroy: stop scheduling; destroy the enclave if true
 *
 * The agent's status reply, which ghostd passes on inside each enclave
 * of its own status reply (adding name, cpus, state, reason, restarts,
 * pid, watchdog_ms, source) and ghostctl formats:
 *	{"ok": true, "plugin": "fifo_per_cpu", "params": {...},
 *	 "model": "per_cpu",
 *	 "tasks": {"runnable": 3, "on_cpu": 2, "blocked": 7},
 *	 "agents": [{"cpu": 1, "state": "running"}, ...],
 *	 "last_swap": {"from": "fifo_centralized", "to": "fifo_per_cpu",
 *		       "blackout_ns": 412000, "at": 1764610212},
 *	 "counters": {"commits": 1200, ...}}
 * "tasks" counts tasks by state, "agents" gives each enclave CPU's agent
 * state (none, parked, running or throttled), "at" is CLOCK_REALTIME in
 * seconds, and "counters" holds monotonic integer counters by name
 * ([a-z0-9_]); a swap reply carries "blackout_ns".
 */
#ifndef GHOST_COMMON_PROTO_H
#define GHOST_COMMON_PROTO_H

#define PROTO_RUN_DIR			"/run/ghost"
#define PROTO_GHOSTD_SOCKET		PROTO_RUN_DIR "/ghostd.sock"
#define PROTO_AGENT_SOCKET_DIR		PROTO_RUN_DIR "/agents"

/* Every message */
#define PROTO_CMD			"cmd"
#define PROTO_OK			"ok"
#define PROTO_ERROR			"error"

/* Commands */
#define PROTO_CMD_STATUS		"status"
#define PROTO_CMD_SWAP			"swap"
#define PROTO_CMD_RELOAD		"reload"
#define PROTO_CMD_ADD			"add"
#define PROTO_CMD_REMOVE		"remove"
#define PROTO_CMD_STATS			"stats"
#define PROTO_CMD_SET_CPUS		"set_cpus"
#define PROTO_CMD_STOP			"stop"

/* Fields */
#define PROTO_ENCLAVE			"enclave"
#define PROTO_ENCLAVES			"enclaves"
#define PROTO_NAME			"name"
#define PROTO_CPUS			"cpus"
#define PROTO_PLUGIN			"plugin"
#define PROTO_PARAMS			"params"
#define PROTO_MODEL			"model"
#define PROTO_PID			"pid"
#define PROTO_PROCESS			"process"
#define PROTO_DESTROY			"destroy"
#define PROTO_TASKS			"tasks"
#define PROTO_AGENTS			"agents"
#define PROTO_CPU			"cpu"
#define PROTO_STATE			"state"
#define PROTO_LAST_SWAP			"last_swap"
#define PROTO_FROM			"from"
#define PROTO_TO			"to"
#define PROTO_BLACKOUT_NS		"blackout_ns"
#define PROTO_AT			"at"
#define PROTO_RESTARTS			"restarts"
#define PROTO_COUNTERS			"counters"
#define PROTO_KERNEL			"kernel"
#define PROTO_REASON			"reason"
#define PROTO_WATCHDOG_MS		"watchdog_ms"
#define PROTO_SOURCE			"source"
#define PROTO_ADDED			"added"
#define PROTO_PRESENT			"present"
#define PROTO_FAILED			"failed"
#define PROTO_REMOVED			"removed"

/* Keys of an agent's "tasks", and values of its agents' "state". */
#define PROTO_TASKS_RUNNABLE		"runnable"
#define PROTO_TASKS_ON_CPU		"on_cpu"
#define PROTO_TASKS_BLOCKED		"blocked"
#define PROTO_AGENT_NONE		"none"
#define PROTO_AGENT_PARKED		"parked"
#define PROTO_AGENT_RUNNING		"running"
#define PROTO_AGENT_THROTTLED		"throttled"

/* Values of an enclave's "state" in ghostd's replies. */
#define PROTO_STATE_STARTING		"starting"
#define PROTO_STATE_RUNNING		"running"
#define PROTO_STATE_FAILED		"failed"

#endif /* GHOST_COMMON_PROTO_H */
