/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One simulation run: a policy plugin, through the very runtime that
 * ghost-agent runs (libghostruntime.a), over the simulated kernel of a
 * machine, under a workload, from a seed. Everything a run computes
 * depends on those inputs alone, so the same inputs give the same result
 * to the byte.
 */
#ifndef GHOST_SIM_SIMULATION_H
#define GHOST_SIM_SIMULATION_H

#include <stdint.h>

#include <jansson.h>

#include <ghost/policy.h>

#include "kernel.h"
#include "machine.h"
#include "metrics.h"
#include "swap_control.h"
#include "workload.h"

struct sim_options {
	const char *policy;		/* path to the plugin, NAME.so */
	const json_t *params;		/* the policy's parameters, or NULL */
	const struct machine *machine;
	const struct workload *workload;
	uint64_t seed;
	double load_scale;		/* multiplies every Poisson rate (1: as given) */
	bool timeline;
	const struct sim_swap *swaps;	/* policy swaps, by time (swap_control.h) */
	unsigned int nr_swaps;		/* at most SIM_MAX_SWAPS */
};

struct rt_counter_value {
	const char *name;		/* the runtime's, static */
	uint64_t value;
};

struct sim_result {
	const struct sim_options *options;
	char policy[GHOST_POLICY_NAME_MAX];
	unsigned int model;		/* GHOST_MODEL_* */
	uint64_t end_ns;		/* simulated time when the run ended */
	uint64_t events;
	struct metrics metrics;
	struct sk_counters kernel;
	struct rt_counter_value *rt_counters;
	unsigned int nr_rt_counters;
	uint64_t unfinished;		/* tasks still in the enclave at the end */
	bool destroyed;
	uint64_t destroyed_at;
	char destroy_reason[256];
	/* Scripted tasks by name, in the order they exited. */
	char (*order)[WORKLOAD_NAME_MAX];
	uint32_t nr_order;
	struct sim_swap_result swaps[SIM_MAX_SWAPS];
	unsigned int nr_swaps;
};

/*
 * Run; 0 with @result filled (free it with sim_result_free()), or -1 with
 * why in @why (the plugin refused, a class that may use no enclave CPU, a
 * swap's plugin refused: each is loaded and initialised once beforehand).
 */
int sim_run(const struct sim_options *options, struct sim_result *result,
	    char *why, size_t len);
void sim_result_free(struct sim_result *result);
/* A runtime counter by name, 0 if it has none such. */
uint64_t sim_rt_counter(const struct sim_result *result, const char *name);

#endif /* GHOST_SIM_SIMULATION_H */
