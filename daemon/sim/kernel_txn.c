// SPDX-License-Identifier: GPL-2.0
/*
 * The simulated kernel's commits (txn.c in the module): READY slots are
 * claimed in CPU order, copied, checked in the module's order and ended in
 * the module's final states; a sync group is checked whole before any of
 * its tasks is latched. A commit is atomic in simulated time, so the holds
 * by which the module keeps a sync group's tasks and CPUs from other
 * commits have nothing to guard against here.
 *
 * Costs: a local commit that latches a task costs the agent
 * local_schedule_ns, and the task runs when the agent leaves its CPU, at
 * the end of its step; any other commit costs remote_commit_ns, plus
 * group_txn_ns per further slot, and each remote task starts after the
 * IPI to its CPU and a context switch there.
 */
#include <errno.h>

#include "kernel.h"

struct txn_req {
	int cpu;
	uint64_t target;
	uint32_t task_barrier;
	uint32_t agent_barrier;
	uint32_t run_flags;
	int state;
};

static bool is_task(const struct txn_req *req)
{
	return req->target != GHOST_TARGET_NONE && req->target != GHOST_TARGET_PING;
}

static bool claim(struct sim_kernel *sk, struct txn_req *req)
{
	struct ghost_txn *txn = &sk->txns[req->cpu];

	if (txn->state != GHOST_TXN_READY)
		return false;
	txn->state = GHOST_TXN_CLAIMED;
	req->target = txn->target;
	req->task_barrier = txn->task_barrier;
	req->agent_barrier = txn->agent_barrier;
	req->run_flags = txn->run_flags;
	return true;
}

static int precheck(struct sim_kernel *sk, const struct txn_req *req, int self)
{
	if (!sk->cpus[req->cpu].in_enclave)
		return GHOST_TXN_INVALID_CPU;
	if (req->run_flags & ~GHOST_RUN_F_ALL)
		return GHOST_TXN_INVALID_FLAGS;
	if (req->cpu == self && sk_word(sk, req->cpu)->barrier != req->agent_barrier)
		return GHOST_TXN_AGENT_STALE;
	return GHOST_TXN_COMPLETE;
}

static bool duplicate(const struct txn_req *reqs, int i)
{
	for (int j = 0; j < i; j++)
		if (is_task(&reqs[j]) && reqs[j].target == reqs[i].target)
			return true;
	return false;
}

/* ghost_txn_check_target() and ghost_txn_check_cpu(), in their order. */
static int check_latch(struct sim_kernel *sk, const struct txn_req *req)
{
	struct sk_task *t = sk_task_by_gtid(sk, req->target);
	struct sk_cpu *c = &sk->cpus[req->cpu];

	if (!t)
		return GHOST_TXN_TARGET_NOT_FOUND;
	if (sk_task_word(sk, t)->barrier != req->task_barrier)
		return GHOST_TXN_TARGET_STALE;
	if (t->running_cpu >= 0)
		return GHOST_TXN_TARGET_ONCPU;
	if (!t->runnable)
		return GHOST_TXN_TARGET_NOT_RUNNABLE;
	if (!CPU_ISSET(req->cpu, &t->mask))
		return GHOST_TXN_TARGET_NOT_ALLOWED;
	if (t->latched_cpu >= 0 && t->latched_cpu != req->cpu)
		return GHOST_TXN_TARGET_LATCHED;
	if (c->hogs)
		return GHOST_TXN_CPU_UNAVAIL;
	if ((req->run_flags & GHOST_RUN_F_NO_PREEMPT) &&
	    (c->running || (c->latched && c->latched != t)))
		return GHOST_TXN_CPU_BUSY;
	return GHOST_TXN_COMPLETE;
}

/* The checks of a slot that PING and TARGET_NONE need. */
static int check_other(struct sim_kernel *sk, const struct txn_req *req)
{
	if (req->target == GHOST_TARGET_PING && !sk->cpus[req->cpu].agent)
		return GHOST_TXN_NO_AGENT;
	return GHOST_TXN_COMPLETE;
}

/* Every check passed: latch the slot's task, to start at @start. */
static void latch(struct sim_kernel *sk, const struct txn_req *req, int self,
		  uint64_t start)
{
	struct sk_task *t = sk_task_by_gtid(sk, req->target);
	struct sk_cpu *c = &sk->cpus[req->cpu];

	if (c->latched && c->latched != t)
		sk_unlatch(sk, c->latched, true);
	c->latched = t;
	t->latched_cpu = req->cpu;
	sk_task_word_update(sk, t);
	if (req->cpu == self) {
		/* local_schedule_ns paid for the switch: it runs once we park. */
		c->latch_switch_ns = 0;
		return;
	}
	c->latch_switch_ns = sk->m->cost[COST_CONTEXT_SWITCH];
	event_push(sk->events, start + machine_ipi_ns(sk->m, self, req->cpu),
		   EV_CPU_SWITCH, req->cpu, ++c->switch_gen);
}

/* PING wakes the CPU's agent; TARGET_NONE stops what runs there. */
static void act_other(struct sim_kernel *sk, const struct txn_req *req)
{
	struct sk_cpu *c = &sk->cpus[req->cpu];

	if (req->target == GHOST_TARGET_PING) {
		sk_agent_wake(sk, req->cpu);
		return;
	}
	if (c->latched)
		sk_unlatch(sk, c->latched, true);
	sk_preempt_running(sk, req->cpu, 0);
}

static int check(struct sim_kernel *sk, struct txn_req *reqs, int i, int self)
{
	int state = precheck(sk, &reqs[i], self);

	if (state != GHOST_TXN_COMPLETE)
		return state;
	if (!is_task(&reqs[i]))
		return check_other(sk, &reqs[i]);
	if (duplicate(reqs, i))
		return GHOST_TXN_TARGET_LATCHED;
	return check_latch(sk, &reqs[i]);
}

static void apply(struct sim_kernel *sk, struct txn_req *req, int self,
		  uint64_t start)
{
	if (is_task(req))
		latch(sk, req, self, start);
	else
		act_other(sk, req);
}

/* A set of slots but one's own: checked and applied slot by slot. */
static void commit_each(struct sim_kernel *sk, struct txn_req *reqs, int n,
			int self, uint64_t start)
{
	for (int i = 0; i < n; i++) {
		reqs[i].state = check(sk, reqs, i, self);
		if (reqs[i].state == GHOST_TXN_COMPLETE)
			apply(sk, &reqs[i], self, start);
	}
}

/* A sync group: every slot checked before any acts; one failure fails all. */
static void commit_sync(struct sim_kernel *sk, struct txn_req *reqs, int n,
			int self, uint64_t start, bool not_ready)
{
	int failed = -1;

	for (int i = 0; i < n && failed < 0 && !not_ready; i++) {
		reqs[i].state = check(sk, reqs, i, self);
		if (reqs[i].state != GHOST_TXN_COMPLETE)
			failed = i;
	}
	for (int i = 0; i < n; i++) {
		if (not_ready || (failed >= 0 && i != failed))
			reqs[i].state = GHOST_TXN_POISONED;
		else if (failed < 0)
			apply(sk, &reqs[i], self, start);
	}
}

int sk_commit(struct sim_kernel *sk, unsigned int agent, const cpu_set_t *cpus,
	      uint32_t flags)
{
	const uint64_t *cost = sk->m->cost;
	struct sk_agent *a = &sk->agents[agent];
	bool sync = flags & GHOST_COMMIT_F_SYNC_GROUP;
	struct txn_req reqs[MACHINE_MAX_CPUS];
	int self = a->cpu, n = 0, not_ready = 0;
	uint64_t start;

	sk->step_active = true;
	if (sk->destroyed)
		return -ENODEV;
	if (flags & ~GHOST_COMMIT_F_ALL)
		return -EINVAL;
	if (self < 0)
		return -EPERM;
	for (int cpu = 0; cpu < sk->nr_cpu_ids; cpu++) {
		if (!CPU_ISSET(cpu, cpus))
			continue;
		reqs[n].cpu = cpu;
		if (claim(sk, &reqs[n]))
			n++;
		else
			not_ready++;
	}
	if (n == 1 && reqs[0].cpu == self && !not_ready) {
		/* A local commit: the agent pays for the switch if it latched. */
		reqs[0].state = check(sk, reqs, 0, self);
		sk_agent_charge(sk, reqs[0].state == GHOST_TXN_COMPLETE &&
				is_task(&reqs[0]) ? cost[COST_LOCAL_SCHEDULE] :
				cost[COST_SYSCALL]);
		if (reqs[0].state == GHOST_TXN_COMPLETE)
			apply(sk, &reqs[0], self, sk_agent_clock(sk));
	} else {
		sk_agent_charge(sk, cost[COST_REMOTE_COMMIT] +
				(n > 1 ? (n - 1) * cost[COST_GROUP_TXN] : 0));
		start = sk_agent_clock(sk);
		if (sync)
			commit_sync(sk, reqs, n, self, start, not_ready);
		else
			commit_each(sk, reqs, n, self, start);
	}
	start = sk_agent_clock(sk);
	for (int i = 0; i < n; i++) {
		sk->txns[reqs[i].cpu].commit_time_ns = start;
		sk->txns[reqs[i].cpu].state = reqs[i].state;
		sk->counters.commits[reqs[i].state]++;
		/* The task committed on our own CPU runs once we get off it. */
		if (reqs[i].state == GHOST_TXN_COMPLETE && reqs[i].cpu == self &&
		    is_task(&reqs[i]) &&
		    sk_word(sk, self)->barrier == reqs[i].agent_barrier) {
			a->parked = true;
			sk_cpu_word_update(sk, self);
		}
	}
	return not_ready ? -EBUSY : 0;
}
