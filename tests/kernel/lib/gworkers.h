/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Threads for ghost to schedule.
 *
 * Workers are a crowd: N pthreads that wait until released, then loop
 * (spin, sleep) and record their progress and policy. Puppets are single
 * threads that run one command at a time, posted by a step-by-step agent
 * (gstep.h): posting and checking a puppet never takes a lock, so an agent
 * may do it.
 *
 * Both are created under CFS by the test's main thread, which then adds
 * their tids to an enclave.
 */
#ifndef GHOST_TEST_GWORKERS_H
#define GHOST_TEST_GWORKERS_H

#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "gagent.h"

struct gworker;

/* What each worker does once released. */
struct gwork {
	unsigned int iterations;	/* 0: loop until gworkers_stop() */
	unsigned int spin_us;
	unsigned int sleep_us;
	void (*body)(struct gworker *w);	/* replaces the loop if set */
	void *arg;			/* for @body */
};

struct gworker {
	struct gworkers *group;
	pthread_t thread;
	int index;
	pid_t tid;
	uint64_t iterations;	/* loop iterations done so far */
	int first_policy;	/* sched_getscheduler() when released */
	int last_policy;	/* ... when its work ended */
	bool changed_policy;	/* some iteration saw another policy */
	bool done;
};

struct gworkers {
	struct gworker *workers;
	int nr;
	struct gwork work;
	uint32_t released;	/* futex word */
	bool stop;
};

int gworkers_spawn(struct gworkers *g, int nr, const struct gwork *work,
		   const cpu_set_t *affinity);
int gworkers_add(struct gworkers *g, const struct genclave *e);
void gworkers_release(struct gworkers *g);
void gworkers_stop(struct gworkers *g);
uint64_t gworkers_min_iterations(const struct gworkers *g);
bool gworkers_wait_iterations(const struct gworkers *g, uint64_t min,
			      int timeout_ms);
bool gworkers_wait_done(const struct gworkers *g, int timeout_ms);
int gworkers_count_live_policy(const struct gworkers *g, int policy);
int gworkers_count_first_policy(const struct gworkers *g, int policy);
int gworkers_count_last_policy(const struct gworkers *g, int policy);
int gworkers_count_changed_policy(const struct gworkers *g);
void gworkers_join(struct gworkers *g);
void gworkers_free(struct gworkers *g);

bool gworker_stopping(const struct gworker *w);

enum gpuppet_cmd {
	GPUPPET_NOP,	/* wake up, then wait for the next command */
	GPUPPET_SPIN,	/* spin @arg us, or until gpuppet_stop_spin() if 0 */
	GPUPPET_SLEEP,	/* sleep @arg us */
	GPUPPET_YIELD,	/* sched_yield() once */
	GPUPPET_EXIT,	/* return from the thread */
};

struct gpuppet {
	pthread_t thread;
	pid_t tid;
	uint32_t posted;	/* futex word: commands posted so far */
	uint32_t done;		/* commands finished so far */
	int cmd;
	uint32_t arg;
	bool stop_spin;
	uint64_t spins;		/* grows while it spins */
	int policy;		/* sched_getscheduler() at its last command */
	int woke_on;		/* sched_getcpu() ... */
};

int gpuppet_spawn(struct gpuppet *p, const cpu_set_t *affinity);
void gpuppet_post(struct gpuppet *p, enum gpuppet_cmd cmd, uint32_t arg);
void gpuppet_stop_spin(struct gpuppet *p);
bool gpuppet_idle(const struct gpuppet *p);
/* Waits until @p is idle and off its CPU, asleep in the kernel. */
bool gpuppet_wait_asleep(const struct gpuppet *p, int timeout_ms);
uint64_t gpuppet_spins(const struct gpuppet *p);
int gpuppet_policy(const struct gpuppet *p);
int gpuppet_woke_on(const struct gpuppet *p);
void gpuppet_join(struct gpuppet *p);

/*
 * Whether a child created now, a process (fork) or a thread, finds itself
 * in scheduling policy @policy (as sched_getscheduler() reports it). The
 * child exits at once and is reaped or joined.
 */
bool gchild_process_in_policy(int policy);
bool gchild_thread_in_policy(int policy);

/*
 * A CFS thread that wakes a parked step-by-step agent: once armed, it
 * waits until @ready says the scene is set (say, the agent is parked and
 * its task on CPU), lets it play a little, then does @act. Arming and
 * checking it take no lock, so an agent may.
 */
struct gwaker {
	pthread_t thread;
	uint32_t armed;		/* futex word */
	bool (*ready)(void *arg);
	void (*act)(void *arg);
	void *arg;
	bool acted;
	bool quit;
};

int gwaker_spawn(struct gwaker *w, int cpu);
void gwaker_arm(struct gwaker *w, bool (*ready)(void *arg),
		void (*act)(void *arg), void *arg);
bool gwaker_acted(const struct gwaker *w);
void gwaker_stop(struct gwaker *w);

#endif /* GHOST_TEST_GWORKERS_H */
