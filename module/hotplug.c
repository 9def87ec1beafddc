// SPDX-License-Identifier: GPL-2.0
/*
 * CPUs of enclaves going offline and coming back.
 *
 * Going down, a CPU stays in its enclave but is marked offline: its agent
 * is demoted, what was committed there is preempted or unlatched, and its
 * agent's queue hears CPU_BUSY with GHOST_MSG_F_CPU_OFFLINE. The ghost
 * tasks still queued there are moved by the kernel itself: once a CPU is
 * inactive the hook patch picks them in turn and the hotplug code pushes
 * each one away. Coming back, it is available again and waits for an
 * agent. The last online CPU outside all enclaves may not go offline.
 *
 * Our teardown runs after the scheduler deactivated the CPU and before it
 * waits for the CPU's run queue to drain, on the CPU itself.
 */
#include <linux/cpu.h>
#include <linux/cpuhotplug.h>

#include "ghost.h"

static enum cpuhp_state ghost_hotplug_state;

static int ghost_cpu_online(unsigned int cpu)
{
	struct ghost_cpu *gc = ghost_cpu(cpu);
	unsigned long flags;
	struct rq *rq;

	mutex_lock(&ghost_enclaves_mutex);
	rq = ghost_cpu_rq_lock(cpu, &flags);
	if (gc->enclave && gc->offline) {
		gc->offline = false;
		ghost_update_availability(rq, gc);
		ghost_update_cpu_word(gc);
	}
	ghost_rq_unlock(rq, flags);
	mutex_unlock(&ghost_enclaves_mutex);
	return 0;
}

static int ghost_cpu_offline(unsigned int cpu)
{
	struct ghost_cpu *gc = ghost_cpu(cpu);
	struct ghost_enclave *e;
	unsigned long flags;
	struct rq *rq;
	int ret = 0;

	mutex_lock(&ghost_enclaves_mutex);
	e = gc->enclave;
	if (!e) {
		/* Without it, enclaves would leave the kernel no CPU at all. */
		if (!ghost_cpus_leave_one_free(NULL, cpumask_of(cpu)))
			ret = -EBUSY;
		mutex_unlock(&ghost_enclaves_mutex);
		return ret;
	}
	ghost_enclave_get(e);
	rq = ghost_cpu_rq_lock(cpu, &flags);
	gc->offline = true;
	if (gc->latched)
		ghost_task_unlatch(rq, ghost_task_of(gc->latched), true);
	if (gc->running) {
		gc->preempt_running = true;
		ghost_resched_curr(rq);
	}
	/* Said even if a higher class made it unavailable already. */
	gc->available = false;
	gc->boost = false;
	ghost_update_cpu_word(gc);
	ghost_cpu_send(rq, gc, GHOST_MSG_CPU_BUSY, GHOST_MSG_F_CPU_OFFLINE);
	ghost_agent_wake(rq, cpu);
	ghost_rq_unlock(rq, flags);
	mutex_unlock(&ghost_enclaves_mutex);

	ghost_agent_evict(e, cpu);
	ghost_enclave_put(e);
	return 0;
}

int ghost_hotplug_init(void)
{
	int ret = cpuhp_setup_state_nocalls(CPUHP_AP_ONLINE_DYN, "sched/ghost:online",
					    ghost_cpu_online, ghost_cpu_offline);

	if (ret < 0)
		return ret;
	ghost_hotplug_state = ret;
	return 0;
}

void ghost_hotplug_exit(void)
{
	cpuhp_remove_state_nocalls(ghost_hotplug_state);
}
