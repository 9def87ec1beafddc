/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The runtime's own data, shared by its files and by nothing else.
 *
 * Concurrency. Agents of one runtime may run at once (one thread each
 * with the kernel backend). Everything the policy sees and everything
 * about tasks and CPUs is guarded by one spinlock, rt->lock, which agents
 * hold while they read messages and run the policy, never across a
 * backend call that can block. The control thread takes it only while
 * agents are quiesced (a swap), so agents never wait for a thread that
 * is not an agent. Fields read without the lock by other threads are
 * marked (atomic) and accessed with the macros below; each agent's own
 * fields are written only by that agent (agent-private) unless marked
 * (control) - written by the control thread while agents are quiesced.
 */
#ifndef GHOST_RUNTIME_INTERNAL_H
#define GHOST_RUNTIME_INTERNAL_H

#include <stdint.h>

#include <jansson.h>

#include <ghost/policy.h>

#include "backend.h"
#include "runtime.h"

/* Slots per message queue: room for a blackout's worth of messages. */
#define RT_QUEUE_SLOTS		4096
/*
 * The default queue (the leader's) takes every new task's TASK_NEW and,
 * after an overflow, GHOST_IOC_DISCOVER's announcement of every task: it
 * has room for the enclave's max_tasks plus RT_QUEUE_SLOTS, up to the
 * kernel's largest queue.
 */
#define RT_QUEUE_SLOTS_MAX	65536
/* Messages read per queue per step, so that decisions are not starved. */
#define RT_DRAIN_BATCH		256
/* An idle global agent spins this long before it parks. */
#define RT_GLOBAL_IDLE_SPIN_NS	(1000 * 1000ULL)
/* Tries of GHOST_IOC_ASSOC_QUEUE per task when adopting (ESTALE races). */
#define RT_ASSOC_TRIES		100

#define LOAD(x)			__atomic_load_n(&(x), __ATOMIC_ACQUIRE)
#define STORE(x, v)		__atomic_store_n(&(x), (v), __ATOMIC_RELEASE)
/* Dekker-style handshakes (quiescence) need sequential consistency. */
#define LOAD_SC(x)		__atomic_load_n(&(x), __ATOMIC_SEQ_CST)
#define STORE_SC(x, v)		__atomic_store_n(&(x), (v), __ATOMIC_SEQ_CST)

/* A task of the enclave: the SDK's struct ghost_task. */
struct ghost_task {
	struct runtime *rt;
	uint64_t gtid;			/* 0: the slot is free */
	uint32_t index;			/* in rt->tasks: status word - CPU words */
	uint32_t seq;			/* barrier of the last message read */
	enum ghost_task_state state;
	int32_t tid;			/* 0 until TASK_NEW says */
	int nice;
	struct ghost_cpu *cpu;		/* see ghost_task_cpu() */
	struct ghost_cpu *queue_cpu;	/* whose queue its messages go to */
	uint64_t runtime_ns;		/* as of its last message */
	uint64_t committed_at;
	bool in_flight;			/* committed, the commit not yet returned */
	uint64_t *mask;			/* allowed CPUs: rt->mask_words words */
};

/* A CPU the enclave has or had: the SDK's struct ghost_cpu. */
struct ghost_cpu {
	struct runtime *rt;
	int id;
	bool in_enclave;		/* (control) */
	struct ghost_task *current;	/* committed there by us, or NULL */
	/*
	 * Its agent's local commit is under way, its outcome not yet read
	 * (under the lock): the CPU's transaction slot is that agent's until
	 * then, whatever roles a change assigns meanwhile.
	 */
	bool local_commit;
	struct backend_queue *queue;	/* its agent's queue, once made */
	uint32_t overflows_seen;	/* of that queue */
};

enum rt_role {
	RT_ROLE_NONE,			/* no agent: the thread waits */
	RT_ROLE_PER_CPU,		/* the agent of its home CPU */
	RT_ROLE_GLOBAL,			/* the centralized model's agent */
};

/* Association of a task with another queue, done once the lock is off. */
struct rt_assoc {
	struct ghost_task *task;
	uint64_t gtid;
	uint32_t barrier;
	struct ghost_cpu *to;
};

/*
 * An agent: one per CPU number, numbered by its home CPU, whose queue it
 * reads. Whether it runs at all is its role.
 */
struct rt_agent {
	struct runtime *rt;
	int home;
	int cpu;			/* (atomic) its CPU now, -1 if none */
	int role;			/* (control) what it should be */
	int applied;			/* (atomic) what it has made itself */
	bool role_pending;		/* (control) counted in rt->roles_pending */
	int gave_up;			/* (atomic) its role could not be taken */
	uint64_t attach_deadline;
	/* Quiescence, see swap.c. */
	int in_step;			/* (atomic) */
	int quiet;			/* (atomic) in a blocking backend call */
	int summoned;			/* (atomic) to be ready at resume */
	/* This step's work for after the lock: wakes and associations. */
	cpu_set_t kicks;
	unsigned int nr_kicks;
	struct rt_assoc assocs[RT_DRAIN_BATCH];
	unsigned int nr_assocs;
	bool more_pending;		/* the drain stopped at its batch */
	bool want_discover;		/* a queue dropped messages */
	uint64_t idle_since;		/* global agent: idle since then */
	uint64_t unlatched;		/* global agent: gtid it took off its CPU */
	uint64_t parks;			/* (atomic) */
};

/* What the global agent committed this round, by CPU. */
struct rt_pending {
	struct ghost_task *task;	/* NULL: nothing this round */
	struct ghost_task *prev;	/* the CPU's current task before it */
	uint64_t gtid;
	unsigned int group;		/* 0, or its sync group */
};

struct rt_round {
	struct rt_pending *pending;	/* by CPU number */
	cpu_set_t cpus;			/* CPUs assigned this round */
	unsigned int nr;
	unsigned int nr_groups;
};

struct rt_counters {
	uint64_t msgs[GHOST_MSG_TYPE_MAX + 1];
	uint64_t commits[GHOST_TXN_STATE_MAX + 1];
	uint64_t handed_back;		/* refused commits given back */
	uint64_t pings;
	uint64_t agent_moves;
	uint64_t seqnum_gaps;
	uint64_t adopted;		/* first heard of by a message not TASK_NEW */
	uint64_t discovers;
	uint64_t queue_overflows;
	uint64_t policy_errors;		/* decisions refused or corrected */
	uint64_t backend_errors;	/* unexpected backend failures */
};

/* The SDK's struct ghost_policy: one loaded, initialised policy. */
struct ghost_policy {
	struct runtime *rt;
	struct plugin *plugin;
	const struct ghost_policy_descriptor *desc;
	int64_t params[GHOST_POLICY_MAX_PARAMS];
	json_t *params_json;		/* as configured, for status */
	void *state;
	char *task_data;
	size_t task_stride;
	char *cpu_data;
	size_t cpu_stride;
	struct ghost_cpu **cpus;	/* its CPUs, ascending */
	unsigned int nr_cpus;
	bool initialised;
	bool in_init;
	bool in_schedule;
	struct rt_agent *agent;		/* whose step runs its callbacks now */
	char error[256];		/* ghost_policy_fail()'s reason */
};

struct runtime {
	struct backend *be;
	const struct backend_ops *ops;
	const struct ghost_status_header *status;
	struct ghost_txn *txns;
	uint32_t nr_cpu_ids;
	uint32_t nr_task_words;
	uint32_t word_size;
	uint32_t watchdog_ms;
	uint32_t default_queue_slots;	/* see RT_QUEUE_SLOTS_MAX */
	unsigned int mask_words;
	char *plugin_dir;

	cpu_set_t cpuset;		/* (control) the enclave's CPUs */
	int leader;			/* (control, atomic) its queue is the default */
	unsigned int model;		/* (control, atomic) the running model */
	int global_cpu;			/* (atomic) the global agent's CPU, or -1 */

	struct ghost_cpu *cpus;		/* by CPU number */
	struct rt_agent *agents;	/* by home CPU number */
	struct ghost_task *tasks;	/* by status word */
	uint64_t *masks;
	struct rt_round round;

	struct ghost_policy *policy;	/* running */
	struct ghost_policy *next;	/* prepared by a swap or set_cpus */
	/* Replaced by a change, and freed once agents resume: its unmapping
	 * (munmap, dlclose) would stall every agent CPU in the blackout. */
	struct ghost_policy *retired;
	cpu_set_t next_cpuset;

	int lock;
	int quiescing;			/* (atomic) */
	int stopping;			/* (atomic) */
	int gone;			/* (atomic) the enclave was destroyed */
	int roles_pending;		/* (atomic) agents still changing role */
	unsigned int nr_state[GHOST_TASK_DEPARTED + 1];	/* (atomic) */
	struct rt_counters counters;	/* (atomic) */
	/*
	 * The blackout of the last change: from quiescing to whichever is
	 * later, resuming or the last agent taking its new role (agents
	 * publish when, then release roles_pending).
	 */
	uint64_t quiesce_start;
	bool committed;			/* since rt_quiesce() */
	uint64_t change_start;		/* quiesce_start of the last change */
	uint64_t resumed_at;
	uint64_t roles_done_at;		/* (atomic) */
	struct rt_swap_report last_swap;	/* its names */
};

/* The lock */

static inline void rt_cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield" ::: "memory");
#endif
}

static inline void rt_lock(struct runtime *rt)
{
	while (__atomic_exchange_n(&rt->lock, 1, __ATOMIC_ACQUIRE))
		while (__atomic_load_n(&rt->lock, __ATOMIC_RELAXED))
			rt_cpu_relax();
}

static inline void rt_unlock(struct runtime *rt)
{
	__atomic_store_n(&rt->lock, 0, __ATOMIC_RELEASE);
}

static inline void rt_count(uint64_t *counter)
{
	__atomic_fetch_add(counter, 1, __ATOMIC_RELAXED);
}

/*
 * Log the 1st, 2nd, 4th, 8th... occurrence of something counted in
 * @counter (already incremented): a misbehaving policy or kernel is
 * visible in the log without flooding it from the hot path.
 */
bool rt_worth_logging(const uint64_t *counter);

/* Status words and transaction slots */

static inline const struct ghost_status_word *rt_word(const struct runtime *rt,
						       uint32_t index)
{
	return (const void *)((const char *)rt->status + sizeof(*rt->status) +
			      (size_t)index * rt->word_size);
}

static inline const struct ghost_status_word *rt_cpu_word(const struct runtime *rt,
							   int cpu)
{
	return rt_word(rt, (uint32_t)cpu);
}

static inline const struct ghost_status_word *rt_task_word(const struct runtime *rt,
							    const struct ghost_task *t)
{
	return rt_word(rt, t->index + rt->nr_cpu_ids);
}

static inline uint32_t rt_cpu_flags(const struct runtime *rt, int cpu)
{
	return LOAD(rt_cpu_word(rt, cpu)->flags);
}

static inline uint32_t rt_cpu_barrier(const struct runtime *rt, int cpu)
{
	return LOAD(rt_cpu_word(rt, cpu)->barrier);
}

/* runtime.c */
/*
 * Give @cpu's agent a queue (waking @wakeup_cpu) if it has none; the
 * leader's is sized to be the default queue.
 */
int rt_queue_for(struct runtime *rt, int cpu, int wakeup_cpu);
/* Slots of a default queue for an enclave of @max_tasks tasks. */
uint32_t rt_default_queue_slots(uint32_t max_tasks);

/* task_table.c: the task table, indexed by the low bits of gtids. */
int task_table_init(struct runtime *rt);
void task_table_fini(struct runtime *rt);
/* The live task @gtid, or NULL. */
struct ghost_task *task_lookup(struct runtime *rt, uint64_t gtid);
/* The slot @gtid would use (free, its, or an older incarnation's). */
struct ghost_task *task_slot(struct runtime *rt, uint64_t gtid);
void task_install(struct runtime *rt, struct ghost_task *t, uint64_t gtid,
		  enum ghost_task_state state);
void task_set_state(struct ghost_task *t, enum ghost_task_state state);
void task_free(struct ghost_task *t);
/* Read the task's cpumask from the backend (all CPUs if unknown). */
void task_refresh_mask(struct ghost_task *t);
bool task_allowed_on(const struct ghost_task *t, int cpu);

/* instance.c: a policy instance's life. */
struct ghost_policy *instance_create(struct runtime *rt, const char *plugin,
				     const json_t *params, const cpu_set_t *cpus,
				     char *why, size_t len);
void instance_destroy(struct ghost_policy *p);
/* Hand every live task to @p, which becomes the running policy. */
void instance_adopt_tasks(struct ghost_policy *p);

/* placement.c: per_cpu placement and waking other agents. */
bool cpu_usable(const struct ghost_cpu *c);
bool cpu_can_take(const struct ghost_policy *p, const struct ghost_cpu *c,
		  const struct ghost_task *t);
void place_task(struct rt_agent *a, struct ghost_task *t, bool fresh);
void agent_kick(struct rt_agent *a, struct ghost_cpu *c);
void placement_flush(struct rt_agent *a);

/* dispatch.c: messages into the task table and the policy. */
void agent_drain(struct rt_agent *a);
void task_leaves_cpu(struct rt_agent *a, struct ghost_task *t);
/* @t waits for a CPU; per_cpu, placed (asking the policy if @fresh). */
void task_becomes_runnable(struct rt_agent *a, struct ghost_task *t, bool fresh);

/* txn.c: transactions. */
/* Fill @cpu's slot and make it READY. */
void txn_fill(struct runtime *rt, int cpu, uint64_t target,
	      uint32_t task_barrier, uint32_t agent_barrier);
void txn_latch(struct runtime *rt, struct ghost_cpu *c, struct ghost_task *t,
	       uint32_t agent_barrier);
int txn_outcome(struct runtime *rt, int cpu, int commit_ret);
void txn_settle(struct rt_agent *a, struct ghost_cpu *c, struct ghost_task *t,
		uint64_t gtid, struct ghost_task *prev, int state);
void round_begin(struct runtime *rt);
int round_assign(struct ghost_policy *p, const struct ghost_assignment *v,
		 unsigned int n, unsigned int group);
void round_commit(struct rt_agent *a);

/* agents.c: roles, parking, and an agent's work once the lock is off. */
enum rt_step agent_apply_role(struct rt_agent *a);
bool agents_summon(struct runtime *rt);
void roles_complete_ready(struct runtime *rt);
int agent_attach_early(struct rt_agent *a);
void agent_park(struct rt_agent *a, uint32_t agent_barrier);
void agent_lost(struct rt_agent *a, int err);
void agent_after_lock(struct rt_agent *a);
void roles_assign(struct runtime *rt);

/* per_cpu.c and centralized.c: one step of each model's agent. */
enum rt_step per_cpu_step(struct rt_agent *a);
enum rt_step global_step(struct rt_agent *a);

#endif /* GHOST_RUNTIME_INTERNAL_H */
