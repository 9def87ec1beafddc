// SPDX-License-Identifier: GPL-2.0
/*
 * The control socket: see control.h.
 */
#include <errno.h>
#include <grp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/ipc.h"
#include "common/log.h"
#include "common/proto.h"
#include "common/xalloc.h"
#include "control.h"
#include "loop.h"
#include "procfs.h"
#include "supervisor.h"

/* How long a client may take to send its request. */
#define CONTROL_CLIENT_TIMEOUT_MS	5000
/* Requests are answered at once: a few clients at a time are plenty. */
#define CONTROL_MAX_CLIENTS		16

struct client {
	struct ipc_conn conn;
	struct ucred cred;
	uint64_t timeout;
};

static struct {
	int listen_fd;
	char configured[64];	/* the group the configuration names */
	char group[64];		/* the same if it exists, else "": root only */
	gid_t gid;
	struct client *clients[CONTROL_MAX_CLIENTS];
} control = { .listen_fd = -1 };

static void drop(struct client *client)
{
	for (size_t i = 0; i < CONTROL_MAX_CLIENTS; i++)
		if (control.clients[i] == client)
			control.clients[i] = NULL;
	loop_remove_fd(client->conn.fd);
	loop_cancel(client->timeout);
	ipc_close(&client->conn);
	free(client);
}

/* Whether process @pid has @gid among its supplementary groups. */
static bool has_group(pid_t pid, gid_t gid)
{
	char path[64], line[4096];
	bool found = false;
	FILE *file;

	snprintf(path, sizeof(path), "%s/%d/status", PROCFS_ROOT, (int)pid);
	file = fopen(path, "re");
	if (!file)
		return false;
	while (!found && fgets(line, sizeof(line), file)) {
		char *p = line + strlen("Groups:"), *end;

		if (strncmp(line, "Groups:", strlen("Groups:")))
			continue;
		for (;;) {
			unsigned long group = strtoul(p, &end, 10);

			if (end == p)
				break;
			found |= group == gid;
			p = end;
		}
	}
	fclose(file);
	return found;
}

static bool authorized(const struct ucred *cred)
{
	if (cred->uid == 0)
		return true;
	return control.group[0] &&
	       (cred->gid == control.gid || has_group(cred->pid, control.gid));
}

/* A client that is not root acts only on its own threads, as the kernel says. */
static bool may_touch(const struct ucred *cred, pid_t pid, char *why, size_t len)
{
	struct process proc;
	uid_t ruid, euid;

	if (cred->uid == 0)
		return true;
	process_init(&proc, PROCFS_ROOT, pid);
	if (process_uids(&proc, &ruid, &euid)) {
		snprintf(why, len, "no process or thread %d", (int)pid);
		return false;
	}
	if (ruid == cred->uid || euid == cred->uid)
		return true;
	snprintf(why, len, "permission denied: %d belongs to another user", (int)pid);
	return false;
}

/* The request's pid, or 0 with @why if it is not a positive integer. */
static pid_t request_pid(json_t *request, char *why, size_t len)
{
	json_t *pid = json_object_get(request, PROTO_PID);

	if (json_is_integer(pid) && json_integer_value(pid) > 0 &&
	    json_integer_value(pid) <= INT32_MAX)
		return json_integer_value(pid);
	snprintf(why, len, "bad request: \"%s\" must be a positive integer", PROTO_PID);
	return 0;
}

/* Optional string member @key: NULL if absent; @bad if of another type. */
static const char *request_string(json_t *request, const char *key, bool *bad)
{
	json_t *value = json_object_get(request, key);

	if (value && !json_is_string(value))
		*bad = true;
	return json_string_value(value);
}

static json_t *handle(json_t *request, const struct ucred *cred)
{
	const char *cmd = json_string_value(json_object_get(request, PROTO_CMD));
	json_t *params, *process, *reply = NULL;
	const char *enclave, *plugin;
	char why[1024] = "";
	bool bad = false;
	pid_t pid;
	int ret = -1;

	if (!cmd) {
		snprintf(why, sizeof(why), "bad request: no \"%s\"", PROTO_CMD);
	} else if (!strcmp(cmd, PROTO_CMD_STATUS) || !strcmp(cmd, PROTO_CMD_STATS)) {
		reply = supervisor_status();
		ret = 0;
	} else if (!strcmp(cmd, PROTO_CMD_RELOAD)) {
		log_info("reload asked by uid %d", (int)cred->uid);
		ret = supervisor_reload(why, sizeof(why));
	} else if (!strcmp(cmd, PROTO_CMD_SWAP)) {
		enclave = request_string(request, PROTO_ENCLAVE, &bad);
		plugin = request_string(request, PROTO_PLUGIN, &bad);
		params = json_object_get(request, PROTO_PARAMS);
		if (bad || !enclave || !plugin || (params && !json_is_object(params)))
			snprintf(why, sizeof(why), "bad request: swap needs \"%s\" and \"%s\" "
				 "strings and an optional \"%s\" object", PROTO_ENCLAVE,
				 PROTO_PLUGIN, PROTO_PARAMS);
		else {
			json_t *given = params ? json_incref(params) : json_object();

			ret = supervisor_swap(enclave, plugin, given, &reply, why,
					      sizeof(why));
			json_decref(given);
		}
	} else if (!strcmp(cmd, PROTO_CMD_ADD) || !strcmp(cmd, PROTO_CMD_REMOVE)) {
		enclave = request_string(request, PROTO_ENCLAVE, &bad);
		process = json_object_get(request, PROTO_PROCESS);
		pid = request_pid(request, why, sizeof(why));
		if (bad || (process && !json_is_boolean(process)))
			snprintf(why, sizeof(why), "bad request: \"%s\" must be a string "
				 "and \"%s\" a boolean", PROTO_ENCLAVE, PROTO_PROCESS);
		else if (pid && may_touch(cred, pid, why, sizeof(why)))
			ret = !strcmp(cmd, PROTO_CMD_ADD) ?
			      supervisor_add(pid, enclave, json_is_true(process), &reply,
					     why, sizeof(why)) :
			      supervisor_remove(pid, json_is_true(process), &reply, why,
						sizeof(why));
	} else {
		snprintf(why, sizeof(why), "unknown command \"%s\"", cmd);
	}
	if (ret) {
		json_decref(reply);
		return ipc_reply_error("%s", why);
	}
	if (!reply)
		reply = json_object();
	json_object_set_new(reply, PROTO_OK, json_true());
	return reply;
}

static void on_client(int fd, short revents, void *arg)
{
	struct client *client = arg;
	json_t *request, *reply;
	char why[256];
	int ret;

	(void)fd;
	(void)revents;
	ret = ipc_recv(&client->conn, &request, 0, why, sizeof(why));
	if (ret == 0)
		return;
	if (ret < 0) {
		log_debug("control client (pid %d): %s", (int)client->cred.pid, why);
		reply = ipc_reply_error("%s", why);
	} else {
		reply = handle(request, &client->cred);
		json_decref(request);
	}
	if (ipc_send(&client->conn, reply))
		log_debug("control client (pid %d) left before the reply: %s",
			  (int)client->cred.pid, strerror(errno));
	json_decref(reply);
	drop(client);
}

static void on_client_timeout(void *arg)
{
	struct client *client = arg;

	client->timeout = 0;
	log_debug("control client (pid %d) sent no request in time",
		  (int)client->cred.pid);
	drop(client);
}

/* Reply @why and hang up, for clients turned away at the door. */
static void turn_away(struct ipc_conn *conn, const char *why)
{
	json_t *reply = ipc_reply_error("%s", why);

	ipc_send(conn, reply);
	json_decref(reply);
	ipc_close(conn);
}

static void on_accept(int fd, short revents, void *arg)
{
	struct client *client;
	struct ipc_conn conn;
	struct ucred cred;
	char why[160];
	size_t slot;

	(void)revents;
	(void)arg;
	if (ipc_accept(fd, &conn))
		return;
	if (ipc_peer(&conn, &cred)) {
		ipc_close(&conn);
		return;
	}
	if (!authorized(&cred)) {
		log_warn("control: refused uid %d (pid %d)", (int)cred.uid, (int)cred.pid);
		if (control.group[0])
			snprintf(why, sizeof(why), "permission denied: ghostd answers "
				 "root and group %s only", control.group);
		else
			snprintf(why, sizeof(why), "permission denied: ghostd answers "
				 "root only");
		turn_away(&conn, why);
		return;
	}
	for (slot = 0; slot < CONTROL_MAX_CLIENTS && control.clients[slot]; slot++)
		;
	if (slot == CONTROL_MAX_CLIENTS) {
		turn_away(&conn, "ghostd is busy with other clients; try again");
		return;
	}
	client = xcalloc(1, sizeof(*client));
	client->conn = conn;
	client->cred = cred;
	control.clients[slot] = client;
	loop_add_fd(conn.fd, POLLIN, on_client, client);
	client->timeout = loop_add_timeout(CONTROL_CLIENT_TIMEOUT_MS,
					   on_client_timeout, client);
}

/* Look @group up; "" in control.group if it does not exist. */
static void resolve_group(const char *group)
{
	struct group *entry = getgrnam(group);

	snprintf(control.configured, sizeof(control.configured), "%s", group);
	control.group[0] = '\0';
	if (!entry) {
		log_notice("group %s does not exist: the control socket is for root only",
			   group);
		return;
	}
	snprintf(control.group, sizeof(control.group), "%s", group);
	control.gid = entry->gr_gid;
}

int control_init(const char *group, char *why, size_t len)
{
	resolve_group(group);
	control.listen_fd = ipc_listen(PROTO_GHOSTD_SOCKET,
				       control.group[0] ? 0660 : 0600,
				       control.group[0] ? control.gid : (gid_t)-1);
	if (control.listen_fd < 0) {
		snprintf(why, len, "%s: %s", PROTO_GHOSTD_SOCKET, strerror(errno));
		return -1;
	}
	loop_add_fd(control.listen_fd, POLLIN, on_accept, NULL);
	return 0;
}

void control_fini(void)
{
	for (size_t i = 0; i < CONTROL_MAX_CLIENTS; i++)
		if (control.clients[i])
			drop(control.clients[i]);
	if (control.listen_fd >= 0) {
		loop_remove_fd(control.listen_fd);
		close(control.listen_fd);
		unlink(PROTO_GHOSTD_SOCKET);
	}
	control.listen_fd = -1;
}

void control_set_group(const char *group)
{
	if (!strcmp(group, control.configured))
		return;
	resolve_group(group);
	if (chown(PROTO_GHOSTD_SOCKET, (uid_t)-1,
		  control.group[0] ? control.gid : 0) ||
	    chmod(PROTO_GHOSTD_SOCKET, control.group[0] ? 0660 : 0600))
		log_error("%s: %s", PROTO_GHOSTD_SOCKET, strerror(errno));
}
