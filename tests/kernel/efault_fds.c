// SPDX-License-Identifier: GPL-2.0
/*
 * Proves: an ioctl that returns a new fd hands it out only if its result
 * reached user space. The argument of CREATE_ENCLAVE, OPEN_ENCLAVE and
 * CREATE_QUEUE sits in a page that the test made read-only after filling
 * it in: the kernel reads it, cannot write the result back, and fails with
 * EFAULT; the process then has exactly the fds it had before, and no
 * enclave was left behind (the live enclaves, by netlink, are the same).
 */
#include <dirent.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "gagent.h"
#include "gnl.h"
#include "test.h"

static int count_fds(void)
{
	DIR *dir = opendir("/proc/self/fd");
	struct dirent *entry;
	int n = 0;

	CHECK(dir);
	while ((entry = readdir(dir)))
		n += entry->d_name[0] != '.';
	closedir(dir);
	return n - 1;	/* the directory's own fd */
}

/* A page holding @len bytes of @arg, then made read-only. */
static void *read_only_copy(const void *arg, size_t len)
{
	void *page = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	CHECK(page != MAP_FAILED);
	memcpy(page, arg, len);
	CHECK(mprotect(page, 4096, PROT_READ) == 0);
	return page;
}

int main(void)
{
	struct gnl_enclave before[8], after[8];
	struct genclave e;
	cpu_set_t cpus;
	int dev, fds, nr_before;

	CHECK(gpin_self(0) == 0);
	gcpus_range(&cpus, GTEST_FIRST_CPU, GTEST_LAST_CPU);
	CHECK(genclave_create(&e, &cpus, 0, 0) == 0);
	CHECK(genclave_destroy_on_failure(&e) == 0);
	dev = gdev_open();
	CHECK(dev >= 0);
	nr_before = gnl_dump_enclaves(before, 8);
	CHECK(nr_before == 1);
	fds = count_fds();

	{
		struct ghost_queue_create create = { .nr_slots = 64, .wakeup_cpu = -1 };

		CHECK_ERR(ioctl(e.fd, GHOST_IOC_CREATE_QUEUE,
				read_only_copy(&create, sizeof(create))), EFAULT);
		CHECK_EQ(count_fds(), fds);
	}
	{
		struct ghost_enclave_open open_args = { .id = e.id };

		CHECK_ERR(ioctl(dev, GHOST_IOC_OPEN_ENCLAVE,
				read_only_copy(&open_args, sizeof(open_args))), EFAULT);
		CHECK_EQ(count_fds(), fds);
	}
	{
		cpu_set_t other;
		struct ghost_enclave_create create = {
			.cpus_ptr = (uintptr_t)&other,
			.cpus_size = sizeof(other),
		};

		gcpus_range(&other, GTEST_FIRST_CPU, GTEST_LAST_CPU);
		CHECK(genclave_destroy(&e) == 0);
		fds = count_fds();
		nr_before = gnl_dump_enclaves(before, 8);
		CHECK_ERR(ioctl(dev, GHOST_IOC_CREATE_ENCLAVE,
				read_only_copy(&create, sizeof(create))), EFAULT);
		CHECK_EQ(count_fds(), fds);
		CHECK_EQ(gnl_dump_enclaves(after, 8), nr_before);
		/* Its CPUs were not kept either. */
		CHECK(genclave_create(&e, &other, 0, 0) == 0);
		CHECK(genclave_destroy(&e) == 0);
	}
	close(dev);
	test_pass("efault_fds");
}
