// SPDX-License-Identifier: GPL-2.0
/*
 * A step of the global agent: read every queue, let the policy assign
 * tasks to CPUs, commit them all at once, and give back what the kernel
 * refused. It spins while tasks wait, so that freed CPUs are filled at
 * once, and parks after a short idle spell; every queue wakes it. When a
 * higher class wants its CPU (GHOST_SW_CPU_BOOST), it moves to another
 * CPU of the enclave, preferring an idle one, or parks if none is free.
 */
#include <errno.h>

#include "internal.h"

static enum rt_step make_way(struct rt_agent *a)
{
	struct runtime *rt = a->rt;
	int here = LOAD(a->cpu), busy = -1, to = -1;

	for (uint32_t cpu = 0; cpu < rt->nr_cpu_ids && to < 0; cpu++) {
		uint32_t flags;

		if (!rt->cpus[cpu].in_enclave || (int)cpu == here)
			continue;
		flags = rt_cpu_flags(rt, cpu);
		if (!(flags & GHOST_SW_CPU_AVAIL) ||
		    (flags & (GHOST_SW_CPU_OFFLINE | GHOST_SW_CPU_HAS_AGENT)))
			continue;
		/* Only this agent commits in this model: current is ours to read. */
		if (!rt->cpus[cpu].current)
			to = cpu;
		else if (busy < 0)
			busy = cpu;
	}
	if (to < 0)
		to = busy;
	if (to >= 0) {
		int ret = rt->ops->agent_move(rt->be, a->home, to);

		if (!ret) {
			STORE(a->cpu, to);
			STORE(rt->global_cpu, to);
			rt_count(&rt->counters.agent_moves);
			for (uint32_t cpu = 0; cpu < rt->nr_cpu_ids; cpu++)
				if (rt->cpus[cpu].queue &&
				    rt->ops->queue_set_wakeup(rt->be, rt->cpus[cpu].queue, to))
					rt_count(&rt->counters.backend_errors);
			return RT_STEP_AGAIN;
		}
		if (ret == -ENODEV || ret == -EPERM) {
			agent_lost(a, ret);
			return RT_STEP_AGAIN;
		}
	}
	/*
	 * Nowhere to go: no other CPU could run a task either. Give the CPU
	 * up at once, news unread (a stale barrier would keep us spinning
	 * on it); its CPU coming back, or any other CPU's (CPU_AVAILABLE of
	 * an agent-less CPU reaches our queues), wakes us.
	 */
	agent_park(a, rt_cpu_barrier(rt, here));
	return RT_STEP_AGAIN;
}

/*
 * A task committed on the global agent's own CPU cannot run while the
 * agent spins there: it was latched just before this agent became the
 * global one (its last local commit, or a dead agent's) and the kernel
 * keeps it latched until the CPU's agent parks, which a global agent does
 * not do while tasks wait. Take it off (TARGET_NONE): its TASK_PREEMPT
 * (GHOST_MSG_F_WAS_LATCHED) gives it back to the policy. A task that ran
 * and was preempted by this agent is not latched; that commit changes
 * nothing, and its own TASK_PREEMPT is on the way. Once per task.
 */
static void unlatch_own_cpu(struct rt_agent *a, int cpu, uint64_t gtid,
			    uint32_t agent_barrier)
{
	struct runtime *rt = a->rt;
	cpu_set_t set;
	int ret;

	if (!gtid || gtid == a->unlatched) {
		a->unlatched = gtid;
		return;
	}
	txn_fill(rt, cpu, GHOST_TARGET_NONE, 0, agent_barrier);
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	ret = rt->ops->commit(rt->be, a->home, &set, 0);
	if (ret == -ENODEV || ret == -EPERM)
		agent_lost(a, ret);
	/* Stale or refused: try again next step, with fresher news. */
	if (txn_outcome(rt, cpu, ret) == GHOST_TXN_COMPLETE)
		a->unlatched = gtid;
}

enum rt_step global_step(struct rt_agent *a)
{
	struct runtime *rt = a->rt;
	struct ghost_policy *p = rt->policy;
	int cpu = LOAD(a->cpu);
	uint32_t agent_barrier;
	bool assigned;
	uint64_t now, stuck = 0;

	if (rt_cpu_flags(rt, cpu) & GHOST_SW_CPU_BOOST)
		return make_way(a);
	agent_barrier = rt_cpu_barrier(rt, cpu);

	rt_lock(rt);
	p->agent = a;
	agent_drain(a);
	round_begin(rt);
	p->in_schedule = true;
	p->desc->schedule(p);
	p->in_schedule = false;
	assigned = rt->round.nr;
	if (rt->cpus[cpu].current && !rt->cpus[cpu].local_commit)
		stuck = rt->cpus[cpu].current->gtid;
	p->agent = NULL;
	rt_unlock(rt);
	agent_after_lock(a);
	round_commit(a);
	unlatch_own_cpu(a, cpu, stuck, agent_barrier);

	if (assigned || a->more_pending || LOAD(rt->nr_state[GHOST_TASK_RUNNABLE])) {
		a->idle_since = 0;
		return RT_STEP_AGAIN;
	}
	now = rt->ops->now_ns(rt->be);
	if (!a->idle_since) {
		a->idle_since = now;
	} else if (now - a->idle_since >= RT_GLOBAL_IDLE_SPIN_NS) {
		a->idle_since = 0;
		agent_park(a, agent_barrier);
	}
	return RT_STEP_AGAIN;
}
