// SPDX-License-Identifier: GPL-2.0
/* vm-args: --timeout 600 */
/*
 * Proves: children of ghost tasks start in the enclave and leave it
 * cleanly. 10 ghost threads, scheduled by per-CPU FIFO agents on {1,2,3}
 * in another process (agents sharing an address space with threads that
 * fork would queue behind them on its lock), create 1000 short-lived
 * children in all, half processes (fork) and half threads
 * (pthread_create). Every child finds itself in SCHED_GHOST, exits and is
 * reaped or joined. The agents saw a TASK_NEW naming a parent gtid for
 * each of the 1000 children and a TASK_DEAD for each, and the enclave
 * ends with no task.
 */
#include <sched.h>

#include "gagent.h"
#include "gproc.h"
#include "gsched.h"
#include "gworkers.h"
#include "test.h"

#define NR_PARENTS		10
#define CHILDREN_PER_PARENT	100
#define NR_CHILDREN		(NR_PARENTS * CHILDREN_PER_PARENT)

static uint32_t ghost_children;	/* children that found SCHED_GHOST */

static void churn(struct gworker *w)
{
	(void)w;
	for (int i = 0; i < CHILDREN_PER_PARENT; i++) {
		if (i % 2 ? gchild_thread_in_policy(SCHED_GHOST) :
			    gchild_process_in_policy(SCHED_GHOST))
			__atomic_add_fetch(&ghost_children, 1, __ATOMIC_RELAXED);
	}
}

int main(void)
{
	struct gwork work = { .body = churn };
	struct gsched_config config = { .mode = GSCHED_PER_CPU };
	struct gsched_counters counters;
	struct gproc agents;
	struct genclave e;
	struct gworkers g;
	cpu_set_t cpus;

	CHECK(gpin_self(0) == 0);
	gcpus_range(&cpus, GTEST_FIRST_CPU, GTEST_LAST_CPU);
	CHECK(genclave_create(&e, &cpus, 0, 5000) == 0);
	CHECK(genclave_destroy_on_failure(&e) == 0);
	config.agent_cpus = cpus;
	CHECK(gproc_fork(&agents, e.id, &config) == 0);
	CHECK(gproc_start(&agents, &counters) == 0);

	CHECK(gworkers_spawn(&g, NR_PARENTS, &work, &cpus) == 0);
	CHECK(gworkers_add(&g, &e) == NR_PARENTS);
	gworkers_release(&g);
	CHECK(gworkers_wait_done(&g, 120000));
	gworkers_join(&g);
	CHECK(gworkers_count_first_policy(&g, SCHED_GHOST) == NR_PARENTS);
	CHECK(ghost_children == NR_CHILDREN);
	CHECK(genclave_wait_empty(&e, 10000));

	CHECK(gproc_stop(&agents, &counters) == 0);
	gsched_print_counters("fork_churn", &counters);
	CHECK(counters.tasks_forked == NR_CHILDREN);
	CHECK(counters.forked_dead == NR_CHILDREN);
	CHECK(counters.tasks_seen == NR_PARENTS + NR_CHILDREN);
	CHECK(counters.tasks_dead == NR_PARENTS + NR_CHILDREN);
	CHECK(counters.msgs[GHOST_MSG_TASK_DEPARTED] == 0);
	CHECK(counters.records_exhausted == 0);
	CHECK(genclave_destroy(&e) == 0);
	gworkers_free(&g);
	test_pass("fork_churn");
}
