// SPDX-License-Identifier: GPL-2.0
/*
 * A centralized policy that exists only to be checked, never run: it gives
 * the configuration tests a descriptor without parameters.
 */
#include <ghost/policy.h>

static void on_task(struct ghost_policy *p, struct ghost_task *t)
{
	(void)p;
	(void)t;
}

static void on_task_flags(struct ghost_policy *p, struct ghost_task *t,
			  unsigned int flags)
{
	(void)p;
	(void)t;
	(void)flags;
}

static void schedule(struct ghost_policy *p)
{
	(void)p;
}

GHOST_POLICY_EXPORT const struct ghost_policy_descriptor ghost_policy_descriptor = {
	GHOST_POLICY_DESCRIPTOR_HEADER,
	.name = "test_central",
	.doc = "a centralized fixture for configuration tests",
	.model = GHOST_MODEL_CENTRALIZED,
	.task_new = on_task,
	.task_wakeup = on_task,
	.task_blocked = on_task,
	.task_preempted = on_task_flags,
	.task_yield = on_task,
	.task_departed = on_task_flags,
	.schedule = schedule,
};
