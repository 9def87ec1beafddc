// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/ghost, and what every ioctl shares: arguments cross into the kernel
 * with the size the request encodes, so that shorter (older) and longer
 * (newer, zero-extended) structs both work; new fds are handed out only
 * once the caller has them; shared regions are charged to the caller's
 * memory cgroup.
 */
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include "ghost.h"

int ghost_copy_arg_in(void *karg, size_t ksize, unsigned int cmd,
		      unsigned long arg)
{
	return copy_struct_from_user(karg, ksize, (void __user *)arg,
				     _IOC_SIZE(cmd));
}

/* Copy out what the caller's struct has room for; zero what we lack. */
int ghost_copy_arg_out(unsigned int cmd, unsigned long arg, const void *karg,
		       size_t ksize)
{
	size_t usize = _IOC_SIZE(cmd);
	void __user *uarg = (void __user *)arg;

	if (copy_to_user(uarg, karg, min(usize, ksize)))
		return -EFAULT;
	if (usize > ksize && clear_user(uarg + ksize, usize - ksize))
		return -EFAULT;
	return 0;
}

/*
 * Give the caller an fd for @file, writing its number into @fd_out of the
 * argument @karg, which goes back to user space first: if that fails the
 * fd is never installed (and @file is released), so nothing leaks.
 */
int ghost_install_fd(struct file *file, s32 *fd_out, const void *karg,
		     size_t ksize, unsigned int cmd, unsigned long uarg)
{
	int fd = get_unused_fd_flags(O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		fput(file);
		return fd;
	}
	*fd_out = fd;
	if (ghost_copy_arg_out(cmd, uarg, karg, ksize)) {
		put_unused_fd(fd);
		fput(file);
		return -EFAULT;
	}
	fd_install(fd, file);
	return 0;
}

/* Zeroed memory that user space will map, charged to the caller's cgroup. */
void *ghost_alloc_shared(size_t size)
{
	return __vmalloc(PAGE_ALIGN(size), GFP_KERNEL_ACCOUNT | __GFP_ZERO);
}

/* Map the first pages of @mem (from ghost_alloc_shared(), @size bytes). */
int ghost_map_shared(struct vm_area_struct *vma, void *mem, size_t size)
{
	unsigned long len = vma->vm_end - vma->vm_start, off;
	int ret;

	if (len > PAGE_ALIGN(size))
		return -EINVAL;
	for (off = 0; off < len; off += PAGE_SIZE) {
		ret = vm_insert_page(vma, vma->vm_start + off,
				     vmalloc_to_page(mem + off));
		if (ret)
			return ret;
	}
	vma->vm_flags |= VM_DONTEXPAND | VM_DONTDUMP;
	return 0;
}

#define GHOST_MAX_CPUSET_BYTES	1024

/* Read a cpu_set_t-style bitmap; CPUs the kernel does not have are EINVAL. */
int ghost_read_cpumask(struct cpumask *mask, u64 uptr, u32 size)
{
	u8 *bytes;
	u32 i;
	int ret = 0;

	if (!size || size > GHOST_MAX_CPUSET_BYTES)
		return -EINVAL;
	bytes = memdup_user(u64_to_user_ptr(uptr), size);
	if (IS_ERR(bytes))
		return PTR_ERR(bytes);
	cpumask_clear(mask);
	for (i = 0; i < size * 8; i++) {
		if (!(bytes[i / 8] & (1U << (i % 8))))
			continue;
		if (i >= nr_cpu_ids) {
			ret = -EINVAL;
			break;
		}
		cpumask_set_cpu(i, mask);
	}
	kfree(bytes);
	return ret;
}

static long ghost_dev_ioctl(struct file *file, unsigned int cmd,
			    unsigned long arg)
{
	union {
		struct ghost_version version;
		struct ghost_enclave_create create;
		struct ghost_enclave_open open;
	} a;
	int ret;

	if (_IOC_TYPE(cmd) != GHOST_IOC_MAGIC)
		return -ENOTTY;
	memset(&a, 0, sizeof(a));
	switch (_IOC_NR(cmd)) {
	case _IOC_NR(GHOST_IOC_VERSION):
		a.version.abi_version = GHOST_ABI_VERSION;
		a.version.abi_floor = GHOST_ABI_FLOOR;
		return ghost_copy_arg_out(cmd, arg, &a.version, sizeof(a.version));
	case _IOC_NR(GHOST_IOC_CREATE_ENCLAVE):
		ret = ghost_copy_arg_in(&a.create, sizeof(a.create), cmd, arg);
		return ret ?: ghost_enclave_create(&a.create, cmd, arg);
	case _IOC_NR(GHOST_IOC_OPEN_ENCLAVE):
		ret = ghost_copy_arg_in(&a.open, sizeof(a.open), cmd, arg);
		return ret ?: ghost_enclave_open(&a.open, cmd, arg);
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
