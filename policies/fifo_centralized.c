// SPDX-License-Identifier: GPL-2.0
/*
 * fifo_centralized: first in, first out, decided by one global agent.
 *
 * Runnable tasks wait in one queue, in the order they became runnable; a
 * task preempted before finishing its turn goes back first. After every
 * batch of events the global agent gives each available CPU that has
 * nothing committed the oldest waiting task that may run there, and the
 * runtime commits them all in one group commit. With time_slice_us set, a
 * task that has held its CPU that long while another waits for a CPU is
 * replaced, and queued last: round robin.
 *
 * The agent's own CPU runs no task; when a higher class wants it, the
 * runtime moves the agent to another CPU of the enclave.
 *
 * Limits: nice values are ignored, and a task whose cpumask allows only
 * busy CPUs is passed over by scanning the queue for each CPU.
 */
#include <ghost/policy.h>

enum { PARAM_TIME_SLICE_US };

static const struct ghost_param_spec fifo_params[] = {
	[PARAM_TIME_SLICE_US] = {
		.name = "time_slice_us",
		.type = GHOST_PARAM_INT,
		.min = 0,
		.max = 1000000,
		.def = 0,
		.doc = "replace a task after this many microseconds if another waits (0: never)",
	},
};

struct fifo_state {
	struct ghost_list waiting;
	unsigned int nr_waiting;
	uint64_t slice_ns;
};

struct fifo_task {
	struct ghost_list link;
	struct ghost_task *task;
	bool expired;		/* replaced at the end of its slice */
};

static struct fifo_task *node_of(struct ghost_policy *p, struct ghost_task *t)
{
	return ghost_task_data(p, t);
}

static int fifo_init(struct ghost_policy *p)
{
	struct fifo_state *st = ghost_policy_state(p);

	ghost_list_init(&st->waiting);
	st->slice_ns = (uint64_t)ghost_policy_param(p, PARAM_TIME_SLICE_US) * 1000;
	return 0;
}

static void dequeue(struct ghost_policy *p, struct ghost_task *t)
{
	struct fifo_state *st = ghost_policy_state(p);
	struct fifo_task *n = node_of(p, t);

	if (!ghost_list_linked(&n->link))
		return;
	ghost_list_del(&n->link);
	st->nr_waiting--;
}

static void enqueue(struct ghost_policy *p, struct ghost_task *t, bool first)
{
	struct fifo_state *st = ghost_policy_state(p);
	struct fifo_task *n = node_of(p, t);

	dequeue(p, t);
	n->task = t;
	if (first)
		ghost_list_add_head(&st->waiting, &n->link);
	else
		ghost_list_add_tail(&st->waiting, &n->link);
	st->nr_waiting++;
}

static void fifo_task_new(struct ghost_policy *p, struct ghost_task *t)
{
	if (ghost_task_state(t) == GHOST_TASK_RUNNABLE)
		enqueue(p, t, false);
}

static void fifo_task_wakeup(struct ghost_policy *p, struct ghost_task *t)
{
	enqueue(p, t, false);
}

static void fifo_task_blocked(struct ghost_policy *p, struct ghost_task *t)
{
	node_of(p, t)->expired = false;
	dequeue(p, t);
}

static void fifo_task_preempted(struct ghost_policy *p, struct ghost_task *t,
				unsigned int flags)
{
	struct fifo_task *n = node_of(p, t);

	(void)flags;
	enqueue(p, t, !n->expired);
	n->expired = false;
}

static void fifo_task_yield(struct ghost_policy *p, struct ghost_task *t)
{
	node_of(p, t)->expired = false;
	enqueue(p, t, false);
}

static void fifo_task_departed(struct ghost_policy *p, struct ghost_task *t,
			       unsigned int reason)
{
	(void)reason;
	dequeue(p, t);
}

/* The oldest waiting task that may run on @c, or NULL. */
static struct ghost_task *oldest_for(struct ghost_policy *p, struct ghost_cpu *c)
{
	struct fifo_state *st = ghost_policy_state(p);

	for (struct ghost_list *l = st->waiting.next; l != &st->waiting; l = l->next) {
		struct ghost_task *t = ghost_container_of(l, struct fifo_task, link)->task;

		if (ghost_task_allowed(t, c))
			return t;
	}
	return NULL;
}

/* Whether @c's current task, if any, should make way for a waiting one. */
static bool cpu_wants_task(struct ghost_policy *p, struct ghost_cpu *c,
			   uint64_t now)
{
	const struct fifo_state *st = ghost_policy_state(p);
	struct ghost_task *cur = ghost_cpu_current(c);

	if (!ghost_cpu_available(c))
		return false;
	return !cur || (st->slice_ns &&
			now - ghost_task_committed_at_ns(cur) >= st->slice_ns);
}

static void fifo_schedule(struct ghost_policy *p)
{
	struct fifo_state *st = ghost_policy_state(p);
	uint64_t now = st->slice_ns ? ghost_policy_now_ns(p) : 0;

	for (unsigned int i = 0; i < ghost_policy_nr_cpus(p) && st->nr_waiting; i++) {
		struct ghost_cpu *c = ghost_policy_cpu(p, i);
		struct ghost_task *cur = ghost_cpu_current(c), *t;

		if (!cpu_wants_task(p, c, now) || !(t = oldest_for(p, c)))
			continue;
		if (ghost_assign(p, c, t))
			continue;
		dequeue(p, t);
		if (cur)
			node_of(p, cur)->expired = true;
	}
}

GHOST_POLICY_EXPORT const struct ghost_policy_descriptor ghost_policy_descriptor = {
	GHOST_POLICY_DESCRIPTOR_HEADER,
	.name = "fifo_centralized",
	.doc = "FIFO from one global agent, optionally round robin",
	.model = GHOST_MODEL_CENTRALIZED,
	.params = fifo_params,
	.nr_params = sizeof(fifo_params) / sizeof(fifo_params[0]),
	.state_size = sizeof(struct fifo_state),
	.task_data_size = sizeof(struct fifo_task),
	.init = fifo_init,
	.task_new = fifo_task_new,
	.task_wakeup = fifo_task_wakeup,
	.task_blocked = fifo_task_blocked,
	.task_preempted = fifo_task_preempted,
	.task_yield = fifo_task_yield,
	.task_departed = fifo_task_departed,
	.schedule = fifo_schedule,
};
