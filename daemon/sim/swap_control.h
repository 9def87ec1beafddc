/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Policy swaps in a simulation (ghost-sim --swap-at): the part ghost-agent's
 * control thread plays in `ghostctl swap`, in simulated time, through the
 * same runtime calls (rt_prepare_swap, rt_quiesce, rt_summon, rt_commit,
 * rt_resume, rt_change_done).
 *
 * A swap is asked for at a time; it starts then, or once the one before it
 * is over. Quiescing lasts until no agent is inside a step: a step runs
 * whole at its start in the simulation, so an agent is in it until its
 * cost has passed (busy_until). The handover then takes handover_task_ns
 * per task in the table, during which agents see the runtime quiescing,
 * as they would find its lock held. Resume wakes, as ghost-agent does, the
 * threads that wait in the driver, and the agents that spin (a spinning
 * agent in the simulation waits for news instead, see kernel_agents.c).
 * The swap is over when every agent the new policy schedules with has its
 * role; its blackout is the runtime's own figure, as ghostctl reports it.
 */
#ifndef GHOST_SIM_SWAP_CONTROL_H
#define GHOST_SIM_SWAP_CONTROL_H

#include <stdbool.h>
#include <stdint.h>

#include <ghost/policy.h>

#include "kernel.h"

#define SIM_MAX_SWAPS		16

struct runtime;

struct sim_swap {
	uint64_t at_ns;
	char plugin[GHOST_POLICY_NAME_MAX];	/* NAME.so beside the run's policy */
};

struct sim_swap_result {
	uint64_t asked_ns;		/* the time given */
	uint64_t started_ns;		/* quiescing began */
	char from[GHOST_POLICY_NAME_MAX];
	char to[GHOST_POLICY_NAME_MAX];
	bool made;			/* false: the run ended first, or it failed */
	bool settled;			/* every new role taken before the run ended */
	uint64_t blackout_ns;
	char failure[256];		/* why it failed, if it did */
};

struct swap_control {
	struct runtime *rt;
	struct sim_kernel *sk;
	const struct sim_swap *swaps;
	unsigned int nr_swaps, next;
	int phase;			/* enum in swap_control.c */
	uint64_t deadline;		/* of the phase, as ghost-agent's timeouts */
	struct sim_swap_result results[SIM_MAX_SWAPS];
};

/* Ready @c; the first swap's event is scheduled. */
void swap_control_start(struct swap_control *c, struct runtime *rt,
			struct sim_kernel *sk, const struct sim_swap *swaps,
			unsigned int nr_swaps);
/* An EV_SWAP_CONTROL event. */
void swap_control_event(struct swap_control *c);

#endif /* GHOST_SIM_SWAP_CONTROL_H */
