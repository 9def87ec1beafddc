/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The enclave backend on ghost.ko: /dev/ghost's ioctls and the shared
 * regions of <linux/ghost.h>, ABI 4 or later (enclave names, PING,
 * SET_CPUS). Operations that act on "the calling agent" act on the calling
 * thread, as the kernel does.
 */
#ifndef GHOST_RUNTIME_KERNEL_BACKEND_H
#define GHOST_RUNTIME_KERNEL_BACKEND_H

#include <stddef.h>

#include "backend.h"

/* The oldest module ABI with everything this backend uses. */
#define KERNEL_BACKEND_MIN_ABI	4

/*
 * Open the live enclave called @name and map its regions. Returns 0 with
 * *@be set (free it with (*be)->ops->close), or -1 with why in @why.
 */
int kernel_backend_open(const char *name, struct backend **be, char *why,
			size_t len);

#endif /* GHOST_RUNTIME_KERNEL_BACKEND_H */
