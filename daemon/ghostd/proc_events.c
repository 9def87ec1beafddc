// SPDX-License-Identifier: GPL-2.0
/*
 * The process events connector: see proc_events.h.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/cn_proc.h>
#include <linux/connector.h>
#include <linux/netlink.h>

#include "proc_events.h"

static int events_fd = -1;

/* Ask the kernel to start (LISTEN) or stop (IGNORE) sending us events. */
static int send_mcast_op(enum proc_cn_mcast_op op)
{
	struct {
		struct nlmsghdr header;
		struct cn_msg msg;
		enum proc_cn_mcast_op op;
	} __attribute__((packed)) request;

	memset(&request, 0, sizeof(request));
	request.header.nlmsg_len = sizeof(request);
	request.header.nlmsg_type = NLMSG_DONE;
	request.header.nlmsg_pid = getpid();
	request.msg.id.idx = CN_IDX_PROC;
	request.msg.id.val = CN_VAL_PROC;
	request.msg.len = sizeof(request.op);
	request.op = op;
	return send(events_fd, &request, sizeof(request), 0) < 0 ? -1 : 0;
}

int proc_events_init(char *why, size_t len)
{
	struct sockaddr_nl addr = {
		.nl_family = AF_NETLINK,
		.nl_groups = CN_IDX_PROC,
	};
	/* Bursts of forks come faster than onboarding reads them. */
	int buffer = 4 << 20;

	events_fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
			   NETLINK_CONNECTOR);
	if (events_fd < 0) {
		snprintf(why, len, "process events connector: %s", strerror(errno));
		return -1;
	}
	/* SO_RCVBUFFORCE passes the rmem_max cap; root may. */
	if (setsockopt(events_fd, SOL_SOCKET, SO_RCVBUFFORCE, &buffer,
		       sizeof(buffer)))
		setsockopt(events_fd, SOL_SOCKET, SO_RCVBUF, &buffer, sizeof(buffer));
	if (bind(events_fd, (struct sockaddr *)&addr, sizeof(addr)) ||
	    send_mcast_op(PROC_CN_MCAST_LISTEN)) {
		snprintf(why, len, "process events connector: %s%s", strerror(errno),
			 errno == EPERM ? " (needs CAP_NET_ADMIN)" : "");
		close(events_fd);
		events_fd = -1;
		return -1;
	}
	return 0;
}

void proc_events_fini(void)
{
	if (events_fd < 0)
		return;
	send_mcast_op(PROC_CN_MCAST_IGNORE);
	close(events_fd);
	events_fd = -1;
}

int proc_events_fd(void)
{
	return events_fd;
}

/* True if the @len bytes of @event hold its header and @size of its data. */
static bool holds(size_t len, size_t size)
{
	return len >= offsetof(struct proc_event, event_data) + size;
}

static int decode_event(const struct proc_event *event, size_t len,
			proc_event_fn *fn, void *arg)
{
	struct proc_event_info info;

	memset(&info, 0, sizeof(info));
	if (!holds(len, 0))
		return -1;
	switch (event->what) {
	case PROC_EVENT_FORK:
		if (!holds(len, sizeof(event->event_data.fork)))
			return -1;
		info.kind = PROC_EVENT_KIND_FORK;
		info.pid = event->event_data.fork.child_pid;
		info.tgid = event->event_data.fork.child_tgid;
		info.parent_tgid = event->event_data.fork.parent_tgid;
		break;
	case PROC_EVENT_EXEC:
		if (!holds(len, sizeof(event->event_data.exec)))
			return -1;
		info.kind = PROC_EVENT_KIND_EXEC;
		info.pid = event->event_data.exec.process_pid;
		info.tgid = event->event_data.exec.process_tgid;
		break;
	case PROC_EVENT_COMM:
		if (!holds(len, sizeof(event->event_data.comm)))
			return -1;
		info.kind = PROC_EVENT_KIND_COMM;
		info.pid = event->event_data.comm.process_pid;
		info.tgid = event->event_data.comm.process_tgid;
		break;
	default:
		return 0;
	}
	fn(&info, arg);
	return 1;
}

int proc_events_decode(const void *buf, size_t len, proc_event_fn *fn, void *arg)
{
	const struct nlmsghdr *header = buf;
	/* NLMSG_NEXT subtracts aligned lengths: keep the count signed. */
	int left = len, nr = 0;

	for (; NLMSG_OK(header, left); header = NLMSG_NEXT(header, left)) {
		const struct cn_msg *msg = NLMSG_DATA(header);
		size_t payload = NLMSG_PAYLOAD(header, 0);
		int ret;

		if (header->nlmsg_type == NLMSG_NOOP)
			continue;
		if (header->nlmsg_type == NLMSG_ERROR ||
		    payload < sizeof(*msg) || msg->len > payload - sizeof(*msg))
			return -1;
		if (msg->id.idx != CN_IDX_PROC || msg->id.val != CN_VAL_PROC)
			continue;
		ret = decode_event((const struct proc_event *)msg->data, msg->len,
				   fn, arg);
		if (ret < 0)
			return -1;
		nr += ret;
	}
	return nr;
}

int proc_events_read(proc_event_fn *fn, void *arg)
{
	/* Netlink messages are 4-byte aligned; so must the buffer be. */
	char buf[8192] __attribute__((aligned(NLMSG_ALIGNTO)));

	for (;;) {
		ssize_t n = recv(events_fd, buf, sizeof(buf), 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno == EAGAIN ? 0 : -1;
		if (proc_events_decode(buf, n, fn, arg) < 0) {
			errno = EPROTO;
			return -1;
		}
	}
}
