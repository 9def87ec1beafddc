// SPDX-License-Identifier: GPL-2.0
/* vm-args: --timeout 300 */
/*
 * Proves: a thread added to an enclave while its creator is still inside
 * clone(2), after the thread joined its process but before the kernel
 * first woke it, is announced runnable when that wakeup comes and runs as
 * a ghost task. The window is held open: CLONE_PARENT_SETTID makes clone
 * write the new tid into a page that userfaultfd holds missing, so the
 * creator waits there, the thread already listed in /proc. The test adds
 * it by tid, lets clone finish and waits for the thread to run: it records
 * its policy (SCHED_GHOST) and exits. Per-CPU FIFO agents in another
 * process schedule it. A thread first announced as not runnable and then
 * woken without a word never runs, and the watchdog cannot see it wait
 * (exit_race met it now and then under a loaded host).
 */
#include <dirent.h>
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "gagent.h"
#include "gproc.h"
#include "gsched.h"
#include "test.h"

#define STACK_SIZE	(64 * 1024)
/* A ghost thread runs within milliseconds; this is for a loaded host. */
#define RUN_TIMEOUT_MS	30000

static pid_t *tid_page;			/* held missing by userfaultfd */
static pid_t cloner_tid, clone_result;
static int new_thread_policy = -1;	/* written by the new thread */

/*
 * The new thread shares the test's TLS (no CLONE_SETTLS): it touches only
 * plain memory and makes raw system calls that cannot fail.
 */
static int new_thread(void *arg)
{
	(void)arg;
	__atomic_store_n(&new_thread_policy, (int)syscall(SYS_sched_getscheduler, 0),
			 __ATOMIC_RELEASE);
	syscall(SYS_exit, 0);
	return 0;
}

static void *cloner(void *arg)
{
	cpu_set_t cpus;
	char *stack = mmap(NULL, STACK_SIZE, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);

	(void)arg;
	CHECK(stack != MAP_FAILED);
	/* The new thread inherits this mask: it must meet the enclave's CPUs. */
	gcpus_range(&cpus, GTEST_FIRST_CPU, GTEST_LAST_CPU);
	CHECK(sched_setaffinity(0, sizeof(cpus), &cpus) == 0);
	__atomic_store_n(&cloner_tid, (pid_t)syscall(SYS_gettid), __ATOMIC_RELEASE);
	clone_result = clone(new_thread, stack + STACK_SIZE,
			     CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND |
			     CLONE_THREAD | CLONE_SYSVSEM | CLONE_PARENT_SETTID,
			     NULL, tid_page);
	return NULL;
}

/* The thread of this process that is neither @a nor @b, nor this one. */
static pid_t other_thread(pid_t a, pid_t b)
{
	pid_t self = syscall(SYS_gettid), found = 0;
	DIR *dir = opendir("/proc/self/task");
	struct dirent *d;

	CHECK(dir);
	while ((d = readdir(dir))) {
		pid_t tid = atoi(d->d_name);

		if (tid > 0 && tid != self && tid != a && tid != b)
			found = tid;
	}
	closedir(dir);
	return found;
}

int main(void)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = { .mode = UFFDIO_REGISTER_MODE_MISSING };
	struct uffdio_zeropage zero = { .range.len = 4096 };
	struct gsched_config config = { .mode = GSCHED_PER_CPU };
	struct pollfd pfd = { .events = POLLIN };
	struct gsched_counters counters;
	struct gproc agents;
	struct uffd_msg msg;
	struct genclave e;
	uint64_t deadline;
	pthread_t thread;
	cpu_set_t cpus;
	pid_t unborn;
	int uffd;

	CHECK(gpin_self(0) == 0);
	gcpus_range(&cpus, GTEST_FIRST_CPU, GTEST_LAST_CPU);
	CHECK(genclave_create(&e, &cpus, 0, 2000) == 0);
	CHECK(genclave_destroy_on_failure(&e) == 0);
	config.agent_cpus = cpus;
	CHECK(gproc_fork(&agents, e.id, &config) == 0);
	CHECK(gproc_start(&agents, &counters) == 0);

	uffd = syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	CHECK(uffd >= 0);
	CHECK(ioctl(uffd, UFFDIO_API, &api) == 0);
	tid_page = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(tid_page != MAP_FAILED);
	reg.range.start = (uintptr_t)tid_page;
	reg.range.len = 4096;
	CHECK(ioctl(uffd, UFFDIO_REGISTER, &reg) == 0);

	CHECK(pthread_create(&thread, NULL, cloner, NULL) == 0);
	pfd.fd = uffd;
	CHECK(poll(&pfd, 1, 10000) == 1);
	CHECK(read(uffd, &msg, sizeof(msg)) == sizeof(msg));
	CHECK(msg.event == UFFD_EVENT_PAGEFAULT);
	CHECK_EQ(msg.arg.pagefault.address & ~4095ULL, (uintptr_t)tid_page);

	/* clone is writing the tid: the thread exists and has never run. */
	unborn = other_thread(__atomic_load_n(&cloner_tid, __ATOMIC_ACQUIRE), 0);
	CHECK(unborn > 0);
	CHECK(genclave_add_task(&e, unborn) == 0);

	zero.range.start = (uintptr_t)tid_page;
	CHECK(ioctl(uffd, UFFDIO_ZEROPAGE, &zero) == 0);
	CHECK(pthread_join(thread, NULL) == 0);
	CHECK_EQ(clone_result, unborn);

	deadline = gnow_ns() + RUN_TIMEOUT_MS * 1000000ULL;
	while (__atomic_load_n(&new_thread_policy, __ATOMIC_ACQUIRE) < 0 &&
	       gnow_ns() < deadline)
		gsleep_ms(10);
	if (__atomic_load_n(&new_thread_policy, __ATOMIC_ACQUIRE) < 0)
		test_fail(__FILE__, __LINE__,
			  "thread %d, added before its first wakeup, never ran in %d ms",
			  unborn, RUN_TIMEOUT_MS);
	CHECK_EQ(new_thread_policy, SCHED_GHOST);
	CHECK(genclave_wait_empty(&e, 5000));

	CHECK(gproc_stop(&agents, &counters) == 0);
	CHECK(genclave_destroy(&e) == 0);
	test_pass("add_unborn_thread");
}
