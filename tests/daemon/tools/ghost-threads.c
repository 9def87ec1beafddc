// SPDX-License-Identifier: GPL-2.0
/*
 * ghost-threads: per-thread evidence of what an unmodified program's
 * threads went through, sampled from /proc, for the daemon tests in the VM.
 *
 *	ghost-threads --comm NAME [--prefix] --cpus LIST [--interval-ms N]
 *		      [--until PID]
 *
 * Every --interval-ms (default 20) it reads /proc/PID/task/TID/stat of
 * every thread whose name is NAME: its policy (field 41) and the CPU it
 * is on or last ran on (field 39), and its run time (the first field of
 * .../schedstat). With --prefix, every name that starts with NAME counts. It runs until process PID exits (--until), or until no
 * thread of that name has been seen for a second after one was. Then it
 * prints, and exits 0:
 *
 *	threads N ghost N never_ghost N dropped N cfs_after_ghost_ns N
 *	outside N cpus LIST
 *	samples CPU:N CPU:N ...
 *
 * threads: distinct threads seen; ghost: seen in SCHED_GHOST at least
 * once; never_ghost: never seen so (onboarding missed them, or they lived
 * shorter than a sample); dropped: seen in SCHED_GHOST, then in another
 * policy while still alive; cfs_after_ghost_ns: run time those gained
 * between such samples; outside: samples of a ghost thread on a CPU that
 * is not in LIST; cpus: the CPUs ghost threads were seen on; samples: how
 * many samples, in any policy, found a thread on each CPU.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifndef SCHED_GHOST
#define SCHED_GHOST	18
#endif
#define MAX_THREADS	(1 << 16)
#define MAX_CPUS	1024

struct seen {
	int tid;
	bool ghost;		/* seen in SCHED_GHOST */
	bool dropped;		/* then seen in another policy */
	uint64_t run_ns;	/* at the last sample */
	int policy;		/* at the last sample */
};

static struct seen threads[MAX_THREADS];
static int nr_threads;
static bool enclave_cpus[MAX_CPUS], ghost_cpus[MAX_CPUS];
static uint64_t samples[MAX_CPUS];
static uint64_t outside, cfs_after_ghost_ns;
static bool prefix;

static struct seen *lookup(int tid)
{
	for (int i = 0; i < nr_threads; i++)
		if (threads[i].tid == tid)
			return &threads[i];
	if (nr_threads == MAX_THREADS)
		return NULL;
	threads[nr_threads] = (struct seen){ .tid = tid, .policy = -1 };
	return &threads[nr_threads++];
}

static int parse_cpus(const char *list, bool *cpus)
{
	const char *p = list;

	while (*p) {
		char *end;
		long lo = strtol(p, &end, 10), hi = lo;

		if (end == p || lo < 0 || lo >= MAX_CPUS)
			return -1;
		if (*end == '-') {
			p = end + 1;
			hi = strtol(p, &end, 10);
			if (end == p || hi < lo || hi >= MAX_CPUS)
				return -1;
		}
		for (long c = lo; c <= hi; c++)
			cpus[c] = true;
		p = *end == ',' ? end + 1 : end;
		if (*end && *end != ',')
			return -1;
	}
	return 0;
}

/* Fields 39 (processor) and 41 (policy) of a stat line, and its name. */
static int read_stat(const char *path, char *comm, size_t len, int *cpu,
		     int *policy)
{
	char line[2048], *open, *close, *p;
	int field = 2;
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	if (!fgets(line, sizeof(line), f)) {
		fclose(f);
		return -1;
	}
	fclose(f);
	open = strchr(line, '(');
	close = strrchr(line, ')');
	if (!open || !close)
		return -1;
	snprintf(comm, len, "%.*s", (int)(close - open - 1), open + 1);
	*cpu = *policy = -1;
	for (p = close + 1; *p; p++) {
		if (*p != ' ')
			continue;
		field++;
		if (field == 39)
			*cpu = atoi(p + 1);
		else if (field == 41)
			*policy = atoi(p + 1);
	}
	return *cpu < 0 || *policy < 0 ? -1 : 0;
}

static uint64_t read_run_ns(const char *path)
{
	unsigned long long ns = 0;
	FILE *f = fopen(path, "r");

	if (f) {
		if (fscanf(f, "%llu", &ns) != 1)
			ns = 0;
		fclose(f);
	}
	return ns;
}

/* Sample one thread; whether it is one of those watched. */
static bool sample_thread(int pid, int tid, const char *name)
{
	char path[128], comm[64];
	struct seen *s;
	int cpu, policy;
	uint64_t run_ns;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", pid, tid);
	if (read_stat(path, comm, sizeof(comm), &cpu, &policy) ||
	    (prefix ? strncmp(comm, name, strlen(name)) : strcmp(comm, name)))
		return false;
	snprintf(path, sizeof(path), "/proc/%d/task/%d/schedstat", pid, tid);
	run_ns = read_run_ns(path);
	s = lookup(tid);
	if (!s)
		return true;
	if (cpu < MAX_CPUS)
		samples[cpu]++;
	if (policy == SCHED_GHOST) {
		s->ghost = true;
		if (cpu < MAX_CPUS) {
			ghost_cpus[cpu] = true;
			if (!enclave_cpus[cpu])
				outside++;
		}
	} else if (s->ghost) {
		if (!s->dropped)
			fprintf(stderr, "ghost-threads: thread %d left SCHED_GHOST (policy %d)\n",
				tid, policy);
		s->dropped = true;
		if (s->policy != SCHED_GHOST && s->policy >= 0 && run_ns > s->run_ns)
			cfs_after_ghost_ns += run_ns - s->run_ns;
	}
	s->policy = policy;
	s->run_ns = run_ns;
	return true;
}

/* One pass over /proc; how many threads of that name it found. */
static int sample(const char *name)
{
	DIR *proc = opendir("/proc"), *tasks;
	struct dirent *p, *t;
	int found = 0;

	if (!proc)
		return 0;
	while ((p = readdir(proc))) {
		char path[300];

		if (!isdigit((unsigned char)p->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/task", p->d_name);
		tasks = opendir(path);
		if (!tasks)
			continue;
		while ((t = readdir(tasks)))
			if (isdigit((unsigned char)t->d_name[0]))
				found += sample_thread(atoi(p->d_name), atoi(t->d_name),
						       name);
		closedir(tasks);
	}
	closedir(proc);
	return found;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ULL + ts.tv_nsec / 1000000;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "comm", required_argument, NULL, 'c' },
		{ "cpus", required_argument, NULL, 'C' },
		{ "interval-ms", required_argument, NULL, 'i' },
		{ "until", required_argument, NULL, 'u' },
		{ "prefix", no_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 }
	};
	const char *name = NULL;
	int interval_ms = 20, until = 0, opt, ghost = 0, dropped = 0;
	uint64_t last_found = 0;

	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			name = optarg;
			break;
		case 'C':
			if (parse_cpus(optarg, enclave_cpus)) {
				fprintf(stderr, "ghost-threads: bad CPU list \"%s\"\n", optarg);
				return 2;
			}
			break;
		case 'i':
			interval_ms = atoi(optarg);
			break;
		case 'u':
			until = atoi(optarg);
			break;
		case 'p':
			prefix = true;
			break;
		default:
			return 2;
		}
	}
	if (!name || optind != argc) {
		fprintf(stderr, "usage: ghost-threads --comm NAME [--prefix] --cpus LIST "
			"[--interval-ms N] [--until PID]\n");
		return 2;
	}
	for (;;) {
		struct timespec pause = { 0, interval_ms * 1000000L };

		if (sample(name))
			last_found = now_ms();
		if (until ? kill(until, 0) && errno == ESRCH :
		    last_found && now_ms() - last_found > 1000)
			break;
		nanosleep(&pause, NULL);
	}
	for (int i = 0; i < nr_threads; i++) {
		ghost += threads[i].ghost;
		dropped += threads[i].dropped;
	}
	printf("threads %d ghost %d never_ghost %d dropped %d cfs_after_ghost_ns %llu\n",
	       nr_threads, ghost, nr_threads - ghost, dropped,
	       (unsigned long long)cfs_after_ghost_ns);
	printf("outside %llu cpus", (unsigned long long)outside);
	for (int cpu = 0, sep = ' '; cpu < MAX_CPUS; cpu++) {
		if (ghost_cpus[cpu]) {
			printf("%c%d", sep, cpu);
			sep = ',';
		}
	}
	printf("\nsamples");
	for (int cpu = 0; cpu < MAX_CPUS; cpu++)
		if (samples[cpu])
			printf(" %d:%llu", cpu, (unsigned long long)samples[cpu]);
	printf("\n");
	return 0;
}
