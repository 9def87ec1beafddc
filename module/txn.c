// SPDX-License-Identifier: GPL-2.0
/*
 * Transactions: an agent's decisions, written into per-CPU slots of the
 * shared transaction region and committed by GHOST_IOC_COMMIT.
 *
 * The kernel claims a READY slot with cmpxchg, copies its fields once and
 * checks only that copy, so an agent rewriting the slot meanwhile changes
 * nothing. A sync group latches its tasks as *pending*, which the pick
 * ignores, and releases them only once every slot passed; otherwise it
 * withdraws the pending latches, so no task of a failed group runs.
 */
#include <linux/ktime.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/slab.h>

#include "ghost.h"

struct ghost_txn_req {
	int cpu;
	u64 target;
	u32 task_barrier;
	u32 agent_barrier;
	u32 run_flags;
	int state;
};

static bool ghost_txn_claim(struct ghost_enclave *e, struct ghost_txn_req *req)
{
	struct ghost_txn *txn = &e->txns[req->cpu];

	if (cmpxchg(&txn->state, GHOST_TXN_READY, GHOST_TXN_CLAIMED) !=
	    GHOST_TXN_READY)
		return false;
	/* Pairs with the agent's release store of READY. */
	smp_mb();
	req->target = READ_ONCE(txn->target);
	req->task_barrier = READ_ONCE(txn->task_barrier);
	req->agent_barrier = READ_ONCE(txn->agent_barrier);
	req->run_flags = READ_ONCE(txn->run_flags);
	return true;
}

static void ghost_txn_finish(struct ghost_enclave *e, struct ghost_txn_req *req)
{
	struct ghost_txn *txn = &e->txns[req->cpu];

	WRITE_ONCE(txn->commit_time_ns, ktime_get_ns());
	/* A final state comes with its commit time. */
	smp_store_release(&txn->state, req->state);
	atomic64_inc(&e->stats.commits[req->state]);
}

static bool ghost_txn_is_task(struct ghost_txn_req *req)
{
	return req->target != GHOST_TARGET_NONE &&
	       req->target != GHOST_TARGET_PING;
}

/* Checks that need no lock: where, what flags, and for a local commit, when. */
static int ghost_txn_precheck(struct ghost_enclave *e, struct ghost_txn_req *req,
			      int self)
{
	if (!cpumask_test_cpu(req->cpu, e->cpus))
		return GHOST_TXN_INVALID_CPU;
	if (req->run_flags & ~GHOST_RUN_F_ALL)
		return GHOST_TXN_INVALID_FLAGS;
	if (req->cpu == self &&
	    READ_ONCE(e->words[req->cpu].barrier) != req->agent_barrier)
		return GHOST_TXN_AGENT_STALE;
	return GHOST_TXN_COMPLETE;
}

/* Wake the agent of the slot's CPU. */
static int ghost_txn_ping(struct ghost_enclave *e, struct ghost_txn_req *req)
{
	struct ghost_cpu *gc = ghost_cpu(req->cpu);
	int state = GHOST_TXN_COMPLETE;
	unsigned long flags;
	struct rq *rq;

	rq = ghost_cpu_rq_lock(req->cpu, &flags);
	if (gc->enclave != e)
		state = GHOST_TXN_INVALID_CPU;
	else if (!gc->agent)
		state = GHOST_TXN_NO_AGENT;
	else
		ghost_agent_wake(rq, req->cpu);
	ghost_rq_unlock(rq, flags);
	return state;
}

/* Run no ghost task on the slot's CPU: drop its latch, preempt its task. */
static int ghost_txn_none(struct ghost_enclave *e, struct ghost_txn_req *req)
{
	struct ghost_cpu *gc = ghost_cpu(req->cpu);
	int state = GHOST_TXN_COMPLETE;
	unsigned long flags;
	struct rq *rq;

	rq = ghost_cpu_rq_lock(req->cpu, &flags);
	if (gc->enclave != e) {
		state = GHOST_TXN_INVALID_CPU;
	} else {
		if (gc->latched)
			ghost_task_unlatch(rq, ghost_task_of(gc->latched), true);
		if (gc->running) {
			gc->preempt_running = true;
			ghost_resched_curr(rq);
		}
		if (req->run_flags & GHOST_RUN_F_NOT_IDLE)
			gc->want_not_idle = true;
	}
	ghost_rq_unlock(rq, flags);
	return state;
}

/* Under the target's rq lock, which it holds for the CPU it is queued on. */
static int ghost_txn_check_target(struct rq *rq, struct task_struct *p,
				  struct ghost_task *gt, struct ghost_txn_req *req)
{
	if (gt->barrier != req->task_barrier)
		return GHOST_TXN_TARGET_STALE;
	if (ghost_rq_curr(rq) == p || p->on_cpu)
		return GHOST_TXN_TARGET_ONCPU;
	if (!ghost_task_queued(p))
		return GHOST_TXN_TARGET_NOT_RUNNABLE;
	if (!cpumask_test_cpu(req->cpu, p->cpus_ptr))
		return GHOST_TXN_TARGET_NOT_ALLOWED;
	return GHOST_TXN_COMPLETE;
}

/* Under the slot CPU's rq lock: may the committed task run there? */
static int ghost_txn_check_cpu(struct rq *rq, struct ghost_enclave *e,
			       struct ghost_txn_req *req, struct task_struct *p)
{
	struct ghost_cpu *gc = ghost_cpu(req->cpu);

	if (gc->enclave != e)
		return GHOST_TXN_INVALID_CPU;
	if (ghost_rq_nr_running_above(rq)) {
		/*
		 * The CPU's agent will wait for CPU_AVAILABLE: record the
		 * busy CPU now, or a higher-class task that leaves without
		 * ever running here would leave nothing to report.
		 */
		if (gc->agent)
			ghost_update_availability(rq, gc);
		return GHOST_TXN_CPU_UNAVAIL;
	}
	if ((req->run_flags & GHOST_RUN_F_NO_PREEMPT) &&
	    (gc->running || (gc->latched && gc->latched != p)))
		return GHOST_TXN_CPU_BUSY;
	return GHOST_TXN_COMPLETE;
}

/* Latch the target task on the slot's CPU, moving it there first. */
static int ghost_txn_latch(struct ghost_enclave *e, struct ghost_txn_req *req,
			   bool pending)
{
	struct ghost_cpu *gc = ghost_cpu(req->cpu);
	struct task_struct *p, *old;
	struct ghost_task *gt;
	unsigned long flags;
	struct rq *rq;
	int state;

	p = ghost_task_find(e, req->target);
	if (!p)
		return GHOST_TXN_TARGET_NOT_FOUND;

	rq = ghost_task_rq_lock(p, &flags);
	gt = ghost_task_of(p);
	if (!gt || gt->agent || gt->gtid != req->target) {
		state = GHOST_TXN_TARGET_NOT_FOUND;
		goto unlock;
	}
	state = ghost_txn_check_target(rq, p, gt, req);
	if (state != GHOST_TXN_COMPLETE)
		goto unlock;
	if (ghost_rq_cpu(rq) != req->cpu) {
		gt->moving = true;
		rq = ghost_move_task(rq, p, req->cpu);
		gt->moving = false;
		if (ghost_rq_cpu(rq) != req->cpu) {
			state = GHOST_TXN_TARGET_NOT_ALLOWED;
			goto unlock;
		}
	}
	state = ghost_txn_check_cpu(rq, e, req, p);
	if (state != GHOST_TXN_COMPLETE)
		goto unlock;

	old = gc->latched;
	if (old && old != p)
		ghost_task_unlatch(rq, ghost_task_of(old), true);
	gc->latched = p;
	gc->latch_pending = pending;
	gt->latched_cpu = req->cpu;
	ghost_task_set_word(gt, GHOST_SW_TASK_LATCHED, 0);
	if (!pending)
		ghost_resched_curr(rq);
unlock:
	ghost_task_rq_unlock(rq, p, flags);
	put_task_struct(p);
	return state;
}

static int ghost_txn_apply(struct ghost_enclave *e, struct ghost_txn_req *req,
			   int self)
{
	int state = ghost_txn_precheck(e, req, self);

	if (state != GHOST_TXN_COMPLETE)
		return state;
	if (req->target == GHOST_TARGET_PING)
		return ghost_txn_ping(e, req);
	if (req->target == GHOST_TARGET_NONE)
		return ghost_txn_none(e, req);
	return ghost_txn_latch(e, req, false);
}

/*
 * The first half of a sync group: every check, and pending latches.
 * Pings and TARGET_NONE have no pending form; they act at release.
 */
static int ghost_txn_prepare(struct ghost_enclave *e, struct ghost_txn_req *req,
			     int self)
{
	struct ghost_cpu *gc = ghost_cpu(req->cpu);
	int state = ghost_txn_precheck(e, req, self);
	unsigned long flags;
	struct rq *rq;

	if (state != GHOST_TXN_COMPLETE || ghost_txn_is_task(req))
		return state == GHOST_TXN_COMPLETE ?
		       ghost_txn_latch(e, req, true) : state;

	rq = ghost_cpu_rq_lock(req->cpu, &flags);
	if (gc->enclave != e)
		state = GHOST_TXN_INVALID_CPU;
	else if (req->target == GHOST_TARGET_PING && !gc->agent)
		state = GHOST_TXN_NO_AGENT;
	ghost_rq_unlock(rq, flags);
	return state;
}

/* End a prepared slot: release its pending latch or withdraw it. */
static void ghost_txn_conclude(struct ghost_enclave *e, struct ghost_txn_req *req,
			       bool release)
{
	struct ghost_cpu *gc = ghost_cpu(req->cpu);
	unsigned long flags;
	struct rq *rq;

	if (!ghost_txn_is_task(req)) {
		if (release)
			req->state = req->target == GHOST_TARGET_PING ?
				     ghost_txn_ping(e, req) : ghost_txn_none(e, req);
		return;
	}
	rq = ghost_cpu_rq_lock(req->cpu, &flags);
	if (gc->latched && gc->latch_pending &&
	    ghost_task_of(gc->latched)->gtid == req->target) {
		if (release) {
			gc->latch_pending = false;
			ghost_resched_curr(rq);
		} else {
			ghost_task_unlatch(rq, ghost_task_of(gc->latched), false);
		}
	}
	ghost_rq_unlock(rq, flags);
}

static void ghost_commit_sync(struct ghost_enclave *e, struct ghost_txn_req *reqs,
			      int n, int self)
{
	int i, failed = -1;

	for (i = 0; i < n && failed < 0; i++) {
		reqs[i].state = ghost_txn_prepare(e, &reqs[i], self);
		if (reqs[i].state != GHOST_TXN_COMPLETE)
			failed = i;
	}
	for (i = 0; i < n; i++) {
		if (i == failed)
			continue;
		if (failed < 0 || i < failed)
			ghost_txn_conclude(e, &reqs[i], failed < 0);
		if (failed >= 0)
			reqs[i].state = GHOST_TXN_POISONED;
	}
}

/* Under no lock; the caller is an agent of @e. */
int ghost_commit(struct ghost_enclave *e, struct ghost_commit *arg)
{
	bool sync = arg->flags & GHOST_COMMIT_F_SYNC_GROUP;
	int self = ghost_current_agent_cpu(e);
	struct ghost_txn_req *reqs;
	bool park = false, all_claimed = true;
	u32 park_barrier = 0;
	cpumask_var_t mask;
	int cpu, i, n = 0, ret;

	arg->nr_committed = 0;
	if (arg->flags & ~GHOST_COMMIT_F_ALL || arg->reserved)
		return -EINVAL;
	if (self < 0)
		return -EPERM;
	if (!alloc_cpumask_var(&mask, GFP_KERNEL))
		return -ENOMEM;
	ret = ghost_read_cpumask(mask, arg->cpus_ptr, arg->cpus_size);
	if (ret)
		goto out_free_mask;
	reqs = kmalloc_array(cpumask_weight(mask), sizeof(*reqs), GFP_KERNEL);
	if (!reqs) {
		ret = -ENOMEM;
		goto out_free_mask;
	}

	for_each_cpu(cpu, mask) {
		reqs[n].cpu = cpu;
		if (ghost_txn_claim(e, &reqs[n]))
			n++;
		else
			all_claimed = false;
	}

	if (sync && !all_claimed) {
		/* A slot that is not READY fails the group; it stays untouched. */
		for (i = 0; i < n; i++)
			reqs[i].state = GHOST_TXN_POISONED;
	} else if (sync) {
		ghost_commit_sync(e, reqs, n, self);
	} else {
		for (i = 0; i < n; i++)
			reqs[i].state = ghost_txn_apply(e, &reqs[i], self);
	}

	for (i = 0; i < n; i++) {
		if (reqs[i].state == GHOST_TXN_COMPLETE) {
			arg->nr_committed++;
			if (reqs[i].cpu == self && ghost_txn_is_task(&reqs[i])) {
				park = true;
				park_barrier = reqs[i].agent_barrier;
			}
		}
		ghost_txn_finish(e, &reqs[i]);
	}
	kfree(reqs);
	/* The task committed on our own CPU runs once we get off it. */
	if (park)
		ghost_agent_park(e, park_barrier);
out_free_mask:
	free_cpumask_var(mask);
	return ret;
}
