// SPDX-License-Identifier: GPL-2.0
/*
 * A policy that crashes its agent process (a NULL dereference) as soon as
 * it hears of a task, for the daemon test of a plugin that crashes again
 * and again (tests/daemon/agent_kill.sh). Until then it is a valid
 * centralized policy that assigns nothing (test_plugin.h's callbacks).
 */
#include "test_plugin.h"

static void task_new(struct ghost_policy *p, struct ghost_task *t)
{
	volatile int *nowhere = (volatile int *)0;

	(void)p;
	(void)t;
	*nowhere = 1;
}

GHOST_POLICY_EXPORT const struct ghost_policy_descriptor ghost_policy_descriptor = {
	GHOST_POLICY_DESCRIPTOR_HEADER,
	.name = "crash_on_task",
	.doc = "crashes its agent at the first task (a test of crash loops)",
	TP_CENTRALIZED,
	.task_new = task_new,
	.task_wakeup = tp_task,
	.task_blocked = tp_task,
	.task_preempted = tp_task_why,
	.task_yield = tp_task,
	.task_departed = tp_task_why,
};
