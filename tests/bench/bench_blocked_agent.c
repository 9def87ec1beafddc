// SPDX-License-Identifier: GPL-2.0
/*
 * Measures: how long a message takes to reach a parked per-CPU agent,
 * waking it up, against a CFS context switch in the same run.
 *
 * Per-CPU agents on CPUs 1-3 schedule 20 threads that sleep 500 us and
 * spin 50 us, 200 times each; every agent parks whenever it has nothing
 * to do or has committed its own CPU. Delivery is the time from a
 * message's time_ns (the event) to the agent reading it, for the message
 * that woke the agent from a park. The CFS switch is half a pipe
 * ping-pong round trip between two threads on CPU 2: a wakeup and a
 * switch, as here.
 *
 * The headline is a task blocking on the agent's CPU: the kernel switches
 * from it to the agent at once, so this is the agent's wakeup cost alone
 * (ghOSt's "message delivery to a local agent"). A timer wakeup is shown
 * too: it is produced inside the timer interrupt, and the agent can run
 * only after the rest of that interrupt, which a CFS thread woken by its
 * timer waits for just the same. (Measured in the module: from the wakeup
 * to the agent's pick 1.5 us for a blocking task against 25 us from the
 * interrupt, with one wakeup per interrupt; under TCG an interrupt's
 * APIC accesses are costly.)
 */
#include <sched.h>

#include "gagent.h"
#include "gbench.h"
#include "gsched.h"
#include "gworkers.h"
#include "test.h"

#define NR_THREADS	20
#define ITERATIONS	200

static void measure(struct gbench_runs *runs,
		    struct gbench_runs *wakeup_runs)
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
	CHECK(counters.deliveries > 0 && counters.wakeup_deliveries > 0);
	CHECK(genclave_destroy(&e) == 0);
	gworkers_free(&g);

	printf("blocked agent delivery: %llu after a block, %llu after a wakeup, %llu parks\n",
	       (unsigned long long)counters.deliveries,
	       (unsigned long long)counters.wakeup_deliveries,
	       (unsigned long long)counters.parks);
	gbench_record(runs, (double)counters.delivery_ns / counters.deliveries,
		      cfs_switch_ns);
	gbench_record(wakeup_runs,
		      (double)counters.wakeup_delivery_ns /
		      counters.wakeup_deliveries, cfs_switch_ns);
}

int main(void)
{
	struct gbench_runs runs = {
		.what = "blocked agent delivery", .baseline = "CFS switch",
	};
	struct gbench_runs wakeup_runs = {
		.what = "timer wakeup delivery", .baseline = "CFS switch",
	};

	CHECK(gpin_self(0) == 0);
	for (int i = 0; i < GBENCH_REPEATS; i++)
		measure(&runs, &wakeup_runs);
	gbench_report(&wakeup_runs);
	gbench_report(&runs);
	return 0;
}
