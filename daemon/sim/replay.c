// SPDX-License-Identifier: GPL-2.0
/*
 * ghost-sim-replay WORKLOAD.json: run a workload's scripted tasks as real
 * threads, to compare a real kernel with the simulator
 * (tests/sim/fifo-order-vm). Each task is a thread, created in the order
 * of the workload's "tasks" (all must start at start_ms 0: creating them
 * later would need this process's main thread to get a CPU on time, which
 * a run-to-completion policy need not give it); it spins for each run_us
 * phase (CPU time of the thread, so that time spent preempted does not
 * count) and sleeps for each sleep_us phase. Prints the tasks' names in
 * the order they finished, one line, space-separated, as ghost-sim's
 * "scripted tasks in exit order" does. Run it inside the enclave
 * (`ghostctl run --enclave NAME -- ghost-sim-replay W`): threads of a
 * ghost task start in its enclave.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "workload.h"

static pthread_mutex_t order_lock = PTHREAD_MUTEX_INITIALIZER;
static const char **order;
static unsigned int nr_done;

static uint64_t thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void spin(uint64_t ns)
{
	uint64_t end = thread_cpu_ns() + ns;

	while (thread_cpu_ns() < end)
		;
}

static void nap(uint64_t ns)
{
	struct timespec ts = { .tv_sec = ns / 1000000000ULL, .tv_nsec = ns % 1000000000ULL };

	while (clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, &ts))
		;
}

static void *task_main(void *arg)
{
	const struct workload_task *t = arg;

	for (uint32_t i = 0; i < t->nr_phases; i++) {
		if (t->phases[i].kind == PHASE_RUN)
			spin(t->phases[i].ns);
		else
			nap(t->phases[i].ns);
	}
	pthread_mutex_lock(&order_lock);
	order[nr_done++] = t->name;
	pthread_mutex_unlock(&order_lock);
	return NULL;
}

int main(int argc, char **argv)
{
	struct workload w;
	pthread_t *threads;
	char why[1024];

	if (argc != 2) {
		fprintf(stderr, "usage: ghost-sim-replay WORKLOAD.json\n");
		return 2;
	}
	if (workload_load(argv[1], &w, why, sizeof(why))) {
		fprintf(stderr, "ghost-sim-replay: %s\n", why);
		return 1;
	}
	for (uint32_t i = 0; i < w.nr_tasks; i++) {
		if (w.tasks[i].start_ns) {
			fprintf(stderr, "ghost-sim-replay: task %s starts at %llu ns: every task must start at 0\n",
				w.tasks[i].name, (unsigned long long)w.tasks[i].start_ns);
			return 1;
		}
	}
	order = calloc(w.nr_tasks + 1, sizeof(*order));
	threads = calloc(w.nr_tasks + 1, sizeof(*threads));
	for (uint32_t i = 0; i < w.nr_tasks; i++) {
		if (pthread_create(&threads[i], NULL, task_main, &w.tasks[i])) {
			fprintf(stderr, "ghost-sim-replay: cannot create a thread\n");
			return 1;
		}
	}
	for (uint32_t i = 0; i < w.nr_tasks; i++)
		pthread_join(threads[i], NULL);
	for (uint32_t i = 0; i < nr_done; i++)
		printf("%s%s", i ? " " : "", order[i]);
	printf("\n");
	free(order);
	free(threads);
	workload_free(&w);
	return 0;
}
