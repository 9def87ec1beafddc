// SPDX-License-Identifier: GPL-2.0
/*
 * Changes: a new policy, or new CPUs (which is a fresh instance of the
 * same policy over them), swapped in without a task ever falling to CFS.
 *
 * Prepare loads and initialises the new instance while the old one runs.
 * Quiescing asks agents to stop at a quiet point: a per-CPU agent is
 * quiet while it sleeps in the kernel (parked, or in a local commit while
 * its task runs; its records are right, see txn.c), so quiescing wakes
 * nobody and preempts no task; an agent in the middle of a step finishes
 * it first. The handshake is Dekker's: the control side sets @quiescing
 * then reads each agent's @in_step and @quiet; an agent sets @in_step
 * (and clears a @quiet left from waiting summoned) then reads @quiescing;
 * one of them sees the other.
 *
 * An agent quiet in a local commit still owns its CPU's transaction slot
 * until it has read the outcome (local_commit): a global agent that takes
 * over leaves that CPU alone until then, or it would overwrite a slot the
 * kernel has not claimed yet, and the task named there would be thought
 * running for good.
 *
 * Once all are quiet, the agents the new policy schedules with are
 * summoned (agents.c), so that waking them and their CPUs overlaps the
 * handover. Commit then holds the lock (an agent coming out of the kernel
 * waits for it) while it hands the task table over and assigns new roles.
 * Resume completes the roles of agents already where their roles need
 * them, wakes the agents that have something to do, and the rest take
 * their roles themselves.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/cpulist.h"
#include "internal.h"

int rt_prepare_swap(struct runtime *rt, const char *plugin, const json_t *params,
		    char *why, size_t len)
{
	if (rt->next) {
		snprintf(why, len, "another change is being made");
		return -1;
	}
	rt->next = instance_create(rt, plugin, params, &rt->cpuset, why, len);
	if (!rt->next)
		return -1;
	rt->next_cpuset = rt->cpuset;
	return 0;
}

int rt_prepare_cpus(struct runtime *rt, const cpu_set_t *cpus, char *why,
		    size_t len)
{
	int ret;

	if (rt->next) {
		snprintf(why, len, "another change is being made");
		return -1;
	}
	if (!CPU_COUNT(cpus)) {
		snprintf(why, len, "an enclave needs at least one CPU");
		return -1;
	}
	for (int cpu = rt->nr_cpu_ids; cpu < CPU_SETSIZE; cpu++) {
		if (CPU_ISSET(cpu, cpus)) {
			snprintf(why, len, "CPU %d is beyond the %u CPUs of this machine",
				 cpu, rt->nr_cpu_ids);
			return -1;
		}
	}
	/* New CPUs need a queue; it wakes nobody until their agent is there. */
	for (uint32_t cpu = 0; cpu < rt->nr_cpu_ids; cpu++) {
		if (!CPU_ISSET(cpu, cpus))
			continue;
		ret = rt_queue_for(rt, cpu, -1);
		if (ret) {
			snprintf(why, len, "cannot create a queue for CPU %u: %s",
				 cpu, strerror(-ret));
			return -1;
		}
	}
	rt->next = instance_create(rt, rt->policy->desc->name,
				   rt->policy->params_json, cpus, why, len);
	if (!rt->next)
		return -1;
	rt->next_cpuset = *cpus;
	return 0;
}

void rt_abort(struct runtime *rt)
{
	instance_destroy(rt->next);
	rt->next = NULL;
	rt->next_cpuset = rt->cpuset;
}

void rt_quiesce(struct runtime *rt)
{
	rt->quiesce_start = rt->ops->now_ns(rt->be);
	rt->committed = false;
	STORE_SC(rt->quiescing, 1);
}

bool rt_quiesced(const struct runtime *rt)
{
	for (uint32_t cpu = 0; cpu < rt->nr_cpu_ids; cpu++) {
		const struct rt_agent *a = &rt->agents[cpu];

		if (LOAD_SC(a->in_step) && !LOAD_SC(a->quiet))
			return false;
	}
	return true;
}

bool rt_summon(struct runtime *rt)
{
	return agents_summon(rt);
}

bool rt_agent_summoned(const struct runtime *rt, unsigned int agent)
{
	return agent < rt->nr_cpu_ids && LOAD(rt->agents[agent].summoned) &&
	       LOAD(rt->agents[agent].cpu) < 0;
}

/* Under the lock: the enclave now has rt->next_cpuset. */
static int cpus_apply(struct runtime *rt, char *why, size_t len)
{
	char list[256];
	int leader, ret = rt->ops->set_cpus(rt->be, &rt->next_cpuset);

	if (ret) {
		snprintf(why, len, "the kernel refused CPUs %s: %s",
			 cpulist_format(&rt->next_cpuset, list, sizeof(list)),
			 strerror(-ret));
		return -1;
	}
	rt->cpuset = rt->next_cpuset;
	for (uint32_t cpu = 0; cpu < rt->nr_cpu_ids; cpu++)
		rt->cpus[cpu].in_enclave = CPU_ISSET(cpu, &rt->cpuset);
	if (rt->cpus[rt->leader].in_enclave)
		return 0;
	/* The leader's CPU left: the lowest CPU's queue becomes the default. */
	for (leader = 0; !rt->cpus[leader].in_enclave; leader++)
		;
	STORE(rt->leader, leader);
	ret = rt->ops->queue_set_default(rt->be, rt->cpus[leader].queue);
	if (ret)
		rt_count(&rt->counters.backend_errors);
	return 0;
}

int rt_commit(struct runtime *rt, char *why, size_t len)
{
	struct ghost_policy *old = rt->policy, *next = rt->next;

	if (!next) {
		snprintf(why, len, "no change was prepared");
		return -1;
	}
	rt_lock(rt);
	if (!CPU_EQUAL(&rt->next_cpuset, &rt->cpuset) && cpus_apply(rt, why, len)) {
		rt_unlock(rt);
		return -1;
	}
	snprintf(rt->last_swap.from, sizeof(rt->last_swap.from), "%s",
		 old->desc->name);
	snprintf(rt->last_swap.to, sizeof(rt->last_swap.to), "%s",
		 next->desc->name);
	rt->next = NULL;
	STORE(rt->model, next->desc->model);
	rt->change_start = rt->quiesce_start;
	STORE(rt->roles_done_at, 0);
	roles_assign(rt);
	instance_adopt_tasks(next);
	rt->committed = true;
	rt_unlock(rt);
	rt->retired = old;
	return 0;
}

/* Whether @a reads a queue that holds messages. */
static bool agent_has_news(const struct runtime *rt, const struct rt_agent *a)
{
	bool reads_all = a->home == rt->leader;

	for (uint32_t cpu = 0; cpu < rt->nr_cpu_ids; cpu++) {
		const struct ghost_cpu *c = &rt->cpus[cpu];

		if (c->queue && ((int)cpu == a->home || reads_all) &&
		    rt->ops->queue_pending(rt->be, c->queue))
			return true;
	}
	return false;
}

/*
 * The agents to wake at resume: those with work - a new role, news in
 * their queues, or (per_cpu) tasks waiting for their idle CPU. Agents
 * whose CPU runs a task sleep on: waking them would preempt it.
 */
static void agents_with_work(struct runtime *rt, cpu_set_t *wake)
{
	cpu_set_t waiting;

	CPU_ZERO(&waiting);
	CPU_ZERO(wake);
	rt_lock(rt);
	for (uint32_t i = 0; i < rt->nr_task_words; i++) {
		const struct ghost_task *t = &rt->tasks[i];

		if (t->gtid && t->state == GHOST_TASK_RUNNABLE && t->cpu)
			CPU_SET(t->cpu->id, &waiting);
	}
	for (uint32_t cpu = 0; cpu < rt->nr_cpu_ids; cpu++) {
		const struct rt_agent *a = &rt->agents[cpu];
		int at = LOAD(a->cpu);

		if (at < 0)
			continue;
		if (a->role != LOAD(a->applied) || agent_has_news(rt, a) ||
		    LOAD(a->applied) == RT_ROLE_GLOBAL ||
		    (CPU_ISSET(at, &waiting) && !rt->cpus[at].current))
			CPU_SET(at, wake);
	}
	rt_unlock(rt);
}

void rt_resume(struct runtime *rt)
{
	cpu_set_t wake;

	if (rt->committed) {
		rt_lock(rt);
		roles_complete_ready(rt);
		rt_unlock(rt);
	}
	agents_with_work(rt, &wake);
	if (rt->committed)
		rt->resumed_at = rt->ops->now_ns(rt->be);
	STORE_SC(rt->quiescing, 0);
	for (uint32_t cpu = 0; cpu < rt->nr_cpu_ids; cpu++) {
		STORE(rt->agents[cpu].summoned, 0);
		if (CPU_ISSET(cpu, &wake) && !rt->ops->ping(rt->be, cpu))
			rt_count(&rt->counters.pings);
	}
	instance_destroy(rt->retired);
	rt->retired = NULL;
}

bool rt_change_done(const struct runtime *rt)
{
	return !LOAD(rt->roles_pending);
}
