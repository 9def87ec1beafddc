// SPDX-License-Identifier: GPL-2.0
/* A run's results as text and JSON: see report.h. */
#include <string.h>

#include "common/abi_names.h"
#include "common/cpulist.h"
#include "report.h"

static const double percentiles[] = { 50, 99, 99.9 };
static const char *const percentile_names[] = { "p50", "p99", "p99.9" };
#define NR_PERCENTILES	3

char *report_duration(uint64_t ns, char *buf, size_t len)
{
	if (ns < 10000)
		snprintf(buf, len, "%llu ns", (unsigned long long)ns);
	else if (ns < 10000000)
		snprintf(buf, len, "%.1f us", ns / 1e3);
	else if (ns < 10000000000ULL)
		snprintf(buf, len, "%.2f ms", ns / 1e6);
	else
		snprintf(buf, len, "%.3f s", ns / 1e9);
	return buf;
}

static const char *model_name(unsigned int model)
{
	return model == GHOST_MODEL_PER_CPU ? "per_cpu" :
	       model == GHOST_MODEL_CENTRALIZED ? "centralized" : "?";
}

static double window_s(const struct sim_result *r)
{
	const struct workload *w = r->options->workload;

	return (w->duration_ns - w->warmup_ns) / 1e9;
}

/* Time of enclave CPUs by activity, and its total. */
static uint64_t enclave_time(const struct sim_result *r, uint64_t *by_act)
{
	const struct machine *m = r->options->machine;
	uint64_t total = 0;

	memset(by_act, 0, NR_ACTIVITIES * sizeof(*by_act));
	for (int cpu = 0; cpu < m->nr_cpus; cpu++) {
		if (!CPU_ISSET(cpu, &m->enclave))
			continue;
		for (int a = 0; a < NR_ACTIVITIES; a++) {
			by_act[a] += r->metrics.cpu_time[cpu][a];
			total += r->metrics.cpu_time[cpu][a];
		}
	}
	return total;
}

/* Text */

static void text_header(FILE *f, const struct sim_result *r)
{
	const struct sim_options *o = r->options;
	const struct machine *m = o->machine;
	const struct workload *w = o->workload;
	char cpus[256], d1[32], d2[32];

	fprintf(f, "ghost-sim: policy %s (%s) on machine %s: %d CPUs (%d socket%s x %d cores x %d thread%s, %d LLC%s, %d node%s), enclave %s, watchdog %u ms\n",
		r->policy, model_name(r->model), m->name, m->nr_cpus, m->sockets,
		m->sockets > 1 ? "s" : "", m->cores_per_socket, m->threads_per_core,
		m->threads_per_core > 1 ? "s" : "", m->sockets * m->llcs_per_socket,
		m->sockets * m->llcs_per_socket > 1 ? "s" : "",
		m->sockets * m->nodes_per_socket,
		m->sockets * m->nodes_per_socket > 1 ? "s" : "",
		cpulist_format(&m->enclave, cpus, sizeof(cpus)), m->watchdog_ms);
	fprintf(f, "workload %s, seed %llu, load x%g: arrivals for %s (the first %s not measured); ran %s of simulated time, %llu events\n",
		w->name, (unsigned long long)o->seed, o->load_scale,
		report_duration(w->duration_ns, d1, sizeof(d1)),
		report_duration(w->warmup_ns, d2, sizeof(d2)),
		report_duration(r->end_ns, cpus, sizeof(cpus)),
		(unsigned long long)r->events);
	fprintf(f, "costs, anchored to a CFS context switch of %g ns (%s):\n",
		m->cfs_switch_ns, m->cfs_switch_given ? "given" :
		"the ghOSt paper's, SOSP'21 Table 3");
	for (int i = 0; i < NR_COSTS; i++) {
		if (m->cost_given[i])
			fprintf(f, "  %-20s %7llu ns  (given)\n", cost_info[i].name,
				(unsigned long long)m->cost[i]);
		else
			fprintf(f, "  %-20s %7llu ns  (%.3fx; %s)\n", cost_info[i].name,
				(unsigned long long)m->cost[i], cost_info[i].ratio,
				cost_info[i].source);
	}
}

static void text_latencies(FILE *f, struct samples *s)
{
	char buf[32];

	for (int p = 0; p < NR_PERCENTILES; p++)
		fprintf(f, " %10s", report_duration(samples_percentile(s, percentiles[p]),
						      buf, sizeof(buf)));
	fprintf(f, " %10s", report_duration((uint64_t)samples_mean(s), buf, sizeof(buf)));
}

static void text_classes(FILE *f, struct sim_result *r)
{
	const struct workload *w = r->options->workload;

	fprintf(f, "\n%-16s %8s %8s %7s %10s | %-43s | %s\n", "class", "arrived",
		"done", "refused", "per s", "wait for a CPU: p50, p99, p99.9, mean",
		"arrival to exit: p50, p99, p99.9, mean");
	for (uint32_t c = 0; c <= w->nr_classes; c++) {
		struct class_metrics *cm = &r->metrics.classes[c];

		fprintf(f, "%-16s %8llu %8llu %7llu %10.1f |",
			c < w->nr_classes ? w->classes[c].name : "all",
			(unsigned long long)cm->arrived,
			(unsigned long long)cm->completed,
			(unsigned long long)cm->refused,
			cm->completed_in_window / window_s(r));
		text_latencies(f, &cm->wait);
		fprintf(f, " |");
		text_latencies(f, &cm->latency);
		fprintf(f, "\n");
	}
}

static void text_cpus(FILE *f, const struct sim_result *r)
{
	uint64_t by_act[NR_ACTIVITIES], total = enclave_time(r, by_act);

	fprintf(f, "\nenclave CPU time:");
	for (int a = 0; a < NR_ACTIVITIES; a++)
		fprintf(f, " %s %.1f%%", activity_name(a),
			total ? 100.0 * by_act[a] / total : 0.0);
	fprintf(f, "\n");
}

static void text_counters(FILE *f, const struct sim_result *r)
{
	const struct sk_counters *k = &r->kernel;
	bool first = true;

	fprintf(f, "kernel messages:");
	for (int t = 0; t <= GHOST_MSG_TYPE_MAX; t++)
		if (ghost_msg_names[t] && k->msgs[t])
			fprintf(f, " %s %llu", ghost_msg_names[t], (unsigned long long)k->msgs[t]);
	fprintf(f, "\nkernel commits:");
	for (int s = 0; s <= GHOST_TXN_STATE_MAX; s++)
		if (ghost_txn_state_names[s] && k->commits[s])
			fprintf(f, " %s %llu", ghost_txn_state_names[s], (unsigned long long)k->commits[s]);
	fprintf(f, "\nagents: %llu steps, %llu wakeups; queue overflows %llu\n",
		(unsigned long long)k->agent_steps,
		(unsigned long long)k->agent_wakeups,
		(unsigned long long)k->overflows);
	fprintf(f, "runtime:");
	for (unsigned int i = 0; i < r->nr_rt_counters; i++) {
		if (!r->rt_counters[i].value || !strncmp(r->rt_counters[i].name, "msg_", 4) ||
		    !strncmp(r->rt_counters[i].name, "commit_", 7))
			continue;
		fprintf(f, "%s %s %llu", first ? "" : ",", r->rt_counters[i].name,
			(unsigned long long)r->rt_counters[i].value);
		first = false;
	}
	fprintf(f, "%s\n", first ? " nothing counted" : "");
}

static void text_outcome(FILE *f, const struct sim_result *r)
{
	const struct metrics *mt = &r->metrics;
	uint64_t n = metrics_nr_violations(mt);
	char buf[32];

	fprintf(f, "tasks: %llu unfinished, %llu evicted (starved by higher classes), %llu refused (enclave full)\n",
		(unsigned long long)r->unfinished,
		(unsigned long long)r->kernel.evicted,
		(unsigned long long)r->kernel.refused_tasks);
	if (r->destroyed)
		fprintf(f, "enclave: DESTROYED at %s by %s\n",
			report_duration(r->destroyed_at, buf, sizeof(buf)),
			r->destroy_reason);
	if (r->nr_order) {
		fprintf(f, "scripted tasks in exit order:");
		for (uint32_t i = 0; i < r->nr_order; i++)
			fprintf(f, " %s", r->order[i]);
		fprintf(f, "\n");
	}
	if (!n) {
		fprintf(f, "invariants: none violated\n");
		return;
	}
	fprintf(f, "invariants: %llu VIOLATED\n", (unsigned long long)n);
	for (uint64_t i = 0; i < n && i < METRICS_MAX_VIOLATIONS; i++)
		fprintf(f, "  at %s: %s: %s\n",
			report_duration(mt->violations[i].time, buf, sizeof(buf)),
			violation_name(mt->violations[i].kind), mt->violations[i].what);
}

/* "made": committed; "settled": every new role was taken before the end. */
static const char *swap_outcome(const struct sim_swap_result *s)
{
	if (s->failure[0])
		return "failed";
	if (!s->made)
		return "not made";
	return s->settled ? "made" : "made, roles still pending";
}

static void text_swaps(FILE *f, const struct sim_result *r)
{
	char at[32], started[32], blackout[32];

	for (unsigned int i = 0; i < r->nr_swaps; i++) {
		const struct sim_swap_result *s = &r->swaps[i];

		fprintf(f, "swap at %s to %s: %s", report_duration(s->asked_ns, at, sizeof(at)),
			r->options->swaps[i].plugin, swap_outcome(s));
		if (s->made)
			fprintf(f, " at %s, %s -> %s, blackout %s",
				report_duration(s->started_ns, started, sizeof(started)),
				s->from, s->to,
				report_duration(s->blackout_ns, blackout, sizeof(blackout)));
		if (s->failure[0])
			fprintf(f, ": %s", s->failure);
		fprintf(f, "\n");
	}
}

static void text_timeline(FILE *f, const struct sim_result *r)
{
	const struct metrics *mt = &r->metrics;
	const struct machine *m = r->options->machine;

	fprintf(f, "\nper CPU (%% of the run):\n");
	for (int cpu = 0; cpu < m->nr_cpus; cpu++) {
		uint64_t total = 0;

		for (int a = 0; a < NR_ACTIVITIES; a++)
			total += mt->cpu_time[cpu][a];
		fprintf(f, "  cpu %3d%s:", cpu, CPU_ISSET(cpu, &m->enclave) ? "" : " (outside)");
		for (int a = 0; a < NR_ACTIVITIES; a++)
			fprintf(f, " %s %.1f", activity_name(a),
				total ? 100.0 * mt->cpu_time[cpu][a] / total : 0.0);
		fprintf(f, "\n");
	}
	fprintf(f, "\ntimeline (cpu start_ns end_ns activity gtid):\n");
	for (uint64_t i = 0; i < mt->nr_segments; i++) {
		const struct segment *s = &mt->segments[i];

		fprintf(f, "  %3u %12llu %12llu %-12s %#llx\n", s->cpu,
			(unsigned long long)s->start, (unsigned long long)s->end,
			activity_name(s->activity), (unsigned long long)s->gtid);
	}
	if (mt->segments_dropped)
		fprintf(f, "  ... %llu more segments not kept\n",
			(unsigned long long)mt->segments_dropped);
}

void report_text(FILE *f, struct sim_result *r)
{
	text_header(f, r);
	text_classes(f, r);
	text_cpus(f, r);
	text_counters(f, r);
	text_swaps(f, r);
	text_outcome(f, r);
	if (r->options->timeline)
		text_timeline(f, r);
}

/* JSON */

static json_t *json_samples(struct samples *s)
{
	json_t *o = json_object();

	for (int p = 0; p < NR_PERCENTILES; p++)
		json_object_set_new(o, percentile_names[p],
				    json_integer(samples_percentile(s, percentiles[p])));
	json_object_set_new(o, "mean", json_integer((json_int_t)samples_mean(s)));
	json_object_set_new(o, "samples", json_integer(s->nr));
	return o;
}

static json_t *json_class(struct sim_result *r, const char *name,
			  struct class_metrics *cm)
{
	return json_pack("{s:s, s:I, s:I, s:I, s:f, s:o, s:o}", "name", name,
			 "arrived", (json_int_t)cm->arrived,
			 "completed", (json_int_t)cm->completed,
			 "refused", (json_int_t)cm->refused,
			 "throughput_per_s", cm->completed_in_window / window_s(r),
			 "wait_ns", json_samples(&cm->wait),
			 "latency_ns", json_samples(&cm->latency));
}

static json_t *json_inputs(const struct sim_result *r)
{
	const struct sim_options *o = r->options;
	const struct machine *m = o->machine;
	const struct workload *w = o->workload;
	json_t *costs = json_object();
	char cpus[1024];

	json_object_set_new(costs, "cfs_switch_ns", json_real(m->cfs_switch_ns));
	json_object_set_new(costs, "anchor", json_string(m->cfs_switch_given ? "given" :
				"the ghOSt paper's CFS context switch, SOSP'21 Table 3"));
	for (int i = 0; i < NR_COSTS; i++)
		json_object_set_new(costs, cost_info[i].name,
				    json_pack("{s:I, s:f, s:s}", "ns", (json_int_t)m->cost[i],
					      "ratio", m->cost[i] / m->cfs_switch_ns,
					      "source", m->cost_given[i] ? "given" :
					      cost_info[i].source));
	return json_pack("{s:{s:s, s:s}, s:{s:s, s:i, s:i, s:i, s:i, s:i, s:i, s:s, s:i}, s:o, s:{s:s, s:I, s:f, s:I, s:I}}",
			 "policy", "name", r->policy, "model", model_name(r->model),
			 "machine", "name", m->name, "cpus", m->nr_cpus,
			 "sockets", m->sockets, "cores_per_socket", m->cores_per_socket,
			 "threads_per_core", m->threads_per_core,
			 "llcs", m->sockets * m->llcs_per_socket,
			 "nodes", m->sockets * m->nodes_per_socket,
			 "enclave", cpulist_format(&m->enclave, cpus, sizeof(cpus)),
			 "watchdog_ms", m->watchdog_ms,
			 "costs", costs,
			 "workload", "name", w->name, "seed", (json_int_t)o->seed,
			 "load_scale", o->load_scale,
			 "duration_ns", (json_int_t)w->duration_ns,
			 "warmup_ns", (json_int_t)w->warmup_ns);
}

static json_t *json_cpu_time(const struct sim_result *r)
{
	const struct machine *m = r->options->machine;
	uint64_t by_act[NR_ACTIVITIES], total = enclave_time(r, by_act);
	json_t *enclave = json_object(), *per_cpu = json_array();

	for (int a = 0; a < NR_ACTIVITIES; a++)
		json_object_set_new(enclave, activity_name(a),
				    json_real(total ? (double)by_act[a] / total : 0));
	for (int cpu = 0; cpu < m->nr_cpus; cpu++) {
		json_t *c = json_pack("{s:i}", "cpu", cpu);

		for (int a = 0; a < NR_ACTIVITIES; a++)
			json_object_set_new(c, activity_name(a),
					    json_integer(r->metrics.cpu_time[cpu][a]));
		json_array_append_new(per_cpu, c);
	}
	return json_pack("{s:o, s:o}", "enclave_share", enclave, "per_cpu_ns", per_cpu);
}

static json_t *json_counters(const struct sim_result *r)
{
	const struct sk_counters *k = &r->kernel;
	json_t *msgs = json_object(), *commits = json_object(), *rt = json_object();

	for (int t = 0; t <= GHOST_MSG_TYPE_MAX; t++)
		if (ghost_msg_names[t])
			json_object_set_new(msgs, ghost_msg_names[t], json_integer(k->msgs[t]));
	for (int s = 0; s <= GHOST_TXN_STATE_MAX; s++)
		if (ghost_txn_state_names[s])
			json_object_set_new(commits, ghost_txn_state_names[s], json_integer(k->commits[s]));
	for (unsigned int i = 0; i < r->nr_rt_counters; i++)
		json_object_set_new(rt, r->rt_counters[i].name,
				    json_integer(r->rt_counters[i].value));
	return json_pack("{s:{s:o, s:o, s:I, s:I, s:I}, s:o}",
			 "kernel", "messages", msgs, "commits", commits,
			 "agent_steps", (json_int_t)k->agent_steps,
			 "agent_wakeups", (json_int_t)k->agent_wakeups,
			 "queue_overflows", (json_int_t)k->overflows,
			 "runtime", rt);
}

static json_t *json_outcome(const struct sim_result *r)
{
	const struct metrics *mt = &r->metrics;
	json_t *by_kind = json_object(), *list = json_array(), *order = json_array();
	uint64_t n = metrics_nr_violations(mt);

	for (int k = 0; k < NR_VIOLATION_KINDS; k++)
		json_object_set_new(by_kind, violation_name(k),
				    json_integer(mt->nr_violations[k]));
	for (uint64_t i = 0; i < n && i < METRICS_MAX_VIOLATIONS; i++)
		json_array_append_new(list, json_pack("{s:I, s:s, s:s}",
				"time_ns", (json_int_t)mt->violations[i].time,
				"kind", violation_name(mt->violations[i].kind),
				"what", mt->violations[i].what));
	for (uint32_t i = 0; i < r->nr_order; i++)
		json_array_append_new(order, json_string(r->order[i]));
	return json_pack("{s:{s:I, s:I, s:I}, s:{s:b, s:I, s:s}, s:o, s:{s:I, s:o, s:o}}",
			 "tasks", "unfinished", (json_int_t)r->unfinished,
			 "evicted", (json_int_t)r->kernel.evicted,
			 "refused", (json_int_t)r->kernel.refused_tasks,
			 "enclave", "destroyed", r->destroyed,
			 "destroyed_at_ns", (json_int_t)r->destroyed_at,
			 "reason", r->destroy_reason,
			 "exit_order", order,
			 "violations", "count", (json_int_t)n, "by_kind", by_kind,
			 "list", list);
}

static json_t *json_timeline(const struct sim_result *r)
{
	const struct metrics *mt = &r->metrics;
	json_t *segments = json_array();

	for (uint64_t i = 0; i < mt->nr_segments; i++) {
		const struct segment *s = &mt->segments[i];

		json_array_append_new(segments, json_pack("[i, I, I, s, I]", s->cpu,
				(json_int_t)s->start, (json_int_t)s->end,
				activity_name(s->activity), (json_int_t)s->gtid));
	}
	return json_pack("{s:s, s:o, s:I}", "columns", "cpu, start_ns, end_ns, activity, gtid",
			 "segments", segments, "dropped", (json_int_t)mt->segments_dropped);
}

static json_t *json_swaps(const struct sim_result *r)
{
	json_t *list = json_array();

	for (unsigned int i = 0; i < r->nr_swaps; i++) {
		const struct sim_swap_result *s = &r->swaps[i];

		json_array_append_new(list, json_pack("{s:I, s:s, s:s, s:I, s:s, s:I, s:s}",
				"at_ns", (json_int_t)s->asked_ns,
				"plugin", r->options->swaps[i].plugin,
				"outcome", swap_outcome(s),
				"started_ns", (json_int_t)s->started_ns,
				"from", s->from,
				"blackout_ns", (json_int_t)s->blackout_ns,
				"failure", s->failure));
	}
	return list;
}

/* Move every member of @from into @to. */
static void merge(json_t *to, json_t *from)
{
	json_object_update(to, from);
	json_decref(from);
}

json_t *report_json(struct sim_result *r)
{
	const struct workload *w = r->options->workload;
	json_t *root = json_inputs(r), *classes = json_array();

	json_object_set_new(root, "run", json_pack("{s:I, s:I}", "end_ns",
			    (json_int_t)r->end_ns, "events", (json_int_t)r->events));
	for (uint32_t c = 0; c < w->nr_classes; c++)
		json_array_append_new(classes, json_class(r, w->classes[c].name,
							  &r->metrics.classes[c]));
	json_object_set_new(root, "classes", classes);
	json_object_set_new(root, "all", json_class(r, "all",
			    &r->metrics.classes[w->nr_classes]));
	json_object_set_new(root, "cpu_time", json_cpu_time(r));
	merge(root, json_counters(r));
	merge(root, json_outcome(r));
	if (r->nr_swaps)
		json_object_set_new(root, "swaps", json_swaps(r));
	if (r->options->timeline)
		json_object_set_new(root, "timeline", json_timeline(r));
	return root;
}
