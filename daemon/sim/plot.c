// SPDX-License-Identifier: GPL-2.0
/* Latency-vs-load curves: see plot.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "plot.h"

#define NR_LOADS	10

/* The enclave CPUs' share of time in ghost tasks. */
static double task_share(const struct sim_result *r)
{
	const struct machine *m = r->options->machine;
	uint64_t task = 0, total = 0;

	for (int cpu = 0; cpu < m->nr_cpus; cpu++) {
		if (!CPU_ISSET(cpu, &m->enclave))
			continue;
		task += r->metrics.cpu_time[cpu][ACT_TASK];
		for (int a = 0; a < NR_ACTIVITIES; a++)
			total += r->metrics.cpu_time[cpu][a];
	}
	return total ? (double)task / total : 0;
}

static int write_data(const struct sim_options *o, const char *path, char *why,
		      size_t len)
{
	const struct workload *w = o->workload;
	FILE *f = fopen(path, "w");

	if (!f) {
		snprintf(why, len, "cannot write %s: %s", path, strerror(errno));
		return -1;
	}
	fprintf(f, "# load_scale task_cpu_share");
	for (uint32_t c = 0; c < w->nr_classes; c++)
		fprintf(f, " %s_wait_p50_us %s_wait_p99_us", w->classes[c].name,
			w->classes[c].name);
	fprintf(f, "\n");
	for (int i = 1; i <= NR_LOADS; i++) {
		struct sim_options run = *o;
		struct sim_result r;

		run.load_scale = o->load_scale * i / NR_LOADS;
		run.timeline = false;
		if (sim_run(&run, &r, why, len)) {
			fclose(f);
			return -1;
		}
		fprintf(f, "%.2f %.4f", run.load_scale, task_share(&r));
		for (uint32_t c = 0; c < w->nr_classes; c++)
			fprintf(f, " %.3f %.3f",
				samples_percentile(&r.metrics.classes[c].wait, 50) / 1e3,
				samples_percentile(&r.metrics.classes[c].wait, 99) / 1e3);
		fprintf(f, "\n");
		sim_result_free(&r);
	}
	fclose(f);
	return 0;
}

static int write_script(const struct sim_options *o, const char *path,
			char *why, size_t len)
{
	const struct workload *w = o->workload;
	FILE *f = fopen(path, "w");

	if (!f) {
		snprintf(why, len, "cannot write %s: %s", path, strerror(errno));
		return -1;
	}
	fprintf(f, "set terminal svg size 900,600\n"
		   "set output 'latency-vs-load.svg'\n"
		   "set title 'ghost-sim: workload %s on %s'\n"
		   "set xlabel 'enclave CPU time in tasks'\n"
		   "set ylabel 'wait for a CPU (us)'\n"
		   "set logscale y\n"
		   "set key top left\n"
		   "set grid\n"
		   "plot ", w->name, o->machine->name);
	for (uint32_t c = 0; c < w->nr_classes; c++)
		fprintf(f, "%s'latency-vs-load.dat' using 2:%u with linespoints title '%s p50', "
			   "'latency-vs-load.dat' using 2:%u with linespoints title '%s p99'",
			c ? ", " : "", 3 + 2 * c, w->classes[c].name, 4 + 2 * c,
			w->classes[c].name);
	fprintf(f, "\n");
	fclose(f);
	return 0;
}

int plot_curves(const struct sim_options *o, const char *dir, char *why,
		size_t len)
{
	char data[4096], script[4096], command[8300];
	int status;

	if (mkdir(dir, 0755) && errno != EEXIST) {
		snprintf(why, len, "cannot make %s: %s", dir, strerror(errno));
		return -1;
	}
	snprintf(data, sizeof(data), "%s/latency-vs-load.dat", dir);
	snprintf(script, sizeof(script), "%s/latency-vs-load.gp", dir);
	if (write_data(o, data, why, len) || write_script(o, script, why, len))
		return -1;
	snprintf(command, sizeof(command), "cd '%s' && gnuplot latency-vs-load.gp", dir);
	status = system(command);
	if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status)) {
		snprintf(why, len, "gnuplot failed%s; the data and the script are in %s",
			 WIFEXITED(status) && WEXITSTATUS(status) == 127 ?
			 " (is it installed? scripts/install-deps installs it)" : "",
			 dir);
		return -1;
	}
	return 0;
}
