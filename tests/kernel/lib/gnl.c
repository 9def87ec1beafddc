// SPDX-License-Identifier: GPL-2.0
/*
 * The ghost generic netlink family through libnl-3: see gnl.h.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include <netlink/attr.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>

#include "gagent.h"
#include "gnl.h"

#define GNL_BACKLOG	1024

/* Replies to one request, and the error the kernel answered, if any. */
struct gnl_reply {
	struct gnl_enclave *out;
	int max;
	int nr;
	int error;
};

struct gnl_events {
	struct nl_sock *sock;
	struct gnl_event log[GNL_BACKLOG];
	bool taken[GNL_BACKLOG];
	int nr;
};

/* A connected socket and the family's id; NULL with errno on failure. */
static struct nl_sock *gnl_connect(int *family)
{
	struct nl_sock *sock = nl_socket_alloc();

	if (!sock) {
		errno = ENOMEM;
		return NULL;
	}
	if (genl_connect(sock))
		goto fail;
	*family = genl_ctrl_resolve(sock, GHOST_GENL_NAME);
	if (*family < 0)
		goto fail;
	return sock;
fail:
	nl_socket_free(sock);
	errno = ENOENT;
	return NULL;
}

static uint64_t gnl_attrs_present(struct nlattr **tb)
{
	uint64_t attrs = 0;

	for (int i = 0; i <= GHOST_A_MAX; i++)
		if (tb[i])
			attrs |= 1ULL << i;
	return attrs;
}

static uint32_t gnl_u32(struct nlattr **tb, int attr)
{
	return tb[attr] ? nla_get_u32(tb[attr]) : 0;
}

static uint64_t gnl_u64(struct nlattr **tb, int attr)
{
	return tb[attr] ? nla_get_u64(tb[attr]) : 0;
}

/* A nest of u64s whose attribute types index @values. */
static void gnl_read_counters(struct nlattr *nest, uint64_t *values, int max)
{
	struct nlattr *pos;
	int rem;

	if (!nest)
		return;
	nla_for_each_nested(pos, nest, rem)
		if (nla_type(pos) <= max)
			values[nla_type(pos)] = nla_get_u64(pos);
}

static void gnl_read_enclave(struct nlattr **tb, struct gnl_enclave *out)
{
	memset(out, 0, sizeof(*out));
	out->attrs = gnl_attrs_present(tb);
	out->id = gnl_u64(tb, GHOST_A_ENCLAVE_ID);
	if (tb[GHOST_A_CPUS])
		nla_strlcpy(out->cpus, tb[GHOST_A_CPUS], sizeof(out->cpus));
	out->state = gnl_u32(tb, GHOST_A_STATE);
	out->watchdog_ms = gnl_u32(tb, GHOST_A_WATCHDOG_MS);
	out->nr_tasks = gnl_u32(tb, GHOST_A_NR_TASKS);
	out->nr_agents = gnl_u32(tb, GHOST_A_NR_AGENTS);
	gnl_read_counters(tb[GHOST_A_MSGS], out->msgs, GHOST_MSG_TYPE_MAX);
	gnl_read_counters(tb[GHOST_A_COMMITS], out->commits,
			  GHOST_TXN_STATE_MAX);
	out->watchdog_firings = gnl_u64(tb, GHOST_A_WATCHDOG_FIRINGS);
	out->queue_overflows = gnl_u64(tb, GHOST_A_QUEUE_OVERFLOWS);
	if (tb[GHOST_A_NAME])
		nla_strlcpy(out->name, tb[GHOST_A_NAME], sizeof(out->name));
	out->tasks_evicted = gnl_u64(tb, GHOST_A_TASKS_EVICTED);
	out->agent_throttles = gnl_u64(tb, GHOST_A_AGENT_THROTTLES);
}

static int gnl_on_enclave(struct nl_msg *msg, void *arg)
{
	struct gnl_reply *reply = arg;
	struct nlattr *tb[GHOST_A_MAX + 1];

	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, GHOST_A_MAX, NULL) ||
	    reply->nr >= reply->max)
		return NL_SKIP;
	gnl_read_enclave(tb, &reply->out[reply->nr++]);
	return NL_OK;
}

static int gnl_on_error(struct sockaddr_nl *from, struct nlmsgerr *err,
			void *arg)
{
	struct gnl_reply *reply = arg;

	(void)from;
	reply->error = -err->error;
	return NL_STOP;
}

/* Sends GET_ENCLAVE (a dump if @id is 0) and collects the replies. */
static int gnl_request(uint64_t id, struct gnl_reply *reply)
{
	int family, ret = -1;
	struct nl_sock *sock = gnl_connect(&family);
	struct nl_msg *msg = NULL;

	if (!sock)
		return -1;
	nl_socket_disable_auto_ack(sock);
	nl_socket_modify_cb(sock, NL_CB_VALID, NL_CB_CUSTOM, gnl_on_enclave,
			    reply);
	nl_socket_modify_err_cb(sock, NL_CB_CUSTOM, gnl_on_error, reply);
	msg = nlmsg_alloc();
	if (!msg ||
	    !genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0,
			 id ? 0 : NLM_F_DUMP, GHOST_CMD_GET_ENCLAVE,
			 GHOST_GENL_VERSION) ||
	    (id && nla_put_u64(msg, GHOST_A_ENCLAVE_ID, id)) ||
	    nl_send_auto(sock, msg) < 0) {
		errno = EIO;
		goto out;
	}
	if (nl_recvmsgs_default(sock) < 0 && !reply->error)
		reply->error = EIO;
	errno = reply->error;
	ret = reply->error ? -1 : 0;
out:
	nlmsg_free(msg);
	nl_socket_free(sock);
	return ret;
}

/* 0 with @out filled, or -1 with errno (ENOENT: no live enclave @id). */
int gnl_get_enclave(uint64_t id, struct gnl_enclave *out)
{
	struct gnl_reply reply = { .out = out, .max = 1 };

	if (gnl_request(id, &reply))
		return -1;
	if (reply.nr != 1) {
		errno = EPROTO;
		return -1;
	}
	return 0;
}

/* How many live enclaves the dump listed (at most @max kept), or -1. */
int gnl_dump_enclaves(struct gnl_enclave *out, int max)
{
	struct gnl_reply reply = { .out = out, .max = max };

	return gnl_request(0, &reply) ? -1 : reply.nr;
}

static int gnl_on_event(struct nl_msg *msg, void *arg)
{
	struct gnl_events *ev = arg;
	struct nlattr *tb[GHOST_A_MAX + 1];
	struct gnl_event *e;

	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, GHOST_A_MAX, NULL) ||
	    ev->nr == GNL_BACKLOG)
		return NL_SKIP;
	e = &ev->log[ev->nr++];
	e->attrs = gnl_attrs_present(tb);
	e->event = gnl_u32(tb, GHOST_A_EVENT);
	e->enclave_id = gnl_u64(tb, GHOST_A_ENCLAVE_ID);
	e->reason = gnl_u32(tb, GHOST_A_REASON);
	e->cpu = gnl_u32(tb, GHOST_A_CPU);
	e->pid = gnl_u32(tb, GHOST_A_PID);
	return NL_OK;
}

struct gnl_events *gnl_events_open(void)
{
	struct gnl_events *ev = calloc(1, sizeof(*ev));
	int family, group, ret;

	if (!ev)
		return NULL;
	ev->sock = gnl_connect(&family);
	if (!ev->sock)
		goto fail;
	nl_socket_disable_seq_check(ev->sock);
	nl_socket_modify_cb(ev->sock, NL_CB_VALID, NL_CB_CUSTOM, gnl_on_event,
			    ev);
	nl_socket_set_buffer_size(ev->sock, 1 << 20, 0);
	group = genl_ctrl_resolve_grp(ev->sock, GHOST_GENL_NAME,
				      GHOST_GENL_MCGRP_EVENTS);
	if (group < 0) {
		errno = ENOENT;
		goto fail;
	}
	ret = nl_socket_add_membership(ev->sock, group);
	if (ret) {
		errno = ret == -NLE_PERM ? EPERM : EIO;
		goto fail;
	}
	return ev;
fail:
	ret = errno;
	gnl_events_close(ev);
	errno = ret;
	return NULL;
}

static bool gnl_events_take(struct gnl_events *ev, uint32_t event,
			    uint64_t enclave_id, struct gnl_event *out)
{
	for (int i = 0; i < ev->nr; i++) {
		if (ev->taken[i] || ev->log[i].event != event ||
		    ev->log[i].enclave_id != enclave_id)
			continue;
		ev->taken[i] = true;
		if (out)
			*out = ev->log[i];
		return true;
	}
	return false;
}

bool gnl_events_wait(struct gnl_events *ev, uint32_t event,
		     uint64_t enclave_id, int timeout_ms,
		     struct gnl_event *out)
{
	uint64_t deadline = gnow_ns() + timeout_ms * 1000000ULL;
	struct pollfd pfd = { .fd = nl_socket_get_fd(ev->sock),
			      .events = POLLIN };

	while (!gnl_events_take(ev, event, enclave_id, out)) {
		uint64_t now = gnow_ns();

		if (now >= deadline)
			return false;
		if (poll(&pfd, 1, (deadline - now) / 1000000 + 1) > 0)
			nl_recvmsgs_default(ev->sock);
	}
	return true;
}

void gnl_events_close(struct gnl_events *ev)
{
	if (ev->sock)
		nl_socket_free(ev->sock);
	free(ev);
}
