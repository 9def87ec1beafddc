// SPDX-License-Identifier: GPL-2.0
/*
 * The simulated kernel's agents (agent.c in the module): attaching to a
 * CPU, parking, waking, moving, releasing; and their steps in simulated
 * time.
 *
 * An agent holds its CPU while it runs a step and while it spins (is not
 * parked); a ghost task runs there only when it has parked. Waking a
 * parked agent costs parked_wakeup_ns; news reaches an agent that spins
 * idle after global_delivery_ns. A step costs agent_step_ns plus what the
 * agent does in it (each message read, each commit and other ioctl), and
 * the agent's next step cannot start before the last one ended.
 *
 * A spinning agent (the global agent) whose step did nothing is not run
 * again and again for nothing: it waits for news, for the runtime's idle
 * deadline (when it would park), or, if its policy read the clock, for
 * agent_poll_ns, whichever comes first (see docs/ghost-sim.md).
 */
#include <errno.h>

#include "kernel.h"

bool sk_agent_holds_cpu(const struct sim_kernel *sk, const struct sk_cpu *c)
{
	return c->agent && (!c->agent->parked || sk->now < c->agent->busy_until);
}

uint64_t sk_agent_clock(struct sim_kernel *sk)
{
	return sk->now + (sk->stepping ? sk->step_cost : 0);
}

void sk_agent_charge(struct sim_kernel *sk, uint64_t ns)
{
	if (sk->stepping)
		sk->step_cost += ns;
}

void sk_agent_schedule(struct sim_kernel *sk, struct sk_agent *a, uint64_t when)
{
	if (when < a->busy_until)
		when = a->busy_until;
	if (a->done || (a->run_pending && a->run_at <= when))
		return;
	a->run_pending = true;
	a->run_at = when;
	event_push(sk->events, when, EV_AGENT_RUN, a->id, ++a->gen);
}

void sk_agent_wake(struct sim_kernel *sk, int cpu)
{
	struct sk_agent *a = sk->cpus[cpu].agent;

	if (!a)
		return;
	sk_word(sk, cpu)->barrier++;
	sk->counters.agent_wakeups++;
	/* The agent stepping now sees the barrier move when it parks. */
	if (a == sk->stepping)
		return;
	if (a->parked)
		sk_agent_schedule(sk, a, sk_agent_clock(sk) +
				  sk->m->cost[COST_PARKED_WAKEUP]);
	else if (a->waiting_for_news)
		sk_agent_schedule(sk, a, sk_agent_clock(sk) +
				  sk->m->cost[COST_GLOBAL_DELIVERY]);
}

/* @a is now the agent of @cpu: a ghost task running there is preempted. */
static void arrive(struct sim_kernel *sk, struct sk_agent *a, int cpu)
{
	struct sk_cpu *c = &sk->cpus[cpu];

	a->cpu = cpu;
	a->parked = false;
	c->agent = a;
	sk_preempt_running(sk, cpu, 0);
	sk_cpu_word_update(sk, cpu);
	sk_cpu_account(sk, cpu);
}

static void leave(struct sim_kernel *sk, struct sk_agent *a)
{
	int cpu = a->cpu;

	if (cpu < 0)
		return;
	sk->cpus[cpu].agent = NULL;
	a->cpu = -1;
	a->parked = false;
	sk_cpu_word_update(sk, cpu);
	/* What was latched there runs once the agent's step is over. */
	sk->cpus[cpu].latch_switch_ns = sk->m->cost[COST_CONTEXT_SWITCH];
	event_push(sk->events, sk_agent_clock(sk), EV_CPU_SWITCH, cpu,
		   ++sk->cpus[cpu].switch_gen);
	sk_cpu_account(sk, cpu);
}

int sk_agent_attach(struct sim_kernel *sk, unsigned int agent, int cpu,
		    struct sk_queue *q)
{
	struct sk_agent *a = &sk->agents[agent];

	sk_agent_charge(sk, sk->m->cost[COST_SYSCALL]);
	if (sk->destroyed)
		return -ENODEV;
	if (cpu < 0 || cpu >= sk->nr_cpu_ids || !sk->cpus[cpu].in_enclave)
		return -EINVAL;
	if (a->cpu >= 0)
		return -EALREADY;
	if (sk->cpus[cpu].agent)
		return -EBUSY;
	a->queue = q;
	arrive(sk, a, cpu);
	return 0;
}

int sk_agent_park(struct sim_kernel *sk, unsigned int agent, uint32_t barrier)
{
	struct sk_agent *a = &sk->agents[agent];

	sk_agent_charge(sk, sk->m->cost[COST_SYSCALL]);
	if (sk->destroyed || a->cpu < 0)
		return -ENODEV;
	if (sk_word(sk, a->cpu)->barrier != barrier) {
		sk->step_active = true;
		return -ESTALE;
	}
	a->parked = true;
	sk_cpu_word_update(sk, a->cpu);
	return 0;
}

int sk_agent_move(struct sim_kernel *sk, unsigned int agent, int cpu)
{
	struct sk_agent *a = &sk->agents[agent];
	struct sk_cpu *to;

	sk_agent_charge(sk, sk->m->cost[COST_SYSCALL]);
	sk->step_active = true;
	if (sk->destroyed || a->cpu < 0)
		return sk->destroyed ? -ENODEV : -EPERM;
	if (cpu < 0 || cpu >= sk->nr_cpu_ids || !sk->cpus[cpu].in_enclave)
		return -EINVAL;
	if (cpu == a->cpu)
		return 0;
	to = &sk->cpus[cpu];
	if (to->agent)
		return -EBUSY;
	/* A task latched where the agent goes could not run: it loses it. */
	if (to->latched)
		sk_unlatch(sk, to->latched, true);
	leave(sk, a);
	arrive(sk, a, cpu);
	return 0;
}

int sk_agent_release(struct sim_kernel *sk, unsigned int agent)
{
	struct sk_agent *a = &sk->agents[agent];

	sk_agent_charge(sk, sk->m->cost[COST_SYSCALL]);
	sk->step_active = true;
	if (a->cpu < 0)
		return -EPERM;
	leave(sk, a);
	return 0;
}

int sk_ping(struct sim_kernel *sk, int cpu)
{
	sk_agent_charge(sk, sk->m->cost[COST_SYSCALL]);
	sk->step_active = true;
	if (sk->destroyed)
		return -ENODEV;
	if (cpu < 0 || cpu >= sk->nr_cpu_ids || !sk->cpus[cpu].in_enclave)
		return -EINVAL;
	if (!sk->cpus[cpu].agent)
		return -ESRCH;
	sk_agent_wake(sk, cpu);
	return 0;
}

void sk_agent_step_begin(struct sim_kernel *sk, struct sk_agent *a)
{
	a->run_pending = false;
	a->waiting_for_news = false;
	sk->stepping = a;
	sk->step_cost = sk->m->cost[COST_AGENT_STEP];
	sk->step_active = false;
	sk->step_clock_reads = 0;
	sk->counters.agent_steps++;
	if (a->cpu < 0)
		return;
	/* Woken, the agent takes its CPU from the ghost task running there. */
	a->parked = false;
	sk_preempt_running(sk, a->cpu, 0);
	sk_cpu_word_update(sk, a->cpu);
	sk_cpu_account(sk, a->cpu);
}

void sk_agent_step_end(struct sim_kernel *sk, struct sk_agent *a, bool again,
		       uint64_t idle_deadline)
{
	uint64_t end = sk->now + sk->step_cost;
	struct sk_cpu *c = a->cpu >= 0 ? &sk->cpus[a->cpu] : NULL;

	sk->stepping = NULL;
	a->busy_until = end;
	if (c) {
		sk_cpu_account(sk, c->id);
		/* Off its CPU at the step's end, or still holding it. */
		if (a->parked)
			event_push(sk->events, end, EV_CPU_SWITCH, c->id, ++c->switch_gen);
	}
	if (!again || (c && a->parked))
		return;
	if (sk->step_active) {
		sk_agent_schedule(sk, a, end);
		return;
	}
	/* Nothing done: only news, the idle deadline or the clock changes that. */
	a->waiting_for_news = true;
	if (idle_deadline)
		sk_agent_schedule(sk, a, idle_deadline);
	else if (sk->step_clock_reads)
		sk_agent_schedule(sk, a, end + sk->m->cost[COST_AGENT_POLL]);
}
