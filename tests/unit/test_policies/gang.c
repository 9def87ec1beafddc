// SPDX-License-Identifier: GPL-2.0
/*
 * A centralized policy that starts waiting tasks two at a time, on two
 * idle CPUs at once or not at all (ghost_assign_sync): what the sync group
 * tests drive. A pair the kernel refuses comes back whole.
 */
#include "test_plugin.h"

struct state {
	struct ghost_list waiting;
	unsigned int nr_waiting;
};

struct node {
	struct ghost_list link;
	struct ghost_task *task;
};

static int init(struct ghost_policy *p)
{
	ghost_list_init(&((struct state *)ghost_policy_state(p))->waiting);
	return 0;
}

static void dequeue(struct ghost_policy *p, struct ghost_task *t)
{
	struct state *st = ghost_policy_state(p);
	struct node *n = ghost_task_data(p, t);

	if (ghost_list_linked(&n->link)) {
		ghost_list_del(&n->link);
		st->nr_waiting--;
	}
}

static void enqueue(struct ghost_policy *p, struct ghost_task *t)
{
	struct state *st = ghost_policy_state(p);
	struct node *n = ghost_task_data(p, t);

	dequeue(p, t);
	n->task = t;
	ghost_list_add_tail(&st->waiting, &n->link);
	st->nr_waiting++;
}

static void task_gone(struct ghost_policy *p, struct ghost_task *t)
{
	dequeue(p, t);
}

static void task_new(struct ghost_policy *p, struct ghost_task *t)
{
	if (ghost_task_state(t) == GHOST_TASK_RUNNABLE)
		enqueue(p, t);
}

static void task_preempted(struct ghost_policy *p, struct ghost_task *t,
			   unsigned int flags)
{
	(void)flags;
	enqueue(p, t);
}

static void task_departed(struct ghost_policy *p, struct ghost_task *t,
			  unsigned int reason)
{
	(void)reason;
	dequeue(p, t);
}

static void schedule(struct ghost_policy *p)
{
	struct state *st = ghost_policy_state(p);
	struct ghost_assignment pair[2];
	unsigned int n = 0;

	for (unsigned int i = 0; i < ghost_policy_nr_cpus(p); i++) {
		struct ghost_cpu *c = ghost_policy_cpu(p, i);

		if (!n && st->nr_waiting < 2)
			break;
		if (!ghost_cpu_available(c) || ghost_cpu_current(c))
			continue;
		pair[n].cpu = c;
		pair[n].task = ghost_container_of(ghost_list_first(&st->waiting),
						  struct node, link)->task;
		dequeue(p, pair[n].task);
		if (++n < 2)
			continue;
		if (ghost_assign_sync(p, pair, 2)) {
			enqueue(p, pair[0].task);
			enqueue(p, pair[1].task);
			return;
		}
		n = 0;
	}
	if (n)
		enqueue(p, pair[0].task);
}

GHOST_POLICY_EXPORT const struct ghost_policy_descriptor ghost_policy_descriptor = {
	GHOST_POLICY_DESCRIPTOR_HEADER,
	.name = "gang",
	.doc = "starts tasks in pairs, all or nothing",
	.model = GHOST_MODEL_CENTRALIZED,
	.state_size = sizeof(struct state),
	.task_data_size = sizeof(struct node),
	.init = init,
	.task_new = task_new,
	.task_wakeup = task_new,
	.task_blocked = task_gone,
	.task_preempted = task_preempted,
	.task_yield = task_new,
	.task_departed = task_departed,
	.schedule = schedule,
};
