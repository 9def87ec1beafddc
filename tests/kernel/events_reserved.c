// SPDX-License-Identifier: GPL-2.0
/*
 * Proves: the netlink events that arise in the scheduler need no memory
 * allocation there (where one could wake kswapd under an rq lock), so
 * none is lost when atomic allocations fail. With failslab failing every
 * allocation of this thread that cannot sleep (ignore-gfp-wait), the test
 * becomes the agent of CPU 1 and releases it 20 times, and overflows a
 * 16-slot queue: the events group still delivers AGENT_ATTACHED and
 * AGENT_DETACHED naming this thread and CPU 1 (later ones may be folded
 * into earlier ones not yet sent) and a QUEUE_OVERFLOW. (A kernel that
 * allocated them with GFP_ATOMIC there loses every one.)
 */
#include <sys/mount.h>
#include <sys/resource.h>
#include <unistd.h>

#include "gagent.h"
#include "gnl.h"
#include "gworkers.h"
#include "test.h"

#define FAILSLAB	"/sys/kernel/debug/failslab"
#define ROUNDS		20

static void fail_atomic_allocations(bool on)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/task/%d/make-it-fail", gettid());
	CHECK(gwrite_file(path, on ? "1" : "0"));
}

/* Fill a 16-slot queue and one more: the kernel drops a message. */
static void overflow_queue(struct genclave *e, struct gqueue *q)
{
	struct gpuppet p;
	cpu_set_t cpus;

	gcpus_one(&cpus, GTEST_FIRST_CPU);
	CHECK(gpuppet_spawn(&p, &cpus) == 0);
	CHECK(genclave_add_task(e, p.tid) == 0);
	for (int i = 0; i < 20; i++)
		CHECK(setpriority(PRIO_PROCESS, p.tid, i % 2) == 0);
	CHECK(gqueue_pending(q) == q->nr_slots);
	CHECK(sched_setscheduler(p.tid, SCHED_OTHER, &(struct sched_param){ 0 }) == 0);
	gpuppet_post(&p, GPUPPET_EXIT, 0);
	gpuppet_join(&p);
}

int main(void)
{
	struct gnl_events *events;
	struct gnl_event event;
	struct genclave e;
	struct gqueue q;
	cpu_set_t cpus;

	CHECK(gpin_self(0) == 0);
	events = gnl_events_open();
	CHECK(events);
	gcpus_range(&cpus, GTEST_FIRST_CPU, GTEST_LAST_CPU);
	CHECK(genclave_create(&e, &cpus, 0, 0) == 0);
	CHECK(genclave_destroy_on_failure(&e) == 0);
	CHECK(gqueue_create(&q, &e, 16, -1) == 0);

	if (access(FAILSLAB, F_OK) != 0)
		CHECK(mount("none", "/sys/kernel/debug", "debugfs", 0, NULL) == 0);
	CHECK(gwrite_file(FAILSLAB "/task-filter", "Y"));
	CHECK(gwrite_file(FAILSLAB "/ignore-gfp-wait", "Y"));
	CHECK(gwrite_file(FAILSLAB "/probability", "100"));
	CHECK(gwrite_file(FAILSLAB "/interval", "1"));
	CHECK(gwrite_file(FAILSLAB "/times", "-1"));
	CHECK(gwrite_file(FAILSLAB "/verbose", "0"));

	fail_atomic_allocations(true);
	for (int i = 0; i < ROUNDS; i++) {
		CHECK(gagent_become(&e, GTEST_FIRST_CPU, q.fd) == 0);
		CHECK(gagent_release(&e) == 0);
		CHECK(gpin_self(0) == 0);
	}
	overflow_queue(&e, &q);
	fail_atomic_allocations(false);

	CHECK(gnl_events_wait(events, GHOST_EVENT_AGENT_ATTACHED, e.id, 5000,
			      &event));
	CHECK_EQ(event.pid, gettid());
	CHECK_EQ(event.cpu, GTEST_FIRST_CPU);
	CHECK(gnl_events_wait(events, GHOST_EVENT_AGENT_DETACHED, e.id, 5000,
			      &event));
	CHECK_EQ(event.pid, gettid());
	CHECK(gnl_events_wait(events, GHOST_EVENT_QUEUE_OVERFLOW, e.id, 5000,
			      &event));

	gqueue_close(&q);
	CHECK(genclave_destroy(&e) == 0);
	gnl_events_close(events);
	test_pass("events_reserved");
}
