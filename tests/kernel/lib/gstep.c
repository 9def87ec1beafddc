// SPDX-License-Identifier: GPL-2.0
/*
 * The step-by-step agent: see gstep.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gstep.h"

/* A failing test leaves the log behind: it is what explains the failure. */
static void gstep_dump_on_failure(int status, void *arg)
{
	if (status)
		gstep_dump(arg, 200);
}

int gstep_begin(struct gstep *s, struct genclave *e, int cpu, int wakeup_cpu)
{
	memset(s, 0, sizeof(*s));
	s->enc = e;
	s->cpu = cpu;
	s->log = calloc(GSTEP_LOG_MAX, sizeof(*s->log));
	if (!s->log)
		return -1;
	on_exit(gstep_dump_on_failure, s);
	if (gqueue_create(&s->queue, e, 1024, wakeup_cpu) ||
	    genclave_set_default_queue(e, s->queue.fd))
		return -1;
	return gagent_become(e, cpu, s->queue.fd);
}

/* The log stays, for gstep_count() and gstep_dump(). */
int gstep_end(struct gstep *s)
{
	int ret = gagent_release(s->enc);
	int saved_errno = errno;

	gqueue_close(&s->queue);
	errno = saved_errno;
	return ret;
}

void gstep_poll(struct gstep *s)
{
	struct ghost_msg msg;

	while (gqueue_pop(&s->queue, &msg)) {
		if (s->nr_logged == GSTEP_LOG_MAX) {
			s->nr_unlogged++;
			continue;
		}
		s->log[s->nr_logged++] = (struct gstep_entry){ .msg = msg };
	}
}

/* From now on gstep_expect() looks only at messages still to come. */
void gstep_take_all(struct gstep *s)
{
	gstep_poll(s);
	for (unsigned int i = 0; i < s->nr_logged; i++)
		s->log[i].taken = true;
}

void gstep_clear_log(struct gstep *s)
{
	s->nr_logged = 0;
	s->nr_unlogged = 0;
}

/*
 * Give our CPU up while a higher class wants it, or while a task we
 * committed there waits for it: we run above that task.
 */
static void gstep_step_aside(struct gstep *s)
{
	const struct ghost_status_word *w = gsw_cpu(s->enc, s->cpu);
	const struct ghost_status_word *latched = s->latched_here ?
		gsw_task(s->enc, s->latched_here) : NULL;
	uint32_t agent_barrier = gsw_barrier(w);

	if ((gsw_flags(w) & GHOST_SW_CPU_BOOST) ||
	    (latched && gsw_gtid(latched) == s->latched_here &&
	     (gsw_flags(latched) & GHOST_SW_TASK_LATCHED)))
		gagent_park(s->enc, agent_barrier);
}

bool gstep_wait(struct gstep *s, bool (*cond)(void *arg), void *arg,
		int timeout_ms)
{
	uint64_t deadline = gnow_ns() + timeout_ms * 1000000ULL;

	for (;;) {
		gstep_poll(s);
		if (cond(arg))
			return true;
		if (gnow_ns() > deadline)
			return false;
		gstep_step_aside(s);
	}
}

static bool gstep_matches(const struct ghost_msg *m, int type, uint64_t gtid,
			  int cpu)
{
	return m->type == type && (!gtid || m->gtid == gtid) &&
	       (cpu == GANY_CPU || m->cpu == cpu);
}

struct gstep_search {
	struct gstep *s;
	int type;
	uint64_t gtid;
	int cpu;
	pid_t tid;		/* TASK_NEW only, 0: any */
	struct ghost_msg *out;
};

static bool gstep_take(void *arg)
{
	struct gstep_search *q = arg;
	struct gstep *s = q->s;

	for (unsigned int i = 0; i < s->nr_logged; i++) {
		struct gstep_entry *entry = &s->log[i];

		if (entry->taken ||
		    !gstep_matches(&entry->msg, q->type, q->gtid, q->cpu) ||
		    (q->tid && entry->msg.task_new.tid != q->tid))
			continue;
		entry->taken = true;
		if (q->out)
			*q->out = entry->msg;
		return true;
	}
	return false;
}

bool gstep_expect(struct gstep *s, int type, uint64_t gtid, int cpu,
		  int timeout_ms, struct ghost_msg *out)
{
	struct gstep_search q = {
		.s = s, .type = type, .gtid = gtid, .cpu = cpu, .out = out,
	};

	return gstep_wait(s, gstep_take, &q, timeout_ms);
}

/* The gtid of thread @tid, from its TASK_NEW; 0 if none came. */
uint64_t gstep_expect_new(struct gstep *s, pid_t tid, int timeout_ms,
			  struct ghost_msg *out)
{
	struct ghost_msg msg;
	struct gstep_search q = {
		.s = s, .type = GHOST_MSG_TASK_NEW, .cpu = GANY_CPU,
		.tid = tid, .out = &msg,
	};

	if (!gstep_wait(s, gstep_take, &q, timeout_ms))
		return 0;
	if (out)
		*out = msg;
	return msg.gtid;
}

unsigned int gstep_count(const struct gstep *s, int type, uint64_t gtid)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < s->nr_logged; i++)
		n += gstep_matches(&s->log[i].msg, type, gtid, GANY_CPU);
	return n;
}

/* The barrier of the task's latest message read, as a commit must name. */
uint32_t gstep_task_barrier(struct gstep *s, uint64_t gtid)
{
	gstep_poll(s);
	for (unsigned int i = s->nr_logged; i-- > 0;) {
		const struct ghost_msg *m = &s->log[i].msg;

		if (gis_task_msg(m->type) && m->gtid == gtid)
			return m->seqnum;
	}
	return gsw_barrier(gsw_task(s->enc, gtid));
}

/*
 * Commits @target on @cpu with the barriers of what we have read, and
 * returns the slot's final state (or -1). A task committed on our own CPU
 * runs while we are parked: this returns once something woke us.
 */
int gstep_run(struct gstep *s, int cpu, uint64_t target, uint32_t run_flags)
{
	uint32_t agent_barrier = gcpu_barrier(s->enc, s->cpu);
	bool is_task = target != GHOST_TARGET_NONE &&
		       target != GHOST_TARGET_PING;
	uint32_t task_barrier = is_task ? gstep_task_barrier(s, target) : 0;
	int state;

	gtxn_ready(gtxn(s->enc, cpu), target, task_barrier,
		   cpu == s->cpu ? agent_barrier : 0, run_flags);
	state = gcommit_cpu(s->enc, cpu);
	if (cpu == s->cpu && is_task && state == GHOST_TXN_COMPLETE)
		s->latched_here = target;
	return state;
}

/*
 * Commits task @gtid on @cpu until the outcome is not a race with news we
 * have not read yet (TARGET_STALE, AGENT_STALE), with the task still
 * leaving another CPU (TARGET_ONCPU) or with a passing CFS thread
 * (CPU_UNAVAIL, which on our own CPU we let run); returns the final
 * state, or -1.
 */
int gstep_run_task(struct gstep *s, int cpu, uint64_t gtid, int timeout_ms)
{
	uint64_t deadline = gnow_ns() + timeout_ms * 1000000ULL;
	int state;

	for (;;) {
		state = gstep_run(s, cpu, gtid, 0);
		if ((state != GHOST_TXN_TARGET_STALE &&
		     state != GHOST_TXN_AGENT_STALE &&
		     state != GHOST_TXN_TARGET_ONCPU &&
		     state != GHOST_TXN_CPU_UNAVAIL) || gnow_ns() > deadline)
			return state;
		if (state == GHOST_TXN_CPU_UNAVAIL && cpu == s->cpu)
			gstep_step_aside(s);
	}
}

/* Adds thread @tid to the enclave; its gtid from TASK_NEW, or 0. */
uint64_t gstep_add(struct gstep *s, pid_t tid, struct ghost_msg *task_new)
{
	if (genclave_add_task(s->enc, tid))
		return 0;
	return gstep_expect_new(s, tid, GSTEP_TIMEOUT_MS, task_new);
}

/* Posts a command to puppet @p and, once it wakes up, runs it on @cpu. */
bool gstep_command(struct gstep *s, struct gpuppet *p, uint64_t gtid,
		   enum gpuppet_cmd cmd, uint32_t arg, int cpu)
{
	gpuppet_post(p, cmd, arg);
	return gstep_expect(s, GHOST_MSG_TASK_WAKEUP, gtid, GANY_CPU,
			    GSTEP_TIMEOUT_MS, NULL) &&
	       gstep_run_task(s, cpu, gtid, GSTEP_TIMEOUT_MS) ==
			GHOST_TXN_COMPLETE;
}

struct gstep_place {
	struct gstep *s;
	uint64_t gtid;
	int cpu;
};

/*
 * A kernel thread passing through @cpu, or our own wakeup there, takes it
 * from task @gtid (a TASK_PREEMPT): commit the task there again whenever
 * it is runnable but neither running nor latched.
 */
static void gstep_keep_running(struct gstep *s, uint64_t gtid, int cpu)
{
	uint32_t flags = gsw_flags(gsw_task(s->enc, gtid));

	if ((flags & GHOST_SW_TASK_RUNNABLE) &&
	    !(flags & (GHOST_SW_TASK_ONCPU | GHOST_SW_TASK_LATCHED)))
		gstep_run(s, cpu, gtid, 0);
}

static bool gstep_is_oncpu(void *arg)
{
	struct gstep_place *p = arg;
	const struct genclave *e = p->s->enc;

	if (gsw_gtid(gsw_cpu(e, p->cpu)) == p->gtid &&
	    (gsw_flags(gsw_task(e, p->gtid)) & GHOST_SW_TASK_ONCPU))
		return true;
	gstep_keep_running(p->s, p->gtid, p->cpu);
	return false;
}

bool gstep_wait_oncpu(struct gstep *s, uint64_t gtid, int cpu, int timeout_ms)
{
	struct gstep_place p = { .s = s, .gtid = gtid, .cpu = cpu };

	return gstep_wait(s, gstep_is_oncpu, &p, timeout_ms);
}

struct gstep_running_search {
	struct gstep_search search;
	int run_cpu;
};

static bool gstep_take_while_running(void *arg)
{
	struct gstep_running_search *q = arg;

	if (gstep_take(&q->search))
		return true;
	gstep_keep_running(q->search.s, q->search.gtid, q->run_cpu);
	return false;
}

/*
 * gstep_expect() for a message that task @gtid sends only once it ran on
 * (say TASK_BLOCKED after its spin was stopped): meanwhile, keep it on
 * @cpu as gstep_wait_oncpu() does.
 */
bool gstep_expect_running(struct gstep *s, int type, uint64_t gtid, int cpu,
			  int timeout_ms, struct ghost_msg *out)
{
	struct gstep_running_search q = {
		.search = {
			.s = s, .type = type, .gtid = gtid, .cpu = GANY_CPU,
			.out = out,
		},
		.run_cpu = cpu,
	};

	return gstep_wait(s, gstep_take_while_running, &q, timeout_ms);
}

static bool gstep_is_off_cpu(void *arg)
{
	struct gstep_place *p = arg;
	uint32_t flags = gsw_flags(gsw_task(p->s->enc, p->gtid));

	return !(flags & (GHOST_SW_TASK_ONCPU | GHOST_SW_TASK_LATCHED));
}

bool gstep_wait_off_cpu(struct gstep *s, uint64_t gtid, int timeout_ms)
{
	struct gstep_place p = { .s = s, .gtid = gtid };

	return gstep_wait(s, gstep_is_off_cpu, &p, timeout_ms);
}

bool gstep_seqnums_consecutive(const struct gstep *s, uint64_t gtid)
{
	bool seen = false;
	uint32_t last = 0;

	for (unsigned int i = 0; i < s->nr_logged; i++) {
		const struct ghost_msg *m = &s->log[i].msg;

		if (!gis_task_msg(m->type) || m->gtid != gtid)
			continue;
		if (seen && m->seqnum != last + 1)
			return false;
		seen = true;
		last = m->seqnum;
	}
	return true;
}

static void gstep_dump_entry(const struct gstep_entry *entry)
{
	const struct ghost_msg *m = &entry->msg;

	fprintf(stderr, "  %-22s seq %-6u gtid %#-12llx cpu %-3d flags %#-4x at %llu.%06llu%s\n",
		gmsg_name(m->type), m->seqnum, m->gtid, m->cpu, m->flags,
		m->time_ns / 1000000000ULL, m->time_ns % 1000000000ULL / 1000,
		entry->taken ? "" : " (untaken)");
}

/* The last @last messages, then the last @last task messages among them all. */
void gstep_dump(const struct gstep *s, unsigned int last)
{
	unsigned int first = s->nr_logged > last ? s->nr_logged - last : 0;
	unsigned int shown = 0, i;

	fprintf(stderr, "gstep: %u messages logged, %u unlogged; the last %u:\n",
		s->nr_logged, s->nr_unlogged, s->nr_logged - first);
	for (i = first; i < s->nr_logged; i++)
		gstep_dump_entry(&s->log[i]);
	for (i = s->nr_logged; i-- > 0 && shown < last;)
		shown += gis_task_msg(s->log[i].msg.type);
	fprintf(stderr, "gstep: the last %u task messages:\n", shown);
	for (i++; i < s->nr_logged; i++)
		if (gis_task_msg(s->log[i].msg.type))
			gstep_dump_entry(&s->log[i]);
}
