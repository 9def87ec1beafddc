// SPDX-License-Identifier: GPL-2.0
/*
 * Proves: every message type is produced when it should be. The main
 * thread is the agent of CPU 1 (polled default queue) and drives two
 * puppet threads, A and B, on CPUs 2 and 3, and a CFS thread pinned to
 * CPU 3. In turn:
 *  - TASK_NEW when a sleeping thread is added: its tid, no RUNNABLE flag,
 *    nice 0, no parent, status_index equal to the gtid's low 32 bits;
 *  - TASK_WAKEUP when it is woken, TASK_BLOCKED when it sleeps, and both
 *    around a usleep(), the wakeup naming the CPU it last ran on;
 *  - TASK_YIELD on sched_yield() (which also loses its latch);
 *  - TASK_PREEMPT, without BY_HIGHER_CLASS, when a commit of B on its CPU
 *    displaces a running A;
 *  - TASK_AFFINITY_CHANGED on sched_setaffinity() (CPUs 2-3 to 2) and
 *    TASK_PRIORITY_CHANGED, carrying the new nice, on setpriority();
 *  - CPU_TICK for a CPU running A once GHOST_ENCLAVE_F_TICKS is set, and
 *    none before;
 *  - CPU_NOT_IDLE for an idle CPU committed GHOST_TARGET_NONE with
 *    GHOST_RUN_F_NOT_IDLE once something runs there, and CPU_BUSY then
 *    CPU_AVAILABLE when the CFS thread runs there and stops;
 *  - TASK_DEPARTED on sched_setscheduler(SCHED_OTHER), after which its
 *    status word no longer names it, and TASK_DEAD when A exits.
 * The seqnums of each task's messages increase by exactly one.
 */
#include <sched.h>
#include <sys/resource.h>

#include "gagent.h"
#include "gstep.h"
#include "gworkers.h"
#include "test.h"

#define AGENT_CPU	1
#define CPU_A		2
#define CPU_B		3
#define TIMEOUT		GSTEP_TIMEOUT_MS

static struct genclave enclave;
static struct gstep step;
static struct gpuppet task_a, task_b, cfs_thread;
static uint64_t gtid_a, gtid_b;

static void expect(int type, uint64_t gtid, int cpu, struct ghost_msg *out)
{
	CHECK(gstep_expect(&step, type, gtid, cpu, TIMEOUT, out));
}

static uint64_t add_puppet(const struct gpuppet *p)
{
	struct ghost_msg m;
	uint64_t gtid = gstep_add(&step, p->tid, &m);

	CHECK(gtid);
	CHECK(!(m.flags & GHOST_MSG_F_RUNNABLE));
	CHECK(m.task_new.nice == 0);
	CHECK(m.task_new.parent_gtid == 0);
	CHECK(m.task_new.status_index == (uint32_t)gtid);
	CHECK(gsw_flags(gsw_task(&enclave, gtid)) & GHOST_SW_F_INUSE);
	return gtid;
}

static void wakeup_and_blocked(void)
{
	struct ghost_msg m;

	CHECK(gstep_command(&step, &task_a, gtid_a, GPUPPET_SLEEP, 20000,
			    CPU_A));
	CHECK(gstep_expect_running(&step, GHOST_MSG_TASK_BLOCKED, gtid_a,
				   CPU_A, TIMEOUT, NULL));
	expect(GHOST_MSG_TASK_WAKEUP, gtid_a, GANY_CPU, &m);
	CHECK(m.task_wakeup.last_ran_cpu == CPU_A);
	CHECK(gstep_run_task(&step, CPU_A, gtid_a, TIMEOUT) ==
	      GHOST_TXN_COMPLETE);
	CHECK(gstep_expect_running(&step, GHOST_MSG_TASK_BLOCKED, gtid_a,
				   CPU_A, TIMEOUT, NULL));
}

static void yield_loses_latch(void)
{
	CHECK(gstep_command(&step, &task_a, gtid_a, GPUPPET_YIELD, 0, CPU_A));
	expect(GHOST_MSG_TASK_YIELD, gtid_a, CPU_A, NULL);
	CHECK(gstep_run_task(&step, CPU_A, gtid_a, TIMEOUT) ==
	      GHOST_TXN_COMPLETE);
	CHECK(gstep_expect_running(&step, GHOST_MSG_TASK_BLOCKED, gtid_a,
				   CPU_A, TIMEOUT, NULL));
}

/*
 * A commit that displaces a running task says it was not a higher class.
 * A kernel thread that happens to be runnable on CPU_A at that instant does
 * run first, and then the flag is the truth; so one clean attempt in three
 * is required.
 */
static bool preempt_by_commit_once(void)
{
	struct ghost_msg m;

	CHECK(gstep_command(&step, &task_a, gtid_a, GPUPPET_SPIN, 0, CPU_A));
	CHECK(gstep_wait_oncpu(&step, gtid_a, CPU_A, TIMEOUT));
	CHECK(gstep_command(&step, &task_b, gtid_b, GPUPPET_SPIN, 0, CPU_A));
	expect(GHOST_MSG_TASK_PREEMPT, gtid_a, CPU_A, &m);
	CHECK(gstep_wait_oncpu(&step, gtid_b, CPU_A, TIMEOUT));

	gpuppet_stop_spin(&task_a);
	gpuppet_stop_spin(&task_b);
	CHECK(gstep_run_task(&step, CPU_B, gtid_a, TIMEOUT) ==
	      GHOST_TXN_COMPLETE);
	CHECK(gstep_expect_running(&step, GHOST_MSG_TASK_BLOCKED, gtid_a,
				   CPU_B, TIMEOUT, NULL));
	CHECK(gstep_expect_running(&step, GHOST_MSG_TASK_BLOCKED, gtid_b,
				   CPU_A, TIMEOUT, NULL));
	return !(m.flags & GHOST_MSG_F_BY_HIGHER_CLASS);
}

static void preempt_by_commit(void)
{
	int attempt = 0;

	while (!preempt_by_commit_once())
		CHECK(++attempt < 3);
}

static void affinity_and_priority(void)
{
	struct ghost_msg m;
	cpu_set_t cpus;

	gcpus_one(&cpus, CPU_A);
	CHECK(sched_setaffinity(task_a.tid, sizeof(cpus), &cpus) == 0);
	expect(GHOST_MSG_TASK_AFFINITY_CHANGED, gtid_a, GANY_CPU, NULL);
	CHECK(setpriority(PRIO_PROCESS, task_a.tid, 5) == 0);
	expect(GHOST_MSG_TASK_PRIORITY_CHANGED, gtid_a, GANY_CPU, &m);
	CHECK(m.task_priority.nice == 5);
}

static void ticks(void)
{
	struct ghost_enclave_info info;

	CHECK(gstep_count(&step, GHOST_MSG_CPU_TICK, 0) == 0);
	CHECK(genclave_query(&enclave, &info) == 0);
	CHECK(genclave_configure(&enclave, info.watchdog_ms,
				 GHOST_ENCLAVE_F_TICKS) == 0);
	CHECK(gstep_command(&step, &task_a, gtid_a, GPUPPET_SPIN, 0, CPU_A));
	expect(GHOST_MSG_CPU_TICK, 0, CPU_A, NULL);
	CHECK(genclave_configure(&enclave, info.watchdog_ms, 0) == 0);
	gpuppet_stop_spin(&task_a);
	CHECK(gstep_expect_running(&step, GHOST_MSG_TASK_BLOCKED, gtid_a,
				   CPU_A, TIMEOUT, NULL));
}

/*
 * CPU_B is idle: every ghost task sleeps. Kernel threads may have made
 * CPU messages for it already: only those from now on count.
 */
static void cpu_messages(void)
{
	gstep_take_all(&step);
	CHECK(gstep_run(&step, CPU_B, GHOST_TARGET_NONE,
			GHOST_RUN_F_NOT_IDLE) == GHOST_TXN_COMPLETE);
	gpuppet_post(&cfs_thread, GPUPPET_SPIN, 20000);
	expect(GHOST_MSG_CPU_NOT_IDLE, 0, CPU_B, NULL);
	expect(GHOST_MSG_CPU_BUSY, 0, CPU_B, NULL);
	expect(GHOST_MSG_CPU_AVAILABLE, 0, CPU_B, NULL);
}

static void departed_and_dead(void)
{
	struct sched_param param = { .sched_priority = 0 };
	const struct ghost_status_word *w = gsw_task(&enclave, gtid_b);

	CHECK(sched_setscheduler(task_b.tid, SCHED_OTHER, &param) == 0);
	expect(GHOST_MSG_TASK_DEPARTED, gtid_b, GANY_CPU, NULL);
	CHECK(gsw_gtid(w) != gtid_b || !(gsw_flags(w) & GHOST_SW_F_INUSE));
	gpuppet_post(&task_b, GPUPPET_EXIT, 0);

	CHECK(gstep_command(&step, &task_a, gtid_a, GPUPPET_EXIT, 0, CPU_A));
	/* Kept on its CPU: a kernel thread passing through may preempt it. */
	CHECK(gstep_expect_running(&step, GHOST_MSG_TASK_DEAD, gtid_a, CPU_A,
				   TIMEOUT, NULL));
}

static void spawn_threads(void)
{
	cpu_set_t cpus;

	gcpus_range(&cpus, CPU_A, CPU_B);
	CHECK(gpuppet_spawn(&task_a, &cpus) == 0);
	CHECK(gpuppet_spawn(&task_b, &cpus) == 0);
	gcpus_one(&cpus, CPU_B);
	CHECK(gpuppet_spawn(&cfs_thread, &cpus) == 0);
}

int main(void)
{
	cpu_set_t cpus;

	CHECK(gpin_self(0) == 0);
	spawn_threads();
	gcpus_range(&cpus, GTEST_FIRST_CPU, GTEST_LAST_CPU);
	CHECK(genclave_create(&enclave, &cpus, 0, 10000) == 0);
	CHECK(genclave_destroy_on_failure(&enclave) == 0);
	CHECK(gstep_begin(&step, &enclave, AGENT_CPU, -1) == 0);

	gtid_a = add_puppet(&task_a);
	gtid_b = add_puppet(&task_b);
	wakeup_and_blocked();
	yield_loses_latch();
	preempt_by_commit();
	affinity_and_priority();
	ticks();
	cpu_messages();
	departed_and_dead();
	CHECK(gstep_seqnums_consecutive(&step, gtid_a));
	CHECK(gstep_seqnums_consecutive(&step, gtid_b));

	CHECK(gstep_end(&step) == 0);
	gpuppet_join(&task_a);
	gpuppet_join(&task_b);
	CHECK(gpuppet_policy(&task_b) == SCHED_OTHER);
	gpuppet_post(&cfs_thread, GPUPPET_EXIT, 0);
	gpuppet_join(&cfs_thread);
	CHECK(genclave_destroy(&enclave) == 0);
	test_pass("messages");
}
