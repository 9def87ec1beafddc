// SPDX-License-Identifier: GPL-2.0
/*
 * Taking over a live enclave whose agents died (a crashed or replaced
 * agent process). Its tasks are bound to queues nobody reads; the status
 * words name them all. Each is bound to our default queue (retrying while
 * its barrier moves under us), then GHOST_IOC_DISCOVER has the kernel
 * announce every task again, with its tid, nice value and whether it is
 * runnable; dispatch.c learns from the status words which ones are
 * latched or running. Messages that arrive before a task's announcement
 * adopt it on the spot (dispatch.c), so no task waits for the rest.
 */
#include <errno.h>

#include "internal.h"

int rt_adopt(struct runtime *rt, uint32_t *nr_announced)
{
	struct backend_queue *q = rt->cpus[rt->leader].queue;
	int ret;

	*nr_announced = 0;
	for (uint32_t i = 0; i < rt->nr_task_words; i++) {
		const struct ghost_status_word *w = rt_word(rt, rt->nr_cpu_ids + i);

		for (int tries = 0; tries < RT_ASSOC_TRIES; tries++) {
			uint32_t barrier = LOAD(w->barrier);

			if (!(LOAD(w->flags) & GHOST_SW_F_INUSE))
				break;
			ret = rt->ops->assoc_queue(rt->be, q, LOAD(w->gtid), barrier);
			/* ENOENT: it died meanwhile; its news says so. */
			if (ret != -ESTALE)
				break;
		}
	}
	ret = rt->ops->discover(rt->be, nr_announced);
	if (!ret)
		rt_count(&rt->counters.discovers);
	return ret;
}
