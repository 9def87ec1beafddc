/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One ghost-agent process, as the supervisor sees it: spawning it (or
 * reconnecting to a live one after the supervisor restarted), knowing when
 * it answers on its control socket, asking it things, stopping it, and
 * noticing when it exits. Exits are seen through a pidfd, which works
 * alike for children and for agents a previous supervisor spawned. What
 * to do about an exit (restart, give up) is the caller's: see
 * supervisor.h.
 */
#ifndef GHOSTD_AGENT_H
#define GHOSTD_AGENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/un.h>

#include <jansson.h>
#include <linux/ghost.h>

#include "common/log.h"

/* How long an agent may take to answer on its socket after it starts. */
#define AGENT_START_TIMEOUT_MS		10000
/* How long a request may take (a swap includes loading the plugin). */
#define AGENT_REQUEST_TIMEOUT_MS	10000
/* How long a stopped agent may take to exit before it is killed. */
#define AGENT_STOP_TIMEOUT_MS		5000

enum agent_state {
	AGENT_ABSENT,		/* no process */
	AGENT_STARTING,		/* spawned; its socket does not answer yet */
	AGENT_RUNNING,		/* answers on its socket */
};

struct agent;
typedef void agent_ready_fn(struct agent *agent, void *arg);
/* @how says how it ended ("killed by signal 9", ...). */
typedef void agent_exit_fn(struct agent *agent, const char *how, void *arg);

struct agent {
	char enclave[GHOST_NAME_MAX];
	char socket_path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	enum agent_state state;
	pid_t pid;
	int pidfd;
	bool child;		/* ours to reap */
	int64_t started_ms;
	uint64_t probe_timeout;	/* loop timeout id while STARTING */
	agent_ready_fn *on_ready;
	agent_exit_fn *on_exit;
	void *arg;
};

/* What a new agent process is told (its command line). */
struct agent_launch {
	const char *program;
	const char *plugin;
	json_t *params;
	const char *plugin_dir;
	int liveness_fd;
	unsigned liveness_grace_ms;	/* 0: end the enclave when the pipe ends */
	bool adopt;		/* take over a live enclave */
	enum log_level log_level;
};

/*
 * Set up @agent for enclave @enclave; @on_ready and @on_exit are called
 * from the event loop with @arg. @agent must not move in memory while a
 * process is attached: the loop holds pointers to it.
 */
void agent_init(struct agent *agent, const char *enclave,
		agent_ready_fn *on_ready, agent_exit_fn *on_exit, void *arg);

/* Start a process: STARTING, then on_ready once it answers, or on_exit. */
int agent_spawn(struct agent *agent, const struct agent_launch *launch,
		char *why, size_t len);

/*
 * Reconnect to a live agent process of this enclave (a previous supervisor
 * spawned it): RUNNING if one answers on its socket, else -1 and ABSENT.
 */
int agent_attach(struct agent *agent);

/*
 * Send @request and wait for the reply. Returns 0 with @reply (a new
 * reference) if the agent answered "ok": true; else -1 with @why: the
 * agent's own error, or why it did not answer.
 */
int agent_request(struct agent *agent, json_t *request, json_t **reply,
		  int timeout_ms, char *why, size_t len);

/*
 * Ask the agent to stop ("stop", destroying the enclave if @destroy), wait
 * for it to exit, killing it if it does not. on_exit is not called. ABSENT
 * afterwards.
 */
void agent_stop(struct agent *agent, bool destroy);

/* Kill it (SIGKILL) and wait; on_exit is not called. ABSENT afterwards. */
void agent_kill(struct agent *agent);

#endif /* GHOSTD_AGENT_H */
