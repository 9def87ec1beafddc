// SPDX-License-Identifier: GPL-2.0
/*
 * Proves: a global agent learns that a higher class wants its CPU and can
 * hand the CPU over by moving; an agent that does not is stopped by the
 * watchdog. The main thread is the agent of CPU 1 on a polled default
 * queue of an enclave of CPUs {1,2,3} and busy-polls it; a SCHED_OTHER
 * puppet pinned to CPU 1 starts spinning:
 *  - CPU 1 reports CPU_BUSY, its word shows GHOST_SW_CPU_BOOST without
 *    GHOST_SW_CPU_AVAIL, and the puppet makes no progress for a while
 *    (10 ms, within the agent's budget): the agent class is above CFS;
 *  - GHOST_IOC_AGENT_MOVE fails EINVAL for a CPU outside the enclave and
 *    does nothing for its own CPU; to CPU 2 it succeeds: the agent runs there,
 *    CPU 2's word shows the agent, CPU 1's shows neither agent nor BOOST,
 *    and the puppet runs;
 *  - when the puppet sleeps, the moved agent gets CPU 1's CPU_AVAILABLE on
 *    its queue.
 * Then the agent moves back to CPU 1, the enclave's watchdog is set to
 * 200 ms, and the puppet spins again while the agent keeps polling: the
 * agent is throttled again and again, and once that lasted the watchdog's
 * timeout the enclave is destroyed (reason WATCHDOG), the agent is back in
 * SCHED_OTHER with its old affinity, which it can change again, and the
 * puppet runs.
 */
#include <sched.h>

#include "gagent.h"
#include "gnl.h"
#include "gworkers.h"
#include "test.h"

#define WANTED_CPU	1
#define SPARE_CPU	2
#define OUTSIDE_CPU	0
#define WATCHDOG_MS	200
#define TIMEOUT_NS	(10 * 1000000000ULL)

static struct genclave enclave;
static struct gqueue queue;

/* Busy-poll the queue as a global agent does, until @type about @cpu. */
static bool poll_for(int type, int cpu)
{
	uint64_t end = gnow_ns() + TIMEOUT_NS;
	struct ghost_msg msg;

	while (gnow_ns() < end)
		if (gqueue_pop(&queue, &msg) && msg.type == type &&
		    msg.cpu == cpu)
			return true;
	return false;
}

/* Busy-wait (never block: the agent must keep its CPU) for @flags. */
static bool spin_for_flags(int cpu, uint32_t set, uint32_t clear)
{
	uint64_t end = gnow_ns() + TIMEOUT_NS;

	while (gnow_ns() < end) {
		uint32_t flags = gcpu_flags(&enclave, cpu);

		if ((flags & set) == set && !(flags & clear))
			return true;
	}
	return false;
}

static bool spin_until_idle(const struct gpuppet *p)
{
	uint64_t end = gnow_ns() + TIMEOUT_NS;

	while (gnow_ns() < end)
		if (gpuppet_idle(p))
			return true;
	return false;
}

static bool spins_grow(const struct gpuppet *p)
{
	uint64_t end = gnow_ns() + TIMEOUT_NS;
	uint64_t before = gpuppet_spins(p);

	while (gnow_ns() < end)
		if (gpuppet_spins(p) > before)
			return true;
	return false;
}

/*
 * Back in CFS with the affinity we had before (CPU 0), and free to set it:
 * the evicting thread restores both, the second once we are in user space.
 */
static bool spin_until_evicted(void)
{
	uint64_t end = gnow_ns() + TIMEOUT_NS;
	cpu_set_t cpus;

	while (gnow_ns() < end)
		if (sched_getscheduler(0) == SCHED_OTHER &&
		    sched_getaffinity(0, sizeof(cpus), &cpus) == 0 &&
		    CPU_COUNT(&cpus) == 1 && CPU_ISSET(OUTSIDE_CPU, &cpus) &&
		    gpin_self(OUTSIDE_CPU) == 0)
			return true;
	return false;
}

static void agent_hands_the_cpu_over(struct gpuppet *puppet)
{
	gpuppet_post(puppet, GPUPPET_SPIN, 0);
	CHECK(poll_for(GHOST_MSG_CPU_BUSY, WANTED_CPU));
	CHECK(spin_for_flags(WANTED_CPU, GHOST_SW_CPU_BOOST,
			     GHOST_SW_CPU_AVAIL));
	gspin_us(10000);
	CHECK_EQ(gpuppet_spins(puppet), 0);

	CHECK_ERR(gagent_move(&enclave, OUTSIDE_CPU), EINVAL);
	CHECK(gagent_move(&enclave, WANTED_CPU) == 0);
	CHECK_EQ(sched_getcpu(), WANTED_CPU);
	CHECK_EQ(gpuppet_spins(puppet), 0);
	CHECK(gagent_move(&enclave, SPARE_CPU) == 0);
	CHECK_EQ(sched_getcpu(), SPARE_CPU);
	CHECK(gcpu_flags(&enclave, SPARE_CPU) & GHOST_SW_CPU_HAS_AGENT);
	CHECK(spin_for_flags(WANTED_CPU, 0,
			     GHOST_SW_CPU_HAS_AGENT | GHOST_SW_CPU_BOOST));
	CHECK(spins_grow(puppet));

	gpuppet_stop_spin(puppet);
	CHECK(spin_until_idle(puppet));
	CHECK(poll_for(GHOST_MSG_CPU_AVAILABLE, WANTED_CPU));
	CHECK(gcpu_flags(&enclave, WANTED_CPU) & GHOST_SW_CPU_AVAIL);
}

static void watchdog_stops_a_hogging_agent(struct gpuppet *puppet,
					   struct gnl_events *events)
{
	struct gnl_event event;

	CHECK(gagent_move(&enclave, WANTED_CPU) == 0);
	CHECK(genclave_configure(&enclave, WATCHDOG_MS, 0) == 0);
	gpuppet_post(puppet, GPUPPET_SPIN, 0);
	CHECK(spin_for_flags(WANTED_CPU, GHOST_SW_CPU_BOOST, 0));
	/* Ignore BOOST until the enclave is gone; then we are CFS again. */
	while (genclave_query(&enclave, &(struct ghost_enclave_info){ 0 }) == 0)
		;
	CHECK_EQ(errno, ENODEV);
	CHECK(spin_until_evicted());
	CHECK(gnl_events_wait(events, GHOST_EVENT_ENCLAVE_DESTROYED,
			      enclave.id, 10000, &event));
	CHECK_EQ(event.reason, GHOST_DESTROY_WATCHDOG);
	CHECK(spins_grow(puppet));
	gpuppet_stop_spin(puppet);
	gqueue_close(&queue);
	genclave_close(&enclave);
}

int main(void)
{
	struct gnl_events *events;
	struct gpuppet puppet;
	cpu_set_t cpus;

	CHECK(gpin_self(0) == 0);
	events = gnl_events_open();
	CHECK(events);
	gcpus_one(&cpus, WANTED_CPU);
	CHECK(gpuppet_spawn(&puppet, &cpus) == 0);
	gcpus_range(&cpus, GTEST_FIRST_CPU, GTEST_LAST_CPU);
	CHECK(genclave_create(&enclave, &cpus, 0, 10000) == 0);
	CHECK(genclave_destroy_on_failure(&enclave) == 0);
	CHECK(gqueue_create(&queue, &enclave, 64, -1) == 0);
	CHECK(gagent_become(&enclave, WANTED_CPU, queue.fd) == 0);
	/* Came to CPU 1 as CFS first: that made it busy for a moment. */
	CHECK(spin_for_flags(WANTED_CPU, GHOST_SW_CPU_AVAIL, 0));
	while (gqueue_pop(&queue, &(struct ghost_msg){ 0 }))
		;

	agent_hands_the_cpu_over(&puppet);
	watchdog_stops_a_hogging_agent(&puppet, events);

	gpuppet_post(&puppet, GPUPPET_EXIT, 0);
	gpuppet_join(&puppet);
	CHECK_EQ(gpuppet_policy(&puppet), SCHED_OTHER);
	gnl_events_close(events);
	test_pass("agent_boost_move");
}
