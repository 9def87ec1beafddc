// SPDX-License-Identifier: GPL-2.0
/* See abi_names.h. */
#include "abi_names.h"

const char *const ghost_msg_names[GHOST_MSG_TYPE_MAX + 1] = {
	[GHOST_MSG_TASK_NEW] = "task_new",
	[GHOST_MSG_TASK_WAKEUP] = "task_wakeup",
	[GHOST_MSG_TASK_BLOCKED] = "task_blocked",
	[GHOST_MSG_TASK_PREEMPT] = "task_preempt",
	[GHOST_MSG_TASK_YIELD] = "task_yield",
	[GHOST_MSG_TASK_DEAD] = "task_dead",
	[GHOST_MSG_TASK_DEPARTED] = "task_departed",
	[GHOST_MSG_TASK_AFFINITY_CHANGED] = "task_affinity_changed",
	[GHOST_MSG_TASK_PRIORITY_CHANGED] = "task_priority_changed",
	[GHOST_MSG_CPU_TICK] = "cpu_tick",
	[GHOST_MSG_CPU_AVAILABLE] = "cpu_available",
	[GHOST_MSG_CPU_BUSY] = "cpu_busy",
	[GHOST_MSG_CPU_NOT_IDLE] = "cpu_not_idle",
};

const char *const ghost_txn_state_names[GHOST_TXN_STATE_MAX + 1] = {
	[GHOST_TXN_COMPLETE] = "complete",
	[GHOST_TXN_TARGET_STALE] = "target_stale",
	[GHOST_TXN_AGENT_STALE] = "agent_stale",
	[GHOST_TXN_TARGET_ONCPU] = "target_oncpu",
	[GHOST_TXN_TARGET_NOT_RUNNABLE] = "target_not_runnable",
	[GHOST_TXN_TARGET_NOT_FOUND] = "target_not_found",
	[GHOST_TXN_TARGET_NOT_ALLOWED] = "target_not_allowed",
	[GHOST_TXN_CPU_UNAVAIL] = "cpu_unavail",
	[GHOST_TXN_CPU_BUSY] = "cpu_busy",
	[GHOST_TXN_NO_AGENT] = "no_agent",
	[GHOST_TXN_INVALID_CPU] = "invalid_cpu",
	[GHOST_TXN_INVALID_FLAGS] = "invalid_flags",
	[GHOST_TXN_INVALID_TARGET] = "invalid_target",
	[GHOST_TXN_POISONED] = "poisoned",
	[GHOST_TXN_TARGET_LATCHED] = "target_latched",
};
