// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/ghost: the module's entry point for user space.
 */
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/uaccess.h>

#include "ghost.h"

static long ghost_ioctl_version(void __user *arg)
{
	struct ghost_version version = {
		.abi_version	= GHOST_ABI_VERSION,
		.abi_floor	= GHOST_ABI_FLOOR,
	};

	return copy_to_user(arg, &version, sizeof(version)) ? -EFAULT : 0;
}

static long ghost_dev_ioctl(struct file *file, unsigned int cmd,
			    unsigned long arg)
{
	switch (cmd) {
	case GHOST_IOC_VERSION:
		return ghost_ioctl_version((void __user *)arg);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations ghost_dev_fops = {
	.owner		= THIS_MODULE,
	.unlocked_ioctl	= ghost_dev_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.llseek		= noop_llseek,
};

static struct miscdevice ghost_miscdev = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "ghost",
	.fops	= &ghost_dev_fops,
	.mode	= 0666,
};

int ghost_chardev_init(void)
{
	return misc_register(&ghost_miscdev);
}

void ghost_chardev_exit(void)
{
	misc_deregister(&ghost_miscdev);
}
