// SPDX-License-Identifier: GPL-2.0
/*
 * Proves: a sync group commit is all or nothing. The main thread is the
 * agent of CPU 1 (with a queue that wakes it) and commits, as one
 * GHOST_COMMIT_F_SYNC_GROUP over CPUs {1,2,3}, puppet P1 on its own CPU 1,
 * P2 on CPU 2 and P3 on CPU 3:
 *  - with P2 blocked, the slot of CPU 2 ends TARGET_NOT_RUNNABLE, the
 *    others POISONED, nr_committed is 0, and neither P1 nor P3 runs (no
 *    progress, no runtime, not on CPU or latched);
 *  - with P3's barrier stale, its slot ends TARGET_STALE, the others
 *    POISONED, and none of the three runs;
 *  - with every slot valid, all three end COMPLETE, nr_committed is 3,
 *    and the three run at the same time (seen by a CFS thread on CPU 0
 *    while the agent is parked by its own slot).
 */
#include "gagent.h"
#include "gstep.h"
#include "gworkers.h"
#include "test.h"

#define AGENT_CPU	1
#define NR_PUPPETS	3
#define TIMEOUT		GSTEP_TIMEOUT_MS

static struct genclave enclave;
static struct gstep step;
static struct gpuppet puppets[NR_PUPPETS];
static uint64_t gtids[NR_PUPPETS];
static struct gwaker waker;

/* Puppet i goes to CPU i + 1: P1 to the agent's own CPU. */
static int cpu_of(int i)
{
	return AGENT_CPU + i;
}

static void make_runnable(int i)
{
	gpuppet_post(&puppets[i], GPUPPET_SPIN, 0);
	CHECK(gstep_expect(&step, GHOST_MSG_TASK_WAKEUP, gtids[i], GANY_CPU,
			   TIMEOUT, NULL));
}

/* Fills every slot of the group; slot @stale_index names an old barrier. */
static void fill_group(cpu_set_t *cpus, int stale_index)
{
	uint32_t agent_barrier = gcpu_barrier(&enclave, AGENT_CPU);

	CPU_ZERO(cpus);
	for (int i = 0; i < NR_PUPPETS; i++) {
		uint32_t barrier = gstep_task_barrier(&step, gtids[i]);

		if (i == stale_index)
			barrier--;
		gtxn_ready(gtxn(&enclave, cpu_of(i)), gtids[i], barrier,
			   agent_barrier, 0);
		CPU_SET(cpu_of(i), cpus);
	}
}

/* Whether a slot of the group failed for a reason outside the test. */
static bool group_disturbed(void)
{
	for (int i = 0; i < NR_PUPPETS; i++) {
		int state = gtxn_state(gtxn(&enclave, cpu_of(i)));

		if (state == GHOST_TXN_CPU_UNAVAIL ||
		    (cpu_of(i) == AGENT_CPU && state == GHOST_TXN_AGENT_STALE))
			return true;
	}
	return false;
}

/*
 * Commits the group again if a kernel thread passing through one of its
 * CPUs made it unavailable, or a message (a CPU message, say) came in
 * between our reading the agent barrier and committing our own slot.
 */
static uint32_t commit_group(int stale_index)
{
	uint32_t nr_committed;
	cpu_set_t cpus;

	do {
		nr_committed = ~0U;
		fill_group(&cpus, stale_index);
		CHECK(gcommit(&enclave, &cpus, GHOST_COMMIT_F_SYNC_GROUP,
			      &nr_committed) == 0);
	} while (group_disturbed());
	return nr_committed;
}

static void check_group_failed(int failed_index, int failed_state)
{
	int stale_index = failed_state == GHOST_TXN_TARGET_STALE ?
			  failed_index : -1;
	uint64_t runtimes[NR_PUPPETS], spins[NR_PUPPETS];

	for (int i = 0; i < NR_PUPPETS; i++) {
		runtimes[i] = gsw_runtime(gsw_task(&enclave, gtids[i]));
		spins[i] = gpuppet_spins(&puppets[i]);
	}
	CHECK(commit_group(stale_index) == 0);
	for (int i = 0; i < NR_PUPPETS; i++)
		CHECK(gtxn_state(gtxn(&enclave, cpu_of(i))) ==
		      (i == failed_index ? failed_state : GHOST_TXN_POISONED));

	gsleep_ms(50);
	for (int i = 0; i < NR_PUPPETS; i++) {
		const struct ghost_status_word *w = gsw_task(&enclave, gtids[i]);

		CHECK(gsw_runtime(w) == runtimes[i]);
		CHECK(gpuppet_spins(&puppets[i]) == spins[i]);
		CHECK(!(gsw_flags(w) &
			(GHOST_SW_TASK_ONCPU | GHOST_SW_TASK_LATCHED)));
	}
}

static bool all_run_together(void *arg)
{
	(void)arg;
	for (int i = 0; i < NR_PUPPETS; i++)
		if (gsw_gtid(gsw_cpu(&enclave, cpu_of(i))) != gtids[i])
			return false;
	return true;
}

static void stop_all_spins(void *arg)
{
	(void)arg;
	for (int i = 0; i < NR_PUPPETS; i++)
		gpuppet_stop_spin(&puppets[i]);
}

/*
 * The group committed; now let it run until the waker saw all three at
 * once. Kernel threads of the VM come and go on CPUs 2 and 3 and preempt
 * puppets there (TASK_PREEMPT by a higher class): each puppet that is
 * neither running nor latched gets its CPU back from a plain commit, and
 * while all are, the agent parks so that P1 runs on its own CPU.
 */
static void let_group_run(void)
{
	/* On a loaded host the three vCPUs rarely all run at once. */
	uint64_t deadline = gnow_ns() + 6 * TIMEOUT * 1000000ULL;

	while (!gwaker_acted(&waker)) {
		uint32_t agent_barrier = gcpu_barrier(&enclave, AGENT_CPU);
		bool all_placed = true;

		CHECK(gnow_ns() < deadline);
		gstep_poll(&step);
		for (int i = 0; i < NR_PUPPETS; i++) {
			uint32_t flags = gsw_flags(gsw_task(&enclave, gtids[i]));

			if (flags & (GHOST_SW_TASK_ONCPU | GHOST_SW_TASK_LATCHED))
				continue;
			all_placed = false;
			if (cpu_of(i) != AGENT_CPU)
				gstep_run(&step, cpu_of(i), gtids[i], 0);
		}
		if (all_placed)
			gagent_park(&enclave, agent_barrier);
		else
			gstep_run(&step, AGENT_CPU, gtids[0], 0);
	}
}

static void check_group_completes(void)
{
	gwaker_arm(&waker, all_run_together, stop_all_spins, NULL);
	CHECK(commit_group(-1) == NR_PUPPETS);
	for (int i = 0; i < NR_PUPPETS; i++)
		CHECK(gtxn_state(gtxn(&enclave, cpu_of(i))) ==
		      GHOST_TXN_COMPLETE);
	let_group_run();
	for (int i = 0; i < NR_PUPPETS; i++)
		CHECK(gstep_expect_running(&step, GHOST_MSG_TASK_BLOCKED,
					   gtids[i], cpu_of(i), TIMEOUT, NULL));
}

static void finish_puppets(void)
{
	for (int i = 0; i < NR_PUPPETS; i++) {
		CHECK(gstep_command(&step, &puppets[i], gtids[i], GPUPPET_EXIT,
				    0, cpu_of(1)));
		/* Kept on its CPU: a kernel thread may preempt it. */
		CHECK(gstep_expect_running(&step, GHOST_MSG_TASK_DEAD,
					   gtids[i], cpu_of(1), TIMEOUT, NULL));
	}
}

int main(void)
{
	cpu_set_t cpus;

	CHECK(gpin_self(0) == 0);
	gcpus_range(&cpus, GTEST_FIRST_CPU, GTEST_LAST_CPU);
	for (int i = 0; i < NR_PUPPETS; i++)
		CHECK(gpuppet_spawn(&puppets[i], &cpus) == 0);
	CHECK(gwaker_spawn(&waker, 0) == 0);
	CHECK(genclave_create(&enclave, &cpus, 0, 10000) == 0);
	CHECK(genclave_destroy_on_failure(&enclave) == 0);
	CHECK(gstep_begin(&step, &enclave, AGENT_CPU, AGENT_CPU) == 0);
	for (int i = 0; i < NR_PUPPETS; i++) {
		gtids[i] = gstep_add(&step, puppets[i].tid, NULL);
		CHECK(gtids[i]);
	}

	make_runnable(0);
	make_runnable(2);
	check_group_failed(1, GHOST_TXN_TARGET_NOT_RUNNABLE);
	make_runnable(1);
	check_group_failed(2, GHOST_TXN_TARGET_STALE);
	check_group_completes();
	finish_puppets();

	CHECK(gstep_end(&step) == 0);
	for (int i = 0; i < NR_PUPPETS; i++)
		gpuppet_join(&puppets[i]);
	gwaker_stop(&waker);
	CHECK(genclave_destroy(&enclave) == 0);
	test_pass("sync_group");
}
