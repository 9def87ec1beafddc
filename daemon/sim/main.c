// SPDX-License-Identifier: GPL-2.0
/*
 * ghost-sim: run a policy plugin on a simulated machine under a workload.
 *
 *	ghost-sim --policy PLUGIN.so --machine FILE|PRESET --workload FILE
 *		  [--params JSON] [--seed N] [--load X] [--json] [--timeline]
 *		  [--plot DIR] [--bench] [--swap-at MS:PLUGIN]...
 *	ghost-sim --policy PLUGIN.so --check [--seed N]
 *
 * The first form prints one run's results (text, or JSON with --json); with
 * --plot it also runs the workload at a range of loads and writes
 * latency-vs-load curves into DIR; with --bench it also prints how fast
 * the simulator ran on this host; each --swap-at swaps the policy for
 * PLUGIN (NAME or NAME.so, beside --policy's) at MS ms of simulated time,
 * as `ghostctl swap` does (swap_control.h). The second form runs the standard
 * battery of `make policy-check`. Exit status: 0; 1 if the inputs or the
 * plugin are refused; 2 on a usage error; 3 if an invariant was violated,
 * the enclave was destroyed, or a battery check failed.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "battery.h"
#include "common/log.h"
#include "plot.h"
#include "report.h"
#include "simulation.h"

static const char usage[] =
	"usage: ghost-sim --policy PLUGIN.so --machine FILE|PRESET --workload FILE\n"
	"                 [--params JSON] [--seed N] [--load X] [--json] [--timeline]\n"
	"                 [--plot DIR] [--bench] [--swap-at MS:PLUGIN]...\n"
	"       ghost-sim --policy PLUGIN.so --check [--seed N]\n"
	"machine presets: %s\n";

struct args {
	const char *policy, *machine, *workload, *params, *plot;
	uint64_t seed;
	double load;
	bool json, timeline, bench, check;
	struct sim_swap swaps[SIM_MAX_SWAPS];
	unsigned int nr_swaps;
};

/* "MS:PLUGIN", times in order; the plugin by name, ".so" allowed. */
static int parse_swap(const char *text, struct args *a)
{
	struct sim_swap *s = &a->swaps[a->nr_swaps];
	const char *name;
	char *end;
	size_t n;

	if (a->nr_swaps == SIM_MAX_SWAPS) {
		fprintf(stderr, "ghost-sim: --swap-at: at most %d swaps\n", SIM_MAX_SWAPS);
		return -1;
	}
	s->at_ns = strtoull(text, &end, 10) * 1000000;
	name = end + 1;
	n = strlen(name);
	if (n > 3 && !strcmp(name + n - 3, ".so"))
		n -= 3;
	if (end == text || *end != ':' || !n || n >= sizeof(s->plugin) ||
	    strcspn(name, "/") < n) {
		fprintf(stderr, "ghost-sim: --swap-at %s: expected MS:PLUGIN, a time in ms and a plugin's name\n",
			text);
		return -1;
	}
	if (a->nr_swaps && s->at_ns < a->swaps[a->nr_swaps - 1].at_ns) {
		fprintf(stderr, "ghost-sim: --swap-at %s: swaps must be given in time order\n",
			text);
		return -1;
	}
	snprintf(s->plugin, sizeof(s->plugin), "%.*s", (int)n, name);
	a->nr_swaps++;
	return 0;
}

static int parse_args(int argc, char **argv, struct args *a)
{
	static const struct option options[] = {
		{ "policy", required_argument, NULL, 'p' },
		{ "machine", required_argument, NULL, 'm' },
		{ "workload", required_argument, NULL, 'w' },
		{ "params", required_argument, NULL, 'P' },
		{ "seed", required_argument, NULL, 's' },
		{ "load", required_argument, NULL, 'l' },
		{ "json", no_argument, NULL, 'j' },
		{ "timeline", no_argument, NULL, 't' },
		{ "plot", required_argument, NULL, 'o' },
		{ "bench", no_argument, NULL, 'b' },
		{ "check", no_argument, NULL, 'c' },
		{ "swap-at", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	char *end;
	int opt;

	*a = (struct args){ .seed = 1, .load = 1.0 };
	while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (opt) {
		case 'p': a->policy = optarg; break;
		case 'm': a->machine = optarg; break;
		case 'w': a->workload = optarg; break;
		case 'P': a->params = optarg; break;
		case 'o': a->plot = optarg; break;
		case 'j': a->json = true; break;
		case 't': a->timeline = true; break;
		case 'b': a->bench = true; break;
		case 'c': a->check = true; break;
		case 'S':
			if (parse_swap(optarg, a))
				return -1;
			break;
		case 's':
			a->seed = strtoull(optarg, &end, 0);
			if (*end || !*optarg)
				return -1;
			break;
		case 'l':
			a->load = strtod(optarg, &end);
			if (*end || !(a->load > 0 && a->load <= 100))
				return -1;
			break;
		default:
			return -1;
		}
	}
	if (optind < argc || !a->policy)
		return -1;
	return a->check || (a->machine && a->workload) ? 0 : -1;
}

static double host_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void print_bench(const struct sim_result *r, double host_s)
{
	const struct machine *m = r->options->machine;
	double sim_s = r->end_ns / 1e9;

	fprintf(stderr, "bench: %s, %d CPUs: %llu events in %.3f s of simulated time took %.2f s on this host: %.0f events/s; a simulated second takes %.1f s\n",
		m->name, m->nr_cpus, (unsigned long long)r->events, sim_s, host_s,
		r->events / host_s, sim_s > 0 ? host_s / sim_s : 0.0);
}

static int run_once(const struct args *a, const struct sim_options *o)
{
	struct sim_result r;
	double start = host_seconds();
	char why[1024];
	int status;

	if (sim_run(o, &r, why, sizeof(why))) {
		fprintf(stderr, "ghost-sim: %s\n", why);
		return 1;
	}
	if (a->bench)
		print_bench(&r, host_seconds() - start);
	if (a->json) {
		json_t *j = report_json(&r);

		json_dumpf(j, stdout, REPORT_JSON_FLAGS);
		fputc('\n', stdout);
		json_decref(j);
	} else {
		report_text(stdout, &r);
	}
	status = metrics_nr_violations(&r.metrics) || r.destroyed ? 3 : 0;
	sim_result_free(&r);
	return status;
}

int main(int argc, char **argv)
{
	struct machine machine;
	struct workload workload;
	json_t *params = NULL;
	json_error_t jerr;
	struct args a;
	char why[1024];
	int status = 1;

	log_init("ghost-sim", LOG_LEVEL_WARN);
	if (parse_args(argc, argv, &a)) {
		fprintf(stderr, usage, machine_preset_names());
		return 2;
	}
	if (a.params && !(params = json_loads(a.params, 0, &jerr))) {
		fprintf(stderr, "ghost-sim: --params: %s\n", jerr.text);
		return 2;
	}
	if (a.check) {
		status = battery_run(a.policy, params, a.seed, stdout);
		json_decref(params);
		return status;
	}
	if (machine_load(a.machine, &machine, why, sizeof(why)) ||
	    workload_load(a.workload, &workload, why, sizeof(why))) {
		fprintf(stderr, "ghost-sim: %s\n", why);
		json_decref(params);
		return 1;
	}
	{
		struct sim_options o = {
			.policy = a.policy, .params = params, .machine = &machine,
			.workload = &workload, .seed = a.seed, .load_scale = a.load,
			.timeline = a.timeline, .swaps = a.swaps, .nr_swaps = a.nr_swaps,
		};

		status = run_once(&a, &o);
		if (status != 1 && a.plot && plot_curves(&o, a.plot, why, sizeof(why))) {
			fprintf(stderr, "ghost-sim: --plot: %s\n", why);
			status = 1;
		}
	}
	workload_free(&workload);
	json_decref(params);
	return status;
}
