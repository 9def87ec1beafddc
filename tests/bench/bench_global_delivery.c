// SPDX-License-Identifier: GPL-2.0
/* vm-args: --smp 2 */
/*
 * Measures: how long a message takes to reach a spinning global agent,
 * against a CFS context switch in the same run.
 *
 * Two CPUs, one host core each: the enclave is CPU 1, where an agent
 * spins on its polled default queue and does nothing else. A thread of
 * the enclave sleeps throughout; the main thread, on CPU 0, changes that
 * thread's nice value 5000 times, sleeping in between, and each change is
 * a TASK_PRIORITY_CHANGED that the kernel produces on CPU 0. Delivery is
 * the time from a message's time_ns (the event) to the agent reading it:
 * the kernel's side of the queue and the handoff between CPUs. The host
 * deschedules a vCPU now and then, which puts rare outliers of hundreds
 * of microseconds into the mean, so the median is reported too and taken
 * for the ratio. The CFS switch is half a pipe ping-pong round trip
 * between two threads on CPU 0. The whole is repeated GBENCH_REPEATS
 * times.
 */
#include <pthread.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

#include "gagent.h"
#include "gbench.h"
#include "test.h"

#define AGENT_CPU	1
#define EVENTS		5000
#define EVENT_GAP_US	50

static struct genclave enclave;
static struct gqueue queue;
static int sleeper_pipe[2];
static pid_t sleeper_tid;
static uint64_t latencies[EVENTS];
static unsigned int nr_latencies;
static bool stop;

static void *sleeper(void *arg)
{
	cpu_set_t cpus;
	char byte;

	(void)arg;
	/* It inherits CPU 0 only; ADD_TASK refuses a task the enclave cannot run. */
	gcpus_one(&cpus, AGENT_CPU);
	CHECK(sched_setaffinity(0, sizeof(cpus), &cpus) == 0);
	__atomic_store_n(&sleeper_tid, gettid(), __ATOMIC_RELEASE);
	CHECK(read(sleeper_pipe[0], &byte, 1) == 1);
	return NULL;
}

/* Spins on the queue; records when each priority change arrived. */
static void *agent(void *arg)
{
	struct ghost_msg msg;

	(void)arg;
	CHECK(gagent_become(&enclave, AGENT_CPU, queue.fd) == 0);
	while (!__atomic_load_n(&stop, __ATOMIC_ACQUIRE)) {
		if (!gqueue_pop(&queue, &msg))
			continue;
		if (msg.type == GHOST_MSG_TASK_PRIORITY_CHANGED &&
		    nr_latencies < EVENTS)
			latencies[nr_latencies++] = gnow_ns() - msg.time_ns;
	}
	CHECK(gagent_release(&enclave) == 0);
	return NULL;
}

static int compare_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void measure(struct gbench_runs *runs)
{
	pthread_t sleeper_thread, agent_thread;
	double cfs_switch_ns, mean = 0;
	cpu_set_t cpus;

	nr_latencies = 0;
	__atomic_store_n(&stop, false, __ATOMIC_RELEASE);
	__atomic_store_n(&sleeper_tid, 0, __ATOMIC_RELEASE);
	cfs_switch_ns = gbench_cfs_switch_ns(0, 20000);

	CHECK(pipe(sleeper_pipe) == 0);
	CHECK(pthread_create(&sleeper_thread, NULL, sleeper, NULL) == 0);
	while (!__atomic_load_n(&sleeper_tid, __ATOMIC_ACQUIRE))
		usleep(1000);

	gcpus_one(&cpus, AGENT_CPU);
	CHECK(genclave_create(&enclave, &cpus, 0, 0) == 0);
	CHECK(genclave_destroy_on_failure(&enclave) == 0);
	CHECK(gqueue_create(&queue, &enclave, 4096, -1) == 0);
	CHECK(pthread_create(&agent_thread, NULL, agent, NULL) == 0);
	CHECK(genclave_add_task(&enclave, sleeper_tid) == 0);

	for (int i = 0; i < EVENTS; i++) {
		CHECK(setpriority(PRIO_PROCESS, sleeper_tid, (i + 1) % 2) == 0);
		usleep(EVENT_GAP_US);
	}
	gsleep_ms(100);
	__atomic_store_n(&stop, true, __ATOMIC_RELEASE);
	CHECK(pthread_join(agent_thread, NULL) == 0);
	CHECK(nr_latencies == EVENTS);
	CHECK(genclave_destroy(&enclave) == 0);
	CHECK(write(sleeper_pipe[1], "x", 1) == 1);
	CHECK(pthread_join(sleeper_thread, NULL) == 0);

	for (unsigned int i = 0; i < nr_latencies; i++)
		mean += latencies[i];
	mean /= nr_latencies;
	qsort(latencies, nr_latencies, sizeof(latencies[0]), compare_u64);
	printf("global delivery: %u messages, mean %.2f us, 99th percentile %.2f us\n",
	       nr_latencies, mean / 1000,
	       latencies[nr_latencies * 99 / 100] / 1000.0);
	gbench_record(runs, latencies[nr_latencies / 2], cfs_switch_ns);
	close(sleeper_pipe[0]);
	close(sleeper_pipe[1]);
}

int main(void)
{
	struct gbench_runs runs = {
		.what = "global delivery (median)", .baseline = "CFS switch",
	};

	CHECK(gpin_self(0) == 0);
	for (int i = 0; i < GBENCH_REPEATS; i++)
		measure(&runs);
	gbench_report(&runs);
	return 0;
}
