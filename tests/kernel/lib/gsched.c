// SPDX-License-Identifier: GPL-2.0
/*
 * The test FIFO scheduler: see gsched.h.
 *
 * Ownership keeps the agents apart without locks held across anything
 * slow: a task record belongs to one agent (its hash table and runqueue),
 * and the leader hands a new task over through the receiving agent's
 * single-producer inbox. Only the record pool has a lock, a spinlock that
 * agents hold for a few instructions.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gsched.h"

#define GSCHED_BUCKETS		4096
#define GSCHED_QUEUE_SLOTS	4096
#define GSCHED_ATTACH_MS	10000
#define GSCHED_WAKE_SIGNAL	SIGUSR1

#define LOAD(x)		__atomic_load_n(&(x), __ATOMIC_ACQUIRE)
#define STORE(x, v)	__atomic_store_n(&(x), (v), __ATOMIC_RELEASE)

struct glink {
	struct glink *prev, *next;
};

struct task {
	struct glink rq;		/* first, see task_of() */
	struct task *hash_next;
	uint64_t gtid;
	uint32_t seqnum;		/* of the last message read */
	int cpu;			/* latched or running there by us, or -1 */
	bool runnable;
	bool queued;
	bool announced;			/* TASK_NEW seen */
	bool forked;
};

/* Records handed from the leader (the only producer) to one agent. */
struct inbox {
	struct task **ring;
	uint32_t mask;
	uint32_t head;
	uint32_t tail;
};

struct agent {
	struct gsched *sched;
	pthread_t thread;
	bool started;
	int cpu;
	struct gqueue queue;
	struct task *buckets[GSCHED_BUCKETS];
	struct glink runqueue;
	struct inbox inbox;
	bool woken;		/* what it drains next woke it up */
	bool gone;		/* the enclave was destroyed */
	int attach_result;	/* 0: pending, 1: attached, else -errno */
	bool exited;
};

struct gsched {
	struct genclave *enc;
	struct gsched_config config;
	struct agent *agents;
	int nr_agents;
	int next_agent;		/* the leader's round robin */
	bool stop;
	/* By CPU: the task we latched there, and who may write its slot. */
	struct task *cpu_task[CPU_SETSIZE];
	struct task *picked[CPU_SETSIZE];
	int slot_owner[CPU_SETSIZE];
	struct task *records;
	struct task *free_records;
	uint32_t nr_records;
	pthread_spinlock_t records_lock;
	struct gsched_counters counters;
};

static void count(uint64_t *counter, uint64_t n)
{
	__atomic_fetch_add(counter, n, __ATOMIC_RELAXED);
}

static bool agent_stopping(const struct agent *a)
{
	return a->gone || LOAD(a->sched->stop);
}

static bool agent_is_leader(const struct agent *a)
{
	return a == &a->sched->agents[0];
}

/* Sorts an ioctl failure: the enclave going away ends the agent. */
static void agent_ioctl_failed(struct agent *a, int err)
{
	if (err == ENODEV) {
		if (!a->gone)
			count(&a->sched->counters.enclave_gone, 1);
		a->gone = true;
	} else if (err != ESTALE && err != EINTR) {
		count(&a->sched->counters.ioctl_errors, 1);
	}
}

/* Runqueue */

static struct task *task_of(struct glink *link)
{
	return (struct task *)link;
}

static void rq_dequeue(struct task *t)
{
	if (!t->queued)
		return;
	t->rq.prev->next = t->rq.next;
	t->rq.next->prev = t->rq.prev;
	t->queued = false;
}

static void rq_insert(struct task *t, struct glink *prev)
{
	t->rq.prev = prev;
	t->rq.next = prev->next;
	prev->next->prev = &t->rq;
	prev->next = &t->rq;
	t->queued = true;
}

static void rq_enqueue_tail(struct agent *a, struct task *t)
{
	if (!t->queued && t->cpu < 0)
		rq_insert(t, a->runqueue.prev);
}

static void rq_enqueue_head(struct agent *a, struct task *t)
{
	if (!t->queued && t->cpu < 0)
		rq_insert(t, &a->runqueue);
}

static struct task *rq_first(struct agent *a)
{
	if (a->runqueue.next == &a->runqueue)
		return NULL;
	return task_of(a->runqueue.next);
}

/* Task records */

static int records_alloc(struct gsched *s, uint32_t nr)
{
	s->records = calloc(nr, sizeof(*s->records));
	if (!s->records)
		return -1;
	for (uint32_t i = 0; i < nr; i++) {
		s->records[i].hash_next = s->free_records;
		s->free_records = &s->records[i];
	}
	s->nr_records = nr;
	return pthread_spin_init(&s->records_lock, PTHREAD_PROCESS_PRIVATE);
}

static struct task *record_get(struct gsched *s, uint64_t gtid)
{
	struct task *t;

	pthread_spin_lock(&s->records_lock);
	t = s->free_records;
	if (t)
		s->free_records = t->hash_next;
	pthread_spin_unlock(&s->records_lock);
	if (!t) {
		count(&s->counters.records_exhausted, 1);
		return NULL;
	}
	memset(t, 0, sizeof(*t));
	t->gtid = gtid;
	t->cpu = -1;
	return t;
}

static void record_put(struct gsched *s, struct task *t)
{
	pthread_spin_lock(&s->records_lock);
	t->hash_next = s->free_records;
	s->free_records = t;
	pthread_spin_unlock(&s->records_lock);
}

/* An agent's tasks, by gtid */

static struct task **bucket_of(struct agent *a, uint64_t gtid)
{
	return &a->buckets[(gtid ^ (gtid >> 32)) % GSCHED_BUCKETS];
}

static struct task *hash_find(struct agent *a, uint64_t gtid)
{
	struct task *t = *bucket_of(a, gtid);

	while (t && t->gtid != gtid)
		t = t->hash_next;
	return t;
}

static void hash_remove(struct agent *a, struct task *t)
{
	struct task **p = bucket_of(a, t->gtid);

	while (*p != t)
		p = &(*p)->hash_next;
	*p = t->hash_next;
}

static void agent_keep(struct agent *a, struct task *t)
{
	struct task **bucket = bucket_of(a, t->gtid);

	t->hash_next = *bucket;
	*bucket = t;
	if (t->runnable)
		rq_enqueue_tail(a, t);
}

/* Inbox */

static int inbox_init(struct inbox *box, uint32_t min_size)
{
	uint32_t size = 16;

	while (size < min_size)
		size <<= 1;
	box->ring = calloc(size, sizeof(*box->ring));
	box->mask = size - 1;
	return box->ring ? 0 : -1;
}

/* The ring holds as many entries as there are records: it cannot fill. */
static void inbox_push(struct inbox *box, struct task *t)
{
	box->ring[box->head & box->mask] = t;
	STORE(box->head, box->head + 1);
}

static void agent_take_inbox(struct agent *a)
{
	struct inbox *box = &a->inbox;

	while (box->tail != LOAD(box->head)) {
		struct task *t = box->ring[box->tail & box->mask];
		struct task *known = hash_find(a, t->gtid);

		STORE(box->tail, box->tail + 1);
		if (known) {
			/* It adopted the task meanwhile, with newer news. */
			known->announced = true;
			known->forked = t->forked;
			record_put(a->sched, t);
		} else {
			agent_keep(a, t);
		}
	}
}

static struct task *agent_lookup(struct agent *a, uint64_t gtid)
{
	struct task *t = hash_find(a, gtid);

	if (!t) {
		agent_take_inbox(a);
		t = hash_find(a, gtid);
	}
	return t;
}

/* Transaction slots */

/*
 * A slot has one writer at a time (the uapi's rule): the owner flag
 * guards filling it, and a slot filled by another agent is in flight
 * until that one's commit claims it, which follows at once.
 */
static bool slot_try_acquire(struct gsched *s, int cpu)
{
	int unowned = 0;

	if (!__atomic_compare_exchange_n(&s->slot_owner[cpu], &unowned, 1,
					 false, __ATOMIC_ACQUIRE,
					 __ATOMIC_RELAXED))
		return false;
	if (!gtxn_in_flight(gtxn(s->enc, cpu)))
		return true;
	STORE(s->slot_owner[cpu], 0);
	return false;
}

static bool slot_acquire(struct agent *a, int cpu)
{
	while (!slot_try_acquire(a->sched, cpu))
		if (agent_stopping(a))
			return false;
	return true;
}

/* Fills an acquired slot and commits it alone; its final state or -1. */
static int slot_commit(struct agent *a, int cpu, uint64_t target,
		       uint32_t task_barrier, uint32_t agent_barrier)
{
	struct gsched *s = a->sched;
	struct ghost_txn *txn = gtxn(s->enc, cpu);
	int state, ready = GHOST_TXN_READY;

	gtxn_ready(txn, target, task_barrier, agent_barrier, 0);
	STORE(s->slot_owner[cpu], 0);
	state = gcommit_cpu(s->enc, cpu);
	if (state < 0) {
		agent_ioctl_failed(a, errno);
		/* Unclaimed, it would stall the next writer of the slot. */
		__atomic_compare_exchange_n(&txn->state, &ready, GHOST_TXN_IDLE,
					    false, __ATOMIC_RELEASE,
					    __ATOMIC_RELAXED);
		return -1;
	}
	if (!gtxn_final(state)) {
		count(&s->counters.ioctl_errors, 1);
		return -1;
	}
	count(&s->counters.commits[state], 1);
	return state;
}

/* Wakes the agent of @cpu to look at its inbox. */
static void agent_ping(struct agent *leader, int cpu)
{
	struct gsched *s = leader->sched;

	if (agent_stopping(leader))
		return;
	count(&s->counters.pings, 1);
	/* ESRCH: that agent is gone, and its successor will look anyway. */
	if (gagent_ping(s->enc, cpu) && errno != ESRCH)
		agent_ioctl_failed(leader, errno);
}

/* Messages */

static void task_unlatch(struct gsched *s, struct task *t)
{
	if (t->cpu >= 0 && s->cpu_task[t->cpu] == t)
		s->cpu_task[t->cpu] = NULL;
	t->cpu = -1;
}

static void agent_retire(struct agent *a, struct task *t, int type)
{
	struct gsched *s = a->sched;

	task_unlatch(s, t);
	rq_dequeue(t);
	hash_remove(a, t);
	count(&s->counters.tasks_dead, 1);
	if (t->forked && type == GHOST_MSG_TASK_DEAD)
		count(&s->counters.forked_dead, 1);
	record_put(s, t);
}

/* The leader deals new tasks to the agents in turn. */
static void agent_place(struct agent *leader, struct task *t)
{
	struct gsched *s = leader->sched;
	struct agent *to = &s->agents[s->next_agent];

	s->next_agent = (s->next_agent + 1) % s->nr_agents;
	if (to == leader) {
		agent_keep(leader, t);
		return;
	}
	/*
	 * ESTALE: its newer messages are in our queue; ENOENT: it is gone
	 * and its TASK_DEAD is. Either way it stays with us.
	 */
	if (genclave_assoc_queue(s->enc, t->gtid, to->queue.fd, t->seqnum)) {
		if (errno != ENOENT)
			agent_ioctl_failed(leader, errno);
		agent_keep(leader, t);
		return;
	}
	inbox_push(&to->inbox, t);
	agent_ping(leader, to->cpu);
}

static void task_announced(struct gsched *s, struct task *t,
			   const struct ghost_msg *m)
{
	if (!t->announced)
		count(&s->counters.tasks_seen, 1);
	t->announced = true;
	t->seqnum = m->seqnum;
	t->runnable = m->flags & GHOST_MSG_F_RUNNABLE;
}

/* GHOST_IOC_DISCOVER told us again: trust it over what we thought. */
static void agent_task_rediscovered(struct agent *a, struct task *t,
				    const struct ghost_msg *m)
{
	task_announced(a->sched, t, m);
	if (t->runnable)
		rq_enqueue_tail(a, t);
	else
		rq_dequeue(t);
}

static void agent_task_new(struct agent *a, struct task *t,
			   const struct ghost_msg *m)
{
	struct gsched *s = a->sched;

	if (t && (t->announced || t->cpu >= 0)) {
		agent_task_rediscovered(a, t, m);
		return;
	}
	if (t) {
		/* Adopted before its announcement: dealt out like a new one. */
		hash_remove(a, t);
		rq_dequeue(t);
	} else {
		t = record_get(s, m->gtid);
		if (!t)
			return;
	}
	task_announced(s, t, m);
	t->forked = m->task_new.parent_gtid != 0;
	if (t->forked)
		count(&s->counters.tasks_forked, 1);
	if (s->config.mode == GSCHED_PER_CPU && agent_is_leader(a))
		agent_place(a, t);
	else
		agent_keep(a, t);
}

/*
 * A message about a task we never heard of: one taken over from a previous
 * agent before GHOST_IOC_DISCOVER announced it. The gtid and barrier are
 * all it takes to schedule it.
 */
static struct task *agent_adopt(struct agent *a, const struct ghost_msg *m)
{
	struct task *t;

	if (m->type == GHOST_MSG_TASK_DEAD || m->type == GHOST_MSG_TASK_DEPARTED)
		return NULL;
	t = record_get(a->sched, m->gtid);
	if (!t)
		return NULL;
	t->seqnum = m->seqnum - 1;
	count(&a->sched->counters.tasks_adopted, 1);
	agent_keep(a, t);
	return t;
}

static void agent_task_event(struct agent *a, struct task *t,
			     const struct ghost_msg *m)
{
	struct gsched *s = a->sched;

	if (m->seqnum != t->seqnum + 1)
		count(&s->counters.seqnum_gaps, 1);
	t->seqnum = m->seqnum;
	switch (m->type) {
	case GHOST_MSG_TASK_WAKEUP:
		t->runnable = true;
		rq_enqueue_tail(a, t);
		break;
	case GHOST_MSG_TASK_BLOCKED:
		task_unlatch(s, t);
		t->runnable = false;
		rq_dequeue(t);
		break;
	case GHOST_MSG_TASK_PREEMPT:
		/* It did not finish its turn: it goes first again. */
		task_unlatch(s, t);
		t->runnable = true;
		rq_enqueue_head(a, t);
		break;
	case GHOST_MSG_TASK_YIELD:
		task_unlatch(s, t);
		t->runnable = true;
		rq_enqueue_tail(a, t);
		break;
	case GHOST_MSG_TASK_DEAD:
	case GHOST_MSG_TASK_DEPARTED:
		agent_retire(a, t, m->type);
		break;
	}
}

static void agent_handle(struct agent *a, const struct ghost_msg *m)
{
	struct task *t;

	if (m->type <= GHOST_MSG_TYPE_MAX)
		count(&a->sched->counters.msgs[m->type], 1);
	if (!gis_task_msg(m->type))
		return;
	t = agent_lookup(a, m->gtid);
	if (m->type == GHOST_MSG_TASK_NEW) {
		agent_task_new(a, t, m);
		return;
	}
	if (!t)
		t = agent_adopt(a, m);
	if (t)
		agent_task_event(a, t, m);
}

static void agent_time_delivery(struct agent *a, const struct ghost_msg *m)
{
	struct gsched_counters *c = &a->sched->counters;
	uint64_t ns = gnow_ns() - m->time_ns;

	if (a->sched->config.mode == GSCHED_GLOBAL ||
	    m->type == GHOST_MSG_TASK_BLOCKED) {
		count(&c->delivery_ns, ns);
		count(&c->deliveries, 1);
	} else if (m->type == GHOST_MSG_TASK_WAKEUP) {
		count(&c->wakeup_delivery_ns, ns);
		count(&c->wakeup_deliveries, 1);
	}
}

static void agent_drain(struct agent *a)
{
	bool timed = a->sched->config.mode == GSCHED_GLOBAL || a->woken;
	struct ghost_msg m;

	a->woken = false;
	while (gqueue_pop(&a->queue, &m)) {
		if (timed)
			agent_time_delivery(a, &m);
		timed = a->sched->config.mode == GSCHED_GLOBAL;
		agent_handle(a, &m);
	}
}

/* Commit outcomes */

static void agent_settle(struct agent *a, int cpu, struct task *t, int state)
{
	struct gsched *s = a->sched;

	switch (state) {
	case GHOST_TXN_COMPLETE:
		t->cpu = cpu;
		s->cpu_task[cpu] = t;
		break;
	case GHOST_TXN_TARGET_NOT_RUNNABLE:
		t->runnable = false;
		break;
	case GHOST_TXN_TARGET_NOT_FOUND:
		/* Its TASK_DEAD or TASK_DEPARTED is on the way. */
		break;
	case GHOST_TXN_TARGET_STALE:
	case GHOST_TXN_AGENT_STALE:
	case GHOST_TXN_CPU_UNAVAIL:
		rq_enqueue_head(a, t);
		break;
	default:
		rq_enqueue_tail(a, t);
		break;
	}
}

/* Gives the CPU up until woken; a failure means: look again. */
static void agent_park(struct agent *a, uint32_t agent_barrier)
{
	count(&a->sched->counters.parks, 1);
	if (gagent_park(a->sched->enc, agent_barrier)) {
		agent_ioctl_failed(a, errno);
		return;
	}
	a->woken = true;
}

/* Per-CPU mode */

static void agent_run_local(struct agent *a, struct task *t,
			    uint32_t agent_barrier)
{
	int state;

	rq_dequeue(t);
	if (!slot_acquire(a, a->cpu)) {
		rq_enqueue_head(a, t);
		return;
	}
	/* On success this returns only once something woke us up. */
	state = slot_commit(a, a->cpu, t->gtid, t->seqnum, agent_barrier);
	if (state < 0) {
		rq_enqueue_head(a, t);
		return;
	}
	agent_settle(a, a->cpu, t, state);
	if (state == GHOST_TXN_COMPLETE)
		a->woken = true;
	else if (state == GHOST_TXN_CPU_UNAVAIL)
		agent_park(a, agent_barrier);
}

/*
 * Whether the kernel still has @t latched or running on @cpu. Once all
 * its news is read, a task we think holds our CPU must: else trust the
 * kernel's status word over our own bookkeeping.
 */
static bool task_holds_cpu(const struct gsched *s, const struct task *t,
			   int cpu)
{
	const struct ghost_status_word *w = gsw_task(s->enc, t->gtid);

	return gsw_gtid(w) == t->gtid &&
	       ((gsw_flags(w) & GHOST_SW_TASK_LATCHED) ||
		gsw_gtid(gsw_cpu(s->enc, cpu)) == t->gtid);
}

static void agent_reconcile(struct agent *a)
{
	struct gsched *s = a->sched;
	struct task *t = s->cpu_task[a->cpu];

	if (!t || task_holds_cpu(s, t, a->cpu))
		return;
	count(&s->counters.reconciled, 1);
	task_unlatch(s, t);
	if (t->runnable)
		rq_enqueue_head(a, t);
}

/*
 * The barrier is read before anything else, so that whatever arrives
 * after the look at the inbox and queue makes the commit or park stale.
 * A task we latched here keeps the CPU until its next message.
 */
static void agent_per_cpu_loop(struct agent *a)
{
	struct gsched *s = a->sched;

	while (!agent_stopping(a)) {
		uint32_t agent_barrier = gcpu_barrier(s->enc, a->cpu);
		struct task *t;

		agent_take_inbox(a);
		agent_drain(a);
		agent_reconcile(a);
		t = s->cpu_task[a->cpu] ? NULL : rq_first(a);
		if (t)
			agent_run_local(a, t, agent_barrier);
		else
			agent_park(a, agent_barrier);
	}
}

/* Global mode */

static bool cpu_free_for_ghost(const struct gsched *s, int cpu)
{
	const struct ghost_status_word *w = gsw_cpu(s->enc, cpu);

	return !s->cpu_task[cpu] && !gsw_gtid(w) &&
	       (gsw_flags(w) & GHOST_SW_CPU_AVAIL);
}

/* Fills the slot of every free CPU with the next task; returns how many. */
static int agent_pick(struct agent *a, cpu_set_t *set)
{
	struct gsched *s = a->sched;
	int nr = 0;

	CPU_ZERO(set);
	for (int i = 0; i < s->enc->nr_cpus; i++) {
		int cpu = s->enc->cpus[i];
		struct task *t;

		if (cpu == a->cpu || !cpu_free_for_ghost(s, cpu))
			continue;
		t = rq_first(a);
		if (!t)
			break;
		rq_dequeue(t);
		s->picked[cpu] = t;
		gtxn_ready(gtxn(s->enc, cpu), t->gtid, t->seqnum, 0, 0);
		CPU_SET(cpu, set);
		nr++;
	}
	return nr;
}

static void agent_dispatch(struct agent *a)
{
	struct gsched *s = a->sched;
	bool failed;
	cpu_set_t set;

	if (!agent_pick(a, &set))
		return;
	failed = gcommit(s->enc, &set, 0, NULL) != 0;
	if (failed)
		agent_ioctl_failed(a, errno);
	for (int i = 0; i < s->enc->nr_cpus; i++) {
		int cpu = s->enc->cpus[i];
		int state = gtxn_state(gtxn(s->enc, cpu));

		if (!CPU_ISSET(cpu, &set))
			continue;
		if (failed || !gtxn_final(state)) {
			rq_enqueue_head(a, s->picked[cpu]);
			continue;
		}
		count(&s->counters.commits[state], 1);
		agent_settle(a, cpu, s->picked[cpu], state);
	}
}

/* Moves to @cpu; returns false if the kernel refused. */
static bool agent_move(struct agent *a, int cpu)
{
	if (gagent_move(a->sched->enc, cpu)) {
		agent_ioctl_failed(a, errno);
		return false;
	}
	a->cpu = cpu;
	count(&a->sched->counters.agent_moves, 1);
	return true;
}

/*
 * A higher class wants our CPU. Move to a free CPU, else to one running a
 * ghost task (which we preempt), else step aside until the CPU is ours
 * again.
 */
static void agent_make_way(struct agent *a)
{
	struct gsched *s = a->sched;
	uint32_t agent_barrier = gcpu_barrier(s->enc, a->cpu);

	for (int i = 0; i < s->enc->nr_cpus; i++) {
		int cpu = s->enc->cpus[i];

		if (cpu != a->cpu && cpu_free_for_ghost(s, cpu) &&
		    agent_move(a, cpu))
			return;
	}
	for (int i = 0; i < s->enc->nr_cpus; i++) {
		int cpu = s->enc->cpus[i];
		uint32_t flags = gcpu_flags(s->enc, cpu);

		if (cpu != a->cpu && (flags & GHOST_SW_CPU_AVAIL) &&
		    !(flags & GHOST_SW_CPU_HAS_AGENT) && agent_move(a, cpu))
			return;
	}
	agent_park(a, agent_barrier);
}

static void agent_global_loop(struct agent *a)
{
	struct gsched *s = a->sched;

	while (!agent_stopping(a)) {
		agent_drain(a);
		if (gcpu_flags(s->enc, a->cpu) & GHOST_SW_CPU_BOOST)
			agent_make_way(a);
		else
			agent_dispatch(a);
	}
}

/* Agent threads */

static int agent_attach(struct agent *a)
{
	struct gsched *s = a->sched;
	uint64_t deadline = gnow_ns() + GSCHED_ATTACH_MS * 1000000ULL;

	/* EBUSY: the previous agent of this CPU has not exited yet. */
	while (gagent_become(s->enc, a->cpu, a->queue.fd)) {
		if (errno != EBUSY || gnow_ns() > deadline || LOAD(s->stop))
			return errno;
		gsleep_ms(1);
	}
	return 0;
}

static void *agent_main(void *arg)
{
	struct agent *a = arg;
	int err = agent_attach(a);

	STORE(a->attach_result, err ? -err : 1);
	if (!err) {
		if (a->sched->config.mode == GSCHED_GLOBAL)
			agent_global_loop(a);
		else
			agent_per_cpu_loop(a);
		/* Count what was delivered before the stop, too. */
		agent_drain(a);
		if (!a->gone)
			gagent_release(a->sched->enc);
	}
	STORE(a->exited, true);
	return NULL;
}

/* Its only job is to interrupt GHOST_IOC_AGENT_PARK with EINTR. */
static void agent_wake_handler(int sig)
{
	(void)sig;
}

static int install_wake_handler(void)
{
	struct sigaction sa = { .sa_handler = agent_wake_handler };

	sigemptyset(&sa.sa_mask);
	return sigaction(GSCHED_WAKE_SIGNAL, &sa, NULL);
}

static int agents_create(struct gsched *s)
{
	const cpu_set_t *cpus = &s->config.agent_cpus;
	bool global = s->config.mode == GSCHED_GLOBAL;
	int nr = global ? 1 : CPU_COUNT(cpus);

	s->agents = calloc(nr, sizeof(*s->agents));
	if (!s->agents || !nr)
		return -1;
	for (int cpu = 0; cpu < CPU_SETSIZE && s->nr_agents < nr; cpu++) {
		struct agent *a = &s->agents[s->nr_agents];

		if (!CPU_ISSET(cpu, cpus))
			continue;
		a->sched = s;
		a->cpu = cpu;
		a->runqueue.prev = a->runqueue.next = &a->runqueue;
		s->nr_agents++;
		if (gqueue_create(&a->queue, s->enc, s->config.queue_slots,
				  global ? -1 : cpu) ||
		    inbox_init(&a->inbox, s->nr_records))
			return -1;
	}
	return 0;
}

static int agents_spawn(struct gsched *s)
{
	for (int i = 0; i < s->nr_agents; i++) {
		struct agent *a = &s->agents[i];
		int err = pthread_create(&a->thread, NULL, agent_main, a);

		if (err) {
			errno = err;
			return -1;
		}
		a->started = true;
	}
	for (int i = 0; i < s->nr_agents; i++) {
		struct agent *a = &s->agents[i];
		int result;

		while (!(result = LOAD(a->attach_result)))
			gsleep_ms(1);
		if (result < 0) {
			errno = -result;
			return -1;
		}
	}
	return 0;
}

/* Binds the task of status word @index to @queue_fd, if one lives there. */
static void claim_task(const struct genclave *e, uint32_t index, int queue_fd)
{
	const struct ghost_status_word *w = gsw_word(e, index);

	for (int tries = 0; tries < 100; tries++) {
		uint32_t barrier = gsw_barrier(w);

		if (!(gsw_flags(w) & GHOST_SW_F_INUSE) ||
		    !genclave_assoc_queue(e, gsw_gtid(w), queue_fd, barrier) ||
		    errno != ESTALE)
			return;
	}
}

/*
 * Taking over: the tasks are still bound to the queues of the agents we
 * replace, which nobody reads any more. Bind every live task, found by
 * its status word, to our default queue, then ask for news of them all.
 */
static int gsched_discover(struct gsched *s)
{
	const struct ghost_status_header *h = s->enc->status;
	uint32_t nr;

	for (uint32_t i = h->nr_cpu_words; i < h->nr_words; i++)
		claim_task(s->enc, i, s->agents[0].queue.fd);
	if (genclave_discover(s->enc, &nr))
		return -1;
	count(&s->counters.discovered, nr);
	return 0;
}

int gsched_start(struct gsched **sched, struct genclave *e,
		 const struct gsched_config *config)
{
	struct gsched *s = calloc(1, sizeof(*s));
	int saved_errno;

	if (!s)
		return -1;
	s->enc = e;
	s->config = *config;
	if (!s->config.queue_slots)
		s->config.queue_slots = GSCHED_QUEUE_SLOTS;
	if (install_wake_handler() ||
	    records_alloc(s, e->info.max_tasks + 256) ||
	    agents_create(s) ||
	    genclave_set_default_queue(e, s->agents[0].queue.fd) ||
	    agents_spawn(s) ||
	    (config->discover && gsched_discover(s)))
		goto fail;
	*sched = s;
	return 0;
fail:
	saved_errno = errno;
	gsched_stop(s, NULL);
	errno = saved_errno;
	return -1;
}

/* Agents parked in the kernel notice the stop only when interrupted. */
static void agent_join(struct agent *a)
{
	if (!a->started)
		return;
	while (!LOAD(a->exited)) {
		pthread_kill(a->thread, GSCHED_WAKE_SIGNAL);
		gsleep_ms(1);
	}
	pthread_join(a->thread, NULL);
}

/* @final, if not NULL, gets the counters once every agent has exited. */
void gsched_stop(struct gsched *s, struct gsched_counters *final)
{
	STORE(s->stop, true);
	for (int i = 0; i < s->nr_agents; i++)
		agent_join(&s->agents[i]);
	if (final)
		gsched_counters(s, final);
	for (int i = 0; i < s->nr_agents; i++) {
		gqueue_close(&s->agents[i].queue);
		free(s->agents[i].inbox.ring);
	}
	free(s->agents);
	free(s->records);
	free(s);
}

void gsched_counters(const struct gsched *s, struct gsched_counters *out)
{
	const uint64_t *from = (const uint64_t *)&s->counters;
	uint64_t *to = (uint64_t *)out;

	for (size_t i = 0; i < sizeof(*out) / sizeof(uint64_t); i++)
		to[i] = __atomic_load_n(&from[i], __ATOMIC_RELAXED);
}

static bool wait_counter(const uint64_t *counter, uint64_t nr, int timeout_ms)
{
	uint64_t deadline = gnow_ns() + timeout_ms * 1000000ULL;

	while (__atomic_load_n(counter, __ATOMIC_RELAXED) < nr) {
		if (gnow_ns() > deadline)
			return false;
		gsleep_ms(5);
	}
	return true;
}

bool gsched_wait_seen(const struct gsched *s, uint64_t nr, int timeout_ms)
{
	return wait_counter(&s->counters.tasks_seen, nr, timeout_ms);
}

bool gsched_wait_dead(const struct gsched *s, uint64_t nr, int timeout_ms)
{
	return wait_counter(&s->counters.tasks_dead, nr, timeout_ms);
}

void gsched_print_counters(const char *label, const struct gsched_counters *c)
{
	printf("%s: tasks seen %" PRIu64 " dead %" PRIu64 " forked %" PRIu64
	       " (dead %" PRIu64 ") adopted %" PRIu64 " discovered %" PRIu64 "\n",
	       label, c->tasks_seen, c->tasks_dead, c->tasks_forked,
	       c->forked_dead, c->tasks_adopted, c->discovered);
	printf("%s: seqnum gaps %" PRIu64 " pings %" PRIu64 " parks %" PRIu64
	       " moves %" PRIu64 " ioctl errors %" PRIu64
	       " records exhausted %" PRIu64 " reconciled %" PRIu64 "\n",
	       label, c->seqnum_gaps, c->pings, c->parks, c->agent_moves,
	       c->ioctl_errors, c->records_exhausted, c->reconciled);
	for (int type = 0; type <= GHOST_MSG_TYPE_MAX; type++)
		if (c->msgs[type])
			printf("%s: msg %s %" PRIu64 "\n", label,
			       gmsg_name(type), c->msgs[type]);
	for (int state = 0; state <= GHOST_TXN_STATE_MAX; state++)
		if (c->commits[state])
			printf("%s: commit %s %" PRIu64 "\n", label,
			       gtxn_state_name(state), c->commits[state]);
}
