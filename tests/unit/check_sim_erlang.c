// SPDX-License-Identifier: GPL-2.0
/*
 * Proves: ghost-sim agrees with queueing theory. fifo_centralized on an
 * M/M/c system (Poisson arrivals, exponential service, c CPUs for tasks
 * besides the global agent's) gives the mean wait for a CPU that Erlang's
 * C formula predicts, within 5%, at 50%, 80% and 90% load. Service times
 * (10 ms) dwarf ghost's costs (about 2 us a task), so the theory's
 * assumptions hold; the sample sizes keep the statistical error near 1.5%
 * at 90% load, where waits are most correlated.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "sim/simulation.h"

#define SERVERS		4
#define SERVICE_US	10000.0

static const struct {
	double load;
	double tasks;	/* arrivals measured */
} cases[] = {
	{ 0.5, 200000 },
	{ 0.8, 1000000 },
	{ 0.9, 4000000 },
};

/* Erlang C: the probability that an arrival waits, c servers, a = lambda/mu. */
static double erlang_c(int c, double a)
{
	double term = 1, sum = 0, top;

	for (int k = 0; k < c; k++) {
		sum += term;
		term *= a / (k + 1);
	}
	top = term * c / (c - a);
	return top / (sum + top);
}

START_TEST(mean_wait_matches_erlang_c)
{
	double load = cases[_i].load, rate = load * SERVERS / (SERVICE_US / 1e6);
	double duration_ms = cases[_i].tasks / rate * 1e3;
	double expected = erlang_c(SERVERS, load * SERVERS) * SERVICE_US * 1e3 /
			  (SERVERS - load * SERVERS);
	char machine_json[256], workload_json[512], why[1024];
	struct workload w;
	struct machine m;
	struct sim_result r;
	struct sim_options o;
	double mean, error;

	/* The global agent takes the enclave's first CPU: SERVERS remain. */
	snprintf(machine_json, sizeof(machine_json),
		 "{\"name\": \"mmc\", \"cores_per_socket\": %d, \"enclave\": \"1-%d\"}",
		 SERVERS + 2, SERVERS + 1);
	snprintf(workload_json, sizeof(workload_json),
		 "{\"name\": \"mmc\", \"duration_ms\": %f, \"warmup_ms\": %f,"
		 " \"drain_ms\": %f, \"max_tasks\": 16384, \"classes\": [{\"name\": \"r\","
		 " \"arrival\": {\"process\": \"poisson\", \"rate_per_s\": %f},"
		 " \"service\": {\"dist\": \"exponential\", \"mean_us\": %f}}]}",
		 duration_ms, duration_ms / 100, duration_ms, rate, SERVICE_US);
	ck_assert_msg(!machine_parse("mmc", machine_json, &m, why, sizeof(why)), "%s", why);
	ck_assert_msg(!workload_parse("mmc", workload_json, ".", &w, why, sizeof(why)),
		      "%s", why);
	o = (struct sim_options){
		.policy = POLICY_DIR "/fifo_centralized.so", .machine = &m,
		.workload = &w, .seed = 1, .load_scale = 1,
	};
	ck_assert_msg(!sim_run(&o, &r, why, sizeof(why)), "%s", why);
	mean = samples_mean(&r.metrics.classes[0].wait);
	error = (mean - expected) / expected;
	printf("M/M/%d at %.0f%% load: mean wait %.1f us, Erlang C %.1f us, error %+.2f%% (%llu tasks)\n",
	       SERVERS, load * 100, mean / 1e3, expected / 1e3, error * 100,
	       (unsigned long long)r.metrics.classes[0].wait.nr);
	ck_assert_uint_eq(metrics_nr_violations(&r.metrics), 0);
	ck_assert_msg(fabs(error) < 0.05, "mean wait %.1f us, Erlang C says %.1f us",
		      mean / 1e3, expected / 1e3);
	sim_result_free(&r);
	workload_free(&w);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("sim erlang");
	TCase *tc = tcase_create("M/M/c");
	SRunner *sr;
	int failed;

	tcase_add_loop_test(tc, mean_wait_matches_erlang_c, 0, 3);
	tcase_set_timeout(tc, 600);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
