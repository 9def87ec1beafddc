// SPDX-License-Identifier: GPL-2.0
/*
 * Transactions: an agent's decisions, written into per-CPU slots of the
 * shared transaction region and committed by GHOST_IOC_COMMIT.
 *
 * The kernel claims a READY slot with cmpxchg, copies its fields once and
 * checks only that copy, so an agent rewriting the slot meanwhile changes
 * nothing. Every check of a task slot is made with the task's run queue
 * and the target CPU's locked together, and the task is moved only once
 * all of them passed: a failed slot leaves everything where it was.
 *
 * A sync group first *holds* each task and CPU it names (other commits
 * naming them fail), checks everything, and only then latches all its
 * tasks; a failure anywhere withdraws the holds. Only the kernel can take
 * a held task away (it exits, departs or is moved); such a slot ends
 * TARGET_STALE.
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
	struct task_struct *held;	/* sync groups: the task held, with a ref */
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
	req->held = NULL;
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

/* Whether an earlier slot of this commit names the task of slot @i. */
static bool ghost_txn_duplicate(struct ghost_txn_req *reqs, int i)
{
	int j;

	for (j = 0; j < i; j++)
		if (ghost_txn_is_task(&reqs[j]) && reqs[j].target == reqs[i].target)
			return true;
	return false;
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

/* Under @p's rq lock @src: may @p be latched on the slot's CPU? */
static int ghost_txn_check_target(struct rq *src, struct task_struct *p,
				  struct ghost_task *gt, struct ghost_txn_req *req)
{
	if (gt->barrier != req->task_barrier)
		return GHOST_TXN_TARGET_STALE;
	/* Lifted out of the ghost class by priority inheritance. */
	if (!ghost_task_in_class(p))
		return GHOST_TXN_TARGET_NOT_RUNNABLE;
	if (ghost_rq_curr(src) == p || p->on_cpu)
		return GHOST_TXN_TARGET_ONCPU;
	if (!ghost_task_queued(p))
		return GHOST_TXN_TARGET_NOT_RUNNABLE;
	if (!cpumask_test_cpu(req->cpu, p->cpus_ptr))
		return GHOST_TXN_TARGET_NOT_ALLOWED;
	if ((gt->latched_cpu >= 0 && gt->latched_cpu != req->cpu) ||
	    (gt->reserved_cpu >= 0 && req->held != p))
		return GHOST_TXN_TARGET_LATCHED;
	return GHOST_TXN_COMPLETE;
}

/* Under the slot CPU's rq lock @dst: may a ghost task run there? */
static int ghost_txn_check_cpu(struct rq *dst, struct ghost_enclave *e,
			       struct ghost_txn_req *req, struct task_struct *p)
{
	struct ghost_cpu *gc = ghost_cpu(req->cpu);

	if (gc->enclave != e)
		return GHOST_TXN_INVALID_CPU;
	if (gc->offline || !cpu_active(req->cpu))
		return GHOST_TXN_CPU_UNAVAIL;
	if (ghost_rq_nr_running_above(dst)) {
		/*
		 * The CPU's agent will wait for CPU_AVAILABLE: record the
		 * busy CPU now, or a higher-class task that leaves without
		 * ever running here would leave nothing to report.
		 */
		if (gc->agent)
			ghost_update_availability(dst, gc);
		return GHOST_TXN_CPU_UNAVAIL;
	}
	if (gc->reserved && gc->reserved != p)
		return GHOST_TXN_CPU_BUSY;
	if ((req->run_flags & GHOST_RUN_F_NO_PREEMPT) &&
	    (gc->running || (gc->latched && gc->latched != p)))
		return GHOST_TXN_CPU_BUSY;
	return GHOST_TXN_COMPLETE;
}

/*
 * Both rq locks held, every check passed: move @p to the slot's CPU and
 * latch it there, displacing what was latched before.
 */
static int ghost_txn_latch_locked(struct rq *src, struct rq *dst,
				  struct ghost_txn_req *req,
				  struct task_struct *p, struct ghost_task *gt)
{
	struct ghost_cpu *gc = ghost_cpu(req->cpu);
	bool moved;

	gt->moving = true;
	moved = ghost_move_task_locked(src, dst, p);
	gt->moving = false;
	if (!moved)
		return GHOST_TXN_TARGET_NOT_ALLOWED;
	if (gc->latched && gc->latched != p)
		ghost_task_unlatch(dst, ghost_task_of(gc->latched), true);
	gc->latched = p;
	gt->latched_cpu = req->cpu;
	ghost_task_set_word(gt, GHOST_SW_TASK_LATCHED, 0);
	ghost_resched_curr(dst);
	return GHOST_TXN_COMPLETE;
}

/*
 * The task slot @req: latch its task now, or with @hold only hold it and
 * the CPU for a sync group (keeping a reference in @req->held).
 */
static int ghost_txn_latch(struct ghost_enclave *e, struct ghost_txn_req *req,
			   bool hold)
{
	struct ghost_cpu *gc = ghost_cpu(req->cpu);
	struct task_struct *p;
	struct ghost_task *gt;
	unsigned long flags;
	struct rq *src, *dst;
	int state;

	p = ghost_task_find(e, req->target);
	if (!p)
		return GHOST_TXN_TARGET_NOT_FOUND;

	src = ghost_task_rq_lock_pair(p, req->cpu, &dst, &flags);
	gt = ghost_task_of(p);
	if (!gt || gt->agent || gt->gtid != req->target) {
		state = GHOST_TXN_TARGET_NOT_FOUND;
		goto unlock;
	}
	state = ghost_txn_check_target(src, p, gt, req);
	if (state == GHOST_TXN_COMPLETE)
		state = ghost_txn_check_cpu(dst, e, req, p);
	if (state != GHOST_TXN_COMPLETE)
		goto unlock;
	if (hold) {
		gt->reserved_cpu = req->cpu;
		gc->reserved = p;
		req->held = p;
	} else {
		state = ghost_txn_latch_locked(src, dst, req, p, gt);
	}
unlock:
	ghost_task_rq_unlock_pair(src, dst, p, flags);
	if (!req->held)
		put_task_struct(p);
	return state;
}

static int ghost_txn_apply(struct ghost_enclave *e, struct ghost_txn_req *reqs,
			   int i, int self)
{
	struct ghost_txn_req *req = &reqs[i];
	int state = ghost_txn_precheck(e, req, self);

	if (state != GHOST_TXN_COMPLETE)
		return state;
	if (req->target == GHOST_TARGET_PING)
		return ghost_txn_ping(e, req);
	if (req->target == GHOST_TARGET_NONE)
		return ghost_txn_none(e, req);
	if (ghost_txn_duplicate(reqs, i))
		return GHOST_TXN_TARGET_LATCHED;
	return ghost_txn_latch(e, req, false);
}

/* The first half of a sync group: every check, and the holds. */
static int ghost_txn_prepare(struct ghost_enclave *e, struct ghost_txn_req *reqs,
			     int i, int self)
{
	struct ghost_txn_req *req = &reqs[i];
	struct ghost_cpu *gc = ghost_cpu(req->cpu);
	int state = ghost_txn_precheck(e, req, self);
	unsigned long flags;
	struct rq *rq;

	if (state != GHOST_TXN_COMPLETE)
		return state;
	if (ghost_txn_is_task(req))
		return ghost_txn_duplicate(reqs, i) ? GHOST_TXN_TARGET_LATCHED :
		       ghost_txn_latch(e, req, true);

	rq = ghost_cpu_rq_lock(req->cpu, &flags);
	if (gc->enclave != e)
		state = GHOST_TXN_INVALID_CPU;
	else if (req->target == GHOST_TARGET_PING && !gc->agent)
		state = GHOST_TXN_NO_AGENT;
	ghost_rq_unlock(rq, flags);
	return state;
}

/*
 * A held slot: with @release, latch its task if it is still held and as
 * the group checked it; else only let go of the hold. Returns the slot's
 * state: COMPLETE, or TARGET_STALE if the kernel took the task away.
 */
static int ghost_txn_conclude(struct ghost_enclave *e, struct ghost_txn_req *req,
			      bool release, bool verify_only)
{
	struct ghost_cpu *gc = ghost_cpu(req->cpu);
	struct task_struct *p = req->held;
	int state = GHOST_TXN_COMPLETE;
	struct ghost_task *gt;
	unsigned long flags;
	struct rq *src, *dst;

	src = ghost_task_rq_lock_pair(p, req->cpu, &dst, &flags);
	gt = ghost_task_of(p);
	if (!gt || gt->gtid != req->target || gt->reserved_cpu != req->cpu ||
	    gc->reserved != p ||
	    ghost_txn_check_target(src, p, gt, req) != GHOST_TXN_COMPLETE)
		state = GHOST_TXN_TARGET_STALE;
	if (verify_only)
		goto unlock;
	if (gc->reserved == p)
		gc->reserved = NULL;
	if (gt && gt->reserved_cpu == req->cpu)
		gt->reserved_cpu = -1;
	if (release && state == GHOST_TXN_COMPLETE)
		state = ghost_txn_latch_locked(src, dst, req, p, gt);
unlock:
	ghost_task_rq_unlock_pair(src, dst, p, flags);
	if (!verify_only) {
		req->held = NULL;
		put_task_struct(p);
	}
	return state;
}

/* Fail the group at slot @failed with @state: the others are POISONED. */
static void ghost_commit_sync_fail(struct ghost_enclave *e,
				   struct ghost_txn_req *reqs, int n,
				   int failed, int state)
{
	int i;

	for (i = 0; i < n; i++) {
		if (reqs[i].held)
			ghost_txn_conclude(e, &reqs[i], false, false);
		reqs[i].state = i == failed ? state : GHOST_TXN_POISONED;
	}
}

static void ghost_commit_sync(struct ghost_enclave *e, struct ghost_txn_req *reqs,
			      int n, int self)
{
	int i, state;

	for (i = 0; i < n; i++) {
		state = ghost_txn_prepare(e, reqs, i, self);
		if (state != GHOST_TXN_COMPLETE) {
			ghost_commit_sync_fail(e, reqs, n, i, state);
			return;
		}
	}
	for (i = 0; i < n; i++) {
		if (!reqs[i].held)
			continue;
		state = ghost_txn_conclude(e, &reqs[i], true, true);
		if (state != GHOST_TXN_COMPLETE) {
			ghost_commit_sync_fail(e, reqs, n, i, state);
			return;
		}
	}
	/* Pings and TARGET_NONE were checked with the rest: they act now. */
	for (i = 0; i < n; i++) {
		if (reqs[i].held)
			reqs[i].state = ghost_txn_conclude(e, &reqs[i], true, false);
		else if (reqs[i].target == GHOST_TARGET_PING)
			reqs[i].state = ghost_txn_ping(e, &reqs[i]) ==
					GHOST_TXN_INVALID_CPU ?
					GHOST_TXN_INVALID_CPU : GHOST_TXN_COMPLETE;
		else
			reqs[i].state = ghost_txn_none(e, &reqs[i]);
	}
}

/* Under no lock; the caller is an agent of @e. */
int ghost_commit(struct ghost_enclave *e, struct ghost_commit *arg)
{
	bool sync = arg->flags & GHOST_COMMIT_F_SYNC_GROUP;
	int self = ghost_current_agent_cpu(e);
	struct ghost_txn_req *reqs;
	bool park = false;
	u32 park_barrier = 0, not_ready = 0;
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
			not_ready++;
	}

	if (sync && not_ready) {
		/* A slot that is not READY fails the group; it stays untouched. */
		for (i = 0; i < n; i++)
			reqs[i].state = GHOST_TXN_POISONED;
	} else if (sync) {
		ghost_commit_sync(e, reqs, n, self);
	} else {
		for (i = 0; i < n; i++)
			reqs[i].state = ghost_txn_apply(e, reqs, i, self);
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
	/* What was written into a slot we did not claim was not committed. */
	if (not_ready)
		ret = -EBUSY;
out_free_mask:
	free_cpumask_var(mask);
	return ret;
}
