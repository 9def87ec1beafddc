/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A scripted enclave backend for the unit tests: a small in-memory model
 * of the kernel side of <linux/ghost.h>, driven step by step by the test.
 *
 * The test plays the kernel's tasks and CPUs (a task enters, wakes,
 * blocks, is preempted, exits; a CPU is taken by a higher class) and the
 * model turns each event into the message the module would send, with its
 * barrier, to the queue the module would pick, waking the agent it would
 * wake. Commits are checked as the module checks them (task and agent
 * barriers, runnable, affinity, availability, latches elsewhere, sync
 * groups all or nothing) unless the test forces an outcome; every commit,
 * ping, park and association is logged for the test to inspect. Nothing is
 * concurrent: the test runs agents itself (sb_run), one step at a time.
 */
#ifndef GHOST_TEST_SCRIPTED_BACKEND_H
#define GHOST_TEST_SCRIPTED_BACKEND_H

#include <sched.h>
#include <stdbool.h>
#include <stdint.h>

#include "runtime/backend.h"
#include "runtime/runtime.h"

#define SB_MAX_CPUS		8
#define SB_MAX_TASKS		5120
#define SB_MAX_QUEUES		32
#define SB_MAX_COMMITS		4096

struct sb_task {
	bool live;
	uint64_t gtid;
	int32_t tid;
	int nice;
	bool runnable;
	int cpu;			/* committed (latched or running) there, or -1 */
	int queue;			/* index into queues */
	cpu_set_t mask;
	uint64_t runtime_ns;
};

struct sb_slot_record {
	uint64_t target;
	uint32_t task_barrier;
	uint32_t agent_barrier;
	int state;
};

struct sb_commit_record {
	unsigned int agent;
	cpu_set_t cpus;
	uint32_t flags;
	struct sb_slot_record slots[SB_MAX_CPUS];
};

struct scripted_backend {
	struct backend base;
	int nr_cpu_ids;
	cpu_set_t cpus;
	uint32_t watchdog_ms;
	uint64_t now;
	bool destroyed;
	struct ghost_status_header *status;
	struct ghost_txn txns[SB_MAX_CPUS];

	struct sb_task tasks[SB_MAX_TASKS];
	uint32_t reuses[SB_MAX_TASKS];
	struct backend_queue *queues[SB_MAX_QUEUES];
	int nr_queues;
	int default_queue;

	int agent_on[SB_MAX_CPUS];	/* agent number of each CPU, or -1 */
	int queue_of_agent_cpu[SB_MAX_CPUS];
	int agent_cpu[SB_MAX_CPUS];	/* by agent number: its CPU or -1 */
	bool parked[SB_MAX_CPUS];	/* by agent number */
	enum rt_step last_step[SB_MAX_CPUS];

	/* Script */
	int forced[SB_MAX_CPUS];	/* outcome of the next commit there */
	int attach_busy[SB_MAX_CPUS];	/* BECOME_AGENT fails EBUSY this often */
	int set_cpus_error;		/* SET_CPUS fails with this errno */
	/*
	 * The task on the CPU is latched and has not run yet: it stays so
	 * while the CPU's agent runs, until the agent parks (not modelled)
	 * or a commit there displaces it (TASK_PREEMPT, WAS_LATCHED).
	 */
	bool latched_only[SB_MAX_CPUS];

	/* Log */
	struct sb_commit_record commits[SB_MAX_COMMITS];
	int nr_commits;
	int pings[SB_MAX_CPUS];
	int nr_parks;
	int nr_assocs;
	int nr_discovers;
	int nr_moves;
	int nr_set_cpus;
	int ran[SB_MAX_TASKS];		/* COMPLETE commits per task slot */
	int ran_on[SB_MAX_TASKS][SB_MAX_CPUS];
};

/* A backend of CPUs @first..@last out of @nr_cpu_ids, all available. */
struct scripted_backend *sb_create(int nr_cpu_ids, int first, int last);
void sb_free(struct scripted_backend *sb);

/* Tasks: the kernel's side. Each returns what the module would. */
uint64_t sb_task_new(struct scripted_backend *sb, int32_t tid, bool runnable);
void sb_task_wakeup(struct scripted_backend *sb, uint64_t gtid);
void sb_task_block(struct scripted_backend *sb, uint64_t gtid);
void sb_task_yield(struct scripted_backend *sb, uint64_t gtid);
void sb_task_preempt(struct scripted_backend *sb, uint64_t gtid, uint32_t flags);
void sb_task_exit(struct scripted_backend *sb, uint64_t gtid);
void sb_task_depart(struct scripted_backend *sb, uint64_t gtid, uint32_t reason);
void sb_task_set_mask(struct scripted_backend *sb, uint64_t gtid,
		      const cpu_set_t *mask);
void sb_task_set_nice(struct scripted_backend *sb, uint64_t gtid, int nice);
struct sb_task *sb_task(struct scripted_backend *sb, uint64_t gtid);
/* The task running on @cpu, or 0. */
uint64_t sb_running(const struct scripted_backend *sb, int cpu);

/* CPUs: a higher class takes @cpu (preempting its task) or leaves it. */
void sb_cpu_busy(struct scripted_backend *sb, int cpu);
void sb_cpu_available(struct scripted_backend *sb, int cpu);

/* Queues as the test sees them. */
int sb_queue_len(const struct scripted_backend *sb, int queue);
/* How many messages @queue holds (the size the runtime asked for). */
uint32_t sb_queue_capacity(const struct scripted_backend *sb, int queue);
/* Which CPU's agent a message in @queue wakes (-1: none). */
int sb_queue_wakeup(const struct scripted_backend *sb, int queue);
/* Count @nr messages as dropped by a full @queue (an overflow). */
void sb_queue_flood(struct scripted_backend *sb, int queue, int nr);
/* Lose the next @nr messages of @queue unread (a dead agent's queue). */
void sb_queue_drop(struct scripted_backend *sb, int queue, int nr);
/* Every agent dies at once: CPUs freed, queues orphaned. */
void sb_kill_agents(struct scripted_backend *sb);

/* The driver: run agents one step at a time. */
void sb_wake_idle(struct scripted_backend *sb);
/* Run runnable agents round robin for at most @max_steps steps. */
int sb_run(struct scripted_backend *sb, struct runtime *rt, int max_steps);
/*
 * Nothing is lost: every live task is woken (a running one blocked and
 * woken first, so that it needs a fresh commit) and whatever runs on
 * CPUs @first..@last is made to block and wake again, round after round,
 * until every task has been committed again. Returns 0, or the tid of a
 * task that never ran.
 */
int32_t sb_everyone_runs_again(struct scripted_backend *sb, struct runtime *rt,
			       int first, int last);
/* Quiesce, commit (or not) and resume, as ghost-agent does. */
int sb_change(struct scripted_backend *sb, struct runtime *rt, char *why,
	      size_t len);

/* The last commit naming @cpu, or NULL. */
const struct sb_commit_record *sb_last_commit(const struct scripted_backend *sb,
					      int cpu);

#endif /* GHOST_TEST_SCRIPTED_BACKEND_H */
