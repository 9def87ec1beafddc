// SPDX-License-Identifier: GPL-2.0
/*
 * Transactions: filling slots, the global agent's round of assignments
 * (one group commit, plus a sync group per ghost_assign_sync), and what
 * each outcome means for the task.
 *
 * A task is counted as committed (ON_CPU) when its slot is filled, before
 * the commit: that is the common outcome, and it keeps the task table
 * right while an agent sleeps inside a local commit, which parks it until
 * the task is done. An outcome other than COMPLETE undoes it: the task is
 * given back to the policy (task_preempted, GHOST_PREEMPT_NOT_COMMITTED),
 * unless the kernel said where it really is.
 */
#include <errno.h>

#include "common/log.h"
#include "internal.h"

/* An outcome for a slot no commit claimed (the commit call failed). */
#define TXN_NOT_CLAIMED		(-1)

void txn_fill(struct runtime *rt, int cpu, uint64_t target,
	      uint32_t task_barrier, uint32_t agent_barrier)
{
	struct ghost_txn *txn = &rt->txns[cpu];

	txn->target = target;
	txn->task_barrier = task_barrier;
	txn->agent_barrier = agent_barrier;
	txn->run_flags = 0;
	/* The kernel reads the fields once it sees READY: publish it last. */
	STORE(txn->state, GHOST_TXN_READY);
}

void txn_latch(struct runtime *rt, struct ghost_cpu *c, struct ghost_task *t,
	       uint32_t agent_barrier)
{
	txn_fill(rt, c->id, t->gtid, t->seq, agent_barrier);
	task_set_state(t, GHOST_TASK_ON_CPU);
	t->in_flight = true;
	t->cpu = c;
	t->committed_at = rt->ops->now_ns(rt->be);
	c->current = t;
}

int txn_outcome(struct runtime *rt, int cpu, int commit_ret)
{
	struct ghost_txn *txn = &rt->txns[cpu];
	int state = LOAD(txn->state);
	int ready = GHOST_TXN_READY;

	if (state >= GHOST_TXN_COMPLETE && state <= GHOST_TXN_STATE_MAX)
		return state;
	/* Unclaimed, it would make the next commit naming it fail EBUSY. */
	__atomic_compare_exchange_n(&txn->state, &ready, GHOST_TXN_IDLE, false,
				    __ATOMIC_RELEASE, __ATOMIC_RELAXED);
	if (commit_ret >= 0)
		rt_count(&rt->counters.backend_errors);
	return TXN_NOT_CLAIMED;
}

/* Whether a CPU's word shows @gtid running: a commit put it there. */
static bool runs_committed(const struct runtime *rt, uint64_t gtid)
{
	for (uint32_t cpu = 0; cpu < rt->nr_cpu_ids; cpu++)
		if (rt->cpus[cpu].in_enclave && LOAD(rt_cpu_word(rt, cpu)->gtid) == gtid)
			return true;
	return false;
}

void txn_settle(struct rt_agent *a, struct ghost_cpu *c, struct ghost_task *t,
		uint64_t gtid, struct ghost_task *prev, int state)
{
	struct runtime *rt = a->rt;
	struct ghost_policy *p = rt->policy;

	if (state >= 0)
		rt_count(&rt->counters.commits[state]);
	if (t->gtid == gtid)
		t->in_flight = false;
	if (state == GHOST_TXN_COMPLETE)
		return;
	/* Its news, read by another agent meanwhile, has said more already. */
	if (t->gtid != gtid || t->state != GHOST_TASK_ON_CPU || t->cpu != c)
		return;
	if (c->current == t)
		c->current = prev && prev->state == GHOST_TASK_ON_CPU &&
			     prev->cpu == c ? prev : NULL;
	switch (state) {
	case GHOST_TXN_TARGET_ONCPU:
		/*
		 * Running without a commit: it entered the enclave while it ran
		 * and stops at once, and no message will say so (its TASK_NEW
		 * said runnable). Try again, until it has stopped.
		 */
		if (!runs_committed(rt, gtid))
			break;
		/* fallthrough */
	case GHOST_TXN_TARGET_LATCHED:
		/* On a CPU we do not know (a dead agent's latch): news follows. */
		t->cpu = NULL;
		return;
	case GHOST_TXN_TARGET_NOT_RUNNABLE:
	case GHOST_TXN_TARGET_NOT_FOUND:
		/* Asleep or gone: its TASK_BLOCKED or TASK_DEAD is on the way. */
		task_set_state(t, GHOST_TASK_BLOCKED);
		return;
	case GHOST_TXN_TARGET_NOT_ALLOWED:
		task_refresh_mask(t);
		break;
	case GHOST_TXN_TARGET_STALE:
	case GHOST_TXN_AGENT_STALE:
	case GHOST_TXN_CPU_UNAVAIL:
	case GHOST_TXN_CPU_BUSY:
	case GHOST_TXN_POISONED:
	case TXN_NOT_CLAIMED:
		/* Ordinary races: try again with fresher news. */
		break;
	default:
		/* The runtime built a transaction the kernel calls invalid. */
		rt_count(&rt->counters.backend_errors);
		if (rt_worth_logging(&rt->counters.backend_errors))
			log_error("commit of task %d on CPU %d ended in state %d",
				  t->tid, c->id, state);
		break;
	}
	rt_count(&rt->counters.handed_back);
	if (rt->model == GHOST_MODEL_CENTRALIZED)
		t->cpu = NULL;
	task_becomes_runnable(a, t, false);
	p->desc->task_preempted(p, t, GHOST_PREEMPT_NOT_COMMITTED);
}

/* Entries of @pending are read only for CPUs in @cpus: clearing that suffices. */
void round_begin(struct runtime *rt)
{
	struct rt_round *r = &rt->round;

	CPU_ZERO(&r->cpus);
	r->nr = 0;
	r->nr_groups = 0;
}

static int assignment_check(const struct ghost_policy *p,
			    const struct ghost_assignment *v, unsigned int n,
			    unsigned int i)
{
	const struct runtime *rt = p->rt;
	const struct ghost_cpu *c = v[i].cpu;
	const struct ghost_task *t = v[i].task;

	if (!c || c->rt != rt || !c->in_enclave || c->id == LOAD(rt->global_cpu))
		return -EINVAL;
	if (!t || t->rt != rt || !t->gtid || t->state != GHOST_TASK_RUNNABLE ||
	    !task_allowed_on(t, c->id))
		return -EINVAL;
	if (CPU_ISSET(c->id, &rt->round.cpus) || c->local_commit)
		return -EBUSY;
	for (unsigned int j = 0; j < i && j < n; j++) {
		if (v[j].cpu == c)
			return -EBUSY;
		if (v[j].task == t)
			return -EINVAL;
	}
	return 0;
}

int round_assign(struct ghost_policy *p, const struct ghost_assignment *v,
		 unsigned int n, unsigned int group)
{
	struct runtime *rt = p->rt;
	struct rt_round *r = &rt->round;

	if (p != rt->policy || !p->in_schedule)
		return -EPERM;
	for (unsigned int i = 0; i < n; i++) {
		int ret = assignment_check(p, v, n, i);

		if (ret) {
			rt_count(&rt->counters.policy_errors);
			return ret;
		}
	}
	for (unsigned int i = 0; i < n; i++) {
		struct ghost_cpu *c = v[i].cpu;
		struct ghost_task *t = v[i].task;

		r->pending[c->id] = (struct rt_pending){
			.task = t, .prev = c->current, .gtid = t->gtid,
			.group = group,
		};
		txn_latch(rt, c, t, 0);
		CPU_SET(c->id, &r->cpus);
		r->nr++;
	}
	if (group)
		r->nr_groups = group;
	return 0;
}

/* Commit the CPUs of @r in @group; returns the backend's answer. */
static int round_commit_group(struct rt_agent *a, unsigned int group)
{
	struct runtime *rt = a->rt;
	struct rt_round *r = &rt->round;
	cpu_set_t set;

	CPU_ZERO(&set);
	for (uint32_t cpu = 0; cpu < rt->nr_cpu_ids; cpu++)
		if (CPU_ISSET(cpu, &r->cpus) && r->pending[cpu].group == group)
			CPU_SET(cpu, &set);
	if (!CPU_COUNT(&set))
		return 0;
	return rt->ops->commit(rt->be, a->home, &set,
			       group ? GHOST_COMMIT_F_SYNC_GROUP : 0);
}

void round_commit(struct rt_agent *a)
{
	struct runtime *rt = a->rt;
	struct rt_round *r = &rt->round;
	int ret = 0;

	if (!r->nr)
		return;
	/* Sync groups first: their CPUs are held while they are checked. */
	for (unsigned int g = 1; g <= r->nr_groups; g++) {
		int err = round_commit_group(a, g);

		if (err && !ret)
			ret = err;
	}
	if (!ret)
		ret = round_commit_group(a, 0);
	else
		round_commit_group(a, 0);
	if (ret == -ENODEV || ret == -EPERM)
		agent_lost(a, ret);
	rt_lock(rt);
	rt->policy->agent = a;
	for (uint32_t cpu = 0; cpu < rt->nr_cpu_ids; cpu++) {
		struct rt_pending *pd = &r->pending[cpu];

		if (!CPU_ISSET(cpu, &r->cpus))
			continue;
		txn_settle(a, &rt->cpus[cpu], pd->task, pd->gtid, pd->prev,
			   txn_outcome(rt, cpu, ret));
	}
	round_begin(rt);
	rt->policy->agent = NULL;
	rt_unlock(rt);
}
