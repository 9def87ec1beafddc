/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The simulator's event queue: a binary min-heap of (time, sequence)
 * keys. Events at the same simulated time run in the order they were
 * scheduled, which is what makes a run reproducible: nothing depends on
 * addresses or on the heap's internal layout.
 *
 * Events are never removed early. An event that became moot (a task's
 * burst end after it was preempted, an agent's run after it was woken
 * again) carries a generation number that its target compares with its
 * own when the event fires: cancelling is incrementing a counter.
 */
#ifndef GHOST_SIM_EVENT_QUEUE_H
#define GHOST_SIM_EVENT_QUEUE_H

#include <stdbool.h>
#include <stdint.h>

enum event_type {
	EV_ARRIVAL,		/* a workload class's next task arrives */
	EV_SCRIPTED_TASK,	/* a scripted task of the workload starts */
	EV_BURST_END,		/* a task's CPU burst is done */
	EV_SLEEP_END,		/* a blocked task's I/O or sleep is done */
	EV_CPU_SWITCH,		/* a CPU switches to the task latched there */
	EV_AGENT_RUN,		/* an agent runs a step */
	EV_HOG_START,		/* a higher-class task takes a CPU */
	EV_HOG_END,		/* and leaves it */
	EV_WATCHDOG,		/* the enclave's watchdog scans */
	EV_ARRIVALS_END,	/* the workload's duration is over */
	EV_SWAP_CONTROL,	/* a policy swap's next step (swap_control.c) */
};

struct event {
	uint64_t time;
	uint64_t seq;
	uint32_t type;		/* enum event_type */
	uint32_t gen;		/* the target's generation when scheduled */
	uint64_t target;	/* task index, CPU, agent, class or hog */
};

struct event_queue {
	struct event *heap;
	uint64_t nr, cap;
	uint64_t next_seq;
	uint64_t processed;
};

void event_queue_init(struct event_queue *q);
void event_queue_fini(struct event_queue *q);
void event_push(struct event_queue *q, uint64_t time, enum event_type type,
		uint64_t target, uint32_t gen);
/* The earliest event, removed; false if there is none. */
bool event_pop(struct event_queue *q, struct event *e);
/* The earliest event's time, or UINT64_MAX. */
uint64_t event_peek_time(const struct event_queue *q);

#endif /* GHOST_SIM_EVENT_QUEUE_H */
