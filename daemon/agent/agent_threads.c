// SPDX-License-Identifier: GPL-2.0
/*
 * The runtime's agents as threads: see agent_threads.h.
 */
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "agent_threads.h"

/*
 * An agent's stack holds the runtime's step and the policy's callbacks,
 * neither of which recurses; mlockall() makes every byte of it resident.
 */
#define AGENT_STACK_SIZE	(256 * 1024)
/* How long a step that asked to be retried later waits. */
#define RETRY_PAUSE_NS		(1000 * 1000)

struct agent_thread {
	struct agent_threads *owner;
	unsigned int agent;
	pthread_t thread;
	bool started;
	bool narrowed;		/* (atomic) pinned to its home CPU when summoned */
	cpu_set_t control_cpus;	/* where it waits while it is no agent */
};

struct agent_threads {
	struct runtime *rt;
	struct agent_thread *threads;	/* by agent number */
	unsigned int nr;
	uint32_t wake_seq;		/* futex: bumped to wake idle threads */
};

static void futex_wait(uint32_t *word, uint32_t expected)
{
	syscall(SYS_futex, word, FUTEX_WAIT_PRIVATE, expected, NULL, NULL, 0);
}

static void futex_wake_all(uint32_t *word)
{
	syscall(SYS_futex, word, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
}

static void pause_ns(long ns)
{
	struct timespec ts = { .tv_sec = ns / 1000000000L, .tv_nsec = ns % 1000000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ULL + ts.tv_nsec / 1000000;
}

/*
 * A thread summoned to its home CPU keeps that CPU when it lets go of it
 * later (the kernel gives an agent back the affinity it attached with),
 * and would wake there in CFS, preempting the enclave's tasks: it returns
 * to the control CPUs before it waits. Summoned again while doing so, it
 * may wake off its CPU, which only costs the move that attaching makes.
 */
static void leave_home(struct agent_thread *t)
{
	if (!__atomic_exchange_n(&t->narrowed, false, __ATOMIC_RELAXED) ||
	    rt_agent_summoned(t->owner->rt, t->agent))
		return;
	pthread_setaffinity_np(pthread_self(), sizeof(t->control_cpus), &t->control_cpus);
}

static void *agent_thread_main(void *arg)
{
	struct agent_thread *t = arg;
	struct agent_threads *at = t->owner;

	pthread_getaffinity_np(pthread_self(), sizeof(t->control_cpus), &t->control_cpus);
	for (;;) {
		/* Read before the step, so that a wake during it is not lost. */
		uint32_t seq = __atomic_load_n(&at->wake_seq, __ATOMIC_ACQUIRE);

		switch (rt_agent_step(at->rt, t->agent)) {
		case RT_STEP_AGAIN:
			break;
		case RT_STEP_RETRY_LATER:
			pause_ns(RETRY_PAUSE_NS);
			break;
		case RT_STEP_IDLE:
			leave_home(t);
			futex_wait(&at->wake_seq, seq);
			break;
		case RT_STEP_EXIT:
			return NULL;
		}
	}
}

static int thread_start(struct agent_threads *at, unsigned int agent, char *why,
			size_t len)
{
	struct agent_thread *t = &at->threads[agent];
	sigset_t all, old;
	pthread_attr_t attr;
	int err;

	t->owner = at;
	t->agent = agent;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, AGENT_STACK_SIZE);
	/* A thread inherits its creator's mask: create it with all blocked. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = pthread_create(&t->thread, &attr, agent_thread_main, t);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&attr);
	if (err) {
		snprintf(why, len, "cannot start the agent thread of CPU %u: %s",
			 agent, strerror(err));
		return -1;
	}
	t->started = true;
	return 0;
}

int agent_threads_sync(struct agent_threads *at, char *why, size_t len)
{
	for (unsigned int agent = 0; agent < at->nr; agent++)
		if (!at->threads[agent].started && rt_agent_wanted(at->rt, agent) &&
		    thread_start(at, agent, why, len))
			return -1;
	return 0;
}

int agent_threads_start(struct agent_threads **out, struct runtime *rt,
			char *why, size_t len)
{
	struct agent_threads *at = calloc(1, sizeof(*at));

	*out = NULL;
	if (at)
		at->threads = calloc(rt_nr_agents(rt), sizeof(*at->threads));
	if (!at || !at->threads) {
		free(at);
		snprintf(why, len, "out of memory");
		return -1;
	}
	at->rt = rt;
	at->nr = rt_nr_agents(rt);
	*out = at;
	if (agent_threads_sync(at, why, len)) {
		agent_threads_stop(at);
		*out = NULL;
		return -1;
	}
	return 0;
}

bool agent_threads_settle(struct agent_threads *at, int timeout_ms)
{
	uint64_t deadline = now_ms() + timeout_ms;

	while (!rt_agents_settled(at->rt)) {
		if (now_ms() >= deadline)
			return false;
		pause_ns(RETRY_PAUSE_NS);
	}
	return true;
}

static void wake_idle(struct agent_threads *at)
{
	__atomic_fetch_add(&at->wake_seq, 1, __ATOMIC_RELEASE);
	futex_wake_all(&at->wake_seq);
}

/*
 * Summoned threads wake on the CPU they are to take: there they neither
 * compete with this thread for its CPU during the handover nor need
 * moving when they attach (leave_home() undoes it).
 */
static void wake_summoned(struct agent_threads *at)
{
	cpu_set_t home;

	for (unsigned int agent = 0; agent < at->nr; agent++) {
		if (!at->threads[agent].started || !rt_agent_summoned(at->rt, agent))
			continue;
		CPU_ZERO(&home);
		CPU_SET(agent, &home);
		__atomic_store_n(&at->threads[agent].narrowed, true, __ATOMIC_RELAXED);
		/* If it fails, the thread takes its CPU from where it is. */
		pthread_setaffinity_np(at->threads[agent].thread, sizeof(home), &home);
	}
	wake_idle(at);
}

/*
 * The control thread runs off the enclave's CPUs: spinning here costs the
 * enclave nothing, and the blackout no sleep granularity.
 */
bool agent_threads_quiesce(struct agent_threads *at, int timeout_ms)
{
	uint64_t deadline = now_ms() + timeout_ms;

	rt_quiesce(at->rt);
	while (!rt_quiesced(at->rt)) {
		if (now_ms() >= deadline)
			return false;
		sched_yield();
	}
	if (rt_summon(at->rt))
		wake_summoned(at);
	return true;
}

void agent_threads_resume(struct agent_threads *at)
{
	rt_resume(at->rt);
	wake_idle(at);
}

void agent_threads_stop(struct agent_threads *at)
{
	if (!at)
		return;
	rt_stop(at->rt);
	wake_idle(at);
	for (unsigned int agent = 0; agent < at->nr; agent++)
		if (at->threads[agent].started)
			pthread_join(at->threads[agent].thread, NULL);
	free(at->threads);
	free(at);
}
