// SPDX-License-Identifier: GPL-2.0
/*
 * Measures: what a per-CPU agent costs to put a task back on its own CPU,
 * against a CFS context switch on the same CPU in the same run.
 *
 * One ghost thread on CPU 1 calls sched_yield() in a loop: each yield is a
 * TASK_YIELD that wakes the parked agent of CPU 1, which reads it, commits
 * the thread again on its own CPU and parks, so that the thread runs on.
 * That round trip holds two switches (task to agent, agent to task). CFS
 * does the same two switches when two threads on CPU 1 hand a byte back
 * and forth through pipes. Both are reported per switch, for each of
 * GBENCH_REPEATS repetitions in the same VM run.
 */
#include <sched.h>

#include "gagent.h"
#include "gbench.h"
#include "gsched.h"
#include "gworkers.h"
#include "test.h"

#define CPU		1
#define ROUNDS		20000

static double yield_switch_ns;

static void yield_loop(struct gworker *w)
{
	(void)w;
	yield_switch_ns = gbench_yield_switch_ns(ROUNDS);
}

static void measure(struct gbench_runs *runs)
{
	struct gwork work = { .body = yield_loop };
	struct gsched_config config = { .mode = GSCHED_PER_CPU };
	struct gsched_counters counters;
	double cfs_switch_ns;
	struct genclave e;
	struct gworkers g;
	struct gsched *s;
	cpu_set_t cpus;

	cfs_switch_ns = gbench_cfs_switch_ns(CPU, ROUNDS);

	gcpus_one(&cpus, CPU);
	CHECK(genclave_create(&e, &cpus, 0, 0) == 0);
	CHECK(genclave_destroy_on_failure(&e) == 0);
	config.agent_cpus = cpus;
	CHECK(gsched_start(&s, &e, &config) == 0);
	CHECK(gworkers_spawn(&g, 1, &work, &cpus) == 0);
	CHECK(gworkers_add(&g, &e) == 1);
	gworkers_release(&g);
	gworkers_join(&g);
	CHECK(gworkers_count_first_policy(&g, SCHED_GHOST) == 1);
	gsched_stop(s, &counters);
	CHECK(counters.msgs[GHOST_MSG_TASK_YIELD] >= ROUNDS);
	CHECK(genclave_destroy(&e) == 0);
	gworkers_free(&g);
	gbench_record(runs, yield_switch_ns, cfs_switch_ns);
}

int main(void)
{
	struct gbench_runs runs = {
		.what = "local schedule", .baseline = "CFS switch",
	};

	CHECK(gpin_self(0) == 0);
	for (int i = 0; i < GBENCH_REPEATS; i++)
		measure(&runs);
	gbench_report(&runs);
	return 0;
}
