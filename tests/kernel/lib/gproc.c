// SPDX-License-Identifier: GPL-2.0
/*
 * Agents in a child process: see gproc.h.
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gproc.h"

#define GPROC_START	'S'
#define GPROC_STOP	'Q'
#define GPROC_MAX_FDS	64

/* Every pipe end the parent holds, which its other children must close. */
static int gproc_parent_fds[GPROC_MAX_FDS];
static int gproc_nr_parent_fds;

static bool read_all(int fd, void *buf, size_t len)
{
	char *p = buf;

	while (len) {
		ssize_t n = read(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		p += n;
		len -= n;
	}
	return true;
}

static bool write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		p += n;
		len -= n;
	}
	return true;
}

/* A command that never comes (the parent died) means stop, too. */
static char gproc_wait_command(int commands)
{
	char cmd;

	return read_all(commands, &cmd, 1) ? cmd : GPROC_STOP;
}

static void gproc_child(int commands, int reports, uint64_t enclave_id,
			const struct gsched_config *config)
{
	struct gsched_counters counters;
	struct genclave e;
	struct gsched *s;

	for (int i = 0; i < gproc_nr_parent_fds; i++)
		close(gproc_parent_fds[i]);
	if (gproc_wait_command(commands) != GPROC_START)
		_exit(0);
	if (genclave_open(&e, enclave_id) || gsched_start(&s, &e, config)) {
		perror("gproc: starting the agents");
		_exit(1);
	}
	gsched_counters(s, &counters);
	write_all(reports, &counters, sizeof(counters));
	gproc_wait_command(commands);
	gsched_stop(s, &counters);
	write_all(reports, &counters, sizeof(counters));
	genclave_close(&e);
	_exit(0);
}

static void gproc_remember(int fd)
{
	if (gproc_nr_parent_fds < GPROC_MAX_FDS)
		gproc_parent_fds[gproc_nr_parent_fds++] = fd;
}

static void gproc_forget(int fd)
{
	for (int i = 0; i < gproc_nr_parent_fds; i++)
		if (gproc_parent_fds[i] == fd)
			gproc_parent_fds[i--] =
				gproc_parent_fds[--gproc_nr_parent_fds];
	close(fd);
}

int gproc_fork(struct gproc *p, uint64_t enclave_id,
	       const struct gsched_config *config)
{
	int commands[2], reports[2];

	if (pipe(commands) || pipe(reports))
		return -1;
	/* Else the child would print what the parent has buffered, too. */
	fflush(NULL);
	p->pid = fork();
	if (p->pid < 0)
		return -1;
	if (!p->pid) {
		close(commands[1]);
		close(reports[0]);
		gproc_child(commands[0], reports[1], enclave_id, config);
	}
	close(commands[0]);
	close(reports[1]);
	p->commands = commands[1];
	p->reports = reports[0];
	gproc_remember(p->commands);
	gproc_remember(p->reports);
	return 0;
}

static int gproc_command(struct gproc *p, char cmd,
			 struct gsched_counters *report)
{
	if (!write_all(p->commands, &cmd, 1) ||
	    !read_all(p->reports, report, sizeof(*report))) {
		errno = EPIPE;
		return -1;
	}
	return 0;
}

/* Returns once the child's agents are all attached. */
int gproc_start(struct gproc *p, struct gsched_counters *report)
{
	return gproc_command(p, GPROC_START, report);
}

static int gproc_reap(struct gproc *p)
{
	int status;

	gproc_forget(p->commands);
	gproc_forget(p->reports);
	if (waitpid(p->pid, &status, 0) != p->pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* Returns the child's exit status once it has released its CPUs. */
int gproc_stop(struct gproc *p, struct gsched_counters *report)
{
	if (gproc_command(p, GPROC_STOP, report))
		return -1;
	return gproc_reap(p);
}

int gproc_kill(struct gproc *p)
{
	if (kill(p->pid, SIGKILL))
		return -1;
	return gproc_reap(p) == 128 + SIGKILL ? 0 : -1;
}
