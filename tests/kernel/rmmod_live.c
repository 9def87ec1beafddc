// SPDX-License-Identifier: GPL-2.0
/*
 * Proves: ghost.ko stays loaded while an enclave lives, and only then.
 * Unloading it (delete_module(2), as rmmod does) fails with EWOULDBLOCK
 * or EBUSY while an enclave exists, whether its fd is open or closed;
 * once the enclave, reopened by id, is destroyed and every fd is closed,
 * the unload succeeds. The test then loads /lib/modules/ghost.ko again
 * (finit_module(2)) and /dev/ghost answers, so that the harness's own
 * rmmod at the end still works.
 */
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "gagent.h"
#include "test.h"

#define MODULE_NAME	"ghost"
#define MODULE_PATH	"/lib/modules/ghost.ko"

static int unload(void)
{
	return syscall(SYS_delete_module, MODULE_NAME, O_NONBLOCK);
}

static void check_unload_refused(void)
{
	errno = 0;
	CHECK(unload() == -1);
	CHECK(errno == EWOULDBLOCK || errno == EBUSY);
}

/* The enclave's last references may go a little after the destroy. */
static bool unload_within(int timeout_ms)
{
	uint64_t deadline = gnow_ns() + timeout_ms * 1000000ULL;

	while (unload()) {
		if ((errno != EWOULDBLOCK && errno != EBUSY) ||
		    gnow_ns() > deadline)
			return false;
		gsleep_ms(10);
	}
	return true;
}

static void reload(void)
{
	struct ghost_version version;
	int fd = open(MODULE_PATH, O_RDONLY | O_CLOEXEC);

	CHECK(fd >= 0);
	CHECK(syscall(SYS_finit_module, fd, "", 0) == 0);
	close(fd);
	fd = gdev_open();
	CHECK(fd >= 0);
	CHECK(ioctl(fd, GHOST_IOC_VERSION, &version) == 0);
	close(fd);
}

int main(void)
{
	struct genclave e;
	cpu_set_t cpus;
	uint64_t id;

	gcpus_range(&cpus, GTEST_FIRST_CPU, GTEST_LAST_CPU);
	CHECK(genclave_create(&e, &cpus, 0, 0) == 0);
	CHECK(genclave_destroy_on_failure(&e) == 0);
	id = e.id;
	check_unload_refused();
	genclave_close(&e);
	check_unload_refused();

	CHECK(genclave_open(&e, id) == 0);
	CHECK(genclave_destroy(&e) == 0);
	CHECK(unload_within(5000));
	CHECK_ERR(access(GHOST_DEVICE_PATH, F_OK), ENOENT);
	reload();
	test_pass("rmmod_live");
}
