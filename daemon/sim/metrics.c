// SPDX-License-Identifier: GPL-2.0
/* What a run measures: see metrics.h. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/xalloc.h"
#include "metrics.h"

void metrics_init(struct metrics *mt, unsigned int nr_classes, bool timeline)
{
	memset(mt, 0, sizeof(*mt));
	mt->nr_classes = nr_classes;
	mt->classes = xcalloc(nr_classes + 1, sizeof(*mt->classes));
	mt->timeline = timeline;
}

void metrics_fini(struct metrics *mt)
{
	for (unsigned int i = 0; mt->classes && i <= mt->nr_classes; i++) {
		free(mt->classes[i].wait.v);
		free(mt->classes[i].latency.v);
	}
	free(mt->classes);
	free(mt->segments);
	memset(mt, 0, sizeof(*mt));
}

static void add(struct samples *s, uint64_t ns)
{
	if (s->nr == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 1024;
		s->v = xrealloc(s->v, s->cap * sizeof(*s->v));
	}
	s->v[s->nr++] = ns;
	s->sum += ns;
	s->sorted = false;
}

/* Each sample counts for its class and for all. */
void metrics_wait(struct metrics *mt, unsigned int class, uint64_t ns)
{
	add(&mt->classes[class].wait, ns);
	add(&mt->classes[mt->nr_classes].wait, ns);
}

void metrics_latency(struct metrics *mt, unsigned int class, uint64_t ns)
{
	add(&mt->classes[class].latency, ns);
	add(&mt->classes[mt->nr_classes].latency, ns);
}

void metrics_cpu(struct metrics *mt, int cpu, enum cpu_activity act,
		 uint64_t start, uint64_t end, uint64_t gtid)
{
	struct segment *last;

	if (end <= start)
		return;
	mt->cpu_time[cpu][act] += end - start;
	if (!mt->timeline)
		return;
	/* The latest segment of this CPU is usually the last one recorded. */
	last = mt->nr_segments ? &mt->segments[mt->nr_segments - 1] : NULL;
	if (last && last->cpu == cpu && last->activity == act &&
	    last->gtid == gtid && last->end == start) {
		last->end = end;
		return;
	}
	if (mt->nr_segments == METRICS_MAX_SEGMENTS) {
		mt->segments_dropped++;
		return;
	}
	if (mt->nr_segments == mt->segments_cap) {
		mt->segments_cap = mt->segments_cap ? 2 * mt->segments_cap : 4096;
		mt->segments = xrealloc(mt->segments, mt->segments_cap *
					sizeof(*mt->segments));
	}
	mt->segments[mt->nr_segments++] = (struct segment){
		.start = start, .end = end, .gtid = gtid, .cpu = cpu,
		.activity = act,
	};
}

void metrics_violation(struct metrics *mt, uint64_t time,
		       enum violation_kind kind, const char *fmt, ...)
{
	uint64_t n = metrics_nr_violations(mt);
	va_list ap;

	mt->nr_violations[kind]++;
	if (n >= METRICS_MAX_VIOLATIONS)
		return;
	mt->violations[n].time = time;
	mt->violations[n].kind = kind;
	va_start(ap, fmt);
	vsnprintf(mt->violations[n].what, sizeof(mt->violations[n].what), fmt, ap);
	va_end(ap);
}

uint64_t metrics_nr_violations(const struct metrics *mt)
{
	uint64_t n = 0;

	for (int k = 0; k < NR_VIOLATION_KINDS; k++)
		n += mt->nr_violations[k];
	return n;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

uint64_t samples_percentile(struct samples *s, double p)
{
	uint64_t rank;

	if (!s->nr)
		return 0;
	if (!s->sorted)
		qsort(s->v, s->nr, sizeof(*s->v), cmp_u64);
	s->sorted = true;
	rank = (uint64_t)ceil(p / 100.0 * s->nr);
	return s->v[rank ? rank - 1 : 0];
}

double samples_mean(const struct samples *s)
{
	return s->nr ? (double)(s->sum / s->nr) : 0;
}

const char *activity_name(enum cpu_activity act)
{
	static const char *const names[NR_ACTIVITIES] = {
		[ACT_IDLE] = "idle", [ACT_TASK] = "task", [ACT_SWITCH] = "switch",
		[ACT_AGENT] = "agent", [ACT_HOG] = "higher-class",
	};

	return names[act];
}

const char *violation_name(enum violation_kind kind)
{
	static const char *const names[NR_VIOLATION_KINDS] = {
		[VIOLATION_TWO_CPUS] = "task on two CPUs",
		[VIOLATION_BAD_COMMIT] = "commit the kernel must refuse",
		[VIOLATION_LOST_TASK] = "lost task",
		[VIOLATION_TABLE] = "runtime disagrees with the kernel",
	};

	return names[kind];
}
