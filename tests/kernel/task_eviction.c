// SPDX-License-Identifier: GPL-2.0
/*
 * Proves: one task cannot take down its enclave; it is evicted alone, back
 * to the policy and nice value it came with. Enclave {1,2,3}, watchdog
 * 1 s; the test is the agent of CPU 1.
 *  - ADD_TASK of a thread whose affinity is {0} fails with EXDEV.
 *  - Puppet A (SCHED_OTHER, nice 3) sets its affinity to {0}: it gets
 *    TASK_DEPARTED with reason GHOST_DEPART_AFFINITY, is SCHED_OTHER at
 *    nice 3 and runs under CFS; the enclave counts one eviction
 *    (GHOST_A_TASKS_EVICTED) and multicast TASK_EVICTED with its pid and
 *    reason. Puppet I, SCHED_IDLE before it entered, evicted the same way,
 *    is SCHED_IDLE again.
 *  - Puppet S, allowed only on CPU 3, is runnable while a CFS spinner
 *    holds CPU 3: every commit ends CPU_UNAVAIL. After the watchdog's
 *    timeout S alone departs (GHOST_DEPART_STARVED) and then runs under
 *    CFS beside the spinner; the enclave lives on.
 *  - GHOST_IOC_REMOVE_TASK returns puppet B (SCHED_BATCH, nice 5), which
 *    ran in the enclave first, to SCHED_BATCH at nice 5, with
 *    TASK_DEPARTED reason GHOST_DEPART_REMOVED and nr_removed 1; removing
 *    it again, or a thread never added, fails with ENOENT.
 */
#include <sched.h>
#include <sys/resource.h>

#include "gagent.h"
#include "gnl.h"
#include "gstep.h"
#include "gworkers.h"
#include "test.h"

#define AGENT_CPU	1
#define KEEP_CPU	2
#define STARVE_CPU	3
#define WATCHDOG_MS	1000
#define TIMEOUT		GSTEP_TIMEOUT_MS

static struct genclave enclave;
static struct gstep step;

static uint32_t expect_departure(uint64_t gtid, int timeout_ms)
{
	struct ghost_msg msg;

	CHECK(gstep_expect(&step, GHOST_MSG_TASK_DEPARTED, gtid, GANY_CPU,
			   timeout_ms, &msg));
	return msg.task_departed.reason;
}

static uint64_t spawn_and_add(struct gpuppet *p, const cpu_set_t *cpus,
			      int policy, int nice)
{
	struct sched_param param = { 0 };
	uint64_t gtid;

	CHECK(gpuppet_spawn(p, cpus) == 0);
	CHECK(sched_setscheduler(p->tid, policy, &param) == 0);
	CHECK(setpriority(PRIO_PROCESS, p->tid, nice) == 0);
	gtid = gstep_add(&step, p->tid, NULL);
	CHECK(gtid);
	return gtid;
}

static void check_back_in(const struct gpuppet *p, int policy, int nice)
{
	errno = 0;
	CHECK_EQ(sched_getscheduler(p->tid), policy);
	CHECK_EQ(getpriority(PRIO_PROCESS, p->tid), nice);
}

/* A puppet back under CFS: it runs a spin and exits without an agent. */
static void finish_under_cfs(struct gpuppet *p)
{
	gpuppet_post(p, GPUPPET_SPIN, 1000);
	gpuppet_post(p, GPUPPET_EXIT, 0);
	gpuppet_join(p);
}

static void refuses_affinity_outside(void)
{
	struct gpuppet outside;
	cpu_set_t cpu0;

	gcpus_one(&cpu0, 0);
	CHECK(gpuppet_spawn(&outside, &cpu0) == 0);
	CHECK_ERR(genclave_add_task(&enclave, outside.tid), EXDEV);
	gpuppet_post(&outside, GPUPPET_EXIT, 0);
	gpuppet_join(&outside);
}

static void affinity_eviction(const cpu_set_t *cpus, struct gnl_events *events)
{
	struct gpuppet a, idle;
	uint64_t a_gtid, idle_gtid;
	struct gnl_enclave stats;
	struct gnl_event event;
	cpu_set_t cpu0;

	gcpus_one(&cpu0, 0);
	a_gtid = spawn_and_add(&a, cpus, SCHED_OTHER, 3);
	CHECK(sched_setaffinity(a.tid, sizeof(cpu0), &cpu0) == 0);
	CHECK_EQ(expect_departure(a_gtid, TIMEOUT), GHOST_DEPART_AFFINITY);
	check_back_in(&a, SCHED_OTHER, 3);
	CHECK(gnl_events_wait(events, GHOST_EVENT_TASK_EVICTED, enclave.id,
			      TIMEOUT, &event));
	CHECK_EQ(event.pid, a.tid);
	CHECK_EQ(event.reason, GHOST_DEPART_AFFINITY);
	CHECK(gnl_get_enclave(enclave.id, &stats) == 0);
	CHECK_EQ(stats.tasks_evicted, 1);
	finish_under_cfs(&a);

	idle_gtid = spawn_and_add(&idle, cpus, SCHED_IDLE, 0);
	CHECK(sched_setaffinity(idle.tid, sizeof(cpu0), &cpu0) == 0);
	CHECK_EQ(expect_departure(idle_gtid, TIMEOUT), GHOST_DEPART_AFFINITY);
	check_back_in(&idle, SCHED_IDLE, 0);
	finish_under_cfs(&idle);
}

struct starving {
	uint64_t gtid;
	bool departed;
	struct ghost_msg msg;
	unsigned int unavailable;
};

/* Keep trying S on CPU 3 (where the spinner wins) until it departs. */
static bool starve(void *arg)
{
	struct starving *s = arg;

	if (gstep_expect(&step, GHOST_MSG_TASK_DEPARTED, s->gtid, GANY_CPU, 0,
			 &s->msg))
		return true;
	if (gstep_run(&step, STARVE_CPU, s->gtid, 0) == GHOST_TXN_CPU_UNAVAIL)
		s->unavailable++;
	return false;
}

static void starved_eviction(void)
{
	struct gpuppet starved, spinner;
	struct starving s = { 0 };
	struct ghost_enclave_info info;
	cpu_set_t cpu3;
	uint64_t spins;

	gcpus_one(&cpu3, STARVE_CPU);
	CHECK(gpuppet_spawn(&spinner, &cpu3) == 0);
	s.gtid = spawn_and_add(&starved, &cpu3, SCHED_OTHER, 0);
	gpuppet_post(&spinner, GPUPPET_SPIN, 0);
	gpuppet_post(&starved, GPUPPET_SPIN, 0);
	CHECK(gstep_wait(&step, starve, &s, 5 * WATCHDOG_MS));
	CHECK_EQ(s.msg.task_departed.reason, GHOST_DEPART_STARVED);
	CHECK(s.unavailable > 0);
	check_back_in(&starved, SCHED_OTHER, 0);
	CHECK(genclave_query(&enclave, &info) == 0);
	CHECK_EQ(info.state, GHOST_ENCLAVE_LIVE);

	/* Under CFS it shares CPU 3 with the spinner. */
	spins = gpuppet_spins(&starved);
	gsleep_ms(200);
	CHECK(gpuppet_spins(&starved) > spins);
	gpuppet_stop_spin(&starved);
	gpuppet_stop_spin(&spinner);
	gpuppet_post(&starved, GPUPPET_EXIT, 0);
	gpuppet_post(&spinner, GPUPPET_EXIT, 0);
	gpuppet_join(&starved);
	gpuppet_join(&spinner);
}

static void removal(const cpu_set_t *cpus)
{
	struct gpuppet batch, stranger;
	uint32_t nr_removed = 0;
	uint64_t gtid;

	gtid = spawn_and_add(&batch, cpus, SCHED_BATCH, 5);
	CHECK(gstep_command(&step, &batch, gtid, GPUPPET_NOP, 0, KEEP_CPU));
	CHECK(gstep_expect_running(&step, GHOST_MSG_TASK_BLOCKED, gtid, KEEP_CPU,
				   TIMEOUT, NULL));
	CHECK(genclave_remove_task(&enclave, batch.tid, 0, &nr_removed) == 0);
	CHECK_EQ(nr_removed, 1);
	CHECK_EQ(expect_departure(gtid, TIMEOUT), GHOST_DEPART_REMOVED);
	check_back_in(&batch, SCHED_BATCH, 5);
	CHECK_ERR(genclave_remove_task(&enclave, batch.tid, 0, NULL), ENOENT);
	finish_under_cfs(&batch);

	CHECK(gpuppet_spawn(&stranger, cpus) == 0);
	CHECK_ERR(genclave_remove_task(&enclave, stranger.tid, 0, NULL), ENOENT);
	gpuppet_post(&stranger, GPUPPET_EXIT, 0);
	gpuppet_join(&stranger);
}

int main(void)
{
	struct gnl_events *events;
	cpu_set_t cpus;

	CHECK(gpin_self(0) == 0);
	gcpus_range(&cpus, GTEST_FIRST_CPU, GTEST_LAST_CPU);
	CHECK(genclave_create(&enclave, &cpus, 0, WATCHDOG_MS) == 0);
	CHECK(genclave_destroy_on_failure(&enclave) == 0);
	events = gnl_events_open();
	CHECK(events);
	CHECK(gstep_begin(&step, &enclave, AGENT_CPU, AGENT_CPU) == 0);

	refuses_affinity_outside();
	affinity_eviction(&cpus, events);
	starved_eviction();
	removal(&cpus);

	CHECK(gstep_end(&step) == 0);
	gnl_events_close(events);
	CHECK(genclave_destroy(&enclave) == 0);
	test_pass("task_eviction");
}
