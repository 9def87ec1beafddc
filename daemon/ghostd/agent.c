// SPDX-License-Identifier: GPL-2.0
/*
 * One ghost-agent process: see agent.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "agent.h"
#include "common/ipc.h"
#include "common/proto.h"
#include "loop.h"

/* How often a starting agent's socket is tried. */
#define AGENT_PROBE_INTERVAL_MS	20
/* How long one try, or a reconnection, may wait for the status reply. */
#define AGENT_PROBE_TIMEOUT_MS	1000

void agent_init(struct agent *agent, const char *enclave,
		agent_ready_fn *on_ready, agent_exit_fn *on_exit, void *arg)
{
	memset(agent, 0, sizeof(*agent));
	snprintf(agent->enclave, sizeof(agent->enclave), "%s", enclave);
	snprintf(agent->socket_path, sizeof(agent->socket_path), "%s/%s.sock",
		 PROTO_AGENT_SOCKET_DIR, enclave);
	agent->pidfd = -1;
	agent->on_ready = on_ready;
	agent->on_exit = on_exit;
	agent->arg = arg;
}

static void describe_exit(const siginfo_t *info, char *how, size_t len)
{
	switch (info->si_code) {
	case CLD_EXITED:
		snprintf(how, len, "exited with status %d", info->si_status);
		break;
	case CLD_KILLED:
	case CLD_DUMPED:
		snprintf(how, len, "killed by signal %d (%s)%s", info->si_status,
			 strsignal(info->si_status),
			 info->si_code == CLD_DUMPED ? ", core dumped" : "");
		break;
	default:
		snprintf(how, len, "exited");
	}
}

/* The process has exited (its pidfd said so): collect it. */
static void reap(struct agent *agent, char *how, size_t len)
{
	siginfo_t info;

	memset(&info, 0, sizeof(info));
	loop_remove_fd(agent->pidfd);
	loop_cancel(agent->probe_timeout);
	agent->probe_timeout = 0;
	/*
	 * Only a child can be waited for; another's exit status is lost. Never
	 * block: a process killed while stuck in the kernel exits later.
	 */
	if (agent->child &&
	    waitid(P_PIDFD, agent->pidfd, &info, WEXITED | WNOHANG) == 0 &&
	    info.si_pid)
		describe_exit(&info, how, len);
	else
		snprintf(how, len, "exited");
	close(agent->pidfd);
	agent->pidfd = -1;
	agent->pid = 0;
	agent->state = AGENT_ABSENT;
}

static void on_pidfd(int fd, short revents, void *arg)
{
	struct agent *agent = arg;
	char how[256];

	(void)fd;
	(void)revents;
	reap(agent, how, sizeof(how));
	agent->on_exit(agent, how, agent->arg);
}

enum answer {
	ANSWER_NONE,		/* nobody listens on the socket */
	ANSWER_SILENT,		/* a process listens but does not answer */
	ANSWER_OK,		/* it answered a status request */
};

/* Who listens on @agent's socket (@pid), and whether it answers. */
static enum answer ask_status(const struct agent *agent, pid_t *pid)
{
	json_t *request = json_pack("{s:s}", PROTO_CMD, PROTO_CMD_STATUS), *reply;
	enum answer answer = ANSWER_NONE;
	struct ipc_conn conn;
	struct ucred peer;
	char why[256];

	if (ipc_connect(agent->socket_path, &conn))
		goto out;
	/* On the connecting side these are the credentials of the listener. */
	if (ipc_peer(&conn, &peer))
		goto close;
	*pid = peer.pid;
	answer = ANSWER_SILENT;
	if (ipc_send(&conn, request) == 0 &&
	    ipc_recv(&conn, &reply, AGENT_PROBE_TIMEOUT_MS, why, sizeof(why)) == 1) {
		if (json_is_true(json_object_get(reply, PROTO_OK)))
			answer = ANSWER_OK;
		json_decref(reply);
	}
close:
	ipc_close(&conn);
out:
	json_decref(request);
	return answer;
}

static void probe(void *arg)
{
	struct agent *agent = arg;
	pid_t pid;

	agent->probe_timeout = 0;
	if (ask_status(agent, &pid) == ANSWER_OK && pid == agent->pid) {
		agent->state = AGENT_RUNNING;
		agent->on_ready(agent, agent->arg);
		return;
	}
	if (loop_now_ms() - agent->started_ms >= AGENT_START_TIMEOUT_MS) {
		char how[256];

		agent_kill(agent);
		snprintf(how, sizeof(how), "did not answer on %s within %d ms",
			 agent->socket_path, AGENT_START_TIMEOUT_MS);
		agent->on_exit(agent, how, agent->arg);
		return;
	}
	agent->probe_timeout = loop_add_timeout(AGENT_PROBE_INTERVAL_MS, probe,
						agent);
}

/* In the child: become the agent, or report why not on @report_fd. */
static void exec_agent(char *const argv[], int liveness_fd, int report_fd)
{
	sigset_t none;
	int null_fd, err;

	/* The supervisor blocks signals for its signalfd; agents need them. */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	/* Its own session: a terminal's ^C aimed at ghostd must not kill it. */
	setsid();
	null_fd = open("/dev/null", O_RDONLY);
	if (null_fd > 0) {
		dup2(null_fd, STDIN_FILENO);
		close(null_fd);
	}
	fcntl(liveness_fd, F_SETFD, 0);
	unsetenv("NOTIFY_SOCKET");
	execv(argv[0], argv);
	err = errno;
	if (write(report_fd, &err, sizeof(err)) < 0)
		_exit(127);
	_exit(127);
}

int agent_spawn(struct agent *agent, const struct agent_launch *launch,
		char *why, size_t len)
{
	json_t *policy = json_pack("{s:s, s:O}", PROTO_PLUGIN, launch->plugin,
				   PROTO_PARAMS, launch->params);
	char *policy_json = json_dumps(policy, JSON_COMPACT);
	char liveness[16], grace[16];
	char *argv[] = {
		(char *)launch->program, agent->enclave,
		"--policy-json", policy_json,
		"--plugin-dir", (char *)launch->plugin_dir,
		"--socket", agent->socket_path,
		"--liveness-fd", liveness,
		"--liveness-grace-ms", grace,
		"--log-level", (char *)log_level_name(launch->log_level),
		launch->adopt ? "--adopt" : NULL,
		NULL
	};
	int report[2], err = 0, ret = -1;
	ssize_t n;
	pid_t pid;

	json_decref(policy);
	snprintf(liveness, sizeof(liveness), "%d", launch->liveness_fd);
	snprintf(grace, sizeof(grace), "%u", launch->liveness_grace_ms);
	if (pipe2(report, O_CLOEXEC)) {
		snprintf(why, len, "pipe: %s", strerror(errno));
		free(policy_json);
		return -1;
	}
	pid = fork();
	if (pid == 0)
		exec_agent(argv, launch->liveness_fd, report[1]);
	close(report[1]);
	if (pid < 0) {
		snprintf(why, len, "fork: %s", strerror(errno));
		goto out;
	}
	/* EOF: the exec worked and closed the pipe; else its errno. */
	do
		n = read(report[0], &err, sizeof(err));
	while (n < 0 && errno == EINTR);
	if (n == sizeof(err)) {
		waitpid(pid, NULL, 0);
		snprintf(why, len, "cannot run %s: %s", launch->program,
			 strerror(err));
		goto out;
	}
	agent->pidfd = pidfd_open(pid, 0);
	if (agent->pidfd < 0) {
		snprintf(why, len, "pidfd_open: %s", strerror(errno));
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		goto out;
	}
	agent->pid = pid;
	agent->child = true;
	agent->state = AGENT_STARTING;
	agent->started_ms = loop_now_ms();
	loop_add_fd(agent->pidfd, POLLIN, on_pidfd, agent);
	agent->probe_timeout = loop_add_timeout(AGENT_PROBE_INTERVAL_MS, probe,
						agent);
	log_info("enclave %s: agent process %d started%s", agent->enclave,
		 (int)pid, launch->adopt ? " to adopt the live enclave" : "");
	ret = 0;
out:
	close(report[0]);
	free(policy_json);
	return ret;
}

int agent_attach(struct agent *agent)
{
	enum answer answer;
	pid_t pid;

	answer = ask_status(agent, &pid);
	if (answer == ANSWER_NONE)
		return -1;
	agent->pidfd = pidfd_open(pid, 0);
	if (agent->pidfd < 0)
		return -1;
	agent->pid = pid;
	agent->child = false;
	agent->state = AGENT_RUNNING;
	agent->started_ms = loop_now_ms();
	loop_add_fd(agent->pidfd, POLLIN, on_pidfd, agent);
	if (answer == ANSWER_SILENT) {
		/* A hung agent would keep its CPUs from a successor: end it. */
		log_warn("enclave %s: agent process %d does not answer; killing it",
			 agent->enclave, (int)pid);
		agent_kill(agent);
		return -1;
	}
	log_info("enclave %s: reconnected to live agent process %d",
		 agent->enclave, (int)pid);
	return 0;
}

int agent_request(struct agent *agent, json_t *request, json_t **reply,
		  int timeout_ms, char *why, size_t len)
{
	json_t *error;

	*reply = NULL;
	if (agent->state != AGENT_RUNNING) {
		snprintf(why, len, "its agent is %s",
			 agent->state == AGENT_STARTING ? "still starting" :
			 "not running");
		return -1;
	}
	if (ipc_request(agent->socket_path, request, reply, timeout_ms, why, len))
		return -1;
	if (json_is_true(json_object_get(*reply, PROTO_OK)))
		return 0;
	error = json_object_get(*reply, PROTO_ERROR);
	snprintf(why, len, "%s", json_is_string(error) ? json_string_value(error) :
		 "the agent refused without saying why");
	json_decref(*reply);
	*reply = NULL;
	return -1;
}

/* Wait up to @timeout_ms for the process to exit; true if it did. */
static bool wait_exit(const struct agent *agent, int timeout_ms)
{
	struct pollfd pfd = { .fd = agent->pidfd, .events = POLLIN };
	int64_t deadline = loop_now_ms() + timeout_ms;
	int n;

	do
		n = poll(&pfd, 1, deadline - loop_now_ms() > 0 ?
			 deadline - loop_now_ms() : 0);
	while (n < 0 && errno == EINTR);
	return n > 0;
}

void agent_kill(struct agent *agent)
{
	char how[256];

	if (agent->state == AGENT_ABSENT)
		return;
	if (pidfd_send_signal(agent->pidfd, SIGKILL, NULL, 0) && errno != ESRCH)
		log_warn("enclave %s: cannot kill agent process %d: %s",
			 agent->enclave, (int)agent->pid, strerror(errno));
	wait_exit(agent, AGENT_STOP_TIMEOUT_MS);
	reap(agent, how, sizeof(how));
}

void agent_stop(struct agent *agent, bool destroy)
{
	json_t *request, *reply;
	char why[256], how[256];

	if (agent->state == AGENT_ABSENT)
		return;
	if (agent->state == AGENT_RUNNING) {
		request = json_pack("{s:s, s:b}", PROTO_CMD, PROTO_CMD_STOP,
				    PROTO_DESTROY, destroy);
		if (agent_request(agent, request, &reply, AGENT_STOP_TIMEOUT_MS,
				  why, sizeof(why)))
			log_warn("enclave %s: agent did not take the stop: %s",
				 agent->enclave, why);
		json_decref(reply);
		json_decref(request);
		if (wait_exit(agent, AGENT_STOP_TIMEOUT_MS)) {
			reap(agent, how, sizeof(how));
			log_info("enclave %s: agent stopped (%s)", agent->enclave, how);
			return;
		}
		log_warn("enclave %s: agent process %d did not exit within %d ms; killing it",
			 agent->enclave, (int)agent->pid, AGENT_STOP_TIMEOUT_MS);
	}
	agent_kill(agent);
}
