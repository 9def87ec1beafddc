// SPDX-License-Identifier: GPL-2.0
/*
 * ghost.ko: the SCHED_GHOST policy behind the kernel's ghost hook patch.
 */
#include <linux/module.h>
#include <linux/workqueue.h>

#include "ghost.h"

/* Watchdogs, evictions and netlink events run here; flushed before unload. */
struct workqueue_struct *ghost_wq;

static int __init ghost_init(void)
{
	int ret;

	ghost_wq = alloc_workqueue("ghost", WQ_UNBOUND, 0);
	if (!ghost_wq)
		return -ENOMEM;

	ret = ghost_netlink_init();
	if (ret)
		goto err_destroy_wq;

	ret = ghost_class_init();
	if (ret)
		goto err_netlink_exit;

	ret = ghost_hotplug_init();
	if (ret)
		goto err_class_exit;

	ret = ghost_chardev_init();
	if (ret)
		goto err_hotplug_exit;

	pr_info("ABI %u (floor %u) ready\n", GHOST_ABI_VERSION, GHOST_ABI_FLOOR);
	return 0;

err_hotplug_exit:
	ghost_hotplug_exit();
err_class_exit:
	ghost_class_exit();
err_netlink_exit:
	ghost_netlink_exit();
err_destroy_wq:
	destroy_workqueue(ghost_wq);
	return ret;
}

/*
 * Live enclaves pin the module, so none is left and no callback comes
 * once the class ops are gone. Finish the work queued before, wait for
 * the RCU frees of tasks and queues, then for the enclave frees those may
 * have queued.
 */
static void __exit ghost_exit(void)
{
	ghost_chardev_exit();
	ghost_hotplug_exit();
	ghost_class_exit();
	ghost_agents_exit();
	ghost_tasks_exit();
	ghost_netlink_exit();
	rcu_barrier();
	destroy_workqueue(ghost_wq);
}

module_init(ghost_init);
module_exit(ghost_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("ghost developers");
MODULE_DESCRIPTION("SCHED_GHOST: Linux scheduling delegated to user space");
MODULE_VERSION(GHOST_VERSION);
