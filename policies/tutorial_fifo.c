// SPDX-License-Identifier: GPL-2.0
/*
 * tutorial_fifo, built step by step in docs/writing-a-policy.md: FIFO with
 * a queue per CPU; a runnable task waits on the least loaded CPU it may
 * use, and a CPU with nothing to run takes the oldest task it may run from
 * another CPU's queue.
 */
#include <ghost/policy.h>

/* Step 1: what the policy keeps, in storage the runtime preallocates. */
struct tut_cpu {
	struct ghost_list queue;	/* tasks waiting for this CPU */
	unsigned int nr_queued;
};

struct tut_task {
	struct ghost_list link;		/* in its CPU's queue, or on none */
	struct ghost_task *task;
	struct ghost_cpu *cpu;		/* whose queue */
};

#define cpu_of(p, c)	((struct tut_cpu *)ghost_cpu_data(p, c))
#define task_of(p, t)	((struct tut_task *)ghost_task_data(p, t))

static int tut_init(struct ghost_policy *p)
{
	for (unsigned int i = 0; i < ghost_policy_nr_cpus(p); i++)
		ghost_list_init(&cpu_of(p, ghost_policy_cpu(p, i))->queue);
	return 0;
}

/* Step 2: queueing, and taking out of a queue (harmless if not queued). */
static void dequeue(struct ghost_policy *p, struct ghost_task *t)
{
	struct tut_task *n = task_of(p, t);

	if (!ghost_list_linked(&n->link))
		return;
	ghost_list_del(&n->link);
	cpu_of(p, n->cpu)->nr_queued--;
}

/* Queue @t where the runtime placed it: ghost_task_cpu() (see select_cpu). */
static void enqueue(struct ghost_policy *p, struct ghost_task *t, bool first)
{
	struct tut_task *n = task_of(p, t);
	struct tut_cpu *q = cpu_of(p, ghost_task_cpu(t));

	dequeue(p, t);
	n->task = t;
	n->cpu = ghost_task_cpu(t);
	(first ? ghost_list_add_head : ghost_list_add_tail)(&q->queue, &n->link);
	q->nr_queued++;
}

/* Step 3: every task reported RUNNABLE is queued; new (if runnable),
 * woken and yielding ones last, preempted ones first. */
static void tut_task_runnable(struct ghost_policy *p, struct ghost_task *t)
{
	if (ghost_task_state(t) == GHOST_TASK_RUNNABLE)
		enqueue(p, t, false);
}

static void tut_task_preempted(struct ghost_policy *p, struct ghost_task *t,
			       unsigned int flags)
{
	(void)flags;
	enqueue(p, t, true);	/* its turn was not over: it goes first */
}

static void tut_task_departed(struct ghost_policy *p, struct ghost_task *t,
			      unsigned int reason)
{
	(void)reason;
	dequeue(p, t);
}

/* Step 4: placement, the least loaded CPU the task may use. */
static struct ghost_cpu *tut_select_cpu(struct ghost_policy *p, struct ghost_task *t)
{
	struct ghost_cpu *best = NULL, *allowed = NULL;
	unsigned int best_load = 0;

	for (unsigned int i = 0; i < ghost_policy_nr_cpus(p); i++) {
		struct ghost_cpu *c = ghost_policy_cpu(p, i);
		unsigned int load = cpu_of(p, c)->nr_queued + !!ghost_cpu_current(c);

		if (!ghost_task_allowed(t, c))
			continue;
		allowed = allowed ? allowed : c;	/* else wait here */
		if (ghost_cpu_available(c) && (!best || load < best_load)) {
			best = c;
			best_load = load;
		}
	}
	return best ? best : allowed;
}

/* Step 5: take the oldest task of @from's queue that may run on @to. */
static struct ghost_task *take(struct ghost_policy *p, struct ghost_cpu *from,
			       struct ghost_cpu *to)
{
	struct tut_cpu *q = cpu_of(p, from);

	for (struct ghost_list *l = q->queue.next; l != &q->queue; l = l->next) {
		struct ghost_task *t = ghost_container_of(l, struct tut_task, link)->task;

		if (ghost_task_allowed(t, to)) {
			dequeue(p, t);
			return t;
		}
	}
	return NULL;
}

/* An idle CPU runs the head of its queue ... */
static struct ghost_task *tut_pick_next(struct ghost_policy *p, struct ghost_cpu *c)
{
	return take(p, c, c);
}

/* ... or else the oldest task another CPU's queue holds for it. */
static struct ghost_task *tut_steal(struct ghost_policy *p, struct ghost_cpu *c)
{
	struct ghost_task *t = NULL;

	for (unsigned int i = 0; i < ghost_policy_nr_cpus(p) && !t; i++)
		t = take(p, ghost_policy_cpu(p, i), c);
	return t;
}

/* Step 6: the descriptor the runtime loads. */
GHOST_POLICY_EXPORT const struct ghost_policy_descriptor ghost_policy_descriptor = {
	GHOST_POLICY_DESCRIPTOR_HEADER,
	.name = "tutorial_fifo",
	.doc = "the tutorial's FIFO: a queue per CPU, least-loaded placement, stealing",
	.model = GHOST_MODEL_PER_CPU,
	.task_data_size = sizeof(struct tut_task),
	.cpu_data_size = sizeof(struct tut_cpu),
	.init = tut_init,
	.task_new = tut_task_runnable,
	.task_wakeup = tut_task_runnable,
	.task_blocked = dequeue,
	.task_preempted = tut_task_preempted,
	.task_yield = tut_task_runnable,
	.task_departed = tut_task_departed,
	.select_cpu = tut_select_cpu,
	.pick_next = tut_pick_next,
	.steal = tut_steal,
};
