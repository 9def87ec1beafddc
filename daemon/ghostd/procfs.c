// SPDX-License-Identifier: GPL-2.0
/*
 * Process facts from a proc file system: see procfs.h.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "procfs.h"

enum {
	PROCFS_KNOW_COMM = 1 << 0,
	PROCFS_KNOW_STATUS = 1 << 1,	/* uids and tgid */
	PROCFS_KNOW_STAT = 1 << 2,	/* kernel_thread and start_time */
	PROCFS_KNOW_CGROUP = 1 << 3,
};

/* PF_KTHREAD in the flags field of /proc/PID/stat (include/linux/sched.h). */
#define PROCFS_PF_KTHREAD	0x00200000UL

void process_init(struct process *proc, const char *root, pid_t pid)
{
	memset(proc, 0, sizeof(*proc));
	proc->root = root;
	proc->pid = pid;
}

/* Read /ROOT/PID/@name into @buf, NUL-terminated; its length or -1. */
static ssize_t read_proc_file(struct process *proc, const char *name,
			      char *buf, size_t size)
{
	char path[PATH_MAX];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%d/%s", proc->root, (int)proc->pid,
		 name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		proc->gone = true;
		return -1;
	}
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0) {
		proc->gone = true;
		return -1;
	}
	buf[n] = '\0';
	return n;
}

int process_comm(struct process *proc, const char **comm)
{
	/* The name, its newline and the NUL. */
	char buf[PROCFS_COMM_LEN + 1];

	if (!(proc->known & PROCFS_KNOW_COMM)) {
		if (read_proc_file(proc, "comm", buf, sizeof(buf)) < 0)
			return -1;
		buf[strcspn(buf, "\n")] = '\0';
		snprintf(proc->comm, sizeof(proc->comm), "%.*s",
			 PROCFS_COMM_LEN - 1, buf);
		proc->known |= PROCFS_KNOW_COMM;
	}
	*comm = proc->comm;
	return 0;
}

/* Number @nth (from 0) after "@label:" in /proc/PID/status text @buf. */
static int status_field(const char *buf, const char *label, int nth,
			unsigned long *value)
{
	size_t len = strlen(label);
	const char *line = buf;

	while (line && *line) {
		if (!strncmp(line, label, len) && line[len] == ':') {
			const char *p = line + len + 1;
			char *end;

			for (int i = 0; i <= nth; i++) {
				while (*p == ' ' || *p == '\t')
					p++;
				errno = 0;
				*value = strtoul(p, &end, 10);
				if (end == p || errno)
					return -1;
				p = end;
			}
			return 0;
		}
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	return -1;
}

static int read_status(struct process *proc)
{
	/* Status is about 1.5 KiB; Uid and Tgid come in its first lines. */
	char buf[4096];
	unsigned long ruid, euid, tgid;

	if (proc->known & PROCFS_KNOW_STATUS)
		return 0;
	if (read_proc_file(proc, "status", buf, sizeof(buf)) < 0)
		return -1;
	/* Uid: real, effective, saved, fs. */
	if (status_field(buf, "Uid", 0, &ruid) ||
	    status_field(buf, "Uid", 1, &euid) ||
	    status_field(buf, "Tgid", 0, &tgid))
		return -1;
	proc->ruid = ruid;
	proc->euid = euid;
	proc->tgid = tgid;
	proc->known |= PROCFS_KNOW_STATUS;
	return 0;
}

int process_uids(struct process *proc, uid_t *ruid, uid_t *euid)
{
	if (read_status(proc))
		return -1;
	*ruid = proc->ruid;
	*euid = proc->euid;
	return 0;
}

int process_tgid(struct process *proc, pid_t *tgid)
{
	if (read_status(proc))
		return -1;
	*tgid = proc->tgid;
	return 0;
}

int process_cgroup(struct process *proc, const char **cgroup)
{
	char buf[8192];
	const char *line;

	if (!(proc->known & PROCFS_KNOW_CGROUP)) {
		if (read_proc_file(proc, "cgroup", buf, sizeof(buf)) < 0)
			return -1;
		/* The unified (v2) hierarchy is the line "0::PATH". */
		for (line = buf; line && *line; line = strchr(line, '\n')) {
			if (*line == '\n')
				line++;
			if (!strncmp(line, "0::", 3)) {
				size_t len = strcspn(line + 3, "\n");

				if (len >= sizeof(proc->cgroup))
					return -1;
				memcpy(proc->cgroup, line + 3, len);
				proc->cgroup[len] = '\0';
				break;
			}
		}
		proc->known |= PROCFS_KNOW_CGROUP;
	}
	*cgroup = proc->cgroup;
	return 0;
}

static int read_stat(struct process *proc)
{
	char buf[1024];
	unsigned long flags = 0;
	const char *p;

	if (proc->known & PROCFS_KNOW_STAT)
		return 0;
	if (read_proc_file(proc, "stat", buf, sizeof(buf)) < 0)
		return -1;
	/*
	 * "pid (comm) state ppid pgrp session tty tpgid flags ... starttime"
	 * (fields 9 and 22): comm may hold spaces and parentheses, so count
	 * fields from the last ')'.
	 */
	p = strrchr(buf, ')');
	if (!p)
		return -1;
	p++;
	for (int field = 3; field <= 22; field++) {
		char *end;

		while (*p == ' ')
			p++;
		if (field == 9)
			flags = strtoul(p, &end, 10);
		else if (field == 22)
			proc->start_time = strtoull(p, &end, 10);
		else
			end = (char *)p + strcspn(p, " ");
		if (end == p)
			return -1;
		p = end;
	}
	proc->kernel_thread = flags & PROCFS_PF_KTHREAD;
	proc->known |= PROCFS_KNOW_STAT;
	return 0;
}

int process_is_kernel_thread(struct process *proc, bool *kernel_thread)
{
	if (read_stat(proc))
		return -1;
	*kernel_thread = proc->kernel_thread;
	return 0;
}

int process_start_time(struct process *proc, unsigned long long *start_time)
{
	if (read_stat(proc))
		return -1;
	*start_time = proc->start_time;
	return 0;
}

int procfs_for_each_process(const char *root,
			    int (*visit)(pid_t pid, void *arg), void *arg)
{
	DIR *dir = opendir(root);
	struct dirent *entry;
	int ret = 0;

	if (!dir)
		return -1;
	while (!ret && (entry = readdir(dir))) {
		char *end;
		long pid;

		if (!isdigit((unsigned char)entry->d_name[0]))
			continue;
		pid = strtol(entry->d_name, &end, 10);
		if (*end || pid <= 0)
			continue;
		ret = visit(pid, arg);
	}
	closedir(dir);
	return ret;
}
