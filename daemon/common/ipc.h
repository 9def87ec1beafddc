/* SPDX-License-Identifier: GPL-2.0 */
/*
 * JSON lines over unix stream sockets: how ghostctl talks to ghostd and
 * ghostd to each ghost-agent. Each message is one JSON object on one line;
 * every request gets exactly one reply, an object whose "ok" is true (with
 * fields) or false (with "error", one line for a human). proto.h names the
 * commands and fields.
 */
#ifndef GHOST_COMMON_IPC_H
#define GHOST_COMMON_IPC_H

#include <jansson.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/types.h>

/* The longest message accepted, newline included. */
#define IPC_MAX_LINE	(1U << 20)

/* One end of a connection and what has been read of its next line. */
struct ipc_conn {
	int fd;
	char *buf;
	size_t len;
	size_t cap;
};

/*
 * Listen on @path (a stale socket there is replaced) with permissions
 * @mode and group @gid (-1: leave it). Returns the listening fd
 * (O_CLOEXEC, non-blocking) or -1 with errno.
 */
int ipc_listen(const char *path, mode_t mode, gid_t gid);
/* Accept one client of @listen_fd into @conn; -1 with errno if none. */
int ipc_accept(int listen_fd, struct ipc_conn *conn);
/* Connect @conn to the socket at @path; -1 with errno. */
int ipc_connect(const char *path, struct ipc_conn *conn);
void ipc_close(struct ipc_conn *conn);

/* Send @msg as one line; 0 or -1 with errno. Does not steal @msg. */
int ipc_send(struct ipc_conn *conn, json_t *msg);

/*
 * Receive the next message into @msg (a new reference). Waits up to
 * @timeout_ms (-1: forever, 0: only what has arrived). Returns 1 for a
 * message, 0 if none arrived in time, -1 on end of stream or error, with
 * the reason in @why (EOF, a line too long, not a JSON object, ...).
 */
int ipc_recv(struct ipc_conn *conn, json_t **msg, int timeout_ms, char *why,
	     size_t len);

/*
 * Connect to @path, send @request, wait up to @timeout_ms for the reply
 * and close. Returns 0 with @reply set (whatever its "ok"), or -1 with
 * @why saying what failed (cannot connect: is ghostd running?, ...).
 */
int ipc_request(const char *path, json_t *request, json_t **reply,
		int timeout_ms, char *why, size_t len);

/* {"ok": true} */
json_t *ipc_reply_ok(void);
/* {"ok": false, "error": "..."} */
json_t *ipc_reply_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Who is at the other end of @conn; -1 with errno. */
int ipc_peer(const struct ipc_conn *conn, struct ucred *cred);

#endif /* GHOST_COMMON_IPC_H */
