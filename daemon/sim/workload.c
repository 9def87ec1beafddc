// SPDX-License-Identifier: GPL-2.0
/* Workloads: see workload.h. */
#include <libgen.h>
#include <stdlib.h>
#include <string.h>

#include "common/xalloc.h"
#include "machine.h"
#include "workload.h"

#define MS	1000000.0
#define US	1000.0
#define MAX_MS	1e9

static void read_name(struct json_reader *r, const json_t *obj, char *name,
		      bool required)
{
	const char *s = jr_string(r, obj, "name", "", required);
	size_t mark;

	if (strlen(s) >= WORKLOAD_NAME_MAX) {
		mark = jr_enter(r, "name");
		jr_fail(r, "longer than %d characters", WORKLOAD_NAME_MAX - 1);
		jr_leave(r, mark);
	}
	snprintf(name, WORKLOAD_NAME_MAX, "%s", s);
}

static void read_all_cpus(cpu_set_t *set)
{
	CPU_ZERO(set);
	for (int cpu = 0; cpu < MACHINE_MAX_CPUS; cpu++)
		CPU_SET(cpu, set);
}

static void read_groups(struct json_reader *r, const json_t *root,
			struct workload *w)
{
	static const char *const known[] = { "name", "cpus", NULL };
	const json_t *groups = jr_array(r, root, "groups", false);
	size_t i, mark;
	json_t *g;

	if (!groups)
		return;
	w->groups = xcalloc(json_array_size(groups) + 1, sizeof(*w->groups));
	json_array_foreach(groups, i, g) {
		struct workload_group *wg = &w->groups[w->nr_groups++];

		mark = jr_enter(r, "groups");
		jr_enter_index(r, i);
		jr_known_keys(r, g, known);
		read_name(r, g, wg->name, true);
		if (!jr_cpulist(r, g, "cpus", MACHINE_MAX_CPUS, &wg->cpus))
			read_all_cpus(&wg->cpus);
		jr_leave(r, mark);
	}
}

static int group_index(const struct workload *w, const char *name)
{
	for (uint32_t i = 0; i < w->nr_groups; i++)
		if (!strcmp(w->groups[i].name, name))
			return i;
	return -1;
}

static void read_arrival(struct json_reader *r, const json_t *c,
			 struct workload_class *wc)
{
	static const char *const known[] = {
		"process", "rate_per_s", "count", "start_ms", "every_ms", "bursts", NULL,
	};
	const json_t *a = jr_object(r, c, "arrival", false);
	const char *process;
	size_t mark;

	if (!a)
		return;
	mark = jr_enter(r, "arrival");
	jr_known_keys(r, a, known);
	process = jr_string(r, a, "process", "", true);
	if (!strcmp(process, "poisson")) {
		wc->arrival = ARRIVAL_POISSON;
		wc->rate_per_s = jr_number(r, a, "rate_per_s", 0, 1e-6, 1e9, true);
	} else if (!strcmp(process, "burst")) {
		wc->arrival = ARRIVAL_BURST;
		wc->burst_count = jr_integer(r, a, "count", 1, 1, 1000000, true);
		wc->burst_start_ns = jr_number(r, a, "start_ms", 0, 0, MAX_MS, false) * MS;
		wc->burst_every_ns = jr_number(r, a, "every_ms", 0, 0, MAX_MS, false) * MS;
		wc->bursts = jr_integer(r, a, "bursts", 1, 0, 1000000000, false);
		if (!r->failed && wc->bursts != 1 && !wc->burst_every_ns)
			jr_fail(r, "repeated bursts need every_ms > 0");
	} else if (!r->failed) {
		size_t m = jr_enter(r, "process");

		jr_fail(r, "expected poisson or burst, not \"%s\"", process);
		jr_leave(r, m);
	}
	jr_leave(r, mark);
}

static void read_io(struct json_reader *r, const json_t *c, const char *dir,
		    struct workload_class *wc)
{
	static const char *const known[] = { "probability", "time", NULL };
	const json_t *io = jr_object(r, c, "io", false);
	size_t mark;

	wc->io = (struct distribution){ .kind = DIST_FIXED };
	if (!io)
		return;
	mark = jr_enter(r, "io");
	jr_known_keys(r, io, known);
	wc->io_probability = jr_number(r, io, "probability", 0, 0, 0.999, true);
	dist_read(r, io, "time", dir, true, 0, &wc->io);
	jr_leave(r, mark);
}

static void read_class(struct json_reader *r, const json_t *c, const char *dir,
		       struct workload *w, struct workload_class *wc)
{
	static const char *const known[] = {
		"name", "group", "nice", "cpus", "arrival", "service", "io", NULL,
	};
	const char *group;

	jr_known_keys(r, c, known);
	read_name(r, c, wc->name, true);
	group = jr_string(r, c, "group", NULL, false);
	wc->group = group ? group_index(w, group) : -1;
	if (group && wc->group < 0 && !r->failed) {
		size_t mark = jr_enter(r, "group");

		jr_fail(r, "no group \"%s\" in groups", group);
		jr_leave(r, mark);
	}
	wc->nice = jr_integer(r, c, "nice", 0, -20, 19, false);
	wc->cpus_given = jr_cpulist(r, c, "cpus", MACHINE_MAX_CPUS, &wc->cpus);
	if (!wc->cpus_given)
		read_all_cpus(&wc->cpus);
	if (wc->group >= 0) {
		CPU_AND(&wc->cpus, &wc->cpus, &w->groups[wc->group].cpus);
		wc->cpus_given = true;
		if (!CPU_COUNT(&wc->cpus))
			jr_fail(r, "its cpus and its group's have no CPU in common");
	}
	read_arrival(r, c, wc);
	dist_read(r, c, "service", dir, wc->arrival != ARRIVAL_NONE, 0, &wc->service);
	read_io(r, c, dir, wc);
}

static void read_classes(struct json_reader *r, const json_t *root,
			 const char *dir, struct workload *w)
{
	const json_t *classes = jr_array(r, root, "classes", true);
	size_t i, mark;
	json_t *c;

	if (!classes)
		return;
	w->classes = xcalloc(json_array_size(classes) + 1, sizeof(*w->classes));
	json_array_foreach(classes, i, c) {
		mark = jr_enter(r, "classes");
		jr_enter_index(r, i);
		if (!json_is_object(c))
			jr_fail(r, "expected an object");
		else
			read_class(r, c, dir, w, &w->classes[w->nr_classes++]);
		for (uint32_t j = 0; j + 1 < w->nr_classes && !r->failed; j++)
			if (!strcmp(w->classes[j].name, w->classes[w->nr_classes - 1].name))
				jr_fail(r, "a second class named \"%s\"",
					w->classes[j].name);
		jr_leave(r, mark);
	}
	if (!r->failed && !w->nr_classes)
		jr_fail(r, "classes: expected at least one class");
}

static int class_index(const struct workload *w, const char *name)
{
	for (uint32_t i = 0; i < w->nr_classes; i++)
		if (!strcmp(w->classes[i].name, name))
			return i;
	return -1;
}

static void read_phases(struct json_reader *r, const json_t *t,
			struct workload_task *wt)
{
	static const char *const known[] = { "run_us", "sleep_us", NULL };
	const json_t *phases = jr_array(r, t, "phases", true);
	size_t i, mark;
	json_t *p;

	if (!phases)
		return;
	wt->phases = xcalloc(json_array_size(phases) + 1, sizeof(*wt->phases));
	json_array_foreach(phases, i, p) {
		struct task_phase *ph = &wt->phases[wt->nr_phases++];

		mark = jr_enter(r, "phases");
		jr_enter_index(r, i);
		jr_known_keys(r, p, known);
		if (json_object_size(p) != 1) {
			jr_fail(r, "expected one of run_us and sleep_us");
		} else if (json_object_get(p, "run_us")) {
			ph->kind = PHASE_RUN;
			ph->ns = jr_number(r, p, "run_us", 0, 0, 3.6e9, true) * US;
		} else {
			ph->kind = PHASE_SLEEP;
			ph->ns = jr_number(r, p, "sleep_us", 0, 0, 3.6e9, true) * US;
		}
		jr_leave(r, mark);
	}
	if (!r->failed && (!wt->nr_phases || wt->phases[0].kind != PHASE_RUN))
		jr_fail(r, "phases: a task starts with a run_us phase");
	for (uint32_t k = 1; k < wt->nr_phases && !r->failed; k++)
		if (wt->phases[k].kind == wt->phases[k - 1].kind)
			jr_fail(r, "phases: run_us and sleep_us phases alternate (phase %u)", k);
}

static void read_tasks(struct json_reader *r, const json_t *root,
		       struct workload *w)
{
	static const char *const known[] = { "name", "class", "start_ms", "phases", NULL };
	const json_t *tasks = jr_array(r, root, "tasks", false);
	size_t i, mark;
	json_t *t;

	if (!tasks)
		return;
	w->tasks = xcalloc(json_array_size(tasks) + 1, sizeof(*w->tasks));
	json_array_foreach(tasks, i, t) {
		struct workload_task *wt = &w->tasks[w->nr_tasks++];
		const char *class;

		mark = jr_enter(r, "tasks");
		jr_enter_index(r, i);
		jr_known_keys(r, t, known);
		read_name(r, t, wt->name, true);
		class = jr_string(r, t, "class", "", true);
		wt->class = class_index(w, class);
		if (wt->class < 0 && !r->failed)
			jr_fail(r, "class: no class \"%s\"", class);
		wt->start_ns = jr_number(r, t, "start_ms", 0, 0, MAX_MS, false) * MS;
		read_phases(r, t, wt);
		jr_leave(r, mark);
	}
}

static void read_hogs(struct json_reader *r, const json_t *root,
		      const char *dir, struct workload *w)
{
	static const char *const known[] = { "cpus", "start_ms", "idle", "busy", NULL };
	const json_t *hogs = jr_array(r, root, "hogs", false);
	size_t i, mark;
	json_t *h;

	if (!hogs)
		return;
	w->hogs = xcalloc(json_array_size(hogs) + 1, sizeof(*w->hogs));
	json_array_foreach(hogs, i, h) {
		struct workload_hog *wh = &w->hogs[w->nr_hogs++];

		mark = jr_enter(r, "hogs");
		jr_enter_index(r, i);
		jr_known_keys(r, h, known);
		if (!jr_cpulist(r, h, "cpus", MACHINE_MAX_CPUS, &wh->cpus) && !r->failed)
			jr_fail(r, "cpus: missing");
		wh->start_ns = jr_number(r, h, "start_ms", 0, 0, MAX_MS, false) * MS;
		dist_read(r, h, "idle", dir, true, 0, &wh->idle);
		dist_read(r, h, "busy", dir, true, 0, &wh->busy);
		if (!r->failed && dist_mean_ns(&wh->idle) + dist_mean_ns(&wh->busy) < 1)
			jr_fail(r, "idle and busy periods are both zero");
		jr_leave(r, mark);
	}
}

int workload_parse(const char *file, const char *text, const char *dir,
		   struct workload *w, char *why, size_t len)
{
	static const char *const known[] = {
		"name", "duration_ms", "drain_ms", "warmup_ms", "max_tasks",
		"groups", "classes", "tasks", "hogs", NULL,
	};
	struct json_reader r;
	json_t *root = jr_load(&r, file, text, why, len);

	memset(w, 0, sizeof(*w));
	w->dir = xstrdup(dir ? dir : ".");
	if (!root)
		return -1;
	jr_known_keys(&r, root, known);
	snprintf(w->name, sizeof(w->name), "%s",
		 jr_string(&r, root, "name", "unnamed", false));
	w->duration_ns = jr_number(&r, root, "duration_ms", 0, 0.001, MAX_MS, true) * MS;
	w->drain_ns = jr_number(&r, root, "drain_ms", 1000, 0, MAX_MS, false) * MS;
	w->warmup_ns = jr_number(&r, root, "warmup_ms", 0, 0, MAX_MS, false) * MS;
	w->max_tasks = jr_integer(&r, root, "max_tasks", 4096, 1, 1 << 20, false);
	if (!r.failed && w->warmup_ns >= w->duration_ns)
		jr_fail(&r, "warmup_ms: not below duration_ms");
	read_groups(&r, root, w);
	read_classes(&r, root, w->dir, w);
	read_tasks(&r, root, w);
	read_hogs(&r, root, w->dir, w);
	json_decref(root);
	return r.failed ? -1 : 0;
}

int workload_load(const char *file, struct workload *w, char *why, size_t len)
{
	char *copy = xstrdup(file);
	int ret = workload_parse(file, NULL, dirname(copy), w, why, len);

	free(copy);
	return ret;
}

void workload_free(struct workload *w)
{
	for (uint32_t i = 0; i < w->nr_classes; i++) {
		dist_free(&w->classes[i].service);
		dist_free(&w->classes[i].io);
	}
	for (uint32_t i = 0; i < w->nr_tasks; i++)
		free(w->tasks[i].phases);
	for (uint32_t i = 0; i < w->nr_hogs; i++) {
		dist_free(&w->hogs[i].idle);
		dist_free(&w->hogs[i].busy);
	}
	free(w->groups);
	free(w->classes);
	free(w->tasks);
	free(w->hogs);
	free(w->dir);
	memset(w, 0, sizeof(*w));
}
