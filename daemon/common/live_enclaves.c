// SPDX-License-Identifier: GPL-2.0
/*
 * The live enclaves over generic netlink: see live_enclaves.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <netlink/attr.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>

#include "live_enclaves.h"
#include "xalloc.h"

/* What the callbacks of one dump share. */
struct dump {
	struct live_enclaves *enclaves;
	int error;			/* errno the kernel answered, or 0 */
};

static uint32_t attr_u32(struct nlattr **tb, int type)
{
	return tb[type] ? nla_get_u32(tb[type]) : 0;
}

static uint64_t attr_u64(struct nlattr **tb, int type)
{
	return tb[type] ? nla_get_u64(tb[type]) : 0;
}

/* A nest of u64 counters whose attribute types index @values. */
static void read_counters(struct nlattr *nest, uint64_t *values, int max)
{
	struct nlattr *pos;
	int rem;

	if (!nest)
		return;
	nla_for_each_nested(pos, nest, rem)
		if (nla_type(pos) <= max && nla_len(pos) >= (int)sizeof(uint64_t))
			values[nla_type(pos)] = nla_get_u64(pos);
}

static int on_enclave(struct nl_msg *msg, void *arg)
{
	struct dump *dump = arg;
	struct nlattr *tb[GHOST_A_MAX + 1];
	struct live_enclave *e;

	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, GHOST_A_MAX, NULL))
		return NL_SKIP;
	dump->enclaves->list = xrealloc(dump->enclaves->list,
					(dump->enclaves->nr + 1) * sizeof(*e));
	e = &dump->enclaves->list[dump->enclaves->nr++];
	memset(e, 0, sizeof(*e));
	e->id = attr_u64(tb, GHOST_A_ENCLAVE_ID);
	if (tb[GHOST_A_NAME])
		nla_strlcpy(e->name, tb[GHOST_A_NAME], sizeof(e->name));
	if (tb[GHOST_A_CPUS])
		nla_strlcpy(e->cpus, tb[GHOST_A_CPUS], sizeof(e->cpus));
	e->state = attr_u32(tb, GHOST_A_STATE);
	e->watchdog_ms = attr_u32(tb, GHOST_A_WATCHDOG_MS);
	e->nr_tasks = attr_u32(tb, GHOST_A_NR_TASKS);
	e->nr_agents = attr_u32(tb, GHOST_A_NR_AGENTS);
	read_counters(tb[GHOST_A_MSGS], e->msgs, GHOST_MSG_TYPE_MAX);
	read_counters(tb[GHOST_A_COMMITS], e->commits, GHOST_TXN_STATE_MAX);
	e->watchdog_firings = attr_u64(tb, GHOST_A_WATCHDOG_FIRINGS);
	e->queue_overflows = attr_u64(tb, GHOST_A_QUEUE_OVERFLOWS);
	e->tasks_evicted = attr_u64(tb, GHOST_A_TASKS_EVICTED);
	e->agent_throttles = attr_u64(tb, GHOST_A_AGENT_THROTTLES);
	return NL_OK;
}

static int on_error(struct sockaddr_nl *from, struct nlmsgerr *err, void *arg)
{
	struct dump *dump = arg;

	(void)from;
	dump->error = -err->error;
	return NL_STOP;
}

int live_enclaves_read(struct live_enclaves *enclaves, char *why, size_t len)
{
	struct dump dump = { .enclaves = enclaves };
	struct nl_sock *sock = nl_socket_alloc();
	struct nl_msg *msg = NULL;
	int family, ret = -1;

	memset(enclaves, 0, sizeof(*enclaves));
	if (!sock) {
		snprintf(why, len, "netlink: out of memory");
		return -1;
	}
	if (genl_connect(sock)) {
		snprintf(why, len, "cannot open a generic netlink socket");
		goto out;
	}
	family = genl_ctrl_resolve(sock, GHOST_GENL_NAME);
	if (family < 0) {
		snprintf(why, len, "no \"%s\" generic netlink family (is ghost.ko loaded?)",
			 GHOST_GENL_NAME);
		goto out;
	}
	nl_socket_disable_auto_ack(sock);
	nl_socket_modify_cb(sock, NL_CB_VALID, NL_CB_CUSTOM, on_enclave, &dump);
	nl_socket_modify_err_cb(sock, NL_CB_CUSTOM, on_error, &dump);
	msg = nlmsg_alloc();
	if (!msg || !genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0,
				 NLM_F_DUMP, GHOST_CMD_GET_ENCLAVE,
				 GHOST_GENL_VERSION) ||
	    nl_send_auto(sock, msg) < 0) {
		snprintf(why, len, "cannot send the enclave dump request");
		goto out;
	}
	if (nl_recvmsgs_default(sock) < 0 && !dump.error)
		dump.error = EIO;
	if (dump.error) {
		snprintf(why, len, "enclave dump: %s", strerror(dump.error));
		goto out;
	}
	ret = 0;
out:
	nlmsg_free(msg);
	nl_socket_free(sock);
	if (ret)
		live_enclaves_free(enclaves);
	return ret;
}

void live_enclaves_free(struct live_enclaves *enclaves)
{
	free(enclaves->list);
	enclaves->list = NULL;
	enclaves->nr = 0;
}

const struct live_enclave *live_enclaves_find(const struct live_enclaves *enclaves,
					      const char *name)
{
	for (size_t i = 0; i < enclaves->nr; i++)
		if (enclaves->list[i].name[0] && !strcmp(enclaves->list[i].name, name))
			return &enclaves->list[i];
	return NULL;
}
