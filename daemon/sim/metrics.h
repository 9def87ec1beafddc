/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a run measures: per workload class, the scheduling latency of every
 * wait for a CPU (runnable until its code runs again) and the latency of
 * every task from arrival to exit; completions; how each CPU spent its
 * time; per-CPU timelines on request; and every invariant the simulated
 * kernel found violated. Only tasks that arrived in the measured window
 * (after the warmup, before the end of arrivals) count towards latencies.
 */
#ifndef GHOST_SIM_METRICS_H
#define GHOST_SIM_METRICS_H

#include <stdbool.h>
#include <stdint.h>

#include "machine.h"

/* How a CPU spends its time, in order of precedence. */
enum cpu_activity {
	ACT_IDLE,
	ACT_TASK,		/* a ghost task runs its code */
	ACT_SWITCH,		/* switching to a ghost task */
	ACT_AGENT,		/* an agent runs (or spins) */
	ACT_HOG,		/* a higher class runs */
	NR_ACTIVITIES,
};

enum violation_kind {
	VIOLATION_TWO_CPUS,	/* a task ran on two CPUs at once */
	VIOLATION_BAD_COMMIT,	/* a commit the kernel must refuse succeeded */
	VIOLATION_LOST_TASK,	/* a task waited while a CPU it may use idled */
	VIOLATION_TABLE,	/* the runtime's tasks disagree with the kernel's */
	NR_VIOLATION_KINDS,
};

struct samples {
	uint64_t *v;
	uint64_t nr, cap;
	long double sum;
	bool sorted;
};

struct class_metrics {
	struct samples wait, latency;
	uint64_t arrived, completed, completed_in_window, refused;
};

struct segment {
	uint64_t start, end, gtid;
	uint16_t cpu;
	uint8_t activity;
};

struct violation {
	uint64_t time;
	enum violation_kind kind;
	char what[160];
};

#define METRICS_MAX_VIOLATIONS	64
#define METRICS_MAX_SEGMENTS	(1u << 20)

struct metrics {
	unsigned int nr_classes;
	struct class_metrics *classes;	/* by class; the last one is all */
	uint64_t cpu_time[MACHINE_MAX_CPUS][NR_ACTIVITIES];
	bool timeline;
	struct segment *segments;
	uint64_t nr_segments, segments_cap, segments_dropped;
	struct violation violations[METRICS_MAX_VIOLATIONS];
	uint64_t nr_violations[NR_VIOLATION_KINDS];
};

void metrics_init(struct metrics *mt, unsigned int nr_classes, bool timeline);
void metrics_fini(struct metrics *mt);
void metrics_wait(struct metrics *mt, unsigned int class, uint64_t ns);
void metrics_latency(struct metrics *mt, unsigned int class, uint64_t ns);
void metrics_cpu(struct metrics *mt, int cpu, enum cpu_activity act,
		 uint64_t start, uint64_t end, uint64_t gtid);
void metrics_violation(struct metrics *mt, uint64_t time,
		       enum violation_kind kind, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
uint64_t metrics_nr_violations(const struct metrics *mt);

/* Sorts @s: the nearest-rank percentile @p (0..100) and the mean. */
uint64_t samples_percentile(struct samples *s, double p);
double samples_mean(const struct samples *s);

const char *activity_name(enum cpu_activity act);
const char *violation_name(enum violation_kind kind);

#endif /* GHOST_SIM_METRICS_H */
