// SPDX-License-Identifier: GPL-2.0
/*
 * Proves: an enclave's memory is charged to the memory cgroup of whoever
 * created it, so a container cannot make the kernel hold unaccounted
 * memory through ghost. The test moves itself into a new cgroup (v2,
 * memory controller) and creates an enclave for 1,048,576 tasks: its
 * status words alone take 32 MiB. The cgroup's memory.current grows by at
 * least 36 MiB (status words, task table, generations), and falls back
 * within 8 MiB of where it was once the enclave is destroyed and closed.
 */
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gagent.h"
#include "test.h"

#define CGROUP_ROOT	"/tmp/cgroup"
#define CGROUP		CGROUP_ROOT "/enclave-owner"
#define MAX_TASKS	(1U << 20)
#define MiB		(1024 * 1024LL)

static long long memory_current(void)
{
	char buf[64] = { 0 };
	int fd = open(CGROUP "/memory.current", O_RDONLY | O_CLOEXEC);

	CHECK(fd >= 0);
	CHECK(read(fd, buf, sizeof(buf) - 1) > 0);
	close(fd);
	return atoll(buf);
}

int main(void)
{
	struct ghost_enclave_create create = { .max_tasks = MAX_TASKS };
	long long before, with_enclave, after = 0;
	uint64_t deadline;
	char self[16];
	cpu_set_t cpus;
	struct genclave e;
	int dev;

	CHECK(gpin_self(0) == 0);
	mkdir(CGROUP_ROOT, 0755);
	CHECK(mount("cgroup2", CGROUP_ROOT, "cgroup2", 0, NULL) == 0);
	CHECK(gwrite_file(CGROUP_ROOT "/cgroup.subtree_control", "+memory"));
	CHECK(mkdir(CGROUP, 0755) == 0);
	snprintf(self, sizeof(self), "%d", getpid());
	CHECK(gwrite_file(CGROUP "/cgroup.procs", self));

	before = memory_current();
	gcpus_range(&cpus, GTEST_FIRST_CPU, GTEST_LAST_CPU);
	create.cpus_ptr = (uintptr_t)&cpus;
	create.cpus_size = sizeof(cpus);
	dev = gdev_open();
	CHECK(dev >= 0);
	CHECK(ioctl(dev, GHOST_IOC_CREATE_ENCLAVE, &create) == 0);
	close(dev);
	CHECK(genclave_adopt_fd(&e, create.fd) == 0);
	CHECK(genclave_destroy_on_failure(&e) == 0);
	with_enclave = memory_current();
	printf("memory.current: %lld MiB before, %lld MiB with the enclave\n",
	       before / MiB, with_enclave / MiB);
	CHECK(with_enclave - before >= 36 * MiB);

	CHECK(genclave_destroy(&e) == 0);
	deadline = gnow_ns() + 5000 * 1000000ULL;
	do {
		gsleep_ms(20);
		after = memory_current();
	} while (after - before > 8 * MiB && gnow_ns() < deadline);
	printf("memory.current: %lld MiB after\n", after / MiB);
	CHECK(after - before <= 8 * MiB);
	test_pass("enclave_memcg");
}
