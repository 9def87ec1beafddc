// SPDX-License-Identifier: GPL-2.0
/*
 * The supervisor's event loop: see loop.h. A handful of fds and timeouts
 * at most, so plain arrays scanned in full are the simplest right thing.
 */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/log.h"
#include "common/xalloc.h"
#include "loop.h"

struct fd_handler {
	int fd;
	short events;
	loop_fd_fn *fn;
	void *arg;
};

struct timeout {
	uint64_t id;
	int64_t due_ms;
	loop_timeout_fn *fn;
	void *arg;
};

static struct {
	struct fd_handler *fds;
	size_t nr_fds;
	struct timeout *timeouts;
	size_t nr_timeouts;
	uint64_t next_id;
	bool quit;
} loop;

void loop_init(void)
{
	memset(&loop, 0, sizeof(loop));
	loop.next_id = 1;
}

void loop_fini(void)
{
	free(loop.fds);
	free(loop.timeouts);
	memset(&loop, 0, sizeof(loop));
}

void loop_add_fd(int fd, short events, loop_fd_fn *fn, void *arg)
{
	loop_remove_fd(fd);
	loop.fds = xrealloc(loop.fds, (loop.nr_fds + 1) * sizeof(*loop.fds));
	loop.fds[loop.nr_fds++] = (struct fd_handler){ fd, events, fn, arg };
}

void loop_remove_fd(int fd)
{
	for (size_t i = 0; i < loop.nr_fds; i++) {
		if (loop.fds[i].fd != fd)
			continue;
		memmove(&loop.fds[i], &loop.fds[i + 1],
			(loop.nr_fds - i - 1) * sizeof(*loop.fds));
		loop.nr_fds--;
		return;
	}
}

int64_t loop_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

uint64_t loop_add_timeout(int delay_ms, loop_timeout_fn *fn, void *arg)
{
	loop.timeouts = xrealloc(loop.timeouts, (loop.nr_timeouts + 1) *
				 sizeof(*loop.timeouts));
	loop.timeouts[loop.nr_timeouts++] = (struct timeout){
		loop.next_id, loop_now_ms() + delay_ms, fn, arg
	};
	return loop.next_id++;
}

void loop_cancel(uint64_t id)
{
	for (size_t i = 0; i < loop.nr_timeouts; i++) {
		if (loop.timeouts[i].id != id)
			continue;
		memmove(&loop.timeouts[i], &loop.timeouts[i + 1],
			(loop.nr_timeouts - i - 1) * sizeof(*loop.timeouts));
		loop.nr_timeouts--;
		return;
	}
}

/* Fire one due timeout, if any; true if one fired. */
static bool fire_due_timeout(int64_t now)
{
	for (size_t i = 0; i < loop.nr_timeouts; i++) {
		struct timeout due = loop.timeouts[i];

		if (due.due_ms > now)
			continue;
		loop_cancel(due.id);
		due.fn(due.arg);
		return true;
	}
	return false;
}

static int next_wait_ms(int64_t now)
{
	int64_t wait = -1;

	for (size_t i = 0; i < loop.nr_timeouts; i++) {
		int64_t left = loop.timeouts[i].due_ms - now;

		if (left < 0)
			left = 0;
		if (wait < 0 || left < wait)
			wait = left;
	}
	return wait > 60000 ? 60000 : (int)wait;
}

/* Call the handlers of the fds that are ready. */
static void dispatch_fds(const struct pollfd *ready, size_t nr)
{
	for (size_t i = 0; i < nr; i++) {
		if (!ready[i].revents)
			continue;
		/* An earlier handler may have removed this fd: look it up again. */
		for (size_t j = 0; j < loop.nr_fds; j++) {
			if (loop.fds[j].fd == ready[i].fd) {
				struct fd_handler h = loop.fds[j];

				h.fn(h.fd, ready[i].revents, h.arg);
				break;
			}
		}
	}
}

void loop_run(void)
{
	struct pollfd *ready = NULL;

	loop.quit = false;
	while (!loop.quit) {
		size_t nr = loop.nr_fds;
		int n;

		while (fire_due_timeout(loop_now_ms()) && !loop.quit)
			;
		if (loop.quit)
			break;
		ready = xrealloc(ready, (nr ? nr : 1) * sizeof(*ready));
		for (size_t i = 0; i < nr; i++)
			ready[i] = (struct pollfd){ loop.fds[i].fd, loop.fds[i].events, 0 };
		n = poll(ready, nr, next_wait_ms(loop_now_ms()));
		if (n < 0 && errno != EINTR) {
			log_error("poll: %s", strerror(errno));
			break;
		}
		if (n > 0)
			dispatch_fds(ready, nr);
	}
	free(ready);
}

void loop_quit(void)
{
	loop.quit = true;
}
