// SPDX-License-Identifier: GPL-2.0
/*
 * A backend serialising another: see locked_backend.h. Each operation
 * forwards to the inner backend with the lock held, except the clock,
 * which is the real one: the threads it serves run in real time.
 */
#include <sched.h>
#include <time.h>

#include "locked_backend.h"

static struct locked_backend *lb_of(struct backend *be)
{
	return (struct locked_backend *)be;
}

static int lb_enclave_info(struct backend *be, struct backend_enclave *info)
{
	struct locked_backend *lb = lb_of(be);
	int ret;

	pthread_mutex_lock(&lb->lock);
	ret = lb->inner->ops->enclave_info(lb->inner, info);
	pthread_mutex_unlock(&lb->lock);
	return ret;
}

/* Real threads take real time. */
static uint64_t lb_now_ns(struct backend *be)
{
	struct timespec ts;

	(void)be;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static int lb_task_cpumask(struct backend *be, int32_t tid, cpu_set_t *mask)
{
	struct locked_backend *lb = lb_of(be);
	int ret;

	pthread_mutex_lock(&lb->lock);
	ret = lb->inner->ops->task_cpumask(lb->inner, tid, mask);
	pthread_mutex_unlock(&lb->lock);
	return ret;
}

static int lb_queue_create(struct backend *be, int wakeup_cpu, uint32_t nr_slots,
			   struct backend_queue **q)
{
	struct locked_backend *lb = lb_of(be);
	int ret;

	pthread_mutex_lock(&lb->lock);
	ret = lb->inner->ops->queue_create(lb->inner, wakeup_cpu, nr_slots, q);
	pthread_mutex_unlock(&lb->lock);
	return ret;
}

static void lb_queue_destroy(struct backend *be, struct backend_queue *q)
{
	struct locked_backend *lb = lb_of(be);


	pthread_mutex_lock(&lb->lock);
	lb->inner->ops->queue_destroy(lb->inner, q);
	pthread_mutex_unlock(&lb->lock);
}

static int lb_queue_set_default(struct backend *be, struct backend_queue *q)
{
	struct locked_backend *lb = lb_of(be);
	int ret;

	pthread_mutex_lock(&lb->lock);
	ret = lb->inner->ops->queue_set_default(lb->inner, q);
	pthread_mutex_unlock(&lb->lock);
	return ret;
}

static int lb_queue_set_wakeup(struct backend *be, struct backend_queue *q,
			       int wakeup_cpu)
{
	struct locked_backend *lb = lb_of(be);
	int ret;

	pthread_mutex_lock(&lb->lock);
	ret = lb->inner->ops->queue_set_wakeup(lb->inner, q, wakeup_cpu);
	pthread_mutex_unlock(&lb->lock);
	return ret;
}

static bool lb_queue_pop(struct backend *be, struct backend_queue *q,
			 struct ghost_msg *msg)
{
	struct locked_backend *lb = lb_of(be);
	bool ret;

	pthread_mutex_lock(&lb->lock);
	ret = lb->inner->ops->queue_pop(lb->inner, q, msg);
	pthread_mutex_unlock(&lb->lock);
	return ret;
}

static uint32_t lb_queue_pending(struct backend *be, const struct backend_queue *q)
{
	struct locked_backend *lb = lb_of(be);
	uint32_t ret;

	pthread_mutex_lock(&lb->lock);
	ret = lb->inner->ops->queue_pending(lb->inner, q);
	pthread_mutex_unlock(&lb->lock);
	return ret;
}

static uint32_t lb_queue_overflows(struct backend *be, const struct backend_queue *q)
{
	struct locked_backend *lb = lb_of(be);
	uint32_t ret;

	pthread_mutex_lock(&lb->lock);
	ret = lb->inner->ops->queue_overflows(lb->inner, q);
	pthread_mutex_unlock(&lb->lock);
	return ret;
}

static int lb_assoc_queue(struct backend *be, struct backend_queue *q,
			  uint64_t gtid, uint32_t task_barrier)
{
	struct locked_backend *lb = lb_of(be);
	int ret;

	pthread_mutex_lock(&lb->lock);
	ret = lb->inner->ops->assoc_queue(lb->inner, q, gtid, task_barrier);
	pthread_mutex_unlock(&lb->lock);
	return ret;
}

static int lb_discover(struct backend *be, uint32_t *nr_tasks)
{
	struct locked_backend *lb = lb_of(be);
	int ret;

	pthread_mutex_lock(&lb->lock);
	ret = lb->inner->ops->discover(lb->inner, nr_tasks);
	pthread_mutex_unlock(&lb->lock);
	return ret;
}

static int lb_agent_attach(struct backend *be, unsigned int agent, int cpu,
			   struct backend_queue *q)
{
	struct locked_backend *lb = lb_of(be);
	int ret;

	pthread_mutex_lock(&lb->lock);
	ret = lb->inner->ops->agent_attach(lb->inner, agent, cpu, q);
	pthread_mutex_unlock(&lb->lock);
	return ret;
}

static int lb_agent_park(struct backend *be, unsigned int agent,
			 uint32_t agent_barrier)
{
	struct locked_backend *lb = lb_of(be);
	int ret;

	pthread_mutex_lock(&lb->lock);
	ret = lb->inner->ops->agent_park(lb->inner, agent, agent_barrier);
	pthread_mutex_unlock(&lb->lock);
	/* The model's parks return at once: let the others run. */
	sched_yield();
	return ret;
}

static int lb_agent_move(struct backend *be, unsigned int agent, int cpu)
{
	struct locked_backend *lb = lb_of(be);
	int ret;

	pthread_mutex_lock(&lb->lock);
	ret = lb->inner->ops->agent_move(lb->inner, agent, cpu);
	pthread_mutex_unlock(&lb->lock);
	return ret;
}

static int lb_agent_release(struct backend *be, unsigned int agent)
{
	struct locked_backend *lb = lb_of(be);
	int ret;

	pthread_mutex_lock(&lb->lock);
	ret = lb->inner->ops->agent_release(lb->inner, agent);
	pthread_mutex_unlock(&lb->lock);
	return ret;
}

static int lb_commit(struct backend *be, unsigned int agent,
		     const cpu_set_t *cpus, uint32_t flags)
{
	struct locked_backend *lb = lb_of(be);
	int ret;

	pthread_mutex_lock(&lb->lock);
	ret = lb->inner->ops->commit(lb->inner, agent, cpus, flags);
	pthread_mutex_unlock(&lb->lock);
	return ret;
}

static int lb_ping(struct backend *be, int cpu)
{
	struct locked_backend *lb = lb_of(be);
	int ret;

	pthread_mutex_lock(&lb->lock);
	ret = lb->inner->ops->ping(lb->inner, cpu);
	pthread_mutex_unlock(&lb->lock);
	return ret;
}

static int lb_set_cpus(struct backend *be, const cpu_set_t *cpus)
{
	struct locked_backend *lb = lb_of(be);
	int ret;

	pthread_mutex_lock(&lb->lock);
	ret = lb->inner->ops->set_cpus(lb->inner, cpus);
	pthread_mutex_unlock(&lb->lock);
	return ret;
}

static int lb_destroy(struct backend *be)
{
	struct locked_backend *lb = lb_of(be);
	int ret;

	pthread_mutex_lock(&lb->lock);
	ret = lb->inner->ops->destroy(lb->inner);
	pthread_mutex_unlock(&lb->lock);
	return ret;
}

static void lb_close(struct backend *be)
{
	(void)be;
}

static const struct backend_ops locked_ops = {

	.enclave_info = lb_enclave_info,

	.now_ns = lb_now_ns,

	.task_cpumask = lb_task_cpumask,

	.queue_create = lb_queue_create,

	.queue_destroy = lb_queue_destroy,

	.queue_set_default = lb_queue_set_default,

	.queue_set_wakeup = lb_queue_set_wakeup,

	.queue_pop = lb_queue_pop,

	.queue_pending = lb_queue_pending,

	.queue_overflows = lb_queue_overflows,

	.assoc_queue = lb_assoc_queue,

	.discover = lb_discover,

	.agent_attach = lb_agent_attach,

	.agent_park = lb_agent_park,

	.agent_move = lb_agent_move,

	.agent_release = lb_agent_release,

	.commit = lb_commit,

	.ping = lb_ping,

	.set_cpus = lb_set_cpus,

	.destroy = lb_destroy,

	.close = lb_close,
};

struct backend *locked_backend_init(struct locked_backend *lb,
				    struct backend *inner)
{
	lb->base.ops = &locked_ops;
	lb->inner = inner;
	pthread_mutex_init(&lb->lock, NULL);
	return &lb->base;
}

void locked_backend_fini(struct locked_backend *lb)
{
	pthread_mutex_destroy(&lb->lock);
}

void locked_backend_lock(struct locked_backend *lb)
{
	pthread_mutex_lock(&lb->lock);
}

void locked_backend_unlock(struct locked_backend *lb)
{
	pthread_mutex_unlock(&lb->lock);
}
