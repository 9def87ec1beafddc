// SPDX-License-Identifier: GPL-2.0
/*
 * The supervisor's calls into ghost.ko: see kernel.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "abi.h"
#include "kernel.h"

static int ghost_fd = -1;

int kernel_init(char *why, size_t len)
{
	ghost_fd = open(GHOST_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	if (ghost_fd < 0) {
		snprintf(why, len, "%s: %s%s", GHOST_DEVICE_PATH, strerror(errno),
			 errno == ENOENT ? " (is ghost.ko loaded?)" : "");
		return -1;
	}
	if (abi_check(ghost_fd, why, len)) {
		kernel_fini();
		return -1;
	}
	return 0;
}

void kernel_fini(void)
{
	if (ghost_fd >= 0)
		close(ghost_fd);
	ghost_fd = -1;
}

int kernel_create_enclave(const char *name, const cpu_set_t *cpus,
			  unsigned watchdog_ms, unsigned max_tasks)
{
	struct ghost_enclave_create create = {
		.cpus_ptr = (uintptr_t)cpus,
		.cpus_size = sizeof(*cpus),
		.max_tasks = max_tasks,
		.watchdog_ms = watchdog_ms,
	};

	snprintf(create.name, sizeof(create.name), "%s", name);
	if (ioctl(ghost_fd, GHOST_IOC_CREATE_ENCLAVE, &create))
		return -1;
	return create.fd;
}

int kernel_open_enclave(const char *name)
{
	struct ghost_enclave_open open_by_name = { 0 };

	snprintf(open_by_name.name, sizeof(open_by_name.name), "%s", name);
	if (ioctl(ghost_fd, GHOST_IOC_OPEN_ENCLAVE, &open_by_name))
		return -1;
	return open_by_name.fd;
}

int kernel_open_enclave_id(uint64_t id)
{
	struct ghost_enclave_open open_by_id = { .id = id };

	if (ioctl(ghost_fd, GHOST_IOC_OPEN_ENCLAVE, &open_by_id))
		return -1;
	return open_by_id.fd;
}

int kernel_enclave_info(int enclave_fd, struct ghost_enclave_info *info)
{
	memset(info, 0, sizeof(*info));
	return ioctl(enclave_fd, GHOST_IOC_ENCLAVE_INFO, info);
}

int kernel_destroy_enclave(int enclave_fd)
{
	return ioctl(enclave_fd, GHOST_IOC_DESTROY_ENCLAVE);
}

int kernel_set_cpus(int enclave_fd, const cpu_set_t *cpus)
{
	struct ghost_enclave_cpus set = {
		.cpus_ptr = (uintptr_t)cpus,
		.cpus_size = sizeof(*cpus),
	};

	return ioctl(enclave_fd, GHOST_IOC_SET_CPUS, &set);
}

void kernel_info_cpus(const struct ghost_enclave_info *info, cpu_set_t *cpus)
{
	const int bits = 8 * sizeof(info->cpus[0]);

	CPU_ZERO(cpus);
	for (int cpu = 0; cpu < CPU_SETSIZE && cpu < (int)(8 * sizeof(info->cpus)); cpu++)
		if (info->cpus[cpu / bits] >> (cpu % bits) & 1)
			CPU_SET(cpu, cpus);
}

int kernel_set_watchdog(int enclave_fd, unsigned watchdog_ms)
{
	struct ghost_enclave_info info;
	struct ghost_enclave_config config = { .watchdog_ms = watchdog_ms };

	/* CONFIGURE sets the flags too: pass the current ones. */
	if (kernel_enclave_info(enclave_fd, &info))
		return -1;
	config.flags = info.flags;
	return ioctl(enclave_fd, GHOST_IOC_CONFIGURE, &config);
}

int kernel_add_task(int enclave_fd, pid_t pid, bool process,
		    struct ghost_add_task *result)
{
	memset(result, 0, sizeof(*result));
	result->pid = pid;
	result->flags = GHOST_ADD_F_SKIP_MEMBERS | GHOST_ADD_F_CONTINUE;
	if (process)
		result->flags |= GHOST_ADD_F_PROCESS;
	return ioctl(enclave_fd, GHOST_IOC_ADD_TASK, result);
}

const char *kernel_add_error(int err)
{
	switch (err) {
	case EXDEV:
		return "its CPU affinity allows no CPU of the enclave";
	case EINVAL:
		return "a kernel thread, or a policy other than SCHED_OTHER, SCHED_BATCH "
		       "or SCHED_IDLE";
	case ENOSPC:
		return "the enclave holds max_tasks tasks already";
	case EALREADY:
		return "a ghost task of another enclave already";
	case EBUSY:
		return "being added to another enclave at this moment";
	case EPERM:
		return "not permitted";
	case ESRCH:
		return "no such thread, or it is exiting";
	case ENODEV:
		return "the enclave is gone";
	}
	return strerror(err);
}

int kernel_remove_task(int enclave_fd, pid_t pid, bool process,
		       unsigned *removed)
{
	struct ghost_remove_task remove = {
		.pid = pid,
		.flags = process ? GHOST_ADD_F_PROCESS : 0,
	};
	int ret = ioctl(enclave_fd, GHOST_IOC_REMOVE_TASK, &remove);

	*removed = remove.nr_removed;
	return ret;
}
