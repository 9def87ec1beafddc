/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Workloads: what the simulated machine runs. Durations in the JSON are
 * in the unit their key names (_ms, _us); distributions as in
 * distribution.h.
 *
 *	{
 *	  "name": "web",
 *	  "duration_ms": 1000,	arrivals stop then ...
 *	  "drain_ms": 1000,	... and the run ends when every task is done
 *				or this much later (default 1000)
 *	  "warmup_ms": 100,	tasks arriving earlier are not measured
 *	  "max_tasks": 4096,	the enclave's task limit (arrivals beyond it
 *				are refused and counted)
 *	  "groups": [ {"name": "vm1", "cpus": "1-4"} ],
 *	  "classes": [ {
 *	      "name": "rpc", "group": "vm1", "nice": 0, "cpus": "1-3",
 *	      "arrival": {"process": "poisson", "rate_per_s": 5000}
 *	             or {"process": "burst", "count": 8, "start_ms": 0,
 *	                 "every_ms": 50, "bursts": 4},	(0 bursts: until
 *							duration_ms)
 *	      "service": {...},	CPU time of each burst of the task
 *	      "io": {"probability": 0.3, "time": {...}}
 *				after a burst, with this probability the task
 *				blocks for an I/O and runs another burst;
 *				else it exits
 *	  } ],
 *	  "tasks": [ {		scripted tasks: exact phases, for
 *				deterministic tests
 *	      "name": "a", "class": "rpc", "start_ms": 0,
 *	      "phases": [ {"run_us": 1000}, {"sleep_us": 500}, {"run_us": 200} ]
 *	  } ],
 *	  "hogs": [ {		higher-class (CFS, RT) work on enclave CPUs:
 *				each CPU listed alternates idle and busy periods
 *	      "cpus": "2-3", "start_ms": 0, "idle": {...}, "busy": {...}
 *	  } ]
 *	}
 *
 * A class, a group and a task's class have a cpumask (the group's and the
 * class's intersected); tasks of a class share its nice value.
 */
#ifndef GHOST_SIM_WORKLOAD_H
#define GHOST_SIM_WORKLOAD_H

#include <sched.h>
#include <stdint.h>

#include "distribution.h"

#define WORKLOAD_NAME_MAX	32

enum arrival_process {
	ARRIVAL_NONE,		/* only scripted tasks */
	ARRIVAL_POISSON,
	ARRIVAL_BURST,
};

struct workload_group {
	char name[WORKLOAD_NAME_MAX];
	cpu_set_t cpus;
};

struct workload_class {
	char name[WORKLOAD_NAME_MAX];
	int group;			/* index, or -1 */
	int nice;
	cpu_set_t cpus;			/* with the group's; all if none given */
	bool cpus_given;
	enum arrival_process arrival;
	double rate_per_s;
	uint32_t burst_count, bursts;
	uint64_t burst_start_ns, burst_every_ns;
	struct distribution service;
	double io_probability;
	struct distribution io;
};

enum phase_kind { PHASE_RUN, PHASE_SLEEP };

struct task_phase {
	enum phase_kind kind;
	uint64_t ns;
};

struct workload_task {
	char name[WORKLOAD_NAME_MAX];
	int class;
	uint64_t start_ns;
	struct task_phase *phases;
	uint32_t nr_phases;
};

struct workload_hog {
	cpu_set_t cpus;
	uint64_t start_ns;
	struct distribution idle, busy;
};

struct workload {
	char name[64];
	char *dir;			/* relative paths start here */
	uint64_t duration_ns, warmup_ns, drain_ns;
	uint32_t max_tasks;
	struct workload_group *groups;
	struct workload_class *classes;
	struct workload_task *tasks;
	struct workload_hog *hogs;
	uint32_t nr_groups, nr_classes, nr_tasks, nr_hogs;
};

int workload_load(const char *file, struct workload *w, char *why, size_t len);
/* Parse JSON @text; relative paths in it start at @dir. */
int workload_parse(const char *file, const char *text, const char *dir,
		   struct workload *w, char *why, size_t len);
void workload_free(struct workload *w);

#endif /* GHOST_SIM_WORKLOAD_H */
