// SPDX-License-Identifier: GPL-2.0
/*
 * Proves: the daemon accepts exactly the modules whose compatibility window
 * [abi_floor, abi_version] covers its own ABI version, including modules
 * newer than itself, and rejects a module reporting a nonsensical window.
 */
#include <check.h>
#include <stdlib.h>

#include "abi.h"

START_TEST(same_version_is_compatible)
{
	struct ghost_version k = { GHOST_ABI_VERSION, GHOST_ABI_FLOOR };

	ck_assert(abi_compatible(&k));
}
END_TEST

START_TEST(newer_module_with_old_floor_is_compatible)
{
	struct ghost_version k = { GHOST_ABI_VERSION + 5, GHOST_ABI_VERSION };

	ck_assert(abi_compatible(&k));
}
END_TEST

START_TEST(floor_above_our_version_is_rejected)
{
	struct ghost_version k = { GHOST_ABI_VERSION + 5, GHOST_ABI_VERSION + 1 };

	ck_assert(!abi_compatible(&k));
}
END_TEST

START_TEST(older_module_is_compatible_when_floor_allows)
{
	struct ghost_version k = { GHOST_ABI_VERSION - 1 < 1 ? 1 : GHOST_ABI_VERSION - 1, 1 };

	ck_assert(abi_compatible(&k));
}
END_TEST

START_TEST(floor_above_version_is_rejected)
{
	struct ghost_version k = { 1, 2 };

	ck_assert(!abi_compatible(&k));
}
END_TEST

static Suite *abi_suite(void)
{
	Suite *s = suite_create("abi");
	TCase *tc = tcase_create("compatibility window");

	tcase_add_test(tc, same_version_is_compatible);
	tcase_add_test(tc, newer_module_with_old_floor_is_compatible);
	tcase_add_test(tc, floor_above_our_version_is_rejected);
	tcase_add_test(tc, older_module_is_compatible_when_floor_allows);
	tcase_add_test(tc, floor_above_version_is_rejected);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(abi_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
