// SPDX-License-Identifier: GPL-2.0
/*
 * Benchmark helpers: see gbench.h.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
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

void gbench_report(const char *what, double ns, const char *baseline,
		   double baseline_ns)
{
	static bool warned;

	if (!warned)
		printf("(QEMU TCG distorts absolute times: compare ratios only)\n");
	warned = true;
	printf("%s: %.2f us\n", what, ns / 1000);
	printf("%s: %.2f us\n", baseline, baseline_ns / 1000);
	printf("%s / %s: %.2fx\n", what, baseline, ns / baseline_ns);
}
