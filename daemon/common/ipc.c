// SPDX-License-Identifier: GPL-2.0
/*
 * JSON lines over unix stream sockets: see ipc.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "ipc.h"

static int ipc_address(const char *path, struct sockaddr_un *addr)
{
	memset(addr, 0, sizeof(*addr));
	addr->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(addr->sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(addr->sun_path, path);
	return 0;
}

static void ipc_conn_init(struct ipc_conn *conn, int fd)
{
	memset(conn, 0, sizeof(*conn));
	conn->fd = fd;
}

int ipc_listen(const char *path, mode_t mode, gid_t gid)
{
	struct sockaddr_un addr;
	int fd;

	if (ipc_address(path, &addr))
		return -1;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -1;
	/* A socket left by a dead process would make bind() fail. */
	unlink(path);
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) ||
	    chmod(path, mode) ||
	    (gid != (gid_t)-1 && chown(path, (uid_t)-1, gid)) ||
	    listen(fd, 16)) {
		int saved = errno;

		close(fd);
		unlink(path);
		errno = saved;
		return -1;
	}
	return fd;
}

int ipc_accept(int listen_fd, struct ipc_conn *conn)
{
	int fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);

	if (fd < 0)
		return -1;
	ipc_conn_init(conn, fd);
	return 0;
}

int ipc_connect(const char *path, struct ipc_conn *conn)
{
	struct sockaddr_un addr;
	int fd;

	if (ipc_address(path, &addr))
		return -1;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr))) {
		int saved = errno;

		close(fd);
		errno = saved;
		return -1;
	}
	ipc_conn_init(conn, fd);
	return 0;
}

void ipc_close(struct ipc_conn *conn)
{
	if (conn->fd >= 0)
		close(conn->fd);
	free(conn->buf);
	ipc_conn_init(conn, -1);
}

int ipc_send(struct ipc_conn *conn, json_t *msg)
{
	char *text = json_dumps(msg, JSON_COMPACT);
	size_t len, done = 0;
	int ret = 0;

	if (!text) {
		errno = ENOMEM;
		return -1;
	}
	len = strlen(text);
	text[len] = '\n';	/* json_dumps leaves room: it wrote a NUL there */
	len++;
	while (done < len) {
		ssize_t n = send(conn->fd, text + done, len - done, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN) {
			struct pollfd pfd = { .fd = conn->fd, .events = POLLOUT };

			poll(&pfd, 1, 1000);
			continue;
		}
		if (n < 0) {
			ret = -1;
			break;
		}
		done += n;
	}
	free(text);
	return ret;
}

/* Take the first complete line of @conn's buffer as a message, if any. */
static int ipc_take_line(struct ipc_conn *conn, json_t **msg, char *why,
			 size_t len)
{
	char *nl = memchr(conn->buf, '\n', conn->len);
	json_error_t error;
	size_t line;

	if (!nl)
		return 0;
	line = nl - conn->buf;
	/* One read may bring a whole line longer than the limit. */
	if (line + 1 > IPC_MAX_LINE) {
		snprintf(why, len, "message longer than %u bytes", IPC_MAX_LINE);
		return -1;
	}
	*msg = json_loadb(conn->buf, line, 0, &error);
	memmove(conn->buf, nl + 1, conn->len - line - 1);
	conn->len -= line + 1;
	if (!*msg) {
		snprintf(why, len, "malformed message: %s", error.text);
		return -1;
	}
	if (!json_is_object(*msg)) {
		json_decref(*msg);
		*msg = NULL;
		snprintf(why, len, "malformed message: not a JSON object");
		return -1;
	}
	return 1;
}

static long long ipc_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

int ipc_recv(struct ipc_conn *conn, json_t **msg, int timeout_ms, char *why,
	     size_t len)
{
	long long deadline = timeout_ms > 0 ? ipc_now_ms() + timeout_ms : 0;

	*msg = NULL;
	for (;;) {
		int ret = ipc_take_line(conn, msg, why, len), wait_ms;
		struct pollfd pfd = { .fd = conn->fd, .events = POLLIN };
		ssize_t n;

		if (ret)
			return ret;
		if (conn->len >= IPC_MAX_LINE) {
			snprintf(why, len, "message longer than %u bytes",
				 IPC_MAX_LINE);
			return -1;
		}
		if (conn->cap - conn->len < 4096) {
			size_t cap = conn->cap ? conn->cap * 2 : 8192;
			char *buf = realloc(conn->buf, cap);

			if (!buf) {
				snprintf(why, len, "out of memory");
				return -1;
			}
			conn->buf = buf;
			conn->cap = cap;
		}
		wait_ms = timeout_ms < 0 ? -1 : timeout_ms == 0 ? 0 :
			  (int)(deadline - ipc_now_ms());
		if (timeout_ms > 0 && wait_ms <= 0)
			return 0;
		ret = poll(&pfd, 1, wait_ms);
		if (ret < 0 && errno == EINTR)
			continue;
		if (ret < 0) {
			snprintf(why, len, "poll: %s", strerror(errno));
			return -1;
		}
		if (ret == 0)
			return 0;
		n = recv(conn->fd, conn->buf + conn->len, conn->cap - conn->len, 0);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0) {
			snprintf(why, len, "receive: %s", strerror(errno));
			return -1;
		}
		if (n == 0) {
			snprintf(why, len, conn->len ? "connection closed mid-message" :
				 "connection closed");
			return -1;
		}
		conn->len += n;
	}
}

int ipc_request(const char *path, json_t *request, json_t **reply,
		int timeout_ms, char *why, size_t len)
{
	struct ipc_conn conn;
	char reason[256];
	int ret;

	*reply = NULL;
	if (ipc_connect(path, &conn)) {
		snprintf(why, len, "cannot connect to %s: %s", path,
			 strerror(errno));
		return -1;
	}
	if (ipc_send(&conn, request)) {
		snprintf(why, len, "cannot send to %s: %s", path, strerror(errno));
		ipc_close(&conn);
		return -1;
	}
	ret = ipc_recv(&conn, reply, timeout_ms, reason, sizeof(reason));
	ipc_close(&conn);
	if (ret == 1)
		return 0;
	if (ret == 0)
		snprintf(why, len, "no reply from %s within %d ms", path,
			 timeout_ms);
	else
		snprintf(why, len, "no reply from %s: %s", path, reason);
	return -1;
}

json_t *ipc_reply_ok(void)
{
	return json_pack("{s:b}", "ok", 1);
}

json_t *ipc_reply_error(const char *fmt, ...)
{
	char text[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	return json_pack("{s:b, s:s}", "ok", 0, "error", text);
}

int ipc_peer(const struct ipc_conn *conn, struct ucred *cred)
{
	socklen_t len = sizeof(*cred);

	return getsockopt(conn->fd, SOL_SOCKET, SO_PEERCRED, cred, &len);
}
