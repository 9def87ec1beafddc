/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers for the benchmarks in tests/bench: a CFS context switch to
 * compare against, measured in the same run, and the report line.
 */
#ifndef GHOST_TEST_GBENCH_H
#define GHOST_TEST_GBENCH_H

double gbench_cfs_switch_ns(int cpu, unsigned int rounds);
void gbench_report(const char *what, double ns, const char *baseline,
		   double baseline_ns);

#endif /* GHOST_TEST_GBENCH_H */
