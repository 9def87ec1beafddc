// SPDX-License-Identifier: GPL-2.0
/*
 * The runtime: creating it over an enclave, an agent's step, stopping,
 * and what it reports. See runtime.h.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "internal.h"
#include "plugin.h"

bool rt_worth_logging(const uint64_t *counter)
{
	uint64_t n = __atomic_load_n(counter, __ATOMIC_RELAXED);

	return n && !(n & (n - 1));
}

static int rt_fail(char *why, size_t len, const char *what, int err)
{
	snprintf(why, len, "%s: %s", what, strerror(-err));
	return -1;
}

/* Read the enclave's shape and allocate everything for its largest size. */
static int rt_alloc(struct runtime *rt, const struct backend_enclave *info,
		    char *why, size_t len)
{
	const struct ghost_status_header *h = info->status;

	if (h->magic != GHOST_STATUS_MAGIC ||
	    h->word_size < sizeof(struct ghost_status_word) ||
	    h->nr_cpu_words > h->nr_words || h->nr_cpu_words > CPU_SETSIZE) {
		snprintf(why, len, "the enclave's status words are not in a layout this build knows");
		return -1;
	}
	rt->status = h;
	rt->txns = info->txns;
	rt->nr_cpu_ids = h->nr_cpu_words;
	rt->nr_task_words = h->nr_words - h->nr_cpu_words;
	rt->word_size = h->word_size;
	rt->watchdog_ms = info->watchdog_ms;
	rt->default_queue_slots = rt_default_queue_slots(info->max_tasks);
	rt->cpuset = info->cpus;
	rt->cpus = calloc(rt->nr_cpu_ids, sizeof(*rt->cpus));
	rt->agents = calloc(rt->nr_cpu_ids, sizeof(*rt->agents));
	rt->round.pending = calloc(rt->nr_cpu_ids, sizeof(*rt->round.pending));
	if (!rt->cpus || !rt->agents || !rt->round.pending || task_table_init(rt)) {
		snprintf(why, len, "out of memory for %u tasks", rt->nr_task_words);
		return -1;
	}
	rt->leader = -1;
	for (uint32_t cpu = 0; cpu < rt->nr_cpu_ids; cpu++) {
		rt->cpus[cpu] = (struct ghost_cpu){
			.rt = rt, .id = cpu,
			.in_enclave = CPU_ISSET(cpu, &rt->cpuset),
		};
		rt->agents[cpu] = (struct rt_agent){ .rt = rt, .home = cpu, .cpu = -1 };
		if (rt->leader < 0 && rt->cpus[cpu].in_enclave)
			rt->leader = cpu;
	}
	if (rt->leader < 0) {
		snprintf(why, len, "the enclave has no CPU");
		return -1;
	}
	return 0;
}

uint32_t rt_default_queue_slots(uint32_t max_tasks)
{
	uint32_t slots = RT_QUEUE_SLOTS;

	while (slots < RT_QUEUE_SLOTS_MAX && slots - RT_QUEUE_SLOTS < max_tasks)
		slots *= 2;
	return slots;
}

/* Give @cpu a queue, waking its own agent until roles say otherwise. */
int rt_queue_for(struct runtime *rt, int cpu, int wakeup_cpu)
{
	struct ghost_cpu *c = &rt->cpus[cpu];
	uint32_t slots = cpu == rt->leader ? rt->default_queue_slots : RT_QUEUE_SLOTS;
	int ret;

	if (c->queue)
		return 0;
	ret = rt->ops->queue_create(rt->be, wakeup_cpu, slots, &c->queue);
	if (!ret)
		c->overflows_seen = rt->ops->queue_overflows(rt->be, c->queue);
	return ret;
}

/*
 * Make the enclave ours: a queue per CPU, the leader's as the default (a
 * dead agent's default may still be set), and no slot left READY by a
 * dead agent, which our first commit naming it would otherwise trip on.
 */
static int rt_prepare_enclave(struct runtime *rt, char *why, size_t len)
{
	int ret;

	for (uint32_t cpu = 0; cpu < rt->nr_cpu_ids; cpu++) {
		int ready = GHOST_TXN_READY;

		if (!rt->cpus[cpu].in_enclave)
			continue;
		__atomic_compare_exchange_n(&rt->txns[cpu].state, &ready,
					    GHOST_TXN_IDLE, false,
					    __ATOMIC_RELEASE, __ATOMIC_RELAXED);
		ret = rt_queue_for(rt, cpu, cpu);
		if (ret)
			return rt_fail(why, len, "cannot create a message queue", ret);
	}
	ret = rt->ops->queue_set_default(rt->be, rt->cpus[rt->leader].queue);
	if (ret)
		return rt_fail(why, len, "cannot set the default queue", ret);
	return 0;
}

int rt_create(struct runtime **out, struct backend *be, const char *plugin_dir,
	      const char *plugin, const json_t *params, char *why, size_t len)
{
	struct runtime *rt = calloc(1, sizeof(*rt));
	struct backend_enclave info;
	int ret;

	*out = NULL;
	if (!rt) {
		snprintf(why, len, "out of memory");
		return -1;
	}
	rt->be = be;
	rt->ops = be->ops;
	rt->global_cpu = -1;
	rt->plugin_dir = strdup(plugin_dir);
	ret = rt->ops->enclave_info(be, &info);
	if (ret) {
		rt_fail(why, len, "cannot read the enclave", ret);
		goto fail;
	}
	if (!rt->plugin_dir || rt_alloc(rt, &info, why, len))
		goto fail;
	rt->policy = instance_create(rt, plugin, params, &rt->cpuset, why, len);
	if (!rt->policy || rt_prepare_enclave(rt, why, len))
		goto fail;
	STORE(rt->model, rt->policy->desc->model);
	roles_assign(rt);
	snprintf(rt->last_swap.from, sizeof(rt->last_swap.from), "%s",
		 rt->policy->desc->name);
	*out = rt;
	return 0;
fail:
	rt_destroy(rt);
	return -1;
}

void rt_destroy(struct runtime *rt)
{
	if (!rt)
		return;
	for (uint32_t cpu = 0; rt->cpus && cpu < rt->nr_cpu_ids; cpu++)
		if (rt->cpus[cpu].queue)
			rt->ops->queue_destroy(rt->be, rt->cpus[cpu].queue);
	instance_destroy(rt->next);
	instance_destroy(rt->retired);
	instance_destroy(rt->policy);
	task_table_fini(rt);
	free(rt->round.pending);
	free(rt->agents);
	free(rt->cpus);
	free(rt->plugin_dir);
	free(rt);
}

unsigned int rt_nr_agents(const struct runtime *rt)
{
	return rt->nr_cpu_ids;
}

/* An agent of a CPU that left the enclave is wanted until it has let go. */
bool rt_agent_wanted(const struct runtime *rt, unsigned int agent)
{
	const struct rt_agent *a;

	if (agent >= rt->nr_cpu_ids)
		return false;
	a = &rt->agents[agent];
	return CPU_ISSET(agent, &rt->cpuset) || CPU_ISSET(agent, &rt->next_cpuset) ||
	       a->role != LOAD(a->applied) || LOAD(a->cpu) >= 0;
}

uint64_t rt_agent_idle_deadline(const struct runtime *rt, unsigned int agent)
{
	const struct rt_agent *a;

	if (agent >= rt->nr_cpu_ids)
		return 0;
	a = &rt->agents[agent];
	return a->idle_since ? a->idle_since + RT_GLOBAL_IDLE_SPIN_NS : 0;
}

bool rt_agents_settled(const struct runtime *rt)
{
	return !LOAD(rt->roles_pending);
}

/* Stopping: an agent gives its CPU back; its tasks wait for a successor. */
static enum rt_step agent_leave(struct rt_agent *a)
{
	if (LOAD(a->cpu) >= 0 && !LOAD(a->rt->gone))
		a->rt->ops->agent_release(a->rt->be, a->home);
	STORE(a->cpu, -1);
	return RT_STEP_EXIT;
}

/*
 * Quiesced: an agent waits without touching anything shared, parked in
 * the kernel if it is an agent (woken by messages, it parks again) or in
 * the driver if not. A summoned agent (agents_summon()) waits awake on
 * its CPU, taken now if it had none, stepping again and again.
 */
static enum rt_step agent_hold(struct rt_agent *a)
{
	struct runtime *rt = a->rt;
	int cpu = LOAD(a->cpu);

	if (LOAD_SC(a->summoned)) {
		/* Quiet until its next step begins (rt_agent_step()). */
		STORE_SC(a->quiet, 1);
		if (cpu < 0) {
			/* Taken, it parks there next step; if not, it waits in the driver. */
			STORE(a->summoned, 0);
			return agent_attach_early(a) ? RT_STEP_IDLE : RT_STEP_AGAIN;
		}
		rt_cpu_relax();
		return RT_STEP_AGAIN;
	}
	if (cpu < 0)
		return RT_STEP_IDLE;
	agent_park(a, rt_cpu_barrier(rt, cpu));
	return RT_STEP_AGAIN;
}

static enum rt_step agent_step(struct rt_agent *a)
{
	struct runtime *rt = a->rt;
	int applied;

	if (LOAD(rt->gone))
		return RT_STEP_EXIT;
	if (LOAD(rt->stopping))
		return agent_leave(a);
	if (LOAD_SC(rt->quiescing))
		return agent_hold(a);
	applied = LOAD(a->applied);
	/* Or it took its CPU early for a change that then failed. */
	if (a->role != applied || (applied == RT_ROLE_NONE && LOAD(a->cpu) >= 0))
		return LOAD(a->gave_up) ? RT_STEP_IDLE : agent_apply_role(a);
	switch (applied) {
	case RT_ROLE_PER_CPU:
		return per_cpu_step(a);
	case RT_ROLE_GLOBAL:
		return global_step(a);
	}
	return RT_STEP_IDLE;
}

enum rt_step rt_agent_step(struct runtime *rt, unsigned int agent)
{
	struct rt_agent *a;
	enum rt_step step;

	if (agent >= rt->nr_cpu_ids)
		return RT_STEP_EXIT;
	a = &rt->agents[agent];
	/* Pairs with rt_quiesce(): one of us sees the other. */
	STORE_SC(a->in_step, 1);
	if (LOAD(a->quiet))
		STORE_SC(a->quiet, 0);	/* a summoned agent's wait ended */
	step = agent_step(a);
	if (LOAD(rt->gone))
		step = RT_STEP_EXIT;
	STORE_SC(a->in_step, 0);
	return step;
}

void rt_stop(struct runtime *rt)
{
	STORE(rt->stopping, 1);
	/* Parked agents learn it when woken; idle ones from their driver. */
	for (uint32_t cpu = 0; cpu < rt->nr_cpu_ids; cpu++)
		if (LOAD(rt->agents[cpu].cpu) >= 0)
			rt->ops->ping(rt->be, LOAD(rt->agents[cpu].cpu));
}

bool rt_enclave_gone(const struct runtime *rt)
{
	return LOAD(rt->gone);
}

/* The last change's blackout, so far if agents are still taking roles. */
static uint64_t rt_blackout(const struct runtime *rt)
{
	uint64_t end;

	if (LOAD(rt->roles_pending))
		end = rt->ops->now_ns(rt->be);
	else if (LOAD(rt->roles_done_at) > rt->resumed_at)
		end = LOAD(rt->roles_done_at);
	else
		end = rt->resumed_at;
	return end > rt->change_start ? end - rt->change_start : 0;
}

void rt_status(const struct runtime *rt, struct rt_status *st)
{
	memset(st, 0, sizeof(*st));
	snprintf(st->plugin, sizeof(st->plugin), "%s", rt->policy->desc->name);
	st->model = rt->model;
	st->cpus = rt->cpuset;
	for (int s = GHOST_TASK_BLOCKED; s <= GHOST_TASK_ON_CPU; s++) {
		st->tasks[s] = LOAD(rt->nr_state[s]);
		st->nr_tasks += st->tasks[s];
	}
	st->last_swap = rt->last_swap;
	if (st->last_swap.to[0])
		st->last_swap.blackout_ns = rt_blackout(rt);
}

enum rt_agent_state rt_cpu_agent_state(const struct runtime *rt, int cpu)
{
	uint32_t flags;
	bool ours = false;

	if (cpu < 0 || (uint32_t)cpu >= rt->nr_cpu_ids)
		return RT_AGENT_NONE;
	for (uint32_t i = 0; i < rt->nr_cpu_ids && !ours; i++)
		ours = LOAD(rt->agents[i].cpu) == cpu;
	flags = rt_cpu_flags(rt, cpu);
	if (!ours || !(flags & GHOST_SW_CPU_HAS_AGENT))
		return RT_AGENT_NONE;
	if (flags & GHOST_SW_CPU_THROTTLED)
		return RT_AGENT_THROTTLED;
	if (flags & GHOST_SW_CPU_AGENT_PARKED)
		return RT_AGENT_PARKED;
	return RT_AGENT_RUNNING;
}

json_t *rt_policy_params(const struct runtime *rt)
{
	return json_deep_copy(rt->policy->params_json);
}

/* Counters */

struct counter_name {
	const char *name;
	size_t offset;
};

#define MSG_COUNTER(type, name) \
	{ "msg_" name, offsetof(struct rt_counters, msgs[GHOST_MSG_##type]) }
#define COMMIT_COUNTER(state, name) \
	{ "commit_" name, offsetof(struct rt_counters, commits[GHOST_TXN_##state]) }
#define COUNTER(field) { #field, offsetof(struct rt_counters, field) }

static const struct counter_name counter_names[] = {
	MSG_COUNTER(TASK_NEW, "task_new"),
	MSG_COUNTER(TASK_WAKEUP, "task_wakeup"),
	MSG_COUNTER(TASK_BLOCKED, "task_blocked"),
	MSG_COUNTER(TASK_PREEMPT, "task_preempt"),
	MSG_COUNTER(TASK_YIELD, "task_yield"),
	MSG_COUNTER(TASK_DEAD, "task_dead"),
	MSG_COUNTER(TASK_DEPARTED, "task_departed"),
	MSG_COUNTER(TASK_AFFINITY_CHANGED, "task_affinity_changed"),
	MSG_COUNTER(TASK_PRIORITY_CHANGED, "task_priority_changed"),
	MSG_COUNTER(CPU_TICK, "cpu_tick"),
	MSG_COUNTER(CPU_AVAILABLE, "cpu_available"),
	MSG_COUNTER(CPU_BUSY, "cpu_busy"),
	MSG_COUNTER(CPU_NOT_IDLE, "cpu_not_idle"),
	COMMIT_COUNTER(COMPLETE, "complete"),
	COMMIT_COUNTER(TARGET_STALE, "target_stale"),
	COMMIT_COUNTER(AGENT_STALE, "agent_stale"),
	COMMIT_COUNTER(TARGET_ONCPU, "target_oncpu"),
	COMMIT_COUNTER(TARGET_NOT_RUNNABLE, "target_not_runnable"),
	COMMIT_COUNTER(TARGET_NOT_FOUND, "target_not_found"),
	COMMIT_COUNTER(TARGET_NOT_ALLOWED, "target_not_allowed"),
	COMMIT_COUNTER(CPU_UNAVAIL, "cpu_unavail"),
	COMMIT_COUNTER(CPU_BUSY, "cpu_busy"),
	COMMIT_COUNTER(NO_AGENT, "no_agent"),
	COMMIT_COUNTER(INVALID_CPU, "invalid_cpu"),
	COMMIT_COUNTER(INVALID_FLAGS, "invalid_flags"),
	COMMIT_COUNTER(INVALID_TARGET, "invalid_target"),
	COMMIT_COUNTER(POISONED, "poisoned"),
	COMMIT_COUNTER(TARGET_LATCHED, "target_latched"),
	COUNTER(handed_back),
	COUNTER(pings),
	COUNTER(agent_moves),
	COUNTER(seqnum_gaps),
	COUNTER(adopted),
	COUNTER(discovers),
	COUNTER(queue_overflows),
	COUNTER(policy_errors),
	COUNTER(backend_errors),
};

#define NR_COUNTERS	(sizeof(counter_names) / sizeof(counter_names[0]))

unsigned int rt_nr_counters(void)
{
	return NR_COUNTERS + 1;
}

const char *rt_counter(const struct runtime *rt, unsigned int i, uint64_t *value)
{
	if (i < NR_COUNTERS) {
		const uint64_t *c = (const void *)((const char *)&rt->counters +
						   counter_names[i].offset);

		*value = __atomic_load_n(c, __ATOMIC_RELAXED);
		return counter_names[i].name;
	}
	/* Parks are counted by each agent, on its own cache line. */
	*value = 0;
	for (uint32_t cpu = 0; cpu < rt->nr_cpu_ids; cpu++)
		*value += __atomic_load_n(&rt->agents[cpu].parks, __ATOMIC_RELAXED);
	return "parks";
}
