/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What onboarding needs to know about a process, read from a proc file
 * system: its name, uids, cgroup, whether it is a kernel thread, when it
 * started, and the process a thread belongs to. Facts are read on first use and
 * kept, so a rule that looks only at comm costs one small read. The root
 * is a parameter so that tests can point it at a fake tree.
 */
#ifndef GHOSTD_PROCFS_H
#define GHOSTD_PROCFS_H

#include <limits.h>
#include <stdbool.h>
#include <sys/types.h>

#define PROCFS_ROOT		"/proc"
/* The kernel's TASK_COMM_LEN, NUL included. */
#define PROCFS_COMM_LEN		16

/* One process (or thread) and the facts read about it so far. */
struct process {
	const char *root;
	pid_t pid;
	unsigned known;		/* PROCFS_KNOW_* read successfully */
	bool gone;		/* a read failed: it exited, or never was */
	char comm[PROCFS_COMM_LEN];
	uid_t ruid;
	uid_t euid;
	pid_t tgid;
	bool kernel_thread;
	unsigned long long start_time;
	char cgroup[PATH_MAX];	/* its cgroup v2 path; "" if none */
};

void process_init(struct process *proc, const char *root, pid_t pid);

/*
 * Each returns 0 with the fact, or -1 if it cannot be read (the process
 * is gone, or the file lacks it); the pointers returned live as long as
 * @proc.
 */
int process_comm(struct process *proc, const char **comm);
int process_uids(struct process *proc, uid_t *ruid, uid_t *euid);
int process_tgid(struct process *proc, pid_t *tgid);
int process_cgroup(struct process *proc, const char **cgroup);
int process_is_kernel_thread(struct process *proc, bool *kernel_thread);
/* When it started, in clock ticks since boot: a pid and this name a process. */
int process_start_time(struct process *proc, unsigned long long *start_time);

/*
 * Call @visit for every process (not thread) under @root, in no particular
 * order, until it returns non-zero, which is then returned. -1 with errno
 * if @root cannot be read.
 */
int procfs_for_each_process(const char *root,
			    int (*visit)(pid_t pid, void *arg), void *arg);

#endif /* GHOSTD_PROCFS_H */
