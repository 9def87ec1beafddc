// SPDX-License-Identifier: GPL-2.0
/*
 * Proves: `make policy-check`'s battery passes the policies that work and
 * catches the ones that do not. fifo_per_cpu, fifo_centralized and
 * tutorial_fifo pass every check; a policy that starves a task fails "no
 * starvation" (and the watchdog's lost task shows as an invariant
 * violated); one that ignores cpumasks fails "cpumasks and decisions";
 * one that books a CPU twice fails that check and "no starvation" (the
 * task it dropped never runs). Each failure names a scenario and says why.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/battery.h"

static int battery(const char *policy, char **out)
{
	size_t len;
	FILE *f = open_memstream(out, &len);
	int status = battery_run(policy, NULL, 1, f);

	fclose(f);
	return status;
}

START_TEST(working_policies_pass)
{
	static const char *const policies[] = {
		POLICY_DIR "/fifo_per_cpu.so", POLICY_DIR "/fifo_centralized.so",
		POLICY_DIR "/tutorial_fifo.so",
	};
	char *out;

	ck_assert_msg(battery(policies[_i], &out) == 0, "%s", out);
	ck_assert_msg(strstr(out, "verdict: PASS\n") && !strstr(out, "FAIL"), "%s", out);
	free(out);
}
END_TEST

static const struct {
	const char *policy;
	const char *fails[2];
} broken[] = {
	{ SIM_TEST_POLICY_DIR "/starves.so",
	  { "FAIL no starvation, in 9 of 9 runs; the first: scenario 1 ", "FAIL invariants" } },
	{ SIM_TEST_POLICY_DIR "/ignores_cpumask.so",
	  { "FAIL cpumasks and decisions", "PASS no starvation" } },
	{ SIM_TEST_POLICY_DIR "/double_books.so",
	  { "FAIL cpumasks and decisions", "FAIL no starvation" } },
};

START_TEST(broken_policies_are_caught)
{
	char *out;

	ck_assert_int_eq(battery(broken[_i].policy, &out), 3);
	for (int i = 0; i < 2; i++)
		ck_assert_msg(strstr(out, broken[_i].fails[i]), "no \"%s\" in:\n%s",
			      broken[_i].fails[i], out);
	ck_assert_msg(strstr(out, "PASS determinism") && strstr(out, "verdict: FAIL\n"),
		      "%s", out);
	free(out);
}
END_TEST

START_TEST(a_plugin_that_cannot_load_is_reported)
{
	char *out;

	ck_assert_int_eq(battery(SIM_TEST_POLICY_DIR "/no_such_policy.so", &out), 1);
	ck_assert_msg(strstr(out, "cannot run: no plugin \"no_such_policy\""), "%s", out);
	free(out);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("sim battery");
	TCase *tc = tcase_create("battery");
	SRunner *sr;
	int failed;

	tcase_add_loop_test(tc, working_policies_pass, 0, 3);
	tcase_add_loop_test(tc, broken_policies_are_caught, 0, 3);
	tcase_add_test(tc, a_plugin_that_cannot_load_is_reported);
	tcase_set_timeout(tc, 120);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
