// SPDX-License-Identifier: GPL-2.0
/*
 * The enclave backend on ghost.ko: see kernel_backend.h and backend.h.
 *
 * Nothing here allocates or blocks except where the kernel does (park, a
 * local commit): agents call these in their hot path. Queues and mappings
 * are made on the control thread, before or between agents' use.
 *
 * Strides come from the kernel (message slot size, status word size), not
 * from our structs, so that a newer module that appends fields to them
 * still reads right.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "abi.h"
#include "kernel_backend.h"

struct backend_queue {
	int fd;
	struct ghost_queue_header *header;
	const char *slots;
	size_t map_size;
	uint32_t nr_slots;
	uint32_t slot_size;
};

struct kernel_backend {
	struct backend base;
	int fd;
	const struct ghost_status_header *status;
	size_t status_size;
	struct ghost_txn *txns;
	size_t txns_size;
	uint32_t cpus_size;	/* bytes of the CPU bitmaps we pass */
};

static struct kernel_backend *kb_of(struct backend *be)
{
	return (struct kernel_backend *)be;
}

/* ioctl(2) on the enclave fd, as 0 or a negative errno. */
static int kb_ioctl(struct backend *be, unsigned long request, void *arg)
{
	return ioctl(kb_of(be)->fd, request, arg) ? -errno : 0;
}

static int kb_enclave_info(struct backend *be, struct backend_enclave *out)
{
	struct kernel_backend *kb = kb_of(be);
	struct ghost_enclave_info info;
	int ret = kb_ioctl(be, GHOST_IOC_ENCLAVE_INFO, &info);

	if (ret)
		return ret;
	memset(out, 0, sizeof(*out));
	CPU_ZERO(&out->cpus);
	for (int cpu = 0; cpu < 1024 && cpu < CPU_SETSIZE; cpu++)
		if (info.cpus[cpu / 64] & (1ULL << (cpu % 64)))
			CPU_SET(cpu, &out->cpus);
	out->nr_cpu_ids = info.nr_cpu_ids;
	out->max_tasks = info.max_tasks;
	out->nr_tasks = info.nr_tasks;
	out->watchdog_ms = info.watchdog_ms;
	out->status = kb->status;
	out->txns = kb->txns;
	return 0;
}

static uint64_t kb_now_ns(struct backend *be)
{
	struct timespec ts;

	(void)be;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static int kb_task_cpumask(struct backend *be, int32_t tid, cpu_set_t *mask)
{
	(void)be;
	return sched_getaffinity(tid, sizeof(*mask), mask) ? -errno : 0;
}

static int kb_queue_create(struct backend *be, int wakeup_cpu, uint32_t nr_slots,
			   struct backend_queue **out)
{
	struct ghost_queue_create create = {
		.nr_slots = nr_slots,
		.wakeup_cpu = wakeup_cpu,
	};
	struct backend_queue *q;
	void *map;
	int ret = kb_ioctl(be, GHOST_IOC_CREATE_QUEUE, &create);

	if (ret)
		return ret;
	q = calloc(1, sizeof(*q));
	map = mmap(NULL, create.map_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		   create.fd, 0);
	if (!q || map == MAP_FAILED) {
		ret = q ? -errno : -ENOMEM;
		if (map != MAP_FAILED)
			munmap(map, create.map_size);
		close(create.fd);
		free(q);
		return ret;
	}
	q->fd = create.fd;
	q->header = map;
	q->slots = (const char *)map + GHOST_QUEUE_SLOTS_OFFSET;
	q->map_size = create.map_size;
	q->nr_slots = q->header->nr_slots;
	q->slot_size = q->header->slot_size;
	*out = q;
	return 0;
}

/* Closed and unmapped, the queue is orphaned: its news goes to the default. */
static void kb_queue_destroy(struct backend *be, struct backend_queue *q)
{
	(void)be;
	munmap(q->header, q->map_size);
	close(q->fd);
	free(q);
}

static int kb_queue_set_default(struct backend *be, struct backend_queue *q)
{
	struct ghost_queue_ref ref = { .queue_fd = q->fd };

	return kb_ioctl(be, GHOST_IOC_SET_DEFAULT_QUEUE, &ref);
}

static int kb_queue_set_wakeup(struct backend *be, struct backend_queue *q,
			       int wakeup_cpu)
{
	struct ghost_queue_ref ref = { .queue_fd = q->fd, .wakeup_cpu = wakeup_cpu };

	return kb_ioctl(be, GHOST_IOC_SET_QUEUE_WAKEUP, &ref);
}

/*
 * The acquire load of @head orders our read of the slot after the
 * kernel's write of it; the release store of @tail lets the kernel reuse
 * the slot only after our copy.
 */
static bool kb_queue_pop(struct backend *be, struct backend_queue *q,
			 struct ghost_msg *msg)
{
	uint32_t tail = q->header->tail;
	uint32_t head = __atomic_load_n(&q->header->head, __ATOMIC_ACQUIRE);
	size_t n = q->slot_size < sizeof(*msg) ? q->slot_size : sizeof(*msg);

	(void)be;
	if (head == tail)
		return false;
	if (n < sizeof(*msg))
		memset(msg, 0, sizeof(*msg));
	memcpy(msg, q->slots + (size_t)(tail % q->nr_slots) * q->slot_size, n);
	__atomic_store_n(&q->header->tail, tail + 1, __ATOMIC_RELEASE);
	return true;
}

static uint32_t kb_queue_pending(struct backend *be, const struct backend_queue *q)
{
	(void)be;
	return __atomic_load_n(&q->header->head, __ATOMIC_ACQUIRE) -
	       __atomic_load_n(&q->header->tail, __ATOMIC_RELAXED);
}

static uint32_t kb_queue_overflows(struct backend *be, const struct backend_queue *q)
{
	(void)be;
	return __atomic_load_n(&q->header->overflow, __ATOMIC_RELAXED);
}

static int kb_assoc_queue(struct backend *be, struct backend_queue *q,
			  uint64_t gtid, uint32_t task_barrier)
{
	struct ghost_assoc_queue assoc = {
		.gtid = gtid,
		.queue_fd = q->fd,
		.task_barrier = task_barrier,
	};

	return kb_ioctl(be, GHOST_IOC_ASSOC_QUEUE, &assoc);
}

static int kb_discover(struct backend *be, uint32_t *nr_tasks)
{
	struct ghost_discover discover = { 0 };
	int ret = kb_ioctl(be, GHOST_IOC_DISCOVER, &discover);

	*nr_tasks = ret ? 0 : discover.nr_tasks;
	return ret;
}

static int kb_agent_attach(struct backend *be, unsigned int agent, int cpu,
			   struct backend_queue *q)
{
	struct ghost_agent_attach attach = {
		.cpu = cpu,
		.queue_fd = q ? q->fd : -1,
	};

	(void)agent;
	return kb_ioctl(be, GHOST_IOC_BECOME_AGENT, &attach);
}

static int kb_agent_park(struct backend *be, unsigned int agent,
			 uint32_t agent_barrier)
{
	struct ghost_agent_park park = { .agent_barrier = agent_barrier };

	(void)agent;
	return kb_ioctl(be, GHOST_IOC_AGENT_PARK, &park);
}

static int kb_agent_move(struct backend *be, unsigned int agent, int cpu)
{
	struct ghost_agent_move move = { .cpu = cpu };

	(void)agent;
	return kb_ioctl(be, GHOST_IOC_AGENT_MOVE, &move);
}

static int kb_agent_release(struct backend *be, unsigned int agent)
{
	(void)agent;
	return ioctl(kb_of(be)->fd, GHOST_IOC_AGENT_RELEASE) ? -errno : 0;
}

static int kb_commit(struct backend *be, unsigned int agent,
		     const cpu_set_t *cpus, uint32_t flags)
{
	struct ghost_commit commit = {
		.cpus_ptr = (uintptr_t)cpus,
		.cpus_size = kb_of(be)->cpus_size,
		.flags = flags,
	};

	(void)agent;
	return kb_ioctl(be, GHOST_IOC_COMMIT, &commit);
}

static int kb_ping(struct backend *be, int cpu)
{
	struct ghost_ping ping = { .cpu = cpu };

	return kb_ioctl(be, GHOST_IOC_PING, &ping);
}

static int kb_set_cpus(struct backend *be, const cpu_set_t *cpus)
{
	struct ghost_enclave_cpus set = {
		.cpus_ptr = (uintptr_t)cpus,
		.cpus_size = kb_of(be)->cpus_size,
	};

	return kb_ioctl(be, GHOST_IOC_SET_CPUS, &set);
}

static int kb_destroy(struct backend *be)
{
	return ioctl(kb_of(be)->fd, GHOST_IOC_DESTROY_ENCLAVE) ? -errno : 0;
}

static void kb_close(struct backend *be)
{
	struct kernel_backend *kb = kb_of(be);

	if (kb->status)
		munmap((void *)kb->status, kb->status_size);
	if (kb->txns)
		munmap(kb->txns, kb->txns_size);
	if (kb->fd >= 0)
		close(kb->fd);
	free(kb);
}

static const struct backend_ops kernel_backend_ops = {
	.enclave_info = kb_enclave_info,
	.now_ns = kb_now_ns,
	.task_cpumask = kb_task_cpumask,
	.queue_create = kb_queue_create,
	.queue_destroy = kb_queue_destroy,
	.queue_set_default = kb_queue_set_default,
	.queue_set_wakeup = kb_queue_set_wakeup,
	.queue_pop = kb_queue_pop,
	.queue_pending = kb_queue_pending,
	.queue_overflows = kb_queue_overflows,
	.assoc_queue = kb_assoc_queue,
	.discover = kb_discover,
	.agent_attach = kb_agent_attach,
	.agent_park = kb_agent_park,
	.agent_move = kb_agent_move,
	.agent_release = kb_agent_release,
	.commit = kb_commit,
	.ping = kb_ping,
	.set_cpus = kb_set_cpus,
	.destroy = kb_destroy,
	.close = kb_close,
};

/* /dev/ghost, if its module serves us and has what we use. */
static int open_device(char *why, size_t len)
{
	struct ghost_version version;
	int fd = open(GHOST_DEVICE_PATH, O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		snprintf(why, len, "cannot open %s: %s%s", GHOST_DEVICE_PATH,
			 strerror(errno),
			 errno == ENOENT ? " (is ghost.ko loaded?)" : "");
		return -1;
	}
	if (ioctl(fd, GHOST_IOC_VERSION, &version)) {
		snprintf(why, len, "cannot read the ghost ABI version: %s",
			 strerror(errno));
	} else if (!abi_compatible(&version)) {
		snprintf(why, len, "ghost.ko serves ABI %u..%u but this build speaks %u",
			 version.abi_floor, version.abi_version, GHOST_ABI_VERSION);
	} else if (version.abi_version < KERNEL_BACKEND_MIN_ABI) {
		snprintf(why, len,
			 "ghost.ko speaks ABI %u; agents need %d (enclave names, PING, SET_CPUS)",
			 version.abi_version, KERNEL_BACKEND_MIN_ABI);
	} else {
		return fd;
	}
	close(fd);
	return -1;
}

static int map_regions(struct kernel_backend *kb, char *why, size_t len)
{
	struct ghost_enclave_info info;
	void *status, *txns;

	if (ioctl(kb->fd, GHOST_IOC_ENCLAVE_INFO, &info)) {
		snprintf(why, len, "cannot read the enclave: %s", strerror(errno));
		return -1;
	}
	status = mmap(NULL, info.status_size, PROT_READ, MAP_SHARED, kb->fd,
		      GHOST_MMAP_STATUS);
	if (status == MAP_FAILED) {
		snprintf(why, len, "cannot map the status words: %s", strerror(errno));
		return -1;
	}
	kb->status = status;
	kb->status_size = info.status_size;
	txns = mmap(NULL, info.txns_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		    kb->fd, GHOST_MMAP_TXNS);
	if (txns == MAP_FAILED) {
		snprintf(why, len, "cannot map the transaction slots: %s",
			 strerror(errno));
		return -1;
	}
	kb->txns = txns;
	kb->txns_size = info.txns_size;
	kb->cpus_size = (info.nr_cpu_ids + 63) / 64 * 8;
	if (kb->cpus_size > sizeof(cpu_set_t)) {
		snprintf(why, len, "the kernel has %u CPUs, more than this build handles",
			 info.nr_cpu_ids);
		return -1;
	}
	return 0;
}

int kernel_backend_open(const char *name, struct backend **be, char *why,
			size_t len)
{
	struct ghost_enclave_open open_args = { .id = 0 };
	struct kernel_backend *kb;
	int dev;

	*be = NULL;
	if (strlen(name) >= sizeof(open_args.name)) {
		snprintf(why, len, "enclave name \"%s\" is longer than %zu characters",
			 name, sizeof(open_args.name) - 1);
		return -1;
	}
	strcpy(open_args.name, name);
	dev = open_device(why, len);
	if (dev < 0)
		return -1;
	if (ioctl(dev, GHOST_IOC_OPEN_ENCLAVE, &open_args)) {
		snprintf(why, len, "cannot open enclave \"%s\": %s", name,
			 errno == ENOENT ? "no live enclave has that name" :
			 strerror(errno));
		close(dev);
		return -1;
	}
	close(dev);
	kb = calloc(1, sizeof(*kb));
	if (!kb) {
		close(open_args.fd);
		snprintf(why, len, "out of memory");
		return -1;
	}
	kb->base.ops = &kernel_backend_ops;
	kb->fd = open_args.fd;
	if (map_regions(kb, why, len)) {
		kb_close(&kb->base);
		return -1;
	}
	*be = &kb->base;
	return 0;
}
