/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Latency-vs-load curves: the workload run again with every Poisson rate
 * scaled by 0.1, 0.2, ... 1.0 (times --load), each class's p50 and p99
 * wait for a CPU plotted against the enclave's CPU time spent in tasks.
 * Writes DIR/latency-vs-load.dat (the numbers), DIR/latency-vs-load.gp
 * (the gnuplot script) and, running gnuplot, DIR/latency-vs-load.svg.
 */
#ifndef GHOST_SIM_PLOT_H
#define GHOST_SIM_PLOT_H

#include "simulation.h"

int plot_curves(const struct sim_options *o, const char *dir, char *why,
		size_t len);

#endif /* GHOST_SIM_PLOT_H */
