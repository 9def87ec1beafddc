// SPDX-License-Identifier: GPL-2.0
/*
 * Ghost tasks: entering an enclave, their status words and messages,
 * lookup by gtid, leaving, and eviction.
 *
 * A task enters in two steps. The ioctl allocates its struct ghost_task
 * and leaves it as a ticket in task_struct::ghost.ticket; then
 * sched_setattr() runs the setscheduler hook, which consumes the ticket
 * under pi_lock and the rq lock. So the kernel's own permission checks
 * apply, and a plain sched_setscheduler(SCHED_GHOST) finds no ticket.
 *
 * A task leaves the same way, by sched_setattr() to the policy it came
 * with. The kernel decides to evict a task (its affinity left the enclave,
 * it starved behind higher classes) where it cannot sleep, so evictions
 * are queued and carried out by a work item.
 */
#include <linux/delay.h>
#include <linux/irq_work.h>
#include <linux/pid.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>

#include "ghost.h"

static LLIST_HEAD(ghost_evictions);

struct ghost_task *ghost_task_alloc(struct ghost_enclave *e)
{
	struct ghost_task *gt = kzalloc(sizeof(*gt), GFP_KERNEL_ACCOUNT);

	if (!gt)
		return NULL;
	kref_init(&gt->kref);
	ghost_enclave_get(e);
	gt->enclave = e;
	gt->latched_cpu = -1;
	gt->reserved_cpu = -1;
	gt->last_cpu = -1;
	gt->agent_cpu = -1;
	gt->move_cpu = -1;
	gt->saved_policy = SCHED_NORMAL;
	return gt;
}

static void ghost_task_free_rcu(struct rcu_head *rcu)
{
	struct ghost_task *gt = container_of(rcu, struct ghost_task, rcu);

	free_cpumask_var(gt->saved_cpus);
	kfree(gt);
}

static void ghost_task_release_ref(struct kref *kref)
{
	struct ghost_task *gt = container_of(kref, struct ghost_task, kref);
	struct ghost_queue *q = rcu_dereference_protected(gt->queue, true);

	if (q)
		ghost_queue_put(q);
	ghost_enclave_put(gt->enclave);
	call_rcu(&gt->rcu, ghost_task_free_rcu);
}

/* Any context. Lookups under RCU may still see @gt for a grace period. */
void ghost_task_put(struct ghost_task *gt)
{
	kref_put(&gt->kref, ghost_task_release_ref);
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

/*
 * The setscheduler hook consumes @p's ticket @gt: @p joins the enclave.
 * Under pi_lock and the rq lock: a task whose exit got as far as setting
 * PF_EXITING may already have been reported dead, and would keep its slot.
 */
int ghost_task_enter(struct rq *rq, struct task_struct *p, struct ghost_task *gt)
{
	struct ghost_enclave *e = gt->enclave;
	int ret;

	if (p->flags & PF_KTHREAD)
		return -EINVAL;
	if (p->flags & PF_EXITING)
		return -ESRCH;
	raw_spin_lock(&e->lock);
	ret = cpumask_intersects(p->cpus_ptr, e->cpus) ?
	      ghost_slot_alloc(e, gt, p) : -EXDEV;
	raw_spin_unlock(&e->lock);
	if (ret)
		return ret;
	gt->saved_policy = p->policy;
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
		ghost_task_put(gt);
		return -EBUSY;
	}
	ret = ghost_sched_setscheduler(p, policy, user);
	if (cmpxchg(&p->ghost.ticket, gt, NULL) == gt) {
		ghost_task_put(gt);
		return ret ?: -EALREADY;
	}
	return ret;
}

/* Whether @p is a ghost task of @e (not an agent). */
static bool ghost_task_member(struct task_struct *p, struct ghost_enclave *e)
{
	struct ghost_task *gt;
	bool member;

	rcu_read_lock();
	gt = READ_ONCE(p->ghost.priv);
	member = gt && !gt->agent && gt->enclave == e;
	rcu_read_unlock();
	return member;
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

	/* A process may have more threads than kmalloc gives pointers for. */
	tasks = kvcalloc(cap, sizeof(*tasks), GFP_KERNEL);
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
		kvfree(tasks);
		return -ESRCH;
	}
	*tasksp = tasks;
	return n;
}

static void ghost_put_threads(struct task_struct **tasks, int n)
{
	while (n--)
		put_task_struct(tasks[n]);
	kvfree(tasks);
}

int ghost_task_add(struct ghost_enclave *e, struct ghost_add_task *arg)
{
	bool process = arg->flags & GHOST_ADD_F_PROCESS;
	struct task_struct **tasks;
	int i, n, ret, first = 0;

	arg->nr_added = arg->nr_present = arg->nr_failed = 0;
	if (arg->flags & ~GHOST_ADD_F_ALL || arg->reserved || arg->pid < 0)
		return -EINVAL;
	n = ghost_collect_threads(arg->pid, process, &tasks);
	if (n < 0)
		return n;
	for (i = 0; i < n; i++) {
		ret = ghost_task_add_one(e, tasks[i]);
		if (!ret) {
			arg->nr_added++;
			continue;
		}
		if (ret == -EALREADY && (arg->flags & GHOST_ADD_F_SKIP_MEMBERS) &&
		    ghost_task_member(tasks[i], e)) {
			arg->nr_present++;
			continue;
		}
		arg->nr_failed++;
		first = first ?: ret;
		if (!(arg->flags & GHOST_ADD_F_CONTINUE))
			break;
	}
	ghost_put_threads(tasks, n);
	return first;
}

/*
 * @p leaves @e for @reason, back to the policy it came with. @user applies
 * sched_setattr(2)'s permission checks to the caller; @only, if set, is the
 * incarnation meant. 0, or -ENOENT if @p is not (that) ghost task of @e,
 * or what sched_setattr() returned.
 */
static int ghost_task_leave(struct ghost_enclave *e, struct task_struct *p,
			    struct ghost_task *only, u32 reason, bool user)
{
	struct ghost_task *gt;
	unsigned long flags;
	int policy = -1, ret;
	struct rq *rq;

	rq = ghost_task_rq_lock(p, &flags);
	gt = ghost_task_of(p);
	if (gt && !gt->agent && gt->enclave == e && (!only || gt == only)) {
		gt->depart_reason = reason;
		policy = gt->saved_policy;
	}
	ghost_task_rq_unlock(rq, p, flags);
	if (policy < 0)
		return -ENOENT;
	ret = ghost_sched_setscheduler(p, policy, user);
	if (ret) {
		rq = ghost_task_rq_lock(p, &flags);
		if (ghost_task_of(p) == gt)
			gt->depart_reason = GHOST_DEPART_LEFT;
		ghost_task_rq_unlock(rq, p, flags);
	}
	return ret;
}

int ghost_task_remove(struct ghost_enclave *e, struct ghost_remove_task *arg)
{
	struct task_struct **tasks;
	int i, n, ret = -ENOENT;

	arg->nr_removed = 0;
	if (arg->flags & ~GHOST_ADD_F_PROCESS || arg->reserved || arg->pid < 0)
		return -EINVAL;
	n = ghost_collect_threads(arg->pid, arg->flags & GHOST_ADD_F_PROCESS,
				  &tasks);
	if (n < 0)
		return n;
	for (i = 0; i < n; i++) {
		int err = ghost_task_leave(e, tasks[i], NULL,
					   GHOST_DEPART_REMOVED, true);

		if (!err)
			arg->nr_removed++;
		else if (err != -ENOENT || ret == -ENOENT)
			ret = err;
	}
	ghost_put_threads(tasks, n);
	return arg->nr_removed && ret == -ENOENT ? 0 : ret;
}

static void ghost_evict_workfn(struct work_struct *work)
{
	struct llist_node *list = llist_del_all(&ghost_evictions);
	struct ghost_task *gt, *next;

	llist_for_each_entry_safe(gt, next, list, evict_node) {
		struct task_struct *p = gt->task;
		struct ghost_enclave *e = gt->enclave;
		u32 reason = READ_ONCE(gt->evict_reason);

		if (!ghost_task_leave(e, p, gt, reason, false)) {
			atomic64_inc(&e->stats.tasks_evicted);
			ghost_event(GHOST_EVENT_TASK_EVICTED, e->id, reason, -1,
				    task_pid_nr(p));
		}
		clear_bit(GHOST_TASK_EVICTING, &gt->flags);
		put_task_struct(p);
		ghost_task_put(gt);
	}
}

static DECLARE_WORK(ghost_evict_work, ghost_evict_workfn);

static void ghost_evict_irq_workfn(struct irq_work *work)
{
	queue_work(ghost_wq, &ghost_evict_work);
}

static struct irq_work ghost_evict_irq_work =
	IRQ_WORK_INIT(ghost_evict_irq_workfn);

/*
 * Return @gt's task alone to the policy it came with, for @reason. Any
 * context: the caller holds a lock that keeps @gt's task in its slot.
 */
void ghost_task_evict(struct ghost_task *gt, u32 reason)
{
	if (test_and_set_bit(GHOST_TASK_EVICTING, &gt->flags))
		return;
	WRITE_ONCE(gt->evict_reason, reason);
	kref_get(&gt->kref);
	get_task_struct(gt->task);
	if (llist_add(&gt->evict_node, &ghost_evictions))
		irq_work_queue(&ghost_evict_irq_work);
}

/* Evictions queued by enclaves that are gone now are done too. */
void ghost_tasks_exit(void)
{
	irq_work_sync(&ghost_evict_irq_work);
	flush_work(&ghost_evict_work);
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
			gt->saved_policy = parent->saved_policy;
			gt->new = true;
		}
	}
	ghost_task_rq_unlock(rq, current, flags);
	if (ret) {
		ghost_task_put(gt);
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
	ghost_task_put(gt);
}

/* @gt's task is dead or departed: free its word and forget it. */
void ghost_task_release(struct rq *rq, struct ghost_task *gt)
{
	struct task_struct *p = gt->task;
	struct ghost_enclave *e = gt->enclave;
	struct ghost_cpu *gc = ghost_cpu(ghost_rq_cpu(rq));

	ghost_task_unlatch(rq, gt, false);
	gt->reserved_cpu = -1;
	if (gc->running == p) {
		gc->running = NULL;
		ghost_update_cpu_word(gc);
	}
	raw_spin_lock(&e->lock);
	ghost_slot_free(e, gt);
	raw_spin_unlock(&e->lock);
	p->ghost.priv = NULL;
	ghost_task_put(gt);
}

/* Forget that @gt is latched; tell its agent if the task lost its turn. */
void ghost_task_unlatch(struct rq *rq, struct ghost_task *gt, bool tell)
{
	struct ghost_cpu *gc;

	if (gt->latched_cpu < 0)
		return;
	gc = ghost_cpu(gt->latched_cpu);
	if (gc->latched == gt->task)
		gc->latched = NULL;
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
	case GHOST_MSG_TASK_DEPARTED:
		msg.task_departed.reason = gt->depart_reason;
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

/* Call @fn on every task of @e that is out of its fork, in batches. */
static void ghost_task_for_each(struct ghost_enclave *e,
				void (*fn)(struct ghost_enclave *e,
					   struct task_struct *p, void *data),
				void *data)
{
	struct task_struct *tasks[GHOST_GATHER_BATCH];
	u32 cursor = 0;
	int i, n;

	while ((n = ghost_task_gather(e, tasks, GHOST_GATHER_BATCH, &cursor))) {
		for (i = 0; i < n; i++) {
			fn(e, tasks[i], data);
			put_task_struct(tasks[i]);
		}
		if (cursor >= e->max_tasks)
			break;
	}
}

static void ghost_task_rediscover(struct ghost_enclave *e,
				  struct task_struct *p, void *data)
{
	struct ghost_discover *arg = data;
	struct ghost_task *gt;
	unsigned long flags;
	struct rq *rq;

	rq = ghost_task_rq_lock(p, &flags);
	gt = ghost_task_of(p);
	/* Lifted out by PI, it is news again when it comes back. */
	if (gt && !gt->agent && gt->enclave == e && ghost_task_in_class(p)) {
		bool runnable = ghost_task_queued(p) || ghost_rq_curr(rq) == p;

		ghost_task_send(rq, gt, GHOST_MSG_TASK_NEW,
				runnable ? GHOST_MSG_F_RUNNABLE : 0);
		arg->nr_tasks++;
	}
	ghost_task_rq_unlock(rq, p, flags);
}

int ghost_task_discover(struct ghost_enclave *e, struct ghost_discover *arg)
{
	arg->nr_tasks = 0;
	ghost_task_for_each(e, ghost_task_rediscover, arg);
	return 0;
}

static void ghost_task_evict_now(struct ghost_enclave *e,
				 struct task_struct *p, void *data)
{
	ghost_task_leave(e, p, NULL, GHOST_DEPART_ENCLAVE, false);
}

/* Return every task of the dying enclave @e to CFS; sleeps until done. */
void ghost_task_evict_all(struct ghost_enclave *e)
{
	unsigned long flags;
	u32 left;

	for (;;) {
		ghost_task_for_each(e, ghost_task_evict_now, NULL);
		raw_spin_lock_irqsave(&e->lock, flags);
		left = e->nr_tasks;
		raw_spin_unlock_irqrestore(&e->lock, flags);
		if (!left)
			return;
		/* Children still being forked, or tasks in their last schedule. */
		usleep_range(1000, 2000);
	}
}

static void ghost_task_evict_if_outside(struct ghost_enclave *e,
					struct task_struct *p, void *data)
{
	struct ghost_task *gt;
	unsigned long flags;
	struct rq *rq;

	rq = ghost_task_rq_lock(p, &flags);
	gt = ghost_task_of(p);
	if (gt && !gt->agent && gt->enclave == e &&
	    !cpumask_intersects(p->cpus_ptr, e->cpus))
		ghost_task_evict(gt, GHOST_DEPART_AFFINITY);
	ghost_task_rq_unlock(rq, p, flags);
}

/* The CPUs of @e changed: evict the tasks that may use none of them. */
void ghost_task_evict_outside(struct ghost_enclave *e)
{
	ghost_task_for_each(e, ghost_task_evict_if_outside, NULL);
}
