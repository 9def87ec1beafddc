// SPDX-License-Identifier: GPL-2.0
/*
 * Policy swaps in a simulation: see swap_control.h.
 */
#include <stdio.h>
#include <string.h>

#include "runtime/runtime.h"
#include "swap_control.h"

/* ghost-agent's limits (daemon/agent/control.c). */
#define QUIESCE_TIMEOUT_MS	1000
#define SETTLE_TIMEOUT_MS	5000
/* How often the control side looks whether the new roles are taken. */
#define SETTLE_POLL_NS		10000

enum phase {
	WAITING,		/* for the next swap's time */
	QUIESCING,
	HANDING_OVER,
	SETTLING,
};

static void schedule(struct swap_control *c, uint64_t when)
{
	event_push(c->sk->events, when, EV_SWAP_CONTROL, 0, 0);
}

static struct sim_swap_result *current(struct swap_control *c)
{
	return &c->results[c->next];
}

static void next_swap(struct swap_control *c)
{
	c->phase = WAITING;
	if (++c->next < c->nr_swaps)
		schedule(c, c->swaps[c->next].at_ns > c->sk->now ?
			    c->swaps[c->next].at_ns : c->sk->now);
}

/* Agents that spin wait for news in the simulation: tell them. */
static void nudge_spinners(struct swap_control *c)
{
	struct sim_kernel *sk = c->sk;

	for (unsigned int i = 0; i < rt_nr_agents(c->rt); i++) {
		struct sk_agent *a = &sk->agents[i];

		if (a->cpu >= 0 && !a->parked && a->waiting_for_news)
			sk_agent_schedule(sk, a, sk->now + sk->m->cost[COST_GLOBAL_DELIVERY]);
	}
}

/* ghost-agent's wake_idle(): threads waiting in the driver step again. */
static void wake_waiters(struct swap_control *c, bool summoned_only)
{
	struct sim_kernel *sk = c->sk;

	for (unsigned int i = 0; i < rt_nr_agents(c->rt); i++) {
		struct sk_agent *a = &sk->agents[i];

		if (a->cpu >= 0 || !rt_agent_wanted(c->rt, i) ||
		    (summoned_only && !rt_agent_summoned(c->rt, i)))
			continue;
		sk_agent_schedule(sk, a, sk->now + sk->m->cost[COST_PARKED_WAKEUP]);
	}
}

/*
 * Inside a step (until its cost has passed), or spinning with a step to
 * come: not quiet yet. Returns 0 if every agent is quiet, or when to look
 * again.
 */
static uint64_t quiet_after(const struct swap_control *c)
{
	const struct sim_kernel *sk = c->sk;
	uint64_t next = 0;

	for (unsigned int i = 0; i < rt_nr_agents(c->rt); i++) {
		const struct sk_agent *a = &sk->agents[i];
		uint64_t when;

		if (a->done)
			continue;
		if (a->busy_until > sk->now)
			when = a->busy_until;
		else if (a->cpu >= 0 && !a->parked && a->run_pending)
			when = a->run_at > sk->now ? a->run_at : sk->now + 1;
		else
			continue;
		if (!next || when < next)
			next = when;
	}
	return next;
}

/* ghost-agent's agent_threads_resume(), and what spinning agents would see. */
static void resume_agents(struct swap_control *c)
{
	rt_resume(c->rt);
	wake_waiters(c, false);
	nudge_spinners(c);
}

static void fail(struct swap_control *c, const char *why)
{
	snprintf(current(c)->failure, sizeof(current(c)->failure), "%s", why);
	rt_abort(c->rt);
	resume_agents(c);
	next_swap(c);
}

static void begin(struct swap_control *c)
{
	struct sim_swap_result *r = current(c);
	struct rt_status st;
	char why[256];

	rt_status(c->rt, &st);
	r->started_ns = c->sk->now;
	snprintf(r->from, sizeof(r->from), "%s", st.plugin);
	if (rt_prepare_swap(c->rt, c->swaps[c->next].plugin, NULL, why, sizeof(why))) {
		snprintf(r->failure, sizeof(r->failure), "%s", why);
		next_swap(c);
		return;
	}
	rt_quiesce(c->rt);
	nudge_spinners(c);
	c->phase = QUIESCING;
	c->deadline = c->sk->now + QUIESCE_TIMEOUT_MS * 1000000ULL;
	schedule(c, c->sk->now);
}

static void hand_over(struct swap_control *c)
{
	uint64_t later = quiet_after(c);
	struct rt_status st;
	char why[256];

	if (later && later <= c->deadline) {
		schedule(c, later);
		return;
	}
	if (later) {
		snprintf(why, sizeof(why),
			 "the agents did not reach a quiet point within %d ms",
			 QUIESCE_TIMEOUT_MS);
		fail(c, why);
		return;
	}
	if (rt_summon(c->rt))
		wake_waiters(c, true);
	if (rt_commit(c->rt, why, sizeof(why))) {
		fail(c, why);
		return;
	}
	/* What the runtime now runs, not what was asked for. */
	rt_status(c->rt, &st);
	snprintf(current(c)->to, sizeof(current(c)->to), "%s", st.plugin);
	c->phase = HANDING_OVER;
	schedule(c, c->sk->now + st.nr_tasks * c->sk->m->cost[COST_HANDOVER_TASK]);
}

static void resume(struct swap_control *c)
{
	current(c)->made = true;
	resume_agents(c);
	c->phase = SETTLING;
	c->deadline = c->sk->now + SETTLE_TIMEOUT_MS * 1000000ULL;
	schedule(c, c->sk->now);
}

static void settle(struct swap_control *c)
{
	struct sim_swap_result *r = current(c);
	struct rt_status st;

	if (!rt_change_done(c->rt) && c->sk->now < c->deadline) {
		schedule(c, c->sk->now + SETTLE_POLL_NS);
		return;
	}
	rt_status(c->rt, &st);
	r->settled = rt_change_done(c->rt);
	r->blackout_ns = st.last_swap.blackout_ns;
	next_swap(c);
}

void swap_control_event(struct swap_control *c)
{
	if (c->sk->destroyed || c->next >= c->nr_swaps)
		return;
	switch (c->phase) {
	case WAITING:
		begin(c);
		break;
	case QUIESCING:
		hand_over(c);
		break;
	case HANDING_OVER:
		resume(c);
		break;
	case SETTLING:
		settle(c);
		break;
	}
}

void swap_control_start(struct swap_control *c, struct runtime *rt,
			struct sim_kernel *sk, const struct sim_swap *swaps,
			unsigned int nr_swaps)
{
	memset(c, 0, sizeof(*c));
	c->rt = rt;
	c->sk = sk;
	c->swaps = swaps;
	c->nr_swaps = nr_swaps;	/* sim_run() allows SIM_MAX_SWAPS */
	for (unsigned int i = 0; i < c->nr_swaps; i++)
		c->results[i].asked_ns = swaps[i].at_ns;
	c->phase = WAITING;
	if (c->nr_swaps)
		schedule(c, swaps[0].at_ns);
}
