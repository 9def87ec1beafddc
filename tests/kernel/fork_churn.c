// SPDX-License-Identifier: GPL-2.0
/* vm-args: --timeout 600 */
/*
 * Proves: children of ghost tasks start in the enclave and leave it
 * cleanly, unless their parent asked for SCHED_RESET_ON_FORK. 10 ghost
 * threads, scheduled by per-CPU FIFO agents on {1,2,3} in another process
 * (agents sharing an address space with threads that fork would queue
 * behind them on its lock), create short-lived children, half processes
 * (fork) and half threads (pthread_create), each reaped or joined:
 *  - 1000 children in all: every one finds itself in SCHED_GHOST, and the
 *    agents saw a TASK_NEW naming a parent gtid and a TASK_DEAD for each;
 *  - then, in a new enclave, parents that set SCHED_GHOST |
 *    SCHED_RESET_ON_FORK on themselves (they stay ghost tasks, and
 *    sched_getscheduler() shows the flag) create 100 children: every one
 *    finds itself in SCHED_OTHER, and the agents saw no TASK_NEW for any.
 * Either way no task departs and the enclave ends with no task.
 */
#include <sched.h>

#include "gagent.h"
#include "gproc.h"
#include "gsched.h"
#include "gworkers.h"
#include "test.h"

#define NR_PARENTS	10

struct churn {
	const char *label;
	bool reset_on_fork;
	int children_per_parent;
	int child_policy;	/* the policy every child must find */
};

static uint32_t parents_flagged;	/* parents that set reset-on-fork */
static uint32_t children_in_policy;

static void churn(struct gworker *w)
{
	const struct churn *c = w->group->work.arg;
	struct sched_param param = { 0 };

	if (c->reset_on_fork) {
		if (sched_setscheduler(0, SCHED_GHOST | SCHED_RESET_ON_FORK,
				       &param) != 0 ||
		    sched_getscheduler(0) != (SCHED_GHOST | SCHED_RESET_ON_FORK))
			return;
		__atomic_add_fetch(&parents_flagged, 1, __ATOMIC_RELAXED);
	}
	for (int i = 0; i < c->children_per_parent; i++) {
		if (i % 2 ? gchild_thread_in_policy(c->child_policy) :
			    gchild_process_in_policy(c->child_policy))
			__atomic_add_fetch(&children_in_policy, 1,
					   __ATOMIC_RELAXED);
	}
}

static void run(const struct churn *c)
{
	struct gwork work = { .body = churn, .arg = (void *)c };
	struct gsched_config config = { .mode = GSCHED_PER_CPU };
	int nr_children = NR_PARENTS * c->children_per_parent;
	int nr_in_enclave = c->reset_on_fork ? 0 : nr_children;
	struct gsched_counters counters;
	struct gproc agents;
	struct genclave e;
	struct gworkers g;
	cpu_set_t cpus;

	parents_flagged = 0;
	children_in_policy = 0;
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
	CHECK_EQ(gworkers_count_first_policy(&g, SCHED_GHOST), NR_PARENTS);
	CHECK_EQ(parents_flagged, c->reset_on_fork ? NR_PARENTS : 0);
	CHECK_EQ(children_in_policy, nr_children);
	CHECK(genclave_wait_empty(&e, 10000));

	CHECK(gproc_stop(&agents, &counters) == 0);
	gsched_print_counters(c->label, &counters);
	CHECK_EQ(counters.tasks_forked, nr_in_enclave);
	CHECK_EQ(counters.forked_dead, nr_in_enclave);
	CHECK_EQ(counters.tasks_seen, NR_PARENTS + nr_in_enclave);
	CHECK_EQ(counters.tasks_dead, NR_PARENTS + nr_in_enclave);
	CHECK_EQ(counters.msgs[GHOST_MSG_TASK_DEPARTED], 0);
	CHECK_EQ(counters.records_exhausted, 0);
	CHECK(genclave_destroy(&e) == 0);
	gworkers_free(&g);
}

int main(void)
{
	const struct churn children_stay = {
		.label = "fork_churn",
		.children_per_parent = 100,
		.child_policy = SCHED_GHOST,
	};
	const struct churn children_reset = {
		.label = "fork_churn reset-on-fork",
		.reset_on_fork = true,
		.children_per_parent = 10,
		.child_policy = SCHED_OTHER,
	};

	CHECK(gpin_self(0) == 0);
	run(&children_stay);
	run(&children_reset);
	test_pass("fork_churn");
}
