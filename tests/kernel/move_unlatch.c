// SPDX-License-Identifier: GPL-2.0
/*
 * Proves: an agent that moves onto a CPU where a task is latched does not
 * strand that task behind itself: the latch ends with TASK_PREEMPT and
 * GHOST_MSG_F_WAS_LATCHED from that CPU, so the agent can place the task
 * elsewhere. The test is a global agent on CPU 1 (polled queue) of the
 * enclave {1,2,3}. It latches runnable task T on CPU 2 just as it wakes a
 * CFS thread there, so that T stays latched behind the CFS thread
 * (retrying until CPU 2 handled both at once), then moves to CPU 2 itself
 * and keeps spinning there, as a global agent does: within 200 ms T is no
 * longer latched and its TASK_PREEMPT arrived. Moved back to CPU 1, the
 * agent commits T on CPU 3, where it runs.
 */
#include <pthread.h>
#include <sched.h>

#include "gagent.h"
#include "gstep.h"
#include "gworkers.h"
#include "test.h"

#define AGENT_CPU	1
#define CONTESTED_CPU	2
#define OTHER_CPU	3
#define ATTEMPTS	200
#define TIMEOUT		GSTEP_TIMEOUT_MS

static struct genclave enclave;
static struct gstep step;

/*
 * Latch T on CPU 2 and wake the CFS puppet there in the same breath: CPU 2
 * often handles both at once, and then runs the puppet, T waiting latched.
 */
static bool latch_behind_cfs(struct gpuppet *cfs, uint64_t t)
{
	uint32_t flags;
	int state;

	state = gstep_run(&step, CONTESTED_CPU, t, 0);
	gpuppet_post(cfs, GPUPPET_SPIN, 100000);
	while (!gpuppet_idle(cfs) &&
	       (gcpu_flags(&enclave, CONTESTED_CPU) & GHOST_SW_CPU_AVAIL))
		gstep_poll(&step);
	flags = gsw_flags(gsw_task(&enclave, t));
	if (state == GHOST_TXN_COMPLETE && (flags & GHOST_SW_TASK_LATCHED) &&
	    !gpuppet_idle(cfs))
		return true;
	/* Lost the race: T ran, or the commit found the CPU busy. */
	if (state == GHOST_TXN_COMPLETE)
		CHECK_EQ(gstep_run(&step, CONTESTED_CPU, GHOST_TARGET_NONE, 0),
			 GHOST_TXN_COMPLETE);
	while (!gpuppet_idle(cfs))
		gstep_poll(&step);
	CHECK(gstep_wait_off_cpu(&step, t, TIMEOUT));
	gstep_take_all(&step);
	return false;
}

static bool unlatched(uint64_t t, int timeout_ms, struct ghost_msg *preempt)
{
	uint64_t end = gnow_ns() + timeout_ms * 1000000ULL;

	while (gnow_ns() < end) {
		gstep_poll(&step);
		if (!(gsw_flags(gsw_task(&enclave, t)) & GHOST_SW_TASK_LATCHED) &&
		    gstep_expect(&step, GHOST_MSG_TASK_PREEMPT, t, CONTESTED_CPU,
				 0, preempt))
			return true;
	}
	return false;
}

int main(void)
{
	struct gpuppet task, cfs;
	struct ghost_msg preempt;
	int attempt = 0;
	cpu_set_t cpus;
	uint64_t t;

	CHECK(gpin_self(0) == 0);
	gcpus_one(&cpus, CONTESTED_CPU);
	CHECK(gpuppet_spawn(&cfs, &cpus) == 0);
	gcpus_range(&cpus, GTEST_FIRST_CPU, GTEST_LAST_CPU);
	CHECK(gpuppet_spawn(&task, &cpus) == 0);
	CHECK(genclave_create(&enclave, &cpus, 0, 10000) == 0);
	CHECK(genclave_destroy_on_failure(&enclave) == 0);
	CHECK(gstep_begin(&step, &enclave, AGENT_CPU, -1) == 0);
	t = gstep_add(&step, task.tid, NULL);
	CHECK(t);
	gpuppet_post(&task, GPUPPET_SPIN, 0);
	CHECK(gstep_expect(&step, GHOST_MSG_TASK_WAKEUP, t, GANY_CPU, TIMEOUT,
			   NULL));

	while (!latch_behind_cfs(&cfs, t))
		CHECK(++attempt < ATTEMPTS);
	printf("latched behind CFS after %d lost races\n", attempt);
	gstep_take_all(&step);
	CHECK(gagent_move(&enclave, CONTESTED_CPU) == 0);
	CHECK(unlatched(t, 200, &preempt));
	CHECK(preempt.flags & GHOST_MSG_F_WAS_LATCHED);

	CHECK(gagent_move(&enclave, AGENT_CPU) == 0);
	CHECK_EQ(gstep_run_task(&step, OTHER_CPU, t, TIMEOUT), GHOST_TXN_COMPLETE);
	CHECK(gstep_wait_oncpu(&step, t, OTHER_CPU, TIMEOUT));
	gpuppet_stop_spin(&task);
	CHECK(gstep_expect_running(&step, GHOST_MSG_TASK_BLOCKED, t, OTHER_CPU,
				   TIMEOUT, NULL));
	CHECK(gstep_command(&step, &task, t, GPUPPET_EXIT, 0, OTHER_CPU));
	/* Kept on its CPU: a kernel thread passing through may preempt it. */
	CHECK(gstep_expect_running(&step, GHOST_MSG_TASK_DEAD, t, OTHER_CPU,
				   TIMEOUT, NULL));
	gpuppet_join(&task);
	while (!gpuppet_idle(&cfs))
		gsleep_ms(1);
	gpuppet_post(&cfs, GPUPPET_EXIT, 0);
	gpuppet_join(&cfs);
	CHECK(gstep_end(&step) == 0);
	CHECK(genclave_destroy(&enclave) == 0);
	test_pass("move_unlatch");
}
