// SPDX-License-Identifier: GPL-2.0
/*
 * The liveness pipe: see liveness.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"
#include "liveness.h"
#include "service.h"

#define LIVENESS_READ_NAME	"liveness-read"
#define LIVENESS_WRITE_NAME	"liveness-write"

static int pipe_fds[2] = { -1, -1 };
static bool stored;

int liveness_init(char *why, size_t len)
{
	int read_fd = service_take_fd(LIVENESS_READ_NAME);
	int write_fd = service_take_fd(LIVENESS_WRITE_NAME);

	if (read_fd >= 0 && write_fd >= 0) {
		log_info("liveness pipe kept by systemd across the restart");
		pipe_fds[0] = read_fd;
		pipe_fds[1] = write_fd;
		stored = true;
		return 0;
	}
	/* Half a pipe is no use: start afresh, and drop it from the store. */
	if (read_fd >= 0 || write_fd >= 0) {
		log_warn("systemd kept only one end of the liveness pipe; making a new one");
		if (read_fd >= 0)
			close(read_fd);
		if (write_fd >= 0)
			close(write_fd);
		service_forget_fd(LIVENESS_READ_NAME);
		service_forget_fd(LIVENESS_WRITE_NAME);
	}
	if (pipe2(pipe_fds, O_CLOEXEC)) {
		snprintf(why, len, "liveness pipe: %s", strerror(errno));
		return -1;
	}
	if (!service_managed())
		return 0;
	stored = service_store_fd(pipe_fds[0], LIVENESS_READ_NAME) == 0 &&
		 service_store_fd(pipe_fds[1], LIVENESS_WRITE_NAME) == 0;
	if (!stored)
		log_warn("without the fd store, a restart of ghostd returns every task to CFS");
	return 0;
}

void liveness_fini(void)
{
	for (int i = 0; i < 2; i++) {
		if (pipe_fds[i] >= 0)
			close(pipe_fds[i]);
		pipe_fds[i] = -1;
	}
}

int liveness_read_fd(void)
{
	return pipe_fds[0];
}

bool liveness_outlives_us(void)
{
	return stored;
}
