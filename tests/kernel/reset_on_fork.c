// SPDX-License-Identifier: GPL-2.0
/*
 * Proves: SCHED_RESET_ON_FORK keeps the children of a ghost task out of
 * the enclave. 4 ghost threads, scheduled by per-CPU FIFO agents on
 * {1,2,3} in another process, set SCHED_GHOST | SCHED_RESET_ON_FORK on
 * themselves (they stay ghost tasks, and sched_getscheduler() shows the
 * flag), then each creates 10 children, half processes and half threads.
 * Every child finds itself in SCHED_OTHER without the flag; the agents saw
 * no TASK_NEW for any child and no TASK_DEPARTED, only the 4 parents come
 * and go, and the enclave ends with no task. (fork_churn proves the
 * opposite: without the flag, children stay.)
 */
#include <sched.h>

#include "gagent.h"
#include "gproc.h"
#include "gsched.h"
#include "gworkers.h"
#include "test.h"

#define NR_PARENTS		4
#define CHILDREN_PER_PARENT	10

static uint32_t parents_flagged;	/* parents that kept SCHED_GHOST + flag */
static uint32_t cfs_children;		/* children that found SCHED_OTHER */

static void parent(struct gworker *w)
{
	struct sched_param param = { 0 };

	(void)w;
	if (sched_setscheduler(0, SCHED_GHOST | SCHED_RESET_ON_FORK,
			       &param) != 0 ||
	    sched_getscheduler(0) != (SCHED_GHOST | SCHED_RESET_ON_FORK))
		return;
	__atomic_add_fetch(&parents_flagged, 1, __ATOMIC_RELAXED);
	for (int i = 0; i < CHILDREN_PER_PARENT; i++) {
		if (i % 2 ? gchild_thread_in_policy(SCHED_OTHER) :
			    gchild_process_in_policy(SCHED_OTHER))
			__atomic_add_fetch(&cfs_children, 1, __ATOMIC_RELAXED);
	}
}

int main(void)
{
	struct gwork work = { .body = parent };
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
	CHECK(gworkers_wait_done(&g, 60000));
	gworkers_join(&g);
	CHECK_EQ(parents_flagged, NR_PARENTS);
	CHECK_EQ(cfs_children, NR_PARENTS * CHILDREN_PER_PARENT);
	CHECK(genclave_wait_empty(&e, 10000));

	CHECK(gproc_stop(&agents, &counters) == 0);
	gsched_print_counters("reset_on_fork", &counters);
	CHECK_EQ(counters.tasks_forked, 0);
	CHECK_EQ(counters.tasks_seen, NR_PARENTS);
	CHECK_EQ(counters.tasks_dead, NR_PARENTS);
	CHECK_EQ(counters.msgs[GHOST_MSG_TASK_DEPARTED], 0);
	CHECK(genclave_destroy(&e) == 0);
	gworkers_free(&g);
	test_pass("reset_on_fork");
}
