// SPDX-License-Identifier: GPL-2.0
/*
 * Proves: a remote commit takes a CPU from the ghost task holding it. The
 * main thread is the agent of CPU 1 (polled default queue). Spinning
 * puppet A runs on CPU 2; committing spinning puppet B on CPU 2 makes A
 * get TASK_PREEMPT (from CPU 2, without BY_HIGHER_CLASS), and A stops:
 * its word is off CPU, and its progress and runtime freeze while CPU 2's
 * word names B. Committing GHOST_TARGET_NONE on CPU 2 then preempts B the
 * same way and leaves CPU 2 without a ghost task. Both then run elsewhere
 * and finish.
 */
#include "gagent.h"
#include "gstep.h"
#include "gworkers.h"
#include "test.h"

#define AGENT_CPU	1
#define CPU_X		2
#define CPU_Y		3
#define TIMEOUT		GSTEP_TIMEOUT_MS

static struct genclave enclave;
static struct gstep step;
static struct gpuppet task_a, task_b;
static uint64_t gtid_a, gtid_b;

static void expect_preempted(const struct gpuppet *p, uint64_t gtid)
{
	const struct ghost_status_word *w = gsw_task(&enclave, gtid);
	uint64_t spins, runtime;

	CHECK(gstep_wait_off_cpu(&step, gtid, TIMEOUT));
	CHECK(gsw_flags(w) & GHOST_SW_TASK_RUNNABLE);
	spins = gpuppet_spins(p);
	runtime = gsw_runtime(w);
	gsleep_ms(50);
	CHECK(gpuppet_spins(p) == spins);
	CHECK(gsw_runtime(w) == runtime);
}

/*
 * Has @victim, running on CPU_X, lose it to a commit of @target there: its
 * TASK_PREEMPT comes from CPU_X and not from a higher class. A kernel
 * thread passing through CPU_X may take it first; then run @victim there
 * again and start over.
 */
static void take_cpu_x(uint64_t victim, uint64_t target)
{
	struct ghost_msg m;

	for (;;) {
		CHECK(gstep_wait_oncpu(&step, victim, CPU_X, TIMEOUT));
		if (target == GHOST_TARGET_NONE)
			CHECK(gstep_run(&step, CPU_X, target, 0) ==
			      GHOST_TXN_COMPLETE);
		else
			CHECK(gstep_run_task(&step, CPU_X, target, TIMEOUT) ==
			      GHOST_TXN_COMPLETE);
		CHECK(gstep_expect(&step, GHOST_MSG_TASK_PREEMPT, victim, CPU_X,
				   TIMEOUT, &m));
		if (!(m.flags & GHOST_MSG_F_BY_HIGHER_CLASS))
			return;
	}
}

static bool cpu_x_has_no_ghost_task(void *arg)
{
	(void)arg;
	return !gsw_gtid(gsw_cpu(&enclave, CPU_X));
}

static void finish(struct gpuppet *p, uint64_t gtid, int cpu)
{
	gpuppet_stop_spin(p);
	CHECK(gstep_run_task(&step, cpu, gtid, TIMEOUT) == GHOST_TXN_COMPLETE);
	CHECK(gstep_expect_running(&step, GHOST_MSG_TASK_BLOCKED, gtid, cpu,
				   TIMEOUT, NULL));
	CHECK(gstep_command(&step, p, gtid, GPUPPET_EXIT, 0, cpu));
	/* Kept on its CPU: a kernel thread passing through may preempt it. */
	CHECK(gstep_expect_running(&step, GHOST_MSG_TASK_DEAD, gtid, cpu,
				   TIMEOUT, NULL));
}

int main(void)
{
	cpu_set_t cpus;

	CHECK(gpin_self(0) == 0);
	gcpus_range(&cpus, CPU_X, CPU_Y);
	CHECK(gpuppet_spawn(&task_a, &cpus) == 0);
	CHECK(gpuppet_spawn(&task_b, &cpus) == 0);
	gcpus_range(&cpus, GTEST_FIRST_CPU, GTEST_LAST_CPU);
	CHECK(genclave_create(&enclave, &cpus, 0, 10000) == 0);
	CHECK(genclave_destroy_on_failure(&enclave) == 0);
	CHECK(gstep_begin(&step, &enclave, AGENT_CPU, -1) == 0);
	gtid_a = gstep_add(&step, task_a.tid, NULL);
	gtid_b = gstep_add(&step, task_b.tid, NULL);
	CHECK(gtid_a && gtid_b);

	CHECK(gstep_command(&step, &task_a, gtid_a, GPUPPET_SPIN, 0, CPU_X));
	gpuppet_post(&task_b, GPUPPET_SPIN, 0);
	CHECK(gstep_expect(&step, GHOST_MSG_TASK_WAKEUP, gtid_b, GANY_CPU,
			   TIMEOUT, NULL));
	take_cpu_x(gtid_a, gtid_b);
	expect_preempted(&task_a, gtid_a);

	take_cpu_x(gtid_b, GHOST_TARGET_NONE);
	expect_preempted(&task_b, gtid_b);
	CHECK(gstep_wait(&step, cpu_x_has_no_ghost_task, NULL, TIMEOUT));

	finish(&task_a, gtid_a, CPU_Y);
	finish(&task_b, gtid_b, CPU_X);
	CHECK(gstep_end(&step) == 0);
	gpuppet_join(&task_a);
	gpuppet_join(&task_b);
	CHECK(genclave_destroy(&enclave) == 0);
	test_pass("remote_preempt");
}
