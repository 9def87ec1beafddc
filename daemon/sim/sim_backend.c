// SPDX-License-Identifier: GPL-2.0
/*
 * The backend operations on the simulated kernel: see sim_backend.h. Each
 * call that is an ioctl in the kernel backend costs the agent a system
 * call here (syscall_ns, or the commit's own cost), reading a message
 * costs agent_message_ns, and looking at shared memory is free. A call
 * that changes anything marks the step as having done something, which
 * the simulator needs to know when it decides when a spinning agent looks
 * again (kernel_agents.c).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/xalloc.h"
#include "sim_backend.h"

struct backend_queue {
	struct sk_queue q;
};

struct sim_backend {
	struct backend base;
	struct sim_kernel *sk;
};

static struct sim_kernel *sk_of(struct backend *be)
{
	return ((struct sim_backend *)be)->sk;
}

/* An ioctl that changes something. */
static void ioctl_made(struct sim_kernel *sk)
{
	sk_agent_charge(sk, sk->m->cost[COST_SYSCALL]);
	sk->step_active = true;
}

static int sb_enclave_info(struct backend *be, struct backend_enclave *info)
{
	struct sim_kernel *sk = sk_of(be);

	if (sk->destroyed)
		return -ENODEV;
	memset(info, 0, sizeof(*info));
	info->cpus = sk->enclave;
	info->nr_cpu_ids = sk->nr_cpu_ids;
	info->max_tasks = sk->max_tasks;
	info->nr_tasks = sk->nr_live;
	info->watchdog_ms = sk->watchdog_ms;
	info->status = sk->status;
	info->txns = sk->txns;
	return 0;
}

static uint64_t sb_now_ns(struct backend *be)
{
	struct sim_kernel *sk = sk_of(be);

	sk->step_clock_reads++;
	return sk_agent_clock(sk);
}

static int sb_task_cpumask(struct backend *be, int32_t tid, cpu_set_t *mask)
{
	struct sk_task *t = sk_task_by_tid(sk_of(be), tid);

	if (!t)
		return -ESRCH;
	*mask = t->mask;
	return 0;
}

/* The kernel's queue is the backend's: struct backend_queue wraps it. */
static int sb_queue_create(struct backend *be, int wakeup_cpu, uint32_t nr_slots,
			   struct backend_queue **q)
{
	struct sim_kernel *sk = sk_of(be);

	if (sk->destroyed)
		return -ENODEV;
	*q = (struct backend_queue *)sk_queue_create(sk, wakeup_cpu, nr_slots);
	return 0;
}

static void sb_queue_destroy(struct backend *be, struct backend_queue *q)
{
	(void)be;
	q->q.orphaned = true;
}

static int sb_queue_set_default(struct backend *be, struct backend_queue *q)
{
	struct sim_kernel *sk = sk_of(be);

	ioctl_made(sk);
	sk->default_queue = &q->q;
	return 0;
}

static int sb_queue_set_wakeup(struct backend *be, struct backend_queue *q,
			       int wakeup_cpu)
{
	ioctl_made(sk_of(be));
	q->q.wakeup_cpu = wakeup_cpu;
	return 0;
}

static bool sb_queue_pop(struct backend *be, struct backend_queue *q,
			 struct ghost_msg *msg)
{
	struct sim_kernel *sk = sk_of(be);

	if (!sk_queue_pop(&q->q, msg))
		return false;
	sk_agent_charge(sk, sk->m->cost[COST_AGENT_MESSAGE]);
	sk->step_active = true;
	return true;
}

static uint32_t sb_queue_pending(struct backend *be, const struct backend_queue *q)
{
	(void)be;
	return q->q.head - q->q.tail;
}

static uint32_t sb_queue_overflows(struct backend *be, const struct backend_queue *q)
{
	(void)be;
	return q->q.overflow;
}

static int sb_assoc_queue(struct backend *be, struct backend_queue *q,
			  uint64_t gtid, uint32_t task_barrier)
{
	struct sim_kernel *sk = sk_of(be);
	struct sk_task *t = sk_task_by_gtid(sk, gtid);

	ioctl_made(sk);
	if (sk->destroyed)
		return -ENODEV;
	if (!t)
		return -ENOENT;
	if (sk_task_word(sk, t)->barrier != task_barrier)
		return -ESTALE;
	t->queue = &q->q;
	return 0;
}

static int sb_discover(struct backend *be, uint32_t *nr_tasks)
{
	struct sim_kernel *sk = sk_of(be);

	ioctl_made(sk);
	*nr_tasks = 0;
	if (sk->destroyed)
		return -ENODEV;
	for (uint32_t i = 0; i < sk->max_tasks; i++) {
		struct sk_task *t = &sk->tasks[i];

		if (!t->gtid)
			continue;
		sk_send_task(sk, t, GHOST_MSG_TASK_NEW,
			     t->runnable ? GHOST_MSG_F_RUNNABLE : 0);
		(*nr_tasks)++;
	}
	return 0;
}

static int sb_agent_attach(struct backend *be, unsigned int agent, int cpu,
			   struct backend_queue *q)
{
	struct sim_kernel *sk = sk_of(be);

	sk->step_active = true;
	return sk_agent_attach(sk, agent, cpu, q ? &q->q : NULL);
}

static int sb_agent_park(struct backend *be, unsigned int agent,
			 uint32_t agent_barrier)
{
	return sk_agent_park(sk_of(be), agent, agent_barrier);
}

static int sb_agent_move(struct backend *be, unsigned int agent, int cpu)
{
	return sk_agent_move(sk_of(be), agent, cpu);
}

static int sb_agent_release(struct backend *be, unsigned int agent)
{
	return sk_agent_release(sk_of(be), agent);
}

static int sb_commit(struct backend *be, unsigned int agent,
		     const cpu_set_t *cpus, uint32_t flags)
{
	return sk_commit(sk_of(be), agent, cpus, flags);
}

static int sb_ping(struct backend *be, int cpu)
{
	return sk_ping(sk_of(be), cpu);
}

/* Changing the enclave's CPUs is not simulated (see docs/ghost-sim.md). */
static int sb_set_cpus(struct backend *be, const cpu_set_t *cpus)
{
	(void)be;
	(void)cpus;
	return -EOPNOTSUPP;
}

static int sb_destroy(struct backend *be)
{
	sk_destroy(sk_of(be), "destroyed by its agents");
	return 0;
}

static void sb_close(struct backend *be)
{
	free(be);
}

static const struct backend_ops sim_backend_ops = {
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

struct backend *sim_backend_create(struct sim_kernel *sk)
{
	struct sim_backend *sb = xcalloc(1, sizeof(*sb));

	sb->base.ops = &sim_backend_ops;
	sb->sk = sk;
	return &sb->base;
}
