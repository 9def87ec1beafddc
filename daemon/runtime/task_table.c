// SPDX-License-Identifier: GPL-2.0
/*
 * The task table: one preallocated record per task status word, so that a
 * gtid finds its record by its low 32 bits (its word's index) with no hash
 * and no allocation. A record also carries the task's cpumask, in a
 * preallocated array of rt->mask_words words per task.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

int task_table_init(struct runtime *rt)
{
	rt->mask_words = (rt->nr_cpu_ids + 63) / 64;
	rt->tasks = calloc(rt->nr_task_words ? rt->nr_task_words : 1,
			   sizeof(*rt->tasks));
	rt->masks = calloc((size_t)(rt->nr_task_words ? rt->nr_task_words : 1) *
			   rt->mask_words, sizeof(*rt->masks));
	if (!rt->tasks || !rt->masks)
		return -1;
	for (uint32_t i = 0; i < rt->nr_task_words; i++) {
		rt->tasks[i].rt = rt;
		rt->tasks[i].index = i;
		rt->tasks[i].mask = &rt->masks[(size_t)i * rt->mask_words];
	}
	return 0;
}

void task_table_fini(struct runtime *rt)
{
	free(rt->tasks);
	free(rt->masks);
	rt->tasks = NULL;
	rt->masks = NULL;
}

struct ghost_task *task_slot(struct runtime *rt, uint64_t gtid)
{
	uint32_t word = (uint32_t)gtid;

	if (word < rt->nr_cpu_ids || word - rt->nr_cpu_ids >= rt->nr_task_words)
		return NULL;
	return &rt->tasks[word - rt->nr_cpu_ids];
}

struct ghost_task *task_lookup(struct runtime *rt, uint64_t gtid)
{
	struct ghost_task *t = task_slot(rt, gtid);

	return t && t->gtid == gtid ? t : NULL;
}

void task_set_state(struct ghost_task *t, enum ghost_task_state state)
{
	struct runtime *rt = t->rt;

	__atomic_fetch_sub(&rt->nr_state[t->state], 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&rt->nr_state[state], 1, __ATOMIC_RELAXED);
	t->state = state;
}

/* A fresh record: every CPU allowed until the backend says otherwise. */
void task_install(struct runtime *rt, struct ghost_task *t, uint64_t gtid,
		  enum ghost_task_state state)
{
	t->gtid = gtid;
	t->seq = 0;
	t->tid = 0;
	t->nice = 0;
	t->cpu = NULL;
	t->queue_cpu = NULL;
	t->runtime_ns = 0;
	t->committed_at = 0;
	t->in_flight = false;
	memset(t->mask, 0xff, rt->mask_words * sizeof(*t->mask));
	t->state = state;
	__atomic_fetch_add(&rt->nr_state[state], 1, __ATOMIC_RELAXED);
}

void task_free(struct ghost_task *t)
{
	__atomic_fetch_sub(&t->rt->nr_state[t->state], 1, __ATOMIC_RELAXED);
	t->gtid = 0;
	t->state = 0;
	t->cpu = NULL;
}

void task_refresh_mask(struct ghost_task *t)
{
	struct runtime *rt = t->rt;
	cpu_set_t set;

	memset(t->mask, 0xff, rt->mask_words * sizeof(*t->mask));
	if (!t->tid || rt->ops->task_cpumask(rt->be, t->tid, &set))
		return;
	memset(t->mask, 0, rt->mask_words * sizeof(*t->mask));
	for (uint32_t cpu = 0; cpu < rt->nr_cpu_ids && cpu < CPU_SETSIZE; cpu++)
		if (CPU_ISSET(cpu, &set))
			t->mask[cpu / 64] |= 1ULL << (cpu % 64);
}

bool task_allowed_on(const struct ghost_task *t, int cpu)
{
	return cpu >= 0 && (uint32_t)cpu < t->rt->nr_cpu_ids &&
	       (t->mask[cpu / 64] & (1ULL << (cpu % 64)));
}
