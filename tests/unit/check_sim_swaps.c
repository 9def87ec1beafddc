// SPDX-License-Identifier: GPL-2.0
/*
 * Proves: ghost-sim --swap-at swaps policies as ghostd does, through the
 * runtime's own swap calls. Five swaps between fifo_per_cpu and
 * fifo_centralized under 1,000 tasks that sleep and wake
 * (config/sim/workloads/swap-1000.json), on the test VM's shape and on 256
 * CPUs, are all made, each from the policy the one before left, and lose
 * nothing: no invariant violated, the enclave intact, every task done.
 * The blackout reported is the runtime's, and the model's handover cost
 * is in it (none when handover_task_ns is 0). A swap asked for while
 * another is under way waits for it. Control: a swap to a policy that
 * starves a task is caught by the same invariants. A plugin that cannot
 * be loaded is refused before the run, with the swap's time.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim/simulation.h"

#define WORKLOAD	SIM_CONFIG_DIR "/workloads/swap-1000.json"

static struct sim_swap alternating[] = {
	{ 20000000, "fifo_centralized" }, { 40000000, "fifo_per_cpu" },
	{ 60000000, "fifo_centralized" }, { 80000000, "fifo_per_cpu" },
	{ 100000000, "fifo_centralized" },
};

/* Run @policy with @swaps on @machine (a preset, or JSON text). */
static void run(const char *policy, const char *machine, const struct sim_swap *swaps,
		unsigned int nr_swaps, struct sim_result *r)
{
	struct sim_options o = { .policy = policy, .seed = 1, .load_scale = 1,
				 .swaps = swaps, .nr_swaps = nr_swaps };
	static struct machine m;
	static struct workload w;
	char why[1024];

	if (machine[0] == '{')
		ck_assert_msg(!machine_parse("m.json", machine, &m, why, sizeof(why)), "%s", why);
	else
		ck_assert_msg(!machine_load(machine, &m, why, sizeof(why)), "%s", why);
	ck_assert_msg(!workload_load(WORKLOAD, &w, why, sizeof(why)), "%s", why);
	o.machine = &m;
	o.workload = &w;
	ck_assert_msg(!sim_run(&o, r, why, sizeof(why)), "%s", why);
	workload_free(&w);
}

START_TEST(swaps_under_load_lose_nothing)
{
	static const char *const machines[] = { "vm", "epyc-256" };
	const char *from = "fifo_per_cpu";
	struct sim_result r;

	run(POLICY_DIR "/fifo_per_cpu.so", machines[_i], alternating, 5, &r);
	ck_assert_uint_eq(r.nr_swaps, 5);
	for (int i = 0; i < 5; i++) {
		const struct sim_swap_result *s = &r.swaps[i];

		ck_assert_msg(s->made && s->settled && !s->failure[0], "swap %d: %s", i, s->failure);
		ck_assert_uint_eq(s->started_ns, alternating[i].at_ns);
		ck_assert_str_eq(s->from, from);
		ck_assert_str_eq(s->to, alternating[i].plugin);
		/* Over 800 tasks live, 120 ns each to hand over. */
		ck_assert_uint_gt(s->blackout_ns, 100000);
		from = alternating[i].plugin;
	}
	ck_assert_str_eq(r.policy, "fifo_centralized");
	ck_assert_uint_eq(metrics_nr_violations(&r.metrics), 0);
	ck_assert(!r.destroyed);
	ck_assert_uint_eq(r.unfinished, 0);
	ck_assert_uint_eq(r.metrics.classes[0].completed, 1000);
	sim_result_free(&r);
}
END_TEST

START_TEST(the_blackout_holds_the_handover)
{
	struct sim_result with, without;

	run(POLICY_DIR "/fifo_per_cpu.so", "vm", alternating, 1, &with);
	run(POLICY_DIR "/fifo_per_cpu.so",
	    "{\"cores_per_socket\": 4, \"enclave\": \"1-3\", \"costs\": {\"handover_task_ns\": 0}}",
	    alternating, 1, &without);
	ck_assert(with.swaps[0].settled && without.swaps[0].settled);
	ck_assert_uint_gt(with.swaps[0].blackout_ns, 100000);
	ck_assert_uint_lt(without.swaps[0].blackout_ns, 10000);
	sim_result_free(&with);
	sim_result_free(&without);
}
END_TEST

START_TEST(a_swap_waits_for_the_one_before)
{
	static const struct sim_swap twice[] = {
		{ 20000000, "fifo_centralized" }, { 20000000, "fifo_per_cpu" },
	};
	struct sim_result r;

	run(POLICY_DIR "/fifo_per_cpu.so", "vm", twice, 2, &r);
	ck_assert(r.swaps[0].settled && r.swaps[1].settled);
	ck_assert_uint_ge(r.swaps[1].started_ns, r.swaps[0].started_ns + r.swaps[0].blackout_ns);
	ck_assert_str_eq(r.swaps[1].from, "fifo_centralized");
	ck_assert_uint_eq(metrics_nr_violations(&r.metrics), 0);
	sim_result_free(&r);
}
END_TEST

/* Control: the runtime's handover into a policy that never runs a task. */
START_TEST(a_swap_to_a_starving_policy_is_caught)
{
	static const struct sim_swap to_starves[] = { { 20000000, "starves" } };
	char dir[] = "/tmp/check_sim_swaps.XXXXXX", path[4096];
	struct sim_result r;

	ck_assert(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/fifo_per_cpu.so", dir);
	ck_assert(!symlink(POLICY_DIR "/fifo_per_cpu.so", path));
	snprintf(path, sizeof(path), "%s/starves.so", dir);
	ck_assert(!symlink(SIM_TEST_POLICY_DIR "/starves.so", path));
	snprintf(path, sizeof(path), "%s/fifo_per_cpu.so", dir);
	run(path, "vm", to_starves, 1, &r);
	ck_assert(r.swaps[0].made);
	ck_assert(r.destroyed || metrics_nr_violations(&r.metrics) > 0);
	sim_result_free(&r);
	unlink(path);
	snprintf(path, sizeof(path), "%s/starves.so", dir);
	unlink(path);
	rmdir(dir);
}
END_TEST

START_TEST(an_unknown_plugin_is_refused_before_the_run)
{
	static const struct sim_swap bad[] = { { 20000000, "no_such_policy" } };
	struct sim_options o = { .policy = POLICY_DIR "/fifo_per_cpu.so", .seed = 1,
				 .load_scale = 1, .swaps = bad, .nr_swaps = 1 };
	struct machine m;
	struct workload w;
	struct sim_result r;
	char why[1024];

	ck_assert(!machine_load("vm", &m, why, sizeof(why)));
	ck_assert(!workload_load(WORKLOAD, &w, why, sizeof(why)));
	o.machine = &m;
	o.workload = &w;
	ck_assert(sim_run(&o, &r, why, sizeof(why)));
	ck_assert_msg(!strncmp(why, "swap at 20 ms: ", 15) && strstr(why, "no_such_policy"),
		      "%s", why);
	workload_free(&w);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("sim swaps");
	TCase *tc = tcase_create("swaps");
	SRunner *sr;
	int failed;

	tcase_add_loop_test(tc, swaps_under_load_lose_nothing, 0, 2);
	tcase_add_test(tc, the_blackout_holds_the_handover);
	tcase_add_test(tc, a_swap_waits_for_the_one_before);
	tcase_add_test(tc, a_swap_to_a_starving_policy_is_caught);
	tcase_add_test(tc, an_unknown_plugin_is_refused_before_the_run);
	tcase_set_timeout(tc, 120);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
