// SPDX-License-Identifier: GPL-2.0
/*
 * Proves: whole ghost-sim runs are reproducible and their inputs mean what
 * they say. Two runs of the same inputs and seed print the same bytes, as
 * text and as JSON (with a timeline), and another seed prints others; the
 * machine presets are the files of config/sim/machines/ and lay CPUs out
 * as Linux does (SMT siblings n and n + cores, LLCs and nodes by socket);
 * inputs that are wrong are refused with the file and the key; and the
 * single-CPU FIFO workload of tests/sim/fifo-order-vm finishes its tasks
 * in the order worked out by hand in docs/ghost-sim.md, under fifo_per_cpu
 * and tutorial_fifo alike; and a burst of 5,000 tasks, more than a per-CPU
 * queue holds, runs to the end under both shipped policies.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim/plot.h"
#include "sim/report.h"
#include "sim/simulation.h"

static char *run_to_text(const char *policy, const char *machine,
			 const char *workload, uint64_t seed, bool json)
{
	struct sim_options o = { .policy = policy, .seed = seed, .load_scale = 1,
				 .timeline = true };
	struct machine m;
	struct workload w;
	struct sim_result r;
	char why[1024], *text = NULL;
	size_t len;
	FILE *f;

	ck_assert_msg(!machine_load(machine, &m, why, sizeof(why)), "%s", why);
	ck_assert_msg(!workload_load(workload, &w, why, sizeof(why)), "%s", why);
	o.machine = &m;
	o.workload = &w;
	ck_assert_msg(!sim_run(&o, &r, why, sizeof(why)), "%s", why);
	f = open_memstream(&text, &len);
	if (json) {
		json_t *j = report_json(&r);

		json_dumpf(j, f, REPORT_JSON_FLAGS);
		json_decref(j);
	} else {
		report_text(f, &r);
	}
	fclose(f);
	ck_assert_uint_eq(metrics_nr_violations(&r.metrics), 0);
	sim_result_free(&r);
	workload_free(&w);
	return text;
}

START_TEST(same_inputs_same_bytes)
{
	static const char *const policies[] = {
		POLICY_DIR "/fifo_per_cpu.so", POLICY_DIR "/fifo_centralized.so",
	};
	const char *workload = SIM_CONFIG_DIR "/workloads/mixed.json";
	char *a = run_to_text(policies[_i / 2], "vm", workload, 7, _i % 2);
	char *b = run_to_text(policies[_i / 2], "vm", workload, 7, _i % 2);
	char *c = run_to_text(policies[_i / 2], "vm", workload, 8, _i % 2);

	ck_assert_uint_gt(strlen(a), 1000);
	ck_assert_str_eq(a, b);
	ck_assert_str_ne(a, c);
	free(a);
	free(b);
	free(c);
}
END_TEST

START_TEST(presets_are_the_config_files)
{
	static const char *const names[] = { "vm", "skylake-112", "epyc-256" };
	struct machine preset, file;
	char path[4096], why[1024];

	for (int i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), SIM_CONFIG_DIR "/machines/%s.json", names[i]);
		ck_assert_msg(!machine_load(names[i], &preset, why, sizeof(why)), "%s", why);
		ck_assert_msg(!machine_load(path, &file, why, sizeof(why)), "%s", why);
		ck_assert_msg(!memcmp(&preset, &file, sizeof(preset)), "%s differs", names[i]);
	}
}
END_TEST

START_TEST(topologies_as_linux_numbers_them)
{
	struct machine m;
	char why[256];

	ck_assert(!machine_load("skylake-112", &m, why, sizeof(why)));
	ck_assert_int_eq(m.nr_cpus, 112);
	ck_assert_int_eq(m.core[5], m.core[5 + 56]);
	ck_assert_int_eq(m.llc[27], 0);
	ck_assert_int_eq(m.llc[28], 1);
	ck_assert_int_eq(m.node[28 + 56], 1);
	ck_assert(!CPU_ISSET(0, &m.enclave) && CPU_ISSET(111, &m.enclave));
	ck_assert(!machine_load("epyc-256", &m, why, sizeof(why)));
	ck_assert_int_eq(m.nr_cpus, 256);
	ck_assert_int_eq(m.llc[7], 0);
	ck_assert_int_eq(m.llc[8], 1);
	ck_assert_int_eq(m.llc[128 + 8], 1);
	ck_assert_int_eq(m.node[64], 1);
	ck_assert_uint_gt(machine_ipi_ns(&m, 0, 64), machine_ipi_ns(&m, 0, 8));
	ck_assert_uint_gt(machine_ipi_ns(&m, 0, 8), machine_ipi_ns(&m, 0, 128));
	/* The defaults follow the anchor. */
	ck_assert(!machine_parse("x", "{\"cores_per_socket\": 2, \"costs\": {\"cfs_switch_ns\": 1000}}",
				 &m, why, sizeof(why)));
	ck_assert_uint_eq(m.cost[COST_LOCAL_SCHEDULE],
			  llround(cost_info[COST_LOCAL_SCHEDULE].ratio * 1000));
	ck_assert_uint_eq(m.cost[COST_CONTEXT_SWITCH], 1000);
}
END_TEST

START_TEST(wrong_inputs_say_where)
{
	struct machine m;
	struct workload w;
	char why[1024];

	ck_assert(machine_load("pdp-11", &m, why, sizeof(why)));
	ck_assert_str_eq(why, "no machine preset \"pdp-11\" (presets: vm, skylake-112, epyc-256; or give a JSON file)");
	ck_assert(machine_parse("m.json", "{\"cores_per_socket\": 300}", &m, why, sizeof(why)));
	ck_assert_str_eq(why, "m.json: cores_per_socket: expected an integer in [1, 256], not 300");
	ck_assert(machine_parse("m.json", "{\"cores_per_socket\": 4, \"costs\": {\"ipi\": 3}}",
				&m, why, sizeof(why)));
	ck_assert_str_eq(why, "m.json: costs.ipi: unknown key");
	ck_assert(workload_parse("w.json", "{\"duration_ms\": 10, \"classes\": [{\"name\": \"a\","
				 " \"arrival\": {\"process\": \"poisson\", \"rate_per_s\": 5},"
				 " \"service\": {\"dist\": \"gamma\"}}]}", ".", &w, why, sizeof(why)));
	ck_assert_str_eq(why, "w.json: classes[0].service.dist: expected fixed, exponential, uniform, bimodal or file, not \"gamma\"");
	workload_free(&w);
}
END_TEST

/* The order docs/ghost-sim.md works out for config/sim/workloads/fifo-order.json. */
START_TEST(single_cpu_fifo_order)
{
	static const char *const policies[] = {
		POLICY_DIR "/fifo_per_cpu.so", POLICY_DIR "/tutorial_fifo.so",
	};
	char *text = run_to_text(policies[_i], SIM_CONFIG_DIR "/machines/vm-one-cpu.json",
				 SIM_CONFIG_DIR "/workloads/fifo-order.json", 1, false);

	ck_assert_msg(strstr(text, "scripted tasks in exit order: a e b d c\n"), "%s", text);
	free(text);
}
END_TEST

/*
 * --plot: the workload at ten loads, one line of numbers each, the share
 * of CPU time in tasks growing with the load, and gnuplot's drawing.
 */
START_TEST(plot_draws_latency_against_load)
{
	struct sim_options o = { .policy = POLICY_DIR "/fifo_per_cpu.so", .seed = 1,
				 .load_scale = 1 };
	char dir[] = "/tmp/ghost-sim-plot.XXXXXX", path[256], line[256], why[1024];
	double last_share = -1, scale, share;
	struct machine m;
	struct workload w;
	int rows = 0;
	FILE *f;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_msg(!machine_load("vm", &m, why, sizeof(why)), "%s", why);
	ck_assert_msg(!workload_load(SIM_CONFIG_DIR "/workloads/mm2-vm.json", &w,
				     why, sizeof(why)), "%s", why);
	o.machine = &m;
	o.workload = &w;
	ck_assert_msg(!plot_curves(&o, dir, why, sizeof(why)), "%s", why);
	snprintf(path, sizeof(path), "%s/latency-vs-load.dat", dir);
	ck_assert_ptr_nonnull(f = fopen(path, "r"));
	while (fgets(line, sizeof(line), f)) {
		if (line[0] == '#')
			continue;
		ck_assert_int_eq(sscanf(line, "%lf %lf", &scale, &share), 2);
		ck_assert_double_gt(share, last_share);
		last_share = share;
		rows++;
	}
	fclose(f);
	ck_assert_int_eq(rows, 10);
	snprintf(path, sizeof(path), "%s/latency-vs-load.svg", dir);
	ck_assert_int_eq(access(path, R_OK), 0);
	workload_free(&w);
	snprintf(path, sizeof(path), "rm -rf %s", dir);
	ck_assert_int_eq(system(path), 0);
}
END_TEST

/*
 * 5,000 tasks arrive at once, more than a queue of RT_QUEUE_SLOTS holds:
 * the runtime's default queue has room for the enclave's max_tasks, so
 * none is dropped, and every task runs to its end. (Before, the queue
 * overflowed, the rediscovery into it overflowed again, and the run never
 * ended.)
 */
START_TEST(a_burst_of_tasks_beyond_a_queue_runs_to_the_end)
{
	static const char *const policies[] = {
		POLICY_DIR "/fifo_per_cpu.so", POLICY_DIR "/fifo_centralized.so",
	};
	char *text = run_to_text(policies[_i], SIM_CONFIG_DIR "/machines/vm.json",
				 SIM_CONFIG_DIR "/workloads/burst-5000.json", 1, false);

	ck_assert_msg(strstr(text, "\nall                  5000     5000       0 "), "%s", text);
	ck_assert_msg(strstr(text, "; queue overflows 0\n"), "%s", text);
	ck_assert_msg(strstr(text, "tasks: 0 unfinished,"), "%s", text);
	free(text);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("sim runs");
	TCase *tc = tcase_create("runs");
	SRunner *sr;
	int failed;

	tcase_add_loop_test(tc, same_inputs_same_bytes, 0, 4);
	tcase_add_test(tc, presets_are_the_config_files);
	tcase_add_test(tc, topologies_as_linux_numbers_them);
	tcase_add_test(tc, wrong_inputs_say_where);
	tcase_add_loop_test(tc, single_cpu_fifo_order, 0, 2);
	tcase_add_test(tc, plot_draws_latency_against_load);
	tcase_add_loop_test(tc, a_burst_of_tasks_beyond_a_queue_runs_to_the_end, 0, 2);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
