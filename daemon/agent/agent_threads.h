/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The runtime's agents as threads of ghost-agent: one per agent the
 * runtime wants, each calling rt_agent_step() in a loop. A step parks in
 * the kernel when the agent has nothing to do; a step that finds no role
 * for its agent (a spare thread of the centralized model, or while
 * agents are quiesced) waits here, on a futex, until the control thread
 * wakes it. Threads start with every signal blocked (a signal would cut a
 * park short) and with small stacks, since ghost-agent locks its memory.
 *
 * Only the control thread calls these.
 */
#ifndef GHOST_AGENT_THREADS_H
#define GHOST_AGENT_THREADS_H

#include <stdbool.h>
#include <stddef.h>

#include "runtime/runtime.h"

struct agent_threads;

/* A thread for every agent @rt wants; -1 with why on failure. */
int agent_threads_start(struct agent_threads **at, struct runtime *rt,
			char *why, size_t len);
/* Start threads for agents wanted since (a prepared change of CPUs). */
int agent_threads_sync(struct agent_threads *at, char *why, size_t len);
/* Wait until every agent has its role, for at most @timeout_ms. */
bool agent_threads_settle(struct agent_threads *at, int timeout_ms);
/* rt_quiesce() and wait for it, for at most @timeout_ms. */
bool agent_threads_quiesce(struct agent_threads *at, int timeout_ms);
/* rt_resume() and wake the threads waiting for it. */
void agent_threads_resume(struct agent_threads *at);
/* rt_stop(), and join every thread. */
void agent_threads_stop(struct agent_threads *at);

#endif /* GHOST_AGENT_THREADS_H */
