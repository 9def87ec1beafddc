// SPDX-License-Identifier: GPL-2.0
/* vm-args: --smp 8 */
/*
 * Measures: what one transaction costs when committed alone and when
 * committed with as many others as the machine has CPUs (8 here), in one
 * GHOST_IOC_COMMIT (plain and as a sync group).
 *
 * The main thread is the agent of CPU 1 in an enclave of every online
 * CPU but CPU 0 (enclaves leave the kernel one). Each commit names
 * GHOST_TARGET_NONE on its CPUs: valid everywhere (its own CPU too, with
 * the current agent barrier), and cheap, so that what is measured is the
 * commit path itself. The single commit targets CPU 2; the group every
 * CPU of the enclave. Each is measured GBENCH_REPEATS times.
 */
#include <unistd.h>

#include "gagent.h"
#include "gbench.h"
#include "gstep.h"
#include "test.h"

#define AGENT_CPU	1
#define ROUNDS		5000

static struct genclave enclave;
static struct gstep step;
static unsigned long outcomes[GHOST_TXN_STATE_MAX + 1];

/* A higher class wants our CPU: let it have it before going on. */
static void step_aside_if_boosted(void)
{
	uint32_t agent_barrier = gcpu_barrier(&enclave, AGENT_CPU);

	if (gcpu_flags(&enclave, AGENT_CPU) & GHOST_SW_CPU_BOOST)
		gagent_park(&enclave, agent_barrier);
}

static void commit_none(const cpu_set_t *cpus, uint32_t flags)
{
	for (int i = 0; i < enclave.nr_cpus; i++) {
		int cpu = enclave.cpus[i];

		if (CPU_ISSET(cpu, cpus))
			gtxn_ready(gtxn(&enclave, cpu), GHOST_TARGET_NONE, 0,
				   gcpu_barrier(&enclave, cpu), 0);
	}
	CHECK(gcommit(&enclave, cpus, flags, NULL) == 0);
	for (int i = 0; i < enclave.nr_cpus; i++) {
		int cpu = enclave.cpus[i];

		int state = gtxn_state(gtxn(&enclave, cpu));

		if (CPU_ISSET(cpu, cpus) && state >= 0 &&
		    state <= GHOST_TXN_STATE_MAX)
			outcomes[state]++;
	}
}

static double per_txn_ns(const cpu_set_t *cpus, uint32_t flags)
{
	uint64_t start, elapsed = 0;

	for (int i = 0; i < ROUNDS; i++) {
		step_aside_if_boosted();
		start = gnow_ns();
		commit_none(cpus, flags);
		elapsed += gnow_ns() - start;
	}
	return (double)elapsed / ROUNDS / CPU_COUNT(cpus);
}

static void print_outcomes(void)
{
	printf("group commit: outcomes:");
	for (int state = 0; state <= GHOST_TXN_STATE_MAX; state++)
		if (outcomes[state])
			printf(" %s %lu", gtxn_state_name(state),
			       outcomes[state]);
	printf("\n");
}

int main(void)
{
	int nr_cpus = sysconf(_SC_NPROCESSORS_ONLN) - 1;
	struct gbench_runs group = { .baseline = "single commit" };
	struct gbench_runs sync_group = { .baseline = "single commit" };
	char group_label[64], sync_label[64];
	cpu_set_t all, one;

	CHECK(gpin_self(0) == 0);
	gcpus_range(&all, 1, nr_cpus);
	gcpus_one(&one, 2);
	CHECK(genclave_create(&enclave, &all, 0, 0) == 0);
	CHECK(genclave_destroy_on_failure(&enclave) == 0);
	CHECK(gstep_begin(&step, &enclave, AGENT_CPU, -1) == 0);
	for (int i = 0; i < GBENCH_REPEATS; i++) {
		double single = per_txn_ns(&one, 0);

		gbench_record(&group, per_txn_ns(&all, 0), single);
		gbench_record(&sync_group,
			      per_txn_ns(&all, GHOST_COMMIT_F_SYNC_GROUP), single);
	}
	CHECK(gstep_end(&step) == 0);
	CHECK(genclave_destroy(&enclave) == 0);

	print_outcomes();
	snprintf(group_label, sizeof(group_label),
		 "group commit of %d, per txn", nr_cpus);
	snprintf(sync_label, sizeof(sync_label), "sync group of %d, per txn",
		 nr_cpus);
	group.what = group_label;
	sync_group.what = sync_label;
	gbench_report(&group);
	gbench_report(&sync_group);
	return 0;
}
