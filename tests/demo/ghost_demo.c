// SPDX-License-Identifier: GPL-2.0
/*
 * make demo: threads scheduled by ghost, shown from inside the VM.
 *
 * Creates an enclave of CPUs 1-3, starts per-CPU FIFO agents (the raw-ABI
 * test agent of tests/kernel/lib) in a process of their own, moves eight
 * threads of this process into it and lets them spin and sleep. While they
 * run it prints, once a second, each thread's policy, CPU and progress,
 * then the enclave's counters as generic netlink reports them.
 */
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gagent.h"
#include "gnl.h"
#include "gproc.h"
#include "gsched.h"
#include "gworkers.h"
#include "test.h"

#define NR_THREADS	8
#define ITERATIONS	300

static const char *policy_name(int policy)
{
	return policy == SCHED_GHOST ? "SCHED_GHOST" :
	       policy == SCHED_OTHER ? "SCHED_OTHER" :
	       policy < 0 ? "(exited)" : "other";
}

/* The CPU thread @tid last ran on: field 39 of its /proc stat. */
static int last_cpu(pid_t tid)
{
	char path[64], line[1024], *p;
	int field = 1, cpu = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", tid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fgets(line, sizeof(line), f)) {
		/* Fields are counted after the command, which may hold spaces. */
		p = strrchr(line, ')');
		for (field = 2; p && *p; p++)
			if (*p == ' ' && ++field == 39)
				cpu = atoi(p + 1);
	}
	fclose(f);
	return cpu;
}

static void show_threads(const struct gworkers *g)
{
	for (int i = 0; i < g->nr; i++) {
		const struct gworker *w = &g->workers[i];

		printf("  thread %-6d %-12s last cpu %-2d iterations %llu\n", w->tid,
		       policy_name(sched_getscheduler(w->tid)), last_cpu(w->tid),
		       (unsigned long long)__atomic_load_n(&w->iterations,
							   __ATOMIC_ACQUIRE));
	}
}

int main(void)
{
	struct gwork work = {
		.iterations = ITERATIONS, .spin_us = 2000, .sleep_us = 3000,
	};
	struct gsched_config config = { .mode = GSCHED_PER_CPU };
	struct gsched_counters counters;
	struct gnl_enclave stats;
	struct gproc agents;
	struct genclave e;
	struct gworkers g;
	cpu_set_t cpus;

	CHECK(gpin_self(0) == 0);
	gcpus_range(&cpus, GTEST_FIRST_CPU, GTEST_LAST_CPU);
	CHECK(genclave_create(&e, &cpus, 0, 0) == 0);
	CHECK(genclave_destroy_on_failure(&e) == 0);
	config.agent_cpus = cpus;
	CHECK(gproc_fork(&agents, e.id, &config) == 0);
	CHECK(gproc_start(&agents, &counters) == 0);
	printf("ghost demo: enclave %llu on CPUs 1-3, per-CPU FIFO agents in process %d\n",
	       (unsigned long long)e.id, agents.pid);

	CHECK(gworkers_spawn(&g, NR_THREADS, &work, &cpus) == 0);
	CHECK(gworkers_add(&g, &e) == NR_THREADS);
	gworkers_release(&g);
	printf("ghost demo: %d threads moved into the enclave; they spin 2 ms and sleep 3 ms, %d times\n",
	       NR_THREADS, ITERATIONS);
	while (!gworkers_wait_done(&g, 1000)) {
		printf("ghost demo: every second:\n");
		show_threads(&g);
	}
	gworkers_join(&g);
	printf("ghost demo: all %d threads finished, %d of them under SCHED_GHOST throughout\n",
	       NR_THREADS, gworkers_count_last_policy(&g, SCHED_GHOST));

	CHECK(gnl_get_enclave(e.id, &stats) == 0);
	printf("ghost demo: netlink says enclave %llu (CPUs %s) handled:\n",
	       (unsigned long long)stats.id, stats.cpus);
	for (int type = 0; type <= GHOST_MSG_TYPE_MAX; type++)
		if (stats.msgs[type])
			printf("  %-22s %llu\n", gmsg_name(type),
			       (unsigned long long)stats.msgs[type]);
	for (int state = 0; state <= GHOST_TXN_STATE_MAX; state++)
		if (stats.commits[state])
			printf("  commit %-15s %llu\n", gtxn_state_name(state),
			       (unsigned long long)stats.commits[state]);

	CHECK(gproc_stop(&agents, &counters) == 0);
	CHECK(genclave_destroy(&e) == 0);
	gworkers_free(&g);
	return 0;
}
