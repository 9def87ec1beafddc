// SPDX-License-Identifier: GPL-2.0
/*
 * Ghost tasks: entering an enclave, their status words and messages,
 * lookup by gtid, and leaving.
 *
 * A task enters in two steps. The ioctl allocates its struct ghost_task
 * and leaves it as a ticket in task_struct::ghost.ticket; then
 * sched_setattr() runs the setscheduler hook, which consumes the ticket
 * under pi_lock and the rq lock. So the kernel's own permission checks
 * apply, and a plain sched_setscheduler(SCHED_GHOST) finds no ticket.
 */
#include <linux/delay.h>
#include <linux/pid.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>

#include "ghost.h"

struct ghost_task *ghost_task_alloc(struct ghost_enclave *e)
{
	struct ghost_task *gt = kzalloc(sizeof(*gt), GFP_KERNEL);

	if (!gt)
		return NULL;
	ghost_enclave_get(e);
	gt->enclave = e;
	gt->latched_cpu = -1;
	gt->last_cpu = -1;
	gt->agent_cpu = -1;
	return gt;
}

static void ghost_task_free_rcu(struct rcu_head *rcu)
{
	struct ghost_task *gt = container_of(rcu, struct ghost_task, rcu);

	free_cpumask_var(gt->saved_cpus);
	kfree(gt);
}

/* Any context. Lookups under RCU may still see @gt for a grace period. */
void ghost_task_free(struct ghost_task *gt)
{
	struct ghost_queue *q = rcu_dereference_protected(gt->queue, true);

	if (q)
		ghost_queue_put(q);
	ghost_enclave_put(gt->enclave);
	call_rcu(&gt->rcu, ghost_task_free_rcu);
}

void ghost_task_set_word(struct ghost_task *gt, u32 set, u32 clear)
{
	u32 flags = READ_ONCE(gt->word->flags);

	/* The fields the flags speak of are written before them. */
	smp_store_release(&gt->word->flags, (flags & ~clear) | set);
}

/* Give @gt a status word and a gtid. */
static int ghost_slot_alloc(struct ghost_enclave *e, struct ghost_task *gt,
			    struct task_struct *p)
{
	struct ghost_status_word *w;
	u32 slot, index, generation;

	lockdep_assert_held(&e->lock);
	if (e->state != GHOST_ENCLAVE_LIVE)
		return -ENODEV;
	if (e->nr_tasks >= e->max_tasks)
		return -ENOSPC;

	slot = find_next_zero_bit(e->used_slots, e->max_tasks, e->next_slot);
	if (slot >= e->max_tasks)
		slot = find_first_zero_bit(e->used_slots, e->max_tasks);
	__set_bit(slot, e->used_slots);
	e->next_slot = slot + 1;

	/* gtids stay positive and are never reused while the enclave lives. */
	generation = e->generations[slot] + 1;
	if (generation >= (1U << 31))
		generation = 1;
	e->generations[slot] = generation;
	index = e->nr_cpu_words + slot;

	gt->slot = slot;
	gt->gtid = ((u64)generation << 32) | index;
	gt->word = w = &e->words[index];
	gt->task = p;
	e->tasks[slot] = gt;
	e->nr_tasks++;

	WRITE_ONCE(w->barrier, 0);
	WRITE_ONCE(w->gtid, gt->gtid);
	WRITE_ONCE(w->runtime_ns, p->se.sum_exec_runtime);
	WRITE_ONCE(w->switch_time_ns, 0);
	/* A word in use has its gtid and barrier set. */
	smp_store_release(&w->flags, GHOST_SW_F_INUSE);
	return 0;
}

static void ghost_slot_free(struct ghost_enclave *e, struct ghost_task *gt)
{
	lockdep_assert_held(&e->lock);
	/* Out of use before the slot can be handed out again. */
	smp_store_release(&gt->word->flags, 0);
	e->tasks[gt->slot] = NULL;
	__clear_bit(gt->slot, e->used_slots);
	e->nr_tasks--;
}

/* The setscheduler hook consumes @p's ticket @gt: @p joins the enclave. */
int ghost_task_enter(struct rq *rq, struct task_struct *p, struct ghost_task *gt)
{
	struct ghost_enclave *e = gt->enclave;
	int ret;

	if (p->flags & PF_KTHREAD)
		return -EINVAL;
	raw_spin_lock(&e->lock);
	ret = ghost_slot_alloc(e, gt, p);
	raw_spin_unlock(&e->lock);
	if (ret)
		return ret;
	p->ghost.priv = gt;
	WRITE_ONCE(p->ghost.ticket, NULL);
	return 0;
}

/*
 * Offer @gt as @p's ticket and ask the kernel to change @p's policy.
 * Returns what sched_setattr() returned, or -EBUSY if @p holds another
 * ticket, or -EALREADY if the kernel had nothing to change. Frees @gt
 * unless @p took it.
 */
int ghost_task_ticket(struct task_struct *p, struct ghost_task *gt, int policy)
{
	bool user = !gt->agent;
	int ret;

	if (cmpxchg(&p->ghost.ticket, NULL, gt)) {
		ghost_task_free(gt);
		return -EBUSY;
	}
	ret = ghost_sched_setscheduler(p, policy, user);
	if (cmpxchg(&p->ghost.ticket, gt, NULL) == gt) {
		ghost_task_free(gt);
		return ret ?: -EALREADY;
	}
	return ret;
}

static int ghost_task_add_one(struct ghost_enclave *e, struct task_struct *p)
{
	struct ghost_task *gt;
	int policy = READ_ONCE(p->policy);

	if (p->flags & PF_KTHREAD)
		return -EINVAL;
	if (p->flags & PF_EXITING)
		return -ESRCH;
	if (policy == SCHED_GHOST)
		return -EALREADY;
	if (policy != SCHED_NORMAL && policy != SCHED_BATCH &&
	    policy != SCHED_IDLE)
		return -EINVAL;

	gt = ghost_task_alloc(e);
	if (!gt)
		return -ENOMEM;
	return ghost_task_ticket(p, gt, SCHED_GHOST);
}

/* References to @pid's thread, or with @process to all its threads. */
static int ghost_collect_threads(pid_t pid, bool process,
				 struct task_struct ***tasksp)
{
	struct task_struct *leader, *t, **tasks;
	int n = 0, cap;

	rcu_read_lock();
	leader = pid ? pid_task(find_vpid(pid), PIDTYPE_PID) : current;
	cap = !leader ? 0 : process ? get_nr_threads(leader) + 16 : 1;
	rcu_read_unlock();
	if (!cap)
		return -ESRCH;

	tasks = kcalloc(cap, sizeof(*tasks), GFP_KERNEL);
	if (!tasks)
		return -ENOMEM;
	rcu_read_lock();
	leader = pid ? pid_task(find_vpid(pid), PIDTYPE_PID) : current;
	if (leader && !process) {
		get_task_struct(leader);
		tasks[n++] = leader;
	} else if (leader) {
		for_each_thread(leader, t) {
			if (n == cap)
				break;
			get_task_struct(t);
			tasks[n++] = t;
		}
	}
	rcu_read_unlock();
	if (!n) {
		kfree(tasks);
		return -ESRCH;
	}
	*tasksp = tasks;
	return n;
}

int ghost_task_add(struct ghost_enclave *e, struct ghost_add_task *arg)
{
	struct task_struct **tasks;
	int i, n, ret = 0;

	arg->nr_added = 0;
	if (arg->flags & ~GHOST_ADD_F_ALL || arg->reserved || arg->pid < 0)
		return -EINVAL;
	n = ghost_collect_threads(arg->pid, arg->flags & GHOST_ADD_F_PROCESS,
				  &tasks);
	if (n < 0)
		return n;
	for (i = 0; i < n; i++) {
		if (!ret) {
			ret = ghost_task_add_one(e, tasks[i]);
			if (!ret)
				arg->nr_added++;
		}
		put_task_struct(tasks[i]);
	}
	kfree(tasks);
	return ret;
}

/* The fork hook, in the parent, may sleep: the child joins its enclave. */
int ghost_task_fork(struct task_struct *p)
{
	struct ghost_task *parent, *gt;
	struct ghost_enclave *e;
	unsigned long flags;
	struct rq *rq;
	int ret = -ENODEV;

	rcu_read_lock();
	parent = ghost_task_of(current);
	e = parent && !parent->agent ? parent->enclave : NULL;
	if (e)
		ghost_enclave_get(e);
	rcu_read_unlock();
	if (!e)
		return -ENODEV;

	gt = ghost_task_alloc(e);
	ghost_enclave_put(e);
	if (!gt)
		return -ENOMEM;

	rq = ghost_task_rq_lock(current, &flags);
	parent = ghost_task_of(current);
	if (parent && parent->enclave == e) {
		struct ghost_queue *q = rcu_dereference_protected(parent->queue, true);

		raw_spin_lock(&e->lock);
		ret = ghost_slot_alloc(e, gt, p);
		raw_spin_unlock(&e->lock);
		if (!ret) {
			if (q)
				kref_get(&q->kref);
			RCU_INIT_POINTER(gt->queue, q);
			gt->parent_gtid = parent->gtid;
			gt->new = true;
		}
	}
	ghost_task_rq_unlock(rq, current, flags);
	if (ret) {
		ghost_task_free(gt);
		return ret;
	}
	p->ghost.priv = gt;
	return 0;
}

/* The fork failed after the fork hook; nobody else knows @gt's task yet. */
void ghost_task_cleanup_fork(struct ghost_task *gt)
{
	struct ghost_enclave *e = gt->enclave;
	unsigned long flags;

	raw_spin_lock_irqsave(&e->lock, flags);
	ghost_slot_free(e, gt);
	raw_spin_unlock_irqrestore(&e->lock, flags);
	ghost_task_free(gt);
}

/* @gt's task is dead or departed: free its word and forget it. */
void ghost_task_release(struct rq *rq, struct ghost_task *gt)
{
	struct task_struct *p = gt->task;
	struct ghost_enclave *e = gt->enclave;
	struct ghost_cpu *gc = ghost_cpu(ghost_rq_cpu(rq));

	ghost_task_unlatch(rq, gt, false);
	if (gc->running == p) {
		gc->running = NULL;
		ghost_update_cpu_word(gc);
	}
	raw_spin_lock(&e->lock);
	ghost_slot_free(e, gt);
	raw_spin_unlock(&e->lock);
	p->ghost.priv = NULL;
	ghost_task_free(gt);
}

/* Forget that @gt is latched; tell its agent if the task lost its turn. */
void ghost_task_unlatch(struct rq *rq, struct ghost_task *gt, bool tell)
{
	struct ghost_cpu *gc;

	if (gt->latched_cpu < 0)
		return;
	gc = ghost_cpu(gt->latched_cpu);
	if (gc->latched == gt->task) {
		gc->latched = NULL;
		gc->latch_pending = false;
	}
	gt->latched_cpu = -1;
	ghost_task_set_word(gt, 0, GHOST_SW_TASK_LATCHED);
	if (tell)
		ghost_task_send(rq, gt, GHOST_MSG_TASK_PREEMPT,
				GHOST_MSG_F_WAS_LATCHED);
}

/* Count an event of @gt (its barrier) and report it to its queue. */
void ghost_task_send(struct rq *rq, struct ghost_task *gt, u16 type, u32 flags)
{
	struct task_struct *p = gt->task;
	struct ghost_enclave *e = gt->enclave;
	struct ghost_queue *q;
	struct ghost_msg msg = {
		.type		= type,
		.size		= sizeof(msg),
		.gtid		= gt->gtid,
		.cpu		= ghost_rq_cpu(rq),
		.flags		= flags,
		.runtime_ns	= p->se.sum_exec_runtime,
		.time_ns	= ktime_get_ns(),
	};

	switch (type) {
	case GHOST_MSG_TASK_NEW:
		msg.task_new.parent_gtid = gt->parent_gtid;
		msg.task_new.tid = task_pid_nr(p);
		msg.task_new.nice = task_nice(p);
		msg.task_new.status_index = (u32)gt->gtid;
		break;
	case GHOST_MSG_TASK_WAKEUP:
		msg.task_wakeup.waker_cpu = raw_smp_processor_id();
		msg.task_wakeup.last_ran_cpu = gt->last_cpu;
		break;
	case GHOST_MSG_TASK_PRIORITY_CHANGED:
		msg.task_priority.nice = task_nice(p);
		break;
	}

	msg.seqnum = ++gt->barrier;
	/* The word shows the new barrier before its message can be read. */
	smp_store_release(&gt->word->barrier, gt->barrier);
	atomic64_inc(&e->stats.msgs[type]);

	q = ghost_route_queue(e, rcu_dereference_sched(gt->queue));
	if (q)
		ghost_queue_produce(rq, q, &msg);
}

/* A reference to the live task named @gtid in @e, or NULL. */
struct task_struct *ghost_task_find(struct ghost_enclave *e, u64 gtid)
{
	u32 index = (u32)gtid, slot = index - e->nr_cpu_words;
	struct task_struct *p = NULL;
	struct ghost_task *gt;
	unsigned long flags;

	if (index < e->nr_cpu_words || slot >= e->max_tasks)
		return NULL;
	raw_spin_lock_irqsave(&e->lock, flags);
	gt = e->tasks[slot];
	if (gt && gt->gtid == gtid) {
		p = gt->task;
		get_task_struct(p);
	}
	raw_spin_unlock_irqrestore(&e->lock, flags);
	return p;
}

/* @p's ghost task, if it is still @gtid; the caller holds @p's rq lock. */
static struct ghost_task *ghost_task_check(struct task_struct *p, u64 gtid)
{
	struct ghost_task *gt = ghost_task_of(p);

	return gt && !gt->agent && gt->gtid == gtid ? gt : NULL;
}

int ghost_task_assoc_queue(struct ghost_enclave *e, struct ghost_assoc_queue *arg)
{
	struct ghost_queue *q, *old = NULL;
	struct task_struct *p;
	struct ghost_task *gt;
	unsigned long flags;
	struct rq *rq;
	int ret = 0;

	q = ghost_queue_get_fd(e, arg->queue_fd);
	if (!q)
		return -EBADF;
	p = ghost_task_find(e, arg->gtid);
	if (!p) {
		ghost_queue_put(q);
		return -ENOENT;
	}

	rq = ghost_task_rq_lock(p, &flags);
	gt = ghost_task_check(p, arg->gtid);
	if (!gt) {
		ret = -ENOENT;
	} else if (gt->barrier != arg->task_barrier) {
		ret = -ESTALE;
	} else {
		old = rcu_dereference_protected(gt->queue, true);
		rcu_assign_pointer(gt->queue, q);
		q = NULL;
	}
	ghost_task_rq_unlock(rq, p, flags);

	put_task_struct(p);
	if (q)
		ghost_queue_put(q);
	if (old)
		ghost_queue_put(old);
	return ret;
}

/*
 * References to up to @max tasks of @e from slot @*cursor on, skipping
 * children not yet woken: the kernel has not finished creating them.
 */
static int ghost_task_gather(struct ghost_enclave *e, struct task_struct **tasks,
			     int max, u32 *cursor)
{
	unsigned long flags;
	int n = 0;
	u32 slot;

	raw_spin_lock_irqsave(&e->lock, flags);
	for (slot = find_next_bit(e->used_slots, e->max_tasks, *cursor);
	     slot < e->max_tasks && n < max;
	     slot = find_next_bit(e->used_slots, e->max_tasks, slot + 1)) {
		struct ghost_task *gt = e->tasks[slot];

		if (READ_ONCE(gt->new))
			continue;
		get_task_struct(gt->task);
		tasks[n++] = gt->task;
	}
	*cursor = slot;
	raw_spin_unlock_irqrestore(&e->lock, flags);
	return n;
}

#define GHOST_GATHER_BATCH 64

int ghost_task_discover(struct ghost_enclave *e, struct ghost_discover *arg)
{
	struct task_struct *tasks[GHOST_GATHER_BATCH];
	u32 cursor = 0;
	int i, n;

	arg->nr_tasks = 0;
	while ((n = ghost_task_gather(e, tasks, GHOST_GATHER_BATCH, &cursor))) {
		for (i = 0; i < n; i++) {
			struct task_struct *p = tasks[i];
			struct ghost_task *gt;
			unsigned long flags;
			struct rq *rq;

			rq = ghost_task_rq_lock(p, &flags);
			gt = ghost_task_of(p);
			if (gt && !gt->agent && gt->enclave == e && !gt->boosted) {
				bool runnable = ghost_task_queued(p) ||
						ghost_rq_curr(rq) == p;

				ghost_task_send(rq, gt, GHOST_MSG_TASK_NEW,
						runnable ? GHOST_MSG_F_RUNNABLE : 0);
				arg->nr_tasks++;
			}
			ghost_task_rq_unlock(rq, p, flags);
			put_task_struct(p);
		}
		if (cursor >= e->max_tasks)
			break;
	}
	return 0;
}

/* Return every task of the dying enclave @e to CFS; sleeps until done. */
int ghost_task_evict_all(struct ghost_enclave *e)
{
	struct task_struct *tasks[GHOST_GATHER_BATCH];
	unsigned long flags;
	u32 cursor, left;
	int i, n;

	for (;;) {
		cursor = 0;
		while ((n = ghost_task_gather(e, tasks, GHOST_GATHER_BATCH,
					      &cursor))) {
			for (i = 0; i < n; i++) {
				ghost_sched_setscheduler(tasks[i], SCHED_NORMAL,
							 false);
				put_task_struct(tasks[i]);
			}
			if (cursor >= e->max_tasks)
				break;
		}
		raw_spin_lock_irqsave(&e->lock, flags);
		left = e->nr_tasks;
		raw_spin_unlock_irqrestore(&e->lock, flags);
		if (!left)
			return 0;
		/* Children still being forked, or tasks in their last schedule. */
		usleep_range(1000, 2000);
	}
}
