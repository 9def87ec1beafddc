// SPDX-License-Identifier: GPL-2.0
/*
 * Proves: commits report what really happened, and failed ones change
 * nothing. Enclave {1,2,3}; the test is the agent of CPU 1; a second agent
 * spins on CPU 2 without parking, so that a task committed there stays
 * latched; a CFS spinner holds CPU 3 when a test needs a busy CPU.
 *  - A plain group {2,3} naming task T1 in both slots: slot 2 ends
 *    COMPLETE and slot 3 TARGET_LATCHED, nr_committed is 1, T1 is latched
 *    once. A later commit of T1 on CPU 3 ends TARGET_LATCHED too (if the
 *    kernel throttled CPU 2's agent meanwhile, as it may when kworkers
 *    wait there, T1 ran instead: the test checks the throttle count, takes
 *    T1 off CPU 2 and tries again). Once TARGET_NONE on CPU 2 unlatches
 *    it (TASK_PREEMPT with GHOST_MSG_F_WAS_LATCHED from CPU 2) it commits
 *    on CPU 3 and runs.
 *  - A sync group {2,3} naming T2 in both slots: slot 3 ends
 *    TARGET_LATCHED, slot 2 POISONED, nr_committed 0, T2 latched nowhere
 *    and still on the run queue it was on.
 *  - Failures move nothing: T2, queued on CPU 1's run queue, committed on
 *    CPU 3 while the spinner holds it, ends CPU_UNAVAIL and is still on
 *    CPU 1's run queue; in a sync group {2: T1, 3: T2} the same failure
 *    POISONs slot 2 and neither task leaves its run queue.
 *  - A slot that is not READY when the kernel claims it makes the commit
 *    fail with EBUSY: committing a slot again after it reached its final
 *    state, alone or in a plain group with a READY slot (which commits).
 */
#include <pthread.h>
#include <sched.h>

#include "gagent.h"
#include "gnl.h"
#include "gstep.h"
#include "gworkers.h"
#include "test.h"

#define AGENT_CPU	1
#define HELD_CPU	2
#define BUSY_CPU	3
#define TIMEOUT		GSTEP_TIMEOUT_MS

static struct genclave enclave;
static struct gstep step;
static bool spinner_agent_stop;
static bool spinner_agent_ready;

/* The agent of CPU 2: it spins, so what is latched there waits. */
static void *spinning_agent(void *arg)
{
	(void)arg;
	if (gagent_become(&enclave, HELD_CPU, -1))
		return NULL;
	__atomic_store_n(&spinner_agent_ready, true, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&spinner_agent_stop, __ATOMIC_ACQUIRE))
		;
	gagent_release(&enclave);
	return NULL;
}

static int state_of(int cpu)
{
	return gtxn_state(gtxn(&enclave, cpu));
}

/* Fill slot @cpu for @gtid with the barriers we read, READY. */
static void fill(int cpu, uint64_t gtid)
{
	gtxn_ready(gtxn(&enclave, cpu), gtid, gstep_task_barrier(&step, gtid),
		   cpu == AGENT_CPU ? gcpu_barrier(&enclave, AGENT_CPU) : 0, 0);
}

static uint32_t commit(const cpu_set_t *cpus, uint32_t flags)
{
	uint32_t nr = ~0U;

	CHECK(gcommit(&enclave, cpus, flags, &nr) == 0);
	return nr;
}

/*
 * The agent of CPU 2 spins without ever parking, so per-CPU kernel threads
 * there wait for its throttle, and meanwhile make CPU 2 unavailable: fill
 * and commit again while CPU 2's slot says so.
 */
static uint32_t commit_group(const cpu_set_t *cpus, uint32_t flags,
			     uint64_t held_target, uint64_t busy_target)
{
	uint32_t nr;

	do {
		fill(HELD_CPU, held_target);
		fill(BUSY_CPU, busy_target);
		nr = commit(cpus, flags);
	} while (state_of(HELD_CPU) == GHOST_TXN_CPU_UNAVAIL);
	return nr;
}


static void pair(cpu_set_t *cpus)
{
	CPU_ZERO(cpus);
	CPU_SET(HELD_CPU, cpus);
	CPU_SET(BUSY_CPU, cpus);
}

static uint64_t runnable_puppet(struct gpuppet *p, int home_cpu)
{
	cpu_set_t cpus;
	uint64_t gtid;

	gcpus_one(&cpus, home_cpu);
	CHECK(gpuppet_spawn(p, &cpus) == 0);
	gtid = gstep_add(&step, p->tid, NULL);
	CHECK(gtid);
	gpuppet_post(p, GPUPPET_SPIN, 0);
	CHECK(gstep_expect(&step, GHOST_MSG_TASK_WAKEUP, gtid, GANY_CPU,
			   TIMEOUT, NULL));
	/* Queued on its home CPU's run queue; it may go anywhere now. */
	gcpus_range(&cpus, GTEST_FIRST_CPU, GTEST_LAST_CPU);
	CHECK(sched_setaffinity(p->tid, sizeof(cpus), &cpus) == 0);
	CHECK(gstep_expect(&step, GHOST_MSG_TASK_AFFINITY_CHANGED, gtid,
			   GANY_CPU, TIMEOUT, NULL));
	return gtid;
}

static uint32_t task_flags(uint64_t gtid)
{
	return gsw_flags(gsw_task(&enclave, gtid));
}

static uint64_t agent_throttles(void)
{
	struct gnl_enclave stats;

	CHECK(gnl_get_enclave(enclave.id, &stats) == 0);
	return stats.agent_throttles;
}

/*
 * T1 committed on CPU 2 by a group naming it twice, then on CPU 3 while
 * latched on CPU 2. Whether the kernel throttled the spinning agent of
 * CPU 2 meanwhile (kworkers waited there), so that T1 ran: then T1 is
 * taken off CPU 2 again and the caller tries once more.
 */
static bool latched_twice(const cpu_set_t *cpus, uint64_t t1)
{
	uint64_t throttles = agent_throttles();
	bool latched;
	int state;

	/* A throttle already under way would not be counted below. */
	while (gsw_flags(gsw_cpu(&enclave, HELD_CPU)) & GHOST_SW_CPU_THROTTLED)
		sched_yield();
	CHECK_EQ(commit_group(cpus, 0, t1, t1), 1);
	CHECK_EQ(state_of(HELD_CPU), GHOST_TXN_COMPLETE);
	CHECK_EQ(state_of(BUSY_CPU), GHOST_TXN_TARGET_LATCHED);
	latched = task_flags(t1) & GHOST_SW_TASK_LATCHED;
	state = gstep_run(&step, BUSY_CPU, t1, 0);
	if (latched && state == GHOST_TXN_TARGET_LATCHED)
		return true;
	CHECK(agent_throttles() != throttles);
	CHECK_EQ(gstep_run(&step, HELD_CPU, GHOST_TARGET_NONE, 0),
		 GHOST_TXN_COMPLETE);
	CHECK(gstep_expect(&step, GHOST_MSG_TASK_PREEMPT, t1, HELD_CPU, TIMEOUT,
			   NULL));
	return false;
}

static void duplicates(uint64_t t1, uint64_t t2, pid_t t2_tid)
{
	struct ghost_msg msg;
	cpu_set_t cpus;
	int tries = 0;

	pair(&cpus);
	while (!latched_twice(&cpus, t1))
		CHECK(++tries < 10);

	CHECK_EQ(gstep_run(&step, HELD_CPU, GHOST_TARGET_NONE, 0),
		 GHOST_TXN_COMPLETE);
	CHECK(gstep_expect(&step, GHOST_MSG_TASK_PREEMPT, t1, HELD_CPU, TIMEOUT,
			   &msg));
	CHECK(msg.flags & GHOST_MSG_F_WAS_LATCHED);
	CHECK(!(task_flags(t1) & GHOST_SW_TASK_LATCHED));
	CHECK_EQ(gstep_run_task(&step, BUSY_CPU, t1, TIMEOUT),
		 GHOST_TXN_COMPLETE);
	CHECK(gstep_wait_oncpu(&step, t1, BUSY_CPU, TIMEOUT));

	CHECK_EQ(commit_group(&cpus, GHOST_COMMIT_F_SYNC_GROUP, t2, t2), 0);
	CHECK_EQ(state_of(HELD_CPU), GHOST_TXN_POISONED);
	CHECK_EQ(state_of(BUSY_CPU), GHOST_TXN_TARGET_LATCHED);
	CHECK(!(task_flags(t2) & GHOST_SW_TASK_LATCHED));
	CHECK_EQ(gthread_cpu(t2_tid), AGENT_CPU);
}

/* With a CFS spinner on CPU 3, a commit there fails and moves nothing. */
static void failures_move_nothing(uint64_t t1, pid_t t1_tid, uint64_t t2,
				  pid_t t2_tid)
{
	struct gpuppet hog;
	cpu_set_t cpus;
	int t1_cpu;

	/* T1 is off CPU 3 first: commit it on CPU 2, then take it back. */
	CHECK_EQ(gstep_run_task(&step, HELD_CPU, t1, TIMEOUT), GHOST_TXN_COMPLETE);
	CHECK_EQ(gstep_run(&step, HELD_CPU, GHOST_TARGET_NONE, 0),
		 GHOST_TXN_COMPLETE);
	CHECK(gstep_wait_off_cpu(&step, t1, TIMEOUT));
	t1_cpu = gthread_cpu(t1_tid);
	CHECK_EQ(t1_cpu, HELD_CPU);

	gcpus_one(&cpus, BUSY_CPU);
	CHECK(gpuppet_spawn(&hog, &cpus) == 0);
	gpuppet_post(&hog, GPUPPET_SPIN, 0);
	while (gcpu_flags(&enclave, BUSY_CPU) & GHOST_SW_CPU_AVAIL)
		gstep_poll(&step);

	CHECK_EQ(gthread_cpu(t2_tid), AGENT_CPU);
	CHECK_EQ(gstep_run(&step, BUSY_CPU, t2, 0), GHOST_TXN_CPU_UNAVAIL);
	CHECK_EQ(gthread_cpu(t2_tid), AGENT_CPU);

	pair(&cpus);
	CHECK_EQ(commit_group(&cpus, GHOST_COMMIT_F_SYNC_GROUP, t1, t2), 0);
	CHECK_EQ(state_of(HELD_CPU), GHOST_TXN_POISONED);
	CHECK_EQ(state_of(BUSY_CPU), GHOST_TXN_CPU_UNAVAIL);
	CHECK_EQ(gthread_cpu(t1_tid), t1_cpu);
	CHECK_EQ(gthread_cpu(t2_tid), AGENT_CPU);
	CHECK(!(task_flags(t1) & GHOST_SW_TASK_LATCHED));

	gpuppet_stop_spin(&hog);
	gpuppet_post(&hog, GPUPPET_EXIT, 0);
	gpuppet_join(&hog);
}

static void not_ready_is_busy(uint64_t t2)
{
	uint32_t nr = ~0U;
	cpu_set_t cpus;

	CHECK_EQ(gstep_run(&step, HELD_CPU, GHOST_TARGET_NONE, 0),
		 GHOST_TXN_COMPLETE);
	gcpus_one(&cpus, HELD_CPU);
	CHECK_ERR(gcommit(&enclave, &cpus, 0, &nr), EBUSY);
	CHECK_EQ(nr, 0);
	CHECK_EQ(state_of(HELD_CPU), GHOST_TXN_COMPLETE);

	/* The hog's exit, or a kernel thread, may hold CPU 3 a moment longer. */
	pair(&cpus);
	do {
		fill(BUSY_CPU, t2);
		CHECK_ERR(gcommit(&enclave, &cpus, 0, &nr), EBUSY);
	} while (state_of(BUSY_CPU) == GHOST_TXN_CPU_UNAVAIL);
	CHECK_EQ(nr, 1);
	CHECK_EQ(state_of(BUSY_CPU), GHOST_TXN_COMPLETE);
}

static void finish(struct gpuppet *p, uint64_t gtid)
{
	gpuppet_stop_spin(p);
	CHECK(gstep_expect_running(&step, GHOST_MSG_TASK_BLOCKED, gtid, BUSY_CPU,
				   TIMEOUT, NULL));
	CHECK(gstep_command(&step, p, gtid, GPUPPET_EXIT, 0, BUSY_CPU));
	/* Kept on its CPU: a kernel thread passing through may preempt it. */
	CHECK(gstep_expect_running(&step, GHOST_MSG_TASK_DEAD, gtid, BUSY_CPU,
				   TIMEOUT, NULL));
	gpuppet_join(p);
}

int main(void)
{
	struct gpuppet p1, p2;
	uint64_t t1, t2;
	pthread_t agent;
	cpu_set_t cpus;

	CHECK(gpin_self(0) == 0);
	gcpus_range(&cpus, GTEST_FIRST_CPU, GTEST_LAST_CPU);
	CHECK(genclave_create(&enclave, &cpus, 0, 10000) == 0);
	CHECK(genclave_destroy_on_failure(&enclave) == 0);
	CHECK(gstep_begin(&step, &enclave, AGENT_CPU, AGENT_CPU) == 0);
	CHECK(pthread_create(&agent, NULL, spinning_agent, NULL) == 0);
	while (!__atomic_load_n(&spinner_agent_ready, __ATOMIC_ACQUIRE))
		gstep_poll(&step);

	t1 = runnable_puppet(&p1, AGENT_CPU);
	t2 = runnable_puppet(&p2, AGENT_CPU);
	duplicates(t1, t2, p2.tid);
	CHECK_EQ(gstep_run(&step, BUSY_CPU, GHOST_TARGET_NONE, 0),
		 GHOST_TXN_COMPLETE);
	CHECK(gstep_wait_off_cpu(&step, t1, TIMEOUT));
	failures_move_nothing(t1, p1.tid, t2, p2.tid);
	not_ready_is_busy(t2);

	__atomic_store_n(&spinner_agent_stop, true, __ATOMIC_RELEASE);
	pthread_join(agent, NULL);
	finish(&p2, t2);
	CHECK_EQ(gstep_run_task(&step, BUSY_CPU, t1, TIMEOUT), GHOST_TXN_COMPLETE);
	finish(&p1, t1);
	CHECK(gstep_end(&step) == 0);
	CHECK(genclave_destroy(&enclave) == 0);
	test_pass("commit_truth");
}
