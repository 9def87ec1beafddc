// SPDX-License-Identifier: GPL-2.0
/* vm-args: --no-module */
/*
 * Proves: the hook patch alone changes nothing visible. Without ghost.ko,
 * SCHED_GHOST is refused with ENODEV, /dev/ghost does not exist, and
 * ordinary policy changes still work.
 */
#include <sched.h>
#include <unistd.h>

#include <linux/ghost.h>

#include "test.h"

int main(void)
{
	struct sched_param param = { .sched_priority = 0 };

	CHECK_ERR(sched_setscheduler(0, SCHED_GHOST, &param), ENODEV);
	CHECK(sched_getscheduler(0) == SCHED_OTHER);
	CHECK_ERR(access(GHOST_DEVICE_PATH, F_OK), ENOENT);
	CHECK(sched_setscheduler(0, SCHED_BATCH, &param) == 0);
	CHECK(sched_getscheduler(0) == SCHED_BATCH);

	test_pass("enter_without_module");
}
