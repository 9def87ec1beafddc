/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Raw-ABI helpers for the test programs: thin wrappers around the ioctls,
 * mmaps, queues, status words and transaction slots of <linux/ghost.h>.
 *
 * Every function that wraps an ioctl returns what the ioctl returned (0 or
 * -1 with errno), so that tests can use CHECK() and CHECK_ERR() on them.
 * Once an enclave is open, the ioctl wrappers and the accessors of status
 * words, slots and queues neither allocate nor take a lock: agent threads,
 * which must never wait for a ghost task (see gsched.h), may call them.
 */
#ifndef GHOST_TEST_GAGENT_H
#define GHOST_TEST_GAGENT_H

#include <sched.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <linux/ghost.h>

/* The CPUs of the VM that enclaves normally use: CPU 0 stays with CFS. */
#define GTEST_FIRST_CPU		1
#define GTEST_LAST_CPU		3

/* An enclave fd, its description and its two shared regions. */
struct genclave {
	int fd;
	uint64_t id;
	struct ghost_enclave_info info;	/* as of the open; see genclave_query() */
	const struct ghost_status_header *status;
	struct ghost_txn *txns;
	int cpus[CPU_SETSIZE];		/* the enclave's CPUs, ascending */
	int nr_cpus;
};

/* /dev/ghost and enclaves */
int gdev_open(void);
int genclave_create(struct genclave *e, const cpu_set_t *cpus, uint32_t flags,
		    uint32_t watchdog_ms);
int genclave_open(struct genclave *e, uint64_t id);
int genclave_adopt_fd(struct genclave *e, int fd);
void genclave_close(struct genclave *e);
int genclave_destroy(struct genclave *e);
int genclave_destroy_on_failure(const struct genclave *e);
int genclave_query(const struct genclave *e, struct ghost_enclave_info *info);
bool genclave_wait_empty(const struct genclave *e, int timeout_ms);
int genclave_configure(const struct genclave *e, uint32_t watchdog_ms,
		       uint32_t flags);
int genclave_add_task(const struct genclave *e, pid_t tid);
int genclave_add_tasks(const struct genclave *e, pid_t pid, uint32_t flags,
		       struct ghost_add_task *out);
int genclave_remove_task(const struct genclave *e, pid_t pid, uint32_t flags,
			 uint32_t *nr_removed);
int genclave_set_cpus(const struct genclave *e, const cpu_set_t *cpus);
int genclave_create_named(struct genclave *e, const cpu_set_t *cpus,
			  uint32_t watchdog_ms, const char *name);
int genclave_open_named(struct genclave *e, const char *name);
int genclave_discover(const struct genclave *e, uint32_t *nr_tasks);
int genclave_set_default_queue(const struct genclave *e, int queue_fd);
int genclave_set_queue_wakeup(const struct genclave *e, int queue_fd,
			      int wakeup_cpu);
int genclave_assoc_queue(const struct genclave *e, uint64_t gtid, int queue_fd,
			 uint32_t task_barrier);
bool genclave_has_cpu(const struct genclave *e, int cpu);

/* Agents: these act on the calling thread. */
int gagent_become(const struct genclave *e, int cpu, int queue_fd);
int gagent_park(const struct genclave *e, uint32_t agent_barrier);
int gagent_move(const struct genclave *e, int cpu);
int gagent_release(const struct genclave *e);
int gagent_ping(const struct genclave *e, int cpu);

/* Status words; NULL for an index beyond the region. */
const struct ghost_status_word *gsw_word(const struct genclave *e,
					 uint32_t index);
const struct ghost_status_word *gsw_cpu(const struct genclave *e, int cpu);
const struct ghost_status_word *gsw_task(const struct genclave *e,
					 uint64_t gtid);
uint32_t gsw_barrier(const struct ghost_status_word *w);
uint32_t gsw_flags(const struct ghost_status_word *w);
uint64_t gsw_gtid(const struct ghost_status_word *w);
uint64_t gsw_runtime(const struct ghost_status_word *w);
uint32_t gcpu_barrier(const struct genclave *e, int cpu);
uint32_t gcpu_flags(const struct genclave *e, int cpu);

/* Transaction slots */
struct ghost_txn *gtxn(const struct genclave *e, int cpu);
void gtxn_ready(struct ghost_txn *txn, uint64_t target, uint32_t task_barrier,
		uint32_t agent_barrier, uint32_t run_flags);
int gtxn_state(const struct ghost_txn *txn);
bool gtxn_in_flight(const struct ghost_txn *txn);
bool gtxn_final(int state);
int gcommit(const struct genclave *e, const cpu_set_t *cpus, uint32_t flags,
	    uint32_t *nr_committed);
int gcommit_cpu(const struct genclave *e, int cpu);

/* Message queues */
struct gqueue {
	int fd;
	struct ghost_queue_header *header;
	struct ghost_msg *slots;
	size_t map_size;
	uint32_t nr_slots;
};

int gqueue_create(struct gqueue *q, const struct genclave *e,
		  uint32_t nr_slots, int wakeup_cpu);
void gqueue_close(struct gqueue *q);
bool gqueue_pop(struct gqueue *q, struct ghost_msg *msg);
uint32_t gqueue_pending(const struct gqueue *q);

/* Small things every test needs */
void gcpus_range(cpu_set_t *set, int first, int last);
void gcpus_one(cpu_set_t *set, int cpu);
int gpin_self(int cpu);
uint64_t gnow_ns(void);
/* Field @field of /proc/TID/stat, numbered as in proc(5); -1 if none. */
long long gthread_stat(pid_t tid, int field);
/* The CPU whose run queue holds thread @tid (stat field 39), or -1. */
int gthread_cpu(pid_t tid);
void gspin_us(uint64_t us);
void gsleep_ms(unsigned int ms);
/* Writes all of @text to the file at @path (sysfs, cgroupfs, debugfs). */
bool gwrite_file(const char *path, const char *text);
int gfutex_wait(uint32_t *word, uint32_t expected, int timeout_ms);
void gfutex_wake(uint32_t *word);
const char *gmsg_name(int type);
const char *gtxn_state_name(int state);
bool gis_task_msg(int type);

#endif /* GHOST_TEST_GAGENT_H */
