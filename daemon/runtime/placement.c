// SPDX-License-Identifier: GPL-2.0
/*
 * Where a waiting task waits (per_cpu), and waking the agents of other
 * CPUs. Placing a task asks the policy (select_cpu), corrects an answer
 * the task could not use, and arranges for the task's messages to go to
 * the queue of the CPU it waits for, so that its next wakeup wakes the
 * agent that will run it. Association and wakes are system calls, so an
 * agent collects them while it holds the lock and makes them after.
 */
#include <errno.h>

#include "common/log.h"
#include "internal.h"

bool cpu_usable(const struct ghost_cpu *c)
{
	const struct runtime *rt = c->rt;
	const struct rt_agent *a;
	uint32_t flags;

	if (!c->in_enclave)
		return false;
	flags = rt_cpu_flags(rt, c->id);
	if (!(flags & GHOST_SW_CPU_AVAIL) || (flags & GHOST_SW_CPU_OFFLINE))
		return false;
	/*
	 * A per-CPU agent that was quiet in a local commit when the model
	 * changed still owns the CPU's slot until it has read its outcome.
	 */
	if (rt->model == GHOST_MODEL_CENTRALIZED)
		return c->id != LOAD(rt->global_cpu) && !c->local_commit;
	/* An agent that is coming counts: placement during a swap relies on it. */
	a = &rt->agents[c->id];
	return a->role == RT_ROLE_PER_CPU && !LOAD(a->gave_up);
}

bool cpu_can_take(const struct ghost_policy *p, const struct ghost_cpu *c,
		  const struct ghost_task *t)
{
	return c && c->rt == p->rt && c->in_enclave &&
	       task_allowed_on(t, c->id) && cpu_usable(c);
}

/* A CPU for @t when the policy gave none it can use. */
static struct ghost_cpu *fallback_cpu(const struct ghost_policy *p,
				      const struct ghost_task *t)
{
	struct ghost_cpu *allowed = NULL;

	for (unsigned int i = 0; i < p->nr_cpus; i++) {
		struct ghost_cpu *c = p->cpus[i];

		if (!task_allowed_on(t, c->id))
			continue;
		if (cpu_usable(c))
			return c;
		if (!allowed)
			allowed = c;
	}
	/* No CPU allows it: the kernel is evicting it; its news follows. */
	return allowed ? allowed : p->cpus[0];
}

void place_task(struct rt_agent *a, struct ghost_task *t, bool fresh)
{
	struct runtime *rt = t->rt;
	struct ghost_policy *p = rt->policy;

	if (fresh || !cpu_can_take(p, t->cpu, t)) {
		struct ghost_cpu *c = p->desc->select_cpu(p, t);

		if (!c || c->rt != rt || !c->in_enclave ||
		    !task_allowed_on(t, c->id)) {
			rt_count(&rt->counters.policy_errors);
			if (rt_worth_logging(&rt->counters.policy_errors))
				log_warn("policy %s: select_cpu gave %s%d for task %d, which cannot run there",
					 p->desc->name, c ? "CPU " : "no CPU",
					 c ? c->id : 0, t->tid);
			c = fallback_cpu(p, t);
		}
		t->cpu = c;
	}
	if (!a)
		return;
	if (t->queue_cpu != t->cpu && a->nr_assocs < RT_DRAIN_BATCH)
		a->assocs[a->nr_assocs++] = (struct rt_assoc){
			.task = t, .gtid = t->gtid, .barrier = t->seq,
			.to = t->cpu,
		};
	agent_kick(a, t->cpu);
}

/*
 * Wake @c's agent once the lock is off, if it sleeps with nothing to run:
 * waking an agent whose CPU runs a task would preempt that task.
 */
void agent_kick(struct rt_agent *a, struct ghost_cpu *c)
{
	if (a->rt->model != GHOST_MODEL_PER_CPU || c->id == a->cpu ||
	    c->current || !c->in_enclave || CPU_ISSET(c->id, &a->kicks))
		return;
	CPU_SET(c->id, &a->kicks);
	a->nr_kicks++;
}

static void agent_associate(struct rt_agent *a)
{
	struct runtime *rt = a->rt;
	int results[RT_DRAIN_BATCH];

	for (unsigned int i = 0; i < a->nr_assocs; i++) {
		struct rt_assoc *as = &a->assocs[i];

		results[i] = as->to->queue ?
			rt->ops->assoc_queue(rt->be, as->to->queue, as->gtid,
					     as->barrier) : -ENOENT;
	}
	/*
	 * ESTALE: news of the task arrived meanwhile, in its old queue, whose
	 * reader handles it; ENOENT: it is gone. Either way it stays put.
	 */
	rt_lock(rt);
	for (unsigned int i = 0; i < a->nr_assocs; i++)
		if (!results[i] && a->assocs[i].task->gtid == a->assocs[i].gtid)
			a->assocs[i].task->queue_cpu = a->assocs[i].to;
	rt_unlock(rt);
	a->nr_assocs = 0;
}

/* Make the associations and wakes collected under the lock. */
void placement_flush(struct rt_agent *a)
{
	struct runtime *rt = a->rt;

	if (a->nr_assocs)
		agent_associate(a);
	if (!a->nr_kicks)
		return;
	for (int cpu = 0; cpu < (int)rt->nr_cpu_ids && a->nr_kicks; cpu++) {
		int ret;

		if (!CPU_ISSET(cpu, &a->kicks))
			continue;
		CPU_CLR(cpu, &a->kicks);
		a->nr_kicks--;
		ret = rt->ops->ping(rt->be, cpu);
		if (!ret)
			rt_count(&rt->counters.pings);
		else if (ret != -ESRCH && ret != -ENODEV)
			rt_count(&rt->counters.backend_errors);
	}
}
