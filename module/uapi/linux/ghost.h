/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * ghost: Linux scheduling delegated to user space.
 *
 * This header is the whole contract between ghost.ko and its users (ghostd,
 * policies, tests). Everything here is documented here; nothing outside it
 * may be relied on.
 *
 * Overview
 * ========
 * A kernel carrying the ghost hook patch has a scheduling policy,
 * SCHED_GHOST (18), whose tasks run below CFS and only where a user-space
 * agent puts them. ghost.ko implements it and is driven through the
 * character device /dev/ghost.
 *
 * Versions
 * ========
 * GHOST_ABI_VERSION grows by one whenever this header grows, and it grows
 * only by appending: new ioctls, new fields at the end of a struct, new
 * flag bits, message types and states. The module serves every client
 * built against a version in [abi_floor, abi_version] (GHOST_IOC_VERSION);
 * the floor moves only when an old layout stops being served. A client
 * built against version C works with a module reporting (V, F) if F <= C;
 * if C > V it must not use what versions V+1..C added.
 *
 * /dev/ghost
 * ==========
 * Any user may open /dev/ghost. Its ioctls:
 *
 * GHOST_IOC_VERSION (struct ghost_version, out)
 *	The module's ABI version and compatibility floor. EFAULT for a bad
 *	pointer; ENOTTY for a request the module does not know.
 *
 * Entering SCHED_GHOST
 * ====================
 * sched_setscheduler(2) and sched_setattr(2) to SCHED_GHOST fail with
 * ENXIO while ghost.ko is loaded: tasks will enter only through an enclave.
 * Without ghost.ko the kernel fails them with ENODEV.
 */
#ifndef _UAPI_LINUX_GHOST_H
#define _UAPI_LINUX_GHOST_H

#include <linux/ioctl.h>
#include <linux/types.h>

#ifndef SCHED_GHOST
#define SCHED_GHOST			18
#endif

#define GHOST_ABI_VERSION		1
#define GHOST_ABI_FLOOR			1

#define GHOST_DEVICE_PATH		"/dev/ghost"

struct ghost_version {
	__u32 abi_version;
	__u32 abi_floor;
};

#define GHOST_IOC_MAGIC			'g'
#define GHOST_IOC_VERSION		_IOR(GHOST_IOC_MAGIC, 0x00, struct ghost_version)

#endif /* _UAPI_LINUX_GHOST_H */
