// SPDX-License-Identifier: GPL-2.0
/*
 * Workers and puppets: see gworkers.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gworkers.h"

#define LOAD(x)		__atomic_load_n(&(x), __ATOMIC_ACQUIRE)
#define STORE(x, v)	__atomic_store_n(&(x), (v), __ATOMIC_RELEASE)

static void gwork_loop(struct gworker *w)
{
	const struct gwork *work = &w->group->work;

	for (unsigned int i = 0; !work->iterations || i < work->iterations; i++) {
		if (gworker_stopping(w))
			break;
		gspin_us(work->spin_us);
		if (work->sleep_us)
			usleep(work->sleep_us);
		if (sched_getscheduler(0) != w->first_policy)
			STORE(w->changed_policy, true);
		__atomic_add_fetch(&w->iterations, 1, __ATOMIC_RELEASE);
	}
}

static void *gworker_main(void *arg)
{
	struct gworker *w = arg;
	struct gworkers *g = w->group;

	STORE(w->tid, gettid());
	while (!LOAD(g->released))
		gfutex_wait(&g->released, 0, -1);
	STORE(w->first_policy, sched_getscheduler(0));
	if (g->work.body)
		g->work.body(w);
	else
		gwork_loop(w);
	STORE(w->last_policy, sched_getscheduler(0));
	STORE(w->done, true);
	return NULL;
}

static bool gwait_tid(const pid_t *tid, int timeout_ms)
{
	uint64_t end = gnow_ns() + timeout_ms * 1000000ULL;

	while (!LOAD(*tid)) {
		if (gnow_ns() > end)
			return false;
		usleep(100);
	}
	return true;
}

int gworkers_spawn(struct gworkers *g, int nr, const struct gwork *work,
		   const cpu_set_t *affinity)
{
	pthread_attr_t attr;
	int err = 0;

	memset(g, 0, sizeof(*g));
	g->workers = calloc(nr, sizeof(*g->workers));
	if (!g->workers)
		return -1;
	g->work = *work;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 64 * 1024);
	if (affinity)
		pthread_attr_setaffinity_np(&attr, sizeof(*affinity), affinity);
	for (; g->nr < nr && !err; g->nr++) {
		struct gworker *w = &g->workers[g->nr];

		w->group = g;
		w->index = g->nr;
		err = pthread_create(&w->thread, &attr, gworker_main, w);
	}
	pthread_attr_destroy(&attr);
	if (err) {
		g->nr--;
		errno = err;
		return -1;
	}
	for (int i = 0; i < nr; i++)
		if (!gwait_tid(&g->workers[i].tid, 10000))
			return -1;
	return 0;
}

/* Returns how many entered the enclave: g->nr unless one failed (errno). */
int gworkers_add(struct gworkers *g, const struct genclave *e)
{
	for (int i = 0; i < g->nr; i++)
		if (genclave_add_task(e, g->workers[i].tid))
			return i;
	return g->nr;
}

void gworkers_release(struct gworkers *g)
{
	STORE(g->released, 1);
	gfutex_wake(&g->released);
}

void gworkers_stop(struct gworkers *g)
{
	STORE(g->stop, true);
}

bool gworker_stopping(const struct gworker *w)
{
	return LOAD(w->group->stop);
}

uint64_t gworkers_min_iterations(const struct gworkers *g)
{
	uint64_t min = UINT64_MAX;

	for (int i = 0; i < g->nr; i++) {
		uint64_t n = LOAD(g->workers[i].iterations);

		if (n < min)
			min = n;
	}
	return min;
}

bool gworkers_wait_iterations(const struct gworkers *g, uint64_t min,
			      int timeout_ms)
{
	uint64_t end = gnow_ns() + timeout_ms * 1000000ULL;

	while (gworkers_min_iterations(g) < min) {
		if (gnow_ns() > end)
			return false;
		gsleep_ms(5);
	}
	return true;
}

static int gworkers_nr_done(const struct gworkers *g)
{
	int n = 0;

	for (int i = 0; i < g->nr; i++)
		n += LOAD(g->workers[i].done);
	return n;
}

bool gworkers_wait_done(const struct gworkers *g, int timeout_ms)
{
	uint64_t end = gnow_ns() + timeout_ms * 1000000ULL;

	while (gworkers_nr_done(g) < g->nr) {
		if (gnow_ns() > end)
			return false;
		gsleep_ms(5);
	}
	return true;
}

/* Asks the kernel, for the workers that have not exited yet. */
int gworkers_count_live_policy(const struct gworkers *g, int policy)
{
	int n = 0;

	for (int i = 0; i < g->nr; i++)
		n += sched_getscheduler(g->workers[i].tid) == policy;
	return n;
}

int gworkers_count_first_policy(const struct gworkers *g, int policy)
{
	int n = 0;

	for (int i = 0; i < g->nr; i++)
		n += LOAD(g->workers[i].first_policy) == policy;
	return n;
}

int gworkers_count_last_policy(const struct gworkers *g, int policy)
{
	int n = 0;

	for (int i = 0; i < g->nr; i++)
		n += LOAD(g->workers[i].last_policy) == policy;
	return n;
}

int gworkers_count_changed_policy(const struct gworkers *g)
{
	int n = 0;

	for (int i = 0; i < g->nr; i++)
		n += LOAD(g->workers[i].changed_policy);
	return n;
}

void gworkers_join(struct gworkers *g)
{
	for (int i = 0; i < g->nr; i++)
		pthread_join(g->workers[i].thread, NULL);
}

void gworkers_free(struct gworkers *g)
{
	free(g->workers);
	g->workers = NULL;
	g->nr = 0;
}

/* The start of /proc/self/task/TID/@file in @buf, a string; false if none. */
static bool gthread_read_proc(pid_t tid, const char *file, char *buf,
			      size_t size)
{
	char path[64];
	ssize_t len;
	int fd;

	snprintf(path, sizeof(path), "/proc/self/task/%d/%s", tid, file);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	len = read(fd, buf, size - 1);
	close(fd);
	if (len <= 0)
		return false;
	buf[len] = '\0';
	return true;
}

/* The state letter of /proc/self/task/TID/stat ('R', 'S', ...), or 0. */
static char gthread_state(pid_t tid)
{
	char buf[512];
	char *paren;

	if (!gthread_read_proc(tid, "stat", buf, sizeof(buf)))
		return 0;
	paren = strrchr(buf, ')');
	return paren && paren[1] == ' ' ? paren[2] : 0;
}

/*
 * Whether TID is off its CPU. The 'S' of stat is set before the thread
 * calls schedule(), so alone it does not mean the switch happened;
 * /proc/.../syscall answers "running" until the kernel has seen the thread
 * switched out (it waits for that, wait_task_inactive()).
 */
static bool gthread_switched_out(pid_t tid)
{
	char buf[16];

	return gthread_read_proc(tid, "syscall", buf, sizeof(buf)) &&
	       strncmp(buf, "running", 7) != 0;
}

static bool gthread_wait_sleeping(pid_t tid, int timeout_ms)
{
	uint64_t end = gnow_ns() + timeout_ms * 1000000ULL;

	while (gthread_state(tid) != 'S' || !gthread_switched_out(tid)) {
		if (gnow_ns() > end)
			return false;
		usleep(200);
	}
	return true;
}

static void gpuppet_run(struct gpuppet *p, int cmd, uint32_t arg)
{
	switch (cmd) {
	case GPUPPET_SPIN:
		if (arg) {
			gspin_us(arg);
			break;
		}
		while (!LOAD(p->stop_spin))
			__atomic_add_fetch(&p->spins, 1, __ATOMIC_RELAXED);
		break;
	case GPUPPET_SLEEP:
		usleep(arg);
		break;
	case GPUPPET_YIELD:
		sched_yield();
		break;
	}
}

static void *gpuppet_main(void *arg)
{
	struct gpuppet *p = arg;
	uint32_t done = 0;

	STORE(p->tid, gettid());
	for (;;) {
		int cmd;

		while (LOAD(p->posted) == done)
			gfutex_wait(&p->posted, done, -1);
		cmd = LOAD(p->cmd);
		STORE(p->policy, sched_getscheduler(0));
		STORE(p->woke_on, sched_getcpu());
		if (cmd == GPUPPET_EXIT)
			break;
		gpuppet_run(p, cmd, LOAD(p->arg));
		STORE(p->done, ++done);
	}
	STORE(p->done, done + 1);
	return NULL;
}

int gpuppet_spawn(struct gpuppet *p, const cpu_set_t *affinity)
{
	pthread_attr_t attr;
	int err;

	memset(p, 0, sizeof(*p));
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 64 * 1024);
	if (affinity)
		pthread_attr_setaffinity_np(&attr, sizeof(*affinity), affinity);
	err = pthread_create(&p->thread, &attr, gpuppet_main, p);
	pthread_attr_destroy(&attr);
	if (err) {
		errno = err;
		return -1;
	}
	/* Added while it waits, it enters not runnable: its post wakes it. */
	return gwait_tid(&p->tid, 10000) &&
	       gthread_wait_sleeping(p->tid, 10000) ? 0 : -1;
}

/* One command at a time: the previous one must be done (gpuppet_idle()). */
void gpuppet_post(struct gpuppet *p, enum gpuppet_cmd cmd, uint32_t arg)
{
	/* A stop it has not seen yet still ends the spin it is in. */
	if (gpuppet_idle(p))
		STORE(p->stop_spin, false);
	STORE(p->cmd, cmd);
	STORE(p->arg, arg);
	__atomic_add_fetch(&p->posted, 1, __ATOMIC_RELEASE);
	gfutex_wake(&p->posted);
}

void gpuppet_stop_spin(struct gpuppet *p)
{
	STORE(p->stop_spin, true);
}

bool gpuppet_idle(const struct gpuppet *p)
{
	return LOAD(p->done) == LOAD(p->posted);
}

bool gpuppet_wait_asleep(const struct gpuppet *p, int timeout_ms)
{
	uint64_t end = gnow_ns() + timeout_ms * 1000000ULL;

	while (!gpuppet_idle(p))
		if (gnow_ns() > end)
			return false;
	return gthread_wait_sleeping(p->tid, timeout_ms);
}

uint64_t gpuppet_spins(const struct gpuppet *p)
{
	return LOAD(p->spins);
}

int gpuppet_policy(const struct gpuppet *p)
{
	return LOAD(p->policy);
}

int gpuppet_woke_on(const struct gpuppet *p)
{
	return LOAD(p->woke_on);
}

void gpuppet_join(struct gpuppet *p)
{
	pthread_join(p->thread, NULL);
}

static void *gwaker_main(void *arg)
{
	struct gwaker *w = arg;

	for (;;) {
		while (!LOAD(w->armed) && !LOAD(w->quit))
			gfutex_wait(&w->armed, 0, -1);
		if (LOAD(w->quit))
			return NULL;
		while (!w->ready(w->arg) && !LOAD(w->quit))
			usleep(100);
		gsleep_ms(20);
		/* Before the act, so that whoever sees its effects sees this. */
		STORE(w->acted, true);
		w->act(w->arg);
		STORE(w->armed, 0);
	}
}

int gwaker_spawn(struct gwaker *w, int cpu)
{
	pthread_attr_t attr;
	cpu_set_t set;
	int err;

	memset(w, 0, sizeof(*w));
	gcpus_one(&set, cpu);
	pthread_attr_init(&attr);
	pthread_attr_setaffinity_np(&attr, sizeof(set), &set);
	err = pthread_create(&w->thread, &attr, gwaker_main, w);
	pthread_attr_destroy(&attr);
	if (err) {
		errno = err;
		return -1;
	}
	return 0;
}

void gwaker_arm(struct gwaker *w, bool (*ready)(void *arg),
		void (*act)(void *arg), void *arg)
{
	w->ready = ready;
	w->act = act;
	w->arg = arg;
	STORE(w->acted, false);
	STORE(w->armed, 1);
	gfutex_wake(&w->armed);
}

bool gwaker_acted(const struct gwaker *w)
{
	return LOAD(w->acted);
}

void gwaker_stop(struct gwaker *w)
{
	STORE(w->quit, true);
	gfutex_wake(&w->armed);
	pthread_join(w->thread, NULL);
}

bool gchild_process_in_policy(int policy)
{
	pid_t pid = fork();
	int status;

	if (!pid)
		_exit(sched_getscheduler(0) == policy ? 0 : 1);
	return pid > 0 && waitpid(pid, &status, 0) == pid &&
	       WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static void *gchild_thread(void *arg)
{
	return (void *)(intptr_t)(sched_getscheduler(0) == *(int *)arg);
}

bool gchild_thread_in_policy(int policy)
{
	pthread_t thread;
	void *in_policy;

	if (pthread_create(&thread, NULL, gchild_thread, &policy))
		return false;
	pthread_join(thread, &in_policy);
	return in_policy != NULL;
}
