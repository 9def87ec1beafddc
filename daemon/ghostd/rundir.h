/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The runtime directory, /run/ghost: the control socket, the agents'
 * sockets (in agents/, root only) and ghostd.pid, which one ghostd at a
 * time holds locked. systemd keeps the directory across restarts
 * (RuntimeDirectoryPreserve=yes), so a restarted ghostd finds the live
 * agents' sockets there.
 */
#ifndef GHOSTD_RUNDIR_H
#define GHOSTD_RUNDIR_H

#include <stddef.h>

/* Make the directories and take the lock; -1 with @why (another ghostd runs). */
int rundir_init(char *why, size_t len);
void rundir_fini(void);

#endif /* GHOSTD_RUNDIR_H */
