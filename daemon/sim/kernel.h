/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The simulated kernel: ghost.ko's side of <linux/ghost.h>, in memory and
 * in simulated time, for one enclave on one simulated machine.
 *
 * It keeps what the module keeps (tasks and their states, latches, what
 * each CPU runs, queues, barriers, status words, transaction slots,
 * agents) and does what the module does when the workload acts (a task
 * arrives, wakes, blocks, exits; a higher class takes a CPU) and when an
 * agent calls it through the backend (sim_backend.c): the same messages
 * with the same barriers to the same queues, the same commit checks in the
 * same order with the same outcomes, the same parking and waking. Where
 * the model could disagree with ghost.ko, docs/ghost-sim.md says so.
 *
 * Time. Every change happens at the time of the event being handled
 * (@now). An agent's step is atomic at its start: what it does takes
 * effect then, but it holds its CPU until the step's cost has passed, and
 * what follows from it (a committed task running, a woken agent running)
 * is scheduled after that cost. The runtime's clock during a step is
 * @now plus the cost so far (sk_agent_clock()).
 *
 * Files: kernel_tasks.c (tasks, what CPUs run, higher classes),
 * kernel_queues.c (messages, queues, barriers, status words),
 * kernel_txn.c (commits), kernel_agents.c (agents: attach, park, wake,
 * move; steps and their costs), kernel_watchdog.c (the watchdog and
 * destruction).
 */
#ifndef GHOST_SIM_KERNEL_H
#define GHOST_SIM_KERNEL_H

#include <sched.h>
#include <stdbool.h>
#include <stdint.h>

#include <linux/ghost.h>

#include "event_queue.h"
#include "machine.h"
#include "metrics.h"

struct sk_queue {
	struct ghost_msg *ring;		/* grows up to @nr_slots */
	uint32_t cap, nr_slots;
	uint32_t head, tail, overflow;
	int wakeup_cpu;
	bool orphaned;			/* destroyed: route to the default */
	struct sk_queue *next;		/* every queue ever made */
};

struct sk_task {
	uint64_t gtid;			/* 0: the slot is free */
	int32_t tid;
	int nice;
	cpu_set_t mask;
	bool runnable;			/* runnable or running */
	int latched_cpu, running_cpu;	/* -1: none */
	struct sk_queue *queue;		/* NULL: the default queue */
	uint64_t runtime_ns;
	uint64_t runnable_since;	/* waiting for a CPU since; 0: not */
	uint64_t work_start;		/* running: when its code resumed */
	uint64_t burst_left_ns;		/* CPU time its current burst needs */
	uint32_t gen;			/* cancels its pending events */

	/* What the task does: the workload's, kept here. */
	uint32_t class;
	int32_t script;			/* scripted task index, or -1 */
	uint32_t phase;
	uint64_t arrival;
	bool measured;			/* arrived in the measured window */
};

struct sk_agent {
	unsigned int id;		/* the runtime's agent number */
	int cpu;			/* attached there, or -1 */
	struct sk_queue *queue;		/* where its CPU's messages go */
	bool parked;
	bool waiting_for_news;		/* spinning with nothing to do */
	bool run_pending;		/* an EV_AGENT_RUN is on its way */
	uint64_t run_at;
	uint32_t gen;
	uint64_t busy_until;		/* its last step's end */
	bool done;			/* RT_STEP_EXIT */
};

struct sk_cpu {
	int id;
	bool in_enclave;
	int hogs;			/* higher-class tasks wanting it */
	struct sk_agent *agent;
	struct sk_task *latched;
	uint64_t latch_switch_ns;	/* switch cost when the latched task starts */
	struct sk_task *running;
	uint32_t switch_gen;		/* cancels EV_CPU_SWITCH */
	enum cpu_activity activity;	/* since @since */
	uint64_t since;
};

struct sk_counters {
	uint64_t msgs[GHOST_MSG_TYPE_MAX + 1];
	uint64_t commits[GHOST_TXN_STATE_MAX + 1];
	uint64_t overflows;
	uint64_t evicted;
	uint64_t agent_wakeups;
	uint64_t agent_steps;
	uint64_t refused_tasks;		/* arrivals beyond max_tasks */
};

struct sim_kernel {
	const struct machine *m;
	struct event_queue *events;
	struct metrics *metrics;
	uint64_t now;

	/* Agent steps */
	struct sk_agent *stepping;	/* the agent inside rt_agent_step */
	uint64_t step_cost;		/* what that step has cost so far */
	bool step_active;		/* it did something beyond looking */
	uint32_t step_clock_reads;

	/* Shared with the runtime, as the module's mappings are. */
	struct ghost_status_header *status;
	struct ghost_txn *txns;

	int nr_cpu_ids;
	cpu_set_t enclave;
	struct sk_cpu cpus[MACHINE_MAX_CPUS];
	struct sk_agent agents[MACHINE_MAX_CPUS];

	uint32_t max_tasks, nr_live;
	struct sk_task *tasks;		/* by status word - CPU words */
	uint32_t *reuses;
	uint32_t next_free;		/* where the search for a free slot starts */
	int32_t next_tid;

	struct sk_queue *queues, *default_queue;

	bool destroyed;
	uint64_t destroyed_at;
	char destroy_reason[256];
	uint32_t watchdog_ms;

	struct sk_counters counters;
};

/* kernel_tasks.c */
int sk_init(struct sim_kernel *sk, const struct machine *m, uint32_t max_tasks,
	    struct event_queue *events, struct metrics *metrics);
void sk_fini(struct sim_kernel *sk);
/* A task enters the enclave, runnable, with @burst_ns of work; or NULL. */
struct sk_task *sk_task_enter(struct sim_kernel *sk, const cpu_set_t *mask,
			      int nice, uint64_t burst_ns);
/* The workload: its burst done, a running task blocks or exits. */
void sk_task_block(struct sim_kernel *sk, struct sk_task *t);
void sk_task_exit(struct sim_kernel *sk, struct sk_task *t);
/* A blocked task wakes with @burst_ns of work. */
void sk_task_wakeup(struct sim_kernel *sk, struct sk_task *t, uint64_t burst_ns);
/* The task is out of the enclave (evicted, or the enclave died). */
void sk_task_depart(struct sim_kernel *sk, struct sk_task *t, uint32_t reason);
struct sk_task *sk_task_by_gtid(struct sim_kernel *sk, uint64_t gtid);
struct sk_task *sk_task_by_tid(struct sim_kernel *sk, int32_t tid);
/* A higher-class task takes @cpu, or leaves it. */
void sk_hog_start(struct sim_kernel *sk, int cpu);
void sk_hog_end(struct sim_kernel *sk, int cpu);
/* @cpu may run something else now: its latched task, if it can. */
void sk_cpu_resched(struct sim_kernel *sk, int cpu);
void sk_cpu_switch(struct sim_kernel *sk, int cpu, uint32_t gen);
/* Stop what runs on @cpu: TASK_PREEMPT with @flags. */
void sk_preempt_running(struct sim_kernel *sk, int cpu, uint32_t flags);
/* @t loses its latch, told (TASK_PREEMPT, WAS_LATCHED) if @tell. */
void sk_unlatch(struct sim_kernel *sk, struct sk_task *t, bool tell);
/* Charge @cpu's time so far to what it was doing; note what it does now. */
void sk_cpu_account(struct sim_kernel *sk, int cpu);
bool sk_cpu_available(const struct sim_kernel *sk, int cpu);

/* kernel_queues.c */
struct sk_queue *sk_queue_create(struct sim_kernel *sk, int wakeup_cpu,
				 uint32_t nr_slots);
bool sk_queue_pop(struct sk_queue *q, struct ghost_msg *msg);
/* Send @m (its type and payload filled) about @t; the rest is filled here. */
void sk_send_task_msg(struct sim_kernel *sk, struct sk_task *t, struct ghost_msg *m);
void sk_send_task(struct sim_kernel *sk, struct sk_task *t, uint16_t type,
		  uint32_t flags);
void sk_send_cpu(struct sim_kernel *sk, int cpu, uint16_t type, uint32_t flags);
struct ghost_status_word *sk_word(struct sim_kernel *sk, uint32_t index);
struct ghost_status_word *sk_task_word(struct sim_kernel *sk, const struct sk_task *t);
void sk_task_word_update(struct sim_kernel *sk, struct sk_task *t);
void sk_cpu_word_update(struct sim_kernel *sk, int cpu);

/* kernel_agents.c */
int sk_agent_attach(struct sim_kernel *sk, unsigned int agent, int cpu,
		    struct sk_queue *q);
int sk_agent_park(struct sim_kernel *sk, unsigned int agent, uint32_t barrier);
int sk_agent_move(struct sim_kernel *sk, unsigned int agent, int cpu);
int sk_agent_release(struct sim_kernel *sk, unsigned int agent);
int sk_ping(struct sim_kernel *sk, int cpu);
/* Move @cpu's agent barrier and wake its agent (ghost_agent_wake()). */
void sk_agent_wake(struct sim_kernel *sk, int cpu);
/* Run @agent's step at @when (or when it is free, if later). */
void sk_agent_schedule(struct sim_kernel *sk, struct sk_agent *a, uint64_t when);
/* Around rt_agent_step(): the agent takes its CPU, then leaves it. */
void sk_agent_step_begin(struct sim_kernel *sk, struct sk_agent *a);
/* @again: the runtime wants to run again at once (RT_STEP_AGAIN). */
void sk_agent_step_end(struct sim_kernel *sk, struct sk_agent *a, bool again,
		       uint64_t idle_deadline);
/* What the step has cost so far; charge it @ns more. */
uint64_t sk_agent_clock(struct sim_kernel *sk);
void sk_agent_charge(struct sim_kernel *sk, uint64_t ns);
bool sk_agent_holds_cpu(const struct sim_kernel *sk, const struct sk_cpu *c);

/* kernel_txn.c: GHOST_IOC_COMMIT by @agent of the READY slots of @cpus. */
int sk_commit(struct sim_kernel *sk, unsigned int agent, const cpu_set_t *cpus,
	      uint32_t flags);

/* kernel_watchdog.c */
void sk_watchdog_arm(struct sim_kernel *sk);
void sk_watchdog_scan(struct sim_kernel *sk);
void sk_destroy(struct sim_kernel *sk, const char *reason);

#endif /* GHOST_SIM_KERNEL_H */
