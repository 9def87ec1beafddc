/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ghost-agent's control socket, on which the supervisor asks (proto.h):
 * status, swap {plugin, params}, set_cpus {cpus}, stop {destroy}. Each
 * request gets one reply: {"ok": true, ...} or {"ok": false, "error":
 * "one line"}. A swap or a change of CPUs is made before its reply:
 * prepared while the old policy runs (a failure leaves it untouched),
 * then applied between quiescing and resuming the agents.
 */
#ifndef GHOST_AGENT_CONTROL_H
#define GHOST_AGENT_CONTROL_H

#include <poll.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/ipc.h"
#include "runtime/runtime.h"

#include "agent_threads.h"

#define CONTROL_MAX_CLIENTS	8

struct control {
	struct runtime *rt;
	struct agent_threads *threads;
	int listen_fd;
	struct ipc_conn clients[CONTROL_MAX_CLIENTS];
	int64_t last_change_at;		/* CLOCK_REALTIME, seconds */
	bool heard_from;		/* a request arrived since last asked */
	pid_t heard_from_pid;		/* the process that sent the last one */
	bool stop_requested;
	bool destroy_requested;
};

/* Nothing open yet: control_close() may follow at once. */
void control_init(struct control *ctl);
/* Listen on @path (0600). Returns 0, or -1 with why. */
int control_open(struct control *ctl, const char *path, struct runtime *rt,
		 struct agent_threads *threads, char *why, size_t len);
void control_close(struct control *ctl, const char *path);

/* The fds to poll (at most @max); returns how many it filled. */
unsigned int control_pollfds(const struct control *ctl, struct pollfd *fds,
			     unsigned int max);
/* Accept and answer what poll found ready among those fds. */
void control_serve(struct control *ctl, const struct pollfd *fds,
		   unsigned int nr);

/* The reply to one request (a new reference). */
json_t *control_handle(struct control *ctl, const json_t *request);

#endif /* GHOST_AGENT_CONTROL_H */
