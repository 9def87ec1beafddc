// SPDX-License-Identifier: GPL-2.0
/*
 * ghost-agent: the agents of one enclave, in a process of their own.
 *
 *	ghost-agent NAME --policy-json JSON --plugin-dir DIR --socket PATH
 *		    [--liveness-fd N [--liveness-grace-ms MS]] [--adopt]
 *		    [--log-level LEVEL]
 *
 * It opens the live enclave NAME, loads the policy JSON names
 * ({"plugin": NAME, "params": {...}}) from DIR, becomes the enclave's
 * agents and schedules, answering the supervisor on the control socket
 * PATH (control.h). With --adopt, or whenever the enclave already has
 * tasks, it takes over from agents that died (rt_adopt()).
 *
 * The process locks its memory; its agent threads (agent_threads.h) block
 * every signal; this thread, which serves the socket and makes swaps,
 * keeps off the enclave's CPUs so that it never competes with the tasks
 * it schedules.
 *
 * The read end of the supervisor's liveness pipe is fd N. When every
 * write end is closed, no supervisor will come back: the agent destroys
 * its enclave, so every task returns to CFS, and exits. Given a grace
 * period, it first waits that long for a supervisor to speak on its
 * socket (a restarted one that could not keep the pipe), and stays if one
 * does; that supervisor's pipe is not ours, so from then on the agent
 * watches the supervisor's process instead (a pidfd), and its end starts
 * the grace period again. SIGTERM and SIGINT stop it without destroying
 * the enclave: its tasks wait for the next agent, within the enclave's
 * watchdog.
 *
 * Exit status: 0 once stopped, 1 if it could not start, 2 if the enclave
 * was destroyed under it (its watchdog fired, or an administrator).
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/pidfd.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"
#include "common/proto.h"
#include "runtime/kernel_backend.h"
#include "runtime/plugin.h"
#include "runtime/runtime.h"

#include "agent_threads.h"
#include "control.h"

#define EXIT_ENCLAVE_GONE	2
/* How often the loop looks at things that send no event (the enclave). */
#define LOOP_TICK_MS		200

struct options {
	const char *enclave;
	const char *plugin;
	json_t *params;
	const char *plugin_dir;
	const char *socket;
	int liveness_fd;
	int liveness_grace_ms;
	bool adopt;
	enum log_level log_level;
};

struct agent {
	struct options opt;
	struct backend *be;
	struct runtime *rt;
	struct agent_threads *threads;
	struct control control;
	int signal_fd;
	int supervisor_pidfd;		/* the supervisor that came back, or -1 */
	uint64_t orphaned_at_ms;	/* the supervisor left then, or 0 */
	bool destroy;
};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: ghost-agent NAME --policy-json JSON --plugin-dir DIR --socket PATH\n"
		"                   [--liveness-fd N [--liveness-grace-ms MS]] [--adopt]\n"
		"                   [--log-level error|warn|notice|info|debug]\n");
}

static int parse_policy(struct options *opt, const char *text)
{
	json_error_t error;
	json_t *policy = json_loads(text, 0, &error), *params;

	if (!policy || !json_is_object(policy) ||
	    !json_is_string(json_object_get(policy, PROTO_PLUGIN))) {
		fprintf(stderr, "ghost-agent: --policy-json: expected {\"%s\": NAME, \"%s\": {...}}%s%s\n",
			PROTO_PLUGIN, PROTO_PARAMS, policy ? "" : ": ",
			policy ? "" : error.text);
		json_decref(policy);
		return -1;
	}
	params = json_object_get(policy, PROTO_PARAMS);
	if (params && !json_is_object(params)) {
		fprintf(stderr, "ghost-agent: --policy-json: \"%s\" must be an object\n",
			PROTO_PARAMS);
		json_decref(policy);
		return -1;
	}
	opt->plugin = strdup(json_string_value(json_object_get(policy, PROTO_PLUGIN)));
	opt->params = params ? json_incref(params) : NULL;
	json_decref(policy);
	return opt->plugin ? 0 : -1;
}

static int parse_int(const char *text, const char *what, int min, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(text, &end, 10);
	if (errno || *end || end == text || v < min || v > 0x7fffffff) {
		fprintf(stderr, "ghost-agent: %s: expected an integer >= %d, got \"%s\"\n",
			what, min, text);
		return -1;
	}
	*out = (int)v;
	return 0;
}

static int parse_options(int argc, char **argv, struct options *opt)
{
	static const struct option longopts[] = {
		{ "policy-json", required_argument, NULL, 'p' },
		{ "plugin-dir", required_argument, NULL, 'd' },
		{ "socket", required_argument, NULL, 's' },
		{ "liveness-fd", required_argument, NULL, 'l' },
		{ "liveness-grace-ms", required_argument, NULL, 'g' },
		{ "adopt", no_argument, NULL, 'a' },
		{ "log-level", required_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c, level;

	*opt = (struct options){ .liveness_fd = -1, .log_level = LOG_LEVEL_INFO };
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (opt->plugin || parse_policy(opt, optarg))
				return -1;
			break;
		case 'd':
			opt->plugin_dir = optarg;
			break;
		case 's':
			opt->socket = optarg;
			break;
		case 'l':
			if (parse_int(optarg, "--liveness-fd", 0, &opt->liveness_fd))
				return -1;
			break;
		case 'g':
			if (parse_int(optarg, "--liveness-grace-ms", 0,
				      &opt->liveness_grace_ms))
				return -1;
			break;
		case 'a':
			opt->adopt = true;
			break;
		case 'v':
			level = log_level_from_name(optarg);
			if (level < 0) {
				fprintf(stderr, "ghost-agent: unknown log level \"%s\"\n", optarg);
				return -1;
			}
			opt->log_level = level;
			break;
		case 'h':
			usage(stdout);
			exit(EXIT_SUCCESS);
		default:
			usage(stderr);
			return -1;
		}
	}
	if (optind != argc - 1 || !opt->plugin || !opt->plugin_dir || !opt->socket) {
		usage(stderr);
		return -1;
	}
	opt->enclave = argv[optind];
	return 0;
}

/*
 * Lock memory, so that agents never wait on a page fault, and route the
 * stopping signals to a signalfd (agent threads block them all anyway).
 */
static int prepare_process(struct agent *ag)
{
	sigset_t stop;

	if (mlockall(MCL_CURRENT | MCL_FUTURE))
		log_warn("cannot lock memory (%s): agents may wait on page faults",
			 strerror(errno));
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &stop, NULL))
		return -1;
	ag->signal_fd = signalfd(-1, &stop, SFD_CLOEXEC | SFD_NONBLOCK);
	return ag->signal_fd < 0 ? -1 : 0;
}

/* Keep this thread, and the agent threads it creates, off the enclave. */
static int leave_enclave_cpus(struct agent *ag, char *why, size_t len)
{
	struct backend_enclave info;
	cpu_set_t mine;
	int ret = ag->be->ops->enclave_info(ag->be, &info);

	if (ret) {
		snprintf(why, len, "cannot read the enclave: %s", strerror(-ret));
		return -1;
	}
	if (sched_getaffinity(0, sizeof(mine), &mine)) {
		snprintf(why, len, "sched_getaffinity: %s", strerror(errno));
		return -1;
	}
	for (int cpu = 0; cpu < CPU_SETSIZE; cpu++)
		if (CPU_ISSET(cpu, &info.cpus))
			CPU_CLR(cpu, &mine);
	if (!CPU_COUNT(&mine)) {
		snprintf(why, len, "no CPU outside the enclave for the control thread");
		return -1;
	}
	if (sched_setaffinity(0, sizeof(mine), &mine)) {
		snprintf(why, len, "sched_setaffinity: %s", strerror(errno));
		return -1;
	}
	ag->opt.adopt |= info.nr_tasks > 0;
	return 0;
}

static int start(struct agent *ag)
{
	char why[512];
	uint32_t announced;

	if (kernel_backend_open(ag->opt.enclave, &ag->be, why, sizeof(why)) ||
	    leave_enclave_cpus(ag, why, sizeof(why)) ||
	    rt_create(&ag->rt, ag->be, ag->opt.plugin_dir, ag->opt.plugin,
		      ag->opt.params, why, sizeof(why)) ||
	    agent_threads_start(&ag->threads, ag->rt, why, sizeof(why))) {
		log_error("enclave %s: %s", ag->opt.enclave, why);
		return -1;
	}
	/* A dead agent's threads may hold CPUs a little longer. */
	if (!agent_threads_settle(ag->threads, 10000))
		log_warn("enclave %s: some CPUs have no agent yet", ag->opt.enclave);
	if (ag->opt.adopt) {
		int ret = rt_adopt(ag->rt, &announced);

		if (ret)
			log_error("enclave %s: cannot take its tasks over: %s",
				  ag->opt.enclave, strerror(-ret));
		else
			log_notice("enclave %s: took over %u tasks", ag->opt.enclave,
				   announced);
	}
	/* The supervisor learns that we schedule when we answer. */
	if (control_open(&ag->control, ag->opt.socket, ag->rt, ag->threads, why,
			 sizeof(why))) {
		log_error("enclave %s: %s", ag->opt.enclave, why);
		return -1;
	}
	log_notice("enclave %s: scheduling with %s", ag->opt.enclave, ag->opt.plugin);
	return 0;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ULL + ts.tv_nsec / 1000000;
}

/*
 * The liveness pipe's writers are all gone (no supervisor holds it), or
 * the supervisor that came back without it has exited.
 */
static void supervisor_gone(struct agent *ag)
{
	if (ag->opt.liveness_fd >= 0)
		close(ag->opt.liveness_fd);
	ag->opt.liveness_fd = -1;
	if (ag->supervisor_pidfd >= 0)
		close(ag->supervisor_pidfd);
	ag->supervisor_pidfd = -1;
	if (!ag->opt.liveness_grace_ms) {
		log_notice("enclave %s: no supervisor any more; destroying it",
			   ag->opt.enclave);
		ag->destroy = true;
		ag->control.stop_requested = true;
		return;
	}
	log_warn("enclave %s: no supervisor; destroying it in %d ms unless one returns",
		 ag->opt.enclave, ag->opt.liveness_grace_ms);
	ag->orphaned_at_ms = now_ms();
	ag->control.heard_from = false;
}

static void check_orphaned(struct agent *ag)
{
	if (!ag->orphaned_at_ms)
		return;
	if (ag->control.heard_from) {
		pid_t pid = ag->control.heard_from_pid;

		ag->orphaned_at_ms = 0;
		errno = EINVAL;
		ag->supervisor_pidfd = pid > 0 ? pidfd_open(pid, 0) : -1;
		if (ag->supervisor_pidfd < 0 && errno == ESRCH) {
			/* It came and went: wait again. */
			supervisor_gone(ag);
			return;
		}
		if (ag->supervisor_pidfd < 0)
			log_warn("enclave %s: cannot watch supervisor %d: %s; this agent "
				 "outlives it", ag->opt.enclave, (int)pid, strerror(errno));
		log_notice("enclave %s: a supervisor is back (process %d)",
			   ag->opt.enclave, (int)pid);
	} else if (now_ms() - ag->orphaned_at_ms >= (uint64_t)ag->opt.liveness_grace_ms) {
		log_notice("enclave %s: no supervisor came back; destroying it",
			   ag->opt.enclave);
		ag->destroy = true;
		ag->control.stop_requested = true;
	}
}

static void on_signal(struct agent *ag)
{
	struct signalfd_siginfo info;

	while (read(ag->signal_fd, &info, sizeof(info)) == sizeof(info)) {
		if (info.ssi_signo == SIGHUP)
			continue;
		log_notice("enclave %s: %s: stopping; the enclave stays",
			   ag->opt.enclave, strsignal(info.ssi_signo));
		ag->control.stop_requested = true;
	}
}

/* Serve until asked to stop; returns the exit status. */
static int serve(struct agent *ag)
{
	struct pollfd fds[2 + 1 + CONTROL_MAX_CLIENTS];

	for (;;) {
		unsigned int nr = 0, first_control;

		if (ag->control.stop_requested)
			return EXIT_SUCCESS;
		if (rt_enclave_gone(ag->rt)) {
			log_error("enclave %s: destroyed under its agents", ag->opt.enclave);
			return EXIT_ENCLAVE_GONE;
		}
		fds[nr++] = (struct pollfd){ .fd = ag->signal_fd, .events = POLLIN };
		/* Negative (none) is ignored by poll(2). */
		fds[nr++] = (struct pollfd){
			.fd = ag->opt.liveness_fd >= 0 ? ag->opt.liveness_fd :
			      ag->supervisor_pidfd,
			.events = POLLIN,
		};
		first_control = nr;
		nr += control_pollfds(&ag->control, fds + nr,
				      sizeof(fds) / sizeof(fds[0]) - nr);
		if (poll(fds, nr, LOOP_TICK_MS) < 0 && errno != EINTR) {
			log_error("poll: %s", strerror(errno));
			return EXIT_FAILURE;
		}
		if (fds[0].revents)
			on_signal(ag);
		/* Nothing is written to the pipe: any event is its end. */
		if (fds[1].fd >= 0 && fds[1].revents)
			supervisor_gone(ag);
		control_serve(&ag->control, fds + first_control, nr - first_control);
		check_orphaned(ag);
	}
}

static void finish(struct agent *ag)
{
	int ret;

	if (ag->destroy || ag->control.destroy_requested) {
		/* Every task returns to CFS; the agents find the enclave gone. */
		ret = ag->be->ops->destroy(ag->be);
		if (ret && ret != -ENODEV)
			log_error("enclave %s: cannot destroy it: %s",
				  ag->opt.enclave, strerror(-ret));
		else
			log_notice("enclave %s: destroyed", ag->opt.enclave);
	}
	agent_threads_stop(ag->threads);
	control_close(&ag->control, ag->opt.socket);
	rt_destroy(ag->rt);
	if (ag->be)
		ag->be->ops->close(ag->be);
}

int main(int argc, char **argv)
{
	struct agent ag = { .signal_fd = -1, .supervisor_pidfd = -1 };
	int status = EXIT_FAILURE;

	if (parse_options(argc, argv, &ag.opt))
		return EXIT_FAILURE;
	log_init("ghost-agent", ag.opt.log_level);
	control_init(&ag.control);
	if (ag.opt.liveness_fd < 0)
		log_warn("no --liveness-fd: the enclave outlives this agent's supervisor");
	if (prepare_process(&ag)) {
		log_error("cannot set up signals: %s", strerror(errno));
	} else if (!start(&ag)) {
		status = serve(&ag);
	}
	finish(&ag);
	if (ag.signal_fd >= 0)
		close(ag.signal_fd);
	if (ag.supervisor_pidfd >= 0)
		close(ag.supervisor_pidfd);
	json_decref(ag.opt.params);
	free((char *)ag.opt.plugin);
	log_fini();
	return status;
}
