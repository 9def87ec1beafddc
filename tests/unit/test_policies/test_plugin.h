/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Callbacks that do nothing, for the test plugins that exist to be
 * refused: each such plugin is a valid one but for one deliberate fault.
 */
#ifndef GHOST_TEST_PLUGIN_H
#define GHOST_TEST_PLUGIN_H

#include <ghost/policy.h>

static inline void tp_task(struct ghost_policy *p, struct ghost_task *t)
{
	(void)p;
	(void)t;
}

static inline void tp_task_why(struct ghost_policy *p, struct ghost_task *t,
			       unsigned int why)
{
	(void)p;
	(void)t;
	(void)why;
}

static inline void tp_schedule(struct ghost_policy *p)
{
	(void)p;
}

static inline struct ghost_cpu *tp_select_cpu(struct ghost_policy *p,
					      struct ghost_task *t)
{
	(void)t;
	return ghost_policy_cpu(p, 0);
}

static inline struct ghost_task *tp_pick_next(struct ghost_policy *p,
					      struct ghost_cpu *c)
{
	(void)p;
	(void)c;
	return NULL;
}

#define TP_TASK_CALLBACKS						\
	.task_new = tp_task,						\
	.task_wakeup = tp_task,						\
	.task_blocked = tp_task,					\
	.task_preempted = tp_task_why,					\
	.task_yield = tp_task,						\
	.task_departed = tp_task_why

#define TP_CENTRALIZED							\
	.model = GHOST_MODEL_CENTRALIZED,				\
	.schedule = tp_schedule

#endif /* GHOST_TEST_PLUGIN_H */
