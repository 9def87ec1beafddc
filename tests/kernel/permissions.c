// SPDX-License-Identifier: GPL-2.0
/*
 * Proves: who may do what with ghost.
 *  - A process of uid 65534 with no effective or permitted capability
 *    (capget) opens /dev/ghost and reads its version, but creating an
 *    enclave and opening one by id fail with EPERM. Through an enclave fd
 *    (and a queue fd) that root passed it over a unix socket, every owner
 *    operation fails with EPERM: destroying, configuring, changing CPUs,
 *    creating queues, setting the default queue or a queue's wakeup,
 *    associating a task with a queue, rediscovering tasks, pinging,
 *    becoming an agent, and mapping either region; the enclave survives
 *    it all. Adding a thread of a root process fails with EPERM; reading
 *    the enclave's info, adding a thread of its own and removing it again
 *    succeed (the enclave counts it in between).
 *  - That thread, a ghost task now, may not lower its nice value past
 *    RLIMIT_NICE through sched_setattr(2) with SCHED_GHOST (EPERM), as in
 *    CFS; raising it is fine.
 *  - It can dump enclaves over generic netlink but not join the events
 *    group, whose messages name threads (EPERM).
 *  - An enclave fd refuses, with EBADF, the queue fd of another enclave, a
 *    pipe and /dev/null as queue fds (SET_DEFAULT_QUEUE, SET_QUEUE_WAKEUP,
 *    BECOME_AGENT), and accepts its own queue.
 */
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <pthread.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gagent.h"
#include "gnl.h"
#include "gworkers.h"
#include "test.h"

#define NOBODY		65534
#define DONE		'D'

/* What root tells the unprivileged child, along with the enclave fd. */
struct handover {
	uint64_t enclave_id;
	pid_t root_pid;
};

static void send_fds(int sock, const int fds[2], const struct handover *h)
{
	char control[CMSG_SPACE(2 * sizeof(int))] = { 0 };
	struct iovec iov = { .iov_base = (void *)h, .iov_len = sizeof(*h) };
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = control,
		.msg_controllen = sizeof(control),
	};
	struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);

	cmsg->cmsg_level = SOL_SOCKET;
	cmsg->cmsg_type = SCM_RIGHTS;
	cmsg->cmsg_len = CMSG_LEN(2 * sizeof(int));
	memcpy(CMSG_DATA(cmsg), fds, 2 * sizeof(int));
	CHECK(sendmsg(sock, &msg, 0) == sizeof(*h));
}

static void receive_fds(int sock, int fds[2], struct handover *h)
{
	char control[CMSG_SPACE(2 * sizeof(int))];
	struct iovec iov = { .iov_base = h, .iov_len = sizeof(*h) };
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = control,
		.msg_controllen = sizeof(control),
	};
	struct cmsghdr *cmsg;

	CHECK(recvmsg(sock, &msg, 0) == sizeof(*h));
	cmsg = CMSG_FIRSTHDR(&msg);
	CHECK(cmsg && cmsg->cmsg_type == SCM_RIGHTS &&
	      cmsg->cmsg_len == CMSG_LEN(2 * sizeof(int)));
	memcpy(fds, CMSG_DATA(cmsg), 2 * sizeof(int));
}

static void drop_privileges(void)
{
	struct __user_cap_header_struct header = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct caps[2];

	CHECK(setgroups(0, NULL) == 0);
	CHECK(setresgid(NOBODY, NOBODY, NOBODY) == 0);
	CHECK(setresuid(NOBODY, NOBODY, NOBODY) == 0);
	/* The uid change made /proc/self root's; gpuppet_spawn() reads it. */
	CHECK(prctl(PR_SET_DUMPABLE, 1) == 0);
	CHECK(syscall(SYS_capget, &header, caps) == 0);
	for (int i = 0; i < 2; i++)
		CHECK(!caps[i].effective && !caps[i].permitted);
}

static void check_privileged_ioctls_refused(void)
{
	struct ghost_enclave_create create = { .cpus_size = sizeof(cpu_set_t) };
	struct ghost_version version;
	cpu_set_t cpus;
	int dev = gdev_open();

	CHECK(dev >= 0);
	CHECK(ioctl(dev, GHOST_IOC_VERSION, &version) == 0);
	gcpus_one(&cpus, 0);
	create.cpus_ptr = (uintptr_t)&cpus;
	CHECK_ERR(ioctl(dev, GHOST_IOC_CREATE_ENCLAVE, &create), EPERM);
	close(dev);
}

/* Everything only the enclave's owner may do, tried with its fds. */
static void check_owner_operations_refused(const struct genclave *e,
					   int queue_fd)
{
	struct ghost_queue_create create = { .nr_slots = 64, .wakeup_cpu = -1 };
	struct ghost_assoc_queue assoc = { .gtid = 1, .queue_fd = queue_fd };
	struct ghost_discover discover;
	struct ghost_enclave_info info;
	cpu_set_t cpus;

	gcpus_one(&cpus, GTEST_FIRST_CPU);
	CHECK_ERR(ioctl(e->fd, GHOST_IOC_DESTROY_ENCLAVE), EPERM);
	CHECK_ERR(genclave_configure(e, 1000, 0), EPERM);
	CHECK_ERR(genclave_set_cpus(e, &cpus), EPERM);
	CHECK_ERR(ioctl(e->fd, GHOST_IOC_CREATE_QUEUE, &create), EPERM);
	CHECK_ERR(genclave_set_default_queue(e, queue_fd), EPERM);
	CHECK_ERR(genclave_set_queue_wakeup(e, queue_fd, -1), EPERM);
	CHECK_ERR(ioctl(e->fd, GHOST_IOC_ASSOC_QUEUE, &assoc), EPERM);
	CHECK_ERR(ioctl(e->fd, GHOST_IOC_DISCOVER, &discover), EPERM);
	CHECK_ERR(gagent_ping(e, GTEST_FIRST_CPU), EPERM);
	CHECK_ERR(gagent_become(e, GTEST_FIRST_CPU, -1), EPERM);
	CHECK(genclave_query(e, &info) == 0);
	CHECK(mmap(NULL, info.status_size, PROT_READ, MAP_SHARED, e->fd,
		   GHOST_MMAP_STATUS) == MAP_FAILED && errno == EPERM);
	CHECK(mmap(NULL, info.txns_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		   e->fd, GHOST_MMAP_TXNS) == MAP_FAILED && errno == EPERM);
	CHECK_EQ(info.state, GHOST_ENCLAVE_LIVE);
}

/*
 * Its thread sleeps while in the enclave, where no agent would run it:
 * the process acts on it from outside, as sched_setattr(2) lets it.
 */
static void own_thread(int sock, const struct genclave *e)
{
	struct test_sched_attr attr = {
		.size = sizeof(attr), .sched_policy = SCHED_GHOST,
	};
	struct ghost_enclave_info info;
	uint32_t nr_removed = 0;
	struct gpuppet own;
	char byte = DONE;
	cpu_set_t cpus;

	gcpus_range(&cpus, 1, 2);
	CHECK(gpuppet_spawn(&own, &cpus) == 0);
	CHECK(genclave_add_task(e, own.tid) == 0);
	CHECK(genclave_query(e, &info) == 0 && info.nr_tasks == 1);
	attr.sched_nice = -20;
	CHECK_ERR(syscall(SYS_sched_setattr, own.tid, &attr, 0), EPERM);
	attr.sched_nice = 5;
	CHECK(syscall(SYS_sched_setattr, own.tid, &attr, 0) == 0);
	CHECK(genclave_remove_task(e, own.tid, 0, &nr_removed) == 0);
	CHECK_EQ(nr_removed, 1);
	CHECK(genclave_query(e, &info) == 0 && info.nr_tasks == 0);
	CHECK(write(sock, &byte, 1) == 1);
	gpuppet_post(&own, GPUPPET_EXIT, 0);
	gpuppet_join(&own);
}

static void check_netlink(uint64_t enclave_id)
{
	struct gnl_enclave enclaves[4];
	int n = gnl_dump_enclaves(enclaves, 4);

	CHECK(n > 0);
	for (int i = 0; i < n && enclaves[i].id != enclave_id; i++)
		CHECK(i + 1 < n);
	CHECK(!gnl_events_open() && errno == EPERM);
}

static void unprivileged_child(int sock)
{
	struct genclave e = { 0 }, other;
	struct handover h;
	int fds[2];

	drop_privileges();
	check_privileged_ioctls_refused();
	receive_fds(sock, fds, &h);
	e.fd = fds[0];
	CHECK_ERR(genclave_open(&other, h.enclave_id), EPERM);
	check_owner_operations_refused(&e, fds[1]);
	CHECK_ERR(genclave_add_task(&e, h.root_pid), EPERM);
	own_thread(sock, &e);
	check_netlink(h.enclave_id);
	exit(0);
}

struct attach_attempt {
	const struct genclave *e;
	int queue_fd;
	int err;
};

/* In a thread of its own, so that a wrong success harms nothing else. */
static void *attach_main(void *arg)
{
	struct attach_attempt *attempt = arg;

	if (gagent_become(attempt->e, GTEST_FIRST_CPU, attempt->queue_fd)) {
		attempt->err = errno;
		return NULL;
	}
	gagent_release(attempt->e);
	return NULL;
}

static int attach_error(const struct genclave *e, int queue_fd)
{
	struct attach_attempt attempt = { .e = e, .queue_fd = queue_fd };
	pthread_t thread;

	CHECK(pthread_create(&thread, NULL, attach_main, &attempt) == 0);
	pthread_join(thread, NULL);
	return attempt.err;
}

static void check_foreign_queues_refused(const struct genclave *e,
					 const struct gqueue *own,
					 const struct gqueue *other)
{
	int pipe_fds[2], foreign[3];

	CHECK(pipe(pipe_fds) == 0);
	foreign[0] = other->fd;
	foreign[1] = pipe_fds[0];
	foreign[2] = open("/dev/null", O_RDWR);
	CHECK(foreign[2] >= 0);
	for (int i = 0; i < 3; i++) {
		CHECK_ERR(genclave_set_default_queue(e, foreign[i]), EBADF);
		CHECK_ERR(genclave_set_queue_wakeup(e, foreign[i], 1), EBADF);
		CHECK(attach_error(e, foreign[i]) == EBADF);
	}
	CHECK(genclave_set_default_queue(e, own->fd) == 0);
	CHECK(genclave_set_queue_wakeup(e, own->fd, 1) == 0);
	close(pipe_fds[0]);
	close(pipe_fds[1]);
	close(foreign[2]);
}

static pid_t fork_sleeper(void)
{
	pid_t pid = fork();

	if (!pid) {
		pause();
		_exit(0);
	}
	return pid;
}

int main(void)
{
	struct genclave shared, other;
	struct gqueue shared_queue, other_queue;
	struct ghost_enclave_info info;
	struct handover h;
	int sockets[2], status;
	pid_t child;
	cpu_set_t cpus;
	char byte;

	CHECK(gpin_self(0) == 0);
	CHECK(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sockets) == 0);
	h.root_pid = fork_sleeper();
	CHECK(h.root_pid > 0);
	child = fork();
	CHECK(child >= 0);
	if (!child) {
		close(sockets[0]);
		unprivileged_child(sockets[1]);
	}
	close(sockets[1]);

	gcpus_range(&cpus, 1, 2);
	CHECK(genclave_create(&shared, &cpus, 0, 0) == 0);
	CHECK(genclave_destroy_on_failure(&shared) == 0);
	gcpus_one(&cpus, 3);
	CHECK(genclave_create(&other, &cpus, 0, 0) == 0);
	CHECK(genclave_destroy_on_failure(&other) == 0);
	CHECK(gqueue_create(&shared_queue, &shared, 64, -1) == 0);
	CHECK(gqueue_create(&other_queue, &other, 64, -1) == 0);
	check_foreign_queues_refused(&shared, &shared_queue, &other_queue);

	h.enclave_id = shared.id;
	send_fds(sockets[0], (int[]){ shared.fd, shared_queue.fd }, &h);
	CHECK(read(sockets[0], &byte, 1) == 1 && byte == DONE);
	CHECK(waitpid(child, &status, 0) == child);
	CHECK(genclave_query(&shared, &info) == 0);
	CHECK_EQ(info.state, GHOST_ENCLAVE_LIVE);
	CHECK(genclave_destroy(&shared) == 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);

	kill(h.root_pid, SIGKILL);
	waitpid(h.root_pid, NULL, 0);
	gqueue_close(&shared_queue);
	gqueue_close(&other_queue);
	CHECK(genclave_destroy(&other) == 0);
	test_pass("permissions");
}
