// SPDX-License-Identifier: GPL-2.0
/*
 * The battery of `make policy-check`: see battery.h. Scenarios are made
 * from the seed, so a failure replays with the same --seed. Cpumasks
 * always allow two enclave CPUs at least, so that no task depends on the
 * one CPU a centralized policy keeps for its agent.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "battery.h"
#include "prng.h"
#include "report.h"
#include "simulation.h"

#define NR_SCENARIOS	8
/* A short watchdog (200 ms), so that a starving policy is caught in the run. */
static const char *const machines[] = {
	"{\"name\": \"vm\", \"sockets\": 1, \"cores_per_socket\": 4,"
	" \"enclave\": \"1-3\", \"watchdog_ms\": 200}",
	"{\"name\": \"smt-8\", \"sockets\": 1, \"cores_per_socket\": 4,"
	" \"threads_per_core\": 2, \"llcs_per_socket\": 2, \"enclave\": \"1-7\","
	" \"watchdog_ms\": 200}",
};

struct check {
	const char *name;
	const char *pass;	/* what passing means */
	unsigned int failures;	/* runs that failed it */
	char detail[512];	/* the first failure, or a note */
};

enum { CHECK_STARVATION, CHECK_DECISIONS, CHECK_INVARIANTS, CHECK_DETERMINISM,
       NR_CHECKS };

static void fail(struct check *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void fail(struct check *c, const char *fmt, ...)
{
	va_list ap;

	if (c->failures++)
		return;
	va_start(ap, fmt);
	vsnprintf(c->detail, sizeof(c->detail), fmt, ap);
	va_end(ap);
}

/* A random cpumask of two enclave CPUs or more, as a CPU list. */
static void random_cpus(struct prng *g, const struct machine *m, char *buf,
			size_t len)
{
	int cpus[MACHINE_MAX_CPUS], n = 0, k;
	size_t used = 0;

	for (int cpu = 0; cpu < m->nr_cpus; cpu++)
		if (CPU_ISSET(cpu, &m->enclave))
			cpus[n++] = cpu;
	/* The first k of a random order (Fisher-Yates). */
	for (int i = n - 1; i > 0; i--) {
		int j = prng_below(g, i + 1), tmp = cpus[i];

		cpus[i] = cpus[j];
		cpus[j] = tmp;
	}
	k = 2 + prng_below(g, n - 1);
	buf[0] = '\0';
	for (int i = 0; i < k; i++)
		used += snprintf(buf + used, len - used, "%s%d", i ? "," : "", cpus[i]);
}

static json_t *random_dist(struct prng *g, double mean_us)
{
	if (prng_below(g, 3))
		return json_pack("{s:s, s:f}", "dist", "exponential", "mean_us", mean_us);
	return json_pack("{s:s, s:f, s:f, s:f}", "dist", "bimodal",
			 "a_us", mean_us / 2, "b_us", mean_us * 10, "p_b", 0.05);
}

/* A random workload for @m: classes, masks, blocking and hogs. */
static json_t *random_workload(struct prng *g, const struct machine *m, int id)
{
	int nr_classes = 1 + prng_below(g, 3), enclave = CPU_COUNT(&m->enclave);
	json_t *classes = json_array(), *hogs = json_array();
	char name[32], cpus[256];

	for (int c = 0; c < nr_classes; c++) {
		double mean_us = 50 + prng_below(g, 450);
		/* Together the classes offer 30% to 60% of the enclave. */
		double load = (0.3 + 0.3 * prng_unit(g)) / nr_classes;
		double p_io = prng_below(g, 2) ? 0.5 * prng_unit(g) : 0;
		json_t *cls;

		snprintf(name, sizeof(name), "c%d", c);
		cls = json_pack("{s:s, s:i, s:{s:s, s:f}, s:o, s:{s:f, s:{s:s, s:f}}}",
				"name", name, "nice", (int)prng_below(g, 40) - 20,
				"arrival", "process", "poisson",
				"rate_per_s", load * enclave * 1e6 / mean_us * (1 - p_io),
				"service", random_dist(g, mean_us),
				"io", "probability", p_io, "time", "dist", "exponential",
				"mean_us", 100.0 + prng_below(g, 900));
		if (prng_below(g, 2)) {
			random_cpus(g, m, cpus, sizeof(cpus));
			json_object_set_new(cls, "cpus", json_string(cpus));
		}
		json_array_append_new(classes, cls);
	}
	/* A burst of entries at once, every class's mask at work together. */
	json_array_append_new(classes, json_pack("{s:s, s:{s:s, s:i, s:f}, s:{s:s, s:f}}",
			"name", "burst", "arrival", "process", "burst",
			"count", enclave * 4, "start_ms", 10.0 + prng_below(g, 50),
			"service", "dist", "exponential", "mean_us", 200.0));
	for (int h = 0; h < 2; h++) {
		snprintf(cpus, sizeof(cpus), "%d", 1 + (int)prng_below(g, m->nr_cpus - 1));
		json_array_append_new(hogs, json_pack("{s:s, s:{s:s, s:f}, s:{s:s, s:f}}",
				"cpus", cpus,
				"idle", "dist", "exponential", "mean_us", 1000.0 + prng_below(g, 4000),
				"busy", "dist", "exponential", "mean_us", 100.0 + prng_below(g, 900)));
	}
	snprintf(name, sizeof(name), "random-%d", id);
	return json_pack("{s:s, s:f, s:f, s:i, s:o, s:o}", "name", name,
			 "duration_ms", 150.0, "drain_ms", 1000.0, "max_tasks", 4096,
			 "classes", classes, "hogs", hogs);
}

/* Run a scenario and record what the checks see in it. */
static int run_scenario(const struct sim_options *o, struct check *checks,
			const char *label, FILE *out, char **json_text)
{
	struct sim_result r;
	char why[1024], buf[32];
	uint64_t policy_errors, n;
	json_t *j;

	if (sim_run(o, &r, why, sizeof(why))) {
		fprintf(out, "  %s: cannot run: %s\n", label, why);
		return -1;
	}
	if (r.destroyed)
		fail(&checks[CHECK_STARVATION], "%s: enclave destroyed by %s", label,
		     r.destroy_reason);
	else if (r.unfinished || r.kernel.evicted)
		fail(&checks[CHECK_STARVATION], "%s: %llu tasks never finished, %llu evicted",
		     label, (unsigned long long)r.unfinished,
		     (unsigned long long)r.kernel.evicted);
	policy_errors = sim_rt_counter(&r, "policy_errors");
	if (policy_errors)
		fail(&checks[CHECK_DECISIONS],
		     "%s: the runtime refused or corrected %llu decisions (a task placed or picked on a CPU its cpumask forbids, a task that was not waiting, a CPU assigned twice; see the warnings above)",
		     label, (unsigned long long)policy_errors);
	n = metrics_nr_violations(&r.metrics);
	if (n)
		fail(&checks[CHECK_INVARIANTS], "%s: %llu violated, first: %s: %s", label,
		     (unsigned long long)n, violation_name(r.metrics.violations[0].kind),
		     r.metrics.violations[0].what);
	fprintf(out, "  %s: %llu tasks done, p99 wait %s%s\n", label,
		(unsigned long long)r.metrics.classes[o->workload->nr_classes].completed,
		report_duration(samples_percentile(&r.metrics.classes[o->workload->nr_classes].wait, 99),
				buf, sizeof(buf)),
		r.destroyed ? ", enclave destroyed" : "");
	if (json_text) {
		j = report_json(&r);
		*json_text = json_dumps(j, REPORT_JSON_FLAGS);
		json_decref(j);
	}
	sim_result_free(&r);
	return 0;
}

int battery_run(const char *policy, const json_t *params, uint64_t seed,
		FILE *out)
{
	struct check checks[NR_CHECKS] = {
		[CHECK_STARVATION] = { "no starvation",
			"every task ran to completion; the watchdog never fired" },
		[CHECK_DECISIONS] = { "cpumasks and decisions",
			"the runtime refused or corrected no decision of the policy" },
		[CHECK_INVARIANTS] = { "invariants",
			"no task on two CPUs, no commit the kernel must refuse, no lost task" },
		[CHECK_DETERMINISM] = { "determinism",
			"the same scenario twice gave the same bytes" },
	};
	char *first = NULL, *again = NULL, label[128];
	struct prng g;
	unsigned int runs = NR_SCENARIOS + 1;
	bool failed = false;

	prng_seed(&g, seed, 0);
	fprintf(out, "policy-check %s, seed %llu: %d random scenarios under random higher-class preemption\n",
		policy, (unsigned long long)seed, NR_SCENARIOS);
	for (int i = 0; i < NR_SCENARIOS; i++) {
		const char *machine_json = machines[i % 2];
		struct machine m;
		struct workload w;
		json_t *wj;
		char *text, why[1024];
		struct sim_options o;
		int ret;

		machine_parse("battery machine", machine_json, &m, why, sizeof(why));
		wj = random_workload(&g, &m, i);
		text = json_dumps(wj, 0);
		json_decref(wj);
		if (workload_parse("battery workload", text, ".", &w, why, sizeof(why))) {
			fprintf(out, "  internal error: %s\n", why);
			free(text);
			return 1;
		}
		free(text);
		o = (struct sim_options){
			.policy = policy, .params = params, .machine = &m,
			.workload = &w, .seed = prng_next(&g), .load_scale = 1.0,
		};
		snprintf(label, sizeof(label), "scenario %d (%s, %u classes, seed %llu)",
			 i + 1, m.name, w.nr_classes, (unsigned long long)o.seed);
		ret = run_scenario(&o, checks, label, out, i ? NULL : &first);
		if (!ret && !i)
			ret = run_scenario(&o, checks, "scenario 1 again", out, &again);
		workload_free(&w);
		if (ret) {
			free(first);
			free(again);
			fprintf(out, "verdict: FAIL (the plugin could not be run)\n");
			return 1;
		}
	}
	if (strcmp(first, again))
		fail(&checks[CHECK_DETERMINISM], "two runs of scenario 1 differ (%zu and %zu bytes)",
		     strlen(first), strlen(again));
	else
		snprintf(checks[CHECK_DETERMINISM].detail,
			 sizeof(checks[CHECK_DETERMINISM].detail), "%zu bytes", strlen(first));
	free(first);
	free(again);
	for (int c = 0; c < NR_CHECKS; c++) {
		failed |= checks[c].failures;
		if (checks[c].failures)
			fprintf(out, "FAIL %s, in %u of %u runs; the first: %s\n",
				checks[c].name, checks[c].failures,
				c == CHECK_DETERMINISM ? 1 : runs, checks[c].detail);
		else if (checks[c].detail[0])
			fprintf(out, "PASS %s: %s (%s)\n", checks[c].name,
				checks[c].pass, checks[c].detail);
		else
			fprintf(out, "PASS %s: %s\n", checks[c].name, checks[c].pass);
	}
	fprintf(out, "verdict: %s\n", failed ? "FAIL" : "PASS");
	return failed ? 3 : 0;
}
