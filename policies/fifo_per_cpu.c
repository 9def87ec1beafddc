// SPDX-License-Identifier: GPL-2.0
/*
 * fifo_per_cpu: first in, first out, with a queue and an agent per CPU.
 *
 * A task that becomes runnable (new or woken) is placed on the least
 * loaded CPU it may use, load being the tasks waiting there plus the one
 * committed there; among equals the CPU it last ran on wins, so threads
 * spread over the enclave yet keep their caches when they can. A task
 * preempted before finishing its turn goes back first in its CPU's queue;
 * one that yielded goes last. A CPU whose queue is empty steals the oldest
 * task it may run from the most loaded other queue, so a CPU taken by a
 * higher class, or one that got a burst of wakeups, is relieved by idle
 * ones.
 *
 * Limits: no time slices (a task runs until it blocks, yields or is
 * preempted), nice values are ignored, and placement and stealing look at
 * every CPU, which is fine for tens of CPUs and wasteful for hundreds.
 */
#include <ghost/policy.h>

enum { PARAM_STEAL };

static const struct ghost_param_spec fifo_params[] = {
	[PARAM_STEAL] = {
		.name = "steal",
		.type = GHOST_PARAM_BOOL,
		.def = 1,
		.doc = "idle CPUs take waiting tasks from the most loaded CPU",
	},
};

struct fifo_state {
	bool steal;
};

struct fifo_cpu {
	struct ghost_list waiting;
	unsigned int nr_waiting;
};

struct fifo_task {
	struct ghost_list link;
	struct ghost_task *task;
	struct ghost_cpu *queued_on;
};

static struct fifo_task *node_of(struct ghost_policy *p, struct ghost_task *t)
{
	return ghost_task_data(p, t);
}

static struct fifo_cpu *queue_of(struct ghost_policy *p, struct ghost_cpu *c)
{
	return ghost_cpu_data(p, c);
}

static int fifo_init(struct ghost_policy *p)
{
	struct fifo_state *st = ghost_policy_state(p);

	st->steal = ghost_policy_param(p, PARAM_STEAL);
	for (unsigned int i = 0; i < ghost_policy_nr_cpus(p); i++)
		ghost_list_init(&queue_of(p, ghost_policy_cpu(p, i))->waiting);
	return 0;
}

static void dequeue(struct ghost_policy *p, struct ghost_task *t)
{
	struct fifo_task *n = node_of(p, t);

	if (!ghost_list_linked(&n->link))
		return;
	ghost_list_del(&n->link);
	queue_of(p, n->queued_on)->nr_waiting--;
}

/* Queue @t on the CPU the runtime placed it on (see select_cpu). */
static void enqueue(struct ghost_policy *p, struct ghost_task *t, bool first)
{
	struct fifo_task *n = node_of(p, t);
	struct fifo_cpu *q = queue_of(p, ghost_task_cpu(t));

	dequeue(p, t);
	n->task = t;
	n->queued_on = ghost_task_cpu(t);
	if (first)
		ghost_list_add_head(&q->waiting, &n->link);
	else
		ghost_list_add_tail(&q->waiting, &n->link);
	q->nr_waiting++;
}

static unsigned int load(struct ghost_policy *p, struct ghost_cpu *c)
{
	return queue_of(p, c)->nr_waiting + (ghost_cpu_current(c) ? 1 : 0);
}

static struct ghost_cpu *fifo_select_cpu(struct ghost_policy *p,
					 struct ghost_task *t)
{
	struct ghost_cpu *last = ghost_task_cpu(t), *best = NULL, *allowed = NULL;
	unsigned int best_load = 0;

	for (unsigned int i = 0; i < ghost_policy_nr_cpus(p); i++) {
		struct ghost_cpu *c = ghost_policy_cpu(p, i);
		unsigned int l;

		if (!ghost_task_allowed(t, c))
			continue;
		if (!allowed)
			allowed = c;
		if (!ghost_cpu_available(c))
			continue;
		l = load(p, c);
		if (!best || l < best_load || (l == best_load && c == last)) {
			best = c;
			best_load = l;
		}
	}
	/* No CPU it may use is available now: wait on one that it may use. */
	return best ? best : allowed;
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
	dequeue(p, t);
}

static void fifo_task_preempted(struct ghost_policy *p, struct ghost_task *t,
				unsigned int flags)
{
	(void)flags;
	enqueue(p, t, true);
}

static void fifo_task_yield(struct ghost_policy *p, struct ghost_task *t)
{
	enqueue(p, t, false);
}

static void fifo_task_departed(struct ghost_policy *p, struct ghost_task *t,
			       unsigned int reason)
{
	(void)reason;
	dequeue(p, t);
}

/* Its placement may have moved: follow it, keeping its turn otherwise. */
static void fifo_task_affinity(struct ghost_policy *p, struct ghost_task *t)
{
	if (ghost_task_state(t) == GHOST_TASK_RUNNABLE &&
	    node_of(p, t)->queued_on != ghost_task_cpu(t))
		enqueue(p, t, false);
}

static struct ghost_task *fifo_pick_next(struct ghost_policy *p,
					 struct ghost_cpu *c)
{
	struct ghost_list *first = ghost_list_first(&queue_of(p, c)->waiting);
	struct ghost_task *t;

	if (!first)
		return NULL;
	t = ghost_container_of(first, struct fifo_task, link)->task;
	dequeue(p, t);
	return t;
}

/* The oldest task in @victim's queue that may run on @c, or NULL. */
static struct ghost_task *oldest_movable(struct ghost_policy *p,
					 struct ghost_cpu *victim,
					 struct ghost_cpu *c)
{
	struct fifo_cpu *q = queue_of(p, victim);

	for (struct ghost_list *l = q->waiting.next; l != &q->waiting; l = l->next) {
		struct ghost_task *t = ghost_container_of(l, struct fifo_task, link)->task;

		if (ghost_task_allowed(t, c))
			return t;
	}
	return NULL;
}

static struct ghost_task *fifo_steal(struct ghost_policy *p, struct ghost_cpu *c)
{
	const struct fifo_state *st = ghost_policy_state(p);
	struct ghost_task *best = NULL;
	unsigned int most = 0;

	if (!st->steal)
		return NULL;
	for (unsigned int i = 0; i < ghost_policy_nr_cpus(p); i++) {
		struct ghost_cpu *victim = ghost_policy_cpu(p, i);
		unsigned int n = queue_of(p, victim)->nr_waiting;
		struct ghost_task *t;

		if (victim == c || n <= most)
			continue;
		t = oldest_movable(p, victim, c);
		if (t) {
			best = t;
			most = n;
		}
	}
	if (best)
		dequeue(p, best);
	return best;
}

GHOST_POLICY_EXPORT const struct ghost_policy_descriptor ghost_policy_descriptor = {
	GHOST_POLICY_DESCRIPTOR_HEADER,
	.name = "fifo_per_cpu",
	.doc = "FIFO per CPU: least-loaded placement, idle CPUs steal",
	.model = GHOST_MODEL_PER_CPU,
	.params = fifo_params,
	.nr_params = sizeof(fifo_params) / sizeof(fifo_params[0]),
	.state_size = sizeof(struct fifo_state),
	.task_data_size = sizeof(struct fifo_task),
	.cpu_data_size = sizeof(struct fifo_cpu),
	.init = fifo_init,
	.task_new = fifo_task_new,
	.task_wakeup = fifo_task_wakeup,
	.task_blocked = fifo_task_blocked,
	.task_preempted = fifo_task_preempted,
	.task_yield = fifo_task_yield,
	.task_departed = fifo_task_departed,
	.task_affinity = fifo_task_affinity,
	.select_cpu = fifo_select_cpu,
	.pick_next = fifo_pick_next,
	.steal = fifo_steal,
};
