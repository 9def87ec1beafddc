/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A step-by-step agent: the calling thread (normally the test's main
 * thread) becomes the agent of one CPU and the test drives every decision
 * itself, checking the messages each one produces.
 *
 * Every message read is kept in a log. gstep_expect() looks for the first
 * message of a kind that no earlier gstep_expect() took, reading the queue
 * until it shows up, so that tests need not care how unrelated messages
 * interleave. While it waits it steps aside whenever a higher class wants
 * its CPU (GHOST_SW_CPU_BOOST).
 *
 * Between gstep_begin() and gstep_end() the thread is an agent: it must
 * not wait for anything a ghost task might hold (see gsched.h). The only
 * thing it may do with threads is post to puppets (gworkers.h).
 */
#ifndef GHOST_TEST_GSTEP_H
#define GHOST_TEST_GSTEP_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "gagent.h"
#include "gworkers.h"

#define GSTEP_LOG_MAX	16384
#define GANY_CPU	(-2)	/* matches any cpu (-1 is "nowhere") */
#define GSTEP_TIMEOUT_MS 20000	/* for what should take milliseconds, with margin for a loaded host */

struct gstep_entry {
	struct ghost_msg msg;
	bool taken;
};

struct gstep {
	struct genclave *enc;
	struct gqueue queue;
	int cpu;
	struct gstep_entry *log;
	unsigned int nr_logged;
	unsigned int nr_unlogged;	/* read while the log was full */
	uint64_t latched_here;		/* last task committed on our own CPU */
};

int gstep_begin(struct gstep *s, struct genclave *e, int cpu, int wakeup_cpu);
int gstep_end(struct gstep *s);
void gstep_poll(struct gstep *s);
void gstep_take_all(struct gstep *s);
/* Forgets every message logged so far, to make room in the log. */
void gstep_clear_log(struct gstep *s);
bool gstep_expect(struct gstep *s, int type, uint64_t gtid, int cpu,
		  int timeout_ms, struct ghost_msg *out);
uint64_t gstep_expect_new(struct gstep *s, pid_t tid, int timeout_ms,
			  struct ghost_msg *out);
bool gstep_expect_running(struct gstep *s, int type, uint64_t gtid, int cpu,
			  int timeout_ms, struct ghost_msg *out);
unsigned int gstep_count(const struct gstep *s, int type, uint64_t gtid);
uint32_t gstep_task_barrier(struct gstep *s, uint64_t gtid);
int gstep_run(struct gstep *s, int cpu, uint64_t target, uint32_t run_flags);
int gstep_run_task(struct gstep *s, int cpu, uint64_t gtid, int timeout_ms);
uint64_t gstep_add(struct gstep *s, pid_t tid, struct ghost_msg *task_new);
bool gstep_command(struct gstep *s, struct gpuppet *p, uint64_t gtid,
		   enum gpuppet_cmd cmd, uint32_t arg, int cpu);
bool gstep_wait(struct gstep *s, bool (*cond)(void *arg), void *arg,
		int timeout_ms);
bool gstep_wait_oncpu(struct gstep *s, uint64_t gtid, int cpu, int timeout_ms);
bool gstep_wait_off_cpu(struct gstep *s, uint64_t gtid, int timeout_ms);
bool gstep_seqnums_consecutive(const struct gstep *s, uint64_t gtid);
void gstep_dump(const struct gstep *s, unsigned int last);

#endif /* GHOST_TEST_GSTEP_H */
