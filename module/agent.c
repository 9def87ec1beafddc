// SPDX-License-Identifier: GPL-2.0
/*
 * Agents: the threads that schedule an enclave, at most one per CPU,
 * pinned there and run by the agent class above RT.
 *
 * An agent waits in the kernel *parked*: it stays runnable but the agent
 * class skips it until someone sets its CPU's wake flag and reschedules
 * that CPU. Waking it thus needs no lock of the agent's CPU, which is what
 * lets message producers holding another rq lock wake it. The wake flag
 * and the parked flag are each written before the other is read (a full
 * barrier in between on both sides), so a wakeup is never lost.
 *
 * An agent that the kernel moves off its CPU (a cpuset change, its CPU
 * going offline) is demoted from a work item: the affinity hook that sees
 * it cannot sleep.
 */
#include <linux/cpumask.h>
#include <linux/irq_work.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>

#include "ghost.h"

/* The CPU the calling thread is the agent of in @e, or -1. */
int ghost_current_agent_cpu(struct ghost_enclave *e)
{
	struct ghost_task *gt;
	int cpu = -1;

	rcu_read_lock();
	gt = ghost_task_of(current);
	if (gt && gt->agent && gt->enclave == e)
		cpu = READ_ONCE(gt->agent_cpu);
	rcu_read_unlock();
	return cpu;
}

static atomic_t *ghost_cpu_barrier(struct ghost_cpu *gc)
{
	return (atomic_t *)&gc->word->barrier;
}

/* Wake the agent of @cpu; @held is the rq whose lock the caller holds. */
void ghost_agent_wake(struct rq *held, int cpu)
{
	struct ghost_cpu *gc = ghost_cpu(cpu);
	struct ghost_status_word *word = READ_ONCE(gc->word);

	if (!READ_ONCE(gc->agent) || !word)
		return;
	atomic_inc((atomic_t *)&word->barrier);
	WRITE_ONCE(gc->wake, true);
	/* Wake flag before parked flag; pairs with ghost_agent_park(). */
	smp_mb();
	if (!READ_ONCE(gc->parked))
		return;
	if (held && ghost_rq_cpu(held) == cpu)
		ghost_resched_curr(held);
	else
		ghost_kick_cpu(cpu);
}

/* Report a CPU event of @gc to its agent's queue (or the default one). */
void ghost_cpu_send(struct rq *rq, struct ghost_cpu *gc, u16 type, u32 flags)
{
	struct ghost_enclave *e = gc->enclave;
	struct ghost_queue *q;
	struct ghost_msg msg = {
		.type		= type,
		.size		= sizeof(msg),
		.cpu		= gc->cpu,
		.flags		= flags,
		.time_ns	= ktime_get_ns(),
	};

	if (!e || !gc->word)
		return;
	msg.seqnum = atomic_inc_return(ghost_cpu_barrier(gc));
	atomic64_inc(&e->stats.msgs[type]);
	q = ghost_route_queue(e, rcu_dereference_sched(gc->agent_queue));
	if (q)
		ghost_queue_produce(rq, q, &msg);
}

/*
 * The setscheduler hook for an agent's ticket @gt: @p takes its CPU. A
 * thread that priority inheritance holds in RT becomes the agent all the
 * same; it runs in the agent class once the boost ends.
 */
int ghost_agent_enter(struct rq *rq, struct task_struct *p, struct ghost_task *gt)
{
	struct ghost_enclave *e = gt->enclave;
	int cpu = gt->agent_cpu;
	struct ghost_cpu *gc = ghost_cpu(cpu);
	struct ghost_queue *q;

	if (ghost_rq_cpu(rq) != cpu || gc->enclave != e)
		return -EINVAL;
	if (gc->offline)
		return -ENODEV;
	if (gc->agent)
		return -EBUSY;
	raw_spin_lock(&e->lock);
	if (e->state != GHOST_ENCLAVE_LIVE) {
		raw_spin_unlock(&e->lock);
		return -ENODEV;
	}
	e->nr_agents++;
	raw_spin_unlock(&e->lock);

	q = rcu_dereference_protected(gt->queue, true);
	if (q)
		kref_get(&q->kref);
	rcu_assign_pointer(gc->agent_queue, q);
	gt->task = p;
	gc->agent = p;
	gc->boost = false;
	gc->starve_ticks = 0;
	WRITE_ONCE(gc->throttled_since, 0);
	WRITE_ONCE(gc->parked, false);
	WRITE_ONCE(gc->wake, false);
	ghost_update_cpu_word(gc);

	p->ghost.agent = true;
	p->ghost.priv = gt;
	WRITE_ONCE(p->ghost.ticket, NULL);
	ghost_event_post(&gc->attach_event, GHOST_EVENT_AGENT_ATTACHED, e->id, 0,
			 cpu, task_pid_nr(p));
	return 0;
}

/* Under @gc's rq lock: @gc has no agent any more. */
static void ghost_cpu_drop_agent(struct ghost_cpu *gc)
{
	struct ghost_queue *q = rcu_dereference_protected(gc->agent_queue, true);

	RCU_INIT_POINTER(gc->agent_queue, NULL);
	if (q)
		ghost_queue_put(q);
	gc->agent = NULL;
	gc->boost = false;
	gc->starve_ticks = 0;
	gc->throttled_until = 0;
	WRITE_ONCE(gc->throttled_since, 0);
	WRITE_ONCE(gc->parked, false);
	WRITE_ONCE(gc->wake, false);
	ghost_update_cpu_word(gc);
}

/*
 * Agent @gt exited or left SCHED_GHOST; the caller holds its rq lock. Its
 * CPU keeps running what was committed there and waits for a new agent.
 * An agent away from its CPU was dropped from it before (strays).
 */
void ghost_agent_detach(struct rq *rq, struct ghost_task *gt)
{
	struct task_struct *p = gt->task;
	struct ghost_enclave *e = gt->enclave;
	int cpu = READ_ONCE(gt->agent_cpu);
	struct ghost_cpu *gc = ghost_cpu(cpu);

	if (gc->agent == p && ghost_rq_cpu(rq) == cpu)
		ghost_cpu_drop_agent(gc);
	raw_spin_lock(&e->lock);
	e->nr_agents--;
	raw_spin_unlock(&e->lock);
	ghost_event_post(&gc->detach_event, GHOST_EVENT_AGENT_DETACHED, e->id, 0,
			 cpu, task_pid_nr(p));
	p->ghost.priv = NULL;
	p->ghost.agent = false;
	ghost_task_put(gt);
}

/* Under e->config_mutex. */
int ghost_agent_attach(struct ghost_enclave *e, struct ghost_agent_attach *arg)
{
	struct ghost_queue *q = NULL;
	struct ghost_task *gt;
	cpumask_var_t saved;
	int ret = -ENOMEM;

	if (arg->flags || arg->reserved || arg->cpu < 0 ||
	    arg->cpu >= nr_cpu_ids || !cpumask_test_cpu(arg->cpu, e->cpus) ||
	    !ghost_cpuset_allows(current, arg->cpu))
		return -EINVAL;
	if (READ_ONCE(current->policy) == SCHED_GHOST)
		return -EALREADY;
	if (arg->queue_fd != -1) {
		q = ghost_queue_get_fd(e, arg->queue_fd);
		if (!q)
			return -EBADF;
	}
	if (!alloc_cpumask_var(&saved, GFP_KERNEL))
		goto err_put_queue;
	gt = ghost_task_alloc(e);
	if (!gt)
		goto err_free_saved;
	if (!alloc_cpumask_var(&gt->saved_cpus, GFP_KERNEL))
		goto err_put_task;
	gt->agent = true;
	gt->agent_cpu = arg->cpu;
	RCU_INIT_POINTER(gt->queue, q);
	q = NULL;
	cpumask_copy(saved, current->cpus_ptr);
	cpumask_copy(gt->saved_cpus, saved);

	ret = set_cpus_allowed_ptr(current, cpumask_of(arg->cpu));
	if (ret) {
		ret = cpu_online(arg->cpu) ? ret : -ENODEV;
		goto err_put_task;
	}
	/* The ticket is consumed or freed either way. */
	ret = ghost_task_ticket(current, gt, SCHED_GHOST);
	if (ret) {
		set_cpus_allowed_ptr(current, saved);
		goto err_free_saved;
	}
	/* Pinned for good: only the module moves it. */
	current->flags |= PF_NO_SETAFFINITY;
	free_cpumask_var(saved);
	return 0;

err_put_task:
	ghost_task_put(gt);
err_free_saved:
	free_cpumask_var(saved);
err_put_queue:
	if (q)
		ghost_queue_put(q);
	return ret;
}

/*
 * Park the calling agent unless its CPU's barrier moved past @barrier
 * (-ESTALE): the agent has then not seen everything sent to it. A wakeup
 * increments the barrier before it sets the wake flag, so a wakeup that
 * races with parking either moves the barrier before the second check or
 * finds the agent parked and kicks it.
 */
int ghost_agent_park(struct ghost_enclave *e, u32 barrier)
{
	int cpu = ghost_current_agent_cpu(e);
	struct ghost_cpu *gc;
	atomic_t *seq;
	unsigned long flags;
	struct rq *rq;
	int ret = 0;

	if (cpu < 0)
		return -EPERM;
	gc = ghost_cpu(cpu);
	seq = (atomic_t *)&e->words[cpu].barrier;

	rq = ghost_cpu_rq_lock(cpu, &flags);
	if (gc->agent != current) {
		ret = -ENODEV;
	} else if (atomic_read(seq) != barrier) {
		ret = -ESTALE;
	} else {
		WRITE_ONCE(gc->wake, false);
		WRITE_ONCE(gc->parked, true);
		/* Parked flag before barrier; pairs with ghost_agent_wake(). */
		smp_mb();
		if (atomic_read(seq) != barrier)
			WRITE_ONCE(gc->wake, true);
		ghost_update_cpu_word(gc);
	}
	ghost_rq_unlock(rq, flags);
	if (ret)
		return ret;

	for (;;) {
		/* The agent class passes over a parked agent until it is woken. */
		schedule();
		rq = ghost_cpu_rq_lock(cpu, &flags);
		if (gc->agent != current) {
			ret = -ENODEV;
			break;
		}
		if (READ_ONCE(gc->wake) || signal_pending(current)) {
			ret = signal_pending(current) ? -EINTR : 0;
			WRITE_ONCE(gc->parked, false);
			WRITE_ONCE(gc->wake, false);
			ghost_update_cpu_word(gc);
			break;
		}
		ghost_rq_unlock(rq, flags);
	}
	ghost_rq_unlock(rq, flags);
	return ret;
}

/*
 * Under e->config_mutex, which keeps enclave destruction away. A task
 * latched on the destination could not run before the agent parks, and a
 * moving agent is usually a global one, which does not: it loses its latch.
 */
int ghost_agent_move(struct ghost_enclave *e, struct ghost_agent_move *arg)
{
	int from = ghost_current_agent_cpu(e), to = arg->cpu;
	struct ghost_task *gt = ghost_task_of(current);
	struct ghost_cpu *src, *dst;
	struct ghost_queue *q;
	unsigned long flags;
	struct rq *rq;
	int ret = 0;

	if (from < 0)
		return -EPERM;
	if (arg->reserved || to < 0 || to >= nr_cpu_ids ||
	    !cpumask_test_cpu(to, e->cpus) || !ghost_cpuset_allows(current, to))
		return -EINVAL;
	if (to == from)
		return 0;
	src = ghost_cpu(from);
	dst = ghost_cpu(to);

	/* Claim the destination first, so that nobody else takes it. */
	rq = ghost_cpu_rq_lock(to, &flags);
	if (dst->enclave != e || dst->offline) {
		ret = -ENODEV;
	} else if (dst->agent) {
		ret = -EBUSY;
	} else {
		q = rcu_dereference_protected(gt->queue, true);
		if (q)
			kref_get(&q->kref);
		rcu_assign_pointer(dst->agent_queue, q);
		dst->agent = current;
		WRITE_ONCE(dst->parked, false);
		WRITE_ONCE(dst->wake, false);
		if (dst->latched)
			ghost_task_unlatch(rq, ghost_task_of(dst->latched), true);
		ghost_update_cpu_word(dst);
	}
	ghost_rq_unlock(rq, flags);
	if (ret)
		return ret;

	WRITE_ONCE(gt->move_cpu, to);
	ret = set_cpus_allowed_ptr(current, cpumask_of(to));
	rq = ghost_cpu_rq_lock(ret ? to : from, &flags);
	if (ret) {
		if (dst->agent == current)
			ghost_cpu_drop_agent(dst);
	} else {
		if (src->agent == current)
			ghost_cpu_drop_agent(src);
		WRITE_ONCE(gt->agent_cpu, to);
	}
	WRITE_ONCE(gt->move_cpu, -1);
	ghost_rq_unlock(rq, flags);
	return ret;
}

/*
 * Return agent @p to SCHED_NORMAL with affinity @saved (or any CPU, if
 * none of those is online), free to change it again: how an agent
 * leaves, by its own wish, its enclave's or its CPU's end.
 */
int ghost_agent_demote(struct task_struct *p, const struct cpumask *saved)
{
	int ret = ghost_sched_setscheduler(p, SCHED_NORMAL, false);

	if (!ret) {
		ghost_unpin_task(p);
		if (set_cpus_allowed_ptr(p, saved))
			set_cpus_allowed_ptr(p, cpu_possible_mask);
	}
	return ret;
}

/* Under e->config_mutex. */
int ghost_agent_release(struct ghost_enclave *e)
{
	cpumask_var_t saved;
	struct ghost_task *gt;
	int ret;

	if (ghost_current_agent_cpu(e) < 0)
		return -EPERM;
	if (!alloc_cpumask_var(&saved, GFP_KERNEL))
		return -ENOMEM;
	rcu_read_lock();
	gt = ghost_task_of(current);
	cpumask_copy(saved, gt->saved_cpus);
	rcu_read_unlock();

	ret = ghost_agent_demote(current, saved);
	free_cpumask_var(saved);
	return ret;
}

/* Demote the agent of @cpu in @e, if it has one. Sleeps. */
void ghost_agent_evict(struct ghost_enclave *e, int cpu)
{
	struct task_struct *agent;
	cpumask_var_t saved;
	unsigned long flags;
	struct rq *rq;

	/* Nothing may stop half way for want of a cpumask. */
	alloc_cpumask_var(&saved, GFP_KERNEL | __GFP_NOFAIL);
	rq = ghost_cpu_rq_lock(cpu, &flags);
	agent = ghost_cpu(cpu)->agent;
	if (agent && ghost_cpu(cpu)->enclave == e) {
		get_task_struct(agent);
		cpumask_copy(saved, ghost_task_of(agent)->saved_cpus);
	} else {
		agent = NULL;
	}
	ghost_rq_unlock(rq, flags);
	if (agent) {
		ghost_agent_demote(agent, saved);
		put_task_struct(agent);
	}
	free_cpumask_var(saved);
}

int ghost_agent_ping(struct ghost_enclave *e, struct ghost_ping *arg)
{
	struct ghost_cpu *gc;
	unsigned long flags;
	struct rq *rq;
	int ret = 0;

	if (arg->reserved || arg->cpu < 0 || arg->cpu >= nr_cpu_ids)
		return -EINVAL;
	gc = ghost_cpu(arg->cpu);
	rq = ghost_cpu_rq_lock(arg->cpu, &flags);
	if (gc->enclave != e)
		ret = -EINVAL;
	else if (!gc->agent)
		ret = -ESRCH;
	else
		ghost_agent_wake(rq, arg->cpu);
	ghost_rq_unlock(rq, flags);
	return ret;
}

static LLIST_HEAD(ghost_strays);

/* Demote each agent the kernel moved off its CPU. */
static void ghost_stray_workfn(struct work_struct *work)
{
	struct llist_node *list = llist_del_all(&ghost_strays);
	struct ghost_task *gt, *next;

	llist_for_each_entry_safe(gt, next, list, evict_node) {
		struct task_struct *p = gt->task;
		int cpu = READ_ONCE(gt->agent_cpu);
		struct ghost_cpu *gc = ghost_cpu(cpu);
		unsigned long flags;
		bool still_agent;
		struct rq *rq;

		/* Free its CPU first: it cannot do it from where it is now. */
		rq = ghost_cpu_rq_lock(cpu, &flags);
		if (gc->agent == p)
			ghost_cpu_drop_agent(gc);
		ghost_rq_unlock(rq, flags);

		rq = ghost_task_rq_lock(p, &flags);
		still_agent = ghost_task_of(p) == gt;
		ghost_task_rq_unlock(rq, p, flags);
		if (still_agent)
			ghost_agent_demote(p, gt->saved_cpus);
		clear_bit(GHOST_TASK_EVICTING, &gt->flags);
		put_task_struct(p);
		ghost_task_put(gt);
	}
}

static DECLARE_WORK(ghost_stray_work, ghost_stray_workfn);

static void ghost_stray_irq_workfn(struct irq_work *work)
{
	queue_work(ghost_wq, &ghost_stray_work);
}

static struct irq_work ghost_stray_irq_work = IRQ_WORK_INIT(ghost_stray_irq_workfn);

/*
 * The kernel changed agent @gt's affinity away from its CPU; any context
 * (pi_lock held). It stops being an agent soon, from a work item.
 */
void ghost_agent_strayed(struct ghost_task *gt)
{
	if (test_and_set_bit(GHOST_TASK_EVICTING, &gt->flags))
		return;
	kref_get(&gt->kref);
	get_task_struct(gt->task);
	if (llist_add(&gt->evict_node, &ghost_strays))
		irq_work_queue(&ghost_stray_irq_work);
}

void ghost_agents_exit(void)
{
	irq_work_sync(&ghost_stray_irq_work);
	flush_work(&ghost_stray_work);
}
