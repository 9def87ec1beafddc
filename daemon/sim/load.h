/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The workload in motion: tasks arriving (Poisson, bursts, scripted),
 * running their bursts of CPU time, blocking for I/O and exiting, and
 * higher-class hogs taking CPUs, all as events on the simulated kernel.
 * Each class, and each hog, draws from PRNG streams of its own.
 */
#ifndef GHOST_SIM_LOAD_H
#define GHOST_SIM_LOAD_H

#include "kernel.h"
#include "prng.h"
#include "workload.h"

struct load {
	const struct workload *w;
	struct sim_kernel *sk;
	double scale;
	struct prng *arrival_rng, *service_rng, *io_rng;	/* by class */
	struct prng *hog_rng;					/* by hog */
	cpu_set_t *masks;					/* by class */
	uint32_t *bursts_done;					/* by class */
	uint32_t scripted_started;
	bool arrivals_over;
	/* Scripted tasks' names in exit order. */
	char (*order)[WORKLOAD_NAME_MAX];
	uint32_t nr_order;
};

/* Schedule the first events; -1 with why if a class cannot run at all. */
int load_start(struct load *l, const struct workload *w, struct sim_kernel *sk,
	       uint64_t seed, double scale, char *why, size_t len);
void load_fini(struct load *l);
void load_event(struct load *l, const struct event *e);
/* Nothing more will arrive and every task has left. */
bool load_done(const struct load *l);

#endif /* GHOST_SIM_LOAD_H */
