// SPDX-License-Identifier: GPL-2.0
/*
 * Proves: with ghost.ko loaded, a thread cannot make itself SCHED_GHOST
 * without an enclave. sched_setscheduler() and sched_setattr() fail with
 * ENXIO, the thread keeps its policy, and /dev/ghost answers the version
 * ioctl with the ABI this program was built against.
 */
#include <fcntl.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/ghost.h>

#include "test.h"

int main(void)
{
	struct sched_param param = { .sched_priority = 0 };
	struct test_sched_attr attr = { .size = sizeof(attr), .sched_policy = SCHED_GHOST };
	struct ghost_version version;
	int fd;

	CHECK_ERR(sched_setscheduler(0, SCHED_GHOST, &param), ENXIO);
	CHECK_ERR(syscall(SYS_sched_setattr, 0, &attr, 0), ENXIO);
	CHECK(sched_getscheduler(0) == SCHED_OTHER);

	fd = open(GHOST_DEVICE_PATH, O_RDWR);
	CHECK(fd >= 0);
	CHECK(ioctl(fd, GHOST_IOC_VERSION, &version) == 0);
	CHECK(version.abi_floor <= GHOST_ABI_VERSION);
	CHECK(version.abi_version >= version.abi_floor);
	CHECK_ERR(ioctl(fd, GHOST_IOC_VERSION, NULL), EFAULT);
	CHECK_ERR(ioctl(fd, _IO(GHOST_IOC_MAGIC, 0x7f), 0), ENOTTY);
	close(fd);

	test_pass("enter_without_enclave");
}
