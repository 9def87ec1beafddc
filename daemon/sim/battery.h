/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The standard battery of `make policy-check`: a policy plugin run in the
 * simulator on random workloads (random arrivals, service times, blocking,
 * cpumasks) under random higher-class preemption, on small machines of
 * both shapes, each run checked for starvation (every task finishes, the
 * watchdog never fires), cpumasks and decisions the runtime had to refuse
 * or correct, invariant violations, and determinism (one scenario run
 * twice must give the same bytes). Prints one line per check and a
 * verdict; returns 0 if all passed, 3 if any failed, 1 if the plugin could
 * not be run at all.
 */
#ifndef GHOST_SIM_BATTERY_H
#define GHOST_SIM_BATTERY_H

#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

int battery_run(const char *policy, const json_t *params, uint64_t seed,
		FILE *out);

#endif /* GHOST_SIM_BATTERY_H */
