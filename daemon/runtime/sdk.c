// SPDX-License-Identifier: GPL-2.0
/*
 * The policy SDK's functions (ghost/policy.h), which plugins call. They
 * are the only symbols of the runtime that a plugin can bind to: programs
 * that load plugins export exactly the ghost_* names (sdk.list).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#include "common/log.h"
#include "internal.h"

void *ghost_policy_state(struct ghost_policy *p)
{
	return p->state;
}

int64_t ghost_policy_param(const struct ghost_policy *p, unsigned int index)
{
	return index < p->desc->nr_params ? p->params[index] : 0;
}

unsigned int ghost_policy_nr_cpus(const struct ghost_policy *p)
{
	return p->nr_cpus;
}

struct ghost_cpu *ghost_policy_cpu(const struct ghost_policy *p, unsigned int i)
{
	return i < p->nr_cpus ? p->cpus[i] : NULL;
}

uint64_t ghost_policy_now_ns(const struct ghost_policy *p)
{
	return p->rt->ops->now_ns(p->rt->be);
}

int ghost_policy_fail(struct ghost_policy *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p->error, sizeof(p->error), fmt, ap);
	va_end(ap);
	if (!p->in_init)
		log_error("policy %s: %s (outside init, ignored)", p->desc->name,
			  p->error);
	return -1;
}

void ghost_policy_log(const struct ghost_policy *p, int level, const char *fmt,
		      ...)
{
	char text[512];
	va_list ap;

	if (level < LOG_LEVEL_ERROR)
		level = LOG_LEVEL_ERROR;
	if (level > LOG_LEVEL_DEBUG)
		level = LOG_LEVEL_DEBUG;
	if ((enum log_level)level > log_get_level())
		return;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	log_msg(level, "policy %s: %s", p->desc->name, text);
}

uint64_t ghost_task_gtid(const struct ghost_task *t)
{
	return t->gtid;
}

int32_t ghost_task_tid(const struct ghost_task *t)
{
	return t->tid;
}

enum ghost_task_state ghost_task_state(const struct ghost_task *t)
{
	return t->state;
}

struct ghost_cpu *ghost_task_cpu(const struct ghost_task *t)
{
	return t->cpu;
}

/* The status word is fresher than the last message, while it is still ours. */
uint64_t ghost_task_runtime_ns(const struct ghost_task *t)
{
	const struct ghost_status_word *w = rt_task_word(t->rt, t);

	if (LOAD(w->gtid) == t->gtid)
		return LOAD(w->runtime_ns);
	return t->runtime_ns;
}

int ghost_task_nice(const struct ghost_task *t)
{
	return t->nice;
}

bool ghost_task_allowed(const struct ghost_task *t, const struct ghost_cpu *c)
{
	return c && task_allowed_on(t, c->id);
}

uint64_t ghost_task_committed_at_ns(const struct ghost_task *t)
{
	return t->committed_at;
}

void *ghost_task_data(const struct ghost_policy *p, const struct ghost_task *t)
{
	return p->task_data ? p->task_data + t->index * p->task_stride : NULL;
}

int ghost_cpu_id(const struct ghost_cpu *c)
{
	return c->id;
}

struct ghost_task *ghost_cpu_current(const struct ghost_cpu *c)
{
	return c->current;
}

bool ghost_cpu_available(const struct ghost_cpu *c)
{
	return cpu_usable(c);
}

void *ghost_cpu_data(const struct ghost_policy *p, const struct ghost_cpu *c)
{
	return p->cpu_data ? p->cpu_data + c->id * p->cpu_stride : NULL;
}

int ghost_assign(struct ghost_policy *p, struct ghost_cpu *c,
		 struct ghost_task *t)
{
	const struct ghost_assignment one = { .cpu = c, .task = t };

	return round_assign(p, &one, 1, 0);
}

int ghost_assign_sync(struct ghost_policy *p,
		      const struct ghost_assignment *assignments, unsigned int n)
{
	if (!n)
		return -EINVAL;
	return round_assign(p, assignments, n, p->rt->round.nr_groups + 1);
}

void ghost_cpu_kick(struct ghost_policy *p, struct ghost_cpu *c)
{
	/* Outside an agent's step (init, a handover) resume wakes agents. */
	if (p->agent && c && c->rt == p->rt)
		agent_kick(p->agent, c);
}
