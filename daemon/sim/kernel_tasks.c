// SPDX-License-Identifier: GPL-2.0
/*
 * The simulated kernel's tasks and CPUs: a task entering, waking,
 * blocking, exiting and departing; what each CPU runs (its agent, a
 * higher class, the ghost task latched or running there, or nothing);
 * switching to a latched task; and how CPUs spend their time. As in
 * ghost.ko (class.c), a ghost task runs only where it was latched, and a
 * latched task runs as soon as neither an agent nor a higher class holds
 * its CPU.
 */
#include <stdlib.h>
#include <string.h>

#include "common/xalloc.h"
#include "kernel.h"

int sk_init(struct sim_kernel *sk, const struct machine *m, uint32_t max_tasks,
	    struct event_queue *events, struct metrics *metrics)
{
	uint32_t nr_words = m->nr_cpus + max_tasks;

	memset(sk, 0, sizeof(*sk));
	sk->m = m;
	sk->events = events;
	sk->metrics = metrics;
	sk->nr_cpu_ids = m->nr_cpus;
	sk->enclave = m->enclave;
	sk->max_tasks = max_tasks;
	sk->watchdog_ms = m->watchdog_ms;
	sk->status = xcalloc(1, sizeof(*sk->status) +
			     (size_t)nr_words * sizeof(struct ghost_status_word));
	sk->txns = xcalloc(m->nr_cpus, sizeof(*sk->txns));
	sk->tasks = xcalloc(max_tasks, sizeof(*sk->tasks));
	sk->reuses = xcalloc(max_tasks, sizeof(*sk->reuses));
	sk->status->magic = GHOST_STATUS_MAGIC;
	sk->status->abi_version = GHOST_ABI_VERSION;
	sk->status->nr_words = nr_words;
	sk->status->nr_cpu_words = m->nr_cpus;
	sk->status->word_size = sizeof(struct ghost_status_word);
	for (int cpu = 0; cpu < m->nr_cpus; cpu++) {
		struct sk_cpu *c = &sk->cpus[cpu];

		c->id = cpu;
		c->in_enclave = CPU_ISSET(cpu, &m->enclave);
		sk->agents[cpu] = (struct sk_agent){ .id = cpu, .cpu = -1 };
		sk_cpu_word_update(sk, cpu);
	}
	for (uint32_t i = 0; i < max_tasks; i++)
		sk->tasks[i].latched_cpu = sk->tasks[i].running_cpu = -1;
	return 0;
}

void sk_fini(struct sim_kernel *sk)
{
	while (sk->queues) {
		struct sk_queue *q = sk->queues;

		sk->queues = q->next;
		free(q->ring);
		free(q);
	}
	free(sk->status);
	free(sk->txns);
	free(sk->tasks);
	free(sk->reuses);
}

bool sk_cpu_available(const struct sim_kernel *sk, int cpu)
{
	return sk->cpus[cpu].in_enclave && !sk->cpus[cpu].hogs;
}

static enum cpu_activity activity_now(const struct sim_kernel *sk,
				      const struct sk_cpu *c)
{
	if (sk_agent_holds_cpu(sk, c))
		return ACT_AGENT;
	if (c->hogs)
		return ACT_HOG;
	return c->running ? ACT_TASK : ACT_IDLE;
}

/*
 * Called after every change of what @cpu does (at @now): the time since
 * the last change went to what it did then. Time of a running task before
 * its code resumed is the switch's.
 */
void sk_cpu_account(struct sim_kernel *sk, int cpu)
{
	struct sk_cpu *c = &sk->cpus[cpu];
	uint64_t now = sk->now;

	if (c->activity == ACT_TASK && c->running) {
		uint64_t resume = c->running->work_start;
		uint64_t mid = resume < c->since ? c->since : resume > now ? now : resume;

		metrics_cpu(sk->metrics, cpu, ACT_SWITCH, c->since, mid, c->running->gtid);
		metrics_cpu(sk->metrics, cpu, ACT_TASK, mid, now, c->running->gtid);
	} else {
		metrics_cpu(sk->metrics, cpu, c->activity, c->since, now, 0);
	}
	c->since = now;
	c->activity = activity_now(sk, c);
}

static uint32_t slot_of(const struct sim_kernel *sk, const struct sk_task *t)
{
	return t - sk->tasks;
}

struct sk_task *sk_task_by_gtid(struct sim_kernel *sk, uint64_t gtid)
{
	uint32_t index = (uint32_t)gtid;
	struct sk_task *t;

	if (index < (uint32_t)sk->nr_cpu_ids || index - sk->nr_cpu_ids >= sk->max_tasks)
		return NULL;
	t = &sk->tasks[index - sk->nr_cpu_ids];
	return t->gtid == gtid ? t : NULL;
}

/* Thread ids name the slot, so that looking one up is O(1). */
struct sk_task *sk_task_by_tid(struct sim_kernel *sk, int32_t tid)
{
	struct sk_task *t;

	if (tid <= 0)
		return NULL;
	t = &sk->tasks[(uint32_t)(tid - 1) % sk->max_tasks];
	return t->gtid && t->tid == tid ? t : NULL;
}

static int32_t make_tid(const struct sim_kernel *sk, uint32_t slot)
{
	uint32_t wraps = INT32_MAX / sk->max_tasks - 1;

	return 1 + slot + sk->max_tasks * (sk->reuses[slot] % wraps);
}

static void task_waits(struct sim_kernel *sk, struct sk_task *t)
{
	t->runnable_since = sk->now;
}

struct sk_task *sk_task_enter(struct sim_kernel *sk, const cpu_set_t *mask,
			      int nice, uint64_t burst_ns)
{
	struct sk_task *t;
	uint32_t slot = sk->next_free;

	if (sk->destroyed || sk->nr_live == sk->max_tasks)
		return NULL;
	/* Some slot is free: the enclave is not full. */
	while (sk->tasks[slot].gtid)
		slot = (slot + 1) % sk->max_tasks;
	t = &sk->tasks[slot];
	sk->next_free = (slot + 1) % sk->max_tasks;
	sk->reuses[slot]++;
	sk->nr_live++;
	*t = (struct sk_task){
		.gtid = ((uint64_t)sk->reuses[slot] << 32) | (slot + sk->nr_cpu_ids),
		.tid = make_tid(sk, slot),
		.nice = nice,
		.mask = *mask,
		.runnable = true,
		.latched_cpu = -1,
		.running_cpu = -1,
		.burst_left_ns = burst_ns,
		.gen = t->gen + 1,
		.script = -1,
	};
	sk_task_word(sk, t)->barrier = 0;
	task_waits(sk, t);
	sk_task_word_update(sk, t);
	sk_send_task(sk, t, GHOST_MSG_TASK_NEW, GHOST_MSG_F_RUNNABLE);
	return t;
}

/* @t stops being shown running: the CPU time of its burst is spent. */
static void task_off_cpu(struct sim_kernel *sk, struct sk_task *t)
{
	struct sk_cpu *c;
	uint64_t ran;

	if (t->running_cpu < 0)
		return;
	c = &sk->cpus[t->running_cpu];
	ran = sk->now > t->work_start ? sk->now - t->work_start : 0;
	if (ran > t->burst_left_ns)
		ran = t->burst_left_ns;
	t->burst_left_ns -= ran;
	t->runtime_ns += ran;
	sk_cpu_account(sk, c->id);
	c->running = NULL;
	t->running_cpu = -1;
	t->gen++;
	sk_cpu_account(sk, c->id);
	sk_cpu_word_update(sk, c->id);
	sk_task_word_update(sk, t);
}

void sk_preempt_running(struct sim_kernel *sk, int cpu, uint32_t flags)
{
	struct sk_task *t = sk->cpus[cpu].running;

	if (!t)
		return;
	task_off_cpu(sk, t);
	task_waits(sk, t);
	sk_send_task(sk, t, GHOST_MSG_TASK_PREEMPT, flags);
}

void sk_unlatch(struct sim_kernel *sk, struct sk_task *t, bool tell)
{
	struct sk_cpu *c;

	if (t->latched_cpu < 0)
		return;
	c = &sk->cpus[t->latched_cpu];
	if (c->latched == t)
		c->latched = NULL;
	t->latched_cpu = -1;
	sk_task_word_update(sk, t);
	if (tell)
		sk_send_task(sk, t, GHOST_MSG_TASK_PREEMPT, GHOST_MSG_F_WAS_LATCHED);
}

void sk_task_block(struct sim_kernel *sk, struct sk_task *t)
{
	task_off_cpu(sk, t);
	sk_unlatch(sk, t, false);
	t->runnable = false;
	sk_task_word_update(sk, t);
	sk_send_task(sk, t, GHOST_MSG_TASK_BLOCKED, 0);
}

void sk_task_wakeup(struct sim_kernel *sk, struct sk_task *t, uint64_t burst_ns)
{
	t->runnable = true;
	t->burst_left_ns = burst_ns;
	task_waits(sk, t);
	sk_task_word_update(sk, t);
	sk_send_task(sk, t, GHOST_MSG_TASK_WAKEUP, 0);
}

/* The task's word is freed: its gtid is dead. */
static void task_release(struct sim_kernel *sk, struct sk_task *t)
{
	memset(sk_task_word(sk, t), 0, sizeof(struct ghost_status_word));
	t->gtid = 0;
	t->gen++;
	sk->nr_live--;
}

void sk_task_exit(struct sim_kernel *sk, struct sk_task *t)
{
	task_off_cpu(sk, t);
	sk_unlatch(sk, t, false);
	t->runnable = false;
	sk_send_task(sk, t, GHOST_MSG_TASK_DEAD, 0);
	task_release(sk, t);
}

void sk_task_depart(struct sim_kernel *sk, struct sk_task *t, uint32_t reason)
{
	struct ghost_msg m = {
		.type = GHOST_MSG_TASK_DEPARTED,
		.task_departed.reason = reason,
	};

	task_off_cpu(sk, t);
	sk_unlatch(sk, t, false);
	t->runnable = false;
	sk_send_task_msg(sk, t, &m);
	task_release(sk, t);
}

/*
 * The oracle: what the kernel must never do, checked independently of
 * how the commit checks came to let @t start on @cpu.
 */
static void check_start(struct sim_kernel *sk, struct sk_task *t, int cpu)
{
	for (int other = 0; other < sk->nr_cpu_ids; other++)
		if (other != cpu && sk->cpus[other].running == t)
			metrics_violation(sk->metrics, sk->now, VIOLATION_TWO_CPUS,
					  "task %d starts on CPU %d while running on CPU %d",
					  t->tid, cpu, other);
	if (!t->runnable || !CPU_ISSET(cpu, &t->mask) || !sk_cpu_available(sk, cpu))
		metrics_violation(sk->metrics, sk->now, VIOLATION_BAD_COMMIT,
				  "task %d starts on CPU %d: %s", t->tid, cpu,
				  !t->runnable ? "it is blocked" :
				  !CPU_ISSET(cpu, &t->mask) ? "its cpumask excludes the CPU" :
				  "the CPU is not available");
}

/* The CPU switches to its latched task (preempting a running one). */
static void start_latched(struct sim_kernel *sk, struct sk_cpu *c)
{
	struct sk_task *t = c->latched;

	if (c->running && c->running != t)
		sk_preempt_running(sk, c->id, 0);
	check_start(sk, t, c->id);
	c->latched = NULL;
	t->latched_cpu = -1;
	c->running = t;
	t->running_cpu = c->id;
	t->work_start = sk->now + c->latch_switch_ns;
	if (t->measured)
		metrics_wait(sk->metrics, t->class, t->work_start - t->runnable_since);
	sk_cpu_account(sk, c->id);
	sk_cpu_word_update(sk, c->id);
	sk_task_word_update(sk, t);
	event_push(sk->events, t->work_start + t->burst_left_ns, EV_BURST_END,
		   slot_of(sk, t), t->gen);
}

void sk_cpu_resched(struct sim_kernel *sk, int cpu)
{
	struct sk_cpu *c = &sk->cpus[cpu];

	if (!sk->destroyed && c->latched && !c->hogs && !sk_agent_holds_cpu(sk, c))
		start_latched(sk, c);
	sk_cpu_account(sk, cpu);
}

void sk_cpu_switch(struct sim_kernel *sk, int cpu, uint32_t gen)
{
	if (sk->cpus[cpu].switch_gen == gen)
		sk_cpu_resched(sk, cpu);
}

/* ghost_update_availability(): tell the CPU's agent (or the default queue). */
static void availability_changed(struct sim_kernel *sk, int cpu, bool available)
{
	sk_cpu_word_update(sk, cpu);
	sk_send_cpu(sk, cpu, available ? GHOST_MSG_CPU_AVAILABLE : GHOST_MSG_CPU_BUSY, 0);
	sk_agent_wake(sk, cpu);
}

void sk_hog_start(struct sim_kernel *sk, int cpu)
{
	struct sk_cpu *c = &sk->cpus[cpu];

	if (c->hogs++ || !c->in_enclave) {
		sk_cpu_account(sk, cpu);
		return;
	}
	sk_preempt_running(sk, cpu, GHOST_MSG_F_BY_HIGHER_CLASS);
	sk_cpu_account(sk, cpu);
	availability_changed(sk, cpu, false);
}

void sk_hog_end(struct sim_kernel *sk, int cpu)
{
	struct sk_cpu *c = &sk->cpus[cpu];

	if (--c->hogs || !c->in_enclave) {
		sk_cpu_account(sk, cpu);
		return;
	}
	availability_changed(sk, cpu, true);
	/* The latched task was waiting for the CPU: it switches in now. */
	c->latch_switch_ns = sk->m->cost[COST_CONTEXT_SWITCH];
	sk_cpu_resched(sk, cpu);
}
