// SPDX-License-Identifier: GPL-2.0
/*
 * Measures: how long a message takes to reach a parked per-CPU agent,
 * waking it up, against a CFS context switch in the same run.
 *
 * Per-CPU agents on CPUs 1-3 schedule 20 threads that sleep 500 us and
 * spin 50 us, 200 times each; every agent parks whenever it has nothing
 * to do or has committed its own CPU. Delivery is the time from a
 * message's time_ns (the event) to the agent reading it, averaged over
 * the messages an agent read right after being woken from a park. The
 * CFS switch is half a pipe ping-pong round trip between two threads on
 * CPU 2: a wakeup and a switch, as here.
 */
#include <sched.h>

#include "gagent.h"
#include "gbench.h"
#include "gsched.h"
#include "gworkers.h"
#include "test.h"

#define NR_THREADS	20
#define ITERATIONS	200

int main(void)
{
	struct gwork work = {
		.iterations = ITERATIONS, .spin_us = 50, .sleep_us = 500,
	};
	struct gsched_config config = { .mode = GSCHED_PER_CPU };
	struct gsched_counters counters;
	double cfs_switch_ns;
	struct genclave e;
	struct gworkers g;
	struct gsched *s;
	cpu_set_t cpus;

	CHECK(gpin_self(0) == 0);
	cfs_switch_ns = gbench_cfs_switch_ns(2, 20000);

	gcpus_range(&cpus, GTEST_FIRST_CPU, GTEST_LAST_CPU);
	CHECK(genclave_create(&e, &cpus, 0, 0) == 0);
	CHECK(genclave_destroy_on_failure(&e) == 0);
	config.agent_cpus = cpus;
	CHECK(gsched_start(&s, &e, &config) == 0);
	CHECK(gworkers_spawn(&g, NR_THREADS, &work, &cpus) == 0);
	CHECK(gworkers_add(&g, &e) == NR_THREADS);
	gworkers_release(&g);
	gworkers_join(&g);
	gsched_stop(s, &counters);
	CHECK(counters.deliveries > 0);
	CHECK(genclave_destroy(&e) == 0);
	gworkers_free(&g);

	printf("blocked agent delivery: %llu messages, %llu parks\n",
	       (unsigned long long)counters.deliveries,
	       (unsigned long long)counters.parks);
	gbench_report("blocked agent delivery",
		      (double)counters.delivery_ns / counters.deliveries,
		      "CFS switch", cfs_switch_ns);
	return 0;
}
