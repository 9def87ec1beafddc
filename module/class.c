// SPDX-License-Identifier: GPL-2.0
/*
 * The callbacks behind the ghost and agent classes: they turn scheduler
 * events into messages and status-word updates, pick what the agents
 * committed, and keep agents from starving the classes below theirs. All
 * of them run under the rq lock of @rq with interrupts off unless the hook
 * patch documents otherwise (fork, cleanup_fork, task_dead, kick_agent,
 * set_cpus_allowed of a waking task).
 *
 * A ghost task runs only as the *committed* task of its CPU
 * (ghost_cpu::running): latched there by an agent, or kept there since.
 * Whatever else the kernel switches in (a task that entered the enclave
 * while running, one lifted out of the class by priority inheritance, one
 * the hotplug code moves away) is not shown running and reported nothing.
 */
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>

#include "ghost.h"

DEFINE_PER_CPU(struct ghost_cpu, ghost_cpus);

/* The ghost task of @p, or NULL for agents and tasks of other classes. */
static struct ghost_task *ghost_plain_task(struct task_struct *p)
{
	struct ghost_task *gt = ghost_task_of(p);

	return gt && !gt->agent ? gt : NULL;
}

/* Publish @gc's state in its CPU's status word. */
void ghost_update_cpu_word(struct ghost_cpu *gc)
{
	struct ghost_status_word *w = gc->word;
	struct ghost_task *running;
	u32 flags = GHOST_SW_CPU_IN_ENCLAVE;

	if (!w)
		return;
	if (gc->available)
		flags |= GHOST_SW_CPU_AVAIL;
	if (gc->boost)
		flags |= GHOST_SW_CPU_BOOST;
	if (gc->agent)
		flags |= GHOST_SW_CPU_HAS_AGENT;
	if (READ_ONCE(gc->parked))
		flags |= GHOST_SW_CPU_AGENT_PARKED;
	if (gc->offline)
		flags |= GHOST_SW_CPU_OFFLINE;
	if (gc->throttled_until)
		flags |= GHOST_SW_CPU_THROTTLED;
	running = gc->running ? ghost_task_of(gc->running) : NULL;
	WRITE_ONCE(w->gtid, running ? running->gtid : 0);
	/* Whoever reads these flags reads the gtid that goes with them. */
	smp_store_release(&w->flags, flags);
}

/*
 * Track whether a higher class wants @gc's CPU (or it is offline), if it
 * is in an enclave; tell the CPU's agent when that changes. An agent that
 * runs while another class wants its CPU is asked to move (BOOST).
 */
void ghost_update_availability(struct rq *rq, struct ghost_cpu *gc)
{
	bool available = !gc->offline && ghost_rq_nr_running_above(rq) == 0;
	bool boost = !available && gc->agent && ghost_rq_curr(rq) == gc->agent;

	if (!gc->enclave)
		return;
	if (available == gc->available && boost == gc->boost)
		return;
	gc->boost = boost;
	if (available != gc->available) {
		gc->available = available;
		ghost_update_cpu_word(gc);
		ghost_cpu_send(rq, gc,
			       available ? GHOST_MSG_CPU_AVAILABLE : GHOST_MSG_CPU_BUSY,
			       gc->offline ? GHOST_MSG_F_CPU_OFFLINE : 0);
		/* Even an agent on a polled queue must learn it may run again. */
		ghost_agent_wake(rq, gc->cpu);
		return;
	}
	ghost_update_cpu_word(gc);
}

/*
 * @gt leaves ghost for good. A child that never woke up was never
 * announced, so it goes silently.
 */
static void ghost_depart(struct rq *rq, struct ghost_task *gt)
{
	if (gt->agent) {
		ghost_agent_detach(rq, gt);
		return;
	}
	if (!gt->enclave || !ghost_enclave_live(gt->enclave))
		gt->depart_reason = GHOST_DEPART_ENCLAVE;
	if (!gt->new)
		ghost_task_send(rq, gt, GHOST_MSG_TASK_DEPARTED, 0);
	ghost_task_release(rq, gt);
}

static int ghost_class_setscheduler(struct rq *rq, struct task_struct *p,
				    int policy, bool user)
{
	struct ghost_task *gt = ghost_task_of(p);

	if (p->policy != SCHED_GHOST) {
		struct ghost_task *ticket = READ_ONCE(p->ghost.ticket);

		if (policy != SCHED_GHOST)
			return 0;
		if (!ticket)
			return -ENXIO;
		return ticket->agent ? ghost_agent_enter(rq, p, ticket) :
				       ghost_task_enter(rq, p, ticket);
	}
	if (policy == SCHED_GHOST || !gt)
		return 0;
	/* Agents leave through GHOST_IOC_AGENT_RELEASE or enclave death. */
	if (gt->agent && user)
		return -EPERM;
	gt->departing = true;
	/*
	 * Lifted out of our classes by PI (before or since it entered):
	 * switched_from() will not come, so it leaves now.
	 */
	if (!ghost_task_in_class(p))
		ghost_depart(rq, gt);
	return 0;
}

static void ghost_class_cleanup_fork(struct task_struct *p)
{
	ghost_task_cleanup_fork(ghost_task_of(p));
	p->ghost.priv = NULL;
}

/* @p died, whatever its class; no lock is held. */
static void ghost_class_task_dead(struct task_struct *p)
{
	struct ghost_task *gt;
	unsigned long flags;
	struct rq *rq;

	rq = ghost_task_rq_lock(p, &flags);
	gt = ghost_task_of(p);
	if (gt) {
		if (gt->agent) {
			ghost_agent_detach(rq, gt);
		} else {
			ghost_task_send(rq, gt, GHOST_MSG_TASK_DEAD, 0);
			ghost_task_release(rq, gt);
		}
	}
	ghost_task_rq_unlock(rq, p, flags);
}

static void ghost_class_switched_to(struct rq *rq, struct task_struct *p)
{
	struct ghost_task *gt = ghost_task_of(p);
	bool runnable;

	if (!gt)
		return;
	if (gt->agent) {
		struct ghost_cpu *gc = ghost_cpu(ghost_rq_cpu(rq));

		gt->boosted = false;
		/* It was CFS work on its CPU until now, which made it look busy. */
		ghost_update_availability(rq, gc);
		return;
	}
	/*
	 * Added while clone() is still making it: it has never been queued,
	 * and its first enqueue (wake_up_new_task(), not a wakeup) must
	 * announce it runnable, as for a child forked inside the enclave.
	 * TASK_NEW ends under pi_lock, which the caller holds.
	 */
	if (READ_ONCE(p->__state) == TASK_NEW) {
		gt->new = true;
		return;
	}
	runnable = ghost_task_queued(p) || ghost_rq_curr(rq) == p;
	if (gt->boosted) {
		/* Back from a priority-inheritance boost. */
		gt->boosted = false;
		if (!runnable)
			return;
		ghost_task_send(rq, gt, GHOST_MSG_TASK_WAKEUP, 0);
	} else {
		ghost_task_send(rq, gt, GHOST_MSG_TASK_NEW,
				runnable ? GHOST_MSG_F_RUNNABLE : 0);
	}
	if (runnable) {
		gt->runnable_since = ktime_get_ns();
		ghost_task_set_word(gt, GHOST_SW_TASK_RUNNABLE, 0);
	}
	/* Running now, it was not committed: it stops until an agent commits it. */
	if (ghost_rq_curr(rq) == p)
		ghost_resched_curr(rq);
}

/* @gt's task stops being shown running on @gc's CPU. */
static void ghost_task_off_cpu(struct ghost_cpu *gc, struct ghost_task *gt,
			       u64 now)
{
	gt->oncpu = false;
	WRITE_ONCE(gt->word->runtime_ns, gt->task->se.sum_exec_runtime);
	WRITE_ONCE(gt->word->switch_time_ns, now);
	ghost_task_set_word(gt, 0, GHOST_SW_TASK_ONCPU);
	if (gc->running == gt->task) {
		gc->running = NULL;
		gc->preempt_running = false;
		ghost_update_cpu_word(gc);
	}
}

static void ghost_class_switched_from(struct rq *rq, struct task_struct *p)
{
	struct ghost_task *gt = ghost_task_of(p);
	struct ghost_cpu *gc = ghost_cpu(ghost_rq_cpu(rq));

	if (!gt)
		return;
	if (!gt->agent) {
		if (gt->oncpu || gc->running == p)
			ghost_task_off_cpu(gc, gt, ktime_get_ns());
		ghost_task_unlatch(rq, gt, false);
		gt->reserved_cpu = -1;
	}
	if (p->policy == SCHED_GHOST) {
		/* A priority-inheritance boost: out of ghost until it ends. */
		gt->boosted = true;
		if (!gt->agent) {
			gt->runnable_since = 0;
			ghost_task_send(rq, gt, GHOST_MSG_TASK_BLOCKED, 0);
		}
		return;
	}
	ghost_depart(rq, gt);
}

static void ghost_class_prio_changed(struct rq *rq, struct task_struct *p, int oldprio)
{
	struct ghost_task *gt = ghost_plain_task(p);

	if (gt && p->prio != oldprio)
		ghost_task_send(rq, gt, GHOST_MSG_TASK_PRIORITY_CHANGED, 0);
}

/*
 * Holds pi_lock, and @p's rq lock unless @p is waking: a waking task's
 * fallback (select_fallback_rq()) comes without it, so its message waits
 * for the enqueue that follows, as does a new child's. A task left with no
 * CPU of its enclave is evicted; an agent moved off its CPU (a cpuset,
 * hotplug) stops being one.
 */
static void ghost_class_set_cpus_allowed(struct task_struct *p,
					 const struct cpumask *mask)
{
	struct ghost_task *gt = ghost_task_of(p);
	struct ghost_enclave *e;
	bool outside;

	if (!gt)
		return;
	if (gt->agent) {
		int move_cpu = READ_ONCE(gt->move_cpu);

		if (!cpumask_equal(mask, cpumask_of(READ_ONCE(gt->agent_cpu))) &&
		    (move_cpu < 0 || !cpumask_equal(mask, cpumask_of(move_cpu))))
			ghost_agent_strayed(gt);
		return;
	}
	e = gt->enclave;
	raw_spin_lock(&e->lock);
	outside = !cpumask_intersects(mask, e->cpus);
	raw_spin_unlock(&e->lock);
	if (outside)
		ghost_task_evict(gt, GHOST_DEPART_AFFINITY);
	if (READ_ONCE(p->__state) == TASK_WAKING || READ_ONCE(gt->new)) {
		set_bit(GHOST_TASK_AFFINITY_DUE, &gt->flags);
	} else {
		struct rq *rq = ghost_cpu_rq(task_cpu(p));

		ghost_assert_rq_held(rq);
		ghost_task_send(rq, gt, GHOST_MSG_TASK_AFFINITY_CHANGED, 0);
	}
}

static void ghost_class_enqueue_task(struct rq *rq, struct task_struct *p,
				     bool wakeup)
{
	struct ghost_task *gt = ghost_plain_task(p);

	if (!gt)
		return;
	if (test_and_clear_bit(GHOST_TASK_AFFINITY_DUE, &gt->flags) && !gt->new)
		ghost_task_send(rq, gt, GHOST_MSG_TASK_AFFINITY_CHANGED, 0);
	if (gt->new) {
		gt->new = false;
		gt->runnable_since = ktime_get_ns();
		ghost_task_set_word(gt, GHOST_SW_TASK_RUNNABLE, 0);
		ghost_task_send(rq, gt, GHOST_MSG_TASK_NEW, GHOST_MSG_F_RUNNABLE);
	} else if (wakeup) {
		gt->runnable_since = ktime_get_ns();
		ghost_task_set_word(gt, GHOST_SW_TASK_RUNNABLE, 0);
		ghost_task_send(rq, gt, GHOST_MSG_TASK_WAKEUP, 0);
	}
}

static void ghost_class_dequeue_task(struct rq *rq, struct task_struct *p,
				     bool sleep)
{
	struct ghost_task *gt = ghost_plain_task(p);

	if (!gt)
		return;
	/* The kernel moves it: the latch, or a sync group's hold, is lost. */
	if (!gt->moving) {
		ghost_task_unlatch(rq, gt, !gt->departing);
		gt->reserved_cpu = -1;
	}
	if (!sleep)
		return;
	gt->runnable_since = 0;
	ghost_task_set_word(gt, 0, GHOST_SW_TASK_RUNNABLE);
	/* An exiting task reports TASK_DEAD instead. */
	if (READ_ONCE(p->__state) != TASK_DEAD)
		ghost_task_send(rq, gt, GHOST_MSG_TASK_BLOCKED, 0);
}

static void ghost_class_yield_task(struct rq *rq)
{
	struct ghost_task *gt = ghost_plain_task(ghost_rq_curr(rq));

	if (gt)
		gt->yielding = true;
}

/*
 * Run the task committed here; else keep the committed task that runs,
 * unless it yields or a commit asked for the CPU back.
 */
static struct task_struct *ghost_class_pick_next_task(struct rq *rq)
{
	struct ghost_cpu *gc = ghost_cpu(ghost_rq_cpu(rq));
	struct task_struct *curr = ghost_rq_curr(rq);
	struct task_struct *p = gc->latched;
	struct ghost_task *gt;

	if (!gc->enclave || gc->offline)
		return NULL;
	if (p) {
		gt = ghost_task_of(p);
		gc->latched = NULL;
		gt->latched_cpu = -1;
		ghost_task_set_word(gt, 0, GHOST_SW_TASK_LATCHED);
		gc->running = p;
		gc->preempt_running = false;
		return p;
	}
	gt = ghost_plain_task(curr);
	if (gt && curr == gc->running && ghost_task_queued(curr) &&
	    !gt->yielding && !gc->preempt_running)
		return curr;
	gc->running = NULL;
	gc->preempt_running = false;
	return NULL;
}

static struct task_struct *ghost_class_pick_next_agent(struct rq *rq)
{
	int cpu = ghost_rq_cpu(rq);
	struct ghost_cpu *gc = ghost_cpu(cpu);
	struct task_struct *agent = gc->agent;

	if (!agent || !ghost_task_in_class(agent) || task_cpu(agent) != cpu ||
	    !ghost_task_queued(agent))
		return NULL;
	if (gc->throttled_until) {
		if (ktime_get_ns() < gc->throttled_until)
			return NULL;
		gc->throttled_until = 0;
		ghost_update_cpu_word(gc);
	}
	ghost_update_availability(rq, gc);
	if (READ_ONCE(gc->parked) && !READ_ONCE(gc->wake) &&
	    !signal_pending(agent))
		return NULL;
	return agent;
}

static void ghost_class_kick_agent(struct task_struct *p)
{
	struct ghost_task *gt = ghost_task_of(p);
	int cpu;

	if (!gt || !gt->agent)
		return;
	cpu = READ_ONCE(gt->agent_cpu);
	WRITE_ONCE(ghost_cpu(cpu)->wake, true);
	/* Wake flag before the kick's reschedule looks at it. */
	smp_mb();
	ghost_kick_cpu(cpu);
}

/* The committed task @prev switches out: say why, if it is still runnable. */
static void ghost_switch_out(struct rq *rq, struct ghost_cpu *gc,
			     struct ghost_task *gt, struct task_struct *next,
			     u64 now)
{
	struct task_struct *prev = gt->task;
	u32 flags = 0;

	gt->last_cpu = ghost_rq_cpu(rq);
	ghost_task_off_cpu(gc, gt, now);
	if (!ghost_task_queued(prev) || gt->departing)
		return;
	gt->runnable_since = now;
	if (gt->yielding) {
		gt->yielding = false;
		ghost_task_send(rq, gt, GHOST_MSG_TASK_YIELD, 0);
		return;
	}
	if (ghost_rq_nr_running_above(rq) && !ghost_task_of(next))
		flags |= GHOST_MSG_F_BY_HIGHER_CLASS;
	ghost_task_send(rq, gt, GHOST_MSG_TASK_PREEMPT, flags);
}

static void ghost_class_switch_tasks(struct rq *rq, struct task_struct *prev,
				     struct task_struct *next)
{
	struct ghost_cpu *gc = ghost_cpu(ghost_rq_cpu(rq));
	struct ghost_task *gt;
	u64 now;

	if (!gc->enclave && !prev->ghost.priv && !next->ghost.priv)
		return;
	now = ktime_get_ns();
	gt = ghost_plain_task(prev);
	if (gt && gt->oncpu)
		ghost_switch_out(rq, gc, gt, next, now);

	if (gc->want_not_idle && is_idle_task(prev)) {
		gc->want_not_idle = false;
		ghost_cpu_send(rq, gc, GHOST_MSG_CPU_NOT_IDLE, 0);
	}

	gt = ghost_plain_task(next);
	if (gt && next == gc->running) {
		gt->oncpu = true;
		gt->runnable_since = 0;
		WRITE_ONCE(gt->word->switch_time_ns, now);
		ghost_task_set_word(gt, GHOST_SW_TASK_ONCPU | GHOST_SW_TASK_RUNNABLE, 0);
	}
	if (gc->enclave) {
		if (gc->word)
			WRITE_ONCE(gc->word->switch_time_ns, now);
		ghost_update_availability(rq, gc);
		ghost_update_cpu_word(gc);
	}
}

/*
 * An agent that runs while other classes wait for its CPU uses up its
 * budget, counted in ticks; over it, it is not picked for a while (the
 * hrtimer ends that even if no tick comes). The count starts again
 * whenever nothing waits.
 */
static void ghost_agent_account(struct rq *rq, struct ghost_cpu *gc, u64 now)
{
	if (!gc->agent)
		return;
	if (!ghost_rq_nr_running_above(rq)) {
		gc->starve_ticks = 0;
		WRITE_ONCE(gc->throttled_since, 0);
		return;
	}
	if (ghost_rq_curr(rq) != gc->agent ||
	    ++gc->starve_ticks * TICK_NSEC < GHOST_AGENT_BUDGET_MS * NSEC_PER_MSEC)
		return;
	gc->starve_ticks = 0;
	gc->throttled_until = now + GHOST_AGENT_THROTTLE_MS * NSEC_PER_MSEC;
	if (!gc->throttled_since)
		WRITE_ONCE(gc->throttled_since, now);
	atomic64_inc(&gc->enclave->stats.agent_throttles);
	ghost_update_cpu_word(gc);
	hrtimer_start(&gc->throttle_end, ms_to_ktime(GHOST_AGENT_THROTTLE_MS),
		      HRTIMER_MODE_REL_PINNED_HARD);
	ghost_resched_curr(rq);
}

static enum hrtimer_restart ghost_throttle_end(struct hrtimer *timer)
{
	struct ghost_cpu *gc = container_of(timer, struct ghost_cpu, throttle_end);

	/* The pick lifts the throttle once its time is up. */
	ghost_kick_cpu(gc->cpu);
	return HRTIMER_NORESTART;
}

static void ghost_class_tick(struct rq *rq)
{
	struct ghost_cpu *gc = ghost_cpu(ghost_rq_cpu(rq));
	struct ghost_task *gt;
	u64 now;

	if (!gc->enclave)
		return;
	gt = ghost_plain_task(ghost_rq_curr(rq));
	if (gt && gt->oncpu)
		WRITE_ONCE(gt->word->runtime_ns,
			   ghost_rq_curr(rq)->se.sum_exec_runtime);
	ghost_update_availability(rq, gc);
	now = ktime_get_ns();
	/* The hrtimer may come late; the pick lifts an expired throttle. */
	if (gc->throttled_until && now >= gc->throttled_until)
		ghost_resched_curr(rq);
	ghost_agent_account(rq, gc, now);
	if (READ_ONCE(gc->enclave->flags) & GHOST_ENCLAVE_F_TICKS)
		ghost_cpu_send(rq, gc, GHOST_MSG_CPU_TICK, 0);
}

static const struct ghost_class_ops ghost_ops = {
	.owner			= THIS_MODULE,
	.setscheduler		= ghost_class_setscheduler,
	.fork			= ghost_task_fork,
	.cleanup_fork		= ghost_class_cleanup_fork,
	.task_dead		= ghost_class_task_dead,
	.enqueue_task		= ghost_class_enqueue_task,
	.dequeue_task		= ghost_class_dequeue_task,
	.pick_next_task		= ghost_class_pick_next_task,
	.yield_task		= ghost_class_yield_task,
	.set_cpus_allowed	= ghost_class_set_cpus_allowed,
	.switched_to		= ghost_class_switched_to,
	.switched_from		= ghost_class_switched_from,
	.prio_changed		= ghost_class_prio_changed,
	.pick_next_agent	= ghost_class_pick_next_agent,
	.kick_agent		= ghost_class_kick_agent,
	.switch_tasks		= ghost_class_switch_tasks,
	.tick			= ghost_class_tick,
};

int ghost_class_init(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		struct ghost_cpu *gc = ghost_cpu(cpu);

		gc->cpu = cpu;
		gc->available = true;
		hrtimer_init(&gc->throttle_end, CLOCK_MONOTONIC,
			     HRTIMER_MODE_REL_PINNED_HARD);
		gc->throttle_end.function = ghost_throttle_end;
		ghost_event_slot_init(&gc->attach_event);
		ghost_event_slot_init(&gc->detach_event);
		ghost_event_slot_init(&gc->overflow_event);
	}
	return ghost_register_class_ops(&ghost_ops);
}

void ghost_class_exit(void)
{
	int cpu;

	ghost_unregister_class_ops(&ghost_ops);
	for_each_possible_cpu(cpu)
		hrtimer_cancel(&ghost_cpu(cpu)->throttle_end);
}
