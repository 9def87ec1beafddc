// SPDX-License-Identifier: GPL-2.0
/*
 * A policy instance's life: load the plugin, validate its parameters,
 * preallocate the storage its descriptor asks for, run init; hand it the
 * task table when it takes over; run fini and unload.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "params.h"
#include "plugin.h"

#define TASK_DATA_ALIGN		16
/* Per-CPU data is touched by different agents: one cache line each. */
#define CPU_DATA_ALIGN		64

static size_t round_up(size_t n, size_t to)
{
	return (n + to - 1) / to * to;
}

static void *zalloc_aligned(size_t size, size_t align)
{
	void *mem;

	if (!size)
		return NULL;
	size = round_up(size, align);
	mem = aligned_alloc(align, size);
	if (mem)
		memset(mem, 0, size);
	return mem;
}

static int instance_storage(struct ghost_policy *p)
{
	struct runtime *rt = p->rt;
	const struct ghost_policy_descriptor *d = p->desc;

	p->task_stride = round_up(d->task_data_size, TASK_DATA_ALIGN);
	p->cpu_stride = round_up(d->cpu_data_size, CPU_DATA_ALIGN);
	p->state = zalloc_aligned(d->state_size, CPU_DATA_ALIGN);
	p->task_data = zalloc_aligned(p->task_stride * rt->nr_task_words,
				      TASK_DATA_ALIGN);
	p->cpu_data = zalloc_aligned(p->cpu_stride * rt->nr_cpu_ids,
				     CPU_DATA_ALIGN);
	p->cpus = calloc(rt->nr_cpu_ids, sizeof(*p->cpus));
	return (d->state_size && !p->state) ||
	       (p->task_stride && rt->nr_task_words && !p->task_data) ||
	       (p->cpu_stride && !p->cpu_data) || !p->cpus ? -1 : 0;
}

static int instance_init(struct ghost_policy *p, char *why, size_t len)
{
	const struct ghost_policy_descriptor *d = p->desc;
	int ret;

	if (d->model == GHOST_MODEL_CENTRALIZED && p->nr_cpus < 2) {
		snprintf(why, len,
			 "plugin \"%s\" is centralized and needs at least 2 CPUs (one for its agent); the enclave has %u",
			 d->name, p->nr_cpus);
		return -1;
	}
	if (!d->init)
		return 0;
	p->in_init = true;
	ret = d->init(p);
	p->in_init = false;
	if (!ret)
		return 0;
	if (p->error[0])
		snprintf(why, len, "plugin \"%s\" failed to initialise: %s",
			 d->name, p->error);
	else if (ret < 0 && ret > -4096)
		snprintf(why, len, "plugin \"%s\" failed to initialise: %s",
			 d->name, strerror(-ret));
	else
		snprintf(why, len,
			 "plugin \"%s\" failed to initialise (init returned %d)",
			 d->name, ret);
	return -1;
}

struct ghost_policy *instance_create(struct runtime *rt, const char *plugin,
				     const json_t *params, const cpu_set_t *cpus,
				     char *why, size_t len)
{
	struct ghost_policy *p = calloc(1, sizeof(*p));

	if (!p) {
		snprintf(why, len, "out of memory");
		return NULL;
	}
	p->rt = rt;
	if (plugin_load(rt->plugin_dir, plugin, &p->plugin, why, len))
		goto fail;
	p->desc = plugin_descriptor(p->plugin);
	if (params_parse(p->desc, params, p->params, why, len))
		goto fail;
	p->params_json = params ? json_deep_copy(params) : json_object();
	if (!p->params_json || instance_storage(p)) {
		snprintf(why, len, "out of memory for plugin \"%s\"", plugin);
		goto fail;
	}
	for (uint32_t cpu = 0; cpu < rt->nr_cpu_ids; cpu++)
		if (CPU_ISSET(cpu, cpus))
			p->cpus[p->nr_cpus++] = &rt->cpus[cpu];
	if (instance_init(p, why, len))
		goto fail;
	p->initialised = true;
	return p;
fail:
	instance_destroy(p);
	return NULL;
}

void instance_destroy(struct ghost_policy *p)
{
	if (!p)
		return;
	if (p->initialised && p->desc->fini)
		p->desc->fini(p);
	free(p->cpus);
	free(p->cpu_data);
	free(p->task_data);
	free(p->state);
	json_decref(p->params_json);
	plugin_unload(p->plugin);
	free(p);
}

/*
 * Under the lock, with agents quiesced and roles assigned for @p's model:
 * @p takes over. Each task keeps its state; one waiting for a CPU is placed afresh
 * by a per_cpu policy, since the old policy's placement meant nothing to
 * it. Agents are woken at resume, not here.
 */
void instance_adopt_tasks(struct ghost_policy *p)
{
	struct runtime *rt = p->rt;

	rt->policy = p;
	for (uint32_t i = 0; i < rt->nr_task_words; i++) {
		struct ghost_task *t = &rt->tasks[i];

		if (!t->gtid)
			continue;
		if (t->state == GHOST_TASK_RUNNABLE) {
			if (rt->model == GHOST_MODEL_PER_CPU)
				place_task(NULL, t, true);
			else
				t->cpu = NULL;
		}
		p->desc->task_new(p, t);
	}
}
