// SPDX-License-Identifier: GPL-2.0
/*
 * Proves: a ghost task hears TASK_AFFINITY_CHANGED only when its affinity
 * changes, not when the kernel pins it for a moment. Task T installs a
 * seccomp filter (the kernel runs seccomp's BPF with migration disabled)
 * and makes getpid() calls in a loop, committed on CPU 2 by the test, the
 * agent of CPU 1, while a CFS thread on CPU 2 wakes every 200 us and
 * preempts it, often inside a filter. Until 200 preemptions (TASK_PREEMPT
 * by a higher class) have come, however long a loaded host takes (up to a
 * minute): not one TASK_AFFINITY_CHANGED. A real change of T's affinity
 * then produces exactly one.
 */
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "gagent.h"
#include "gstep.h"
#include "gworkers.h"
#include "test.h"

#define AGENT_CPU	1
#define RUN_CPU		2
#define TIMEOUT		GSTEP_TIMEOUT_MS
#define PREEMPTS	200
/* Rounds of 100 ms: an idle VM needs about 20. */
#define MAX_ROUNDS	600

static bool stop;
static pid_t task_tid;
static bool filtered;

static void *syscall_loop(void *arg)
{
	struct sock_filter allow = BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	struct sock_fprog prog = { .len = 1, .filter = &allow };

	(void)arg;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0 &&
	    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) == 0)
		__atomic_store_n(&filtered, true, __ATOMIC_RELEASE);
	__atomic_store_n(&task_tid, gettid(), __ATOMIC_RELEASE);
	while (!__atomic_load_n(&stop, __ATOMIC_ACQUIRE))
		syscall(SYS_getpid);
	return NULL;
}

static void *preemptor(void *arg)
{
	(void)arg;
	gpin_self(RUN_CPU);
	while (!__atomic_load_n(&stop, __ATOMIC_ACQUIRE))
		usleep(200);
	return NULL;
}

int main(void)
{
	struct genclave enclave;
	struct gstep step;
	pthread_t task, cfs;
	unsigned int preempts = 0, affinity = 0;
	cpu_set_t cpus;
	uint64_t gtid;

	CHECK(gpin_self(0) == 0);
	gcpus_range(&cpus, GTEST_FIRST_CPU, GTEST_LAST_CPU);
	CHECK(genclave_create(&enclave, &cpus, 0, 10000) == 0);
	CHECK(genclave_destroy_on_failure(&enclave) == 0);
	CHECK(gstep_begin(&step, &enclave, AGENT_CPU, AGENT_CPU) == 0);

	/* Created by the agent: a CFS thread pinned to CPU 1 until moved. */
	CHECK(pthread_create(&task, NULL, syscall_loop, NULL) == 0);
	while (!__atomic_load_n(&task_tid, __ATOMIC_ACQUIRE))
		gagent_park(&enclave, gcpu_barrier(&enclave, AGENT_CPU));
	CHECK(__atomic_load_n(&filtered, __ATOMIC_ACQUIRE));
	CHECK(sched_setaffinity(task_tid, sizeof(cpus), &cpus) == 0);
	gtid = gstep_add(&step, task_tid, NULL);
	CHECK(gtid);
	CHECK(pthread_create(&cfs, NULL, preemptor, NULL) == 0);

	/*
	 * No TASK_DEAD comes: this keeps T committed on CPU 2, 100 ms at a
	 * time, counting what came meanwhile and making room in the log.
	 */
	for (int round = 0; round < MAX_ROUNDS && preempts < PREEMPTS; round++) {
		CHECK(!gstep_expect_running(&step, GHOST_MSG_TASK_DEAD, gtid,
					    RUN_CPU, 100, NULL));
		CHECK_EQ(step.nr_unlogged, 0);
		for (unsigned int i = 0; i < step.nr_logged; i++) {
			const struct ghost_msg *m = &step.log[i].msg;

			if (m->gtid == gtid && m->type == GHOST_MSG_TASK_PREEMPT &&
			    (m->flags & GHOST_MSG_F_BY_HIGHER_CLASS))
				preempts++;
		}
		affinity += gstep_count(&step, GHOST_MSG_TASK_AFFINITY_CHANGED,
					gtid);
		gstep_clear_log(&step);
	}
	printf("%u preemptions, %u affinity messages\n", preempts, affinity);
	CHECK(preempts >= PREEMPTS);
	CHECK_EQ(affinity, 0);

	gcpus_range(&cpus, RUN_CPU, GTEST_LAST_CPU);
	CHECK(sched_setaffinity(task_tid, sizeof(cpus), &cpus) == 0);
	CHECK(gstep_expect(&step, GHOST_MSG_TASK_AFFINITY_CHANGED, gtid,
			   GANY_CPU, TIMEOUT, NULL));
	CHECK_EQ(gstep_count(&step, GHOST_MSG_TASK_AFFINITY_CHANGED, gtid), 1);

	__atomic_store_n(&stop, true, __ATOMIC_RELEASE);
	CHECK(gstep_expect_running(&step, GHOST_MSG_TASK_DEAD, gtid, RUN_CPU,
				   TIMEOUT, NULL));
	pthread_join(task, NULL);
	pthread_join(cfs, NULL);
	CHECK(gstep_end(&step) == 0);
	CHECK(genclave_destroy(&enclave) == 0);
	test_pass("affinity_quiet");
}
