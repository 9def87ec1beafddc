// SPDX-License-Identifier: GPL-2.0
/*
 * Proves: the raw-ABI FIFO agent of tests/kernel/lib schedules a crowd to
 * completion, in both shapes, on the enclave {1,2,3}:
 *  - per CPU: one agent per CPU, each committing only its own CPU and
 *    parking when it has nothing to run, new tasks dealt out by the
 *    leader (ASSOC_QUEUE + PING);
 *  - global: one agent, started on CPU 1, spinning on a polled default
 *    queue and committing every other free CPU in one GHOST_IOC_COMMIT,
 *    remotely only (it moves away from a CPU that a higher class wants).
 * Each time 50 threads spin 200 us and sleep 1 ms 20 times. Every thread
 * ran every iteration in SCHED_GHOST and finished; the watchdog never
 * fired; the agents saw exactly 50 TASK_NEW and 50 TASK_DEAD, a WAKEUP
 * after each BLOCKED and a COMPLETE commit for each run, no seqnum gap, no
 * invalid commit and no ioctl error; the enclave ends with no task and no
 * agent.
 */
#include <sched.h>

#include "gagent.h"
#include "gsched.h"
#include "gworkers.h"
#include "test.h"

#define NR_THREADS	50
#define ITERATIONS	20

static void check_counters(const struct gsched_counters *c)
{
	CHECK(c->tasks_seen == NR_THREADS);
	CHECK(c->tasks_dead == NR_THREADS);
	CHECK(c->msgs[GHOST_MSG_TASK_NEW] == NR_THREADS);
	CHECK(c->msgs[GHOST_MSG_TASK_DEAD] == NR_THREADS);
	CHECK(c->msgs[GHOST_MSG_TASK_DEPARTED] == 0);
	/*
	 * A sleep whose timer fires before the thread gets to block (TCG can
	 * stall a vCPU for a millisecond) never blocks, so not every sleep
	 * shows a TASK_BLOCKED; every block is followed by a wakeup.
	 */
	CHECK(c->msgs[GHOST_MSG_TASK_BLOCKED] >= NR_THREADS * ITERATIONS / 2);
	CHECK(c->msgs[GHOST_MSG_TASK_WAKEUP] >= c->msgs[GHOST_MSG_TASK_BLOCKED]);
	/* A run starts with a commit: the first, and one after each block. */
	CHECK(c->commits[GHOST_TXN_COMPLETE] >=
	      NR_THREADS + c->msgs[GHOST_MSG_TASK_BLOCKED]);
	CHECK(c->commits[GHOST_TXN_INVALID_CPU] == 0);
	CHECK(c->commits[GHOST_TXN_INVALID_FLAGS] == 0);
	CHECK(c->commits[GHOST_TXN_INVALID_TARGET] == 0);
	CHECK(c->commits[GHOST_TXN_NO_AGENT] == 0);
	CHECK(c->seqnum_gaps == 0);
	CHECK(c->ioctl_errors == 0);
	CHECK(c->records_exhausted == 0);
	CHECK(c->enclave_gone == 0);
}

static void run_crowd(enum gsched_mode mode, const char *label)
{
	struct gwork work = {
		.iterations = ITERATIONS, .spin_us = 200, .sleep_us = 1000,
	};
	struct gsched_config config = { .mode = mode };
	struct ghost_enclave_info info;
	struct gsched_counters counters;
	struct genclave e;
	struct gworkers g;
	struct gsched *s;
	cpu_set_t cpus;

	gcpus_range(&cpus, GTEST_FIRST_CPU, GTEST_LAST_CPU);
	CHECK(genclave_create(&e, &cpus, 0, 5000) == 0);
	CHECK(genclave_destroy_on_failure(&e) == 0);
	if (mode == GSCHED_GLOBAL)
		gcpus_one(&config.agent_cpus, GTEST_FIRST_CPU);
	else
		config.agent_cpus = cpus;
	CHECK(gsched_start(&s, &e, &config) == 0);
	CHECK(genclave_query(&e, &info) == 0);
	CHECK(info.nr_agents == (uint32_t)CPU_COUNT(&config.agent_cpus));

	CHECK(gworkers_spawn(&g, NR_THREADS, &work, &cpus) == 0);
	CHECK(gworkers_add(&g, &e) == NR_THREADS);
	/* Dealt out while asleep, tasks move to other agents' queues. */
	CHECK(gsched_wait_seen(s, NR_THREADS, 10000));
	gworkers_release(&g);
	CHECK(gworkers_wait_done(&g, 120000));
	gworkers_join(&g);
	CHECK(gworkers_count_first_policy(&g, SCHED_GHOST) == NR_THREADS);
	CHECK(gworkers_count_last_policy(&g, SCHED_GHOST) == NR_THREADS);
	CHECK(gworkers_count_changed_policy(&g) == 0);
	CHECK(gworkers_min_iterations(&g) == ITERATIONS);
	CHECK(genclave_wait_empty(&e, 10000));
	CHECK(gsched_wait_dead(s, NR_THREADS, 10000));

	gsched_stop(s, &counters);
	gsched_print_counters(label, &counters);
	check_counters(&counters);
	/* Only per-CPU agents hand tasks over and check agent barriers. */
	if (mode == GSCHED_GLOBAL) {
		CHECK(counters.pings == 0);
		CHECK(counters.commits[GHOST_TXN_AGENT_STALE] == 0);
	} else {
		CHECK(counters.pings > 0);
	}
	CHECK(genclave_query(&e, &info) == 0);
	CHECK(info.state == GHOST_ENCLAVE_LIVE);
	CHECK(info.nr_agents == 0);
	CHECK(genclave_destroy(&e) == 0);
	gworkers_free(&g);
}

int main(void)
{
	CHECK(gpin_self(0) == 0);
	run_crowd(GSCHED_PER_CPU, "per-cpu");
	run_crowd(GSCHED_GLOBAL, "global");
	test_pass("fifo_crowd");
}
