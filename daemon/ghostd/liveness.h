/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The liveness pipe: how agents learn that no supervisor will come back.
 * The supervisor holds both ends and hands the read end to every agent it
 * spawns; nothing is ever written. Under systemd both ends also sit in the
 * fd store, so they outlive a supervisor that systemd restarts, and a new
 * supervisor takes them back. Once every write end is closed (the
 * supervisor is gone and systemd flushed its fd store, or there was no
 * systemd), each agent sees POLLHUP on its read end, destroys its enclave
 * and exits.
 */
#ifndef GHOSTD_LIVENESS_H
#define GHOSTD_LIVENESS_H

#include <stdbool.h>
#include <stddef.h>

/* Take the pipe back from systemd, or make a new one and store it. */
int liveness_init(char *why, size_t len);
void liveness_fini(void);

/* The read end, for agents (close-on-exec: spawning clears it in the child). */
int liveness_read_fd(void);

/* Whether the pipe outlives this process (systemd's fd store holds it). */
bool liveness_outlives_us(void);

#endif /* GHOSTD_LIVENESS_H */
