// SPDX-License-Identifier: GPL-2.0
/* The event queue: see event_queue.h. */
#include <stdlib.h>

#include "common/xalloc.h"
#include "event_queue.h"

void event_queue_init(struct event_queue *q)
{
	*q = (struct event_queue){ 0 };
}

void event_queue_fini(struct event_queue *q)
{
	free(q->heap);
	*q = (struct event_queue){ 0 };
}

static bool earlier(const struct event *a, const struct event *b)
{
	return a->time < b->time || (a->time == b->time && a->seq < b->seq);
}

void event_push(struct event_queue *q, uint64_t time, enum event_type type,
		uint64_t target, uint32_t gen)
{
	struct event e = {
		.time = time, .seq = q->next_seq++, .type = type,
		.gen = gen, .target = target,
	};
	uint64_t i = q->nr++;

	if (q->nr > q->cap) {
		q->cap = q->cap ? q->cap * 2 : 1024;
		q->heap = xrealloc(q->heap, q->cap * sizeof(*q->heap));
	}
	while (i) {
		uint64_t parent = (i - 1) / 2;

		if (!earlier(&e, &q->heap[parent]))
			break;
		q->heap[i] = q->heap[parent];
		i = parent;
	}
	q->heap[i] = e;
}

bool event_pop(struct event_queue *q, struct event *out)
{
	struct event last;
	uint64_t i = 0;

	if (!q->nr)
		return false;
	*out = q->heap[0];
	last = q->heap[--q->nr];
	for (;;) {
		uint64_t child = 2 * i + 1;

		if (child >= q->nr)
			break;
		if (child + 1 < q->nr && earlier(&q->heap[child + 1], &q->heap[child]))
			child++;
		if (!earlier(&q->heap[child], &last))
			break;
		q->heap[i] = q->heap[child];
		i = child;
	}
	if (q->nr)
		q->heap[i] = last;
	q->processed++;
	return true;
}

uint64_t event_peek_time(const struct event_queue *q)
{
	return q->nr ? q->heap[0].time : UINT64_MAX;
}
