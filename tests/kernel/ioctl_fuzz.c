// SPDX-License-Identifier: GPL-2.0
/* vm-args: --timeout 600 */
/*
 * Proves: /dev/ghost, enclave fds and queue fds survive garbage. 100000
 * ioctls go to them with random requests (mostly ghost request numbers,
 * exact or with random direction and size bits, some unknown ones),
 * random argument bytes with plausible and extreme values planted in the
 * fields (CPU numbers, gtids, barriers, sizes, fds of other kinds: a pipe,
 * /dev/null, another enclave's queue, /dev/ghost itself) and random
 * pointers (NULL, unmapped, kernel, non-canonical, across a guard page);
 * a fifth of them are sent while this thread is an agent, so that commits
 * (of random transaction slots) and parks are reached. Then mmaps,
 * partial munmaps and mremaps with wrong offsets, sizes, protections and
 * flags. Beforehand, the mmap refusals the header promises are checked
 * one by one (and that a queue mapping outlives its fd). Nothing crashes
 * this program, the console stays clean (the harness checks), every
 * enclave the fuzzing created is destroyed, and afterwards an enclave can
 * be created and destroyed as usual.
 *
 * Usage: ioctl_fuzz [SEED] (default: from the clock; printed either way)
 */
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stddef.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gagent.h"
#include "gnl.h"
#include "test.h"

#define NR_IOCTLS	100000
#define AGENT_SHARE	5	/* one ioctl in AGENT_SHARE as an agent */
#define AGENT_STRETCH	500	/* ioctls per stretch as an agent */
#define NR_MMAPS	3000
#define ARG_BYTES	(64 * 1024)	/* the widest request is 16383 */
#define BITMAP_OFFSET	(32 * 1024)	/* where planted CPU pointers point */
#define FUZZ_CPU	1		/* the agent stretches run there */

enum kind {
	K_CPU_PTR, K_CPU_SIZE, K_CPU, K_FD, K_GTID, K_BARRIER, K_PID,
	K_COUNT, K_MS, K_FLAGS, K_ID,
};

struct field {
	unsigned int nr;
	size_t offset;
	size_t size;
	enum kind kind;
};

#define FIELD(req, type, member, kind)					\
	{ _IOC_NR(req), offsetof(type, member),				\
	  sizeof(((type *)0)->member), kind }

static const struct field fields[] = {
	FIELD(GHOST_IOC_CREATE_ENCLAVE, struct ghost_enclave_create, cpus_ptr, K_CPU_PTR),
	FIELD(GHOST_IOC_CREATE_ENCLAVE, struct ghost_enclave_create, cpus_size, K_CPU_SIZE),
	FIELD(GHOST_IOC_CREATE_ENCLAVE, struct ghost_enclave_create, flags, K_FLAGS),
	FIELD(GHOST_IOC_CREATE_ENCLAVE, struct ghost_enclave_create, max_tasks, K_COUNT),
	FIELD(GHOST_IOC_CREATE_ENCLAVE, struct ghost_enclave_create, watchdog_ms, K_MS),
	FIELD(GHOST_IOC_OPEN_ENCLAVE, struct ghost_enclave_open, id, K_ID),
	FIELD(GHOST_IOC_CONFIGURE, struct ghost_enclave_config, watchdog_ms, K_MS),
	FIELD(GHOST_IOC_CONFIGURE, struct ghost_enclave_config, flags, K_FLAGS),
	FIELD(GHOST_IOC_ADD_TASK, struct ghost_add_task, pid, K_PID),
	FIELD(GHOST_IOC_ADD_TASK, struct ghost_add_task, flags, K_FLAGS),
	FIELD(GHOST_IOC_CREATE_QUEUE, struct ghost_queue_create, nr_slots, K_COUNT),
	FIELD(GHOST_IOC_CREATE_QUEUE, struct ghost_queue_create, wakeup_cpu, K_CPU),
	FIELD(GHOST_IOC_CREATE_QUEUE, struct ghost_queue_create, flags, K_FLAGS),
	FIELD(GHOST_IOC_SET_DEFAULT_QUEUE, struct ghost_queue_ref, queue_fd, K_FD),
	FIELD(GHOST_IOC_SET_QUEUE_WAKEUP, struct ghost_queue_ref, queue_fd, K_FD),
	FIELD(GHOST_IOC_SET_QUEUE_WAKEUP, struct ghost_queue_ref, wakeup_cpu, K_CPU),
	FIELD(GHOST_IOC_ASSOC_QUEUE, struct ghost_assoc_queue, gtid, K_GTID),
	FIELD(GHOST_IOC_ASSOC_QUEUE, struct ghost_assoc_queue, queue_fd, K_FD),
	FIELD(GHOST_IOC_ASSOC_QUEUE, struct ghost_assoc_queue, task_barrier, K_BARRIER),
	FIELD(GHOST_IOC_BECOME_AGENT, struct ghost_agent_attach, cpu, K_CPU),
	FIELD(GHOST_IOC_BECOME_AGENT, struct ghost_agent_attach, queue_fd, K_FD),
	FIELD(GHOST_IOC_BECOME_AGENT, struct ghost_agent_attach, flags, K_FLAGS),
	FIELD(GHOST_IOC_AGENT_PARK, struct ghost_agent_park, agent_barrier, K_BARRIER),
	FIELD(GHOST_IOC_AGENT_PARK, struct ghost_agent_park, flags, K_FLAGS),
	FIELD(GHOST_IOC_COMMIT, struct ghost_commit, cpus_ptr, K_CPU_PTR),
	FIELD(GHOST_IOC_COMMIT, struct ghost_commit, cpus_size, K_CPU_SIZE),
	FIELD(GHOST_IOC_COMMIT, struct ghost_commit, flags, K_FLAGS),
	FIELD(GHOST_IOC_AGENT_MOVE, struct ghost_agent_move, cpu, K_CPU),
	FIELD(GHOST_IOC_REMOVE_TASK, struct ghost_remove_task, pid, K_PID),
	FIELD(GHOST_IOC_REMOVE_TASK, struct ghost_remove_task, flags, K_FLAGS),
	FIELD(GHOST_IOC_PING, struct ghost_ping, cpu, K_CPU),
	FIELD(GHOST_IOC_SET_CPUS, struct ghost_enclave_cpus, cpus_ptr, K_CPU_PTR),
	FIELD(GHOST_IOC_SET_CPUS, struct ghost_enclave_cpus, cpus_size, K_CPU_SIZE),
};

static const unsigned long requests[] = {
	GHOST_IOC_VERSION, GHOST_IOC_CREATE_ENCLAVE, GHOST_IOC_OPEN_ENCLAVE,
	GHOST_IOC_ENCLAVE_INFO, GHOST_IOC_DESTROY_ENCLAVE, GHOST_IOC_CONFIGURE,
	GHOST_IOC_ADD_TASK, GHOST_IOC_CREATE_QUEUE, GHOST_IOC_SET_DEFAULT_QUEUE,
	GHOST_IOC_SET_QUEUE_WAKEUP, GHOST_IOC_ASSOC_QUEUE, GHOST_IOC_DISCOVER,
	GHOST_IOC_BECOME_AGENT, GHOST_IOC_AGENT_PARK, GHOST_IOC_COMMIT,
	GHOST_IOC_AGENT_MOVE, GHOST_IOC_AGENT_RELEASE, GHOST_IOC_REMOVE_TASK,
	GHOST_IOC_PING, GHOST_IOC_SET_CPUS,
};

/* Types no VFS-level ioctl uses ('f', 'T', 'X', 0x00 and 0x94 do). */
static const unsigned char alien_types[] = { 'G', 'h', 'k', 0xe7 };

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

struct fuzz {
	uint64_t rng;
	int dev;
	struct genclave enclave;	/* CPUs 1-3, remade when destroyed */
	struct gqueue queue;
	struct genclave other;		/* CPU 3: a foreign enclave */
	struct gqueue other_queue;
	int fds[8];			/* planted as queue fds */
	int nr_fds;
	pid_t victim;			/* sleeps in the enclave */
	uint64_t victim_gtid;
	char *arg;			/* ARG_BYTES, then a guard page */
	char *guard;
	int first_unknown_fd;		/* lowest fd not ours */
	bool agent;
	unsigned long nr_ok;
	unsigned long errnos[256];
};

static uint64_t rnd(struct fuzz *f)
{
	f->rng ^= f->rng << 13;
	f->rng ^= f->rng >> 7;
	f->rng ^= f->rng << 17;
	return f->rng;
}

static uint64_t pick(struct fuzz *f, const uint64_t *values, size_t nr)
{
	return values[rnd(f) % nr];
}

#define PICK(f, ...)							\
	pick(f, (const uint64_t[]){ __VA_ARGS__ },			\
	     ARRAY_SIZE(((const uint64_t[]){ __VA_ARGS__ })))

static void fill_random(struct fuzz *f, char *buf, size_t len)
{
	for (size_t i = 0; i < len; i += sizeof(uint64_t)) {
		uint64_t r = rnd(f);

		memcpy(buf + i, &r, len - i < sizeof(r) ? len - i : sizeof(r));
	}
}

/* CPU bitmaps that planted pointers name: mostly real CPUs. */
static void fill_bitmap(struct fuzz *f)
{
	uint64_t *bitmap = (uint64_t *)(f->arg + BITMAP_OFFSET);

	fill_random(f, (char *)bitmap, 4096);
	if (rnd(f) % 4)
		bitmap[0] &= PICK(f, 0x1, 0xe, 0xf, 0x2, 0x1f);
	if (rnd(f) % 4)
		memset(bitmap + 1, 0, 4096 - sizeof(*bitmap));
}

static uint64_t cpu_value(struct fuzz *f)
{
	return (uint64_t)(int64_t)(int)PICK(f, -2, -1, 0, 1, 2, 3, 4, 63,
					    64, 1023, 1024, INT_MAX, INT_MIN);
}

static uint64_t gtid_value(struct fuzz *f)
{
	uint64_t gtid = f->victim_gtid;

	return PICK(f, gtid, gtid, gtid ^ (1ULL << 32), (uint32_t)gtid, 0,
		    GHOST_TARGET_PING, 1, 3, rnd(f));
}

static uint64_t barrier_value(struct fuzz *f)
{
	uint32_t now = gsw_barrier(gsw_task(&f->enclave, f->victim_gtid));

	return PICK(f, now, now, now - 1, now + 1, 0, UINT32_MAX, rnd(f));
}

static uint64_t field_value(struct fuzz *f, enum kind kind)
{
	switch (kind) {
	case K_CPU_PTR:
		fill_bitmap(f);
		return PICK(f, (uintptr_t)(f->arg + BITMAP_OFFSET),
			    (uintptr_t)(f->arg + BITMAP_OFFSET),
			    (uintptr_t)(f->guard - 8), (uintptr_t)f->guard, 0,
			    0xffffffff81000000ULL, rnd(f));
	case K_CPU_SIZE:
		return PICK(f, 0, 1, 8, 16, 128, 129, 4096, 1 << 20, rnd(f));
	case K_CPU:
		return cpu_value(f);
	case K_FD:
		return (uint64_t)(int64_t)f->fds[rnd(f) % f->nr_fds];
	case K_GTID:
		return gtid_value(f);
	case K_BARRIER:
		return barrier_value(f);
	case K_PID:
		return (uint64_t)(int64_t)(int)PICK(f, f->victim, f->victim,
						    0, -1, INT_MIN, rnd(f));
	case K_COUNT:
		return PICK(f, 0, 1, 15, 16, 17, 4096, 65536, 65537, 1048576,
			    1048577, 1ULL << (rnd(f) % 32), rnd(f));
	case K_MS:
		return PICK(f, 0, 9, 10, 11, 10000, 10001, rnd(f));
	case K_FLAGS:
		return PICK(f, 0, 0, 1, 2, 3, 1U << 31, UINT32_MAX, rnd(f));
	case K_ID:
		return PICK(f, f->enclave.id, f->other.id, f->enclave.id + 1000,
			    0, UINT64_MAX, rnd(f));
	}
	return 0;
}

/*
 * Random bytes where any struct has fields, zeroes beyond but for a stray
 * byte now and then (the "longer struct" rule), and a plausible value in
 * most known fields.
 */
static void fill_arg(struct fuzz *f, char *arg, size_t size, unsigned int nr)
{
	size_t room = f->guard - arg;
	size_t len = size < room ? size : room;
	size_t head = len < 256 ? len : 256;

	memset(arg, 0, len);
	if (rnd(f) % 2)
		fill_random(f, arg, head);
	if (len > head && rnd(f) % 2)
		arg[head + rnd(f) % (len - head)] = rnd(f) | 1;
	if (rnd(f) % 4 == 0)
		return;
	for (size_t i = 0; i < ARRAY_SIZE(fields); i++) {
		uint64_t value;

		if (fields[i].nr != nr || fields[i].offset + fields[i].size > len ||
		    rnd(f) % 8 == 0)
			continue;
		value = field_value(f, fields[i].kind);
		memcpy(arg + fields[i].offset, &value, fields[i].size);
	}
}

static unsigned int size_near(struct fuzz *f, unsigned int size)
{
	uint64_t r = PICK(f, size, size, size - 1, size + 1, size + 8,
			  size / 2, 0, 1, 4, 8, 4096, 16383, rnd(f));

	return r & _IOC_SIZEMASK;
}

static unsigned long random_request(struct fuzz *f)
{
	unsigned long real = requests[rnd(f) % ARRAY_SIZE(requests)];
	unsigned int dir = rnd(f) % 4;
	unsigned int roll = rnd(f) % 100;

	if (roll < 60)
		return real;
	if (roll < 85)
		return _IOC(dir, GHOST_IOC_MAGIC, _IOC_NR(real),
			    size_near(f, _IOC_SIZE(real)));
	if (roll < 95)
		return _IOC(dir, GHOST_IOC_MAGIC, rnd(f) % 256,
			    size_near(f, _IOC_SIZE(real)));
	return _IOC(dir, alien_types[rnd(f) % ARRAY_SIZE(alien_types)],
		    rnd(f) % 256, rnd(f) & _IOC_SIZEMASK);
}

static bool is_ghost(unsigned long request, unsigned long real)
{
	return _IOC_TYPE(request) == GHOST_IOC_MAGIC &&
	       _IOC_NR(request) == _IOC_NR(real);
}

/*
 * GHOST_IOC_ADD_TASK must not take a thread that matters: this one, init,
 * the shell... Only the victim, and pids that name nobody, may go in.
 */
static void keep_add_task_harmless(struct fuzz *f, unsigned long *request,
				   char *arg)
{
	int32_t pid;

	if (!is_ghost(*request, GHOST_IOC_ADD_TASK))
		return;
	if (_IOC_SIZE(*request) < sizeof(pid))
		*request = GHOST_IOC_ADD_TASK;
	if (arg < f->arg || arg + sizeof(pid) > f->guard)
		return;
	memcpy(&pid, arg, sizeof(pid));
	if (pid == 0 || (pid > 0 && pid != f->victim &&
			 (kill(pid, 0) == 0 || errno == EPERM)))
		memcpy(arg, &f->victim, sizeof(pid));
}

static char *random_arg(struct fuzz *f, unsigned long request)
{
	size_t size = _IOC_SIZE(request);
	char *arg;

	switch (rnd(f) % 16) {
	case 0:
		return NULL;
	case 1:
		return (char *)(uintptr_t)PICK(f, 1, 0x1000, 0xdead0000,
					       0xffffffff81000000ULL,
					       0x8000000000000000ULL);
	case 2:
		return f->guard;
	case 3:
		arg = f->guard - rnd(f) % (size + 1);
		break;
	default:
		arg = f->arg + rnd(f) % 64;
		break;
	}
	fill_arg(f, arg, size, _IOC_NR(request));
	return arg;
}

static void randomize_txns(struct fuzz *f)
{
	const struct genclave *e = &f->enclave;
	uint32_t nr = e->info.txns_size / sizeof(struct ghost_txn);

	for (uint32_t cpu = 0; cpu < nr && cpu < e->info.nr_cpu_ids; cpu++) {
		struct ghost_txn *txn = gtxn(e, cpu);

		if (rnd(f) % 3 == 0)
			continue;
		txn->target = gtid_value(f);
		txn->task_barrier = barrier_value(f);
		txn->agent_barrier = gcpu_barrier(e, cpu) + PICK(f, 0, 0, -1, 1);
		txn->run_flags = PICK(f, 0, 0, 1, 2, 3, 4, rnd(f));
		if (rnd(f) % 8 == 0)
			fill_random(f, (char *)txn->reserved,
				    sizeof(txn->reserved));
		__atomic_store_n(&txn->state,
				 (int)PICK(f, GHOST_TXN_READY, GHOST_TXN_READY,
					   GHOST_TXN_READY, GHOST_TXN_CLAIMED,
					   GHOST_TXN_COMPLETE, rnd(f)),
				 __ATOMIC_RELEASE);
	}
}

static int lowest_free_fd(void)
{
	int fd = dup(0);

	close(fd);
	return fd;
}

/*
 * Every fd above ours came out of an ioctl: an enclave made by the
 * fuzzing is destroyed, since it would outlive its fd.
 */
static void collect_new_fds(struct fuzz *f)
{
	struct ghost_enclave_info info;

	for (int fd = f->first_unknown_fd; fcntl(fd, F_GETFD) != -1; fd++) {
		if (!ioctl(fd, GHOST_IOC_ENCLAVE_INFO, &info) &&
		    info.id != f->enclave.id && info.id != f->other.id)
			ioctl(fd, GHOST_IOC_DESTROY_ENCLAVE);
		close(fd);
	}
}

static void release_agent(struct fuzz *f)
{
	gagent_release(&f->enclave);
	gagent_release(&f->other);
	f->agent = false;
}

/* The victim's gtid, from its TASK_NEW. */
static uint64_t victim_gtid(struct fuzz *f)
{
	uint64_t deadline = gnow_ns() + 10000000000ULL;
	struct ghost_msg msg;

	while (gnow_ns() < deadline)
		if (gqueue_pop(&f->queue, &msg) &&
		    msg.type == GHOST_MSG_TASK_NEW && msg.task_new.tid == f->victim)
			return msg.gtid;
	return 0;
}

static void make_enclave(struct genclave *e, struct gqueue *q, int first,
			 int last)
{
	cpu_set_t cpus;

	gcpus_range(&cpus, first, last);
	CHECK(genclave_create(e, &cpus, 0, 0) == 0);
	CHECK(gqueue_create(q, e, 64, -1) == 0);
}

/* (Re)makes both enclaves, and the list of fds to plant. */
static void setup_enclaves(struct fuzz *f, int pipe_fd, int null_fd)
{
	/* CPU 0 stays outside: enclaves must leave the kernel one CPU. */
	make_enclave(&f->enclave, &f->queue, GTEST_FIRST_CPU, GTEST_LAST_CPU - 1);
	make_enclave(&f->other, &f->other_queue, GTEST_LAST_CPU, GTEST_LAST_CPU);
	CHECK(genclave_add_task(&f->enclave, f->victim) == 0);
	f->victim_gtid = victim_gtid(f);
	CHECK(f->victim_gtid);
	f->nr_fds = 0;
	f->fds[f->nr_fds++] = f->dev;
	f->fds[f->nr_fds++] = f->enclave.fd;
	f->fds[f->nr_fds++] = f->queue.fd;
	f->fds[f->nr_fds++] = f->other.fd;
	f->fds[f->nr_fds++] = f->other_queue.fd;
	f->fds[f->nr_fds++] = pipe_fd;
	f->fds[f->nr_fds++] = null_fd;
	f->fds[f->nr_fds++] = -1;
	f->first_unknown_fd = lowest_free_fd();
}

static void teardown_enclaves(struct fuzz *f)
{
	release_agent(f);
	gqueue_close(&f->queue);
	gqueue_close(&f->other_queue);
	genclave_destroy(&f->enclave);
	genclave_destroy(&f->other);
}

/*
 * The fuzzing may destroy our enclaves: then start afresh, with the
 * ticker's signal held so that it interrupts none of it.
 */
static void remake_if_destroyed(struct fuzz *f)
{
	struct ghost_enclave_info info;
	sigset_t alarm, old;

	if (!genclave_query(&f->enclave, &info) &&
	    !genclave_query(&f->other, &info))
		return;
	sigemptyset(&alarm);
	sigaddset(&alarm, SIGALRM);
	sigprocmask(SIG_BLOCK, &alarm, &old);
	teardown_enclaves(f);
	setup_enclaves(f, f->fds[5], f->fds[6]);
	sigprocmask(SIG_SETMASK, &old, NULL);
}

static int random_target(struct fuzz *f)
{
	return PICK(f, f->dev, f->enclave.fd, f->enclave.fd, f->enclave.fd,
		    f->queue.fd, f->other.fd, f->other_queue.fd);
}

static void fuzz_one_ioctl(struct fuzz *f)
{
	unsigned long request = random_request(f);
	char *arg = random_arg(f, request);
	int fd = random_target(f);
	int ret, err;

	keep_add_task_harmless(f, &request, arg);
	if (f->agent && is_ghost(request, GHOST_IOC_COMMIT))
		randomize_txns(f);
	ret = ioctl(fd, request, arg);
	err = errno;
	if (ret == 0)
		f->nr_ok++;
	else
		f->errnos[err & 255]++;
	collect_new_fds(f);
	if (!f->agent && !ret && (is_ghost(request, GHOST_IOC_BECOME_AGENT) ||
				  sched_getscheduler(0) != SCHED_OTHER))
		release_agent(f);
	if ((ret && err == ENODEV) ||
	    is_ghost(request, GHOST_IOC_DESTROY_ENCLAVE))
		remake_if_destroyed(f);
}

/* Interrupts GHOST_IOC_AGENT_PARK, which could otherwise sleep for good. */
static void tick(int sig)
{
	(void)sig;
}

static void set_ticker(bool on)
{
	struct itimerval period = {
		.it_interval = { .tv_usec = on ? 10000 : 0 },
		.it_value = { .tv_usec = on ? 10000 : 0 },
	};
	struct sigaction sa = { .sa_handler = tick };

	sigemptyset(&sa.sa_mask);
	CHECK(sigaction(SIGALRM, &sa, NULL) == 0);
	CHECK(setitimer(ITIMER_REAL, &period, NULL) == 0);
}

/* An agent's stretch runs with the ticker, which ends any park. */
static void fuzz_ioctls(struct fuzz *f)
{
	for (int stretch = 0; stretch < NR_IOCTLS / AGENT_STRETCH; stretch++) {
		bool as_agent = stretch % AGENT_SHARE == 0;

		if (as_agent) {
			set_ticker(true);
			f->agent = !gagent_become(&f->enclave, FUZZ_CPU,
						  f->queue.fd);
		}
		for (int i = 0; i < AGENT_STRETCH; i++)
			fuzz_one_ioctl(f);
		release_agent(f);
		if (as_agent)
			set_ticker(false);
	}
}

/* 0 if the mapping was made (and is undone), else its errno. */
static int mmap_error(int fd, size_t len, int prot, int flags, off_t offset)
{
	void *map = mmap(NULL, len, prot, flags, fd, offset);

	if (map == MAP_FAILED)
		return errno;
	munmap(map, len);
	return 0;
}

static void check_mmap_refusals(const struct fuzz *f)
{
	const struct ghost_enclave_info *info = &f->enclave.info;
	size_t page = sysconf(_SC_PAGESIZE);
	int fd = f->enclave.fd;
	void *status;

	CHECK(mmap_error(fd, info->status_size, PROT_READ | PROT_WRITE,
			 MAP_SHARED, GHOST_MMAP_STATUS) == EACCES);
	CHECK(mmap_error(fd, info->status_size, PROT_READ, MAP_PRIVATE,
			 GHOST_MMAP_STATUS) == EINVAL);
	CHECK(mmap_error(fd, info->status_size + page, PROT_READ, MAP_SHARED,
			 GHOST_MMAP_STATUS) == EINVAL);
	CHECK(mmap_error(fd, info->txns_size + page, PROT_READ | PROT_WRITE,
			 MAP_SHARED, GHOST_MMAP_TXNS) == EINVAL);
	CHECK(mmap_error(fd, page, PROT_READ, MAP_SHARED,
			 GHOST_MMAP_TXNS + page) == EINVAL);
	CHECK(mmap_error(fd, page, PROT_READ, MAP_SHARED, 0x20000000) == EINVAL);
	CHECK(mmap_error(f->queue.fd, page, PROT_READ, MAP_SHARED, page));
	CHECK(mmap_error(f->queue.fd, f->queue.map_size + page, PROT_READ,
			 MAP_SHARED, 0));

	status = mmap(NULL, info->status_size, PROT_READ, MAP_SHARED, fd,
		      GHOST_MMAP_STATUS);
	CHECK(status != MAP_FAILED);
	CHECK_ERR(mprotect(status, info->status_size, PROT_READ | PROT_WRITE),
		  EACCES);
	munmap(status, info->status_size);
}

/* Reads every page it may read and scribbles on every page it may write. */
static void touch(struct fuzz *f, char *map, size_t len, int prot)
{
	size_t page = sysconf(_SC_PAGESIZE);

	for (size_t i = 0; i < len; i += page) {
		if (prot & PROT_READ)
			(void)__atomic_load_n(map + i, __ATOMIC_RELAXED);
		if (prot & PROT_WRITE)
			map[i + rnd(f) % page] = rnd(f);
	}
}

static void fuzz_one_mmap(struct fuzz *f)
{
	size_t page = sysconf(_SC_PAGESIZE);
	const struct ghost_enclave_info *info = &f->enclave.info;
	int fd = PICK(f, f->enclave.fd, f->enclave.fd, f->queue.fd,
		      f->other.fd, f->dev);
	off_t offset = PICK(f, GHOST_MMAP_STATUS, GHOST_MMAP_TXNS,
			    GHOST_MMAP_TXNS + page, page, 0x20000000, 1,
			    rnd(f) & 0xffffff000ULL);
	size_t len = PICK(f, 0, 1, page, info->status_size, info->txns_size,
			  f->queue.map_size, info->status_size + page,
			  1ULL << 30);
	int prot = PICK(f, PROT_READ, PROT_WRITE, PROT_READ | PROT_WRITE,
			PROT_READ | PROT_EXEC, PROT_NONE);
	int flags = PICK(f, MAP_SHARED, MAP_PRIVATE, MAP_SHARED | MAP_POPULATE,
			 MAP_SHARED | MAP_NORESERVE, MAP_SHARED_VALIDATE);
	char *map = mmap(NULL, len, prot, flags, fd, offset);
	void *grown;

	if (map == MAP_FAILED)
		return;
	touch(f, map, len, prot);
	if (len >= 3 * page) {
		munmap(map + page, page);
		touch(f, map, page, prot);
	}
	grown = mremap(map, len, len + page, MREMAP_MAYMOVE);
	if (grown != MAP_FAILED) {
		map = grown;
		len += page;
	}
	munmap(map, len);
}

/* A queue's mapping keeps it alive after its fd is closed. */
static void check_mapping_outlives_fd(struct fuzz *f)
{
	struct gqueue q;

	CHECK(gqueue_create(&q, &f->enclave, 16, -1) == 0);
	close(q.fd);
	q.fd = -1;
	CHECK(q.header->magic == GHOST_QUEUE_MAGIC);
	q.header->tail = rnd(f);
	gqueue_close(&q);
}

static void fuzz_mmaps(struct fuzz *f)
{
	for (int i = 0; i < NR_MMAPS; i++)
		fuzz_one_mmap(f);
}

/* It may go only where the enclaves are: CPU 0 is the kernel's. */
static pid_t fork_victim(void)
{
	pid_t pid = fork();
	cpu_set_t cpus;

	if (!pid) {
		for (;;)
			pause();
	}
	gcpus_range(&cpus, GTEST_FIRST_CPU, GTEST_LAST_CPU);
	CHECK(sched_setaffinity(pid, sizeof(cpus), &cpus) == 0);
	return pid;
}

static void setup(struct fuzz *f)
{
	size_t page = sysconf(_SC_PAGESIZE);
	int pipe_fds[2];
	char *area;

	area = mmap(NULL, ARG_BYTES + page, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(area != MAP_FAILED);
	f->arg = area;
	f->guard = area + ARG_BYTES;
	CHECK(mprotect(f->guard, page, PROT_NONE) == 0);
	f->victim = fork_victim();
	CHECK(f->victim > 0);
	f->dev = gdev_open();
	CHECK(f->dev >= 0);
	CHECK(pipe(pipe_fds) == 0);
	setup_enclaves(f, pipe_fds[0], open("/dev/null", O_RDWR));
}

/* Whatever enclave is left, however it was made, goes. */
static void destroy_leftovers(void)
{
	static struct gnl_enclave live[64];
	int nr = gnl_dump_enclaves(live, 64);
	struct genclave e;

	CHECK(nr >= 0);
	for (int i = 0; i < nr; i++) {
		printf("ioctl_fuzz: destroying leftover enclave %llu\n",
		       (unsigned long long)live[i].id);
		if (!genclave_open(&e, live[i].id))
			genclave_destroy(&e);
	}
	CHECK(gnl_dump_enclaves(live, 64) == 0);
}

static void check_still_works(void)
{
	struct genclave e;
	cpu_set_t cpus;

	gcpus_range(&cpus, GTEST_FIRST_CPU, GTEST_LAST_CPU);
	CHECK(genclave_create(&e, &cpus, 0, 0) == 0);
	CHECK(e.info.state == GHOST_ENCLAVE_LIVE && e.info.nr_tasks == 0);
	CHECK(genclave_destroy(&e) == 0);
}

static void print_summary(const struct fuzz *f)
{
	printf("ioctl_fuzz: %d ioctls, %lu succeeded; errnos:", NR_IOCTLS,
	       f->nr_ok);
	for (int err = 0; err < 256; err++)
		if (f->errnos[err])
			printf(" %s %lu", strerrorname_np(err) ?: "?",
			       f->errnos[err]);
	printf("\n");
}

int main(int argc, char **argv)
{
	static struct fuzz f;
	uint64_t seed = argc > 1 ? strtoull(argv[1], NULL, 0) : gnow_ns();

	printf("ioctl_fuzz: seed %llu\n", (unsigned long long)seed);
	fflush(stdout);
	f.rng = seed | 1;
	CHECK(gpin_self(0) == 0);
	setup(&f);
	check_mmap_refusals(&f);
	check_mapping_outlives_fd(&f);
	fuzz_ioctls(&f);
	fuzz_mmaps(&f);

	teardown_enclaves(&f);
	kill(f.victim, SIGKILL);
	waitpid(f.victim, NULL, 0);
	collect_new_fds(&f);
	destroy_leftovers();
	check_still_works();
	print_summary(&f);
	test_pass("ioctl_fuzz");
}
