// SPDX-License-Identifier: GPL-2.0
/*
 * The scripted backend: see scripted_backend.h. Where this model and
 * ghost.ko could differ, the uapi header's words are what it follows.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "scripted_backend.h"

struct backend_queue {
	int index;
	struct ghost_msg *ring;
	uint32_t nr_slots;		/* as the runtime asked, like the kernel */
	uint32_t head, tail;
	uint32_t overflow;
	int wakeup_cpu;
	bool live;
};

static struct scripted_backend *sb_of(struct backend *be)
{
	return (struct scripted_backend *)be;
}

static struct ghost_status_word *word(struct scripted_backend *sb, uint32_t i)
{
	return (struct ghost_status_word *)(sb->status + 1) + i;
}

static struct ghost_status_word *cpu_word(struct scripted_backend *sb, int cpu)
{
	return word(sb, cpu);
}

static uint32_t slot_of(const struct scripted_backend *sb, uint64_t gtid)
{
	return (uint32_t)gtid - sb->nr_cpu_ids;
}

struct sb_task *sb_task(struct scripted_backend *sb, uint64_t gtid)
{
	uint32_t i = slot_of(sb, gtid);

	if ((uint32_t)gtid < (uint32_t)sb->nr_cpu_ids || i >= SB_MAX_TASKS ||
	    !sb->tasks[i].live || sb->tasks[i].gtid != gtid)
		return NULL;
	return &sb->tasks[i];
}

uint64_t sb_running(const struct scripted_backend *sb, int cpu)
{
	for (int i = 0; i < SB_MAX_TASKS; i++)
		if (sb->tasks[i].live && sb->tasks[i].cpu == cpu)
			return sb->tasks[i].gtid;
	return 0;
}

static struct backend_queue *queue(struct scripted_backend *sb, int i)
{
	return i >= 0 && i < sb->nr_queues && sb->queues[i]->live ?
	       sb->queues[i] : NULL;
}

/* An agent's CPU barrier moves; if the agent sleeps, it wakes. */
static void wake_cpu(struct scripted_backend *sb, int cpu)
{
	int agent;

	if (cpu < 0 || cpu >= sb->nr_cpu_ids || (agent = sb->agent_on[cpu]) < 0)
		return;
	cpu_word(sb, cpu)->barrier++;
	sb->parked[agent] = false;
	cpu_word(sb, cpu)->flags &= ~GHOST_SW_CPU_AGENT_PARKED;
}

static void produce(struct scripted_backend *sb, int qi, struct ghost_msg *m)
{
	struct backend_queue *q = queue(sb, qi);

	/* An orphaned queue's messages go to the default queue. */
	if (!q)
		q = queue(sb, sb->default_queue);
	if (!q)
		return;
	m->size = sizeof(*m);
	m->time_ns = sb->now;
	if (q->head - q->tail >= q->nr_slots)
		q->overflow++;
	else
		q->ring[q->head++ % q->nr_slots] = *m;
	wake_cpu(sb, q->wakeup_cpu);
}

static void send_task(struct scripted_backend *sb, struct sb_task *t, int type,
		      uint32_t flags)
{
	struct ghost_status_word *w = word(sb, (uint32_t)t->gtid);
	struct ghost_msg m = {
		.type = type,
		.gtid = t->gtid,
		.cpu = t->cpu,
		.flags = flags,
		.runtime_ns = t->runtime_ns,
	};

	m.seqnum = ++w->barrier;
	if (type == GHOST_MSG_TASK_NEW) {
		m.task_new.tid = t->tid;
		m.task_new.nice = t->nice;
		m.task_new.status_index = (uint32_t)t->gtid;
	} else if (type == GHOST_MSG_TASK_PRIORITY_CHANGED) {
		m.task_priority.nice = t->nice;
	}
	produce(sb, t->queue, &m);
}

static void send_cpu(struct scripted_backend *sb, int cpu, int type, uint32_t flags)
{
	struct ghost_msg m = { .type = type, .cpu = cpu, .flags = flags };

	m.seqnum = ++cpu_word(sb, cpu)->barrier;
	produce(sb, sb->agent_on[cpu] >= 0 ? sb->queue_of_agent_cpu[cpu] :
		sb->default_queue, &m);
}

static void task_word_sync(struct scripted_backend *sb, struct sb_task *t)
{
	struct ghost_status_word *w = word(sb, (uint32_t)t->gtid);

	w->gtid = t->gtid;
	w->runtime_ns = t->runtime_ns;
	w->flags = GHOST_SW_F_INUSE |
		   (t->runnable ? GHOST_SW_TASK_RUNNABLE : 0) |
		   (t->cpu >= 0 ? GHOST_SW_TASK_ONCPU : 0);
}

/* @t stops holding its CPU. */
static void off_cpu(struct scripted_backend *sb, struct sb_task *t)
{
	if (t->cpu < 0)
		return;
	cpu_word(sb, t->cpu)->gtid = 0;
	t->runtime_ns += 1000;
	t->cpu = -1;
	task_word_sync(sb, t);
}

uint64_t sb_task_new(struct scripted_backend *sb, int32_t tid, bool runnable)
{
	for (uint32_t i = 0; i < SB_MAX_TASKS; i++) {
		struct sb_task *t = &sb->tasks[i];

		if (t->live)
			continue;
		*t = (struct sb_task){
			.live = true,
			.gtid = ((uint64_t)++sb->reuses[i] << 32) | (i + sb->nr_cpu_ids),
			.tid = tid,
			.runnable = runnable,
			.cpu = -1,
			.queue = sb->default_queue,
		};
		CPU_ZERO(&t->mask);
		for (int cpu = 0; cpu < sb->nr_cpu_ids; cpu++)
			CPU_SET(cpu, &t->mask);
		word(sb, (uint32_t)t->gtid)->barrier = 0;
		task_word_sync(sb, t);
		send_task(sb, t, GHOST_MSG_TASK_NEW, runnable ? GHOST_MSG_F_RUNNABLE : 0);
		return t->gtid;
	}
	return 0;
}

void sb_task_wakeup(struct scripted_backend *sb, uint64_t gtid)
{
	struct sb_task *t = sb_task(sb, gtid);

	t->runnable = true;
	task_word_sync(sb, t);
	send_task(sb, t, GHOST_MSG_TASK_WAKEUP, 0);
}

void sb_task_block(struct scripted_backend *sb, uint64_t gtid)
{
	struct sb_task *t = sb_task(sb, gtid);

	t->runnable = false;
	off_cpu(sb, t);
	send_task(sb, t, GHOST_MSG_TASK_BLOCKED, 0);
}

void sb_task_yield(struct scripted_backend *sb, uint64_t gtid)
{
	struct sb_task *t = sb_task(sb, gtid);

	off_cpu(sb, t);
	send_task(sb, t, GHOST_MSG_TASK_YIELD, 0);
}

void sb_task_preempt(struct scripted_backend *sb, uint64_t gtid, uint32_t flags)
{
	struct sb_task *t = sb_task(sb, gtid);

	off_cpu(sb, t);
	send_task(sb, t, GHOST_MSG_TASK_PREEMPT, flags);
}

static void task_gone(struct scripted_backend *sb, struct sb_task *t, int type,
		      uint32_t reason)
{
	struct ghost_status_word *w = word(sb, (uint32_t)t->gtid);
	struct ghost_msg m = {
		.type = type,
		.gtid = t->gtid,
		.cpu = t->cpu,
	};

	off_cpu(sb, t);
	m.seqnum = ++w->barrier;
	m.task_departed.reason = reason;
	produce(sb, t->queue, &m);
	memset(w, 0, sizeof(*w));
	t->live = false;
}

void sb_task_exit(struct scripted_backend *sb, uint64_t gtid)
{
	task_gone(sb, sb_task(sb, gtid), GHOST_MSG_TASK_DEAD, 0);
}

void sb_task_depart(struct scripted_backend *sb, uint64_t gtid, uint32_t reason)
{
	task_gone(sb, sb_task(sb, gtid), GHOST_MSG_TASK_DEPARTED, reason);
}

void sb_task_set_mask(struct scripted_backend *sb, uint64_t gtid,
		      const cpu_set_t *mask)
{
	struct sb_task *t = sb_task(sb, gtid);

	t->mask = *mask;
	send_task(sb, t, GHOST_MSG_TASK_AFFINITY_CHANGED, 0);
	/* The kernel migrates it off a CPU it may no longer use. */
	if (t->cpu >= 0 && !CPU_ISSET(t->cpu, mask))
		sb_task_preempt(sb, gtid, 0);
}

void sb_task_set_nice(struct scripted_backend *sb, uint64_t gtid, int nice)
{
	struct sb_task *t = sb_task(sb, gtid);

	t->nice = nice;
	send_task(sb, t, GHOST_MSG_TASK_PRIORITY_CHANGED, 0);
}

void sb_cpu_busy(struct scripted_backend *sb, int cpu)
{
	uint64_t running = sb_running(sb, cpu);

	cpu_word(sb, cpu)->flags &= ~GHOST_SW_CPU_AVAIL;
	if (sb->agent_on[cpu] >= 0)
		cpu_word(sb, cpu)->flags |= GHOST_SW_CPU_BOOST;
	if (running)
		sb_task_preempt(sb, running, GHOST_MSG_F_BY_HIGHER_CLASS);
	send_cpu(sb, cpu, GHOST_MSG_CPU_BUSY, 0);
	wake_cpu(sb, cpu);
}

void sb_cpu_available(struct scripted_backend *sb, int cpu)
{
	cpu_word(sb, cpu)->flags |= GHOST_SW_CPU_AVAIL;
	cpu_word(sb, cpu)->flags &= ~GHOST_SW_CPU_BOOST;
	send_cpu(sb, cpu, GHOST_MSG_CPU_AVAILABLE, 0);
	wake_cpu(sb, cpu);
}

uint32_t sb_queue_capacity(const struct scripted_backend *sb, int i)
{
	return sb->queues[i]->nr_slots;
}

int sb_queue_len(const struct scripted_backend *sb, int i)
{
	const struct backend_queue *q = sb->queues[i];

	return q->head - q->tail;
}

int sb_queue_wakeup(const struct scripted_backend *sb, int i)
{
	return sb->queues[i]->wakeup_cpu;
}

void sb_queue_flood(struct scripted_backend *sb, int i, int nr)
{
	sb->queues[i]->overflow += nr;
}

void sb_queue_drop(struct scripted_backend *sb, int i, int nr)
{
	struct backend_queue *q = sb->queues[i];

	while (nr-- && q->tail != q->head)
		q->tail++;
}

/* Backend operations */

static int sb_enclave_info(struct backend *be, struct backend_enclave *info)
{
	struct scripted_backend *sb = sb_of(be);
	int nr = 0;

	if (sb->destroyed)
		return -ENODEV;
	memset(info, 0, sizeof(*info));
	info->cpus = sb->cpus;
	info->nr_cpu_ids = sb->nr_cpu_ids;
	info->max_tasks = SB_MAX_TASKS;
	for (int i = 0; i < SB_MAX_TASKS; i++)
		nr += sb->tasks[i].live;
	info->nr_tasks = nr;
	info->watchdog_ms = sb->watchdog_ms;
	info->status = sb->status;
	info->txns = sb->txns;
	return 0;
}

static uint64_t sb_now_ns(struct backend *be)
{
	return sb_of(be)->now;
}

static int sb_task_cpumask(struct backend *be, int32_t tid, cpu_set_t *mask)
{
	struct scripted_backend *sb = sb_of(be);

	for (int i = 0; i < SB_MAX_TASKS; i++) {
		if (sb->tasks[i].live && sb->tasks[i].tid == tid) {
			*mask = sb->tasks[i].mask;
			return 0;
		}
	}
	return -ESRCH;
}

static int sb_queue_create(struct backend *be, int wakeup_cpu, uint32_t nr_slots,
			   struct backend_queue **out)
{
	struct scripted_backend *sb = sb_of(be);
	struct backend_queue *q;

	if (sb->destroyed)
		return -ENODEV;
	if (nr_slots < 16 || nr_slots > 65536 || (nr_slots & (nr_slots - 1)))
		return -EINVAL;
	if (sb->nr_queues == SB_MAX_QUEUES)
		return -ENOSPC;
	q = calloc(1, sizeof(*q));
	if (q)
		q->ring = calloc(nr_slots, sizeof(*q->ring));
	if (!q || !q->ring) {
		free(q);
		return -ENOMEM;
	}
	q->nr_slots = nr_slots;
	q->index = sb->nr_queues;
	q->wakeup_cpu = wakeup_cpu;
	q->live = true;
	sb->queues[sb->nr_queues++] = q;
	if (sb->default_queue < 0)
		sb->default_queue = q->index;
	*out = q;
	return 0;
}

/* The model keeps the memory (the test may look); the queue is orphaned. */
static void sb_queue_destroy(struct backend *be, struct backend_queue *q)
{
	(void)be;
	q->live = false;
}

static int sb_queue_set_default(struct backend *be, struct backend_queue *q)
{
	sb_of(be)->default_queue = q->index;
	return 0;
}

static int sb_queue_set_wakeup(struct backend *be, struct backend_queue *q,
			       int wakeup_cpu)
{
	(void)be;
	q->wakeup_cpu = wakeup_cpu;
	return 0;
}

static bool sb_queue_pop(struct backend *be, struct backend_queue *q,
			 struct ghost_msg *msg)
{
	(void)be;
	if (q->head == q->tail)
		return false;
	*msg = q->ring[q->tail++ % q->nr_slots];
	return true;
}

static uint32_t sb_queue_pending(struct backend *be, const struct backend_queue *q)
{
	(void)be;
	return q->head - q->tail;
}

static uint32_t sb_queue_overflows(struct backend *be, const struct backend_queue *q)
{
	(void)be;
	return q->overflow;
}

static int sb_assoc_queue(struct backend *be, struct backend_queue *q,
			  uint64_t gtid, uint32_t task_barrier)
{
	struct scripted_backend *sb = sb_of(be);
	struct sb_task *t = sb_task(sb, gtid);

	if (!t)
		return -ENOENT;
	if (word(sb, (uint32_t)gtid)->barrier != task_barrier)
		return -ESTALE;
	t->queue = q->index;
	sb->nr_assocs++;
	return 0;
}

static int sb_discover(struct backend *be, uint32_t *nr_tasks)
{
	struct scripted_backend *sb = sb_of(be);

	*nr_tasks = 0;
	sb->nr_discovers++;
	for (int i = 0; i < SB_MAX_TASKS; i++) {
		if (!sb->tasks[i].live)
			continue;
		send_task(sb, &sb->tasks[i], GHOST_MSG_TASK_NEW,
			  sb->tasks[i].runnable ? GHOST_MSG_F_RUNNABLE : 0);
		(*nr_tasks)++;
	}
	return 0;
}

static void agent_arrives(struct scripted_backend *sb, unsigned int agent,
			  int cpu, int queue_index)
{
	uint64_t running = sb_running(sb, cpu);

	sb->agent_on[cpu] = agent;
	sb->agent_cpu[agent] = cpu;
	sb->queue_of_agent_cpu[cpu] = queue_index;
	sb->parked[agent] = false;
	cpu_word(sb, cpu)->flags |= GHOST_SW_CPU_HAS_AGENT;
	/* An agent running on a CPU preempts the ghost task there. */
	if (running)
		sb_task_preempt(sb, running, 0);
}

static void agent_leaves(struct scripted_backend *sb, unsigned int agent)
{
	int cpu = sb->agent_cpu[agent];

	if (cpu < 0)
		return;
	sb->agent_on[cpu] = -1;
	sb->agent_cpu[agent] = -1;
	sb->parked[agent] = false;
	cpu_word(sb, cpu)->flags &= ~(GHOST_SW_CPU_HAS_AGENT |
				      GHOST_SW_CPU_AGENT_PARKED | GHOST_SW_CPU_BOOST);
}

static int sb_agent_attach(struct backend *be, unsigned int agent, int cpu,
			   struct backend_queue *q)
{
	struct scripted_backend *sb = sb_of(be);

	if (sb->destroyed)
		return -ENODEV;
	if (cpu < 0 || cpu >= sb->nr_cpu_ids || !CPU_ISSET(cpu, &sb->cpus))
		return -EINVAL;
	if (sb->agent_cpu[agent] >= 0)
		return -EALREADY;
	if (sb->agent_on[cpu] >= 0 || sb->attach_busy[cpu]) {
		if (sb->attach_busy[cpu])
			sb->attach_busy[cpu]--;
		return -EBUSY;
	}
	agent_arrives(sb, agent, cpu, q ? q->index : sb->default_queue);
	return 0;
}

static int sb_agent_park(struct backend *be, unsigned int agent,
			 uint32_t agent_barrier)
{
	struct scripted_backend *sb = sb_of(be);
	int cpu = sb->agent_cpu[agent];

	if (sb->destroyed || cpu < 0)
		return -ENODEV;
	if (cpu_word(sb, cpu)->barrier != agent_barrier)
		return -ESTALE;
	sb->parked[agent] = true;
	cpu_word(sb, cpu)->flags |= GHOST_SW_CPU_AGENT_PARKED;
	sb->nr_parks++;
	return 0;
}

static int sb_agent_move(struct backend *be, unsigned int agent, int cpu)
{
	struct scripted_backend *sb = sb_of(be);
	int from = sb->agent_cpu[agent];
	int queue_index;

	if (sb->destroyed || from < 0)
		return -ENODEV;
	if (cpu < 0 || cpu >= sb->nr_cpu_ids || !CPU_ISSET(cpu, &sb->cpus))
		return -EINVAL;
	if (cpu == from)
		return 0;
	if (sb->agent_on[cpu] >= 0)
		return -EBUSY;
	queue_index = sb->queue_of_agent_cpu[from];
	agent_leaves(sb, agent);
	agent_arrives(sb, agent, cpu, queue_index);
	sb->nr_moves++;
	return 0;
}

static int sb_agent_release(struct backend *be, unsigned int agent)
{
	struct scripted_backend *sb = sb_of(be);

	if (sb->agent_cpu[agent] < 0)
		return -EPERM;
	agent_leaves(sb, agent);
	return 0;
}

void sb_kill_agents(struct scripted_backend *sb)
{
	for (int a = 0; a < SB_MAX_CPUS; a++)
		agent_leaves(sb, a);
	for (int i = 0; i < sb->nr_queues; i++)
		sb->queues[i]->live = false;
}

/* The module's checks of one slot, in its order (see the uapi header). */
static int check_slot(struct scripted_backend *sb, int agent_cpu, int cpu,
		      const struct ghost_txn *txn, const uint64_t *claimed, int n)
{
	struct sb_task *t = sb_task(sb, txn->target);

	if (!CPU_ISSET(cpu, &sb->cpus))
		return GHOST_TXN_INVALID_CPU;
	if (txn->run_flags & ~GHOST_RUN_F_ALL)
		return GHOST_TXN_INVALID_FLAGS;
	if (txn->target == GHOST_TARGET_NONE)
		return cpu == agent_cpu && cpu_word(sb, cpu)->barrier != txn->agent_barrier ?
		       GHOST_TXN_AGENT_STALE : GHOST_TXN_COMPLETE;
	if (!t)
		return GHOST_TXN_TARGET_NOT_FOUND;
	if (word(sb, (uint32_t)t->gtid)->barrier != txn->task_barrier)
		return GHOST_TXN_TARGET_STALE;
	if (cpu == agent_cpu && cpu_word(sb, cpu)->barrier != txn->agent_barrier)
		return GHOST_TXN_AGENT_STALE;
	if (!t->runnable)
		return GHOST_TXN_TARGET_NOT_RUNNABLE;
	for (int i = 0; i < n; i++)
		if (claimed[i] == t->gtid)
			return GHOST_TXN_TARGET_LATCHED;
	if (t->cpu >= 0 && t->cpu != cpu)
		return GHOST_TXN_TARGET_ONCPU;
	if (!CPU_ISSET(cpu, &t->mask))
		return GHOST_TXN_TARGET_NOT_ALLOWED;
	if (!(cpu_word(sb, cpu)->flags & GHOST_SW_CPU_AVAIL))
		return GHOST_TXN_CPU_UNAVAIL;
	return GHOST_TXN_COMPLETE;
}

static void latch(struct scripted_backend *sb, int cpu, uint64_t gtid)
{
	struct sb_task *t = sb_task(sb, gtid);
	uint64_t displaced = sb_running(sb, cpu);

	if (displaced && displaced != gtid)
		sb_task_preempt(sb, displaced,
				sb->latched_only[cpu] ? GHOST_MSG_F_WAS_LATCHED : 0);
	sb->latched_only[cpu] = false;
	if (gtid == GHOST_TARGET_NONE) {
		cpu_word(sb, cpu)->gtid = 0;
		return;
	}
	t->cpu = cpu;
	cpu_word(sb, cpu)->gtid = gtid;
	task_word_sync(sb, t);
	sb->ran[slot_of(sb, gtid)]++;
	sb->ran_on[slot_of(sb, gtid)][cpu]++;
}

static int sb_commit(struct backend *be, unsigned int agent,
		     const cpu_set_t *cpus, uint32_t flags)
{
	struct scripted_backend *sb = sb_of(be);
	struct sb_commit_record *rec = &sb->commits[sb->nr_commits % SB_MAX_COMMITS];
	bool sync = flags & GHOST_COMMIT_F_SYNC_GROUP, busy = false;
	int agent_cpu = sb->agent_cpu[agent], failed = -1, n = 0;
	int states[SB_MAX_CPUS];
	uint64_t claimed[SB_MAX_CPUS];

	if (sb->destroyed)
		return -ENODEV;
	if (agent_cpu < 0)
		return -EPERM;
	for (int cpu = 0; cpu < SB_MAX_CPUS; cpu++)
		states[cpu] = -1;
	memset(rec, 0, sizeof(*rec));
	rec->agent = agent;
	rec->cpus = *cpus;
	rec->flags = flags;
	sb->nr_commits++;
	for (int cpu = 0; cpu < sb->nr_cpu_ids; cpu++) {
		struct ghost_txn *txn = &sb->txns[cpu];

		if (!CPU_ISSET(cpu, cpus))
			continue;
		rec->slots[cpu] = (struct sb_slot_record){
			.target = txn->target,
			.task_barrier = txn->task_barrier,
			.agent_barrier = txn->agent_barrier,
		};
		if (txn->state != GHOST_TXN_READY) {
			busy = true;
			continue;
		}
		states[cpu] = sb->forced[cpu] ? sb->forced[cpu] :
			      check_slot(sb, agent_cpu, cpu, txn, claimed, n);
		sb->forced[cpu] = 0;
		if (states[cpu] == GHOST_TXN_COMPLETE)
			claimed[n++] = txn->target;
		else if (failed < 0)
			failed = cpu;
	}
	/* A sync group is all or nothing: the first failure poisons the rest. */
	if (sync && (failed >= 0 || busy))
		for (int cpu = 0; cpu < sb->nr_cpu_ids; cpu++)
			if (states[cpu] >= 0 && cpu != failed)
				states[cpu] = GHOST_TXN_POISONED;
	for (int cpu = 0; cpu < sb->nr_cpu_ids; cpu++) {
		if (states[cpu] < 0)
			continue;
		if (states[cpu] == GHOST_TXN_COMPLETE)
			latch(sb, cpu, sb->txns[cpu].target);
		sb->txns[cpu].state = states[cpu];
		rec->slots[cpu].state = states[cpu];
	}
	/* A local commit that latched a task parks its agent. */
	if (agent_cpu >= 0 && states[agent_cpu] == GHOST_TXN_COMPLETE &&
	    sb->txns[agent_cpu].target != GHOST_TARGET_NONE) {
		sb->parked[agent] = true;
		cpu_word(sb, agent_cpu)->flags |= GHOST_SW_CPU_AGENT_PARKED;
	}
	return busy ? -EBUSY : 0;
}

static int sb_ping(struct backend *be, int cpu)
{
	struct scripted_backend *sb = sb_of(be);

	if (cpu < 0 || cpu >= sb->nr_cpu_ids || !CPU_ISSET(cpu, &sb->cpus))
		return -EINVAL;
	if (sb->agent_on[cpu] < 0)
		return -ESRCH;
	sb->pings[cpu]++;
	wake_cpu(sb, cpu);
	return 0;
}

static int sb_set_cpus(struct backend *be, const cpu_set_t *cpus)
{
	struct scripted_backend *sb = sb_of(be);

	if (sb->set_cpus_error)
		return -sb->set_cpus_error;
	if (!CPU_COUNT(cpus))
		return -EINVAL;
	for (int cpu = 0; cpu < sb->nr_cpu_ids; cpu++) {
		struct ghost_status_word *w = cpu_word(sb, cpu);
		uint64_t running = sb_running(sb, cpu);

		if (CPU_ISSET(cpu, cpus)) {
			w->flags |= GHOST_SW_CPU_IN_ENCLAVE | GHOST_SW_CPU_AVAIL;
			continue;
		}
		/* A removed CPU loses its agent and its task. */
		if (sb->agent_on[cpu] >= 0)
			agent_leaves(sb, sb->agent_on[cpu]);
		if (running)
			sb_task_preempt(sb, running, 0);
		w->flags = 0;
	}
	CPU_ZERO(&sb->cpus);
	for (int cpu = 0; cpu < sb->nr_cpu_ids; cpu++)
		if (CPU_ISSET(cpu, cpus))
			CPU_SET(cpu, &sb->cpus);
	sb->nr_set_cpus++;
	return 0;
}

static int sb_destroy(struct backend *be)
{
	sb_of(be)->destroyed = true;
	return 0;
}

static void sb_close(struct backend *be)
{
	(void)be;
}

static const struct backend_ops scripted_ops = {
	.enclave_info = sb_enclave_info,
	.now_ns = sb_now_ns,
	.task_cpumask = sb_task_cpumask,
	.queue_create = sb_queue_create,
	.queue_destroy = sb_queue_destroy,
	.queue_set_default = sb_queue_set_default,
	.queue_set_wakeup = sb_queue_set_wakeup,
	.queue_pop = sb_queue_pop,
	.queue_pending = sb_queue_pending,
	.queue_overflows = sb_queue_overflows,
	.assoc_queue = sb_assoc_queue,
	.discover = sb_discover,
	.agent_attach = sb_agent_attach,
	.agent_park = sb_agent_park,
	.agent_move = sb_agent_move,
	.agent_release = sb_agent_release,
	.commit = sb_commit,
	.ping = sb_ping,
	.set_cpus = sb_set_cpus,
	.destroy = sb_destroy,
	.close = sb_close,
};

struct scripted_backend *sb_create(int nr_cpu_ids, int first, int last)
{
	struct scripted_backend *sb = calloc(1, sizeof(*sb));
	uint32_t nr_words = nr_cpu_ids + SB_MAX_TASKS;

	if (!sb || nr_cpu_ids > SB_MAX_CPUS)
		goto fail;
	sb->status = calloc(1, sizeof(*sb->status) +
			    nr_words * sizeof(struct ghost_status_word));
	if (!sb->status)
		goto fail;
	sb->base.ops = &scripted_ops;
	sb->nr_cpu_ids = nr_cpu_ids;
	sb->watchdog_ms = 5000;
	sb->now = 1000000000ULL;
	sb->default_queue = -1;
	sb->status->magic = GHOST_STATUS_MAGIC;
	sb->status->abi_version = GHOST_ABI_VERSION;
	sb->status->nr_words = nr_words;
	sb->status->nr_cpu_words = nr_cpu_ids;
	sb->status->word_size = sizeof(struct ghost_status_word);
	CPU_ZERO(&sb->cpus);
	for (int cpu = 0; cpu < SB_MAX_CPUS; cpu++) {
		sb->agent_on[cpu] = -1;
		sb->agent_cpu[cpu] = -1;
	}
	for (int cpu = first; cpu <= last; cpu++) {
		CPU_SET(cpu, &sb->cpus);
		cpu_word(sb, cpu)->flags = GHOST_SW_CPU_IN_ENCLAVE | GHOST_SW_CPU_AVAIL;
	}
	return sb;
fail:
	sb_free(sb);
	return NULL;
}

void sb_free(struct scripted_backend *sb)
{
	if (!sb)
		return;
	for (int i = 0; i < sb->nr_queues; i++) {
		free(sb->queues[i]->ring);
		free(sb->queues[i]);
	}
	free(sb->status);
	free(sb);
}

/* Driver */

void sb_wake_idle(struct scripted_backend *sb)
{
	for (int a = 0; a < SB_MAX_CPUS; a++)
		if (sb->last_step[a] == RT_STEP_IDLE)
			sb->last_step[a] = RT_STEP_AGAIN;
}

static bool agent_runnable(const struct scripted_backend *sb,
			   const struct runtime *rt, int a)
{
	if (a >= (int)rt_nr_agents(rt) || !rt_agent_wanted(rt, a))
		return false;
	if (sb->agent_cpu[a] >= 0)
		return !sb->parked[a];
	return sb->last_step[a] != RT_STEP_IDLE && sb->last_step[a] != RT_STEP_EXIT;
}

/* Each step costs 10 us of simulated time, so idle spins end. */
int sb_run(struct scripted_backend *sb, struct runtime *rt, int max_steps)
{
	int steps = 0;

	while (steps < max_steps) {
		bool ran = false;

		for (int a = 0; a < sb->nr_cpu_ids && steps < max_steps; a++) {
			uint64_t displaced;

			if (!agent_runnable(sb, rt, a))
				continue;
			/* An agent running where a ghost task runs preempts it. */
			if (sb->agent_cpu[a] >= 0 && !sb->latched_only[sb->agent_cpu[a]] &&
			    (displaced = sb_running(sb, sb->agent_cpu[a])))
				sb_task_preempt(sb, displaced, 0);
			sb->last_step[a] = rt_agent_step(rt, a);
			if (sb->last_step[a] == RT_STEP_RETRY_LATER)
				sb->now += 1000000;
			sb->now += 10000;
			steps++;
			ran = true;
		}
		if (!ran)
			break;
	}
	return steps;
}

int32_t sb_everyone_runs_again(struct scripted_backend *sb, struct runtime *rt,
			       int first, int last)
{
	static int ran_before[SB_MAX_TASKS];

	memcpy(ran_before, sb->ran, sizeof(ran_before));
	for (int i = 0; i < SB_MAX_TASKS; i++) {
		if (!sb->tasks[i].live)
			continue;
		if (sb->tasks[i].cpu >= 0)
			sb_task_block(sb, sb->tasks[i].gtid);
		if (!sb->tasks[i].runnable)
			sb_task_wakeup(sb, sb->tasks[i].gtid);
	}
	for (int round = 0; round < SB_MAX_TASKS; round++) {
		bool pending = false;

		sb_run(sb, rt, 1000);
		for (int i = 0; i < SB_MAX_TASKS; i++)
			pending |= sb->tasks[i].live && sb->ran[i] == ran_before[i];
		if (!pending)
			return 0;
		for (int cpu = first; cpu <= last; cpu++) {
			uint64_t g = sb_running(sb, cpu);

			if (g) {
				sb_task_block(sb, g);
				sb_task_wakeup(sb, g);
			}
		}
	}
	for (int i = 0; i < SB_MAX_TASKS; i++)
		if (sb->tasks[i].live && sb->ran[i] == ran_before[i])
			return sb->tasks[i].tid;
	return 0;
}

int sb_change(struct scripted_backend *sb, struct runtime *rt, char *why,
	      size_t len)
{
	int ret;

	rt_quiesce(rt);
	/* Agents between steps are quiet at once: nothing runs here. */
	if (!rt_quiesced(rt))
		return -1;
	if (rt_summon(rt))
		sb_wake_idle(sb);
	ret = rt_commit(rt, why, len);
	if (ret)
		rt_abort(rt);
	sb->now += 100000;
	rt_resume(rt);
	sb_wake_idle(sb);
	return ret;
}

const struct sb_commit_record *sb_last_commit(const struct scripted_backend *sb,
					      int cpu)
{
	for (int i = sb->nr_commits - 1; i >= 0 && i >= sb->nr_commits - SB_MAX_COMMITS; i--)
		if (CPU_ISSET(cpu, &sb->commits[i % SB_MAX_COMMITS].cpus))
			return &sb->commits[i % SB_MAX_COMMITS];
	return NULL;
}
