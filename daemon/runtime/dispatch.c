// SPDX-License-Identifier: GPL-2.0
/*
 * Messages: reading an agent's queues, keeping the task table in step
 * with what the kernel says, and telling the policy.
 *
 * The kernel is the authority: a message about a task the runtime has not
 * heard of (taken over from a dead agent) adopts it; a state the runtime
 * did not expect (a wakeup of a task it thought running, because messages
 * were dropped) is taken as the kernel says. Each task's record changes
 * state before the policy hears of the change.
 */
#include <string.h>

#include "internal.h"

/* The CPU running @gtid, found from the CPUs' status words. */
static struct ghost_cpu *cpu_running(struct runtime *rt, uint64_t gtid)
{
	for (uint32_t cpu = 0; cpu < rt->nr_cpu_ids; cpu++)
		if (rt->cpus[cpu].in_enclave &&
		    LOAD(rt_cpu_word(rt, cpu)->gtid) == gtid)
			return &rt->cpus[cpu];
	return NULL;
}

/*
 * A task first heard of may be latched or running already (found by
 * GHOST_IOC_DISCOVER after a takeover): its status word says so.
 */
static void task_initial_state(struct runtime *rt, struct ghost_task *t,
			       bool runnable)
{
	const struct ghost_status_word *w = rt_task_word(rt, t);
	uint32_t flags = LOAD(w->flags);

	if (LOAD(w->gtid) == t->gtid &&
	    (flags & (GHOST_SW_TASK_ONCPU | GHOST_SW_TASK_LATCHED))) {
		struct ghost_cpu *c = (flags & GHOST_SW_TASK_ONCPU) ?
				      cpu_running(rt, t->gtid) : NULL;

		task_set_state(t, GHOST_TASK_ON_CPU);
		t->cpu = c;
		if (c && !c->current)
			c->current = t;
		return;
	}
	if (runnable)
		task_set_state(t, GHOST_TASK_RUNNABLE);
}

void task_leaves_cpu(struct rt_agent *a, struct ghost_task *t)
{
	struct ghost_cpu *c = t->cpu;

	if (t->state != GHOST_TASK_ON_CPU || !c || c->current != t)
		return;
	c->current = NULL;
	/* Its CPU's agent may sleep, not knowing: its news came to us. */
	if (a)
		agent_kick(a, c);
}

void task_becomes_runnable(struct rt_agent *a, struct ghost_task *t, bool fresh)
{
	struct runtime *rt = t->rt;

	task_set_state(t, GHOST_TASK_RUNNABLE);
	if (rt->model == GHOST_MODEL_PER_CPU)
		place_task(a, t, fresh);
}

static unsigned int departed_reason(const struct ghost_msg *m)
{
	if (m->type == GHOST_MSG_TASK_DEAD)
		return GHOST_DEPARTED_DEAD;
	switch (m->task_departed.reason) {
	case GHOST_DEPART_REMOVED:
		return GHOST_DEPARTED_REMOVED;
	case GHOST_DEPART_AFFINITY:
		return GHOST_DEPARTED_AFFINITY;
	case GHOST_DEPART_STARVED:
		return GHOST_DEPARTED_STARVED;
	case GHOST_DEPART_ENCLAVE:
		return GHOST_DEPARTED_ENCLAVE;
	}
	return GHOST_DEPARTED_LEFT;
}

static void task_depart(struct rt_agent *a, struct ghost_task *t,
			unsigned int reason)
{
	struct ghost_policy *p = t->rt->policy;

	task_leaves_cpu(a, t);
	task_set_state(t, GHOST_TASK_DEPARTED);
	p->desc->task_departed(p, t, reason);
	task_free(t);
}

/*
 * A fresh record in @gtid's slot, or NULL. The kernel reuses a word only
 * after its task died, counting reuses in the gtid's high bits; news read
 * out of order across queues tells which incarnation is the older. A slot
 * holding an older one: it is dead, its last news still unread elsewhere.
 * One holding a newer one: this is stale news of the dead, to ignore.
 */
static struct ghost_task *task_create(struct rt_agent *a, uint64_t gtid)
{
	struct runtime *rt = a->rt;
	struct ghost_task *t = task_slot(rt, gtid);

	if (!t) {
		rt_count(&rt->counters.backend_errors);
		return NULL;
	}
	if (t->gtid > gtid)
		return NULL;
	if (t->gtid)
		task_depart(a, t, GHOST_DEPARTED_DEAD);
	task_install(rt, t, gtid, GHOST_TASK_BLOCKED);
	return t;
}

static void task_new_info(struct ghost_task *t, const struct ghost_msg *m)
{
	t->seq = m->seqnum;
	t->tid = m->task_new.tid;
	t->nice = m->task_new.nice;
	t->runtime_ns = m->runtime_ns;
	task_refresh_mask(t);
}

/* Whether @t's status word says it is latched or running. */
static bool word_says_on_cpu(struct runtime *rt, const struct ghost_task *t)
{
	const struct ghost_status_word *w = rt_task_word(rt, t);

	return LOAD(w->gtid) == t->gtid &&
	       (LOAD(w->flags) & (GHOST_SW_TASK_ONCPU | GHOST_SW_TASK_LATCHED));
}

/*
 * GHOST_IOC_DISCOVER (or a duplicate) announced a task we know: resync.
 * After dropped messages, a task we think on a CPU may have left it: its
 * status word (newer than any message) says, unless our own commit of it
 * is still in flight.
 */
static void task_rediscovered(struct rt_agent *a, struct ghost_task *t,
			      const struct ghost_msg *m)
{
	struct ghost_policy *p = a->rt->policy;
	const struct ghost_policy_descriptor *d = p->desc;
	bool runnable = m->flags & GHOST_MSG_F_RUNNABLE;
	uint64_t old_mask[CPU_SETSIZE / 64];
	size_t mask_bytes = a->rt->mask_words * sizeof(*t->mask);
	int old_nice = t->nice;

	memcpy(old_mask, t->mask, mask_bytes);
	task_new_info(t, m);
	if (memcmp(old_mask, t->mask, mask_bytes)) {
		if (t->state == GHOST_TASK_RUNNABLE &&
		    a->rt->model == GHOST_MODEL_PER_CPU)
			place_task(a, t, false);
		if (d->task_affinity)
			d->task_affinity(p, t);
	}
	if (d->task_priority && t->nice != old_nice)
		d->task_priority(p, t);
	if (runnable && t->state == GHOST_TASK_BLOCKED) {
		task_becomes_runnable(a, t, true);
		d->task_wakeup(p, t);
	} else if (!runnable && t->state != GHOST_TASK_BLOCKED) {
		task_leaves_cpu(a, t);
		task_set_state(t, GHOST_TASK_BLOCKED);
		d->task_blocked(p, t);
	} else if (runnable && t->state == GHOST_TASK_ON_CPU && !t->in_flight &&
		   !word_says_on_cpu(a->rt, t)) {
		task_leaves_cpu(a, t);
		task_becomes_runnable(a, t, false);
		d->task_preempted(p, t, 0);
	}
}

static void on_task_new(struct rt_agent *a, const struct ghost_msg *m,
			struct ghost_cpu *from)
{
	struct ghost_policy *p = a->rt->policy;
	struct ghost_task *t = task_lookup(a->rt, m->gtid);

	if (t) {
		t->queue_cpu = from;
		task_rediscovered(a, t, m);
		return;
	}
	t = task_create(a, m->gtid);
	if (!t)
		return;
	/* A child of a ghost task reports to its parent's queue. */
	t->queue_cpu = from;
	task_new_info(t, m);
	task_initial_state(a->rt, t, m->flags & GHOST_MSG_F_RUNNABLE);
	if (t->state == GHOST_TASK_RUNNABLE && a->rt->model == GHOST_MODEL_PER_CPU)
		place_task(a, t, true);
	p->desc->task_new(p, t);
}

/*
 * News of a task never announced: one bound to a dead agent's queue,
 * whose TASK_NEW (from GHOST_IOC_DISCOVER) is still on its way. Its gtid
 * and barrier are all it takes to schedule it; the state it was in before
 * this event follows from the event.
 */
static struct ghost_task *task_adopt(struct rt_agent *a, const struct ghost_msg *m)
{
	struct runtime *rt = a->rt;
	struct ghost_policy *p = rt->policy;
	struct ghost_task *t = task_create(a, m->gtid);

	if (!t)
		return NULL;
	rt_count(&rt->counters.adopted);
	t->seq = m->seqnum - 1;
	switch (m->type) {
	case GHOST_MSG_TASK_WAKEUP:
		break;
	case GHOST_MSG_TASK_BLOCKED:
	case GHOST_MSG_TASK_PREEMPT:
	case GHOST_MSG_TASK_YIELD:
		task_set_state(t, GHOST_TASK_ON_CPU);
		break;
	default:
		task_initial_state(rt, t, LOAD(rt_task_word(rt, t)->flags) &
					  GHOST_SW_TASK_RUNNABLE);
		if (t->state == GHOST_TASK_RUNNABLE && rt->model == GHOST_MODEL_PER_CPU)
			place_task(a, t, true);
		break;
	}
	p->desc->task_new(p, t);
	return t;
}

static unsigned int preempt_flags(const struct ghost_msg *m)
{
	return (m->flags & GHOST_MSG_F_BY_HIGHER_CLASS ? GHOST_PREEMPT_BY_HIGHER_CLASS : 0) |
	       (m->flags & GHOST_MSG_F_WAS_LATCHED ? GHOST_PREEMPT_WAS_LATCHED : 0);
}

static void on_task_event(struct rt_agent *a, const struct ghost_msg *m,
			  struct ghost_cpu *from)
{
	struct runtime *rt = a->rt;
	struct ghost_policy *p = rt->policy;
	const struct ghost_policy_descriptor *d = p->desc;
	struct ghost_task *t = task_lookup(rt, m->gtid);
	bool dying = m->type == GHOST_MSG_TASK_DEAD ||
		     m->type == GHOST_MSG_TASK_DEPARTED;

	if (!t && dying)
		return;
	if (!t && !(t = task_adopt(a, m)))
		return;
	t->queue_cpu = from;
	/* A gap means messages were dropped (overflow): DISCOVER resyncs. */
	if (m->seqnum != t->seq + 1)
		rt_count(&rt->counters.seqnum_gaps);
	t->seq = m->seqnum;
	t->runtime_ns = m->runtime_ns;

	switch (m->type) {
	case GHOST_MSG_TASK_WAKEUP:
		if (t->state == GHOST_TASK_RUNNABLE)
			break;
		task_leaves_cpu(a, t);
		task_becomes_runnable(a, t, true);
		d->task_wakeup(p, t);
		break;
	case GHOST_MSG_TASK_BLOCKED:
		if (t->state == GHOST_TASK_BLOCKED)
			break;
		task_leaves_cpu(a, t);
		task_set_state(t, GHOST_TASK_BLOCKED);
		d->task_blocked(p, t);
		break;
	case GHOST_MSG_TASK_PREEMPT:
	case GHOST_MSG_TASK_YIELD:
		if (t->state == GHOST_TASK_RUNNABLE)
			break;
		task_leaves_cpu(a, t);
		task_becomes_runnable(a, t, t->state == GHOST_TASK_BLOCKED);
		if (m->type == GHOST_MSG_TASK_YIELD)
			d->task_yield(p, t);
		else
			d->task_preempted(p, t, preempt_flags(m));
		break;
	case GHOST_MSG_TASK_DEAD:
	case GHOST_MSG_TASK_DEPARTED:
		task_depart(a, t, departed_reason(m));
		break;
	case GHOST_MSG_TASK_AFFINITY_CHANGED:
		task_refresh_mask(t);
		if (t->state == GHOST_TASK_RUNNABLE && rt->model == GHOST_MODEL_PER_CPU)
			place_task(a, t, false);
		if (d->task_affinity)
			d->task_affinity(p, t);
		break;
	case GHOST_MSG_TASK_PRIORITY_CHANGED:
		t->nice = m->task_priority.nice;
		if (d->task_priority)
			d->task_priority(p, t);
		break;
	}
}

static void on_cpu_event(struct rt_agent *a, const struct ghost_msg *m)
{
	struct runtime *rt = a->rt;
	struct ghost_policy *p = rt->policy;
	const struct ghost_policy_descriptor *d = p->desc;
	struct ghost_cpu *c;

	if (m->cpu < 0 || (uint32_t)m->cpu >= rt->nr_cpu_ids) {
		rt_count(&rt->counters.backend_errors);
		return;
	}
	c = &rt->cpus[m->cpu];
	switch (m->type) {
	case GHOST_MSG_CPU_AVAILABLE:
		if (d->cpu_available)
			d->cpu_available(p, c);
		break;
	case GHOST_MSG_CPU_BUSY:
		if (d->cpu_busy)
			d->cpu_busy(p, c);
		break;
	case GHOST_MSG_CPU_TICK:
		if (d->cpu_tick)
			d->cpu_tick(p, c);
		break;
	}
}

/* @m came from @from's queue: where its task's messages go now. */
static void dispatch(struct rt_agent *a, const struct ghost_msg *m,
		     struct ghost_cpu *from)
{
	struct runtime *rt = a->rt;

	if (m->type <= GHOST_MSG_TYPE_MAX)
		rt_count(&rt->counters.msgs[m->type]);
	if (m->type == GHOST_MSG_TASK_NEW)
		on_task_new(a, m, from);
	else if (m->type > GHOST_MSG_TASK_NEW && m->type < GHOST_MSG_CPU_TICK)
		on_task_event(a, m, from);
	else if (m->type >= GHOST_MSG_CPU_TICK && m->type <= GHOST_MSG_TYPE_MAX)
		on_cpu_event(a, m);
}

/* Whether @a reads @c's queue: its own; for the leader, agent-less ones too. */
static bool agent_reads(const struct rt_agent *a, const struct ghost_cpu *c)
{
	const struct runtime *rt = a->rt;
	const struct rt_agent *owner = &rt->agents[c->id];

	if (!c->queue)
		return false;
	if (LOAD(a->applied) == RT_ROLE_GLOBAL || owner == a)
		return true;
	return a->home == rt->leader && LOAD(owner->applied) != RT_ROLE_PER_CPU;
}

static void drain_queue(struct rt_agent *a, struct ghost_cpu *c)
{
	struct runtime *rt = a->rt;
	uint32_t overflows = rt->ops->queue_overflows(rt->be, c->queue);
	struct ghost_msg m;
	unsigned int n = 0;

	if (overflows != c->overflows_seen) {
		c->overflows_seen = overflows;
		rt_count(&rt->counters.queue_overflows);
		a->want_discover = true;
	}
	while (n < RT_DRAIN_BATCH && rt->ops->queue_pop(rt->be, c->queue, &m)) {
		dispatch(a, &m, c);
		n++;
	}
	if (n == RT_DRAIN_BATCH && rt->ops->queue_pending(rt->be, c->queue))
		a->more_pending = true;
}

void agent_drain(struct rt_agent *a)
{
	struct runtime *rt = a->rt;

	a->more_pending = false;
	/* The common case, in the hot path: a per-CPU agent's own queue. */
	if (LOAD(a->applied) == RT_ROLE_PER_CPU && a->home != rt->leader) {
		drain_queue(a, &rt->cpus[a->home]);
		return;
	}
	for (uint32_t cpu = 0; cpu < rt->nr_cpu_ids; cpu++)
		if (agent_reads(a, &rt->cpus[cpu]))
			drain_queue(a, &rt->cpus[cpu]);
}
