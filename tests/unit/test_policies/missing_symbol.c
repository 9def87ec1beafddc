// SPDX-License-Identifier: GPL-2.0
/* Refused: it calls an SDK function that this runtime does not have. */
#include "test_plugin.h"

/* Imagined in some future SDK; no runtime exports it. */
int ghost_task_qos(const struct ghost_task *t);

static void task_new(struct ghost_policy *p, struct ghost_task *t)
{
	(void)p;
	(void)ghost_task_qos(t);
}

GHOST_POLICY_EXPORT const struct ghost_policy_descriptor ghost_policy_descriptor = {
	GHOST_POLICY_DESCRIPTOR_HEADER,
	.name = "missing_symbol",
	.doc = "needs a function the runtime lacks",
	TP_CENTRALIZED,
	.task_new = task_new,
	.task_wakeup = tp_task,
	.task_blocked = tp_task,
	.task_preempted = tp_task_why,
	.task_yield = tp_task,
	.task_departed = tp_task_why,
};
