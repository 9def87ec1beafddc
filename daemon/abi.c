// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "abi.h"

bool abi_compatible(const struct ghost_version *kernel)
{
	return kernel->abi_floor <= kernel->abi_version &&
	       kernel->abi_floor <= GHOST_ABI_VERSION;
}

int abi_check(int fd, char *why, size_t len)
{
	struct ghost_version kernel;

	if (ioctl(fd, GHOST_IOC_VERSION, &kernel)) {
		snprintf(why, len, "cannot read the ghost ABI version: %s",
			 strerror(errno));
		return -1;
	}
	if (!abi_compatible(&kernel)) {
		snprintf(why, len,
			 "ghost.ko serves ABI %u..%u but this build speaks %u",
			 kernel.abi_floor, kernel.abi_version, GHOST_ABI_VERSION);
		return -1;
	}
	return 0;
}
