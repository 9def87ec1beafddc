// SPDX-License-Identifier: GPL-2.0
/*
 * Proves: a CPU that only holds ghost work no agent has committed looks
 * idle to CFS, which then places its wakeups there. CPU 2 (in an enclave
 * with no agent) has a runnable ghost puppet queued and runs its idle
 * task; CPU 3 runs a CFS spinner. A sleeping CFS thread that last ran on
 * CPU 3, allowed on {2,3}, is woken from CPU 0, 20 times: CFS's
 * idle-sibling search must pick CPU 2 at least 17 times (were the queued
 * ghost task counted, CPU 2 would look as busy as CPU 3 and the thread
 * would stay on CPU 3). Control, after the enclave is destroyed and a CFS
 * spinner holds CPU 2 instead: at most 3 of 20 go there, so the count
 * tells the two apart. The ghost puppet made no progress meanwhile, and
 * runs under CFS once the enclave is destroyed.
 */
#include <sched.h>

#include "gagent.h"
#include "gworkers.h"
#include "test.h"

#define GHOST_CPU	2
#define BUSY_CPU	3
#define WAKEUPS		20
#define MARGIN		3	/* wakeups the host's load may misplace */

/* Wake @p allowed on {@cpu, @other} ({@cpu} if @other is -1); let it sleep. */
static void wake_on(struct gpuppet *p, int cpu, int other)
{
	cpu_set_t cpus;

	gcpus_one(&cpus, cpu);
	if (other >= 0)
		CPU_SET(other, &cpus);
	CHECK(sched_setaffinity(p->tid, sizeof(cpus), &cpus) == 0);
	gpuppet_post(p, GPUPPET_NOP, 0);
	/* Only a thread that is really asleep is placed by its wakeup. */
	CHECK(gpuppet_wait_asleep(p, 10000));
}

/* How many of WAKEUPS wakeups of @sleeper, last on CPU 3, go to CPU 2. */
static int placed_on_ghost_cpu(struct gpuppet *sleeper)
{
	int placed = 0;

	for (int i = 0; i < WAKEUPS; i++) {
		wake_on(sleeper, BUSY_CPU, -1);
		wake_on(sleeper, BUSY_CPU, GHOST_CPU);
		if (gpuppet_woke_on(sleeper) == GHOST_CPU)
			placed++;
	}
	return placed;
}

int main(void)
{
	struct gpuppet ghost_task, spinner, sleeper;
	struct genclave e;
	struct gqueue q;
	cpu_set_t cpus;
	int placed;

	CHECK(gpin_self(0) == 0);
	gcpus_one(&cpus, GHOST_CPU);
	CHECK(gpuppet_spawn(&ghost_task, &cpus) == 0);
	gcpus_one(&cpus, BUSY_CPU);
	CHECK(gpuppet_spawn(&spinner, &cpus) == 0);
	CHECK(gpuppet_spawn(&sleeper, &cpus) == 0);

	gcpus_one(&cpus, GHOST_CPU);
	CHECK(genclave_create(&e, &cpus, 0, 10000) == 0);
	CHECK(genclave_destroy_on_failure(&e) == 0);
	CHECK(gqueue_create(&q, &e, 64, -1) == 0);
	CHECK(genclave_add_task(&e, ghost_task.tid) == 0);
	gpuppet_post(&ghost_task, GPUPPET_SPIN, 0);
	gpuppet_post(&spinner, GPUPPET_SPIN, 0);
	gsleep_ms(20);
	CHECK_EQ(gpuppet_spins(&ghost_task), 0);

	placed = placed_on_ghost_cpu(&sleeper);
	printf("ghost work on CPU 2: %d of %d wakeups placed there\n", placed,
	       WAKEUPS);
	CHECK(placed >= WAKEUPS - MARGIN);
	CHECK_EQ(gpuppet_spins(&ghost_task), 0);

	/* The control: the puppet now spins under CFS on CPU 2. */
	CHECK(genclave_destroy(&e) == 0);
	while (gpuppet_spins(&ghost_task) == 0)
		gsleep_ms(1);
	placed = placed_on_ghost_cpu(&sleeper);
	printf("CFS work on CPU 2: %d of %d wakeups placed there\n", placed,
	       WAKEUPS);
	CHECK(placed <= MARGIN);

	gpuppet_stop_spin(&ghost_task);
	gpuppet_stop_spin(&spinner);
	while (!gpuppet_idle(&ghost_task) || !gpuppet_idle(&spinner))
		gsleep_ms(1);
	gpuppet_post(&ghost_task, GPUPPET_EXIT, 0);
	gpuppet_post(&spinner, GPUPPET_EXIT, 0);
	gpuppet_post(&sleeper, GPUPPET_EXIT, 0);
	gpuppet_join(&ghost_task);
	gpuppet_join(&spinner);
	gpuppet_join(&sleeper);
	CHECK_EQ(gpuppet_policy(&ghost_task), SCHED_OTHER);
	test_pass("idle_to_cfs");
}
