/* SPDX-License-Identifier: GPL-2.0 */
/*
 * New processes as the kernel announces them through the process events
 * connector (NETLINK_CONNECTOR, CN_IDX_PROC): forks, execs and renames,
 * so that onboarding follows them without polling /proc. Subscribing needs
 * CAP_NET_ADMIN. The kernel drops events when the socket's buffer is full;
 * the reader then says so, and the caller rescans /proc.
 */
#ifndef GHOSTD_PROC_EVENTS_H
#define GHOSTD_PROC_EVENTS_H

#include <stddef.h>
#include <sys/types.h>

enum proc_event_kind {
	PROC_EVENT_KIND_FORK,	/* @pid/@tgid is a new thread or process */
	PROC_EVENT_KIND_EXEC,	/* @tgid ran execve(2) */
	PROC_EVENT_KIND_COMM,	/* thread @pid of @tgid changed its name */
};

struct proc_event_info {
	enum proc_event_kind kind;
	pid_t pid;
	pid_t tgid;
	pid_t parent_tgid;	/* forks only */
};

typedef void proc_event_fn(const struct proc_event_info *event, void *arg);

/* Subscribe; -1 with @why on failure. */
int proc_events_init(char *why, size_t len);
/* Unsubscribe, so that the kernel stops building events for nobody. */
void proc_events_fini(void);
/* The socket to poll for POLLIN. */
int proc_events_fd(void);

/*
 * Hand every event that has arrived to @fn. Returns 0, or -1 with errno:
 * ENOBUFS if events were lost (rescan /proc), else a socket error.
 */
int proc_events_read(proc_event_fn *fn, void *arg);

/*
 * Decode one datagram of @len bytes at @buf; events of other kinds are
 * skipped. Returns how many events went to @fn, or -1 if malformed.
 */
int proc_events_decode(const void *buf, size_t len, proc_event_fn *fn, void *arg);

#endif /* GHOSTD_PROC_EVENTS_H */
