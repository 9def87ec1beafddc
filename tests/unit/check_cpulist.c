// SPDX-License-Identifier: GPL-2.0
/*
 * Proves: CPU lists parse as the kernel prints them (single CPUs and
 * ranges, in any order, overlapping or not) into exactly the CPUs they
 * name; formatting gives the canonical list back (ascending, ranges
 * merged), survives a buffer too small for it, and round-trips; each
 * malformed list is refused with a message saying what and where.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "common/cpulist.h"

static const struct {
	const char *text;
	const char *canonical;
	int count;
} good[] = {
	{ "0", "0", 1 },
	{ "1-3,5", "1-3,5", 4 },
	{ "5,1-3", "1-3,5", 4 },
	{ "3,2,1", "1-3", 3 },
	{ "1-1", "1", 1 },
	{ "0-3,2-5", "0-5", 6 },
	{ "007", "7", 1 },
	{ "1,3,5,7", "1,3,5,7", 4 },
	{ "0-1023", "0-1023", 1024 },
	{ "1023", "1023", 1 },
};

START_TEST(parses_and_formats_canonically)
{
	char buf[64], why[128];
	cpu_set_t set;

	ck_assert_int_eq(cpulist_parse(good[_i].text, &set, why, sizeof(why)), 0);
	ck_assert_int_eq(CPU_COUNT(&set), good[_i].count);
	ck_assert_str_eq(cpulist_format(&set, buf, sizeof(buf)), good[_i].canonical);
}
END_TEST

START_TEST(round_trip)
{
	char text[4096], why[128];
	cpu_set_t set, again;

	/* Every third CPU, and one long run: many single CPUs, one range. */
	CPU_ZERO(&set);
	for (int cpu = 0; cpu < 600; cpu += 3)
		CPU_SET(cpu, &set);
	for (int cpu = 700; cpu < 900; cpu++)
		CPU_SET(cpu, &set);
	cpulist_format(&set, text, sizeof(text));
	ck_assert_int_eq(cpulist_parse(text, &again, why, sizeof(why)), 0);
	ck_assert(CPU_EQUAL(&set, &again));
}
END_TEST

static const struct {
	const char *text;
	const char *why;
} bad[] = {
	{ "", "the CPU list is empty" },
	{ "a", "expected a CPU number at offset 0" },
	{ " 1", "expected a CPU number at offset 0" },
	{ "-1", "expected a CPU number at offset 0" },
	{ "1-", "expected a CPU number at offset 2" },
	{ "1,,2", "expected a CPU number at offset 2" },
	{ "1-3,", "expected a CPU number at offset 4" },
	{ "3-1", "range 3-1 runs backwards at offset 3" },
	{ "1024", "CPU 1024 is beyond 1023 at offset 0" },
	{ "2,99999999999999999999", "CPU 99999999999999999999 is beyond 1023 at offset 2" },
	{ "1 2", "unexpected ' ' at offset 1" },
	{ "1-3;5", "unexpected ';' at offset 3" },
};

START_TEST(refuses_malformed_lists)
{
	char why[128];
	cpu_set_t set;

	ck_assert_int_eq(cpulist_parse(bad[_i].text, &set, why, sizeof(why)), -1);
	ck_assert_str_eq(why, bad[_i].why);
}
END_TEST

START_TEST(formats_the_empty_set_and_short_buffers)
{
	char buf[8];
	cpu_set_t set;

	CPU_ZERO(&set);
	ck_assert_str_eq(cpulist_format(&set, buf, sizeof(buf)), "");
	for (int cpu = 0; cpu < 20; cpu += 2)
		CPU_SET(cpu, &set);
	/* "0,2,4,6,8,10,..." cut to what fits, NUL included. */
	memset(buf, 'x', sizeof(buf));
	ck_assert_str_eq(cpulist_format(&set, buf, sizeof(buf)), "0,2,4,6");
}
END_TEST

static Suite *cpulist_suite(void)
{
	Suite *s = suite_create("cpulist");
	TCase *tc = tcase_create("lists");

	tcase_add_loop_test(tc, parses_and_formats_canonically, 0,
			    sizeof(good) / sizeof(good[0]));
	tcase_add_loop_test(tc, refuses_malformed_lists, 0, sizeof(bad) / sizeof(bad[0]));
	tcase_add_test(tc, round_trip);
	tcase_add_test(tc, formats_the_empty_set_and_short_buffers);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(cpulist_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
