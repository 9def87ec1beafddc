// SPDX-License-Identifier: GPL-2.0
/*
 * Proves: the kernel refuses decisions taken on stale news and takes
 * fresh ones. The main thread is the agent of CPU 1, with a queue that
 * wakes it, and drives one puppet thread P:
 *  - a commit of P naming its barrier from before its last message ends
 *    TARGET_STALE and P does not run (no progress, no runtime, not on
 *    CPU); GHOST_IOC_ASSOC_QUEUE with that barrier fails with ESTALE;
 *  - with the current barrier, ASSOC_QUEUE succeeds and a remote commit
 *    completes and P runs, though that commit names a wrong agent
 *    barrier: remote commits do not check it;
 *  - a local commit (on CPU 1) naming an old agent barrier ends
 *    AGENT_STALE and P does not run; with the current one it completes,
 *    P runs on CPU 1 while the agent is parked, and the ioctl returns once
 *    P's TASK_BLOCKED woke the agent;
 *  - GHOST_IOC_AGENT_PARK with an old agent barrier fails with ESTALE at
 *    once; with the current one it sleeps until P's TASK_WAKEUP arrives in
 *    the agent's queue, then returns 0.
 */
#include "gagent.h"
#include "gstep.h"
#include "gworkers.h"
#include "test.h"

#define AGENT_CPU	1
#define REMOTE_CPU	2
#define TIMEOUT		GSTEP_TIMEOUT_MS

static struct genclave enclave;
static struct gstep step;
static struct gpuppet puppet;
static struct gwaker waker;
static uint64_t gtid;

static void expect(int type, struct ghost_msg *out)
{
	CHECK(gstep_expect(&step, type, gtid, GANY_CPU, TIMEOUT, out));
}

/* Gives P time to run, were it latched, and checks that it did not. */
static void check_does_not_run(void)
{
	const struct ghost_status_word *w = gsw_task(&enclave, gtid);
	uint64_t spins = gpuppet_spins(&puppet);
	uint64_t runtime = gsw_runtime(w);

	gsleep_ms(50);
	CHECK(gpuppet_spins(&puppet) == spins);
	CHECK(gsw_runtime(w) == runtime);
	CHECK(!(gsw_flags(w) & (GHOST_SW_TASK_ONCPU | GHOST_SW_TASK_LATCHED)));
}

static void stale_task_barrier(void)
{
	struct ghost_msg task_new, wakeup;
	int state;

	gtid = gstep_add(&step, puppet.tid, &task_new);
	CHECK(gtid);
	gpuppet_post(&puppet, GPUPPET_SPIN, 0);
	expect(GHOST_MSG_TASK_WAKEUP, &wakeup);
	CHECK(wakeup.seqnum != task_new.seqnum);

	gtxn_ready(gtxn(&enclave, REMOTE_CPU), gtid, task_new.seqnum, 0, 0);
	CHECK(gcommit_cpu(&enclave, REMOTE_CPU) == GHOST_TXN_TARGET_STALE);
	check_does_not_run();
	CHECK_ERR(genclave_assoc_queue(&enclave, gtid, step.queue.fd,
				       task_new.seqnum), ESTALE);

	CHECK(genclave_assoc_queue(&enclave, gtid, step.queue.fd,
				   wakeup.seqnum) == 0);
	/* A kernel thread passing through REMOTE_CPU makes it unavailable. */
	do {
		gtxn_ready(gtxn(&enclave, REMOTE_CPU), gtid, wakeup.seqnum,
			   gcpu_barrier(&enclave, REMOTE_CPU) - 7, 0);
		state = gcommit_cpu(&enclave, REMOTE_CPU);
	} while (state == GHOST_TXN_CPU_UNAVAIL);
	CHECK(state == GHOST_TXN_COMPLETE);
	CHECK(gstep_wait_oncpu(&step, gtid, REMOTE_CPU, TIMEOUT));
	gpuppet_stop_spin(&puppet);
	CHECK(gstep_expect_running(&step, GHOST_MSG_TASK_BLOCKED, gtid,
				   REMOTE_CPU, TIMEOUT, NULL));
}

static bool puppet_runs_under_parked_agent(void *arg)
{
	const struct ghost_status_word *cpu = gsw_cpu(&enclave, AGENT_CPU);

	(void)arg;
	return gsw_gtid(cpu) == gtid &&
	       (gsw_flags(cpu) & GHOST_SW_CPU_AGENT_PARKED);
}

static void stop_puppet_spin(void *arg)
{
	(void)arg;
	gpuppet_stop_spin(&puppet);
}

/* A local commit parks us: the waker ends P's spin, whose BLOCKED wakes us. */
static void stale_agent_barrier_on_commit(void)
{
	uint64_t spins = gpuppet_spins(&puppet);
	uint32_t agent_barrier;

	gpuppet_post(&puppet, GPUPPET_SPIN, 0);
	expect(GHOST_MSG_TASK_WAKEUP, NULL);
	gstep_poll(&step);
	agent_barrier = gcpu_barrier(&enclave, AGENT_CPU);
	gtxn_ready(gtxn(&enclave, AGENT_CPU), gtid,
		   gstep_task_barrier(&step, gtid), agent_barrier - 1, 0);
	CHECK(gcommit_cpu(&enclave, AGENT_CPU) == GHOST_TXN_AGENT_STALE);
	check_does_not_run();

	gwaker_arm(&waker, puppet_runs_under_parked_agent, stop_puppet_spin,
		   NULL);
	CHECK(gstep_run_task(&step, AGENT_CPU, gtid, TIMEOUT) ==
	      GHOST_TXN_COMPLETE);
	CHECK(gstep_expect_running(&step, GHOST_MSG_TASK_BLOCKED, gtid,
				   AGENT_CPU, TIMEOUT, NULL));
	CHECK(gwaker_acted(&waker));
	CHECK(gpuppet_spins(&puppet) > spins);
}

static bool agent_parked(void *arg)
{
	(void)arg;
	return gcpu_flags(&enclave, AGENT_CPU) & GHOST_SW_CPU_AGENT_PARKED;
}

static void wake_puppet(void *arg)
{
	(void)arg;
	gpuppet_post(&puppet, GPUPPET_NOP, 0);
}

static void stale_agent_barrier_on_park(void)
{
	uint32_t agent_barrier;
	int ret;

	gstep_poll(&step);
	agent_barrier = gcpu_barrier(&enclave, AGENT_CPU);
	CHECK_ERR(gagent_park(&enclave, agent_barrier - 1), ESTALE);

	/*
	 * Park until the waker, seeing us parked, wakes P: its TASK_WAKEUP
	 * wakes us. A CPU message of a passing kernel thread may wake us
	 * first (0), or come between reading the barrier and parking
	 * (ESTALE): park again then.
	 */
	gwaker_arm(&waker, agent_parked, wake_puppet, NULL);
	do {
		gstep_poll(&step);
		ret = gagent_park(&enclave, gcpu_barrier(&enclave, AGENT_CPU));
		CHECK(ret == 0 || errno == ESTALE);
	} while (!gwaker_acted(&waker));
	expect(GHOST_MSG_TASK_WAKEUP, NULL);
	CHECK(gstep_run_task(&step, REMOTE_CPU, gtid, TIMEOUT) ==
	      GHOST_TXN_COMPLETE);
	CHECK(gstep_expect_running(&step, GHOST_MSG_TASK_BLOCKED, gtid,
				   REMOTE_CPU, TIMEOUT, NULL));
}

int main(void)
{
	cpu_set_t cpus;

	CHECK(gpin_self(0) == 0);
	gcpus_range(&cpus, GTEST_FIRST_CPU, GTEST_LAST_CPU);
	CHECK(gpuppet_spawn(&puppet, &cpus) == 0);
	CHECK(gwaker_spawn(&waker, 0) == 0);
	CHECK(genclave_create(&enclave, &cpus, 0, 10000) == 0);
	CHECK(genclave_destroy_on_failure(&enclave) == 0);
	CHECK(gstep_begin(&step, &enclave, AGENT_CPU, AGENT_CPU) == 0);

	stale_task_barrier();
	stale_agent_barrier_on_commit();
	stale_agent_barrier_on_park();
	CHECK(gstep_command(&step, &puppet, gtid, GPUPPET_EXIT, 0,
			    REMOTE_CPU));
	/* Kept on its CPU: a kernel thread passing through may preempt it. */
	CHECK(gstep_expect_running(&step, GHOST_MSG_TASK_DEAD, gtid, REMOTE_CPU,
				   TIMEOUT, NULL));

	CHECK(gstep_end(&step) == 0);
	gpuppet_join(&puppet);
	gwaker_stop(&waker);
	CHECK(genclave_destroy(&enclave) == 0);
	test_pass("stale_barriers");
}
