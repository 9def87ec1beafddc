// SPDX-License-Identifier: GPL-2.0
/*
 * ghost-load: a load whose every thread checks, on every iteration, that
 * it is a ghost task, for the daemon tests in the VM.
 *
 *	ghost-load [--threads N] [--ready FILE] [--stop FILE]
 *		   [--spin-us N] [--sleep-us N] [--max-seconds N]
 *
 * Its threads (N, default 200) spin for about --spin-us of CPU time, then
 * sleep --sleep-us, again and again, so that they block, wake and compete
 * for CPUs. They start in whatever class the process is in; ghostd
 * onboards the process by its name ("ghost-load"). Once every thread has
 * seen itself in SCHED_GHOST, the measurement starts and FILE (--ready)
 * is created. From then on each iteration reads the thread's policy before
 * and after its work (sched_getscheduler(2)) and its CPU time
 * (CLOCK_THREAD_CPUTIME_ID, the run time of /proc/PID/task/TID/schedstat);
 * an iteration that saw any other policy counts as CFS time. When the
 * --stop FILE appears (or after --max-seconds, even if the measurement
 * never started), every thread finishes its iteration and exits, and the
 * report is printed:
 *
 *	thread TID iterations N cfs_iterations N cfs_ns N
 *	...
 *	summary threads N finished N cfs_threads N cfs_ns N
 *	cfs_tids TID...
 *
 * SIGUSR1 prints, at any time, how many threads have seen CFS time so far:
 *
 *	checkpoint cfs_threads N
 *
 * Exit status: 0 when every thread finished, 1 if the measurement never
 * started (not every thread became a ghost task within --max-seconds).
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#ifndef SCHED_GHOST
#define SCHED_GHOST	18
#endif

struct worker {
	pthread_t thread;
	pid_t tid;
	bool ghost_seen;		/* atomic */
	bool finished;			/* atomic */
	uint64_t iterations;
	uint64_t cfs_iterations;	/* atomic */
	uint64_t cfs_ns;
};

static struct {
	int nr_threads;
	const char *ready_file;
	const char *stop_file;
	long spin_ns;
	long sleep_ns;
	int max_seconds;
} opt = { 200, NULL, NULL, 200 * 1000, 2 * 1000 * 1000, 600 };

static int measuring;	/* atomic */
static int stopping;	/* atomic */
static volatile sig_atomic_t checkpoint_asked;

static void on_sigusr1(int sig)
{
	(void)sig;
	checkpoint_asked = 1;
}

static uint64_t clock_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void spin(long ns)
{
	uint64_t end = clock_ns(CLOCK_THREAD_CPUTIME_ID) + ns;

	while (clock_ns(CLOCK_THREAD_CPUTIME_ID) < end)
		;
}

static void snooze(long ns)
{
	struct timespec ts = { ns / 1000000000L, ns % 1000000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;

	w->tid = syscall(SYS_gettid);
	while (!__atomic_load_n(&stopping, __ATOMIC_ACQUIRE)) {
		bool counted = __atomic_load_n(&measuring, __ATOMIC_ACQUIRE);
		int before = sched_getscheduler(0);
		uint64_t cpu = clock_ns(CLOCK_THREAD_CPUTIME_ID);
		int after;

		spin(opt.spin_ns);
		after = sched_getscheduler(0);
		if (before == SCHED_GHOST && after == SCHED_GHOST)
			__atomic_store_n(&w->ghost_seen, true, __ATOMIC_RELEASE);
		if (counted) {
			w->iterations++;
			if (before != SCHED_GHOST || after != SCHED_GHOST) {
				__atomic_fetch_add(&w->cfs_iterations, 1, __ATOMIC_RELAXED);
				w->cfs_ns += clock_ns(CLOCK_THREAD_CPUTIME_ID) - cpu;
			}
		}
		snooze(opt.sleep_ns);
	}
	__atomic_store_n(&w->finished, true, __ATOMIC_RELEASE);
	return NULL;
}

static bool all_ghost(const struct worker *workers)
{
	for (int i = 0; i < opt.nr_threads; i++)
		if (!__atomic_load_n(&workers[i].ghost_seen, __ATOMIC_ACQUIRE))
			return false;
	return true;
}

static int parse_options(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "threads", required_argument, NULL, 't' },
		{ "ready", required_argument, NULL, 'r' },
		{ "stop", required_argument, NULL, 's' },
		{ "spin-us", required_argument, NULL, 'p' },
		{ "sleep-us", required_argument, NULL, 'l' },
		{ "max-seconds", required_argument, NULL, 'm' },
		{ NULL, 0, NULL, 0 }
	};
	int c;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 't':
			opt.nr_threads = atoi(optarg);
			break;
		case 'r':
			opt.ready_file = optarg;
			break;
		case 's':
			opt.stop_file = optarg;
			break;
		case 'p':
			opt.spin_ns = atol(optarg) * 1000;
			break;
		case 'l':
			opt.sleep_ns = atol(optarg) * 1000;
			break;
		case 'm':
			opt.max_seconds = atoi(optarg);
			break;
		default:
			return -1;
		}
	}
	return opt.nr_threads > 0 && optind == argc ? 0 : -1;
}

static bool stop_asked(void)
{
	return opt.stop_file && access(opt.stop_file, F_OK) == 0;
}

/* Wait until asked to stop or @deadline, answering SIGUSR1 meanwhile. */
static void wait_stop(const struct worker *workers, uint64_t deadline)
{
	while (clock_ns(CLOCK_MONOTONIC) < deadline && !stop_asked()) {
		snooze(20 * 1000 * 1000);
		if (checkpoint_asked) {
			int n = 0;

			checkpoint_asked = 0;
			for (int i = 0; i < opt.nr_threads; i++)
				n += __atomic_load_n(&workers[i].cfs_iterations,
						     __ATOMIC_RELAXED) > 0;
			printf("checkpoint cfs_threads %d\n", n);
			fflush(stdout);
		}
	}
}

static void touch(const char *path)
{
	FILE *f = fopen(path, "w");

	if (f)
		fclose(f);
}

int main(int argc, char **argv)
{
	uint64_t deadline, cfs_ns = 0;
	struct worker *workers;
	int finished = 0, cfs_threads = 0, status = 0;

	if (parse_options(argc, argv)) {
		fprintf(stderr, "usage: ghost-load [--threads N] [--ready FILE] [--stop FILE] "
			"[--spin-us N] [--sleep-us N] [--max-seconds N]\n");
		return 2;
	}
	signal(SIGUSR1, on_sigusr1);
	workers = calloc(opt.nr_threads, sizeof(*workers));
	for (int i = 0; i < opt.nr_threads; i++) {
		if (pthread_create(&workers[i].thread, NULL, worker_main, &workers[i])) {
			perror("ghost-load: pthread_create");
			return 1;
		}
	}
	deadline = clock_ns(CLOCK_MONOTONIC) + opt.max_seconds * 1000000000ULL;
	while (!all_ghost(workers) && clock_ns(CLOCK_MONOTONIC) < deadline &&
	       !stop_asked())
		snooze(20 * 1000 * 1000);
	if (!all_ghost(workers)) {
		fprintf(stderr, "ghost-load: not every thread became a ghost task\n");
		status = 1;
	} else {
		__atomic_store_n(&measuring, 1, __ATOMIC_RELEASE);
		if (opt.ready_file)
			touch(opt.ready_file);
		wait_stop(workers, deadline);
	}
	__atomic_store_n(&stopping, 1, __ATOMIC_RELEASE);
	for (int i = 0; i < opt.nr_threads; i++)
		pthread_join(workers[i].thread, NULL);
	for (int i = 0; i < opt.nr_threads; i++) {
		const struct worker *w = &workers[i];

		printf("thread %d iterations %llu cfs_iterations %llu cfs_ns %llu\n",
		       (int)w->tid, (unsigned long long)w->iterations,
		       (unsigned long long)w->cfs_iterations,
		       (unsigned long long)w->cfs_ns);
		finished += w->finished;
		cfs_threads += w->cfs_iterations > 0;
		cfs_ns += w->cfs_ns;
	}
	printf("summary threads %d finished %d cfs_threads %d cfs_ns %llu\n",
	       opt.nr_threads, finished, cfs_threads, (unsigned long long)cfs_ns);
	printf("cfs_tids");
	for (int i = 0; i < opt.nr_threads; i++)
		if (workers[i].cfs_iterations)
			printf(" %d", (int)workers[i].tid);
	printf("\n");
	free(workers);
	return status;
}
