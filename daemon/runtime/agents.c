// SPDX-License-Identifier: GPL-2.0
/*
 * Agents: which role each has under the running model, how an agent takes
 * its role (attach, move, release, and pointing queue wakeups at itself),
 * parking, an agent that loses its CPU, and the system calls an agent
 * makes once it has let go of the lock.
 *
 * Per-CPU model: every enclave CPU's agent is the agent of that CPU and
 * its queue wakes it. Centralized: the leader's agent is the global agent
 * and every queue wakes it wherever it is; the others are no agents. The
 * leader is the agent whose queue is the enclave's default queue.
 */
#include <errno.h>
#include <string.h>

#include "common/log.h"
#include "internal.h"

/* The role of the agent of @cpu under @model over @cpus. */
static int role_for(const struct runtime *rt, uint32_t cpu, int model,
		    const cpu_set_t *cpus)
{
	if (!CPU_ISSET(cpu, cpus))
		return RT_ROLE_NONE;
	if (model != GHOST_MODEL_CENTRALIZED)
		return RT_ROLE_PER_CPU;
	return (int)cpu == rt->leader ? RT_ROLE_GLOBAL : RT_ROLE_NONE;
}

/* Under the lock, agents quiesced (or none started yet). */
void roles_assign(struct runtime *rt)
{
	const struct rt_agent *leader = &rt->agents[rt->leader];
	bool centralized = rt->model == GHOST_MODEL_CENTRALIZED;

	for (uint32_t cpu = 0; cpu < rt->nr_cpu_ids; cpu++) {
		struct rt_agent *a = &rt->agents[cpu];
		int want = role_for(rt, cpu, rt->model, &rt->cpuset);
		bool pending;

		pending = want != LOAD(a->applied);
		/* A role still pending from a change before counts once. */
		if (pending != a->role_pending)
			__atomic_fetch_add(&rt->roles_pending, pending ? 1 : -1,
					   __ATOMIC_RELAXED);
		a->role = want;
		a->role_pending = pending;
		a->attach_deadline = 0;
		if (pending)
			STORE(a->gave_up, 0);
	}
	/* A global agent keeps the CPU it moved to; a new one starts home. */
	if (!centralized)
		STORE(rt->global_cpu, -1);
	else if (LOAD(leader->applied) == RT_ROLE_GLOBAL && LOAD(leader->cpu) >= 0)
		STORE(rt->global_cpu, LOAD(leader->cpu));
	else
		STORE(rt->global_cpu, rt->leader);
}

/*
 * Summon, once every agent is quiet, the agents that a policy swap gives
 * a role that schedules (the new global agent; per-CPU agents where there
 * were none): they wake while the tasks are handed over, so that waking
 * them (dear when their CPU sleeps) overlaps it instead of following it.
 * The global agent-to-be waits awake; an agent without a CPU takes its
 * CPU then parks there. An agent that only lets go of its CPU is not
 * summoned: nothing waits for that. Returns whether a summoned agent has
 * no CPU, so that its thread waits in the driver and must be woken there.
 */
bool agents_summon(struct runtime *rt)
{
	bool wake_idle = false;

	if (!rt->next || !CPU_EQUAL(&rt->next_cpuset, &rt->cpuset))
		return false;
	for (uint32_t cpu = 0; cpu < rt->nr_cpu_ids; cpu++) {
		struct rt_agent *a = &rt->agents[cpu];
		int want = role_for(rt, cpu, rt->next->desc->model, &rt->cpuset);
		int at = LOAD(a->cpu);

		if (want == RT_ROLE_NONE || want == LOAD(a->applied) ||
		    LOAD(a->gave_up))
			continue;
		STORE_SC(a->summoned, 1);
		if (at < 0)
			wake_idle = true;
		else if (!rt->ops->ping(rt->be, at))
			rt_count(&rt->counters.pings);
	}
	return wake_idle;
}

/*
 * The agent has its role (or has given up on it): one fewer to wait for.
 * When, goes first: the control side reads it once none is pending. Only
 * roles that schedule end the blackout.
 */
static void role_settled(struct rt_agent *a)
{
	struct runtime *rt = a->rt;
	uint64_t now, done;

	if (!a->role_pending)
		return;
	a->role_pending = false;
	if (a->role == RT_ROLE_NONE) {
		__atomic_sub_fetch(&rt->roles_pending, 1, __ATOMIC_RELEASE);
		return;
	}
	now = rt->ops->now_ns(rt->be);
	done = __atomic_load_n(&rt->roles_done_at, __ATOMIC_RELAXED);
	while (done < now &&
	       !__atomic_compare_exchange_n(&rt->roles_done_at, &done, now, false,
					    __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		;
	__atomic_sub_fetch(&rt->roles_pending, 1, __ATOMIC_RELEASE);
}

static void point_wakeup(struct runtime *rt, struct ghost_cpu *queue_of, int cpu)
{
	if (queue_of->queue &&
	    rt->ops->queue_set_wakeup(rt->be, queue_of->queue, cpu))
		rt_count(&rt->counters.backend_errors);
}

/*
 * The agent is no agent any more (it let go, or the kernel took its CPU).
 * The leader reads agent-less queues, so their messages must wake it,
 * those already there included.
 */
static void agent_detach(struct rt_agent *a, bool release)
{
	struct runtime *rt = a->rt;
	struct ghost_cpu *home = &rt->cpus[a->home];
	int leader = LOAD(rt->leader);

	if (release && LOAD(a->cpu) >= 0)
		rt->ops->agent_release(rt->be, a->home);
	STORE(a->cpu, -1);
	if (LOAD(rt->model) != GHOST_MODEL_PER_CPU || a->home == leader || !home->queue)
		return;
	point_wakeup(rt, home, leader);
	if (rt->ops->queue_pending(rt->be, home->queue))
		rt->ops->ping(rt->be, leader);
}

/* Be the agent of @cpu, moving there if the agent is elsewhere. */
static int agent_attach_at(struct rt_agent *a, int cpu)
{
	struct runtime *rt = a->rt;
	int ret;

	if (LOAD(a->cpu) == cpu)
		return 0;
	if (LOAD(a->cpu) >= 0) {
		ret = rt->ops->agent_move(rt->be, a->home, cpu);
		if (!ret || ret == -EBUSY) {
			if (!ret)
				STORE(a->cpu, cpu);
			return ret;
		}
		rt->ops->agent_release(rt->be, a->home);
		STORE(a->cpu, -1);
	}
	ret = rt->ops->agent_attach(rt->be, a->home, cpu, rt->cpus[a->home].queue);
	if (!ret)
		STORE(a->cpu, cpu);
	return ret;
}

/* The global agent starts at home, or on any enclave CPU if home is gone. */
static int agent_attach_global(struct rt_agent *a)
{
	struct runtime *rt = a->rt;
	int ret = agent_attach_at(a, a->home);

	for (uint32_t cpu = 0; ret && ret != -EBUSY && cpu < rt->nr_cpu_ids; cpu++)
		if (CPU_ISSET(cpu, &rt->cpuset) && (int)cpu != a->home)
			ret = agent_attach_at(a, cpu);
	return ret;
}

/*
 * A summoned agent without a CPU takes its home CPU while the change is
 * being made: the CPU is ready when the change resumes. Every other agent
 * is quiet then, so nothing commits there meanwhile; a task the old
 * global agent committed there is preempted, as by any higher class, and
 * its news reaches the new policy. If the change fails, the agent lets go
 * again (agent_step()). A CPU where the old global agent sits is left to
 * agent_apply_role(), after the change.
 */
int agent_attach_early(struct rt_agent *a)
{
	return agent_attach_at(a, a->home);
}

static void agent_give_up(struct rt_agent *a, int err)
{
	log_error("no agent for CPU %d: %s", a->home, strerror(-err));
	STORE(a->gave_up, 1);
	agent_detach(a, true);
	role_settled(a);
}

/* The agent is where its role needs it: its queues wake it there. */
static void role_complete(struct rt_agent *a)
{
	struct runtime *rt = a->rt;

	if (a->role == RT_ROLE_PER_CPU) {
		point_wakeup(rt, &rt->cpus[a->home], a->home);
	} else {
		for (uint32_t cpu = 0; cpu < rt->nr_cpu_ids; cpu++)
			point_wakeup(rt, &rt->cpus[cpu], LOAD(a->cpu));
		STORE(rt->global_cpu, LOAD(a->cpu));
	}
	STORE(a->applied, a->role);
	role_settled(a);
}

enum rt_step agent_apply_role(struct rt_agent *a)
{
	struct runtime *rt = a->rt;
	uint64_t now;
	int ret;

	if (a->role == RT_ROLE_NONE) {
		/* The kernel may have taken the CPU already (removed, offline). */
		agent_detach(a, true);
		STORE(a->applied, RT_ROLE_NONE);
		role_settled(a);
		return RT_STEP_IDLE;
	}
	ret = a->role == RT_ROLE_PER_CPU ? agent_attach_at(a, a->home) :
					   agent_attach_global(a);
	if (ret == -EBUSY) {
		/* A dead or departing agent holds the CPU: it goes soon. */
		now = rt->ops->now_ns(rt->be);
		if (!a->attach_deadline)
			a->attach_deadline = now + rt->watchdog_ms * 1000000ULL;
		if (now < a->attach_deadline)
			return RT_STEP_RETRY_LATER;
	}
	if (ret) {
		agent_give_up(a, ret);
		return RT_STEP_IDLE;
	}
	role_complete(a);
	return RT_STEP_AGAIN;
}

/*
 * At resume, under the lock: an agent already on the CPU its new role
 * needs (a per-CPU agent that took its CPU early, a global agent-to-be on
 * an enclave CPU) has its role completed here, its queues made to wake
 * it: it is then what it would have made itself, parked or spinning
 * until its next news, and the blackout ends without waiting for its CPU
 * to run it. The agent cannot be applying a role itself meanwhile: it
 * does that only in a step that began after quiescing ended.
 */
void roles_complete_ready(struct runtime *rt)
{
	for (uint32_t cpu = 0; cpu < rt->nr_cpu_ids; cpu++) {
		struct rt_agent *a = &rt->agents[cpu];
		int at = LOAD(a->cpu);

		if (a->role == LOAD(a->applied) || LOAD(a->gave_up) || at < 0)
			continue;
		if ((a->role == RT_ROLE_PER_CPU && at == a->home) ||
		    (a->role == RT_ROLE_GLOBAL && CPU_ISSET(at, &rt->cpuset)))
			role_complete(a);
	}
}

void agent_lost(struct rt_agent *a, int err)
{
	struct runtime *rt = a->rt;
	struct backend_enclave info;

	if (rt->ops->enclave_info(rt->be, &info) == -ENODEV) {
		STORE(rt->gone, 1);
		return;
	}
	/* Its CPU went offline or left the enclave: it is no agent now. */
	if (LOAD(a->applied) != RT_ROLE_NONE)
		log_warn("agent of CPU %d lost its CPU: %s", LOAD(a->cpu),
			 strerror(-err));
	agent_detach(a, false);
	STORE(a->applied, RT_ROLE_NONE);
}

void agent_park(struct rt_agent *a, uint32_t agent_barrier)
{
	struct runtime *rt = a->rt;
	int ret;

	STORE_SC(a->quiet, 1);
	ret = rt->ops->agent_park(rt->be, a->home, agent_barrier);
	STORE(a->quiet, 0);
	__atomic_fetch_add(&a->parks, 1, __ATOMIC_RELAXED);
	/* ESTALE: news arrived since the barrier was read; EINTR: a signal. */
	if (ret && ret != -ESTALE && ret != -EINTR)
		agent_lost(a, ret);
}

void agent_after_lock(struct rt_agent *a)
{
	struct runtime *rt = a->rt;
	uint32_t nr;

	placement_flush(a);
	/*
	 * Messages were dropped: have the kernel tell us every task again,
	 * but only once the queues we read are drained, so that its
	 * announcements find room (rt_default_queue_slots()): a discovery
	 * into a queue still full would overflow it again, and again.
	 */
	if (!a->want_discover || a->more_pending)
		return;
	a->want_discover = false;
	if (!rt->ops->discover(rt->be, &nr))
		rt_count(&rt->counters.discovers);
}
