/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Whether this build can talk to the running ghost.ko: the module serves
 * clients built against ABI versions in [abi_floor, abi_version].
 */
#ifndef GHOST_DAEMON_ABI_H
#define GHOST_DAEMON_ABI_H

#include <stdbool.h>
#include <stddef.h>

#include <linux/ghost.h>

/* True if a module reporting @kernel serves this build's GHOST_ABI_VERSION. */
bool abi_compatible(const struct ghost_version *kernel);

/*
 * Query the module through the open /dev/ghost @fd. Returns 0 if it serves
 * this build, else -1 with a sentence saying why in @why.
 */
int abi_check(int fd, char *why, size_t len);

#endif /* GHOST_DAEMON_ABI_H */
