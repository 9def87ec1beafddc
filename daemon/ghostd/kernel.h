/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The supervisor's calls into ghost.ko: /dev/ghost, with its ABI checked
 * once, and the enclave fds the supervisor holds to create, onboard into,
 * reconfigure and destroy enclaves. Scheduling itself is the agents'.
 * Every call returns 0 (or an fd) or -1 with errno as the uapi header
 * documents it.
 */
#ifndef GHOSTD_KERNEL_H
#define GHOSTD_KERNEL_H

#include <sched.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <linux/ghost.h>

/* Open /dev/ghost and check that the module serves this build's ABI. */
int kernel_init(char *why, size_t len);
void kernel_fini(void);

/* A new enclave; its fd (O_CLOEXEC). */
int kernel_create_enclave(const char *name, const cpu_set_t *cpus,
			  unsigned watchdog_ms, unsigned max_tasks);
/* An fd of the live enclave called @name, or of id @id. */
int kernel_open_enclave(const char *name);
int kernel_open_enclave_id(uint64_t id);

int kernel_enclave_info(int enclave_fd, struct ghost_enclave_info *info);
int kernel_destroy_enclave(int enclave_fd);
/*
 * Change the enclave's CPUs. Only while no agent process runs it: a
 * running agent changes its own CPUs (the "set_cpus" request).
 */
int kernel_set_cpus(int enclave_fd, const cpu_set_t *cpus);
/* The enclave's CPUs as ENCLAVE_INFO gives them. */
void kernel_info_cpus(const struct ghost_enclave_info *info, cpu_set_t *cpus);
/* Change the watchdog, keeping the enclave's flags. */
int kernel_set_watchdog(int enclave_fd, unsigned watchdog_ms);

/*
 * Onboard thread @pid, or with @process every thread of process @pid,
 * skipping members and going on past failures; @result holds the counts,
 * also on failure.
 */
int kernel_add_task(int enclave_fd, pid_t pid, bool process,
		    struct ghost_add_task *result);
/* Why GHOST_IOC_ADD_TASK failed with @err, as a user can act on it. */
const char *kernel_add_error(int err);
/* Return @pid (or its process) to its old policy; @removed counts threads. */
int kernel_remove_task(int enclave_fd, pid_t pid, bool process,
		       unsigned *removed);

#endif /* GHOSTD_KERNEL_H */
