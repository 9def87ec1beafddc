// SPDX-License-Identifier: GPL-2.0
/*
 * Policies broken on purpose, for the battery of `make policy-check` to
 * catch (tests/unit/check_sim_battery.c). One source, three plugins, each
 * a plain FIFO over one queue but for one fault:
 *
 *  -DSTARVES		(starves.so, per_cpu) never runs the first task it
 *			hears of;
 *  -DIGNORES_CPUMASK	(ignores_cpumask.so, per_cpu) places and picks
 *			tasks without looking at their cpumasks;
 *  -DDOUBLE_BOOKS	(double_books.so, centralized) gives each waiting
 *			task a CPU from the list of CPUs free when the round
 *			began, round robin, so two tasks get the same CPU; it
 *			drops the one the runtime refuses.
 */
#include <ghost/policy.h>

#if defined(STARVES)
#define NAME	"starves"
#elif defined(IGNORES_CPUMASK)
#define NAME	"ignores_cpumask"
#elif defined(DOUBLE_BOOKS)
#define NAME	"double_books"
#endif

struct state {
	struct ghost_list queue;
	struct ghost_task *victim;	/* STARVES: never run */
	unsigned int next_cpu;		/* IGNORES_CPUMASK: round robin */
};

struct node {
	struct ghost_list link;
	struct ghost_task *task;
};

static int br_init(struct ghost_policy *p)
{
	ghost_list_init(&((struct state *)ghost_policy_state(p))->queue);
	return 0;
}

static void dequeue(struct ghost_policy *p, struct ghost_task *t)
{
	ghost_list_del(&((struct node *)ghost_task_data(p, t))->link);
}

static void enqueue(struct ghost_policy *p, struct ghost_task *t)
{
	struct state *st = ghost_policy_state(p);
	struct node *n = ghost_task_data(p, t);

	if (!st->victim)
		st->victim = t;
	dequeue(p, t);
	n->task = t;
	ghost_list_add_tail(&st->queue, &n->link);
}

static void br_runnable(struct ghost_policy *p, struct ghost_task *t)
{
	if (ghost_task_state(t) == GHOST_TASK_RUNNABLE)
		enqueue(p, t);
}

static void br_preempted(struct ghost_policy *p, struct ghost_task *t,
			 unsigned int flags)
{
	(void)flags;
	enqueue(p, t);
}

static void br_departed(struct ghost_policy *p, struct ghost_task *t,
			unsigned int reason)
{
	struct state *st = ghost_policy_state(p);

	(void)reason;
	if (st->victim == t)
		st->victim = NULL;
	dequeue(p, t);
}

/* The oldest waiting task that may run on @c (or any, if the fault is so). */
static struct ghost_task *oldest_for(struct ghost_policy *p, struct ghost_cpu *c)
{
	struct state *st = ghost_policy_state(p);

	for (struct ghost_list *l = st->queue.next; l != &st->queue; l = l->next) {
		struct ghost_task *t = ((struct node *)(void *)l)->task;

#ifdef STARVES
		if (t == st->victim)
			continue;
#endif
#ifdef IGNORES_CPUMASK
		(void)c;
#else
		if (!ghost_task_allowed(t, c))
			continue;
#endif
		return t;
	}
	return NULL;
}

#ifdef DOUBLE_BOOKS
static void br_schedule(struct ghost_policy *p)
{
	struct ghost_cpu *free[256];
	unsigned int nr_free = 0, k = 0;
	struct ghost_task *t;

	for (unsigned int i = 0; i < ghost_policy_nr_cpus(p) && nr_free < 256; i++) {
		struct ghost_cpu *c = ghost_policy_cpu(p, i);

		if (ghost_cpu_available(c) && !ghost_cpu_current(c))
			free[nr_free++] = c;
	}
	while (nr_free && (t = oldest_for(p, free[k % nr_free]))) {
		ghost_assign(p, free[k++ % nr_free], t);
		dequeue(p, t);
	}
}
#else
static struct ghost_cpu *br_select_cpu(struct ghost_policy *p, struct ghost_task *t)
{
	struct state *st = ghost_policy_state(p);

#ifdef IGNORES_CPUMASK
	(void)t;
	return ghost_policy_cpu(p, st->next_cpu++ % ghost_policy_nr_cpus(p));
#else
	(void)st;
	for (unsigned int i = 0; i < ghost_policy_nr_cpus(p); i++)
		if (ghost_task_allowed(t, ghost_policy_cpu(p, i)))
			return ghost_policy_cpu(p, i);
	return ghost_policy_cpu(p, 0);
#endif
}

static struct ghost_task *br_pick_next(struct ghost_policy *p, struct ghost_cpu *c)
{
	struct ghost_task *t = oldest_for(p, c);

	if (t)
		dequeue(p, t);
	return t;
}
#endif

GHOST_POLICY_EXPORT const struct ghost_policy_descriptor ghost_policy_descriptor = {
	GHOST_POLICY_DESCRIPTOR_HEADER,
	.name = NAME,
	.doc = "a FIFO broken on purpose, for the battery to catch",
	.state_size = sizeof(struct state),
	.task_data_size = sizeof(struct node),
	.init = br_init,
	.task_new = br_runnable,
	.task_wakeup = br_runnable,
	.task_blocked = dequeue,
	.task_preempted = br_preempted,
	.task_yield = br_runnable,
	.task_departed = br_departed,
#ifdef DOUBLE_BOOKS
	.model = GHOST_MODEL_CENTRALIZED,
	.schedule = br_schedule,
#else
	.model = GHOST_MODEL_PER_CPU,
	.select_cpu = br_select_cpu,
	.pick_next = br_pick_next,
#endif
};
