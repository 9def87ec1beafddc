// SPDX-License-Identifier: GPL-2.0
/*
 * Onboarding: see onboard.h.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"
#include "common/xalloc.h"
#include "kernel.h"
#include "loop.h"
#include "onboard.h"
#include "proc_events.h"
#include "procfs.h"

/* A process removed by hand: rules leave it alone while it lives. */
struct opted_out {
	pid_t tgid;
	unsigned long long start_time;	/* tells it from a later one of that pid */
};

static struct {
	struct onboard_target *targets;
	size_t nr;
	struct opted_out *opted_out;
	size_t nr_opted_out;
	/* The rules of the targets taking tasks, and which target each is. */
	struct rule_set *sets;
	size_t *set_target;
	size_t nr_sets;
} onboard;

/* The agent process @tgid is, or NULL. */
static const struct onboard_target *agent_of(pid_t tgid)
{
	for (size_t i = 0; i < onboard.nr; i++)
		if (onboard.targets[i].agent_pid == tgid)
			return &onboard.targets[i];
	return NULL;
}

static bool excluded(pid_t tgid)
{
	return tgid == getpid() || agent_of(tgid);
}

/* Whether @proc was removed by hand; forgets processes that are gone. */
static bool is_opted_out(struct process *proc)
{
	unsigned long long start_time;

	for (size_t i = 0; i < onboard.nr_opted_out; i++) {
		struct opted_out *entry = &onboard.opted_out[i];

		if (entry->tgid != proc->pid)
			continue;
		if (process_start_time(proc, &start_time) == 0 &&
		    start_time == entry->start_time)
			return true;
		*entry = onboard.opted_out[--onboard.nr_opted_out];
		return false;
	}
	return false;
}

void onboard_opt_out(pid_t pid)
{
	struct process proc;
	pid_t tgid;

	process_init(&proc, PROCFS_ROOT, pid);
	if (process_tgid(&proc, &tgid))
		return;
	onboard_opt_in(tgid);
	process_init(&proc, PROCFS_ROOT, tgid);
	onboard.opted_out = xrealloc(onboard.opted_out, (onboard.nr_opted_out + 1) *
				     sizeof(*onboard.opted_out));
	onboard.opted_out[onboard.nr_opted_out].tgid = tgid;
	if (process_start_time(&proc, &onboard.opted_out[onboard.nr_opted_out].start_time) == 0)
		onboard.nr_opted_out++;
}

void onboard_opt_in(pid_t pid)
{
	struct process proc;
	pid_t tgid;

	process_init(&proc, PROCFS_ROOT, pid);
	if (process_tgid(&proc, &tgid))
		return;
	for (size_t i = 0; i < onboard.nr_opted_out; i++)
		if (onboard.opted_out[i].tgid == tgid)
			onboard.opted_out[i] = onboard.opted_out[--onboard.nr_opted_out];
}

int onboard_add(const struct onboard_target *target, pid_t pid, bool process,
		struct ghost_add_task *result)
{
	struct process proc;
	const char *comm = "?";
	int ret = kernel_add_task(target->enclave_fd, pid, process, result);
	int err = errno;

	process_init(&proc, PROCFS_ROOT, pid);
	process_comm(&proc, &comm);
	if (ret && err == EALREADY && !result->nr_added)
		log_debug("enclave %s: %d (%s) is in another enclave already",
			  target->name, (int)pid, comm);
	else if (ret && err != ESRCH)
		log_warn("enclave %s: %s %d (%s): %u threads added, %u failed: %s",
			 target->name, process ? "process" : "thread", (int)pid,
			 comm, result->nr_added, result->nr_failed, kernel_add_error(err));
	else if (result->nr_added)
		log_info("enclave %s: onboarded %s %d (%s): %u threads",
			 target->name, process ? "process" : "thread", (int)pid,
			 comm, result->nr_added);
	errno = err;
	return ret;
}

/* Onboard process @tgid if a target's rules take it. */
static void consider(pid_t tgid, const char *only)
{
	struct ghost_add_task result;
	const struct onboard_target *target;
	struct process proc;
	int picked;

	if (!onboard.nr_sets || excluded(tgid))
		return;
	process_init(&proc, PROCFS_ROOT, tgid);
	if (onboard.nr_opted_out && is_opted_out(&proc))
		return;
	picked = rules_pick(onboard.sets, onboard.nr_sets, &proc);
	if (picked < 0)
		return;
	target = &onboard.targets[onboard.set_target[picked]];
	if (only && strcmp(target->name, only))
		return;
	onboard_add(target, tgid, true, &result);
}

static void on_event(const struct proc_event_info *event, void *arg)
{
	pid_t *last = arg;

	switch (event->kind) {
	case PROC_EVENT_KIND_FORK:
		/* New threads start in their creator's enclave, or stay out. */
		if (event->pid != event->tgid || excluded(event->parent_tgid))
			return;
		break;
	case PROC_EVENT_KIND_COMM:
		/* A process is known by its main thread's name. */
		if (event->pid != event->tgid)
			return;
		break;
	case PROC_EVENT_KIND_EXEC:
		break;
	}
	/* An exec renames the process too: one look is enough. */
	if (event->tgid == *last)
		return;
	*last = event->tgid;
	consider(event->tgid, NULL);
}

static void on_events_readable(int fd, short revents, void *arg)
{
	pid_t last = 0;

	(void)fd;
	(void)revents;
	(void)arg;
	if (proc_events_read(on_event, &last) == 0)
		return;
	if (errno == ENOBUFS) {
		log_warn("process events were lost; scanning /proc again");
		onboard_scan(NULL);
	} else {
		log_error("process events: %s", strerror(errno));
	}
}

int onboard_init(char *why, size_t len)
{
	memset(&onboard, 0, sizeof(onboard));
	if (proc_events_init(why, len))
		return -1;
	loop_add_fd(proc_events_fd(), POLLIN, on_events_readable, NULL);
	return 0;
}

void onboard_fini(void)
{
	if (proc_events_fd() >= 0)
		loop_remove_fd(proc_events_fd());
	proc_events_fini();
	free(onboard.targets);
	free(onboard.sets);
	free(onboard.set_target);
	free(onboard.opted_out);
	memset(&onboard, 0, sizeof(onboard));
}

void onboard_set_targets(const struct onboard_target *targets, size_t nr)
{
	free(onboard.targets);
	free(onboard.sets);
	free(onboard.set_target);
	onboard.targets = xcalloc(nr, sizeof(*targets));
	memcpy(onboard.targets, targets, nr * sizeof(*targets));
	onboard.nr = nr;
	onboard.sets = xcalloc(nr, sizeof(*onboard.sets));
	onboard.set_target = xcalloc(nr, sizeof(*onboard.set_target));
	onboard.nr_sets = 0;
	for (size_t i = 0; i < nr; i++) {
		if (targets[i].enclave_fd < 0 || !targets[i].nr_rules)
			continue;
		onboard.sets[onboard.nr_sets] = (struct rule_set){
			targets[i].rules, targets[i].nr_rules
		};
		onboard.set_target[onboard.nr_sets++] = i;
	}
}

static int visit(pid_t pid, void *arg)
{
	consider(pid, arg);
	return 0;
}

void onboard_scan(const char *name)
{
	if (procfs_for_each_process(PROCFS_ROOT, visit, (void *)name))
		log_error("cannot scan %s: %s", PROCFS_ROOT, strerror(errno));
}

const char *onboard_refusal(pid_t pid, char *buf, size_t len)
{
	const struct onboard_target *agent;
	struct process proc;
	bool kernel_thread;
	pid_t tgid;

	process_init(&proc, PROCFS_ROOT, pid);
	if (process_tgid(&proc, &tgid) ||
	    process_is_kernel_thread(&proc, &kernel_thread)) {
		snprintf(buf, len, "no process or thread %d", (int)pid);
		return buf;
	}
	agent = agent_of(tgid);
	if (tgid == getpid())
		snprintf(buf, len, "%d is ghostd itself", (int)pid);
	else if (agent)
		snprintf(buf, len, "%d is the agent of enclave %s", (int)pid,
			 agent->name);
	else if (kernel_thread)
		snprintf(buf, len, "%d is a kernel thread", (int)pid);
	else
		return NULL;
	return buf;
}

const struct onboard_target *onboard_match(pid_t pid)
{
	struct process proc;
	pid_t tgid;
	int picked;

	process_init(&proc, PROCFS_ROOT, pid);
	if (process_tgid(&proc, &tgid))
		return NULL;
	process_init(&proc, PROCFS_ROOT, tgid);
	picked = rules_pick(onboard.sets, onboard.nr_sets, &proc);
	return picked < 0 ? NULL : &onboard.targets[onboard.set_target[picked]];
}
