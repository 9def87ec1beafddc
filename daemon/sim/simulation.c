// SPDX-License-Identifier: GPL-2.0
/*
 * The simulator's driver: it builds the simulated kernel, loads the policy
 * through the runtime over the simulated backend, and runs events in time
 * order until the workload is done (or its drain time is over, or the
 * enclave died). It plays the part that agent threads play in
 * ghost-agent: it calls rt_agent_step() for the agent whose turn it is in
 * simulated time, and reads what the step returned as ghost-agent does.
 */
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/xalloc.h"
#include "load.h"
#include "runtime/runtime.h"
#include "sim_backend.h"
#include "simulation.h"

/* RT_STEP_RETRY_LATER: "about 1 ms" (runtime.h). */
#define RETRY_LATER_NS		1000000
/* At the end, a task that waited this long while a CPU idled was lost. */
#define LOST_AFTER_NS		10000000

struct sim {
	const struct sim_options *o;
	struct event_queue events;
	struct metrics metrics;
	struct sim_kernel sk;
	struct backend *be;
	struct runtime *rt;
	struct load load;
	struct swap_control swaps;
};

static void agent_run(struct sim *s, const struct event *e)
{
	struct sk_agent *a = &s->sk.agents[e->target];
	uint64_t deadline;
	enum rt_step step;

	if (a->gen != e->gen || !a->run_pending)
		return;
	sk_agent_step_begin(&s->sk, a);
	step = rt_agent_step(s->rt, a->id);
	deadline = rt_agent_idle_deadline(s->rt, a->id);
	sk_agent_step_end(&s->sk, a, step == RT_STEP_AGAIN, deadline);
	if (step == RT_STEP_RETRY_LATER)
		sk_agent_schedule(&s->sk, a, a->busy_until + RETRY_LATER_NS);
	else if (step == RT_STEP_EXIT)
		a->done = true;
}

static void dispatch(struct sim *s, const struct event *e)
{
	switch (e->type) {
	case EV_AGENT_RUN:
		agent_run(s, e);
		break;
	case EV_CPU_SWITCH:
		sk_cpu_switch(&s->sk, e->target, e->gen);
		break;
	case EV_WATCHDOG:
		sk_watchdog_scan(&s->sk);
		break;
	case EV_SWAP_CONTROL:
		swap_control_event(&s->swaps);
		break;
	default:
		load_event(&s->load, e);
		break;
	}
}

/* @cpu could run a task now: available, and nothing holds or is bound to it. */
static bool cpu_idle(const struct sim_kernel *sk, int cpu)
{
	const struct sk_cpu *c = &sk->cpus[cpu];

	return sk_cpu_available(sk, cpu) && !c->running && !c->latched &&
	       !sk_agent_holds_cpu(sk, c);
}

/* The invariants only the end of a run can show. */
static void check_end(struct sim *s)
{
	struct sim_kernel *sk = &s->sk;
	uint32_t unread = 0;
	struct rt_status st;

	if (sk->destroyed)
		return;
	for (uint32_t i = 0; i < sk->max_tasks; i++) {
		const struct sk_task *t = &sk->tasks[i];

		if (!t->gtid || !t->runnable || t->running_cpu >= 0 ||
		    sk->now - t->runnable_since < LOST_AFTER_NS)
			continue;
		for (int cpu = 0; cpu < sk->nr_cpu_ids; cpu++) {
			if (CPU_ISSET(cpu, &t->mask) && cpu_idle(sk, cpu)) {
				metrics_violation(&s->metrics, sk->now, VIOLATION_LOST_TASK,
						  "task %d waited %llu ms while CPU %d idled",
						  t->tid, (unsigned long long)
						  ((sk->now - t->runnable_since) / 1000000),
						  cpu);
				break;
			}
		}
	}
	for (struct sk_queue *q = sk->queues; q; q = q->next)
		if (!q->orphaned)
			unread += q->head - q->tail;
	rt_status(s->rt, &st);
	if (!unread && st.nr_tasks != sk->nr_live)
		metrics_violation(&s->metrics, sk->now, VIOLATION_TABLE,
				  "the runtime has %u tasks, the kernel %u",
				  st.nr_tasks, sk->nr_live);
}

static void run(struct sim *s)
{
	const struct workload *w = s->o->workload;
	uint64_t end = w->duration_ns + w->drain_ns;
	struct event e;

	while (!s->sk.destroyed && !load_done(&s->load) &&
	       event_peek_time(&s->events) <= end && event_pop(&s->events, &e)) {
		s->sk.now = e.time;
		dispatch(s, &e);
	}
	if (!s->sk.destroyed && !load_done(&s->load) && s->sk.now < end)
		s->sk.now = end;
	for (int cpu = 0; cpu < s->sk.nr_cpu_ids; cpu++)
		sk_cpu_account(&s->sk, cpu);
	check_end(s);
}

static void collect(struct sim *s, struct sim_result *r)
{
	struct rt_status st;

	rt_status(s->rt, &st);
	snprintf(r->policy, sizeof(r->policy), "%s", st.plugin);
	r->model = st.model;
	r->end_ns = s->sk.now;
	r->events = s->events.processed;
	r->kernel = s->sk.counters;
	r->unfinished = s->sk.nr_live;
	r->destroyed = s->sk.destroyed;
	r->destroyed_at = s->sk.destroyed_at;
	snprintf(r->destroy_reason, sizeof(r->destroy_reason), "%s",
		 s->sk.destroy_reason);
	r->nr_rt_counters = rt_nr_counters();
	r->rt_counters = xcalloc(r->nr_rt_counters, sizeof(*r->rt_counters));
	for (unsigned int i = 0; i < r->nr_rt_counters; i++)
		r->rt_counters[i].name = rt_counter(s->rt, i, &r->rt_counters[i].value);
	r->order = s->load.order;
	r->nr_order = s->load.nr_order;
	s->load.order = NULL;
	r->nr_swaps = s->swaps.nr_swaps;
	memcpy(r->swaps, s->swaps.results, sizeof(r->swaps));
	r->metrics = s->metrics;
	memset(&s->metrics, 0, sizeof(s->metrics));
}

/* Split "dir/name.so" into what the runtime's loader takes. */
static int plugin_path(const char *path, char *dir, size_t dir_len, char *name,
		       char *why, size_t len)
{
	char *copy = xstrdup(path), *base;
	size_t n;

	snprintf(dir, dir_len, "%s", dirname(copy));
	free(copy);
	copy = xstrdup(path);
	base = basename(copy);
	n = strlen(base);
	if (n < 4 || n - 3 >= GHOST_POLICY_NAME_MAX || strcmp(base + n - 3, ".so")) {
		snprintf(why, len, "%s: a policy plugin is a file NAME.so", path);
		free(copy);
		return -1;
	}
	snprintf(name, GHOST_POLICY_NAME_MAX, "%.*s", (int)(n - 3), base);
	free(copy);
	return 0;
}

/* Every swap's plugin loads, takes its defaults and initialises. */
static int swaps_valid(struct sim *s, char *why, size_t len)
{
	char reason[512];

	if (s->o->nr_swaps > SIM_MAX_SWAPS) {
		snprintf(why, len, "at most %d swaps, got %u", SIM_MAX_SWAPS,
			 s->o->nr_swaps);
		return -1;
	}
	for (unsigned int i = 0; i < s->o->nr_swaps; i++) {
		const struct sim_swap *sw = &s->o->swaps[i];

		if (rt_prepare_swap(s->rt, sw->plugin, NULL, reason, sizeof(reason))) {
			snprintf(why, len, "swap at %llu ms: %s",
				 (unsigned long long)(sw->at_ns / 1000000), reason);
			return -1;
		}
		rt_abort(s->rt);
	}
	return 0;
}

int sim_run(const struct sim_options *o, struct sim_result *r, char *why,
	    size_t len)
{
	char dir[4096], name[GHOST_POLICY_NAME_MAX];
	struct sim *s;
	int ret = -1;

	memset(r, 0, sizeof(*r));
	r->options = o;
	if (plugin_path(o->policy, dir, sizeof(dir), name, why, len))
		return -1;
	s = xcalloc(1, sizeof(*s));
	s->o = o;
	event_queue_init(&s->events);
	metrics_init(&s->metrics, o->workload->nr_classes, o->timeline);
	sk_init(&s->sk, o->machine, o->workload->max_tasks, &s->events, &s->metrics);
	s->be = sim_backend_create(&s->sk);
	if (rt_create(&s->rt, s->be, dir, name, o->params, why, len))
		goto out;
	if (swaps_valid(s, why, len))
		goto out_runtime;
	if (load_start(&s->load, o->workload, &s->sk, o->seed, o->load_scale, why, len))
		goto out_load;
	for (unsigned int a = 0; a < rt_nr_agents(s->rt); a++)
		if (rt_agent_wanted(s->rt, a))
			sk_agent_schedule(&s->sk, &s->sk.agents[a], 0);
	sk_watchdog_arm(&s->sk);
	swap_control_start(&s->swaps, s->rt, &s->sk, o->swaps, o->nr_swaps);
	run(s);
	collect(s, r);
	ret = 0;
out_load:
	load_fini(&s->load);
out_runtime:
	rt_destroy(s->rt);
out:
	s->be->ops->close(s->be);
	sk_fini(&s->sk);
	metrics_fini(&s->metrics);
	event_queue_fini(&s->events);
	free(s);
	return ret;
}

void sim_result_free(struct sim_result *r)
{
	metrics_fini(&r->metrics);
	free(r->rt_counters);
	free(r->order);
	memset(r, 0, sizeof(*r));
}

uint64_t sim_rt_counter(const struct sim_result *r, const char *name)
{
	for (unsigned int i = 0; i < r->nr_rt_counters; i++)
		if (!strcmp(r->rt_counters[i].name, name))
			return r->rt_counters[i].value;
	return 0;
}
