// SPDX-License-Identifier: GPL-2.0
/*
 * ghost-agent's control socket: see control.h.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/cpulist.h"
#include "common/log.h"
#include "common/proto.h"
#include "runtime/plugin.h"

#include "control.h"

/*
 * Agents reach a quiet point within a step, microseconds; one that takes
 * this long is throttled or stuck, and the change is given up.
 */
#define QUIESCE_TIMEOUT_MS	1000
/* Taking a new role may wait for a dying agent to leave its CPU. */
#define SETTLE_TIMEOUT_MS	5000

void control_init(struct control *ctl)
{
	memset(ctl, 0, sizeof(*ctl));
	ctl->listen_fd = -1;
	for (int i = 0; i < CONTROL_MAX_CLIENTS; i++)
		ctl->clients[i].fd = -1;
}

int control_open(struct control *ctl, const char *path, struct runtime *rt,
		 struct agent_threads *threads, char *why, size_t len)
{
	ctl->rt = rt;
	ctl->threads = threads;
	ctl->listen_fd = ipc_listen(path, 0600, (gid_t)-1);
	if (ctl->listen_fd < 0) {
		snprintf(why, len, "cannot listen on %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

void control_close(struct control *ctl, const char *path)
{
	for (int i = 0; i < CONTROL_MAX_CLIENTS; i++)
		if (ctl->clients[i].fd >= 0)
			ipc_close(&ctl->clients[i]);
	if (ctl->listen_fd >= 0) {
		close(ctl->listen_fd);
		unlink(path);
	}
}

static const char *agent_state_name(enum rt_agent_state state)
{
	switch (state) {
	case RT_AGENT_PARKED:
		return PROTO_AGENT_PARKED;
	case RT_AGENT_RUNNING:
		return PROTO_AGENT_RUNNING;
	case RT_AGENT_THROTTLED:
		return PROTO_AGENT_THROTTLED;
	case RT_AGENT_NONE:
		break;
	}
	return PROTO_AGENT_NONE;
}

static json_t *status_reply(const struct control *ctl)
{
	json_t *agents = json_array(), *counters = json_object(), *reply;
	struct rt_status st;

	rt_status(ctl->rt, &st);
	for (int cpu = 0; cpu < CPU_SETSIZE; cpu++)
		if (CPU_ISSET(cpu, &st.cpus))
			json_array_append_new(agents, json_pack("{s:i, s:s}",
				PROTO_CPU, cpu, PROTO_STATE,
				agent_state_name(rt_cpu_agent_state(ctl->rt, cpu))));
	for (unsigned int i = 0; i < rt_nr_counters(); i++) {
		uint64_t value;
		const char *name = rt_counter(ctl->rt, i, &value);

		json_object_set_new(counters, name, json_integer((json_int_t)value));
	}
	reply = json_pack("{s:b, s:s, s:o, s:s, s:{s:i, s:i, s:i}, s:o, s:o}",
			  PROTO_OK, 1,
			  PROTO_PLUGIN, st.plugin,
			  PROTO_PARAMS, rt_policy_params(ctl->rt),
			  PROTO_MODEL, plugin_model_name(st.model),
			  PROTO_TASKS,
			  PROTO_TASKS_RUNNABLE, st.tasks[GHOST_TASK_RUNNABLE],
			  PROTO_TASKS_ON_CPU, st.tasks[GHOST_TASK_ON_CPU],
			  PROTO_TASKS_BLOCKED, st.tasks[GHOST_TASK_BLOCKED],
			  PROTO_AGENTS, agents,
			  PROTO_COUNTERS, counters);
	if (st.last_swap.to[0])
		json_object_set_new(reply, PROTO_LAST_SWAP,
				    json_pack("{s:s, s:s, s:I, s:I}",
					      PROTO_FROM, st.last_swap.from,
					      PROTO_TO, st.last_swap.to,
					      PROTO_BLACKOUT_NS, (json_int_t)st.last_swap.blackout_ns,
					      PROTO_AT, (json_int_t)ctl->last_change_at));
	return reply;
}

/*
 * Make the prepared change: quiesce the agents, commit, resume, and wait
 * until every agent has its new role, so that the reply reports the whole
 * blackout. A failure at any point leaves the old policy running.
 */
static uint64_t clock_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000ULL + ts.tv_nsec / 1000;
}

static int apply_change(struct control *ctl, char *why, size_t len)
{
	uint64_t start, quiesced, committed;
	int ret;

	if (agent_threads_sync(ctl->threads, why, len)) {
		rt_abort(ctl->rt);
		return -1;
	}
	start = clock_us();
	if (!agent_threads_quiesce(ctl->threads, QUIESCE_TIMEOUT_MS)) {
		rt_abort(ctl->rt);
		agent_threads_resume(ctl->threads);
		snprintf(why, len, "the agents did not reach a quiet point within %d ms",
			 QUIESCE_TIMEOUT_MS);
		return -1;
	}
	quiesced = clock_us();
	ret = rt_commit(ctl->rt, why, len);
	if (ret)
		rt_abort(ctl->rt);
	committed = clock_us();
	agent_threads_resume(ctl->threads);
	if (ret)
		return -1;
	/* Where a long blackout went; the agents' new roles come after. */
	log_info("change: agents quiet after %llu us, tasks handed over in %llu us, "
		 "resumed after %llu us", (unsigned long long)(quiesced - start),
		 (unsigned long long)(committed - quiesced),
		 (unsigned long long)(clock_us() - start));
	ctl->last_change_at = time(NULL);
	if (!agent_threads_settle(ctl->threads, SETTLE_TIMEOUT_MS))
		log_warn("some agents have not taken their new role after %d ms",
			 SETTLE_TIMEOUT_MS);
	return 0;
}

static json_t *change_reply(const struct control *ctl)
{
	struct rt_status st;
	char cpus[256];

	rt_status(ctl->rt, &st);
	return json_pack("{s:b, s:s, s:s, s:s, s:I}", PROTO_OK, 1,
			 PROTO_PLUGIN, st.plugin,
			 PROTO_MODEL, plugin_model_name(st.model),
			 PROTO_CPUS, cpulist_format(&st.cpus, cpus, sizeof(cpus)),
			 PROTO_BLACKOUT_NS, (json_int_t)st.last_swap.blackout_ns);
}

static json_t *handle_swap(struct control *ctl, const json_t *request)
{
	const char *plugin = json_string_value(json_object_get(request, PROTO_PLUGIN));
	const json_t *params = json_object_get(request, PROTO_PARAMS);
	struct rt_status st;
	char why[512];

	if (!plugin)
		return ipc_reply_error("swap needs \"%s\", a plugin name", PROTO_PLUGIN);
	if (params && !json_is_object(params))
		return ipc_reply_error("\"%s\" must be an object", PROTO_PARAMS);
	if (rt_prepare_swap(ctl->rt, plugin, params, why, sizeof(why)) ||
	    apply_change(ctl, why, sizeof(why))) {
		log_error("swap to %s refused: %s", plugin, why);
		return ipc_reply_error("%s", why);
	}
	rt_status(ctl->rt, &st);
	log_notice("policy %s replaced by %s (%s), blackout %llu ns",
		   st.last_swap.from, st.last_swap.to, plugin_model_name(st.model),
		   (unsigned long long)st.last_swap.blackout_ns);
	return change_reply(ctl);
}

static json_t *handle_set_cpus(struct control *ctl, const json_t *request)
{
	const char *list = json_string_value(json_object_get(request, PROTO_CPUS));
	char why[512];
	cpu_set_t cpus;

	if (!list)
		return ipc_reply_error("set_cpus needs \"%s\", a CPU list such as \"1-3\"",
				       PROTO_CPUS);
	if (cpulist_parse(list, &cpus, why, sizeof(why)))
		return ipc_reply_error("\"%s\": %s", PROTO_CPUS, why);
	if (rt_prepare_cpus(ctl->rt, &cpus, why, sizeof(why)) ||
	    apply_change(ctl, why, sizeof(why))) {
		log_error("CPUs %s refused: %s", list, why);
		return ipc_reply_error("%s", why);
	}
	log_notice("CPUs now %s", list);
	return change_reply(ctl);
}

json_t *control_handle(struct control *ctl, const json_t *request)
{
	const char *cmd = json_string_value(json_object_get(request, PROTO_CMD));

	ctl->heard_from = true;
	if (!cmd)
		return ipc_reply_error("a request needs \"%s\"", PROTO_CMD);
	if (!strcmp(cmd, PROTO_CMD_STATUS))
		return status_reply(ctl);
	if (!strcmp(cmd, PROTO_CMD_SWAP))
		return handle_swap(ctl, request);
	if (!strcmp(cmd, PROTO_CMD_SET_CPUS))
		return handle_set_cpus(ctl, request);
	if (!strcmp(cmd, PROTO_CMD_STOP)) {
		ctl->stop_requested = true;
		ctl->destroy_requested = json_is_true(json_object_get(request,
								      PROTO_DESTROY));
		return ipc_reply_ok();
	}
	return ipc_reply_error("unknown command \"%s\" (known: %s, %s, %s, %s)", cmd,
			       PROTO_CMD_STATUS, PROTO_CMD_SWAP,
			       PROTO_CMD_SET_CPUS, PROTO_CMD_STOP);
}

unsigned int control_pollfds(const struct control *ctl, struct pollfd *fds,
			     unsigned int max)
{
	unsigned int n = 0;

	if (max)
		fds[n++] = (struct pollfd){ .fd = ctl->listen_fd, .events = POLLIN };
	for (int i = 0; i < CONTROL_MAX_CLIENTS && n < max; i++)
		if (ctl->clients[i].fd >= 0)
			fds[n++] = (struct pollfd){ .fd = ctl->clients[i].fd,
						    .events = POLLIN };
	return n;
}

static void control_accept(struct control *ctl)
{
	struct ipc_conn conn;

	if (ipc_accept(ctl->listen_fd, &conn))
		return;
	for (int i = 0; i < CONTROL_MAX_CLIENTS; i++) {
		if (ctl->clients[i].fd < 0) {
			ctl->clients[i] = conn;
			return;
		}
	}
	ipc_close(&conn);
	log_warn("control socket: more than %d clients, one refused",
		 CONTROL_MAX_CLIENTS);
}

/* Answer every complete request a client has sent; drop it at its end. */
static void control_answer(struct control *ctl, struct ipc_conn *conn)
{
	json_t *request, *reply;
	struct ucred peer;
	char why[256];
	int ret;

	while ((ret = ipc_recv(conn, &request, 0, why, sizeof(why))) == 1) {
		if (ipc_peer(conn, &peer) == 0)
			ctl->heard_from_pid = peer.pid;
		reply = control_handle(ctl, request);
		if (ipc_send(conn, reply))
			ret = -1;
		json_decref(reply);
		json_decref(request);
		if (ret)
			break;
	}
	if (ret < 0)
		ipc_close(conn);
}

void control_serve(struct control *ctl, const struct pollfd *fds,
		   unsigned int nr)
{
	for (unsigned int i = 0; i < nr; i++) {
		if (!fds[i].revents)
			continue;
		if (fds[i].fd == ctl->listen_fd) {
			control_accept(ctl);
			continue;
		}
		for (int c = 0; c < CONTROL_MAX_CLIENTS; c++)
			if (ctl->clients[c].fd == fds[i].fd)
				control_answer(ctl, &ctl->clients[c]);
	}
}
