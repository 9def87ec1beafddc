// SPDX-License-Identifier: GPL-2.0
/*
 * The runtime directory: see rundir.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/proto.h"
#include "rundir.h"

#define RUNDIR_PID_FILE		PROTO_RUN_DIR "/ghostd.pid"

static int pid_fd = -1;

static int make_dir(const char *path, mode_t mode, char *why, size_t len)
{
	if (mkdir(path, mode) && errno != EEXIST) {
		snprintf(why, len, "%s: %s", path, strerror(errno));
		return -1;
	}
	/* An existing directory may have been made by someone else, looser. */
	if (chmod(path, mode)) {
		snprintf(why, len, "%s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

int rundir_init(char *why, size_t len)
{
	char holder[32] = "";
	ssize_t n;

	if (make_dir(PROTO_RUN_DIR, 0755, why, len) ||
	    make_dir(PROTO_AGENT_SOCKET_DIR, 0700, why, len))
		return -1;
	pid_fd = open(RUNDIR_PID_FILE, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (pid_fd < 0) {
		snprintf(why, len, "%s: %s", RUNDIR_PID_FILE, strerror(errno));
		return -1;
	}
	if (flock(pid_fd, LOCK_EX | LOCK_NB)) {
		n = read(pid_fd, holder, sizeof(holder) - 1);
		holder[n > 0 ? n : 0] = '\0';
		holder[strcspn(holder, "\n")] = '\0';
		snprintf(why, len, "another ghostd runs (pid %s, holding %s)",
			 holder[0] ? holder : "?", RUNDIR_PID_FILE);
		close(pid_fd);
		pid_fd = -1;
		return -1;
	}
	if (ftruncate(pid_fd, 0) || dprintf(pid_fd, "%d\n", (int)getpid()) < 0) {
		snprintf(why, len, "%s: %s", RUNDIR_PID_FILE, strerror(errno));
		rundir_fini();
		return -1;
	}
	return 0;
}

void rundir_fini(void)
{
	if (pid_fd < 0)
		return;
	unlink(RUNDIR_PID_FILE);
	close(pid_fd);
	pid_fd = -1;
}
