// SPDX-License-Identifier: GPL-2.0
/*
 * A step of a per-CPU agent: read its news, and if its CPU has nothing
 * committed, commit the task the policy picks (or steals) on it and sleep
 * in the kernel while that task runs; else park.
 *
 * The CPU's agent barrier is read before the queues are: whatever arrives
 * after the drain then makes the local commit fail AGENT_STALE, or the
 * park ESTALE, instead of being slept through.
 */
#include <errno.h>

#include "common/log.h"
#include "internal.h"

/*
 * Whether @t, returned by the policy for @c, can be committed there. A
 * task the policy should not have held is ignored; one it may not run
 * here is given back, placed where it can run.
 */
static bool pick_acceptable(struct rt_agent *a, struct ghost_cpu *c,
			    struct ghost_task *t, const char *callback)
{
	struct runtime *rt = a->rt;
	struct ghost_policy *p = rt->policy;

	if (t->rt == rt && t->gtid && t->state == GHOST_TASK_RUNNABLE &&
	    task_allowed_on(t, c->id))
		return true;
	rt_count(&rt->counters.policy_errors);
	if (rt_worth_logging(&rt->counters.policy_errors))
		log_warn("policy %s: %s on CPU %d gave a task that %s",
			 p->desc->name, callback, c->id,
			 t->rt == rt && t->state == GHOST_TASK_RUNNABLE ?
			 "may not run there" : "was not waiting");
	if (t->rt == rt && t->state == GHOST_TASK_RUNNABLE) {
		place_task(a, t, false);
		p->desc->task_preempted(p, t, GHOST_PREEMPT_NOT_COMMITTED);
		/* Look again at once rather than park. */
		a->more_pending = true;
	}
	return false;
}

/* The task @c runs next, committed optimistically (see txn.c), or NULL. */
static struct ghost_task *agent_choose(struct rt_agent *a, struct ghost_cpu *c,
				       uint32_t agent_barrier)
{
	struct ghost_policy *p = a->rt->policy;
	struct ghost_task *t;

	/* A task committed here keeps the CPU until its news says otherwise. */
	if (c->current || !cpu_usable(c))
		return NULL;
	t = p->desc->pick_next(p, c);
	if (t && !pick_acceptable(a, c, t, "pick_next"))
		return NULL;
	if (!t && p->desc->steal) {
		t = p->desc->steal(p, c);
		if (t && !pick_acceptable(a, c, t, "steal"))
			return NULL;
		if (t) {
			t->cpu = c;
			place_task(a, t, false);
		}
	}
	if (t)
		txn_latch(a->rt, c, t, agent_barrier);
	return t;
}

/*
 * Our CPU cannot run tasks (a higher class has it) while tasks wait: wake
 * an idle CPU's agent, so that it steals rather than let them starve.
 */
static void rescue_waiting(struct rt_agent *a, struct ghost_cpu *c)
{
	struct ghost_policy *p = a->rt->policy;

	for (unsigned int i = 0; i < p->nr_cpus; i++) {
		struct ghost_cpu *d = p->cpus[i];

		if (d != c && !d->current && cpu_usable(d)) {
			agent_kick(a, d);
			return;
		}
	}
}

static enum rt_step commit_local(struct rt_agent *a, struct ghost_cpu *c,
				 struct ghost_task *t, uint64_t gtid,
				 uint32_t agent_barrier)
{
	struct runtime *rt = a->rt;
	cpu_set_t set;
	int ret, state;

	CPU_ZERO(&set);
	CPU_SET(c->id, &set);
	/* On success the kernel parks us until something happens. */
	STORE_SC(a->quiet, 1);
	ret = rt->ops->commit(rt->be, a->home, &set, 0);
	STORE(a->quiet, 0);
	if (ret == -ENODEV || ret == -EPERM)
		agent_lost(a, ret);
	state = txn_outcome(rt, c->id, ret);

	rt_lock(rt);
	rt->policy->agent = a;
	txn_settle(a, c, t, gtid, NULL, state);
	c->local_commit = false;
	rt->policy->agent = NULL;
	rt_unlock(rt);
	agent_after_lock(a);

	if (state == GHOST_TXN_CPU_UNAVAIL && LOAD(a->cpu) >= 0)
		agent_park(a, agent_barrier);
	return RT_STEP_AGAIN;
}

enum rt_step per_cpu_step(struct rt_agent *a)
{
	struct runtime *rt = a->rt;
	struct ghost_cpu *c = &rt->cpus[LOAD(a->cpu)];
	uint32_t agent_barrier = rt_cpu_barrier(rt, c->id);
	struct ghost_task *t = NULL;
	uint64_t gtid = 0;

	rt_lock(rt);
	rt->policy->agent = a;
	agent_drain(a);
	if (!a->more_pending)
		t = agent_choose(a, c, agent_barrier);
	if (t) {
		gtid = t->gtid;
		c->local_commit = true;
	} else if (!cpu_usable(c) && LOAD(rt->nr_state[GHOST_TASK_RUNNABLE]))
		rescue_waiting(a, c);
	rt->policy->agent = NULL;
	rt_unlock(rt);
	agent_after_lock(a);

	if (t)
		return commit_local(a, c, t, gtid, agent_barrier);
	if (!a->more_pending)
		agent_park(a, agent_barrier);
	return RT_STEP_AGAIN;
}
