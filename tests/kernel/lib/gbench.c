// SPDX-License-Identifier: GPL-2.0
/*
 * Benchmark helpers: see gbench.h.
 */
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "gagent.h"
#include "gbench.h"

struct ping_pong {
	int cpu;
	unsigned int rounds;
	int to_echo[2];
	int from_echo[2];
	double ns_per_round;
};

static void *echo_main(void *arg)
{
	struct ping_pong *pp = arg;
	char byte;

	gpin_self(pp->cpu);
	for (unsigned int i = 0; i < pp->rounds; i++)
		if (read(pp->to_echo[0], &byte, 1) != 1 ||
		    write(pp->from_echo[1], &byte, 1) != 1)
			break;
	return NULL;
}

static void *serve_main(void *arg)
{
	struct ping_pong *pp = arg;
	char byte = 0;
	uint64_t start;

	gpin_self(pp->cpu);
	start = gnow_ns();
	for (unsigned int i = 0; i < pp->rounds; i++)
		if (write(pp->to_echo[1], &byte, 1) != 1 ||
		    read(pp->from_echo[0], &byte, 1) != 1)
			break;
	pp->ns_per_round = (double)(gnow_ns() - start) / pp->rounds;
	return NULL;
}

static double ping_pong_round_ns(int cpu, unsigned int rounds)
{
	struct ping_pong pp = { .cpu = cpu, .rounds = rounds };
	pthread_t echo, serve;

	if (pipe(pp.to_echo) || pipe(pp.from_echo))
		return -1;
	pthread_create(&echo, NULL, echo_main, &pp);
	pthread_create(&serve, NULL, serve_main, &pp);
	pthread_join(serve, NULL);
	pthread_join(echo, NULL);
	for (int i = 0; i < 2; i++) {
		close(pp.to_echo[i]);
		close(pp.from_echo[i]);
	}
	return pp.ns_per_round;
}

/*
 * Two threads on @cpu hand a byte back and forth through pipes: each
 * round is two switches. The first run only warms caches up.
 */
double gbench_cfs_switch_ns(int cpu, unsigned int rounds)
{
	ping_pong_round_ns(cpu, rounds / 10 + 1);
	return ping_pong_round_ns(cpu, rounds) / 2;
}

double gbench_yield_switch_ns(unsigned int rounds)
{
	uint64_t start;

	for (unsigned int i = 0; i < rounds / 10; i++)
		sched_yield();
	start = gnow_ns();
	for (unsigned int i = 0; i < rounds; i++)
		sched_yield();
	return (double)(gnow_ns() - start) / rounds / 2;
}

void gbench_record(struct gbench_runs *runs, double ns, double baseline_ns)
{
	if (runs->n == GBENCH_REPEATS)
		return;
	runs->ns[runs->n] = ns;
	runs->baseline_ns[runs->n] = baseline_ns;
	runs->n++;
}

static int compare_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

void gbench_report(const struct gbench_runs *runs)
{
	double ratios[GBENCH_REPEATS];

	printf("(QEMU TCG distorts absolute times: compare ratios only)\n");
	for (int i = 0; i < runs->n; i++) {
		ratios[i] = runs->ns[i] / runs->baseline_ns[i];
		printf("run %d: %s %.2f us, %s %.2f us, %.2fx\n", i + 1,
		       runs->what, runs->ns[i] / 1000, runs->baseline,
		       runs->baseline_ns[i] / 1000, ratios[i]);
	}
	if (!runs->n)
		return;
	qsort(ratios, runs->n, sizeof(ratios[0]), compare_double);
	printf("%s / %s: median %.2fx (%d runs, %.2fx to %.2fx)\n", runs->what,
	       runs->baseline, ratios[runs->n / 2], runs->n, ratios[0],
	       ratios[runs->n - 1]);
}
