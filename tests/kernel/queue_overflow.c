// SPDX-License-Identifier: GPL-2.0
/*
 * Proves: a full queue is reported and corrupts nothing. An enclave of
 * CPU 1 has one 16-slot queue that nobody reads yet; a sleeping thread of
 * the enclave has its nice value changed 40 times, so 41 messages
 * (TASK_NEW and 40 TASK_PRIORITY_CHANGED) go to a ring of 16:
 *  - the first 16 are in the ring, in order, and the other 25 are counted
 *    in the header's overflow field and in the enclave's netlink
 *    counters, and one GHOST_EVENT_QUEUE_OVERFLOW is multicast;
 *  - the task's barrier counted all 41 events, so a commit naming the
 *    last barrier the ring shows fails TARGET_STALE;
 *  - once the ring is drained, GHOST_IOC_DISCOVER brings a TASK_NEW with
 *    the current barrier, and a commit naming it completes: the agent has
 *    caught up and the thread runs.
 * Local commits retry AGENT_STALE as agents do: CPU events may arrive.
 * A tail that claims more than was produced only makes messages drop.
 */
#include <sys/resource.h>

#include "gagent.h"
#include "gnl.h"
#include "gworkers.h"
#include "test.h"

#define CPU		1
#define SLOTS		16
#define CHANGES		40

/*
 * As an agent must: a local commit that finds the agent barrier moved (a
 * CPU event arrived, say a kernel thread briefly took the CPU) is retried
 * with the new barrier.
 */
static int commit_local(struct genclave *e, uint64_t gtid, uint32_t barrier)
{
	int state;

	do {
		gtxn_ready(gtxn(e, CPU), gtid, barrier, gcpu_barrier(e, CPU), 0);
		state = gcommit_cpu(e, CPU);
	} while (state == GHOST_TXN_AGENT_STALE);
	return state;
}

/* The next task message of @q; CPU events the agent may get are skipped. */
static bool pop_task_msg(struct gqueue *q, struct ghost_msg *msg)
{
	while (gqueue_pop(q, msg))
		if (gis_task_msg(msg->type))
			return true;
	return false;
}

int main(void)
{
	struct gnl_enclave stats;
	struct gnl_events *events;
	struct gnl_event event;
	struct ghost_msg msg, last = { 0 };
	struct gpuppet puppet;
	struct genclave e;
	struct gqueue q;
	uint64_t gtid;
	uint32_t n = 0, nr_tasks;
	cpu_set_t cpus;

	CHECK(gpin_self(0) == 0);
	events = gnl_events_open();
	CHECK(events);
	gcpus_one(&cpus, CPU);
	CHECK(gpuppet_spawn(&puppet, &cpus) == 0);
	CHECK(genclave_create(&e, &cpus, 0, 0) == 0);
	CHECK(genclave_destroy_on_failure(&e) == 0);
	/* It wakes CPU 1's agent, which the test becomes later. */
	CHECK(gqueue_create(&q, &e, SLOTS, CPU) == 0);

	CHECK(genclave_add_task(&e, puppet.tid) == 0);
	for (int i = 0; i < CHANGES; i++)
		CHECK(setpriority(PRIO_PROCESS, puppet.tid, (i + 1) % 2) == 0);

	CHECK(q.header->overflow == 1 + CHANGES - SLOTS);
	CHECK(gqueue_pending(&q) == SLOTS);
	while (gqueue_pop(&q, &msg)) {
		CHECK(msg.seqnum == ++n);
		CHECK(msg.type == (n == 1 ? GHOST_MSG_TASK_NEW :
				   GHOST_MSG_TASK_PRIORITY_CHANGED));
		last = msg;
	}
	gtid = last.gtid;
	CHECK(gsw_barrier(gsw_task(&e, gtid)) == 1 + CHANGES);
	CHECK(gnl_events_wait(events, GHOST_EVENT_QUEUE_OVERFLOW, e.id, 10000,
			      &event));
	CHECK(gnl_get_enclave(e.id, &stats) == 0);
	CHECK(stats.queue_overflows == 1 + CHANGES - SLOTS);

	CHECK(gagent_become(&e, CPU, q.fd) == 0);
	CHECK_EQ(commit_local(&e, gtid, last.seqnum), GHOST_TXN_TARGET_STALE);

	/* A bogus tail makes the ring look full: the next message drops. */
	__atomic_store_n(&q.header->tail, q.header->head - 2 * SLOTS,
			 __ATOMIC_RELEASE);
	CHECK(setpriority(PRIO_PROCESS, puppet.tid, 5) == 0);
	CHECK(q.header->overflow >= 2 + CHANGES - SLOTS);
	__atomic_store_n(&q.header->tail, q.header->head, __ATOMIC_RELEASE);

	CHECK(genclave_discover(&e, &nr_tasks) == 0);
	CHECK(nr_tasks == 1);
	CHECK(pop_task_msg(&q, &msg));
	CHECK(msg.type == GHOST_MSG_TASK_NEW && msg.gtid == gtid);
	CHECK_EQ(msg.seqnum, 3 + CHANGES);
	gpuppet_post(&puppet, GPUPPET_EXIT, 0);
	do {
		while (!pop_task_msg(&q, &msg))
			;
	} while (msg.type != GHOST_MSG_TASK_WAKEUP);
	CHECK_EQ(commit_local(&e, gtid, msg.seqnum), GHOST_TXN_COMPLETE);
	gpuppet_join(&puppet);
	CHECK(gagent_release(&e) == 0);
	CHECK(genclave_destroy(&e) == 0);
	gnl_events_close(events);
	test_pass("queue_overflow");
}
