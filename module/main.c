// SPDX-License-Identifier: GPL-2.0
/*
 * ghost.ko: the SCHED_GHOST policy behind the kernel's ghost hook patch.
 */
#include <linux/module.h>

#include "ghost.h"

static int __init ghost_init(void)
{
	int ret;

	ret = ghost_class_init();
	if (ret)
		return ret;

	ret = ghost_chardev_init();
	if (ret)
		goto err_class_exit;

	pr_info("ABI %u (floor %u) ready\n", GHOST_ABI_VERSION, GHOST_ABI_FLOOR);
	return 0;

err_class_exit:
	ghost_class_exit();
	return ret;
}

static void __exit ghost_exit(void)
{
	ghost_chardev_exit();
	ghost_class_exit();
}

module_init(ghost_init);
module_exit(ghost_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("ghost developers");
MODULE_DESCRIPTION("SCHED_GHOST: Linux scheduling delegated to user space");
MODULE_VERSION(GHOST_VERSION);
