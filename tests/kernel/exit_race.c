// SPDX-License-Identifier: GPL-2.0
/* vm-args: --timeout 600 */
/*
 * Proves: a process that exits while another adds all its threads never
 * leaves a task behind in the enclave. In each of 60 rounds a child
 * process starts 24 threads that spin a little, then exits them all at
 * once with exit_group(2); meanwhile the test adds the child with
 * GHOST_ADD_F_PROCESS | GHOST_ADD_F_CONTINUE in a tight loop until it has
 * reaped it. Per-CPU FIFO agents in another process schedule whatever
 * enters. After every round the enclave holds no task within a second:
 * every thread that entered also left, none was admitted after its exit
 * had passed the point where the kernel reports it (its slot would keep a
 * freed task). A process not reaped within a minute fails the round: one
 * of its threads entered and never ran (add_unborn_thread shows how that
 * once happened). The enclave is then destroyed as usual.
 */
#include <pthread.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gagent.h"
#include "gproc.h"
#include "gsched.h"
#include "test.h"

#define ROUNDS		60
#define NR_THREADS	24
/* A round takes milliseconds; a thread that never runs holds it forever. */
#define REAP_TIMEOUT_NS	(60 * 1000000000ULL)

static void *spin_briefly(void *arg)
{
	gspin_us((uintptr_t)arg);
	for (;;)
		pause();
	return NULL;
}

/* The child: threads that are still starting when the whole group exits. */
static void exiting_process(void)
{
	cpu_set_t cpus;

	gcpus_range(&cpus, GTEST_FIRST_CPU, GTEST_LAST_CPU);
	sched_setaffinity(0, sizeof(cpus), &cpus);
	for (int i = 0; i < NR_THREADS; i++) {
		pthread_t thread;

		pthread_create(&thread, NULL, spin_briefly,
			       (void *)(uintptr_t)(50 * (i % 8)));
	}
	gspin_us(300);
	syscall(SYS_exit_group, 0);
}

static void round_of_adds(const struct genclave *e)
{
	uint64_t added = 0, attempts = 0, deadline = gnow_ns() + REAP_TIMEOUT_NS;
	int status;
	pid_t pid = fork();

	CHECK(pid >= 0);
	if (pid == 0)
		exiting_process();
	for (;;) {
		struct ghost_add_task add = {
			.pid = pid,
			.flags = GHOST_ADD_F_PROCESS | GHOST_ADD_F_CONTINUE |
				 GHOST_ADD_F_SKIP_MEMBERS,
		};

		attempts++;
		ioctl(e->fd, GHOST_IOC_ADD_TASK, &add);
		added += add.nr_added;
		if (waitpid(pid, &status, WNOHANG) == pid)
			break;
		if (gnow_ns() > deadline)
			test_fail(__FILE__, __LINE__,
				  "process %d not reaped within %llu s (%llu added in %llu attempts): a thread that entered never ran",
				  pid, REAP_TIMEOUT_NS / 1000000000ULL,
				  (unsigned long long)added, (unsigned long long)attempts);
	}
	CHECK(WIFEXITED(status));
	if (!genclave_wait_empty(e, 1000)) {
		struct ghost_enclave_info info;

		CHECK(genclave_query(e, &info) == 0);
		test_fail(__FILE__, __LINE__,
			  "%u tasks left after the process died (%llu added in %llu attempts)",
			  info.nr_tasks, (unsigned long long)added,
			  (unsigned long long)attempts);
	}
}

int main(void)
{
	struct gsched_config config = { .mode = GSCHED_PER_CPU };
	struct gsched_counters counters;
	struct gproc agents;
	struct genclave e;
	cpu_set_t cpus;

	CHECK(gpin_self(0) == 0);
	gcpus_range(&cpus, GTEST_FIRST_CPU, GTEST_LAST_CPU);
	CHECK(genclave_create(&e, &cpus, 0, 5000) == 0);
	CHECK(genclave_destroy_on_failure(&e) == 0);
	config.agent_cpus = cpus;
	CHECK(gproc_fork(&agents, e.id, &config) == 0);
	CHECK(gproc_start(&agents, &counters) == 0);

	for (int round = 0; round < ROUNDS; round++)
		round_of_adds(&e);

	CHECK(gproc_stop(&agents, &counters) == 0);
	CHECK(genclave_destroy(&e) == 0);
	test_pass("exit_race");
}
