// SPDX-License-Identifier: GPL-2.0
/*
 * systemd integration: see service.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>

#include "common/log.h"
#include "common/xalloc.h"
#include "service.h"

static struct {
	char **names;	/* from LISTEN_FDNAMES, one per passed fd */
	int *fds;	/* -1 once taken */
	int nr;
} passed;

/* In a daemon: the pipe to the process waiting for it to be ready. */
static int waiting_fd = -1;

void service_init(void)
{
	char **names = NULL;
	/* Unset LISTEN_*, so that agents we spawn do not see our fds. */
	int n = sd_listen_fds_with_names(1, &names);

	if (n <= 0) {
		free(names);
		return;
	}
	passed.names = names;
	passed.nr = n;
	passed.fds = xcalloc(n, sizeof(*passed.fds));
	for (int i = 0; i < n; i++)
		passed.fds[i] = SD_LISTEN_FDS_START + i;
}

void service_fini(void)
{
	for (int i = 0; i < passed.nr; i++) {
		if (passed.fds[i] >= 0)
			close(passed.fds[i]);
		free(passed.names[i]);
	}
	free(passed.names);
	free(passed.fds);
	memset(&passed, 0, sizeof(passed));
}

/* Tell the waiting process how the start went, once. */
static void tell_waiting(unsigned char status)
{
	if (waiting_fd < 0)
		return;
	if (write(waiting_fd, &status, 1) < 0)
		log_warn("cannot tell the starting process: %s", strerror(errno));
	close(waiting_fd);
	waiting_fd = -1;
}

int service_daemonize(char *why, size_t len)
{
	unsigned char status = EXIT_FAILURE;
	int fds[2], null_fd;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC)) {
		snprintf(why, len, "pipe: %s", strerror(errno));
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		snprintf(why, len, "fork: %s", strerror(errno));
		return -1;
	}
	if (pid > 0) {
		/* The daemon says 0 when ready, or dies (EOF: failure). */
		close(fds[1]);
		if (read(fds[0], &status, 1) != 1)
			status = EXIT_FAILURE;
		waitpid(pid, NULL, 0);
		exit(status);
	}
	close(fds[0]);
	setsid();
	/* Not a session leader: it can never get a controlling terminal. */
	pid = fork();
	if (pid < 0)
		_exit(EXIT_FAILURE);
	if (pid > 0)
		_exit(EXIT_SUCCESS);
	waiting_fd = fds[1];
	if (chdir("/"))
		log_warn("chdir /: %s", strerror(errno));
	null_fd = open("/dev/null", O_RDWR);
	if (null_fd >= 0) {
		dup2(null_fd, STDIN_FILENO);
		dup2(null_fd, STDOUT_FILENO);
		dup2(null_fd, STDERR_FILENO);
		if (null_fd > STDERR_FILENO)
			close(null_fd);
	}
	log_to_syslog();
	return 0;
}

void service_failed(int status)
{
	tell_waiting(status);
}

bool service_managed(void)
{
	return getenv("NOTIFY_SOCKET") != NULL;
}

static void notify(const char *state)
{
	int ret = sd_notify(0, state);

	if (ret < 0)
		log_warn("cannot notify systemd (%s): %s", state, strerror(-ret));
}

void service_ready(void)
{
	notify("READY=1");
	tell_waiting(EXIT_SUCCESS);
}

void service_reloading(void)
{
	notify("RELOADING=1");
}

void service_stopping(void)
{
	notify("STOPPING=1");
}

void service_status(const char *fmt, ...)
{
	char state[256];
	va_list ap;
	int n = snprintf(state, sizeof(state), "STATUS=");

	va_start(ap, fmt);
	vsnprintf(state + n, sizeof(state) - n, fmt, ap);
	va_end(ap);
	notify(state);
}

int service_store_fd(int fd, const char *name)
{
	char state[128];
	int ret;

	if (!service_managed())
		return -1;
	snprintf(state, sizeof(state), "FDSTORE=1\nFDNAME=%s", name);
	ret = sd_pid_notify_with_fds(0, 0, state, &fd, 1);
	if (ret <= 0) {
		log_warn("cannot store %s in systemd's fd store: %s", name,
			 ret < 0 ? strerror(-ret) : "not managed");
		return -1;
	}
	return 0;
}

void service_forget_fd(const char *name)
{
	char state[128];

	if (!service_managed())
		return;
	snprintf(state, sizeof(state), "FDSTOREREMOVE=1\nFDNAME=%s", name);
	notify(state);
}

int service_take_fd(const char *name)
{
	for (int i = 0; i < passed.nr; i++) {
		int fd = passed.fds[i];

		if (fd >= 0 && passed.names[i] && !strcmp(passed.names[i], name)) {
			passed.fds[i] = -1;
			return fd;
		}
	}
	return -1;
}
