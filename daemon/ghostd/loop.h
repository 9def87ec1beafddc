/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The supervisor's event loop: one thread, poll(2) over the fds that
 * modules register, and one-shot timeouts on CLOCK_MONOTONIC. Handlers run
 * to completion; they may add and remove fds and timeouts, their own
 * included.
 */
#ifndef GHOSTD_LOOP_H
#define GHOSTD_LOOP_H

#include <stdint.h>

typedef void loop_fd_fn(int fd, short revents, void *arg);
typedef void loop_timeout_fn(void *arg);

void loop_init(void);
void loop_fini(void);

/* Watch @fd for @events (POLLIN, ...); one handler per fd. */
void loop_add_fd(int fd, short events, loop_fd_fn *fn, void *arg);
void loop_remove_fd(int fd);

/* Call @fn once, @delay_ms from now; returns an id for loop_cancel. */
uint64_t loop_add_timeout(int delay_ms, loop_timeout_fn *fn, void *arg);
/* Cancel a timeout that has not fired; unknown ids are ignored. */
void loop_cancel(uint64_t id);

/* Milliseconds on CLOCK_MONOTONIC. */
int64_t loop_now_ms(void);

/* Dispatch until loop_quit(). */
void loop_run(void);
void loop_quit(void);

#endif /* GHOSTD_LOOP_H */
