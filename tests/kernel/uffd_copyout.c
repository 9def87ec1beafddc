// SPDX-License-Identifier: GPL-2.0
/*
 * Proves: a caller that stalls the kernel while it writes an ioctl's
 * result back holds up nobody else. Thread A opens an enclave by id into an
 * argument page that userfaultfd write-protects, so the kernel's write of
 * the new fd into it waits for the test to resolve the fault. While A
 * waits (its fault has been reported), thread B creates another enclave
 * and dumps the enclaves over netlink: both finish within 2 s. Then the
 * fault is resolved and A's open succeeds with a working fd.
 */
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <poll.h>
#include <pthread.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "gagent.h"
#include "gnl.h"
#include "test.h"

static int uffd;
static struct ghost_enclave_open *open_args;
static long open_result = -2;
static int open_errno;
static bool b_done;

static void *opener(void *arg)
{
	int dev = gdev_open();

	(void)arg;
	open_result = ioctl(dev, GHOST_IOC_OPEN_ENCLAVE, open_args);
	open_errno = errno;
	close(dev);
	return NULL;
}

static void *creator(void *arg)
{
	struct gnl_enclave list[4];
	struct genclave e;
	cpu_set_t cpus;

	(void)arg;
	gcpus_one(&cpus, 3);
	if (genclave_create(&e, &cpus, 0, 0) == 0 &&
	    gnl_dump_enclaves(list, 4) == 2 && genclave_destroy(&e) == 0)
		__atomic_store_n(&b_done, true, __ATOMIC_RELEASE);
	return NULL;
}

static void write_protect(void *page, bool protect)
{
	struct uffdio_writeprotect wp = {
		.range = { .start = (uintptr_t)page, .len = 4096 },
		.mode = protect ? UFFDIO_WRITEPROTECT_MODE_WP : 0,
	};

	CHECK(ioctl(uffd, UFFDIO_WRITEPROTECT, &wp) == 0);
}

int main(void)
{
	struct uffdio_api api = { .api = UFFD_API,
				  .features = UFFD_FEATURE_PAGEFAULT_FLAG_WP };
	struct uffdio_register reg = { .mode = UFFDIO_REGISTER_MODE_WP };
	struct pollfd pfd = { .events = POLLIN };
	struct uffd_msg msg;
	pthread_t a, b;
	struct genclave e, opened;
	uint64_t deadline;
	bool b_in_time;
	cpu_set_t cpus;
	void *page;

	CHECK(gpin_self(0) == 0);
	gcpus_range(&cpus, 1, 2);
	CHECK(genclave_create(&e, &cpus, 0, 0) == 0);
	CHECK(genclave_destroy_on_failure(&e) == 0);

	uffd = syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	CHECK(uffd >= 0);
	CHECK(ioctl(uffd, UFFDIO_API, &api) == 0);
	page = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(page != MAP_FAILED);
	open_args = page;
	open_args->id = e.id;
	reg.range.start = (uintptr_t)page;
	reg.range.len = 4096;
	CHECK(ioctl(uffd, UFFDIO_REGISTER, &reg) == 0);
	write_protect(page, true);

	CHECK(pthread_create(&a, NULL, opener, NULL) == 0);
	pfd.fd = uffd;
	CHECK(poll(&pfd, 1, 10000) == 1);
	CHECK(read(uffd, &msg, sizeof(msg)) == sizeof(msg));
	CHECK(msg.event == UFFD_EVENT_PAGEFAULT);
	CHECK(msg.arg.pagefault.flags & UFFD_PAGEFAULT_FLAG_WP);

	CHECK(pthread_create(&b, NULL, creator, NULL) == 0);
	deadline = gnow_ns() + 2000 * 1000000ULL;
	while (!__atomic_load_n(&b_done, __ATOMIC_ACQUIRE) &&
	       gnow_ns() < deadline)
		gsleep_ms(5);
	b_in_time = __atomic_load_n(&b_done, __ATOMIC_ACQUIRE);
	/* Resolve the fault either way, so that the test ends. */
	write_protect(page, false);
	pthread_join(a, NULL);
	pthread_join(b, NULL);
	CHECK(b_in_time);
	CHECK_EQ(open_result, 0);
	CHECK(genclave_adopt_fd(&opened, open_args->fd) == 0);
	CHECK_EQ(opened.id, e.id);
	genclave_close(&opened);
	CHECK(genclave_destroy(&e) == 0);
	test_pass("uffd_copyout");
}
