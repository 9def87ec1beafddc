// SPDX-License-Identifier: GPL-2.0
/*
 * The simulated kernel's watchdog (enclave.c in the module): every quarter
 * of @watchdog_ms (10 ms at least) it looks for runnable tasks that waited
 * longer than @watchdog_ms. One that could not have run, because higher
 * classes held every enclave CPU it may use, is evicted alone
 * (GHOST_DEPART_STARVED); one that could have is the agents' fault, and
 * the enclave is destroyed. Agents are not throttled in this model, so
 * the watchdog's other trigger, an agent throttled for too long, never
 * fires here.
 */
#include <stdio.h>

#include "kernel.h"

#define WATCHDOG_MIN_PERIOD_MS	10

void sk_watchdog_arm(struct sim_kernel *sk)
{
	uint64_t period = sk->watchdog_ms / 4;

	if (period < WATCHDOG_MIN_PERIOD_MS)
		period = WATCHDOG_MIN_PERIOD_MS;
	event_push(sk->events, sk->now + period * 1000000, EV_WATCHDOG, 0, 0);
}

/* No enclave CPU that @t may use is available. */
static bool starved(const struct sim_kernel *sk, const struct sk_task *t)
{
	for (int cpu = 0; cpu < sk->nr_cpu_ids; cpu++)
		if (CPU_ISSET(cpu, &t->mask) && sk_cpu_available(sk, cpu))
			return false;
	return true;
}

void sk_watchdog_scan(struct sim_kernel *sk)
{
	uint64_t timeout = (uint64_t)sk->watchdog_ms * 1000000, longest = 0;
	struct sk_task *culprit = NULL;
	char what[160], reason[200];

	if (sk->destroyed)
		return;
	for (uint32_t i = 0; i < sk->max_tasks; i++) {
		struct sk_task *t = &sk->tasks[i];

		if (!t->gtid || !t->runnable || t->running_cpu >= 0 ||
		    sk->now - t->runnable_since <= timeout)
			continue;
		if (starved(sk, t)) {
			sk->counters.evicted++;
			sk_task_depart(sk, t, GHOST_DEPART_STARVED);
		} else if (sk->now - t->runnable_since > longest) {
			longest = sk->now - t->runnable_since;
			culprit = t;
		}
	}
	if (!culprit) {
		sk_watchdog_arm(sk);
		return;
	}
	snprintf(what, sizeof(what),
		 "task %d waited %llu ms to run, with a CPU it may use available",
		 culprit->tid, (unsigned long long)(longest / 1000000));
	metrics_violation(sk->metrics, sk->now, VIOLATION_LOST_TASK, "%s", what);
	snprintf(reason, sizeof(reason), "the watchdog: %s", what);
	sk_destroy(sk, reason);
}

/*
 * Every task returns to CFS (TASK_DEPARTED, GHOST_DEPART_ENCLAVE) and the
 * run ends: the simulator models ghost, not CFS.
 */
void sk_destroy(struct sim_kernel *sk, const char *reason)
{
	if (sk->destroyed)
		return;
	for (uint32_t i = 0; i < sk->max_tasks; i++)
		if (sk->tasks[i].gtid)
			sk_task_depart(sk, &sk->tasks[i], GHOST_DEPART_ENCLAVE);
	sk->destroyed = true;
	sk->destroyed_at = sk->now;
	snprintf(sk->destroy_reason, sizeof(sk->destroy_reason), "%s", reason);
}
