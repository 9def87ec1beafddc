/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The ghost runtime: runs a policy plugin over an enclave backend.
 *
 * Its users are a *driver*, which gives agents time to run, and a
 * *control side*, which starts, swaps and stops. In ghost-agent the driver
 * is one thread per agent and the control side is the main thread; in a
 * simulator or a unit test both are the same single thread, which calls
 * rt_agent_step() for whichever agent its model says runs now.
 *
 * Agents are numbered by CPU (0..rt_nr_agents()-1). rt_agent_wanted() says
 * which need a thread now (check again after each change); rt_agent_step() runs one step of one agent:
 * read its messages, tell the policy, take the policy's decisions, commit
 * them, give back what the kernel refused, and maybe park (through the
 * backend). Its result tells the driver when to call again.
 *
 * Changing the policy or the enclave's CPUs is a *change*: prepared first
 * (the new policy loaded and initialised; nothing running is touched, and
 * a failure leaves everything as it was), then applied between
 * rt_quiesce() and rt_resume(): agents reach a quiet point (latched and
 * running tasks keep running), rt_commit() hands the task table to the new
 * policy and gives agents new roles if the model changes, and resuming
 * lets them go. The blackout, from rt_quiesce() until every agent with a
 * new role that schedules has taken it, is reported by rt_status(); an
 * agent that only lets go of its CPU holds up nobody. Agents that will
 * schedule are woken once the others are quiet (rt_summon()), so that
 * waking them overlaps the handover.
 *
 * Only the control side calls the functions below other than
 * rt_agent_step(), and never two at once.
 */
#ifndef GHOST_RUNTIME_RUNTIME_H
#define GHOST_RUNTIME_RUNTIME_H

#include <sched.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include <ghost/policy.h>

#include "backend.h"

struct runtime;

enum rt_step {
	RT_STEP_AGAIN,		/* call again now */
	RT_STEP_RETRY_LATER,	/* call again after a short pause (about 1 ms) */
	RT_STEP_IDLE,		/* call again once the control side has acted */
	RT_STEP_EXIT,		/* the agent is done */
};

/*
 * Load @plugin from @plugin_dir with @params (a JSON object or NULL),
 * initialise it over the enclave of @be, and prepare the enclave: make a
 * message queue per CPU, set the default queue, clear transaction slots a
 * dead agent left READY. @be stays the caller's. Returns 0, or -1 with why
 * in @why (the plugin's, or the backend's, failure).
 */
int rt_create(struct runtime **rt, struct backend *be, const char *plugin_dir,
	      const char *plugin, const json_t *params, char *why, size_t len);
void rt_destroy(struct runtime *rt);

/* The driver's side */
unsigned int rt_nr_agents(const struct runtime *rt);
bool rt_agent_wanted(const struct runtime *rt, unsigned int agent);
enum rt_step rt_agent_step(struct runtime *rt, unsigned int agent);

/*
 * For a driver that runs agents on simulated time: when @agent, spinning
 * with nothing to do, would change course with no news (the global agent
 * parks once idle long enough), or 0 if only news changes what it does.
 */
uint64_t rt_agent_idle_deadline(const struct runtime *rt, unsigned int agent);

/* Every wanted agent has taken its role (or given up on it). */
bool rt_agents_settled(const struct runtime *rt);

/*
 * Take over the tasks of a live enclave whose agents died: bind every task
 * found in the status words to our default queue and ask the kernel to
 * announce them all again (GHOST_IOC_DISCOVER). Call once the agents are
 * settled. Returns 0 with how many were announced, or a negative errno.
 */
int rt_adopt(struct runtime *rt, uint32_t *nr_announced);

/* Changes */
int rt_prepare_swap(struct runtime *rt, const char *plugin,
		    const json_t *params, char *why, size_t len);
int rt_prepare_cpus(struct runtime *rt, const cpu_set_t *cpus, char *why,
		    size_t len);
void rt_quiesce(struct runtime *rt);
bool rt_quiesced(const struct runtime *rt);
/*
 * Once quiesced: wake the agents that the change gives a role that
 * schedules. True: some wait in the driver; wake them there.
 */
bool rt_summon(struct runtime *rt);
/*
 * Whether @agent is summoned and waits in the driver: its thread is best
 * woken on its home CPU (the agent's number), which it is about to take.
 */
bool rt_agent_summoned(const struct runtime *rt, unsigned int agent);
/* Apply the prepared change; -1 with @why if the kernel refused new CPUs. */
int rt_commit(struct runtime *rt, char *why, size_t len);
/* Drop a prepared change that will not be committed. */
void rt_abort(struct runtime *rt);
void rt_resume(struct runtime *rt);
/* The last change is complete: every agent has its new role. */
bool rt_change_done(const struct runtime *rt);

/* Agents release their CPUs and exit (the enclave lives on). */
void rt_stop(struct runtime *rt);
/* The enclave was destroyed under the runtime (watchdog, administrator). */
bool rt_enclave_gone(const struct runtime *rt);

/* Status */
enum rt_agent_state {
	RT_AGENT_NONE,		/* the CPU has no agent of ours */
	RT_AGENT_PARKED,
	RT_AGENT_RUNNING,
	RT_AGENT_THROTTLED,
};

struct rt_swap_report {
	char from[GHOST_POLICY_NAME_MAX];
	char to[GHOST_POLICY_NAME_MAX];
	uint64_t blackout_ns;	/* 0 and @to empty: no swap yet */
};

struct rt_status {
	char plugin[GHOST_POLICY_NAME_MAX];
	unsigned int model;			/* GHOST_MODEL_* */
	cpu_set_t cpus;
	unsigned int tasks[GHOST_TASK_DEPARTED + 1];	/* by state */
	unsigned int nr_tasks;
	struct rt_swap_report last_swap;
};

void rt_status(const struct runtime *rt, struct rt_status *status);
enum rt_agent_state rt_cpu_agent_state(const struct runtime *rt, int cpu);
/* The running policy's parameters as configured (a new reference). */
json_t *rt_policy_params(const struct runtime *rt);
/*
 * Counters by name (stable names such as "msg_task_new",
 * "commit_complete", "pings"): the @i-th for i < rt_nr_counters().
 */
unsigned int rt_nr_counters(void);
const char *rt_counter(const struct runtime *rt, unsigned int i,
		       uint64_t *value);

#endif /* GHOST_RUNTIME_RUNTIME_H */
