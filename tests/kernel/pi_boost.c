// SPDX-License-Identifier: GPL-2.0
/*
 * Proves: priority inheritance never strands a ghost task or an agent, and
 * a task that PI lifts out of the ghost class is not reported as running
 * there. A thread boosted by PI runs in RT whatever its policy says:
 *  - enter and leave while boosted: thread L holds a PTHREAD_PRIO_INHERIT
 *    mutex that a SCHED_FIFO thread waits on; it is added to the enclave
 *    (its class stays RT), then set back to SCHED_OTHER while still
 *    boosted: the enclave counts no task within a second, and it is
 *    destroyed at the end as usual;
 *  - boosted while in the enclave: ghost task B, committed on CPU 2, takes
 *    a PI mutex, and a SCHED_FIFO thread then waits on it while B spins.
 *    B gets TASK_BLOCKED, and while it runs boosted (sleeping and spinning
 *    in turn) it sends no message, neither its word shows it ONCPU nor
 *    CPU 2's word names it, and a commit of B fails. Once B releases the
 *    mutex it is back with TASK_WAKEUP and runs when committed;
 *  - an agent that becomes one and releases while boosted: thread A, holding
 *    a PI mutex a SCHED_FIFO thread waits on, becomes the agent of CPU 2
 *    and releases: the enclave counts no agent, CPU 2's word shows none,
 *    and another thread can become CPU 2's agent.
 */
#include <pthread.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "gagent.h"
#include "gstep.h"
#include "test.h"

#define AGENT_CPU	1
#define GHOST_CPU	2
#define FIFO_PRIO	10
/* /proc/TID/stat's priority of a task boosted to FIFO_PRIO */
#define BOOSTED_PRIO	(-1 - FIFO_PRIO)
#define TIMEOUT		GSTEP_TIMEOUT_MS

/* A thread that runs the functions posted to it, one at a time. */
struct actor {
	pthread_t thread;
	pid_t tid;
	uint32_t posted;	/* futex word */
	uint32_t done;
	void (*fn)(struct actor *a);
	long result;
	int saved_errno;
};

static void *actor_main(void *arg)
{
	struct actor *a = arg;
	uint32_t seen = 0;

	__atomic_store_n(&a->tid, gettid(), __ATOMIC_RELEASE);
	for (;;) {
		while (__atomic_load_n(&a->posted, __ATOMIC_ACQUIRE) == seen)
			gfutex_wait(&a->posted, seen, -1);
		seen++;
		if (!a->fn)
			return NULL;
		a->fn(a);
		__atomic_store_n(&a->done, seen, __ATOMIC_RELEASE);
	}
}

static void actor_spawn(struct actor *a, const cpu_set_t *cpus, int fifo_prio)
{
	struct sched_param param = { .sched_priority = fifo_prio };
	pthread_attr_t attr;

	memset(a, 0, sizeof(*a));
	pthread_attr_init(&attr);
	pthread_attr_setaffinity_np(&attr, sizeof(*cpus), cpus);
	if (fifo_prio) {
		pthread_attr_setinheritsched(&attr, PTHREAD_EXPLICIT_SCHED);
		pthread_attr_setschedpolicy(&attr, SCHED_FIFO);
		pthread_attr_setschedparam(&attr, &param);
	}
	CHECK(pthread_create(&a->thread, &attr, actor_main, a) == 0);
	pthread_attr_destroy(&attr);
	while (!__atomic_load_n(&a->tid, __ATOMIC_ACQUIRE))
		gsleep_ms(1);
}

/* Post @fn to @a without waiting. */
static void actor_post(struct actor *a, void (*fn)(struct actor *a))
{
	a->fn = fn;
	__atomic_add_fetch(&a->posted, 1, __ATOMIC_RELEASE);
	gfutex_wake(&a->posted);
}

static bool actor_idle(const struct actor *a)
{
	return __atomic_load_n(&a->done, __ATOMIC_ACQUIRE) ==
	       __atomic_load_n(&a->posted, __ATOMIC_ACQUIRE);
}

/* Post @fn to @a and wait until it returned; its result. */
static long actor_call(struct actor *a, void (*fn)(struct actor *a))
{
	actor_post(a, fn);
	while (!actor_idle(a))
		gsleep_ms(1);
	errno = a->saved_errno;
	return a->result;
}

static void actor_stop(struct actor *a)
{
	actor_post(a, NULL);
	pthread_join(a->thread, NULL);
}

static pthread_mutex_t pi_mutex;
static struct genclave enclave;
static struct gstep step;
static bool keep_busy;
static bool boosted_now;

static void init_pi_mutex(void)
{
	pthread_mutexattr_t attr;

	pthread_mutexattr_init(&attr);
	CHECK(pthread_mutexattr_setprotocol(&attr, PTHREAD_PRIO_INHERIT) == 0);
	CHECK(pthread_mutex_init(&pi_mutex, &attr) == 0);
	pthread_mutexattr_destroy(&attr);
}

static void lock_mutex(struct actor *a)
{
	a->result = pthread_mutex_lock(&pi_mutex);
}

static void unlock_mutex(struct actor *a)
{
	a->result = pthread_mutex_unlock(&pi_mutex);
}

/* The waiter: takes the mutex (blocking, boosting its owner), lets it go. */
static void lock_and_unlock(struct actor *a)
{
	a->result = pthread_mutex_lock(&pi_mutex) ?: pthread_mutex_unlock(&pi_mutex);
}

/*
 * Spin (running, committed) until it is boosted; then sleep and spin in
 * turn, so that it is switched in often while boosted.
 */
static void busy_while_boosted(struct actor *a)
{
	(void)a;
	while (!__atomic_load_n(&boosted_now, __ATOMIC_ACQUIRE))
		;
	while (__atomic_load_n(&keep_busy, __ATOMIC_ACQUIRE)) {
		usleep(500);
		gspin_us(500);
	}
}

static void become_agent(struct actor *a)
{
	a->result = gagent_become(&enclave, GHOST_CPU, -1);
	a->saved_errno = errno;
}

static void release_agent(struct actor *a)
{
	a->result = gagent_release(&enclave);
	a->saved_errno = errno;
}

static bool wait_boosted(pid_t tid)
{
	uint64_t deadline = gnow_ns() + TIMEOUT * 1000000ULL;

	while (gthread_stat(tid, 18) != BOOSTED_PRIO)
		if (gnow_ns() > deadline)
			return false;
	return true;
}

static bool wait_agents(uint32_t nr)
{
	uint64_t deadline = gnow_ns() + 1000 * 1000000ULL;
	struct ghost_enclave_info info;

	while (!genclave_query(&enclave, &info) && info.nr_agents != nr)
		if (gnow_ns() > deadline)
			return false;
	return info.nr_agents == nr;
}

/* L is added and leaves while PI keeps it in RT. */
static void enter_and_leave_boosted(const cpu_set_t *cpus, const cpu_set_t *cpu0)
{
	struct sched_param param = { 0 };
	struct actor holder, waiter;

	actor_spawn(&holder, cpus, 0);
	actor_spawn(&waiter, cpu0, FIFO_PRIO);
	CHECK(actor_call(&holder, lock_mutex) == 0);
	actor_post(&waiter, lock_and_unlock);
	CHECK(wait_boosted(holder.tid));

	CHECK(genclave_add_task(&enclave, holder.tid) == 0);
	CHECK(sched_setscheduler(holder.tid, SCHED_OTHER, &param) == 0);
	CHECK(genclave_wait_empty(&enclave, 1000));

	CHECK(actor_call(&holder, unlock_mutex) == 0);
	while (!actor_idle(&waiter))
		gsleep_ms(1);
	CHECK_EQ(waiter.result, 0);
	CHECK_EQ(sched_getscheduler(holder.tid), SCHED_OTHER);
	actor_stop(&holder);
	actor_stop(&waiter);
}

/* The actor (ghost task @gtid) wakes for @fn: the agent runs it on GHOST_CPU. */
static void actor_post_and_run(struct actor *a, uint64_t gtid,
			       void (*fn)(struct actor *a))
{
	actor_post(a, fn);
	CHECK(gstep_expect(&step, GHOST_MSG_TASK_WAKEUP, gtid, GANY_CPU,
			   TIMEOUT, NULL));
	CHECK_EQ(gstep_run_task(&step, GHOST_CPU, gtid, TIMEOUT),
		 GHOST_TXN_COMPLETE);
}

/* B, a ghost task, is boosted out of the ghost class and comes back. */
static void boosted_in_enclave(const cpu_set_t *cpus, const cpu_set_t *cpu0)
{
	struct actor boosted, waiter;
	uint64_t gtid, deadline;
	int state;

	actor_spawn(&boosted, cpus, 0);
	actor_spawn(&waiter, cpu0, FIFO_PRIO);
	gtid = gstep_add(&step, boosted.tid, NULL);
	CHECK(gtid);

	/* B takes the mutex while it runs on CPU 2 under the agent. */
	actor_post_and_run(&boosted, gtid, lock_mutex);
	CHECK(gstep_expect_running(&step, GHOST_MSG_TASK_BLOCKED, gtid,
				   GHOST_CPU, TIMEOUT, NULL));
	CHECK(actor_idle(&boosted) && boosted.result == 0);

	/* B wakes up to keep busy; the waiter boosts it out of ghost. */
	__atomic_store_n(&keep_busy, true, __ATOMIC_RELEASE);
	actor_post_and_run(&boosted, gtid, busy_while_boosted);
	CHECK(gstep_wait_oncpu(&step, gtid, GHOST_CPU, TIMEOUT));
	actor_post(&waiter, lock_and_unlock);
	CHECK(wait_boosted(boosted.tid));
	CHECK(gstep_expect(&step, GHOST_MSG_TASK_BLOCKED, gtid, GANY_CPU,
			   TIMEOUT, NULL));
	__atomic_store_n(&boosted_now, true, __ATOMIC_RELEASE);

	/* Boosted, it runs on and off CPU 2, never as a ghost task. */
	deadline = gnow_ns() + 300 * 1000000ULL;
	while (gnow_ns() < deadline) {
		CHECK(!(gsw_flags(gsw_task(&enclave, gtid)) & GHOST_SW_TASK_ONCPU));
		CHECK(gsw_gtid(gsw_cpu(&enclave, GHOST_CPU)) != gtid);
	}
	state = gstep_run(&step, 3, gtid, 0);
	CHECK(state != GHOST_TXN_COMPLETE);

	/* It lets the mutex go and the waiter through: back in ghost. */
	CHECK_EQ(gstep_count(&step, GHOST_MSG_TASK_WAKEUP, gtid), 2);
	__atomic_store_n(&keep_busy, false, __ATOMIC_RELEASE);
	actor_post_and_run(&boosted, gtid, unlock_mutex);
	CHECK(gstep_expect_running(&step, GHOST_MSG_TASK_BLOCKED, gtid,
				   GHOST_CPU, TIMEOUT, NULL));
	CHECK(actor_idle(&boosted) && boosted.result == 0);
	while (!actor_idle(&waiter))
		gsleep_ms(1);
	CHECK_EQ(waiter.result, 0);

	actor_post_and_run(&boosted, gtid, NULL);
	CHECK(gstep_expect_running(&step, GHOST_MSG_TASK_DEAD, gtid,
				   GHOST_CPU, TIMEOUT, NULL));
	pthread_join(boosted.thread, NULL);
	actor_stop(&waiter);
}

/* A becomes an agent and releases while PI keeps it in RT. */
static void agent_boosted(const cpu_set_t *cpus, const cpu_set_t *cpu0)
{
	struct actor agent, waiter, successor;

	actor_spawn(&agent, cpus, 0);
	actor_spawn(&successor, cpus, 0);
	actor_spawn(&waiter, cpu0, FIFO_PRIO);
	CHECK(actor_call(&agent, lock_mutex) == 0);
	actor_post(&waiter, lock_and_unlock);
	CHECK(wait_boosted(agent.tid));

	CHECK(actor_call(&agent, become_agent) == 0);
	CHECK(wait_agents(2));
	CHECK(actor_call(&agent, release_agent) == 0);
	CHECK(wait_agents(1));
	CHECK(!(gcpu_flags(&enclave, GHOST_CPU) & GHOST_SW_CPU_HAS_AGENT));
	CHECK(actor_call(&successor, become_agent) == 0);
	CHECK(actor_call(&successor, release_agent) == 0);

	CHECK(actor_call(&agent, unlock_mutex) == 0);
	while (!actor_idle(&waiter))
		gsleep_ms(1);
	CHECK_EQ(waiter.result, 0);
	actor_stop(&agent);
	actor_stop(&successor);
	actor_stop(&waiter);
	CHECK(wait_agents(1));
}

int main(void)
{
	cpu_set_t cpus, cpu0;

	CHECK(gpin_self(0) == 0);
	init_pi_mutex();
	gcpus_range(&cpus, GTEST_FIRST_CPU, GTEST_LAST_CPU);
	gcpus_one(&cpu0, 0);
	CHECK(genclave_create(&enclave, &cpus, 0, 10000) == 0);
	CHECK(genclave_destroy_on_failure(&enclave) == 0);

	enter_and_leave_boosted(&cpus, &cpu0);

	CHECK(gstep_begin(&step, &enclave, AGENT_CPU, AGENT_CPU) == 0);
	boosted_in_enclave(&cpus, &cpu0);
	agent_boosted(&cpus, &cpu0);
	CHECK(gstep_end(&step) == 0);

	CHECK(genclave_destroy(&enclave) == 0);
	test_pass("pi_boost");
}
