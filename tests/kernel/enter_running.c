// SPDX-License-Identifier: GPL-2.0
/*
 * Proves: a thread that is running on an enclave CPU when it enters the
 * enclave stops at once and runs again only when an agent commits it.
 * Puppet P spins under CFS on CPU 2; the test, agent of CPU 1 in the
 * enclave {1,2,3} (watchdog 1 s), adds it:
 *  - TASK_NEW says it is runnable; within 100 ms it stops making progress,
 *    and over the next 300 ms it makes none, is not ONCPU, and CPU 2's word
 *    names no task;
 *  - committed on CPU 2, it shows ONCPU there and spins again;
 *  - it keeps running, committed, for twice the watchdog's timeout and the
 *    enclave lives on.
 * Control: a second puppet spinning on CPU 3 under CFS, never added, keeps
 * making progress throughout, so a stalled puppet is the enclave's doing.
 */
#include <sched.h>

#include "gagent.h"
#include "gstep.h"
#include "gworkers.h"
#include "test.h"

#define AGENT_CPU	1
#define RUN_CPU		2
#define CONTROL_CPU	3
#define WATCHDOG_MS	1000
#define TIMEOUT		GSTEP_TIMEOUT_MS

static struct genclave enclave;
static struct gstep step;

/* Keep the agent's CPU useful while waiting: poll the queue, step aside. */
static void agent_wait_ms(unsigned int ms)
{
	uint64_t end = gnow_ns() + ms * 1000000ULL;

	while (gnow_ns() < end)
		gstep_poll(&step);
}

int main(void)
{
	struct gpuppet puppet, control;
	struct ghost_msg task_new;
	struct ghost_enclave_info info;
	uint64_t gtid, spins, control_spins;
	cpu_set_t cpus;

	CHECK(gpin_self(0) == 0);
	gcpus_one(&cpus, RUN_CPU);
	CHECK(gpuppet_spawn(&puppet, &cpus) == 0);
	gcpus_one(&cpus, CONTROL_CPU);
	CHECK(gpuppet_spawn(&control, &cpus) == 0);
	gpuppet_post(&puppet, GPUPPET_SPIN, 0);
	gpuppet_post(&control, GPUPPET_SPIN, 0);
	while (gpuppet_spins(&puppet) < 1000 || gpuppet_spins(&control) < 1000)
		gsleep_ms(1);

	gcpus_range(&cpus, GTEST_FIRST_CPU, GTEST_LAST_CPU);
	CHECK(genclave_create(&enclave, &cpus, 0, WATCHDOG_MS) == 0);
	CHECK(genclave_destroy_on_failure(&enclave) == 0);
	CHECK(gstep_begin(&step, &enclave, AGENT_CPU, AGENT_CPU) == 0);
	gtid = gstep_add(&step, puppet.tid, &task_new);
	CHECK(gtid);
	CHECK(task_new.flags & GHOST_MSG_F_RUNNABLE);

	/* Entered while running: switched out, not to run until committed. */
	agent_wait_ms(100);
	spins = gpuppet_spins(&puppet);
	control_spins = gpuppet_spins(&control);
	agent_wait_ms(300);
	CHECK_EQ(gpuppet_spins(&puppet), spins);
	CHECK(gpuppet_spins(&control) > control_spins);
	CHECK(!(gsw_flags(gsw_task(&enclave, gtid)) & GHOST_SW_TASK_ONCPU));
	CHECK_EQ(gsw_gtid(gsw_cpu(&enclave, RUN_CPU)), 0);

	/* Committed, it runs, and keeps running past the watchdog. */
	CHECK_EQ(gstep_run_task(&step, RUN_CPU, gtid, TIMEOUT),
		 GHOST_TXN_COMPLETE);
	CHECK(gstep_wait_oncpu(&step, gtid, RUN_CPU, TIMEOUT));
	spins = gpuppet_spins(&puppet);
	/* No TASK_DEAD comes: this only keeps it committed that long. */
	CHECK(!gstep_expect_running(&step, GHOST_MSG_TASK_DEAD, gtid, RUN_CPU,
				    2 * WATCHDOG_MS, NULL));
	CHECK(gpuppet_spins(&puppet) > spins);
	CHECK(genclave_query(&enclave, &info) == 0);
	CHECK_EQ(info.state, GHOST_ENCLAVE_LIVE);

	gpuppet_stop_spin(&puppet);
	CHECK(gstep_expect_running(&step, GHOST_MSG_TASK_BLOCKED, gtid, RUN_CPU,
				   TIMEOUT, NULL));
	CHECK(gstep_command(&step, &puppet, gtid, GPUPPET_EXIT, 0, RUN_CPU));
	/* Kept on its CPU: a kernel thread passing through may preempt it. */
	CHECK(gstep_expect_running(&step, GHOST_MSG_TASK_DEAD, gtid, RUN_CPU,
				   TIMEOUT, NULL));
	gpuppet_join(&puppet);
	CHECK(gstep_end(&step) == 0);
	CHECK(genclave_destroy(&enclave) == 0);
	gpuppet_stop_spin(&control);
	gpuppet_post(&control, GPUPPET_EXIT, 0);
	gpuppet_join(&control);
	test_pass("enter_running");
}
