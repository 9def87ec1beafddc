// SPDX-License-Identifier: GPL-2.0
/* vm-args: --timeout 600 */
/*
 * Proves: agents can be replaced under a running enclave without losing a
 * task. The parent's 200 threads spin and sleep in the enclave {1,2,3}
 * (watchdog 10 s, longer than any handoff) while three agent processes
 * take turns:
 *  - A, per-CPU agents, schedules them, then stops gracefully
 *    (GHOST_IOC_AGENT_RELEASE);
 *  - B, per-CPU agents, opens the enclave by id, becomes the agent of each
 *    CPU (retrying while A's agents are still there), sets its default
 *    queue, binds every live task to it (ASSOC_QUEUE, found through the
 *    status words) and GHOST_IOC_DISCOVER reports all 200 threads; every
 *    thread makes progress again; then B is killed with SIGKILL;
 *  - C, a global agent, takes over the same way, discovers all 200 and
 *    schedules them until they finish.
 * Every thread ran every iteration in SCHED_GHOST (none fell back to CFS),
 * C saw all 200 announced and all 200 exit, and the enclave is still live
 * at the end, with no task.
 */
#include <sched.h>

#include "gagent.h"
#include "gproc.h"
#include "gsched.h"
#include "gworkers.h"
#include "test.h"

#define NR_THREADS	200
#define WATCHDOG_MS	10000
#define PROGRESS	3	/* iterations each thread must make per agent */

static struct gworkers workers;

static void check_everyone_progresses(void)
{
	uint64_t done = gworkers_min_iterations(&workers);

	CHECK(gworkers_wait_iterations(&workers, done + PROGRESS, 60000));
}

static void take_over(struct gproc *agents)
{
	struct gsched_counters report;

	CHECK(gproc_start(agents, &report) == 0);
	CHECK(report.discovered == NR_THREADS);
	check_everyone_progresses();
}

static void fork_agents(struct gproc *agents, const struct genclave *e,
			enum gsched_mode mode, bool discover)
{
	struct gsched_config config = { .mode = mode, .discover = discover };

	if (mode == GSCHED_GLOBAL)
		gcpus_one(&config.agent_cpus, GTEST_FIRST_CPU);
	else
		gcpus_range(&config.agent_cpus, GTEST_FIRST_CPU, GTEST_LAST_CPU);
	CHECK(gproc_fork(agents, e->id, &config) == 0);
}

int main(void)
{
	struct gwork work = { .spin_us = 200, .sleep_us = 2000 };
	struct gproc agents_a, agents_b, agents_c;
	struct gsched_counters report;
	struct ghost_enclave_info info;
	struct genclave e;
	cpu_set_t cpus;

	CHECK(gpin_self(0) == 0);
	gcpus_range(&cpus, GTEST_FIRST_CPU, GTEST_LAST_CPU);
	CHECK(genclave_create(&e, &cpus, 0, WATCHDOG_MS) == 0);
	CHECK(genclave_destroy_on_failure(&e) == 0);
	fork_agents(&agents_a, &e, GSCHED_PER_CPU, false);
	fork_agents(&agents_b, &e, GSCHED_PER_CPU, true);
	fork_agents(&agents_c, &e, GSCHED_GLOBAL, true);

	CHECK(gproc_start(&agents_a, &report) == 0);
	CHECK(gworkers_spawn(&workers, NR_THREADS, &work, &cpus) == 0);
	CHECK(gworkers_add(&workers, &e) == NR_THREADS);
	gworkers_release(&workers);
	check_everyone_progresses();
	CHECK(gproc_stop(&agents_a, &report) == 0);
	gsched_print_counters("handoff: agents A", &report);
	CHECK(report.tasks_seen == NR_THREADS);

	take_over(&agents_b);
	CHECK(gproc_kill(&agents_b) == 0);
	take_over(&agents_c);

	gworkers_stop(&workers);
	gworkers_join(&workers);
	CHECK(genclave_wait_empty(&e, 10000));
	CHECK(gproc_stop(&agents_c, &report) == 0);
	gsched_print_counters("handoff: agents C", &report);
	CHECK(report.tasks_seen == NR_THREADS);
	CHECK(report.tasks_dead == NR_THREADS);

	CHECK(gworkers_count_first_policy(&workers, SCHED_GHOST) == NR_THREADS);
	CHECK(gworkers_count_last_policy(&workers, SCHED_GHOST) == NR_THREADS);
	CHECK(gworkers_count_changed_policy(&workers) == 0);
	CHECK(genclave_query(&e, &info) == 0);
	CHECK(info.state == GHOST_ENCLAVE_LIVE);
	CHECK(genclave_destroy(&e) == 0);
	gworkers_free(&workers);
	test_pass("handoff");
}
