/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A FIFO scheduler for tests: agent threads in the calling process that
 * schedule every task of an enclave, in one of two shapes.
 *
 * GSCHED_PER_CPU: one agent per CPU of @agent_cpus, each with its own
 * queue waking it, parking whenever it has nothing to run and committing
 * its own CPU. The agent of the lowest CPU (the leader) owns the default
 * queue: it hands each new task to a CPU in turn (GHOST_IOC_ASSOC_QUEUE,
 * then a GHOST_TARGET_PING so that the CPU's agent looks).
 *
 * GSCHED_GLOBAL: one agent, started on the lowest CPU of @agent_cpus,
 * spinning on a polled default queue and committing every other enclave
 * CPU that is free, all in one GHOST_IOC_COMMIT. It moves away from a CPU
 * that a higher class wants (GHOST_SW_CPU_BOOST).
 *
 * Agent threads never allocate, print or take a lock a ghost task could
 * hold: nothing but them lets ghost tasks run, so such a wait would last
 * until the watchdog fires. gsched_stop() interrupts parked agents with
 * SIGUSR1, for which gsched_start() installs a handler that does nothing.
 */
#ifndef GHOST_TEST_GSCHED_H
#define GHOST_TEST_GSCHED_H

#include <sched.h>
#include <stdbool.h>
#include <stdint.h>

#include "gagent.h"

enum gsched_mode {
	GSCHED_PER_CPU,
	GSCHED_GLOBAL,
};

struct gsched_config {
	enum gsched_mode mode;
	cpu_set_t agent_cpus;
	/*
	 * Taking over a live enclave: bind every live task (found by its
	 * status word) to our default queue with GHOST_IOC_ASSOC_QUEUE, then
	 * GHOST_IOC_DISCOVER. (GHOST_IOC_BECOME_AGENT is always retried on
	 * EBUSY for a while, until the agents we replace are gone.)
	 */
	bool discover;
	uint32_t queue_slots;	/* 0: 4096 */
};

/* Every field is a u64 so that snapshots can copy them one by one. */
struct gsched_counters {
	uint64_t msgs[GHOST_MSG_TYPE_MAX + 1];		/* by type */
	uint64_t commits[GHOST_TXN_STATE_MAX + 1];	/* by final state */
	uint64_t tasks_seen;	/* gtids announced by TASK_NEW */
	uint64_t tasks_dead;	/* TASK_DEAD and TASK_DEPARTED */
	uint64_t tasks_forked;	/* TASK_NEW with a parent_gtid */
	uint64_t forked_dead;	/* ... of which TASK_DEAD arrived */
	uint64_t tasks_adopted;	/* first heard of by another message */
	uint64_t seqnum_gaps;	/* a task message not one past the last */
	uint64_t pings;
	uint64_t parks;
	uint64_t agent_moves;
	uint64_t discovered;	/* GHOST_IOC_DISCOVER's nr_tasks */
	uint64_t ioctl_errors;	/* unexpected failures, bar ENODEV */
	uint64_t records_exhausted;
	uint64_t reconciled;	/* latches we held that the kernel did not */
	uint64_t enclave_gone;	/* agents that saw ENODEV */
	/*
	 * Delivery latency: from a message's time_ns to its agent reading
	 * it. A global agent counts every message. A per-CPU agent counts
	 * only the first message it reads after a park, the one that woke it
	 * (later ones waited for its own work, not for delivery), split by
	 * where the event happened: a task blocking on the agent's CPU (the
	 * CPU switches to the agent at once) or a task waking up (from an
	 * interrupt, whose remaining work runs before any switch).
	 */
	uint64_t delivery_ns;
	uint64_t deliveries;
	uint64_t wakeup_delivery_ns;
	uint64_t wakeup_deliveries;
};

struct gsched;

int gsched_start(struct gsched **sched, struct genclave *e,
		 const struct gsched_config *config);
void gsched_counters(const struct gsched *s, struct gsched_counters *out);
/* Wait until the agents have seen @nr TASK_NEW, or @nr TASK_DEAD. */
bool gsched_wait_seen(const struct gsched *s, uint64_t nr, int timeout_ms);
bool gsched_wait_dead(const struct gsched *s, uint64_t nr, int timeout_ms);
void gsched_stop(struct gsched *s, struct gsched_counters *final);
void gsched_print_counters(const char *label, const struct gsched_counters *c);

#endif /* GHOST_TEST_GSCHED_H */
