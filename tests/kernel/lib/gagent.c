// SPDX-License-Identifier: GPL-2.0
/*
 * Raw-ABI helpers: see gagent.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <linux/futex.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "gagent.h"

int gdev_open(void)
{
	return open(GHOST_DEVICE_PATH, O_RDWR | O_CLOEXEC);
}

/* An ioctl on a /dev/ghost fd of its own. */
static int gdev_ioctl(unsigned long cmd, void *arg)
{
	int dev = gdev_open();
	int ret, saved_errno;

	if (dev < 0)
		return -1;
	ret = ioctl(dev, cmd, arg);
	saved_errno = errno;
	close(dev);
	errno = saved_errno;
	return ret;
}

static void genclave_unmap(struct genclave *e)
{
	if (e->status)
		munmap((void *)e->status, e->info.status_size);
	if (e->txns)
		munmap(e->txns, e->info.txns_size);
	e->status = NULL;
	e->txns = NULL;
}

static void genclave_list_cpus(struct genclave *e)
{
	e->nr_cpus = 0;
	for (int cpu = 0; cpu < 1024; cpu++)
		if (e->info.cpus[cpu / 64] & (1ULL << (cpu % 64)))
			e->cpus[e->nr_cpus++] = cpu;
}

/* Takes ownership of @fd: on failure it is closed. */
int genclave_adopt_fd(struct genclave *e, int fd)
{
	void *status, *txns;
	int saved_errno;

	memset(e, 0, sizeof(*e));
	e->fd = fd;
	if (ioctl(fd, GHOST_IOC_ENCLAVE_INFO, &e->info))
		goto fail;
	e->id = e->info.id;
	genclave_list_cpus(e);
	status = mmap(NULL, e->info.status_size, PROT_READ, MAP_SHARED, fd,
		      GHOST_MMAP_STATUS);
	if (status == MAP_FAILED)
		goto fail;
	e->status = status;
	txns = mmap(NULL, e->info.txns_size, PROT_READ | PROT_WRITE,
		    MAP_SHARED, fd, GHOST_MMAP_TXNS);
	if (txns == MAP_FAILED)
		goto fail;
	e->txns = txns;
	return 0;
fail:
	saved_errno = errno;
	genclave_close(e);
	errno = saved_errno;
	return -1;
}

static int enclave_create(struct genclave *e, const cpu_set_t *cpus,
			  uint32_t flags, uint32_t watchdog_ms, const char *name)
{
	struct ghost_enclave_create create = {
		.cpus_ptr = (uintptr_t)cpus,
		.cpus_size = sizeof(*cpus),
		.flags = flags,
		.watchdog_ms = watchdog_ms,
	};

	memcpy(create.name, name, strnlen(name, sizeof(create.name)));
	if (gdev_ioctl(GHOST_IOC_CREATE_ENCLAVE, &create))
		return -1;
	return genclave_adopt_fd(e, create.fd);
}

int genclave_create(struct genclave *e, const cpu_set_t *cpus, uint32_t flags,
		    uint32_t watchdog_ms)
{
	return enclave_create(e, cpus, flags, watchdog_ms, "");
}

int genclave_create_named(struct genclave *e, const cpu_set_t *cpus,
			  uint32_t watchdog_ms, const char *name)
{
	return enclave_create(e, cpus, 0, watchdog_ms, name);
}

int genclave_open_named(struct genclave *e, const char *name)
{
	struct ghost_enclave_open open_args = { .id = 0 };

	memcpy(open_args.name, name, strnlen(name, sizeof(open_args.name)));
	if (gdev_ioctl(GHOST_IOC_OPEN_ENCLAVE, &open_args))
		return -1;
	return genclave_adopt_fd(e, open_args.fd);
}

int genclave_open(struct genclave *e, uint64_t id)
{
	struct ghost_enclave_open open_args = { .id = id };

	if (gdev_ioctl(GHOST_IOC_OPEN_ENCLAVE, &open_args))
		return -1;
	return genclave_adopt_fd(e, open_args.fd);
}

void genclave_close(struct genclave *e)
{
	genclave_unmap(e);
	if (e->fd >= 0)
		close(e->fd);
	e->fd = -1;
}

int genclave_destroy(struct genclave *e)
{
	int ret = ioctl(e->fd, GHOST_IOC_DESTROY_ENCLAVE);
	int saved_errno = errno;

	genclave_close(e);
	errno = saved_errno;
	return ret;
}

struct genclave_failure_guard {
	pid_t pid;
	uint64_t id;
};

static void genclave_destroy_at_failure(int status, void *arg)
{
	const struct genclave_failure_guard *guard = arg;
	struct ghost_enclave_open open_args = { .id = guard->id };
	int dev;

	if (!status || getpid() != guard->pid)
		return;
	dev = gdev_open();
	if (dev < 0)
		return;
	if (!ioctl(dev, GHOST_IOC_OPEN_ENCLAVE, &open_args)) {
		ioctl(open_args.fd, GHOST_IOC_DESTROY_ENCLAVE);
		close(open_args.fd);
	}
	close(dev);
}

/*
 * An enclave outlives its process: should the test fail, destroy it on the
 * way out so that its tasks run on and the module can be unloaded. Forked
 * children inherit the hook but do not act on it.
 */
int genclave_destroy_on_failure(const struct genclave *e)
{
	struct genclave_failure_guard *guard = malloc(sizeof(*guard));

	if (!guard)
		return -1;
	guard->pid = getpid();
	guard->id = e->id;
	return on_exit(genclave_destroy_at_failure, guard);
}

int genclave_query(const struct genclave *e, struct ghost_enclave_info *info)
{
	return ioctl(e->fd, GHOST_IOC_ENCLAVE_INFO, info);
}

/* Waits until the enclave holds no task: exits finish after join(). */
bool genclave_wait_empty(const struct genclave *e, int timeout_ms)
{
	uint64_t deadline = gnow_ns() + timeout_ms * 1000000ULL;
	struct ghost_enclave_info info;

	while (!genclave_query(e, &info) && info.nr_tasks) {
		if (gnow_ns() > deadline)
			return false;
		gsleep_ms(5);
	}
	return !genclave_query(e, &info) && !info.nr_tasks;
}

int genclave_configure(const struct genclave *e, uint32_t watchdog_ms,
		       uint32_t flags)
{
	struct ghost_enclave_config config = {
		.watchdog_ms = watchdog_ms,
		.flags = flags,
	};

	return ioctl(e->fd, GHOST_IOC_CONFIGURE, &config);
}

int genclave_add_task(const struct genclave *e, pid_t tid)
{
	struct ghost_add_task add = { .pid = tid };

	return ioctl(e->fd, GHOST_IOC_ADD_TASK, &add);
}

int genclave_add_tasks(const struct genclave *e, pid_t pid, uint32_t flags,
		       struct ghost_add_task *out)
{
	struct ghost_add_task add = { .pid = pid, .flags = flags };
	int ret = ioctl(e->fd, GHOST_IOC_ADD_TASK, &add);

	if (out)
		*out = add;
	return ret;
}

int genclave_remove_task(const struct genclave *e, pid_t pid, uint32_t flags,
			 uint32_t *nr_removed)
{
	struct ghost_remove_task remove = { .pid = pid, .flags = flags };
	int ret = ioctl(e->fd, GHOST_IOC_REMOVE_TASK, &remove);

	if (nr_removed)
		*nr_removed = remove.nr_removed;
	return ret;
}

int genclave_set_cpus(const struct genclave *e, const cpu_set_t *cpus)
{
	struct ghost_enclave_cpus arg = {
		.cpus_ptr = (uintptr_t)cpus,
		.cpus_size = sizeof(*cpus),
	};

	return ioctl(e->fd, GHOST_IOC_SET_CPUS, &arg);
}

int genclave_discover(const struct genclave *e, uint32_t *nr_tasks)
{
	struct ghost_discover discover = { 0 };
	int ret = ioctl(e->fd, GHOST_IOC_DISCOVER, &discover);

	if (!ret && nr_tasks)
		*nr_tasks = discover.nr_tasks;
	return ret;
}

int genclave_set_default_queue(const struct genclave *e, int queue_fd)
{
	struct ghost_queue_ref ref = { .queue_fd = queue_fd };

	return ioctl(e->fd, GHOST_IOC_SET_DEFAULT_QUEUE, &ref);
}

int genclave_set_queue_wakeup(const struct genclave *e, int queue_fd,
			      int wakeup_cpu)
{
	struct ghost_queue_ref ref = {
		.queue_fd = queue_fd,
		.wakeup_cpu = wakeup_cpu,
	};

	return ioctl(e->fd, GHOST_IOC_SET_QUEUE_WAKEUP, &ref);
}

int genclave_assoc_queue(const struct genclave *e, uint64_t gtid, int queue_fd,
			 uint32_t task_barrier)
{
	struct ghost_assoc_queue assoc = {
		.gtid = gtid,
		.queue_fd = queue_fd,
		.task_barrier = task_barrier,
	};

	return ioctl(e->fd, GHOST_IOC_ASSOC_QUEUE, &assoc);
}

bool genclave_has_cpu(const struct genclave *e, int cpu)
{
	return cpu >= 0 && cpu < 1024 &&
	       (e->info.cpus[cpu / 64] & (1ULL << (cpu % 64)));
}

int gagent_become(const struct genclave *e, int cpu, int queue_fd)
{
	struct ghost_agent_attach attach = { .cpu = cpu, .queue_fd = queue_fd };

	return ioctl(e->fd, GHOST_IOC_BECOME_AGENT, &attach);
}

int gagent_park(const struct genclave *e, uint32_t agent_barrier)
{
	struct ghost_agent_park park = { .agent_barrier = agent_barrier };

	return ioctl(e->fd, GHOST_IOC_AGENT_PARK, &park);
}

int gagent_move(const struct genclave *e, int cpu)
{
	struct ghost_agent_move move = { .cpu = cpu };

	return ioctl(e->fd, GHOST_IOC_AGENT_MOVE, &move);
}

int gagent_ping(const struct genclave *e, int cpu)
{
	struct ghost_ping ping = { .cpu = cpu };

	return ioctl(e->fd, GHOST_IOC_PING, &ping);
}

int gagent_release(const struct genclave *e)
{
	return ioctl(e->fd, GHOST_IOC_AGENT_RELEASE);
}

const struct ghost_status_word *gsw_word(const struct genclave *e,
					 uint32_t index)
{
	const struct ghost_status_header *h = e->status;

	if (!h || index >= h->nr_words)
		return NULL;
	return (const void *)((const char *)h + sizeof(*h) +
			      (size_t)index * h->word_size);
}

const struct ghost_status_word *gsw_cpu(const struct genclave *e, int cpu)
{
	if (cpu < 0 || !e->status || (uint32_t)cpu >= e->status->nr_cpu_words)
		return NULL;
	return gsw_word(e, cpu);
}

const struct ghost_status_word *gsw_task(const struct genclave *e,
					 uint64_t gtid)
{
	return gsw_word(e, (uint32_t)gtid);
}

/*
 * The kernel updates status words while we read them: each field is read
 * once, the barrier with acquire so that fields read after it are at least
 * as new as it.
 */
uint32_t gsw_barrier(const struct ghost_status_word *w)
{
	return __atomic_load_n(&w->barrier, __ATOMIC_ACQUIRE);
}

uint32_t gsw_flags(const struct ghost_status_word *w)
{
	return __atomic_load_n(&w->flags, __ATOMIC_ACQUIRE);
}

uint64_t gsw_gtid(const struct ghost_status_word *w)
{
	return __atomic_load_n(&w->gtid, __ATOMIC_ACQUIRE);
}

uint64_t gsw_runtime(const struct ghost_status_word *w)
{
	return __atomic_load_n(&w->runtime_ns, __ATOMIC_ACQUIRE);
}

uint32_t gcpu_barrier(const struct genclave *e, int cpu)
{
	return gsw_barrier(gsw_cpu(e, cpu));
}

uint32_t gcpu_flags(const struct genclave *e, int cpu)
{
	return gsw_flags(gsw_cpu(e, cpu));
}

struct ghost_txn *gtxn(const struct genclave *e, int cpu)
{
	return &e->txns[cpu];
}

/* The kernel reads the fields only once it sees READY: publish it last. */
void gtxn_ready(struct ghost_txn *txn, uint64_t target, uint32_t task_barrier,
		uint32_t agent_barrier, uint32_t run_flags)
{
	txn->target = target;
	txn->task_barrier = task_barrier;
	txn->agent_barrier = agent_barrier;
	txn->run_flags = run_flags;
	__atomic_store_n(&txn->state, GHOST_TXN_READY, __ATOMIC_RELEASE);
}

int gtxn_state(const struct ghost_txn *txn)
{
	return __atomic_load_n(&txn->state, __ATOMIC_ACQUIRE);
}

bool gtxn_final(int state)
{
	return state >= GHOST_TXN_COMPLETE && state <= GHOST_TXN_STATE_MAX;
}

bool gtxn_in_flight(const struct ghost_txn *txn)
{
	int state = gtxn_state(txn);

	return state == GHOST_TXN_READY || state == GHOST_TXN_CLAIMED;
}

int gcommit(const struct genclave *e, const cpu_set_t *cpus, uint32_t flags,
	    uint32_t *nr_committed)
{
	struct ghost_commit commit = {
		.cpus_ptr = (uintptr_t)cpus,
		.cpus_size = sizeof(*cpus),
		.flags = flags,
	};
	int ret = ioctl(e->fd, GHOST_IOC_COMMIT, &commit);

	/* With EBUSY too: some slots of the set may have committed. */
	if ((!ret || errno == EBUSY) && nr_committed)
		*nr_committed = commit.nr_committed;
	return ret;
}

/* Commits the READY slot of @cpu alone; returns its final state or -1. */
int gcommit_cpu(const struct genclave *e, int cpu)
{
	cpu_set_t set;

	gcpus_one(&set, cpu);
	if (gcommit(e, &set, 0, NULL))
		return -1;
	return gtxn_state(gtxn(e, cpu));
}

int gqueue_create(struct gqueue *q, const struct genclave *e,
		  uint32_t nr_slots, int wakeup_cpu)
{
	struct ghost_queue_create create = {
		.nr_slots = nr_slots,
		.wakeup_cpu = wakeup_cpu,
	};
	void *map;

	memset(q, 0, sizeof(*q));
	q->fd = -1;
	if (ioctl(e->fd, GHOST_IOC_CREATE_QUEUE, &create))
		return -1;
	map = mmap(NULL, create.map_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		   create.fd, 0);
	if (map == MAP_FAILED) {
		int saved_errno = errno;

		close(create.fd);
		errno = saved_errno;
		return -1;
	}
	q->fd = create.fd;
	q->header = map;
	q->slots = (void *)((char *)map + GHOST_QUEUE_SLOTS_OFFSET);
	q->map_size = create.map_size;
	q->nr_slots = q->header->nr_slots;
	return 0;
}

void gqueue_close(struct gqueue *q)
{
	if (q->header)
		munmap(q->header, q->map_size);
	if (q->fd >= 0)
		close(q->fd);
	q->header = NULL;
	q->fd = -1;
}

uint32_t gqueue_pending(const struct gqueue *q)
{
	uint32_t head = __atomic_load_n(&q->header->head, __ATOMIC_ACQUIRE);

	return head - q->header->tail;
}

/*
 * Copies the oldest message out and frees its slot. The acquire load of
 * @head orders the slot read after the kernel's write; the release store
 * of @tail tells the kernel the slot may be reused only after our copy.
 */
bool gqueue_pop(struct gqueue *q, struct ghost_msg *msg)
{
	uint32_t tail = q->header->tail;
	uint32_t head = __atomic_load_n(&q->header->head, __ATOMIC_ACQUIRE);

	if (head == tail)
		return false;
	*msg = q->slots[tail % q->nr_slots];
	__atomic_store_n(&q->header->tail, tail + 1, __ATOMIC_RELEASE);
	return true;
}

void gcpus_range(cpu_set_t *set, int first, int last)
{
	CPU_ZERO(set);
	for (int cpu = first; cpu <= last; cpu++)
		CPU_SET(cpu, set);
}

void gcpus_one(cpu_set_t *set, int cpu)
{
	gcpus_range(set, cpu, cpu);
}

int gpin_self(int cpu)
{
	cpu_set_t set;

	gcpus_one(&set, cpu);
	return sched_setaffinity(0, sizeof(set), &set);
}

uint64_t gnow_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* Burns CPU: a ghost task doing this stays runnable and on its CPU. */
long long gthread_stat(pid_t tid, int field)
{
	char path[64], buf[1024], *p;
	ssize_t len;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	len = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (len <= 0)
		return -1;
	buf[len] = '\0';
	/* The command (field 2) may hold spaces; fields 3.. follow its ')'. */
	p = strrchr(buf, ')');
	if (!p || field < 3)
		return -1;
	p += 2;
	for (int i = 3; i < field; i++) {
		p = strchr(p, ' ');
		if (!p)
			return -1;
		p++;
	}
	return strtoll(p, NULL, 10);
}

int gthread_cpu(pid_t tid)
{
	return (int)gthread_stat(tid, 39);
}

void gspin_us(uint64_t us)
{
	uint64_t end = gnow_ns() + us * 1000;

	while (gnow_ns() < end)
		;
}

void gsleep_ms(unsigned int ms)
{
	struct timespec ts = {
		.tv_sec = ms / 1000,
		.tv_nsec = (long)(ms % 1000) * 1000000,
	};

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

bool gwrite_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return false;
	n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text);
}

/* Returns 0 when woken or if *@word != @expected, -1 on timeout. */
int gfutex_wait(uint32_t *word, uint32_t expected, int timeout_ms)
{
	struct timespec ts = {
		.tv_sec = timeout_ms / 1000,
		.tv_nsec = (long)(timeout_ms % 1000) * 1000000,
	};
	long ret = syscall(SYS_futex, word, FUTEX_WAIT_PRIVATE, expected,
			   timeout_ms < 0 ? NULL : &ts, NULL, 0);

	return ret && errno == ETIMEDOUT ? -1 : 0;
}

void gfutex_wake(uint32_t *word)
{
	syscall(SYS_futex, word, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
}

const char *gmsg_name(int type)
{
	static const char *const names[] = {
		[GHOST_MSG_NOP] = "NOP",
		[GHOST_MSG_TASK_NEW] = "TASK_NEW",
		[GHOST_MSG_TASK_WAKEUP] = "TASK_WAKEUP",
		[GHOST_MSG_TASK_BLOCKED] = "TASK_BLOCKED",
		[GHOST_MSG_TASK_PREEMPT] = "TASK_PREEMPT",
		[GHOST_MSG_TASK_YIELD] = "TASK_YIELD",
		[GHOST_MSG_TASK_DEAD] = "TASK_DEAD",
		[GHOST_MSG_TASK_DEPARTED] = "TASK_DEPARTED",
		[GHOST_MSG_TASK_AFFINITY_CHANGED] = "TASK_AFFINITY_CHANGED",
		[GHOST_MSG_TASK_PRIORITY_CHANGED] = "TASK_PRIORITY_CHANGED",
		[GHOST_MSG_CPU_TICK] = "CPU_TICK",
		[GHOST_MSG_CPU_AVAILABLE] = "CPU_AVAILABLE",
		[GHOST_MSG_CPU_BUSY] = "CPU_BUSY",
		[GHOST_MSG_CPU_NOT_IDLE] = "CPU_NOT_IDLE",
	};

	if (type < 0 || type > GHOST_MSG_TYPE_MAX || !names[type])
		return "?";
	return names[type];
}

const char *gtxn_state_name(int state)
{
	static const char *const names[] = {
		[GHOST_TXN_IDLE] = "IDLE",
		[GHOST_TXN_READY] = "READY",
		[GHOST_TXN_CLAIMED] = "CLAIMED",
		[GHOST_TXN_COMPLETE] = "COMPLETE",
		[GHOST_TXN_TARGET_STALE] = "TARGET_STALE",
		[GHOST_TXN_AGENT_STALE] = "AGENT_STALE",
		[GHOST_TXN_TARGET_ONCPU] = "TARGET_ONCPU",
		[GHOST_TXN_TARGET_NOT_RUNNABLE] = "TARGET_NOT_RUNNABLE",
		[GHOST_TXN_TARGET_NOT_FOUND] = "TARGET_NOT_FOUND",
		[GHOST_TXN_TARGET_NOT_ALLOWED] = "TARGET_NOT_ALLOWED",
		[GHOST_TXN_CPU_UNAVAIL] = "CPU_UNAVAIL",
		[GHOST_TXN_CPU_BUSY] = "CPU_BUSY",
		[GHOST_TXN_NO_AGENT] = "NO_AGENT",
		[GHOST_TXN_INVALID_CPU] = "INVALID_CPU",
		[GHOST_TXN_INVALID_FLAGS] = "INVALID_FLAGS",
		[GHOST_TXN_INVALID_TARGET] = "INVALID_TARGET",
		[GHOST_TXN_POISONED] = "POISONED",
	};

	if (state < 0 || state > GHOST_TXN_STATE_MAX || !names[state])
		return "?";
	return names[state];
}

bool gis_task_msg(int type)
{
	return type >= GHOST_MSG_TASK_NEW && type < GHOST_MSG_CPU_TICK;
}
