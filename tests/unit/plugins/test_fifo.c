// SPDX-License-Identifier: GPL-2.0
/*
 * A per_cpu policy that exists only to be checked, never run: it gives the
 * configuration tests a descriptor with an integer and a boolean parameter.
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

static struct ghost_cpu *select_cpu(struct ghost_policy *p, struct ghost_task *t)
{
	(void)t;
	return ghost_policy_cpu(p, 0);
}

static struct ghost_task *pick_next(struct ghost_policy *p, struct ghost_cpu *c)
{
	(void)p;
	(void)c;
	return 0;
}

static const struct ghost_param_spec params[] = {
	{ .name = "slice_us", .type = GHOST_PARAM_INT, .min = 1, .max = 1000000,
	  .def = 1000, .doc = "how long a task runs before the next one" },
	{ .name = "steal", .type = GHOST_PARAM_BOOL, .def = 1,
	  .doc = "whether idle CPUs take work from busy ones" },
};

GHOST_POLICY_EXPORT const struct ghost_policy_descriptor ghost_policy_descriptor = {
	GHOST_POLICY_DESCRIPTOR_HEADER,
	.name = "test_fifo",
	.doc = "a per_cpu fixture for configuration tests",
	.model = GHOST_MODEL_PER_CPU,
	.params = params,
	.nr_params = 2,
	.task_new = on_task,
	.task_wakeup = on_task,
	.task_blocked = on_task,
	.task_preempted = on_task_flags,
	.task_yield = on_task,
	.task_departed = on_task_flags,
	.select_cpu = select_cpu,
	.pick_next = pick_next,
};
