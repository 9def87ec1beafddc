// SPDX-License-Identifier: GPL-2.0
/*
 * Proves: an agent cannot starve the classes below it.
 *  - A hogging agent on CPU 2 spins without ever parking. A SCHED_FIFO
 *    spinner pinned to CPU 2 still gets at least 5% of the CPU over 2 s
 *    (the throttle gives it 10 ms after every 50 ms of waiting; without it
 *    it would get nothing), and CPU 2's word showed
 *    GHOST_SW_CPU_THROTTLED. Control: the agent itself got over 60% of the
 *    CPU meanwhile, so it did hog, and a CFS spinner on CPU 3, where no
 *    agent runs, got most of CPU 3, so the measure works.
 *  - Then the agent parks now and then, only for the moment a CFS helper
 *    on CPU 0 needs to see it parked and signal it awake: such parks do
 *    not excuse it. Kept up, the throttling ends the enclave once the
 *    watchdog's timeout (500 ms) passes (reason GHOST_DESTROY_WATCHDOG).
 */
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include "gagent.h"
#include "gnl.h"
#include "test.h"

#define HOG_CPU		2
#define FREE_CPU	3
#define MEASURE_MS	2000
#define WATCHDOG_MS	500
#define FIFO_PRIO	10

static struct genclave enclave;
static bool stopping;
static bool parking;

struct spinner {
	pthread_t thread;
	pid_t tid;
	int cpu;
	int fifo_prio;
};

static uint64_t runtime_ns(pid_t tid)
{
	unsigned long long ns = 0;
	char path[64];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/schedstat", tid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (fscanf(f, "%llu", &ns) != 1)
		ns = 0;
	fclose(f);
	return ns;
}

static bool stop_requested(void)
{
	return __atomic_load_n(&stopping, __ATOMIC_ACQUIRE);
}

static void *spin_main(void *arg)
{
	struct spinner *s = arg;

	__atomic_store_n(&s->tid, gettid(), __ATOMIC_RELEASE);
	while (!stop_requested())
		;
	return NULL;
}

static void spinner_start(struct spinner *s, int cpu, int fifo_prio)
{
	struct sched_param param = { .sched_priority = fifo_prio };
	pthread_attr_t attr;
	cpu_set_t cpus;

	s->cpu = cpu;
	s->tid = 0;
	gcpus_one(&cpus, cpu);
	pthread_attr_init(&attr);
	pthread_attr_setaffinity_np(&attr, sizeof(cpus), &cpus);
	if (fifo_prio) {
		pthread_attr_setinheritsched(&attr, PTHREAD_EXPLICIT_SCHED);
		pthread_attr_setschedpolicy(&attr, SCHED_FIFO);
		pthread_attr_setschedparam(&attr, &param);
	}
	CHECK(pthread_create(&s->thread, &attr, spin_main, s) == 0);
	pthread_attr_destroy(&attr);
	while (!__atomic_load_n(&s->tid, __ATOMIC_ACQUIRE))
		gsleep_ms(1);
}

static void on_signal(int sig)
{
	(void)sig;
}

static pid_t agent_tid;

/* Spins; once parking, parks every 20 ms and the waker ends each park. */
static void *hogging_agent(void *arg)
{
	(void)arg;
	__atomic_store_n(&agent_tid, gettid(), __ATOMIC_RELEASE);
	if (gagent_become(&enclave, HOG_CPU, -1))
		return NULL;
	while (!stop_requested()) {
		gspin_us(1000);
		if (!__atomic_load_n(&parking, __ATOMIC_ACQUIRE))
			continue;
		gspin_us(19000);
		if (gagent_park(&enclave, gcpu_barrier(&enclave, HOG_CPU)) &&
		    errno == ENODEV)
			break;
	}
	return NULL;
}

static void *waker(void *arg)
{
	pthread_t agent = *(pthread_t *)arg;

	while (!stop_requested()) {
		if (gcpu_flags(&enclave, HOG_CPU) & GHOST_SW_CPU_AGENT_PARKED)
			pthread_kill(agent, SIGUSR1);
		sched_yield();
	}
	return NULL;
}

static double share(uint64_t before, uint64_t after, uint64_t wall)
{
	return (double)(after - before) / (double)wall;
}

int main(void)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct spinner fifo, cfs;
	uint64_t fifo0, agent0, cfs0, start, wall;
	double fifo_share, agent_share, cfs_share;
	struct gnl_events *events;
	struct gnl_enclave stats;
	struct gnl_event event;
	pthread_t agent, waker_thread;
	bool saw_throttled = false;
	cpu_set_t cpus;

	CHECK(gpin_self(0) == 0);
	CHECK(sigaction(SIGUSR1, &sa, NULL) == 0);
	gcpus_range(&cpus, GTEST_FIRST_CPU, GTEST_LAST_CPU);
	CHECK(genclave_create(&enclave, &cpus, 0, 10000) == 0);
	CHECK(genclave_destroy_on_failure(&enclave) == 0);
	events = gnl_events_open();
	CHECK(events);

	/* The agent first: a FIFO spinner would keep it from its CPU. */
	CHECK(pthread_create(&agent, NULL, hogging_agent, NULL) == 0);
	while (!(gcpu_flags(&enclave, HOG_CPU) & GHOST_SW_CPU_HAS_AGENT))
		gsleep_ms(1);
	spinner_start(&fifo, HOG_CPU, FIFO_PRIO);
	spinner_start(&cfs, FREE_CPU, 0);
	CHECK(pthread_create(&waker_thread, NULL, waker, &agent) == 0);
	gsleep_ms(200);

	start = gnow_ns();
	fifo0 = runtime_ns(fifo.tid);
	agent0 = runtime_ns(agent_tid);
	cfs0 = runtime_ns(cfs.tid);
	/* Meanwhile, from CPU 0: the throttled agent cannot see its flag. */
	while (gnow_ns() - start < MEASURE_MS * 1000000ULL)
		if (gcpu_flags(&enclave, HOG_CPU) & GHOST_SW_CPU_THROTTLED)
			saw_throttled = true;
	wall = gnow_ns() - start;
	fifo_share = share(fifo0, runtime_ns(fifo.tid), wall);
	agent_share = share(agent0, runtime_ns(agent_tid), wall);
	cfs_share = share(cfs0, runtime_ns(cfs.tid), wall);
	CHECK(gnl_get_enclave(enclave.id, &stats) == 0);
	printf("CPU %d: agent %.1f%%, FIFO spinner %.1f%%, %llu throttles; CPU %d: CFS spinner %.1f%%\n",
	       HOG_CPU, 100 * agent_share, 100 * fifo_share,
	       (unsigned long long)stats.agent_throttles, FREE_CPU,
	       100 * cfs_share);
	CHECK(cfs_share > 0.7);
	CHECK(agent_share > 0.6);
	CHECK(fifo_share >= 0.05);
	CHECK(saw_throttled);

	__atomic_store_n(&parking, true, __ATOMIC_RELEASE);
	CHECK(genclave_configure(&enclave, WATCHDOG_MS, 0) == 0);
	CHECK(gnl_events_wait(events, GHOST_EVENT_ENCLAVE_DESTROYED, enclave.id,
			      10000, &event));
	CHECK_EQ(event.reason, GHOST_DESTROY_WATCHDOG);

	__atomic_store_n(&stopping, true, __ATOMIC_RELEASE);
	pthread_join(agent, NULL);
	pthread_join(waker_thread, NULL);
	pthread_join(fifo.thread, NULL);
	pthread_join(cfs.thread, NULL);
	gnl_events_close(events);
	genclave_close(&enclave);
	test_pass("agent_throttle");
}
