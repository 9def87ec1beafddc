// SPDX-License-Identifier: GPL-2.0
/*
 * The simulated kernel's messages: queues, routing (an orphaned queue's
 * messages go to the default queue, as in queue.c), barriers (a task's on
 * every event of it, a CPU's on every message to its agent and every
 * wakeup), and the status words the runtime reads.
 */
#include <stdlib.h>
#include <string.h>

#include "common/xalloc.h"
#include "kernel.h"

/* Rings start small and grow to their size: most queues stay short. */
#define QUEUE_INITIAL_CAP	16

struct sk_queue *sk_queue_create(struct sim_kernel *sk, int wakeup_cpu,
				 uint32_t nr_slots)
{
	struct sk_queue *q = xcalloc(1, sizeof(*q));

	q->nr_slots = nr_slots;
	q->cap = nr_slots < QUEUE_INITIAL_CAP ? nr_slots : QUEUE_INITIAL_CAP;
	q->ring = xcalloc(q->cap, sizeof(*q->ring));
	q->wakeup_cpu = wakeup_cpu;
	q->next = sk->queues;
	sk->queues = q;
	if (!sk->default_queue)
		sk->default_queue = q;
	return q;
}

/* Double the ring, keeping messages tail..head at their indices mod cap. */
static void queue_grow(struct sk_queue *q)
{
	uint32_t cap = q->cap * 2;
	struct ghost_msg *ring = xcalloc(cap, sizeof(*ring));

	for (uint32_t i = q->tail; i != q->head; i++)
		ring[i % cap] = q->ring[i % q->cap];
	free(q->ring);
	q->ring = ring;
	q->cap = cap;
}

bool sk_queue_pop(struct sk_queue *q, struct ghost_msg *msg)
{
	if (q->head == q->tail)
		return false;
	*msg = q->ring[q->tail % q->cap];
	q->tail++;
	return true;
}

static struct sk_queue *route(struct sim_kernel *sk, struct sk_queue *q)
{
	if (!q || q->orphaned)
		q = sk->default_queue;
	return q && !q->orphaned ? q : NULL;
}

static void produce(struct sim_kernel *sk, struct sk_queue *q,
		    struct ghost_msg *m)
{
	sk->counters.msgs[m->type]++;
	q = route(sk, q);
	if (!q)
		return;
	if (q->head - q->tail >= q->nr_slots) {
		q->overflow++;
		sk->counters.overflows++;
	} else {
		if (q->head - q->tail == q->cap)
			queue_grow(q);
		q->ring[q->head % q->cap] = *m;
		q->head++;
	}
	if (q->wakeup_cpu >= 0)
		sk_agent_wake(sk, q->wakeup_cpu);
}

struct ghost_status_word *sk_word(struct sim_kernel *sk, uint32_t index)
{
	return (struct ghost_status_word *)(sk->status + 1) + index;
}

struct ghost_status_word *sk_task_word(struct sim_kernel *sk, const struct sk_task *t)
{
	return sk_word(sk, (uint32_t)t->gtid);
}

void sk_send_task_msg(struct sim_kernel *sk, struct sk_task *t, struct ghost_msg *m)
{
	struct ghost_status_word *w = sk_task_word(sk, t);

	m->size = sizeof(*m);
	m->seqnum = ++w->barrier;
	m->gtid = t->gtid;
	m->cpu = t->running_cpu >= 0 ? t->running_cpu : t->latched_cpu;
	m->runtime_ns = t->runtime_ns;
	m->time_ns = sk->now;
	produce(sk, t->queue, m);
}

void sk_send_task(struct sim_kernel *sk, struct sk_task *t, uint16_t type,
		  uint32_t flags)
{
	struct ghost_msg m = { .type = type, .flags = flags };

	if (type == GHOST_MSG_TASK_NEW) {
		m.task_new.tid = t->tid;
		m.task_new.nice = t->nice;
		m.task_new.status_index = (uint32_t)t->gtid;
	} else if (type == GHOST_MSG_TASK_WAKEUP) {
		m.task_wakeup.waker_cpu = -1;
		m.task_wakeup.last_ran_cpu = -1;
	}
	sk_send_task_msg(sk, t, &m);
}

void sk_send_cpu(struct sim_kernel *sk, int cpu, uint16_t type, uint32_t flags)
{
	struct sk_cpu *c = &sk->cpus[cpu];
	struct ghost_msg m = {
		.type = type,
		.size = sizeof(m),
		.cpu = cpu,
		.flags = flags,
		.time_ns = sk->now,
	};

	m.seqnum = ++sk_word(sk, cpu)->barrier;
	produce(sk, c->agent ? c->agent->queue : NULL, &m);
}

void sk_task_word_update(struct sim_kernel *sk, struct sk_task *t)
{
	struct ghost_status_word *w = sk_task_word(sk, t);

	w->gtid = t->gtid;
	w->runtime_ns = t->runtime_ns;
	w->flags = GHOST_SW_F_INUSE |
		   (t->runnable ? GHOST_SW_TASK_RUNNABLE : 0) |
		   (t->running_cpu >= 0 ? GHOST_SW_TASK_ONCPU : 0) |
		   (t->latched_cpu >= 0 ? GHOST_SW_TASK_LATCHED : 0);
}

void sk_cpu_word_update(struct sim_kernel *sk, int cpu)
{
	struct sk_cpu *c = &sk->cpus[cpu];
	struct ghost_status_word *w = sk_word(sk, cpu);
	uint32_t flags = 0;

	if (c->in_enclave) {
		flags = GHOST_SW_CPU_IN_ENCLAVE;
		if (!c->hogs)
			flags |= GHOST_SW_CPU_AVAIL;
		if (c->agent) {
			flags |= GHOST_SW_CPU_HAS_AGENT;
			if (c->hogs)
				flags |= GHOST_SW_CPU_BOOST;
			if (c->agent->parked)
				flags |= GHOST_SW_CPU_AGENT_PARKED;
		}
	}
	w->flags = flags;
	w->gtid = c->running ? c->running->gtid : 0;
}
