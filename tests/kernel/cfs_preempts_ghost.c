// SPDX-License-Identifier: GPL-2.0
/*
 * Proves: CFS beats ghost on a shared CPU, and ghost gets the CPU back.
 * The main thread is the agent of CPU 1 (polled default queue); ghost
 * puppet G spins on CPU 2. A SCHED_OTHER thread pinned to CPU 2 that
 * starts spinning preempts G: G gets TASK_PREEMPT with
 * GHOST_MSG_F_BY_HIGHER_CLASS, CPU 2 reports CPU_BUSY and loses
 * GHOST_SW_CPU_AVAIL, committing G there ends CPU_UNAVAIL, and G makes no
 * progress. Once the CFS thread sleeps again, CPU 2 reports CPU_AVAILABLE,
 * G can be committed there again, runs, and finishes.
 */
#include <sched.h>

#include "gagent.h"
#include "gstep.h"
#include "gworkers.h"
#include "test.h"

#define AGENT_CPU	1
#define SHARED_CPU	2
#define TIMEOUT		GSTEP_TIMEOUT_MS

static struct genclave enclave;
static struct gstep step;
static struct gpuppet ghost_task, cfs_thread;
static uint64_t gtid;

static void expect(int type, uint64_t about, struct ghost_msg *out)
{
	CHECK(gstep_expect(&step, type, about, SHARED_CPU, TIMEOUT, out));
}

static bool shared_cpu_unavailable(void *arg)
{
	(void)arg;
	return !(gcpu_flags(&enclave, SHARED_CPU) & GHOST_SW_CPU_AVAIL);
}

static void cfs_takes_the_cpu(void)
{
	struct ghost_msg m;
	uint64_t spins;
	int state;

	gstep_take_all(&step);
	gpuppet_post(&cfs_thread, GPUPPET_SPIN, 0);
	expect(GHOST_MSG_TASK_PREEMPT, gtid, &m);
	CHECK(m.flags & GHOST_MSG_F_BY_HIGHER_CLASS);
	expect(GHOST_MSG_CPU_BUSY, 0, NULL);
	CHECK(gstep_wait(&step, shared_cpu_unavailable, NULL, TIMEOUT));
	/* Once: gstep_run_task() would wait for the CPU to come back. */
	while ((state = gstep_run(&step, SHARED_CPU, gtid, 0)) ==
	       GHOST_TXN_TARGET_STALE)
		;
	CHECK_EQ(state, GHOST_TXN_CPU_UNAVAIL);
	spins = gpuppet_spins(&ghost_task);
	gsleep_ms(50);
	CHECK(gpuppet_spins(&ghost_task) == spins);
	CHECK(gpuppet_spins(&cfs_thread) > 0);
}

static void ghost_gets_it_back(void)
{
	gpuppet_stop_spin(&cfs_thread);
	expect(GHOST_MSG_CPU_AVAILABLE, 0, NULL);
	CHECK(gstep_run_task(&step, SHARED_CPU, gtid, TIMEOUT) ==
	      GHOST_TXN_COMPLETE);
	CHECK(gstep_wait_oncpu(&step, gtid, SHARED_CPU, TIMEOUT));
	gpuppet_stop_spin(&ghost_task);
	CHECK(gstep_expect_running(&step, GHOST_MSG_TASK_BLOCKED, gtid,
				   SHARED_CPU, TIMEOUT, NULL));
	CHECK(gstep_command(&step, &ghost_task, gtid, GPUPPET_EXIT, 0,
			    SHARED_CPU));
	/* Kept on its CPU: a kernel thread passing through may preempt it. */
	CHECK(gstep_expect_running(&step, GHOST_MSG_TASK_DEAD, gtid,
				   SHARED_CPU, TIMEOUT, NULL));
}

int main(void)
{
	cpu_set_t cpus;

	CHECK(gpin_self(0) == 0);
	gcpus_one(&cpus, SHARED_CPU);
	CHECK(gpuppet_spawn(&ghost_task, &cpus) == 0);
	CHECK(gpuppet_spawn(&cfs_thread, &cpus) == 0);
	gcpus_range(&cpus, GTEST_FIRST_CPU, GTEST_LAST_CPU);
	CHECK(genclave_create(&enclave, &cpus, 0, 10000) == 0);
	CHECK(genclave_destroy_on_failure(&enclave) == 0);
	CHECK(gstep_begin(&step, &enclave, AGENT_CPU, -1) == 0);
	gtid = gstep_add(&step, ghost_task.tid, NULL);
	CHECK(gtid);

	CHECK(gstep_command(&step, &ghost_task, gtid, GPUPPET_SPIN, 0,
			    SHARED_CPU));
	CHECK(gstep_wait_oncpu(&step, gtid, SHARED_CPU, TIMEOUT));
	cfs_takes_the_cpu();
	ghost_gets_it_back();

	CHECK(gstep_end(&step) == 0);
	gpuppet_join(&ghost_task);
	gpuppet_post(&cfs_thread, GPUPPET_EXIT, 0);
	gpuppet_join(&cfs_thread);
	CHECK(gpuppet_policy(&cfs_thread) == SCHED_OTHER);
	CHECK(genclave_destroy(&enclave) == 0);
	test_pass("cfs_preempts_ghost");
}
