/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Agents in a child process, for the tests that kill or replace them.
 *
 * gproc_fork() forks the child at once, while the caller is still
 * single-threaded, and the child waits. gproc_start() makes it open the
 * enclave by id and start a gsched (gsched.h); gproc_stop() stops that
 * gracefully (GHOST_IOC_AGENT_RELEASE) and gproc_kill() kills the child
 * with SIGKILL. The child reports its counters once started and once
 * stopped. If the parent dies, the children stop.
 */
#ifndef GHOST_TEST_GPROC_H
#define GHOST_TEST_GPROC_H

#include <stdint.h>
#include <sys/types.h>

#include "gsched.h"

struct gproc {
	pid_t pid;
	int commands;		/* to the child */
	int reports;		/* from the child */
};

int gproc_fork(struct gproc *p, uint64_t enclave_id,
	       const struct gsched_config *config);
int gproc_start(struct gproc *p, struct gsched_counters *report);
int gproc_stop(struct gproc *p, struct gsched_counters *report);
int gproc_kill(struct gproc *p);

#endif /* GHOST_TEST_GPROC_H */
