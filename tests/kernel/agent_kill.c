// SPDX-License-Identifier: GPL-2.0
/* vm-args: --timeout 600 */
/*
 * Proves: killing the agents strands no task. A child process runs
 * per-CPU FIFO agents for the enclave {1,2,3}, whose watchdog is 500 ms;
 * 200 threads of the parent run in it, all SCHED_GHOST, spinning and
 * sleeping, until the child is killed with SIGKILL mid-run. The watchdog
 * then destroys the enclave (its fd answers ENODEV), and all 200 threads
 * carry on under SCHED_NORMAL: each makes progress again, sees its policy
 * change, and finishes.
 */
#include <sched.h>

#include "gagent.h"
#include "gproc.h"
#include "gsched.h"
#include "gworkers.h"
#include "test.h"

#define NR_THREADS	200
#define WATCHDOG_MS	500

static bool wait_destroyed(const struct genclave *e, int timeout_ms)
{
	uint64_t deadline = gnow_ns() + timeout_ms * 1000000ULL;
	struct ghost_enclave_info info;

	while (genclave_query(e, &info) == 0) {
		if (gnow_ns() > deadline)
			return false;
		gsleep_ms(10);
	}
	return errno == ENODEV;
}

int main(void)
{
	struct gwork work = { .spin_us = 100, .sleep_us = 1000 };
	struct gsched_config config = { .mode = GSCHED_PER_CPU };
	struct gsched_counters report;
	struct genclave e;
	struct gworkers g;
	struct gproc agents;
	cpu_set_t cpus;
	uint64_t done;

	CHECK(gpin_self(0) == 0);
	gcpus_range(&cpus, GTEST_FIRST_CPU, GTEST_LAST_CPU);
	CHECK(genclave_create(&e, &cpus, 0, WATCHDOG_MS) == 0);
	CHECK(genclave_destroy_on_failure(&e) == 0);
	config.agent_cpus = cpus;
	CHECK(gproc_fork(&agents, e.id, &config) == 0);
	CHECK(gproc_start(&agents, &report) == 0);

	CHECK(gworkers_spawn(&g, NR_THREADS, &work, &cpus) == 0);
	CHECK(gworkers_add(&g, &e) == NR_THREADS);
	gworkers_release(&g);
	CHECK(gworkers_wait_iterations(&g, 2, 60000));
	CHECK(gworkers_count_live_policy(&g, SCHED_GHOST) == NR_THREADS);

	CHECK(gproc_kill(&agents) == 0);
	CHECK(wait_destroyed(&e, 30000));
	done = gworkers_min_iterations(&g);
	CHECK(gworkers_wait_iterations(&g, done + 3, 60000));
	CHECK(gworkers_count_live_policy(&g, SCHED_OTHER) == NR_THREADS);

	gworkers_stop(&g);
	gworkers_join(&g);
	CHECK(gworkers_count_first_policy(&g, SCHED_GHOST) == NR_THREADS);
	CHECK(gworkers_count_last_policy(&g, SCHED_OTHER) == NR_THREADS);
	CHECK(gworkers_count_changed_policy(&g) == NR_THREADS);
	genclave_close(&e);
	gworkers_free(&g);
	test_pass("agent_kill");
}
