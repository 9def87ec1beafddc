// SPDX-License-Identifier: GPL-2.0
/* vm-args: --timeout 400 */
/*
 * Proves: CPUs of an enclave can go offline and come back, and cpusets
 * move agents, without stranding anything. Enclave {1,2,3}; the test is
 * the agent of CPU 1.
 *  - Offline with work on it: CPU 3 has a parked agent (another thread),
 *    two runnable ghost tasks queued on its run queue and one blocked
 *    ghost task allowed only there. Taking CPU 3 offline completes within
 *    30 s; then the parked agent is an agent no more (the enclave counts
 *    one agent, CPU 3's word shows none, its park ended with ENODEV and
 *    its policy is SCHED_OTHER again), CPU 3's word shows
 *    GHOST_SW_CPU_OFFLINE, CPU_BUSY came with GHOST_MSG_F_CPU_OFFLINE,
 *    the queued tasks sit on other run queues, a commit to CPU 3 ends
 *    CPU_UNAVAIL, and the queued tasks run when committed on CPU 2.
 *  - The blocked task then wakes: its CPU being gone, the kernel widens its
 *    affinity (TASK_AFFINITY_CHANGED, sent without holding up the wakeup)
 *    and it runs when committed on CPU 2.
 *  - Online again: CPU 3 shows CPU_AVAILABLE and its word neither OFFLINE
 *    nor an agent; a thread becomes its agent.
 *  - Cpusets: a process in a cpuset of CPUs 2-3 becomes CPU 3's agent;
 *    when the cpuset shrinks to 2 the kernel moves it, and it is demoted
 *    (the enclave counts one agent, CPU 3 has none, the process is
 *    SCHED_OTHER). A process in that cpuset asking to become CPU 3's agent
 *    gets EINVAL.
 */
#include <pthread.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gagent.h"
#include "gstep.h"
#include "gworkers.h"
#include "test.h"

#define AGENT_CPU	1
#define SPARE_CPU	2
#define HOTPLUG_CPU	3
#define NR_QUEUED	2
#define TIMEOUT		GSTEP_TIMEOUT_MS
#define CGROUP_ROOT	"/tmp/cgroup"
#define CPUSET		CGROUP_ROOT "/agents"

static struct genclave enclave;
static struct gstep step;

/* A child of the agent starts pinned to its CPU: send it to CPU 0. */
static pid_t fork_to_cpu0(void)
{
	pid_t pid = fork();

	if (pid == 0 && gpin_self(0))
		_exit(100);
	return pid;
}

struct child {
	pid_t pid;
	int status;
};

static bool child_exited(void *arg)
{
	struct child *c = arg;

	return waitpid(c->pid, &c->status, WNOHANG) == c->pid;
}

/*
 * Write @online to the CPU's sysfs file from a child, so that a kernel
 * that never finishes the hotplug fails the test instead of hanging it.
 */
static bool set_online(int cpu, bool online, int timeout_ms)
{
	struct child child;
	char path[64];

	snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d/online", cpu);
	child.pid = fork_to_cpu0();
	CHECK(child.pid >= 0);
	if (child.pid == 0)
		_exit(gwrite_file(path, online ? "1" : "0") ? 0 : 1);
	if (!gstep_wait(&step, child_exited, &child, timeout_ms))
		return false;
	return WIFEXITED(child.status) && WEXITSTATUS(child.status) == 0;
}

/* The second agent: parks on CPU 3 until the park stops working. */
static int parked_errno;
static int parked_policy;

static void *parked_agent(void *arg)
{
	int ret;

	(void)arg;
	if (gagent_become(&enclave, HOTPLUG_CPU, -1)) {
		parked_errno = -errno;
		return NULL;
	}
	do
		ret = gagent_park(&enclave, gcpu_barrier(&enclave, HOTPLUG_CPU));
	while (!ret || errno == ESTALE || errno == EINTR);
	parked_errno = errno;
	parked_policy = sched_getscheduler(0);
	return NULL;
}

static uint32_t nr_agents(void)
{
	struct ghost_enclave_info info;

	CHECK(genclave_query(&enclave, &info) == 0);
	return info.nr_agents;
}

static bool agents_are(void *arg)
{
	return nr_agents() == *(uint32_t *)arg;
}

static bool wait_nr_agents(uint32_t nr)
{
	return gstep_wait(&step, agents_are, &nr, TIMEOUT);
}

static uint64_t add_puppet(struct gpuppet *p, int cpu)
{
	cpu_set_t cpus;
	uint64_t gtid;

	gcpus_one(&cpus, cpu);
	CHECK(gpuppet_spawn(p, &cpus) == 0);
	gtid = gstep_add(&step, p->tid, NULL);
	CHECK(gtid);
	return gtid;
}

static void finish_puppet(struct gpuppet *p, uint64_t gtid)
{
	CHECK(gstep_command(&step, p, gtid, GPUPPET_EXIT, 0, SPARE_CPU));
	/* Kept on its CPU: a kernel thread passing through may preempt it. */
	CHECK(gstep_expect_running(&step, GHOST_MSG_TASK_DEAD, gtid, SPARE_CPU,
				   TIMEOUT, NULL));
	gpuppet_join(p);
}

static void offline_with_work(void)
{
	struct gpuppet queued[NR_QUEUED], blocked;
	uint64_t queued_gtids[NR_QUEUED], blocked_gtid;
	struct ghost_msg msg;
	pthread_t agent;
	cpu_set_t cpus;

	CHECK(pthread_create(&agent, NULL, parked_agent, NULL) == 0);
	CHECK(wait_nr_agents(2));
	gcpus_range(&cpus, GTEST_FIRST_CPU, GTEST_LAST_CPU);
	for (int i = 0; i < NR_QUEUED; i++) {
		queued_gtids[i] = add_puppet(&queued[i], HOTPLUG_CPU);
		/* Wakes where it slept, CPU 3, and waits there uncommitted. */
		gpuppet_post(&queued[i], GPUPPET_NOP, 0);
		CHECK(gstep_expect(&step, GHOST_MSG_TASK_WAKEUP, queued_gtids[i],
				   GANY_CPU, TIMEOUT, NULL));
		CHECK(sched_setaffinity(queued[i].tid, sizeof(cpus), &cpus) == 0);
		CHECK_EQ(gthread_cpu(queued[i].tid), HOTPLUG_CPU);
	}
	blocked_gtid = add_puppet(&blocked, HOTPLUG_CPU);

	CHECK(set_online(HOTPLUG_CPU, false, 30000));
	CHECK(wait_nr_agents(1));
	pthread_join(agent, NULL);
	CHECK_EQ(parked_errno, ENODEV);
	CHECK_EQ(parked_policy, SCHED_OTHER);
	CHECK(gcpu_flags(&enclave, HOTPLUG_CPU) & GHOST_SW_CPU_OFFLINE);
	CHECK(!(gcpu_flags(&enclave, HOTPLUG_CPU) & GHOST_SW_CPU_HAS_AGENT));
	CHECK(gstep_expect(&step, GHOST_MSG_CPU_BUSY, 0, HOTPLUG_CPU, TIMEOUT,
			   &msg));
	while (!(msg.flags & GHOST_MSG_F_CPU_OFFLINE))
		CHECK(gstep_expect(&step, GHOST_MSG_CPU_BUSY, 0, HOTPLUG_CPU,
				   TIMEOUT, &msg));
	for (int i = 0; i < NR_QUEUED; i++)
		CHECK(gthread_cpu(queued[i].tid) != HOTPLUG_CPU);
	CHECK_EQ(gstep_run(&step, HOTPLUG_CPU, queued_gtids[0], 0),
		 GHOST_TXN_CPU_UNAVAIL);
	for (int i = 0; i < NR_QUEUED; i++) {
		CHECK_EQ(gstep_run_task(&step, SPARE_CPU, queued_gtids[i], TIMEOUT),
			 GHOST_TXN_COMPLETE);
		CHECK(gstep_expect_running(&step, GHOST_MSG_TASK_BLOCKED,
					   queued_gtids[i], SPARE_CPU, TIMEOUT,
					   NULL));
		finish_puppet(&queued[i], queued_gtids[i]);
	}

	/* Its only CPU gone, the blocked task wakes with a wider affinity. */
	gpuppet_post(&blocked, GPUPPET_NOP, 0);
	CHECK(gstep_expect(&step, GHOST_MSG_TASK_AFFINITY_CHANGED, blocked_gtid,
			   GANY_CPU, TIMEOUT, NULL));
	CHECK(gstep_expect(&step, GHOST_MSG_TASK_WAKEUP, blocked_gtid, GANY_CPU,
			   TIMEOUT, NULL));
	CHECK_EQ(gstep_run_task(&step, SPARE_CPU, blocked_gtid, TIMEOUT),
		 GHOST_TXN_COMPLETE);
	CHECK(gstep_expect_running(&step, GHOST_MSG_TASK_BLOCKED, blocked_gtid,
				   SPARE_CPU, TIMEOUT, NULL));
	finish_puppet(&blocked, blocked_gtid);
}

static void online_again(void)
{
	pthread_t agent;

	gstep_take_all(&step);
	CHECK(set_online(HOTPLUG_CPU, true, 30000));
	CHECK(gstep_expect(&step, GHOST_MSG_CPU_AVAILABLE, 0, HOTPLUG_CPU,
			   TIMEOUT, NULL));
	CHECK(!(gcpu_flags(&enclave, HOTPLUG_CPU) &
		(GHOST_SW_CPU_OFFLINE | GHOST_SW_CPU_HAS_AGENT)));
	CHECK(gcpu_flags(&enclave, HOTPLUG_CPU) & GHOST_SW_CPU_AVAIL);
	parked_errno = 0;
	CHECK(pthread_create(&agent, NULL, parked_agent, NULL) == 0);
	CHECK(wait_nr_agents(2));
	/* Offline it once more to end that agent, then back. */
	CHECK(set_online(HOTPLUG_CPU, false, 30000));
	pthread_join(agent, NULL);
	CHECK_EQ(parked_errno, ENODEV);
	CHECK(set_online(HOTPLUG_CPU, true, 30000));
	CHECK(wait_nr_agents(1));
}

/* A child process in the cpuset that becomes (or tries to become) an agent. */
static pid_t cpuset_agent(bool expect_einval, int *report)
{
	int fds[2];
	pid_t pid;

	CHECK(pipe(fds) == 0);
	pid = fork_to_cpu0();
	CHECK(pid >= 0);
	if (pid == 0) {
		char self[16];
		char result;
		int ret;

		close(fds[0]);
		snprintf(self, sizeof(self), "%d", getpid());
		if (!gwrite_file(CPUSET "/cgroup.procs", self))
			_exit(2);
		ret = gagent_become(&enclave, HOTPLUG_CPU, -1);
		if (expect_einval)
			_exit(ret == -1 && errno == EINVAL ? 0 : 3);
		result = ret ? 'F' : 'A';
		if (write(fds[1], &result, 1) != 1 || ret)
			_exit(4);
		do
			ret = gagent_park(&enclave,
					  gcpu_barrier(&enclave, HOTPLUG_CPU));
		while (!ret || errno == ESTALE || errno == EINTR);
		_exit(sched_getscheduler(0) == SCHED_OTHER ? 0 : 5);
	}
	close(fds[1]);
	*report = fds[0];
	return pid;
}

static void cpusets_move_agents(void)
{
	int status, report;
	char result;
	pid_t pid;

	mkdir(CGROUP_ROOT, 0755);
	CHECK(mount("cgroup2", CGROUP_ROOT, "cgroup2", 0, NULL) == 0);
	CHECK(gwrite_file(CGROUP_ROOT "/cgroup.subtree_control", "+cpuset"));
	CHECK(mkdir(CPUSET, 0755) == 0);
	CHECK(gwrite_file(CPUSET "/cpuset.cpus", "2-3"));

	pid = cpuset_agent(false, &report);
	CHECK(read(report, &result, 1) == 1 && result == 'A');
	close(report);
	CHECK(wait_nr_agents(2));
	CHECK(gwrite_file(CPUSET "/cpuset.cpus", "2"));
	CHECK(wait_nr_agents(1));
	CHECK(!(gcpu_flags(&enclave, HOTPLUG_CPU) & GHOST_SW_CPU_HAS_AGENT));
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);

	pid = cpuset_agent(true, &report);
	close(report);
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK_EQ(nr_agents(), 1);
}

int main(void)
{
	cpu_set_t cpus;

	CHECK(gpin_self(0) == 0);
	gcpus_range(&cpus, GTEST_FIRST_CPU, GTEST_LAST_CPU);
	CHECK(genclave_create(&enclave, &cpus, 0, 10000) == 0);
	CHECK(genclave_destroy_on_failure(&enclave) == 0);
	CHECK(gstep_begin(&step, &enclave, AGENT_CPU, AGENT_CPU) == 0);

	offline_with_work();
	online_again();
	cpusets_move_agents();

	CHECK(gstep_end(&step) == 0);
	CHECK(genclave_destroy(&enclave) == 0);
	test_pass("cpu_hotplug");
}
