// SPDX-License-Identifier: GPL-2.0
/*
 * A plain FIFO policy that records every task it is handed (task_new), so
 * that the swap tests can check that each task reached it with its state,
 * CPU, tid, nice value, runtime and cpumask. Built twice, as
 * recorder_per_cpu.so and (with RECORDER_CENTRALIZED) recorder_centralized.so.
 * The tests read the record through the exported symbols below.
 */
#include "test_plugin.h"

#ifdef RECORDER_CENTRALIZED
#define RECORDER_NAME	"recorder_centralized"
#else
#define RECORDER_NAME	"recorder_per_cpu"
#endif

struct recorded_task {
	uint64_t gtid;
	int32_t tid;
	int state;
	int cpu;		/* -1: none */
	int nice;
	uint64_t runtime_ns;
	uint32_t allowed;	/* bit n: may run on CPU n (n < 32) */
};

#define RECORDER_MAX	4096

GHOST_POLICY_EXPORT struct recorded_task recorder_tasks[RECORDER_MAX];
GHOST_POLICY_EXPORT unsigned int recorder_nr_tasks;
GHOST_POLICY_EXPORT unsigned int recorder_inits;
GHOST_POLICY_EXPORT unsigned int recorder_finis;

struct state {
	struct ghost_list waiting;
};

struct node {
	struct ghost_list link;
	struct ghost_task *task;
};

static int init(struct ghost_policy *p)
{
	struct state *st = ghost_policy_state(p);

	ghost_list_init(&st->waiting);
	recorder_nr_tasks = 0;
	recorder_inits++;
	return 0;
}

static void fini(struct ghost_policy *p)
{
	(void)p;
	recorder_finis++;
}

static void record(struct ghost_policy *p, struct ghost_task *t)
{
	struct recorded_task *r = &recorder_tasks[recorder_nr_tasks++ % RECORDER_MAX];

	*r = (struct recorded_task){
		.gtid = ghost_task_gtid(t),
		.tid = ghost_task_tid(t),
		.state = ghost_task_state(t),
		.cpu = ghost_task_cpu(t) ? ghost_cpu_id(ghost_task_cpu(t)) : -1,
		.nice = ghost_task_nice(t),
		.runtime_ns = ghost_task_runtime_ns(t),
	};
	for (unsigned int i = 0; i < ghost_policy_nr_cpus(p); i++) {
		struct ghost_cpu *c = ghost_policy_cpu(p, i);

		if (ghost_task_allowed(t, c) && ghost_cpu_id(c) < 32)
			r->allowed |= 1U << ghost_cpu_id(c);
	}
}

static void dequeue(struct ghost_policy *p, struct ghost_task *t)
{
	ghost_list_del(&((struct node *)ghost_task_data(p, t))->link);
}

static void enqueue(struct ghost_policy *p, struct ghost_task *t, bool first)
{
	struct state *st = ghost_policy_state(p);
	struct node *n = ghost_task_data(p, t);

	dequeue(p, t);
	n->task = t;
	if (first)
		ghost_list_add_head(&st->waiting, &n->link);
	else
		ghost_list_add_tail(&st->waiting, &n->link);
}

static void task_new(struct ghost_policy *p, struct ghost_task *t)
{
	record(p, t);
	if (ghost_task_state(t) == GHOST_TASK_RUNNABLE)
		enqueue(p, t, false);
}

static void task_wakeup(struct ghost_policy *p, struct ghost_task *t)
{
	enqueue(p, t, false);
}

static void task_preempted(struct ghost_policy *p, struct ghost_task *t,
			   unsigned int flags)
{
	(void)flags;
	enqueue(p, t, true);
}

static void task_gone(struct ghost_policy *p, struct ghost_task *t)
{
	dequeue(p, t);
}

static void task_departed(struct ghost_policy *p, struct ghost_task *t,
			  unsigned int reason)
{
	(void)reason;
	dequeue(p, t);
}

/* The oldest waiting task that may run on @c. */
static struct ghost_task *oldest_for(struct ghost_policy *p, struct ghost_cpu *c)
{
	struct state *st = ghost_policy_state(p);

	for (struct ghost_list *l = st->waiting.next; l != &st->waiting; l = l->next) {
		struct ghost_task *t = ghost_container_of(l, struct node, link)->task;

		if (ghost_task_allowed(t, c))
			return t;
	}
	return NULL;
}

#ifdef RECORDER_CENTRALIZED
static void schedule(struct ghost_policy *p)
{
	for (unsigned int i = 0; i < ghost_policy_nr_cpus(p); i++) {
		struct ghost_cpu *c = ghost_policy_cpu(p, i);
		struct ghost_task *t;

		if (!ghost_cpu_available(c) || ghost_cpu_current(c) ||
		    !(t = oldest_for(p, c)))
			continue;
		if (!ghost_assign(p, c, t))
			dequeue(p, t);
	}
}
#else
/* An idle CPU it may use, else any it may use. */
static struct ghost_cpu *select_cpu(struct ghost_policy *p, struct ghost_task *t)
{
	struct ghost_cpu *any = NULL;

	for (unsigned int i = 0; i < ghost_policy_nr_cpus(p); i++) {
		struct ghost_cpu *c = ghost_policy_cpu(p, i);

		if (!ghost_task_allowed(t, c))
			continue;
		if (ghost_cpu_available(c) && !ghost_cpu_current(c))
			return c;
		if (!any)
			any = c;
	}
	return any;
}

static struct ghost_task *pick_next(struct ghost_policy *p, struct ghost_cpu *c)
{
	struct ghost_task *t = oldest_for(p, c);

	if (t)
		dequeue(p, t);
	return t;
}
#endif

GHOST_POLICY_EXPORT const struct ghost_policy_descriptor ghost_policy_descriptor = {
	GHOST_POLICY_DESCRIPTOR_HEADER,
	.name = RECORDER_NAME,
	.doc = "FIFO that records the tasks it is handed",
	.state_size = sizeof(struct state),
	.task_data_size = sizeof(struct node),
	.init = init,
	.fini = fini,
	.task_new = task_new,
	.task_wakeup = task_wakeup,
	.task_blocked = task_gone,
	.task_preempted = task_preempted,
	.task_yield = task_wakeup,
	.task_departed = task_departed,
#ifdef RECORDER_CENTRALIZED
	.model = GHOST_MODEL_CENTRALIZED,
	.schedule = schedule,
#else
	.model = GHOST_MODEL_PER_CPU,
	.select_cpu = select_cpu,
	.pick_next = pick_next,
#endif
};
