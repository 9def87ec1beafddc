// SPDX-License-Identifier: GPL-2.0
/*
 * Proves: onboarding rules match the processes they should and no others,
 * read from a fake /proc tree in a temporary directory (no root needed):
 * comm exact and by prefix, effective (not real) uid, a cgroup and the
 * cgroups below it (not a sibling sharing a prefix), pid, every fact of a
 * rule at once; a command name holding spaces and parentheses does not
 * confuse /proc/PID/stat; kernel threads match no rule; the first enclave
 * whose rules match takes the process; a process that is gone matches
 * nothing; the /proc scan visits processes only. Also that datagrams of the
 * process events connector decode into fork, exec and rename events, skip
 * other events and other connectors, and are refused when truncated.
 */
#include <check.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/cn_proc.h>
#include <linux/connector.h>
#include <linux/netlink.h>

#include "ghostd/proc_events.h"
#include "ghostd/procfs.h"
#include "ghostd/rules.h"

#define PF_KTHREAD	0x00200000U

static char root[64];	/* the fake /proc */

struct fake {
	pid_t pid;
	pid_t tgid;		/* 0: the process itself */
	const char *comm;
	uid_t ruid;
	uid_t euid;
	const char *cgroup;	/* /proc/PID/cgroup as written, or NULL */
	bool kernel_thread;
	unsigned long long start_time;
};

static void write_proc_file(pid_t pid, const char *name, const char *text)
{
	char path[PATH_MAX];
	FILE *file;

	snprintf(path, sizeof(path), "%s/%d/%s", root, (int)pid, name);
	file = fopen(path, "w");
	ck_assert_ptr_nonnull(file);
	fputs(text, file);
	fclose(file);
}

/* /proc/PID/{comm,status,stat,cgroup} as the kernel writes them. */
static void make_process(const struct fake *f)
{
	char path[PATH_MAX], text[1024];

	snprintf(path, sizeof(path), "%s/%d", root, (int)f->pid);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	snprintf(text, sizeof(text), "%s\n", f->comm);
	write_proc_file(f->pid, "comm", text);
	snprintf(text, sizeof(text),
		 "Name:\t%s\nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t%d\n"
		 "Ngid:\t0\nPid:\t%d\nPPid:\t1\nTracerPid:\t0\n"
		 "Uid:\t%u\t%u\t%u\t%u\nGid:\t0\t0\t0\t0\nFDSize:\t64\n",
		 f->comm, (int)(f->tgid ? f->tgid : f->pid), (int)f->pid,
		 f->ruid, f->euid, f->euid, f->euid);
	write_proc_file(f->pid, "status", text);
	/* Fields 1-22: pid (comm) state ppid pgrp session tty tpgid flags ... starttime */
	snprintf(text, sizeof(text),
		 "%d (%s) S 1 %d %d 0 -1 %u 120 0 3 0 5 2 0 0 20 0 1 0 %llu 1000 50\n",
		 (int)f->pid, f->comm, (int)f->pid, (int)f->pid,
		 0x400040U | (f->kernel_thread ? PF_KTHREAD : 0), f->start_time);
	write_proc_file(f->pid, "stat", text);
	if (f->cgroup)
		write_proc_file(f->pid, "cgroup", f->cgroup);
}

static const struct fake processes[] = {
	{ .pid = 100, .comm = "hackbench", .ruid = 1000, .euid = 1000,
	  .cgroup = "0::/user.slice/user-1000.slice/session-1.scope\n",
	  .start_time = 5000 },
	{ .pid = 101, .comm = "stress-ng-cpu", .ruid = 1000, .euid = 1000,
	  .cgroup = "0::/system.slice/batch.service\n" },
	{ .pid = 102, .comm = "stress", .ruid = 0, .euid = 0,
	  .cgroup = "0::/system.slicex/other.service\n" },
	/* setuid: real uid 1000, effective 0 */
	{ .pid = 103, .comm = "passwd", .ruid = 1000, .euid = 0,
	  .cgroup = "0::/system.slice\n" },
	/* A hybrid hierarchy: v1 lines before the unified one. */
	{ .pid = 104, .comm = "my (odd) name", .ruid = 33, .euid = 33,
	  .cgroup = "12:cpuset:/\n11:memory:/web\n0::/system.slice/web.service\n" },
	{ .pid = 2, .comm = "kthreadd", .kernel_thread = true, .cgroup = "0::/\n" },
	{ .pid = 105, .comm = "kworker/0:1", .kernel_thread = true,
	  .cgroup = "0::/\n" },
	/* A thread of 100, seen through /proc/100/task only by the kernel. */
	{ .pid = 150, .tgid = 100, .comm = "hackbench", .ruid = 1000, .euid = 1000,
	  .cgroup = "0::/user.slice\n" },
};

static void make_tree(void)
{
	char path[PATH_MAX];

	snprintf(root, sizeof(root), "/tmp/check_onboard.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(root));
	for (size_t i = 0; i < sizeof(processes) / sizeof(processes[0]); i++)
		make_process(&processes[i]);
	/* Not processes: the scan must skip them. */
	snprintf(path, sizeof(path), "%s/self", root);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/sys", root);
	ck_assert_int_eq(mkdir(path, 0755), 0);
}

static void remove_tree(void)
{
	char command[PATH_MAX];

	snprintf(command, sizeof(command), "rm -rf %s", root);
	ck_assert_int_eq(system(command), 0);
}

/* Whether process @pid of the fake tree matches @rule. */
static bool matches(const struct onboard_rule *rule, pid_t pid)
{
	struct process proc;

	process_init(&proc, root, pid);
	return rule_matches(rule, &proc);
}

START_TEST(comm_exact)
{
	struct onboard_rule rule = { .facts = RULE_COMM, .comm = "hackbench" };

	ck_assert(matches(&rule, 100));
	ck_assert(!matches(&rule, 101));
	strcpy(rule.comm, "hackbenc");
	ck_assert(!matches(&rule, 100));
}
END_TEST

START_TEST(comm_prefix)
{
	struct onboard_rule rule = { .facts = RULE_COMM_PREFIX, .comm = "stress" };

	ck_assert(matches(&rule, 101));
	ck_assert(matches(&rule, 102));
	ck_assert(!matches(&rule, 100));
	strcpy(rule.comm, "stress-");
	ck_assert(matches(&rule, 101));
	ck_assert(!matches(&rule, 102));
}
END_TEST

START_TEST(comm_with_spaces_and_parentheses)
{
	struct onboard_rule rule = { .facts = RULE_COMM, .comm = "my (odd) name" };
	struct process proc;
	bool kernel_thread = true;

	ck_assert(matches(&rule, 104));
	process_init(&proc, root, 104);
	ck_assert_int_eq(process_is_kernel_thread(&proc, &kernel_thread), 0);
	ck_assert(!kernel_thread);
}
END_TEST

START_TEST(uid_is_the_effective_one)
{
	struct onboard_rule rule = { .facts = RULE_UID, .uid = 1000 };

	ck_assert(matches(&rule, 100));
	/* passwd runs as root for user 1000: it is root's now. */
	ck_assert(!matches(&rule, 103));
	rule.uid = 0;
	ck_assert(matches(&rule, 103));
}
END_TEST

START_TEST(cgroup_and_below)
{
	struct onboard_rule rule = { .facts = RULE_CGROUP, .cgroup = "/system.slice" };

	ck_assert(matches(&rule, 101));		/* below */
	ck_assert(matches(&rule, 103));		/* itself */
	ck_assert(matches(&rule, 104));		/* below, hybrid hierarchy */
	ck_assert(!matches(&rule, 102));	/* /system.slicex: a sibling */
	ck_assert(!matches(&rule, 100));
	rule.cgroup = "/";
	ck_assert(matches(&rule, 100));
	ck_assert(matches(&rule, 102));
	rule.cgroup = "/system.slice/web.service";
	ck_assert(matches(&rule, 104));
	ck_assert(!matches(&rule, 101));
}
END_TEST

START_TEST(pid)
{
	struct onboard_rule rule = { .facts = RULE_PID, .pid = 102 };

	ck_assert(matches(&rule, 102));
	ck_assert(!matches(&rule, 101));
}
END_TEST

START_TEST(every_fact_of_a_rule)
{
	struct onboard_rule rule = {
		.facts = RULE_COMM_PREFIX | RULE_UID | RULE_CGROUP,
		.comm = "stress", .uid = 1000, .cgroup = "/system.slice",
	};

	ck_assert(matches(&rule, 101));
	rule.uid = 0;
	ck_assert(!matches(&rule, 101));
	/* No fact, no match: an empty rule takes nothing. */
	rule.facts = 0;
	ck_assert(!matches(&rule, 101));
}
END_TEST

START_TEST(gone_process_matches_nothing)
{
	struct onboard_rule rule = { .facts = RULE_CGROUP, .cgroup = "/" };
	struct process proc;
	const char *comm;

	ck_assert(!matches(&rule, 4242));
	process_init(&proc, root, 4242);
	ck_assert_int_eq(process_comm(&proc, &comm), -1);
	ck_assert(proc.gone);
}
END_TEST

START_TEST(first_enclave_wins_and_kernel_threads_never)
{
	const struct onboard_rule by_uid[] = { { .facts = RULE_UID, .uid = 0 } };
	const struct onboard_rule by_comm[] = {
		{ .facts = RULE_COMM, .comm = "kthreadd" },
		{ .facts = RULE_COMM_PREFIX, .comm = "stress" },
	};
	const struct rule_set sets[] = { { NULL, 0 }, { by_comm, 2 }, { by_uid, 1 } };
	struct process proc;

	process_init(&proc, root, 102);		/* stress, uid 0: both match */
	ck_assert_int_eq(rules_pick(sets, 3, &proc), 1);
	process_init(&proc, root, 103);		/* passwd, uid 0 */
	ck_assert_int_eq(rules_pick(sets, 3, &proc), 2);
	process_init(&proc, root, 100);		/* uid 1000, hackbench */
	ck_assert_int_eq(rules_pick(sets, 3, &proc), -1);
	process_init(&proc, root, 2);		/* kthreadd, uid 0 */
	ck_assert_int_eq(rules_pick(sets, 3, &proc), -1);
	process_init(&proc, root, 105);
	ck_assert_int_eq(rules_pick(sets, 3, &proc), -1);
}
END_TEST

START_TEST(thread_facts)
{
	unsigned long long start_time;
	struct process proc;
	uid_t ruid, euid;
	pid_t tgid;

	process_init(&proc, root, 150);
	ck_assert_int_eq(process_tgid(&proc, &tgid), 0);
	ck_assert_int_eq(tgid, 100);
	process_init(&proc, root, 100);
	ck_assert_int_eq(process_tgid(&proc, &tgid), 0);
	ck_assert_int_eq(tgid, 100);
	ck_assert_int_eq(process_start_time(&proc, &start_time), 0);
	ck_assert_uint_eq(start_time, 5000);
	process_init(&proc, root, 103);
	ck_assert_int_eq(process_uids(&proc, &ruid, &euid), 0);
	ck_assert_uint_eq(ruid, 1000);
	ck_assert_uint_eq(euid, 0);
}
END_TEST

static int count_visit(pid_t pid, void *arg)
{
	int *count = arg;

	ck_assert_int_gt(pid, 0);
	(*count)++;
	return 0;
}

static int stop_at_103(pid_t pid, void *arg)
{
	(void)arg;
	return pid == 103 ? 7 : 0;
}

START_TEST(scan_visits_processes_only)
{
	int count = 0;

	ck_assert_int_eq(procfs_for_each_process(root, count_visit, &count), 0);
	ck_assert_int_eq(count, sizeof(processes) / sizeof(processes[0]));
	ck_assert_int_eq(procfs_for_each_process(root, stop_at_103, NULL), 7);
	ck_assert_int_eq(procfs_for_each_process("/nonexistent", count_visit, &count), -1);
}
END_TEST

/* A datagram of @nr connector messages, as the kernel sends them. */
struct datagram {
	char buf[4096] __attribute__((aligned(NLMSG_ALIGNTO)));
	size_t len;
};

static void add_message(struct datagram *d, __u32 idx, const struct proc_event *event,
			size_t event_len)
{
	struct nlmsghdr *header = (struct nlmsghdr *)(d->buf + d->len);
	struct cn_msg *msg = NLMSG_DATA(header);

	header->nlmsg_len = NLMSG_LENGTH(sizeof(*msg) + event_len);
	header->nlmsg_type = NLMSG_DONE;
	msg->id.idx = idx;
	msg->id.val = CN_VAL_PROC;
	msg->len = event_len;
	memcpy(msg->data, event, event_len);
	d->len += NLMSG_ALIGN(header->nlmsg_len);
}

struct seen {
	struct proc_event_info events[8];
	int nr;
};

static void collect(const struct proc_event_info *event, void *arg)
{
	struct seen *seen = arg;

	ck_assert_int_lt(seen->nr, 8);
	seen->events[seen->nr++] = *event;
}

START_TEST(connector_events_decode)
{
	struct datagram d = { .len = 0 };
	struct proc_event event;
	struct seen seen = { .nr = 0 };

	memset(&event, 0, sizeof(event));
	event.what = PROC_EVENT_FORK;
	event.event_data.fork.parent_pid = 10;
	event.event_data.fork.parent_tgid = 10;
	event.event_data.fork.child_pid = 11;
	event.event_data.fork.child_tgid = 11;
	add_message(&d, CN_IDX_PROC, &event, sizeof(event));
	memset(&event, 0, sizeof(event));
	event.what = PROC_EVENT_EXIT;	/* skipped */
	event.event_data.exit.process_pid = 9;
	add_message(&d, CN_IDX_PROC, &event, sizeof(event));
	memset(&event, 0, sizeof(event));
	event.what = PROC_EVENT_EXEC;
	event.event_data.exec.process_pid = 11;
	event.event_data.exec.process_tgid = 11;
	add_message(&d, CN_IDX_PROC, &event, sizeof(event));
	/* Another connector's message on the same socket: skipped. */
	add_message(&d, CN_IDX_PROC + 1, &event, sizeof(event));
	memset(&event, 0, sizeof(event));
	event.what = PROC_EVENT_COMM;
	event.event_data.comm.process_pid = 12;
	event.event_data.comm.process_tgid = 11;
	strcpy(event.event_data.comm.comm, "worker");
	add_message(&d, CN_IDX_PROC, &event, sizeof(event));

	ck_assert_int_eq(proc_events_decode(d.buf, d.len, collect, &seen), 3);
	ck_assert_int_eq(seen.nr, 3);
	ck_assert_int_eq(seen.events[0].kind, PROC_EVENT_KIND_FORK);
	ck_assert_int_eq(seen.events[0].pid, 11);
	ck_assert_int_eq(seen.events[0].tgid, 11);
	ck_assert_int_eq(seen.events[0].parent_tgid, 10);
	ck_assert_int_eq(seen.events[1].kind, PROC_EVENT_KIND_EXEC);
	ck_assert_int_eq(seen.events[1].tgid, 11);
	ck_assert_int_eq(seen.events[2].kind, PROC_EVENT_KIND_COMM);
	ck_assert_int_eq(seen.events[2].pid, 12);
	ck_assert_int_eq(seen.events[2].tgid, 11);
}
END_TEST

START_TEST(truncated_connector_events_are_refused)
{
	struct datagram d = { .len = 0 };
	struct proc_event event;
	struct seen seen = { .nr = 0 };
	size_t short_len = offsetof(struct proc_event, event_data) + 4;

	memset(&event, 0, sizeof(event));
	event.what = PROC_EVENT_FORK;
	/* Claims a payload too short for a fork event. */
	add_message(&d, CN_IDX_PROC, &event, short_len);
	ck_assert_int_eq(proc_events_decode(d.buf, d.len, collect, &seen), -1);
	ck_assert_int_eq(seen.nr, 0);
	/* A cn_msg whose length runs past its netlink message. */
	d.len = 0;
	add_message(&d, CN_IDX_PROC, &event, sizeof(event));
	((struct cn_msg *)NLMSG_DATA((struct nlmsghdr *)d.buf))->len = 4000;
	ck_assert_int_eq(proc_events_decode(d.buf, d.len, collect, &seen), -1);
	/* A datagram cut short decodes nothing. */
	ck_assert_int_eq(proc_events_decode(d.buf, 8, collect, &seen), 0);
}
END_TEST

static Suite *onboard_suite(void)
{
	Suite *s = suite_create("onboard");
	TCase *tc = tcase_create("rules");

	tcase_add_checked_fixture(tc, make_tree, remove_tree);
	tcase_add_test(tc, comm_exact);
	tcase_add_test(tc, comm_prefix);
	tcase_add_test(tc, comm_with_spaces_and_parentheses);
	tcase_add_test(tc, uid_is_the_effective_one);
	tcase_add_test(tc, cgroup_and_below);
	tcase_add_test(tc, pid);
	tcase_add_test(tc, every_fact_of_a_rule);
	tcase_add_test(tc, gone_process_matches_nothing);
	tcase_add_test(tc, first_enclave_wins_and_kernel_threads_never);
	tcase_add_test(tc, thread_facts);
	tcase_add_test(tc, scan_visits_processes_only);
	suite_add_tcase(s, tc);

	tc = tcase_create("process events");
	tcase_add_test(tc, connector_events_decode);
	tcase_add_test(tc, truncated_connector_events_are_refused);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(onboard_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
