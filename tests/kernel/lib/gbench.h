/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers for the benchmarks in tests/bench: a CFS context switch to
 * compare against, measured in the same run, and the report: each
 * benchmark repeats its measurement (and its baseline's) GBENCH_REPEATS
 * times and reports the median ratio and its spread.
 */
#ifndef GHOST_TEST_GBENCH_H
#define GHOST_TEST_GBENCH_H

#define GBENCH_REPEATS	5

/* The repetitions of one measurement against one baseline. */
struct gbench_runs {
	const char *what;
	const char *baseline;
	double ns[GBENCH_REPEATS];
	double baseline_ns[GBENCH_REPEATS];
	int n;
};

double gbench_cfs_switch_ns(int cpu, unsigned int rounds);
/*
 * Half of one sched_yield() round trip (one switch away and back), from
 * @rounds yields after rounds / 10 to warm up: call it from the task under
 * test, whose agent runs it again after each yield.
 */
double gbench_yield_switch_ns(unsigned int rounds);
void gbench_record(struct gbench_runs *runs, double ns, double baseline_ns);
/* Prints every repetition, then "WHAT / BASELINE: median Rx (min to max)". */
void gbench_report(const struct gbench_runs *runs);

#endif /* GHOST_TEST_GBENCH_H */
